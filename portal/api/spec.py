"""The OpenAPI 3.1 document, generated with apispec from the API's routes and schemas.

Each view declares its operation with `@operation(...)`: the query schema that parses its
arguments and the schema that serialises its answer. The document is built from exactly those
classes and from the Flask URL map, so it describes what the code does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from marshmallow import Schema

from . import schemas

OPENAPI_VERSION = "3.1.0"
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def operation(
    *,
    summary: str,
    response: type[Schema],
    tag: str,
    query: type[Schema] | None = None,
    paginated: bool = False,
    path_params: dict[str, str] | None = None,
    not_found: bool = False,
) -> Callable:
    """Declare a view's OpenAPI operation (kept on the function for `openapi_document`)."""

    def decorator(view: Callable) -> Callable:
        view.api_operation = {  # type: ignore[attr-defined]
            "summary": summary,
            "response": response,
            "tag": tag,
            "query": query,
            "paginated": paginated,
            "path_params": path_params or {},
            "not_found": not_found,
        }
        return view

    return decorator


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": "Problem"}},
    }


def _operation(view: Callable, info: dict[str, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "description": description,
            "schema": {"type": "string", "pattern": schemas.SLUG},
        }
        for name, description in info["path_params"].items()
    ]
    if info["query"] is not None:
        parameters.append({"in": "query", "schema": info["query"]})
    parameters.append(
        {
            "in": "header",
            "name": "If-None-Match",
            "required": False,
            "description": "An ETag this API sent: 304 Not Modified if the answer is the same",
            "schema": {"type": "string"},
        }
    )
    headers: dict[str, Any] = {
        "ETag": {"description": "Version of the answer", "schema": {"type": "string"}},
    }
    if info["paginated"]:
        headers["Link"] = {
            "description": "Links to the first page and, when there is one, the next page "
            '(rel="next", with its cursor)',
            "schema": {"type": "string"},
        }
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "headers": headers,
            "content": {"application/json": {"schema": info["response"]}},
        },
        "304": {"description": "Not modified since the ETag given in If-None-Match"},
        "400": _problem("Bad query parameters"),
        "429": _problem("Too many requests from this IP address"),
    }
    if info["not_found"]:
        responses["404"] = _problem("Not found")
    doc = (view.__doc__ or "").strip()
    return {
        "summary": info["summary"],
        "description": doc,
        "operationId": view.__name__.replace("_", "-"),
        "tags": [info["tag"]],
        "parameters": parameters,
        "responses": responses,
    }


def build_document() -> dict[str, Any]:
    """Build the OpenAPI document from the app's URL map."""
    spec = APISpec(
        title="Social Value Feedback Portal API",
        version="1.0.0",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Read-only open data of the Liverpool City Region Combined "
            "Authority's Social Value Feedback Portal: commitments, progress, You said we did, "
            "best-practice notes and feedback counts (counts from 1 to 4 suppressed). No "
            "personal data. Lists are paginated with cursors in `Link` headers; answers carry "
            "an `ETag`; errors are `application/problem+json` (RFC 9457); each IP address may "
            "make a limited number of requests a minute.",
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
        },
    )
    spec.components.schema("Problem", schema=schemas.Problem)
    rules = sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        info = getattr(view, "api_operation", None)
        if info is None:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        spec.path(path=path, operations={"get": _operation(view, info)})
    return spec.to_dict()


def openapi_document() -> dict[str, Any]:
    """Return the app's OpenAPI document, built once per app."""
    cached = current_app.extensions.get("portal_openapi")
    if cached is None:
        cached = current_app.extensions["portal_openapi"] = build_document()
    return cached

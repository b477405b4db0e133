"""The public, read-only JSON API under /api/v1 (open data as JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..anonymise import scrub
from ..extensions import csrf, db, limiter
from ..models import Commitment as CommitmentModel
from ..models import utcnow
from ..opendata import service as data
from ..periods import financial_quarter, parse_quarter, quarter_of
from ..privacy.service import SUPPRESS_BELOW
from ..progress import service as progress_service
from ..yousaid import service as yousaid_service
from . import schemas
from .problems import ApiProblem, from_exception, problem
from .spec import openapi_document, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # nothing here changes anything: other methods get a 405 problem, not a 400
DEFAULT_RATE_LIMIT = "120 per minute"
CORS_EXPOSED = (
    "ETag, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)


def rate_limit() -> str:
    """Requests per IP address for every API route (API_RATE_LIMIT, 120 a minute by default)."""
    return str(current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT)


per_ip = limiter.limit(rate_limit)


def _external(endpoint: str, **values: Any) -> str:
    # Built from PORTAL_BASE_URL, never from the request's Host header.
    return current_app.config["PORTAL_BASE_URL"] + url_for(endpoint, **values)


def load(schema: type[Schema]) -> dict[str, Any]:
    """Parse the query string with a schema, or answer 400 with a message per parameter."""
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as error:
        messages = {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in error.normalized_messages().items()
        }
        raise ApiProblem(400, "The query string has mistakes", messages) from error


def encode_cursor(after: int) -> str:
    """Return the cursor of the page after the item with this id (clients pass it back as
    given; every value the schema allows is a valid place to start)."""
    return str(after)


def paginate(rows: Iterable[tuple[int, dict]], args: dict[str, Any]) -> Response:
    """Answer one page of (id, item) pairs, in id order, with a `Link: <…>; rel="next"`
    header."""
    after = int(args.get("cursor") or 0)
    limit = args["limit"]
    rest = sorted((row for row in rows if row[0] > after), key=lambda row: row[0])
    page = rest[:limit]
    response = jsonify(items=[out for _, out in page])
    kept = {k: v for k, v in args.items() if v is not None and k not in ("cursor", "limit")}
    first = _external(request.endpoint, **(request.view_args or {}), limit=limit, **kept)
    links = [f'<{first}>; rel="first"']
    if len(rest) > limit:
        cursor = encode_cursor(page[-1][0])
        following = _external(
            request.endpoint, **(request.view_args or {}), limit=limit, cursor=cursor, **kept
        )
        links.append(f'<{following}>; rel="next"')
    response.headers["Link"] = ", ".join(links)
    return response


def _asked_for(out: dict, args: dict[str, Any]) -> bool:
    """Whether an item is of the commitment and the period the query names (if it names them)."""
    return all(not args.get(name) or out[name] == args[name] for name in ("commitment", "period"))


def _progress_out(row: dict, slugs: dict[int, str]) -> dict:
    return {
        "commitment": slugs.get(row["commitment_id"], ""),
        "financial_year": row["financial_year"],
        "quarter": row["quarter"],
        "period": row["period"],
        "status": row["status"],
        "narrative": row["narrative"] or "",
        "evidence_links": [x for x in (row["evidence_links"] or "").split("\n") if x],
        "updated_at": row["updated_at"],
    }


def _slugs() -> dict[int, str]:
    rows = db.session.execute(select(CommitmentModel.id, CommitmentModel.slug))
    return {commitment_id: slug for commitment_id, slug in rows}


def _commitment_out(commitment: CommitmentModel, latest: dict | None) -> dict:
    row = data.commitment_row(commitment)
    row.pop("id")
    row["roles"] = [r.slug for r in commitment.roles]
    row["themes"] = [t.slug for t in commitment.themes]
    row["latest_progress"] = latest
    row["url"] = _external("api.commitment", slug=commitment.slug)
    return row


@bp.get("/")
@per_ip
@operation(summary="What the API offers", response=schemas.Index, tag="About")
def index():
    """List the API's collections."""
    collections = {
        "commitments": "The framework's commitments with their latest progress",
        "progress": "Quarterly progress updates",
        "you-said-we-did": "What people said and what was done, per financial quarter",
        "notes": "Published best-practice notes",
        "feedback-counts": "Feedback counts (1 to 4 suppressed)",
    }
    endpoints = {
        "commitments": "api.commitments",
        "progress": "api.progress",
        "you-said-we-did": "api.you_said",
        "notes": "api.notes",
        "feedback-counts": "api.feedback_counts",
    }
    return schemas.Index().dump(
        {
            "title": "Social Value Feedback Portal API",
            "licence": data.LICENCE,
            "openapi": _external("api.openapi"),
            "docs": _external("api.docs"),
            "links": {
                name: {"href": _external(endpoints[name]), "description": description}
                for name, description in collections.items()
            },
        }
    )


@bp.get("/commitments")
@per_ip
@operation(
    summary="List commitments with their latest progress",
    query=schemas.PageQuery,
    response=schemas.CommitmentPage,
    paginated=True,
    tag="Framework",
)
def commitments():
    """List the framework's commitments, each with its latest quarterly update."""
    args = load(schemas.PageQuery)
    slugs = _slugs()
    latest = {
        cid: _progress_out(data.progress_row(u), slugs)
        for cid, u in progress_service.latest_by_commitment().items()
    }
    items = db.session.scalars(select(CommitmentModel))
    return paginate([(c.id, _commitment_out(c, latest.get(c.id))) for c in items], args)


@bp.get("/commitments/<slug>")
@per_ip
@operation(
    summary="One commitment with all its progress",
    response=schemas.CommitmentDetail,
    path_params={"slug": "The commitment's slug"},
    not_found=True,
    tag="Framework",
)
def commitment(slug: str):
    """Show one commitment with every progress update, latest first."""
    item = db.session.scalar(select(CommitmentModel).where(CommitmentModel.slug == slug))
    if item is None:
        raise ApiProblem(404, "There is no commitment with this slug")
    slugs = {item.id: item.slug}
    history = [_progress_out(data.progress_row(u), slugs) for u in progress_service.history(item)]
    out = _commitment_out(item, history[0] if history else None)
    out["progress"] = history
    return schemas.CommitmentDetail().dump(out)


@bp.get("/progress")
@per_ip
@operation(
    summary="List quarterly progress updates",
    query=schemas.ProgressQuery,
    response=schemas.ProgressPage,
    paginated=True,
    tag="Progress",
)
def progress():
    """List progress updates, oldest first, optionally for one commitment or quarter."""
    args = load(schemas.ProgressQuery)
    slugs = _slugs()
    rows = [(row["id"], _progress_out(row, slugs)) for row in data.progress_updates()]
    return paginate([(i, out) for i, out in rows if _asked_for(out, args)], args)


def _suppress(count: int) -> tuple[int | None, bool]:
    return (None, True) if 0 < count < SUPPRESS_BELOW else (count, False)


@bp.get("/you-said-we-did")
@per_ip
@operation(
    summary='"You said, we did" for a financial quarter',
    query=schemas.PeriodQuery,
    response=schemas.YouSaid,
    tag="You said, we did",
)
def you_said():
    """Show, per commitment, how much was said (small counts suppressed), the themes, approved
    quotes, decisions and published outcomes of a financial quarter (default: this one)."""
    args = load(schemas.PeriodQuery)
    if args.get("period"):
        try:
            year, quarter = parse_quarter(args.get("period"))
        except ValueError as error:
            raise ApiProblem(400, str(error), {"period": [str(error)]}) from error
    else:
        year, quarter = quarter_of(utcnow().date())
    period = financial_quarter(year, quarter)
    stories = []
    for story in yousaid_service.build(period):
        said, said_suppressed = _suppress(story.said)
        stories.append(
            {
                "commitment": story.commitment.slug,
                "title": story.commitment.public_title,
                "said": said,
                "said_suppressed": said_suppressed,
                "themes": [
                    dict(zip(("count", "suppressed"), _suppress(n), strict=True), code=name)
                    for name, n in story.themes
                ],
                "quotes": story.quotes,
                "decisions": [scrub(t) for t in story.decisions],
                "outcomes": [scrub(t) for t in story.outcomes if t],
            }
        )
    return schemas.YouSaid().dump(
        {"period": period.label, "start": period.start, "end": period.end, "commitments": stories}
    )


@bp.get("/notes")
@per_ip
@operation(
    summary="List published best-practice notes",
    query=schemas.PageQuery,
    response=schemas.NotePage,
    paginated=True,
    tag="Notes",
)
def notes():
    """List published best-practice notes, oldest first."""
    args = load(schemas.PageQuery)
    slugs = _slugs()
    links: dict[int, list[str]] = {}
    for row in data.note_commitments_rows():
        links.setdefault(row["note_id"], []).append(slugs.get(row["commitment_id"], ""))
    rows = []
    for row in data.notes():
        out = {k: v for k, v in row.items() if k != "id"}
        out["commitments"] = links.get(row["id"], [])
        out["url"] = current_app.config["PORTAL_BASE_URL"] + url_for(
            "notes.public_note", slug=row["slug"]
        )
        out["title"] = out["title"] or ""
        out["summary"] = out["summary"] or ""
        out["body"] = out["body"] or ""
        rows.append((row["id"], out))
    return paginate(rows, args)


@bp.get("/feedback-counts")
@per_ip
@operation(
    summary="Feedback counts per commitment, quarter, stakeholder type, locality and mode",
    query=schemas.CountsQuery,
    response=schemas.FeedbackCountPage,
    paginated=True,
    tag="Feedback",
)
def feedback_counts():
    """List feedback counts; counts from 1 to 4 are null and marked suppressed."""
    args = load(schemas.CountsQuery)
    slugs = _slugs()
    rows = []
    for row in data.feedback_counts():
        out = {k: v for k, v in row.items() if k not in ("id", "commitment_id")}
        out["commitment"] = slugs.get(row["commitment_id"]) if row["commitment_id"] else None
        rows.append((row["id"], out))
    return paginate([(i, out) for i, out in rows if _asked_for(out, args)], args)


@bp.get("/openapi.json")
@per_ip
def openapi():
    """Send the OpenAPI 3.1 document, generated from the routes and schemas."""
    return jsonify(openapi_document())


@bp.get("/docs")
@per_ip
def docs():
    """Show the API's browsable documentation (Swagger UI from the portal's own files)."""
    return render_template("api/docs.html")


@bp.route("/<path:anything>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@per_ip
def unknown(anything: str):
    """Answer addresses and methods the API does not have with a problem, not a page."""
    try:
        endpoint, _ = current_app.create_url_adapter(request).match(request.path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint and endpoint != "api.unknown":  # the address exists, for reading only
        raise MethodNotAllowed(valid_methods=["GET", "HEAD", "OPTIONS"])
    raise NotFound()


@bp.errorhandler(HTTPException)
def api_error(error: HTTPException):
    """Answer every error under /api/v1 as application/problem+json."""
    return from_exception(error)


@bp.errorhandler(Exception)
def api_failure(error: Exception):
    """Log an unexpected error and answer a 500 problem (never an HTML page)."""
    db.session.rollback()
    current_app.logger.exception("Unhandled API error", exc_info=error)
    return problem(500, "Internal server error", "Sorry, there is a problem with the service")


@bp.after_request
def api_headers(response: Response) -> Response:
    """Open GETs to every origin (CORS), and answer If-None-Match from the ETag."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if response.mimetype == "application/json":
            response.headers.setdefault("Cache-Control", "public, max-age=60")
            response.add_etag()
            response.make_conditional(request)
    return response

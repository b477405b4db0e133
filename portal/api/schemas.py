"""The API's shapes as marshmallow schemas: they serialise every response and parse every query,
and apispec turns the same classes into the OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..models import Horizon, Locality, ProgressStatus, StakeholderType, TransportMode

PERIOD = r"^(?:20[0-9]{2}|2100)-Q[1-4]$"  # the years the reports cover (periods.py)
SLUG = r"^[a-z0-9][a-z0-9-]{0,119}$"
MAX_LIMIT = 100
CURSOR = r"^[0-9]{1,10}$"


class Query(Schema):
    """Unknown parameters are ignored, as a browser's cache-busters would be."""

    class Meta:
        unknown = EXCLUDE


class PageQuery(Query):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}"},
    )
    cursor = fields.String(
        validate=validate.Regexp(CURSOR, error="Use the cursor of a next link as given"),
        metadata={
            "description": "Where the page starts: pass the `cursor` of a `next` Link as given"
        },
    )


class PeriodQuery(Query):
    period = fields.String(
        validate=validate.Regexp(PERIOD, error="Give a financial quarter like 2026-Q2"),
        metadata={"description": "Financial quarter, like 2026-Q2 (Q1 = April to June)"},
    )


class ProgressQuery(PageQuery):
    commitment = fields.String(
        validate=validate.Regexp(SLUG, error="Give a commitment's slug"),
        metadata={"description": "Only this commitment's updates (its slug)"},
    )
    period = fields.String(
        validate=validate.Regexp(PERIOD, error="Give a financial quarter like 2026-Q2"),
        metadata={"description": "Only this financial quarter, like 2026-Q2"},
    )


class CountsQuery(ProgressQuery):
    pass


class Problem(Schema):
    """An error, as application/problem+json (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per query parameter"},
    )


class Progress(Schema):
    commitment = fields.String(required=True, metadata={"description": "Commitment slug"})
    financial_year = fields.Integer(required=True)
    quarter = fields.Integer(required=True, validate=validate.Range(min=1, max=4))
    period = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in ProgressStatus])
    )
    narrative = fields.String(required=True)
    evidence_links = fields.List(fields.String(), required=True)
    updated_at = fields.String(required=True, allow_none=True)


class Commitment(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    horizon = fields.String(required=True, validate=validate.OneOf([h.value for h in Horizon]))
    transport = fields.Boolean(required=True)
    responsible_team = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "Section of the report"})
    example = fields.Boolean(
        required=True, metadata={"description": "An example to be replaced, not the framework"}
    )
    active = fields.Boolean(required=True)
    roles = fields.List(fields.String(), required=True, metadata={"description": "Role slugs"})
    themes = fields.List(fields.String(), required=True, metadata={"description": "Theme slugs"})
    latest_progress = fields.Nested(Progress, required=True, allow_none=True)
    url = fields.String(required=True)


class CommitmentDetail(Commitment):
    progress = fields.List(fields.Nested(Progress), required=True)


class CommitmentPage(Schema):
    items = fields.List(fields.Nested(Commitment), required=True)


class ProgressPage(Schema):
    items = fields.List(fields.Nested(Progress), required=True)


class Note(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Markdown"})
    cost = fields.String(required=True, allow_none=True)
    achieved = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)
    commitments = fields.List(fields.String(), required=True)
    first_published_at = fields.String(required=True, allow_none=True)
    published_at = fields.String(required=True, allow_none=True)
    url = fields.String(required=True)


class NotePage(Schema):
    items = fields.List(fields.Nested(Note), required=True)


class FeedbackCount(Schema):
    commitment = fields.String(required=True, allow_none=True)
    financial_year = fields.Integer(required=True)
    quarter = fields.Integer(required=True)
    period = fields.String(required=True)
    stakeholder_type = fields.String(
        required=True, validate=validate.OneOf([s.value for s in StakeholderType])
    )
    locality = fields.String(
        required=True, allow_none=True, validate=validate.OneOf([x.value for x in Locality])
    )
    transport_mode = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([m.value for m in TransportMode]),
    )
    count = fields.Integer(
        required=True,
        allow_none=True,
        validate=validate.Range(min=5),
        metadata={"description": "Empty (null) when from 1 to 4: suppressed"},
    )
    suppressed = fields.Boolean(required=True)


class FeedbackCountPage(Schema):
    items = fields.List(fields.Nested(FeedbackCount), required=True)


class ThemeCount(Schema):
    code = fields.String(required=True)
    count = fields.Integer(required=True, allow_none=True)
    suppressed = fields.Boolean(required=True)


class Story(Schema):
    commitment = fields.String(required=True)
    title = fields.String(required=True)
    said = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Pieces of feedback; null when from 1 to 4 (suppressed)"},
    )
    said_suppressed = fields.Boolean(required=True)
    themes = fields.List(fields.Nested(ThemeCount), required=True)
    quotes = fields.List(fields.String(), required=True)
    decisions = fields.List(fields.String(), required=True)
    outcomes = fields.List(fields.String(), required=True)


class YouSaid(Schema):
    period = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    commitments = fields.List(fields.Nested(Story), required=True)


class Link(Schema):
    href = fields.String(required=True)
    description = fields.String(required=True)


class Index(Schema):
    title = fields.String(required=True)
    licence = fields.String(required=True)
    openapi = fields.String(required=True)
    docs = fields.String(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.Nested(Link), required=True)

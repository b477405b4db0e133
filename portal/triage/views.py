"""The triage workspace: inbox, bulk actions, item page and its actions, staff-recorded feedback."""

from __future__ import annotations

from datetime import UTC, datetime, time
from enum import Enum
from typing import TypeVar
from urllib.parse import urlencode

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from jinja2_fragments.flask import render_block

from .. import audit
from ..anonymise import suggestions
from ..auth.permissions import TRIAGE, roles_required
from ..auth.service import is_safe_next
from ..core.expired import expired_message, keeps_input, token_expired
from ..core.unitofwork import commit_or_flash
from ..extensions import db, limiter
from ..framework_admin import service as framework_service
from ..framework_lists import commitment_choices, get_commitment, list_roles, list_themes
from ..inputs import parse_id, parse_ids
from ..models import (
    Channel,
    Code,
    Feedback,
    FeedbackStatus,
    Locality,
    Priority,
    Sentiment,
    StakeholderType,
    TransportMode,
    User,
)
from ..privacy.forms import RedactForm
from ..public import service as public_service
from ..ratelimits import not_searching, search_limit
from ..search import lookup, similar_items
from . import bulk as bulk_rules
from . import codeframe, items, rows
from .forms import (
    AssessmentForm,
    AssignForm,
    BulkForm,
    DuplicateOfForm,
    ItemActionForm,
    NewCodeForm,
    NoteForm,
    QuoteApprovalForm,
    ReplyForm,
    StaffFeedbackForm,
    StatusForm,
    TagsForm,
    item_forms,
)
from .inbox import InboxFilters, inbox_page, neighbours, status_counts
from .workflow import TRANSITIONS, TriageError

E = TypeVar("E", bound=Enum)

bp = Blueprint("triage", __name__, url_prefix="/triage")


def _inbox_context(filters: InboxFilters, cursor: str | None) -> dict[str, object]:
    choices = rows.choices()
    page = inbox_page(filters, current_user, cursor, known=choices)
    args = filters.to_args()
    next_url = url_for("triage.inbox", **args, after=page.next_cursor) if page.next_cursor else None
    return {
        "filters": filters,
        "page": page,
        "next_url": next_url,
        "first_url": url_for("triage.inbox", **args) if cursor else None,
        "counts": status_counts(filters, current_user),
        "query_string": urlencode(args),
        "current_url": request.full_path if request.endpoint == "triage.inbox" else None,
        "current_filters": args,
        "filter_fields": FILTER_FIELDS,
        "filter_options": _filter_options(choices),
        "inbox_row": rows.render_row,
        "statuses": list(FeedbackStatus),
        "codes": choices["codes"],
        "members": choices["members"],
    }


FILTER_FIELDS = [
    ("commitment", "Commitment"),
    ("role", "Role"),
    ("theme", "Theme"),
    ("code", "Code"),
    ("stakeholder_type", "Who"),
    ("locality", "Locality"),
    ("transport_mode", "Transport mode or asset"),
    ("channel", "Channel"),
    ("assignee", "Assigned to"),
    ("contact", "Contact details"),
]


def _filter_options(choices: dict) -> dict[str, list[tuple[str, str]]]:
    """Return (value, label) options for each select of the inbox filter form, from the
    choices already loaded for the page (no second round of queries)."""
    return {
        "commitment": [("none", "General (no commitment)")]
        + [
            (c.slug, c.title if c.active else f"{c.title} (retired)")
            for c in choices["commitments"]
        ],
        "role": [(r.slug, r.name) for r in choices["roles"]],
        "theme": [(t.slug, t.name) for t in choices["themes"]],
        "code": [(str(c.id), c.label) for c in choices["codes"]],
        "stakeholder_type": [(s.value, s.label) for s in StakeholderType],
        "locality": [(loc.value, loc.label) for loc in Locality],
        "transport_mode": [("none", "Not given")] + [(m.value, m.label) for m in TransportMode],
        "channel": [(c.value, c.label) for c in Channel],
        "assignee": [("me", "Me"), ("none", "Nobody")]
        + [(str(u.id), u.display_name) for u in choices["members"]],
        "contact": [("yes", "Given"), ("no", "Not given")],
    }


def _choices() -> dict[str, object]:
    return {
        "statuses": list(FeedbackStatus),
        # Retired commitments too: their feedback stays listed and filterable.
        "commitments": framework_service.all_commitments(),
        "roles": list_roles(),
        "themes": list_themes(),
        "codes": codeframe.active_codes(),
        "stakeholder_types": list(StakeholderType),
        "localities": list(Locality),
        "transport_modes": list(TransportMode),
        "channels": list(Channel),
        "members": items.staff_members(),
        "sentiments": list(Sentiment),
        "priorities": list(Priority),
    }


@bp.get("")
@limiter.limit(search_limit, exempt_when=not_searching)
@roles_required(*TRIAGE)
def inbox():
    """List feedback newest first (or best match first), filtered, 50 a page."""
    filters = InboxFilters.from_args(request.args)
    context = _inbox_context(filters, request.args.get("after"))
    # A value that makes no sense is answered with its message and a 422 (which htmx swaps in).
    status = 422 if filters.errors else 200
    if request.htmx and not request.htmx.boosted:
        return render_block("triage/inbox.html", "results", **context), status
    return render_template("triage/inbox.html", **context), status


def _return_to(form: BulkForm) -> str:
    target = form.return_to.data or ""
    return target if is_safe_next(target) else url_for("triage.inbox")


@bp.post("/bulk")
@roles_required(*TRIAGE)
def bulk():
    """Apply one action to the selected rows, then show the inbox again."""
    form = BulkForm()
    selected = bulk_rules.items_by_ids(parse_ids(form.ids.data or []))
    try:
        if not selected:
            raise TriageError("Select at least one item")
        result = _bulk_action(form, selected)
    except TriageError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(result.message(), "success" if not result.refused else "warning")
    target = _return_to(form)
    if request.htmx:
        # Re-render the results for the inbox URL the rows came from, from the same template.
        from urllib.parse import parse_qs, urlsplit

        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        filters = InboxFilters.from_args(query)
        context = _inbox_context(filters, query.get("after"))
        context["current_url"] = target
        return render_block("triage/inbox.html", "results", **context)
    return redirect(target, code=303)


def _bulk_action(form: BulkForm, selected: list[Feedback]) -> bulk_rules.BulkResult:
    action = form.action.data
    if action == "code":
        code = db.session.get(Code, _int(form.code_id.data))
        if code is None:
            raise TriageError("Choose a code to add")
        return bulk_rules.bulk_add_code(selected, current_user, code)
    if action == "status":
        status = _chosen(FeedbackStatus, form.status.data, "Choose a status")
        if status is FeedbackStatus.DUPLICATE:
            raise TriageError("Use ‘Mark as duplicate of’ to mark duplicates")
        return bulk_rules.bulk_status(selected, current_user, status)
    if action == "assign":
        return bulk_rules.bulk_assign(selected, current_user, _assignee(form.assignee.data))
    if action == "duplicate":
        original = items.get_item(form.duplicate_of.data.strip())
        if original is None:
            raise TriageError("Enter the reference of an existing item, like SVF-ABC2345")
        return bulk_rules.bulk_status(selected, current_user, FeedbackStatus.DUPLICATE, original)
    raise TriageError("Choose an action")


def _chosen(kind: type[E], value: str | None, message: str) -> E:
    """Return the option of `kind` a form posted, or refuse with the rule's message."""
    try:
        return kind(value)
    except ValueError as error:
        raise TriageError(message) from error


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _assignee(value: str | None) -> User | None:
    if not value or value == "none":
        return None
    user = db.session.get(User, _int(value) or 0)
    if user is None or not user.active:
        raise TriageError("Choose a member to assign to")
    return user


@bp.get("/<reference>")
@roles_required(*TRIAGE)
def item(reference: str):
    """Show one item with everything needed to triage it."""
    return _render_item(db.first_or_404(lookup.item_query(reference)))


def _render_item(
    feedback: Feedback,
    status: int = 200,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
):
    """Render the item page; a refused note or reply comes back in its box with its message."""
    filters = InboxFilters.from_args(request.args)
    newer, older = neighbours(feedback, filters, current_user)
    args = filters.to_args()
    transitions = sorted(TRANSITIONS[feedback.status], key=list(FeedbackStatus).index)
    self_url = (
        request.full_path.rstrip("?")
        if request.method == "GET"
        else url_for("triage.item", reference=feedback.reference)
    )
    choices = _choices()
    redaction_suggestions = suggestions(feedback.body)
    forms = item_forms(feedback, choices, transitions, self_url, typed or {})
    errors = errors or {}
    for field_id, message in errors.items():
        field = forms["note"].body if field_id == "note-body" else forms["reply"].reply
        field.errors = [message]
    return render_template(
        "triage/item.html",
        item=feedback,
        filters=filters,
        filter_args=args,
        back_url=url_for("triage.inbox", **args),
        newer_url=url_for("triage.item", reference=newer, **args) if newer else None,
        older_url=url_for("triage.item", reference=older, **args) if older else None,
        transitions=transitions,
        similar=similar_items(feedback),
        history=audit.history("feedback", feedback.id),
        show_contact=feedback.contact is not None,
        redaction_suggestions=redaction_suggestions,
        redact_form=RedactForm.for_item(redaction_suggestions),
        self_url=self_url,
        forms=forms,
        duplicate_form=DuplicateOfForm(formdata=None, return_to=self_url),
        errors=errors,
        **choices,
    ), status


def _item_url(feedback: Feedback, form: ItemActionForm) -> str:
    """Where an item action goes back to: the page it came from (inbox filters kept)."""
    target = form.return_to.data or ""
    return target if is_safe_next(target) else url_for("triage.item", reference=feedback.reference)


def _item_action(reference: str, form: ItemActionForm, action) -> object:
    """Run one action on an item: committed once, or rolled back with its message shown."""
    feedback = db.first_or_404(lookup.item_query(reference))
    return commit_or_flash(lambda: action(feedback), _item_url(feedback, form))


@bp.post("/<reference>/tags")
@roles_required(*TRIAGE)
def tags(reference: str):
    """Tag an item to roles, themes and codes."""
    form = TagsForm()

    def action(feedback: Feedback) -> str:
        mode = form.transport_mode.data
        if mode is not None:
            # With the tags below: both changes are committed together, or neither.
            message = "Choose a transport mode or asset from the list"
            chosen = None if mode in ("", "none") else _chosen(TransportMode, mode, message)
            items.set_transport_mode(feedback, current_user, chosen)
        items.set_tags(
            feedback,
            current_user,
            parse_ids(form.role_ids.data or []),
            parse_ids(form.theme_ids.data or []),
            parse_ids(form.code_ids.data or []),
        )
        return "Tags saved"

    return _item_action(reference, form, action)


@bp.post("/<reference>/codes")
@roles_required(*TRIAGE)
def new_code(reference: str):
    """Create a code inline and tag the item with it."""
    form = NewCodeForm()

    def action(feedback: Feedback) -> str:
        parent = db.session.get(Code, _int(form.parent_id.data) or 0)
        code = codeframe.create_code(current_user, form.name.data, parent)
        items.set_tags(
            feedback,
            current_user,
            [r.id for r in feedback.roles],
            [t.id for t in feedback.themes],
            [c.id for c in feedback.codes] + [code.id],
        )
        return f"Code ‘{code.name}’ created and added"

    return _item_action(reference, form, action)


@bp.post("/<reference>/assessment")
@roles_required(*TRIAGE)
def assessment(reference: str):
    """Set sentiment and priority."""
    form = AssessmentForm()

    def action(feedback: Feedback) -> str:
        message = "Choose a sentiment and priority from the lists"
        sentiment_value = form.sentiment.data
        sentiment = _chosen(Sentiment, sentiment_value, message) if sentiment_value else None
        priority = _chosen(Priority, form.priority.data, message)
        items.set_assessment(feedback, current_user, sentiment, priority)
        return "Sentiment and priority saved"

    return _item_action(reference, form, action)


@bp.post("/<reference>/status")
@roles_required(*TRIAGE)
def status(reference: str):
    """Move an item along the workflow (or mark it a duplicate of another)."""
    form = StatusForm()

    def action(feedback: Feedback) -> str:
        new = _chosen(FeedbackStatus, form.status.data, "Choose a status")
        original = None
        if new is FeedbackStatus.DUPLICATE:
            original = items.get_item(form.duplicate_of.data.strip())
            if original is None:
                raise TriageError("Enter the reference of an existing item, like SVF-ABC2345")
        items.change_status(feedback, current_user, new, duplicate_of=original)
        return f"Status changed to {new.label}"

    return _item_action(reference, form, action)


@bp.post("/<reference>/assign")
@roles_required(*TRIAGE)
def assign(reference: str):
    """Assign the item to a member."""
    form = AssignForm()

    def action(feedback: Feedback) -> str:
        items.assign(feedback, current_user, _assignee(form.assignee.data))
        return "Assignment saved"

    return _item_action(reference, form, action)


def _text_action(reference: str, form: ItemActionForm, field_id: str, text: str, action):
    """Run a note or reply action; on a refusal or an expired token, show the item page again
    with the text still in its box and the message at it (nothing typed is lost)."""
    feedback = db.first_or_404(lookup.item_query(reference))
    message = expired_message() if token_expired() else None
    if message is None:
        try:
            success = action(feedback)
        except TriageError as error:
            message = str(error)
    if message is not None:
        db.session.rollback()
        return _render_item(feedback, 422, {field_id: text}, {field_id: message})
    db.session.commit()
    flash(success, "success")
    return redirect(_item_url(feedback, form), code=303)


@bp.post("/<reference>/notes")
@roles_required(*TRIAGE)
@keeps_input
def note(reference: str):
    """Add an internal note."""
    form = NoteForm()
    body = form.body.data

    def action(feedback: Feedback) -> str:
        items.add_note(feedback, current_user, body)
        return "Note added"

    return _text_action(reference, form, "note-body", body, action)


@bp.post("/<reference>/reply")
@roles_required(*TRIAGE)
@keeps_input
def reply(reference: str):
    """Publish the public reply shown on the submitter's tracking page."""
    form = ReplyForm()
    text = form.reply.data

    def action(feedback: Feedback) -> str:
        items.set_public_reply(feedback, current_user, text)
        return "Public reply published" if feedback.public_reply else "Public reply withdrawn"

    return _text_action(reference, form, "reply", text, action)


@bp.post("/<reference>/quote-approval")
@roles_required(*TRIAGE)
def quote_approval(reference: str):
    """Approve the item's text for quotation on public pages, or withdraw the approval."""
    form = QuoteApprovalForm()

    def action(feedback: Feedback) -> str:
        approve = form.approve.data == "yes"
        items.set_quote_approval(feedback, current_user, approve)
        return "Approved for quotation" if approve else "Approval for quotation withdrawn"

    return _item_action(reference, form, action)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TRIAGE)
@keeps_input
def record():
    """Record feedback received by email, phone or in person."""
    form = StaffFeedbackForm(commitment_choices=commitment_choices())
    if request.method == "GET":
        form.submission_key.data = public_service.new_submission_key()
    if request.method == "POST" and form.validate():
        commitment = get_commitment(form.commitment.data) if form.commitment.data else None
        submission = public_service.submit_feedback(
            form.to_new_feedback(
                commitment,
                channel=Channel(form.channel.data),
                received_at=datetime.combine(form.received_on.data, time(12), tzinfo=UTC),
            )
        )
        if not submission.duplicate:
            audit.record(
                current_user,
                "feedback",
                submission.feedback.id,
                "create",
                "channel",
                None,
                form.channel.data,
            )
            db.session.commit()
        flash(f"Feedback recorded as {submission.feedback.reference}", "success")
        return redirect(url_for("triage.item", reference=submission.feedback.reference), 303)
    status_code = 422 if request.method == "POST" else 200
    return render_template("triage/record.html", form=form), status_code

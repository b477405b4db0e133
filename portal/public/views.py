"""Public pages: home, framework, commitments, feedback, confirmation and tracking."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block

from ..core.expired import keeps_input, set_expired_message
from ..extensions import csrf, db, limiter
from ..models import Commitment, Horizon
from ..notes import service as notes_service
from ..privacy import service as privacy_service
from ..progress import service as progress_service
from ..security import external_url, seal, unseal
from . import pagecache, service
from .forms import CONSENT_NEEDS_EMAIL, FeedbackForm, new_feedback, plainly_valid_answers
from .service import NewFeedback

bp = Blueprint("public", __name__)

INLINE_FIELDS = ("body", "organisation", "name", "email")


def _feedback_rate_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.get("/")
def home():
    """Explain the framework and how feedback is used."""
    page = pagecache.serve(("home",))
    if page is not None:
        return page
    return pagecache.keep(render_template("public/home.html", counts=service.framework_counts()))


@bp.get("/framework")
def framework():
    """List every commitment grouped by role, narrowed by the filter form."""
    horizon_value = request.args.get("horizon", "")
    filters = service.FrameworkFilters(
        theme=request.args.get("theme") or None,
        horizon=Horizon(horizon_value) if horizon_value in set(Horizon) else None,
        transport=request.args.get("transport") == "yes",
    )
    page = pagecache.serve(("framework", filters))
    if page is not None:
        return page
    commitments = service.list_commitments(filters)
    context = {
        "progress": progress_service.latest_by_commitment(),
        "groups": service.group_by_primary_role(commitments),
        "count": len(commitments),
        "themes": service.list_themes(),
        "horizons": list(Horizon),
        "filters": filters,
    }
    if request.htmx:
        return render_block("public/framework.html", "results", **context)
    return pagecache.keep(render_template("public/framework.html", **context))


def _new_form(commitment: Commitment | None = None) -> FeedbackForm:
    # A commitment's own page asks nothing about which commitment: its one choice is itself
    # (listing every commitment there cost a query and its eager loads on every page view).
    # A posted general form looks up only the commitment chosen, if any; the list is read
    # only to show the form again.
    if commitment is not None:
        form = FeedbackForm(commitment_choices=[(commitment.slug, commitment.title)])
    elif request.method == "POST":
        form = FeedbackForm(find_commitment=service.get_commitment)
    else:
        form = FeedbackForm(commitment_choices=service.commitment_choices())
    if request.method == "GET":
        form.submission_key.data = service.new_submission_key()
        if commitment is not None:
            form.commitment.data = commitment.slug
    return form


def _handle_feedback(template: str, commitment: Commitment | None, **context):
    """Validate and store a feedback form, answering plain and htmx requests alike."""
    set_expired_message("Your session timed out. Check your feedback and send it again.")
    if request.method == "POST":
        # The usual case, a form that passes, is checked without building the form; anything
        # else (and every error shown) goes through FeedbackForm as before.
        checked = plainly_valid_answers(commitment, find_commitment=service.get_commitment)
        if checked is not None:
            answers, chosen = checked
            return _store_feedback(new_feedback(answers, chosen))
    form = _new_form(commitment)
    if request.method == "POST":
        if form.website.data:
            # Honeypot filled: a bot. Look the same as success, store nothing.
            session["confirmation"] = seal({"reference": None, "token": None})
            return redirect(url_for("public.confirmation"), code=303)
        if commitment is not None:
            form.commitment.data = commitment.slug
        if form.validate():
            chosen = commitment if commitment is not None else form.chosen_commitment
            return _store_feedback(form.to_new_feedback(chosen))
        if form.submission_key.errors:  # a tampered one-time key: issue a fresh one
            form.submission_key.data = service.new_submission_key()
        status = 422
        if commitment is None:
            form.set_commitment_choices(service.commitment_choices())
    else:
        status = 200
    context.update(form=form, commitment=commitment)
    if request.htmx and request.method == "POST":
        return render_block(template, "content", **context), status
    return pagecache.keep(render_template(template, **context), form.submission_key.data), status


def _store_feedback(data: NewFeedback):
    """Store valid feedback, keep its reference for the confirmation, and show it."""
    submission = service.submit_feedback(data, offer_equality=True)
    previous = unseal(session.get("confirmation"), {})
    if not submission.duplicate or previous.get("reference") != submission.feedback.reference:
        session["confirmation"] = seal(
            {"reference": submission.feedback.reference, "token": submission.token}
        )
        if submission.equality_token:
            _offer_equality_questions(submission.equality_token)
    db.session.commit()  # the item, its acknowledgement and the equality token together
    if request.htmx:
        body = render_block("public/confirmation.html", "content", **_confirmation_context())
        return htmx_response(body, push_url=url_for("public.confirmation"))
    return redirect(url_for("public.confirmation"), code=303)


@bp.route("/commitments/<slug>", methods=["GET", "POST"])
@limiter.limit(_feedback_rate_limit, methods=["POST"])
@keeps_input
def commitment(slug: str):
    """Show a commitment and take feedback on it."""
    page = pagecache.serve(("commitment", slug), service.new_submission_key())
    if page is not None:
        return page
    item = service.get_commitment(slug)
    if item is None:
        abort(404)
    return _handle_feedback(
        "public/commitment.html",
        item,
        progress=progress_service.history(item),
        notes=notes_service.published_for_commitment(item.id),
        may_report=current_user.is_authenticated
        and progress_service.may_report(current_user, item),
    )


@bp.route("/feedback", methods=["GET", "POST"])
@limiter.limit(_feedback_rate_limit, methods=["POST"])
@keeps_input
def feedback():
    """Take general feedback, optionally about a chosen commitment."""
    # The empty form is the same for everyone but its tokens: kept per framework version.
    page = pagecache.serve(("feedback",), service.new_submission_key())
    if page is not None:
        return page
    return _handle_feedback("public/feedback.html", None)


@bp.post("/feedback/validate")
@csrf.exempt
def validate_field():
    """Validate the form and return one field's markup with its error, for inline checks.

    Exempt from the form token: it stores and changes nothing, and a token that expired while
    the page was open must not turn a check of one field into an error page.
    """
    field_name = request.args.get("field", "")
    if field_name not in INLINE_FIELDS:
        abort(400)
    form = FeedbackForm(find_commitment=service.get_commitment, meta={"csrf": False})
    form.validate()
    field = form[field_name]
    if field_name == "email":
        # The consent rule is checked at the consent box, not at the email field.
        field.errors = [e for e in field.errors if e != CONSENT_NEEDS_EMAIL]
    return render_template("public/_field.html", form=form, field_name=field_name)


def _confirmation_context(data: dict | None = None) -> dict[str, object]:
    """Return what the confirmation shows, and forget the tracking token: the private link is
    shown once (the session cookie holds it only sealed, and only until then)."""
    if data is None:
        data = unseal(session.get("confirmation"), {})
    token = data.get("token")
    if token:
        session["confirmation"] = seal({**data, "token": None, "shown": True})
    return {
        "reference": data.get("reference"),
        "tracking_url": external_url("public.track", token=token) if token else None,
        "link_already_shown": bool(data.get("shown")),
        "equality_offered": _equality_offered(),
    }


@bp.get("/feedback/confirmation")
def confirmation():
    """Show the reference and, once, the private tracking link of the feedback just sent."""
    data = unseal(session.get("confirmation"))
    if not data:
        return redirect(url_for("public.feedback"))
    context = _confirmation_context(data)
    # The same page for every submission but its reference and link: rendered once, kept.
    return pagecache.render_filled(
        "public/confirmation.html",
        {"reference": context.pop("reference"), "tracking_url": context.pop("tracking_url")},
        **context,
    )


def _offer_equality_questions(token: str) -> None:
    """Keep the one-time token that lets this submission answer the equality questions. Its
    expiry goes with it, so offering the questions costs no query; the questions page checks
    the token itself in the database, and drops it from the session once used or expired."""
    session["equality"] = seal(token)
    session["equality_until"] = int(time.time()) + 3600 * privacy_service.EQUALITY_TOKEN_HOURS


def _equality_offered() -> bool:
    until = session.get("equality_until")
    return (
        "equality" in session
        and isinstance(until, int)
        and until > time.time()
        and bool(unseal(session["equality"]))
    )


@bp.get("/track/<token>")
def track(token: str):
    """Show the person who sent feedback its status and, once published, the reply."""
    item = service.find_by_token(token)
    if item is None:
        abort(404)
    response = current_app.make_response(render_template("public/track.html", item=item))
    # The URL is a secret: never leak it to other sites or caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/privacy")
def privacy():
    """Show the privacy notice."""
    return render_template("public/privacy.html")


@bp.get("/accessibility")
def accessibility():
    """Show the accessibility statement."""
    return render_template("public/accessibility.html")

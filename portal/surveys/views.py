"""Answering surveys (public) and their results (staff)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from jinja2_fragments.flask import render_block

from ..auth.permissions import TRIAGE, roles_required
from ..core.expired import expired_errors, keeps_input, token_expired
from ..exports import to_csv, to_xlsx
from ..extensions import db
from ..models import StakeholderType, Survey, SurveyVersion
from ..public.forms import SUBMISSION_KEY
from ..public.service import new_submission_key
from ..security import external_url, seal, unseal
from . import drafts, engine, service
from .forms import PageForm, ResultsFilterForm, SubmitForm

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


def _closed(version: SurveyVersion):
    return render_template("surveys/closed.html", version=version, today=service.today()), 410


def _draft(survey: Survey) -> tuple[SurveyVersion, dict] | None:
    """Return the version being answered and the draft, starting one if needed.

    None means the survey cannot be answered today.
    """
    draft = drafts.load(survey.slug)
    if draft is not None:
        version = service.version_by_id(draft["version_id"])
        if version is not None and service.is_open(version):
            return version, draft
    version = survey.current
    if not service.is_open(version):
        return None
    draft = {"version_id": version.id, "answers": {}, "key": new_submission_key()}
    drafts.save(survey.slug, draft)
    return version, draft


@bp.get("")
def index():
    """List the surveys open today."""
    return render_template("surveys/index.html", versions=service.open_surveys())


@bp.get("/<slug>")
def start(slug: str):
    """Introduce a survey: what it is about, its privacy statement and dates."""
    survey = db.first_or_404(service.published_survey_query(slug))
    version = survey.current
    pages = engine.applicable_pages(version.definition, {})
    first = pages[0] + 1 if pages else 1
    return render_template(
        "surveys/start.html",
        survey=survey,
        version=version,
        is_open=service.is_open(version),
        today=service.today(),
        first_url=url_for("surveys.page", slug=slug, number=first),
    )


def _page_context(version, draft, number, errors=None, values=None, added=None):
    definition = version.definition
    page_list = engine.pages(definition)
    index = number - 1
    answers = dict(draft["answers"])
    if values is not None:
        answers.update(values)
    applicable = engine.applicable_pages(definition, answers)
    position = applicable.index(index) + 1 if index in applicable else None
    earlier = [i for i in applicable if i < index]
    back_url = (
        url_for("surveys.page", slug=version.survey.slug, number=earlier[-1] + 1)
        if earlier
        else url_for("surveys.start", slug=version.survey.slug)
    )
    page = page_list[index]
    questions = engine.visible_questions(page, answers)
    same_page_conditions = any(
        (q.get("condition") or {}).get("question") in {x["id"] for x in page["questions"]}
        for q in page["questions"]
    )
    return {
        "survey": version.survey,
        "version": version,
        "page": page,
        "number": number,
        "position": position,
        "total": len(applicable),
        "questions": questions,
        "answers": answers,
        "errors": errors or {},
        "back_url": back_url,
        "returning": PageForm(formdata=request.values).returning(),
        "page_form": PageForm.for_page(questions),
        "live_conditions": same_page_conditions,
        "added": added or [],
        "field_name": engine.field_name,
        "options": engine.options,
    }


@bp.route("/<slug>/questions/<int:number>", methods=["GET", "POST"])
@keeps_input
def page(slug: str, number: int):
    """Ask one page of questions; the server decides which show and which page comes next."""
    survey = db.first_or_404(service.published_survey_query(slug))
    current = _draft(survey)
    if current is None:
        return _closed(survey.current)
    version, draft = current
    definition = version.definition
    page_list = engine.pages(definition)
    if not 1 <= number <= len(page_list):
        abort(404)
    page_def = page_list[number - 1]
    if request.method == "GET":
        if number - 1 not in engine.applicable_pages(definition, draft["answers"]):
            return redirect(_next_url(slug, definition, draft["answers"], number - 1))
        return render_template("surveys/page.html", **_page_context(version, draft, number))

    values, errors = engine.read_page(page_def, request.form, draft["answers"])
    if token_expired():
        # Show the page again as answered; the draft keeps what was saved before.
        context = _page_context(version, draft, number, values=_typed(page_def) | values)
        context["errors"] = expired_errors()
        return render_template("surveys/page.html", **context), 422
    page_form = PageForm()
    shown = set(page_form.shown.data or [])
    merged = dict(draft["answers"])
    for question in page_def["questions"]:
        merged.pop(question["id"], None)
    merged.update(values)
    now_visible = {q["id"] for q in engine.visible_questions(page_def, merged)}
    added = sorted(now_visible - shown)
    if errors or added:
        # Without JavaScript a same-page condition is only known after a submit: show the page
        # again with the question it revealed, rather than skipping it.
        context = _page_context(version, draft, number, errors, values, added)
        context["errors"] = {k: v for k, v in errors.items() if k not in added}
        status = 422 if context["errors"] else 200
        return render_template("surveys/page.html", **context), status
    draft["answers"] = engine.prune(definition, merged)
    drafts.save(slug, draft)
    if page_form.returning():
        return redirect(url_for("surveys.check", slug=slug), code=303)
    return redirect(_next_url(slug, definition, draft["answers"], number - 1), code=303)


@bp.post("/<slug>/questions/<int:number>/preview")
def preview(slug: str, number: int):
    """Re-render a page's questions as answered so far, so htmx can show or hide conditional
    questions without a reload. Stores nothing."""
    survey = db.first_or_404(service.published_survey_query(slug))
    current = _draft(survey)
    if current is None:
        return _closed(survey.current)
    version, draft = current
    page_list = engine.pages(version.definition)
    if not 1 <= number <= len(page_list):
        abort(404)
    values, _ = engine.read_page(page_list[number - 1], request.form, draft["answers"])
    context = _page_context(version, draft, number, values=_typed(page_list[number - 1]) | values)
    return render_block("surveys/page.html", "questions", **context)


def _typed(page_def: dict) -> dict:
    """Return what was typed on a page, even if not yet valid, so nothing entered disappears."""
    return {
        q["id"]: (
            request.form.getlist(engine.field_name(q["id"]))
            if q["type"] == "multiple_choice"
            else request.form.get(engine.field_name(q["id"]), "")
        )
        for q in page_def["questions"]
    }


def _next_url(slug: str, definition: dict, answers: dict, after_index: int) -> str:
    for index in engine.applicable_pages(definition, answers):
        if index > after_index:
            return url_for("surveys.page", slug=slug, number=index + 1)
    return url_for("surveys.check", slug=slug)


@bp.get("/<slug>/check")
def check(slug: str):
    """Show every answer with a change link before the final submit."""
    survey = db.first_or_404(service.published_survey_query(slug))
    current = _draft(survey)
    if current is None:
        return _closed(survey.current)
    version, draft = current
    missing = engine.first_incomplete(version.definition, draft["answers"])
    if missing is not None:
        return redirect(url_for("surveys.page", slug=slug, number=missing + 1))
    rows = engine.check_answers(version.definition, draft["answers"])
    return render_template(
        "surveys/check.html",
        survey=survey,
        version=version,
        rows=rows,
        form=SubmitForm(formdata=None, submission_key=draft["key"]),
    )


@bp.post("/<slug>/submit")
def submit(slug: str):
    """Store the response (and its free-text answers as feedback), then confirm."""
    survey = db.first_or_404(service.published_survey_query(slug))
    key = SubmitForm().submission_key.data or ""
    if not SUBMISSION_KEY.fullmatch(key):  # never look up, or store, anything else
        key = ""
    existing = service.find_response(key) if key else None
    if existing is not None:
        return redirect(url_for("surveys.done", slug=slug), code=303)
    current = _draft(survey)
    if current is None:
        return _closed(survey.current)
    version, draft = current
    if key != draft["key"]:
        return redirect(url_for("surveys.check", slug=slug), code=303)
    try:
        submitted = service.submit(version, draft["answers"], draft["key"])
    except service.SurveyError:
        db.session.rollback()
        return redirect(url_for("surveys.check", slug=slug), code=303)
    db.session.commit()
    session["survey_done"] = seal(
        {"slug": slug, "reference": submitted.response.reference, "tracking": submitted.tracking}
    )
    drafts.discard(slug)
    return redirect(url_for("surveys.done", slug=slug), code=303)


@bp.get("/<slug>/done")
def done(slug: str):
    """Confirm the response with its reference."""
    survey = db.first_or_404(service.published_survey_query(slug))
    data = unseal(session.get("survey_done"), {})
    if data.get("slug") != slug:
        return redirect(url_for("surveys.start", slug=slug))
    tracking = [
        (reference, external_url("public.track", token=token))
        for reference, token in data.get("tracking", [])
    ]
    if tracking:  # the private links are shown once; the cookie holds them sealed until then
        session["survey_done"] = seal({**data, "tracking": [], "shown": True})
    return render_template(
        "surveys/done.html",
        survey=survey,
        reference=data["reference"],
        tracking=tracking,
        links_already_shown=bool(data.get("shown")),
    )


@bp.get("/<slug>/results")
@roles_required(*TRIAGE)
def results(slug: str):
    """Show counts and percentages per question, with charts and their data tables."""
    survey = db.first_or_404(service.published_survey_query(slug))
    filters = service.ResultFilters.from_args(request.args)
    return render_template(
        "surveys/results.html",
        survey=survey,
        filters=filters,
        form=ResultsFilterForm.for_filters(filters),
        results=service.results(survey, filters),
        stakeholder_types=list(StakeholderType),
        query=request.query_string.decode(),
    ), (422 if filters.errors else 200)


@bp.get("/<slug>/results.csv")
@roles_required(*TRIAGE)
def results_csv(slug: str):
    """Export one row per response, one column per question (formula-safe)."""
    survey = db.first_or_404(service.published_survey_query(slug))
    header, rows = service.export_rows(survey, service.ResultFilters.from_args(request.args))
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-results.csv"'},
    )


@bp.get("/<slug>/results.xlsx")
@roles_required(*TRIAGE)
def results_xlsx(slug: str):
    """Export the same rows as an Excel workbook (formula-safe)."""
    survey = db.first_or_404(service.published_survey_query(slug))
    header, rows = service.export_rows(survey, service.ResultFilters.from_args(request.args))
    return Response(
        to_xlsx({"Responses": (header, rows)}),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{slug}-results.xlsx"'},
    )

"""Every page of the portal in real Chromium at 320 and 1366 CSS px, and in the Nu HTML Checker.

The sweep walks every GET rule of the app's URL map (a rule nobody filled in fails the test),
on a database with demo feedback, surveys, a meeting, a published note, progress and accounts of
every role. Each page is visited as a role allowed to see it (the one in `tests/test_auth.py`)
and must: load without a redirect, not scroll sideways, have no axe-core violations (WCAG 2.2 A
and AA), exactly one `h1`, headings that never skip a level, a non-empty `title`, and log no
console errors. The same pages' HTML must pass the Nu HTML Checker (npm `vnu-jar`, run on Java).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from ..conftest import PASSWORD, hidden_fields, valid_answers
from ..test_auth import PUBLIC_ENDPOINTS, _expected_roles
from ..test_surveys import ALL_TYPES, GOOD
from .conftest import GUARD_MS, Portal, axe_violations, serve_portal

pytestmark = pytest.mark.browser

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
WIDTHS = (320, 1366)
# Rules that answer something other than an HTML page: files, documents and the health check.
NOT_PAGES = {
    "static",
    "core.healthz",
    # The API answers JSON (its docs page, api.docs, is a page); open-data files are downloads.
    "api.index",
    "api.commitments",
    "api.commitment",
    "api.progress",
    "api.you_said",
    "api.notes",
    "api.feedback_counts",
    "api.openapi",
    "api.unknown",
    "opendata.download",
}
DOCUMENT_SUFFIXES = (".csv", ".docx", ".pdf", ".xlsx", ".json")
# The role a staff page is seen as: the first of these the page allows.
ROLE_ORDER = ("member", "admin", "officer", "champion")
EMAILS = {role: f"sweep-{role}@example.invalid" for role in ROLE_ORDER}
# Pages only some of a rule's roles see: a note is edited by its author (the champion).
ROLE_OVERRIDES = {"notes.edit": "champion"}


@dataclass
class Site:
    """The served portal and the ids and slugs its pages are built from."""

    portal: Portal
    values: dict[str, object]


@dataclass
class Visit:
    """One page to look at: its URL, who looks, and what must happen first (in that session)."""

    url: str
    role: str | None
    setup: Callable[[Page, str], None] | None = None
    notes: list[str] = field(default_factory=list)


def _seed(portal: Portal) -> dict[str, object]:
    """Fill the database as a working portal would be; return the values URLs are built from."""
    from sqlalchemy import select

    from portal.auth.service import create_user, get_user_by_email, link_commitments
    from portal.demo.seed import seed_feedback
    from portal.extensions import db
    from portal.meetings import service as meetings
    from portal.models import Commitment, ProgressStatus, Role, StakeholderType, Theme
    from portal.notes import service as notes
    from portal.outbox import service as outbox
    from portal.periods import quarter_of
    from portal.progress.service import ProgressInput, post_update
    from portal.public.service import NewFeedback, submit_feedback
    from portal.surveys import service as surveys

    with portal.app.app_context():
        seed_feedback(400, seed=10)
        report = surveys.sync()
        assert not report.problems, report.problems
        assert not surveys.sync([ALL_TYPES]).problems
        for role, email in EMAILS.items():
            create_user(email, role, PASSWORD, f"Sweep {role.capitalize()}")
        db.session.commit()
        commitments = list(
            db.session.scalars(select(Commitment).order_by(Commitment.position, Commitment.id))
        )
        officer_slugs = [c.slug for c in commitments[:2]]
        link_commitments(EMAILS["officer"], officer_slugs)
        db.session.commit()
        officer = get_user_by_email(EMAILS["officer"])
        member = get_user_by_email(EMAILS["member"])
        champion = get_user_by_email(EMAILS["champion"])
        today = datetime.now(UTC).date()
        year, quarter = quarter_of(today)
        post_update(
            officer,
            commitments[0],
            ProgressInput(
                year,
                quarter,
                ProgressStatus("on_track"),
                "Safe Spaces signage is up at every staffed station.\n\nNext: travel centres.",
                ["https://www.liverpoolcityregion-ca.gov.uk/"],
            ),
        )
        submission = submit_feedback(
            NewFeedback(
                body="The lift at Moorfields was out of order for a week; please say when.",
                stakeholder_type=StakeholderType("passenger"),
                commitment_id=commitments[0].id,
                consent_to_quote=True,
            )
        )
        db.session.commit()
        meeting = meetings.create_meeting(member, "Implementation Group", today)
        item = next(i for i in meeting.items if i.commitment_id is not None)
        meetings.add_decision(member, item, "Ask Merseyrail for a lift repair timetable.")
        meetings.add_action(
            member, item, "Write to Merseyrail", "Sweep Member", None, submission.feedback.reference
        )
        db.session.commit()
        note = notes.create(
            champion,
            notes.NoteInput(
                title="Lunch clubs at travel centres",
                summary="What we learnt from running a lunch club.",
                body="Intro.\n\n## What worked\n\nVolunteers.\n\n### Costs\n\nLow.",
                commitment_ids=[commitments[0].id],
            ),
        )
        db.session.commit()
        notes.submit(champion, note)
        notes.publish(member, note)
        db.session.commit()
        # A published Annual Review for the year, so its public pages have something to show.
        from portal.annualreview import service as annualreview

        admin = get_user_by_email(EMAILS["admin"])
        words = annualreview.DraftInput(introduction="The year's review of social value.")
        annualreview.save_draft(admin, year, words)
        annualreview.publish(admin, year)
        db.session.commit()
        follow = outbox.request_follow(commitments[0], "sweep.follower@example.invalid")
        db.session.commit()
        db.session.commit()
        return {
            "follow_token": outbox.confirm_token(follow),
            "unsubscribe_token": outbox.unsubscribe_token("r", submission.feedback.reference),
            "commitment_slug": commitments[0].slug,
            "officer_slug": officer_slugs[0],
            "reference": submission.feedback.reference,
            "token": submission.token,
            "meeting_id": meeting.id,
            "note_id": note.id,
            "note_slug": note.slug,
            "period": f"{year}-Q{quarter}",
            "year": str(year),
            "survey_slug": "all-types",
            "user_id": officer.id,
            "role_slug": db.session.scalar(select(Role.slug).order_by(Role.id)),
            "theme_slug": db.session.scalar(select(Theme.slug).order_by(Theme.id)),
        }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for portal in serve_portal(tmp_path_factory):
        yield Site(portal, _seed(portal))


# --- what to visit --------------------------------------------------------------------------


def _csrf(html: str) -> str:
    return hidden_fields(html)["csrf_token"]


def send_feedback(page: Page, base: str) -> None:
    """Send the general feedback form in this session, as a person would."""
    html = page.request.get(f"{base}/feedback").text()
    data = hidden_fields(html) | valid_answers()
    response = page.request.post(f"{base}/feedback", form=data, max_redirects=0)
    assert response.status == 303, response.text()[:2000]


def answer_survey(page: Page, base: str, submit: bool = False) -> None:
    """Answer every page of the all-types survey in this session (and send it)."""
    from portal.surveys import engine

    url = f"{base}/surveys/all-types"
    for number, answers in enumerate(GOOD, start=1):
        html = page.request.get(f"{url}/questions/{number}").text()
        data: dict[str, object] = {"csrf_token": _csrf(html)}
        shown = re.findall(r'name="shown" value="([^"]+)"', html)
        form = [("csrf_token", data["csrf_token"])] + [("shown", s) for s in shown]
        for key, value in answers.items():
            for one in value if isinstance(value, list) else [value]:
                form.append((engine.field_name(key), one))
        body = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in form)
        response = page.request.post(
            f"{url}/questions/{number}",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            max_redirects=0,
        )
        assert response.status == 303, (number, response.text()[:2000])
    if submit:
        html = page.request.get(f"{url}/check").text()
        response = page.request.post(f"{url}/submit", form=hidden_fields(html), max_redirects=0)
        assert response.status == 303, response.text()[:2000]


def _quote(value: object) -> str:
    from urllib.parse import quote_plus

    return quote_plus(str(value))


# Pages that show something only after a step in the same session.
SETUPS: dict[str, Callable[[Page, str], None]] = {
    "public.confirmation": send_feedback,
    "privacy.equality": send_feedback,
    "surveys.check": answer_survey,
    "surveys.done": lambda page, base: answer_survey(page, base, submit=True),
}


def _arguments(rule, values: dict[str, object]) -> dict[str, dict[str, object]]:
    """The values of each URL argument, by argument name and then by endpoint."""
    endpoint = rule.endpoint
    slug = values["commitment_slug"]
    if endpoint.startswith("framework_admin.") and "/roles/" in rule.rule:
        slug = values["role_slug"]
    elif endpoint.startswith("framework_admin.") and "/themes/" in rule.rule:
        slug = values["theme_slug"]
    elif endpoint.startswith("surveys."):
        slug = values["survey_slug"]
    elif endpoint.startswith("notes."):
        slug = values["note_slug"]
    elif endpoint == "progress.new":
        slug = values["officer_slug"]
    token = {
        "outbox.confirm": values["follow_token"],
        "outbox.unsubscribe": values["unsubscribe_token"],
    }.get(endpoint, values["token"])
    return {
        "slug": slug,
        "reference": values["reference"],
        "token": token,
        "meeting_id": values["meeting_id"],
        "note_id": values["note_id"],
        "period": values["period"],
        "year": values["year"],
        "number": 1,
        "user_id": values["user_id"],
    }


def _role_for(endpoint: str) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("public."):
        return None
    allowed = _expected_roles(endpoint)
    if endpoint in ROLE_OVERRIDES:
        return ROLE_OVERRIDES[endpoint]
    return next(role for role in ROLE_ORDER if role in allowed)


def visits(site: Site) -> list[Visit]:
    """One visit per GET rule that renders a page, plus a few pages every role lands on."""
    app = site.portal.app
    result: list[Visit] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.endswith(DOCUMENT_SUFFIXES):
            continue
        known = _arguments(rule, site.values) | (rule.defaults or {})
        missing = [a for a in rule.arguments if a not in known]
        assert not missing, f"{rule.rule}: give the sweep a value for {missing}"
        url = rule.build({a: known[a] for a in rule.arguments})[1]
        if rule.endpoint == "auth.login":
            result.append(Visit(url, None))
            continue
        result.append(Visit(url, _role_for(rule.endpoint), SETUPS.get(rule.endpoint)))
    # Every survey page, and the home page and notes list as each staff role sees them.
    slug = site.values["survey_slug"]
    result += [
        Visit(f"/surveys/{slug}/questions/{n}", None, answer_survey) for n in range(2, len(GOOD))
    ]
    result += [Visit("/", role) for role in ROLE_ORDER]
    result.append(Visit("/notes", "champion"))
    result.append(Visit("/triage?q=lift&status=new", "member"))
    return result


def in_role_order(items: list[Visit]) -> list[Visit]:
    order = (None, *ROLE_ORDER)
    return sorted(items, key=lambda v: order.index(v.role))


def sign_in_as(page: Page, base: str, role: str | None) -> None:
    """Start a fresh session, signed in with the role's account when there is one."""
    page.context.clear_cookies()
    if role is None:
        return
    html = page.request.get(f"{base}/login").text()
    data = hidden_fields(html) | {"email": EMAILS[role], "password": PASSWORD}
    response = page.request.post(f"{base}/login", form=data, max_redirects=0)
    assert response.status == 303, response.text()[:2000]


# --- the browser sweep -----------------------------------------------------------------------

CHECKS = """() => {
  const root = document.documentElement;
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.getClientRects().length || h.closest('details'))
    .map(h => Number(h.tagName[1]));
  const skipped = [];
  headings.forEach((level, i) => {
    const before = i ? headings[i - 1] : 0;
    if (level > before + 1) skipped.push(`h${before || 0} then h${level}`);
  });
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1
      && !e.closest('[role=region][tabindex="0"]') && e.getClientRects().length
      && getComputedStyle(e).position !== 'absolute')
    .slice(0, 3).map(e => e.outerHTML.slice(0, 120));
  return {
    overflow: root.scrollWidth - root.clientWidth,
    wide,
    h1: document.querySelectorAll('h1').length,
    title: document.title.trim(),
    skipped,
  };
}"""


def look_at(page: Page, base: str, visit: Visit, console: list[str]) -> list[str]:
    """Open one page and return what is wrong with it."""
    if visit.setup:
        visit.setup(page, base)
    console.clear()
    response = page.goto(base + visit.url)
    page.wait_for_load_state("networkidle")
    problems = []
    if response is None or response.status != 200:
        problems.append(f"answered {response.status if response else 'nothing'}")
    if page.url != base + visit.url:
        problems.append(f"went to {page.url.removeprefix(base)}")
    found = page.evaluate(CHECKS)
    if found["overflow"] > 0:
        problems.append(f"scrolls sideways by {found['overflow']} px: {found['wide']}")
    if found["h1"] != 1:
        problems.append(f"{found['h1']} h1 elements")
    if not found["title"] or found["title"] == "None":
        problems.append(f"title {found['title']!r}")
    if found["skipped"]:
        problems.append(f"headings skip a level: {found['skipped']}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe: {violations}")
    if console:
        problems.append(f"console: {list(console)}")
    return problems


@pytest.fixture(scope="module")
def width_page(browser: Browser) -> Iterator[Callable[[int], tuple[Page, list[str]]]]:
    contexts = []

    def _open(width: int) -> tuple[Page, list[str]]:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=True, java_script_enabled=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(GUARD_MS)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        return page, console

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_passes_axe_and_has_one_h1_and_a_title(site: Site, width_page, width):
    page, console = width_page(width)
    base = site.portal.url
    failures: dict[str, list[str]] = {}
    current: object = "nobody yet"
    checked = 0
    for visit in in_role_order(visits(site)):
        if visit.role != current:
            sign_in_as(page, base, visit.role)
            current = visit.role
        problems = look_at(page, base, visit, console)
        if problems:
            failures[f"{visit.url} as {visit.role or 'the public'}"] = problems
        checked += 1
    assert checked >= 45
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


# --- the Nu HTML Checker ---------------------------------------------------------------------


def test_every_page_is_valid_html(site: Site, width_page, tmp_path: Path):
    assert shutil.which("java"), "Java is needed for the Nu HTML Checker: install a JRE"
    assert VNU.exists(), "vnu.jar missing: run make setup (npm vnu-jar)"
    page, _ = width_page(1366)
    base = site.portal.url
    files: dict[str, str] = {}
    current: object = "nobody yet"
    for number, visit in enumerate(in_role_order(visits(site))):
        if visit.role != current:
            sign_in_as(page, base, visit.role)
            current = visit.role
        if visit.setup:
            visit.setup(page, base)
        response = page.request.get(base + visit.url, max_redirects=0)
        assert response.status == 200, (visit.url, response.status)
        path = tmp_path / f"page-{number:03d}.html"
        path.write_bytes(response.body())
        files[path.name] = f"{visit.url} as {visit.role or 'the public'}"
    result = subprocess.run(  # noqa: S603 - our own jar on files this test wrote
        [  # noqa: S607 - the JRE on PATH, as CI installs it
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *map(str, sorted(tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files.get(Path(m.get('url', '')).name)}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert len(files) >= 45
    assert errors == [], "\n".join(errors)


def test_inline_validation_logs_no_console_errors(site: Site, width_page):
    page, console = width_page(1366)
    page.context.clear_cookies()
    page.goto(site.portal.url + "/feedback")
    console.clear()
    with page.expect_response(lambda r: "/feedback/validate" in r.url):
        page.fill("#body", "Too short")
        page.keyboard.press("Tab")
    page.wait_for_load_state("networkidle")
    assert page.locator("#body-error").count() == 1
    assert console == []


# --- staff pages that can be scanned (1366 px) -------------------------------------------------

LEFT = "s => Math.round(document.querySelector(s).getBoundingClientRect().left)"


def test_staff_navigation_is_one_row_and_the_inbox_lines_up_at_1366(site: Site, width_page):
    page, console = width_page(1366)
    base = site.portal.url
    sign_in_as(page, base, "admin")  # the longest navigation
    page.goto(base + "/triage")
    tops = page.eval_on_selector_all(
        ".govuk-service-navigation__item, .app-sign-out button",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top + e.offsetHeight / 2))",
    )
    assert len(tops) >= 10
    assert max(tops) - min(tops) <= 4, f"navigation wraps: {tops}"
    header = page.evaluate(LEFT, ".app-header .govuk-width-container")
    navigation = page.evaluate(LEFT, ".govuk-service-navigation .govuk-width-container")
    content = page.evaluate(LEFT, "#main-content")
    assert header == navigation == content
    rows = page.locator("#inbox-table tbody.app-inbox-item")
    assert rows.count() >= 20
    # Count the lines of text in a cell: the distinct tops of its text's boxes.
    lines = page.evaluate(
        """() => [...document.querySelectorAll('#inbox-table .app-inbox-row')].map(row => {
          const count = cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
          };
          return {ref: count(row.cells[1]), date: count(row.cells[2])};
        })"""
    )
    assert all(x["ref"] == 1 and x["date"] == 1 for x in lines), lines
    table = page.locator("#inbox-table").bounding_box()
    excerpts = page.eval_on_selector_all(
        "#inbox-table .app-excerpt",
        """cells => cells.map(c => {
          const style = getComputedStyle(c);
          const text = c.getBoundingClientRect().height - parseFloat(style.paddingTop)
            - parseFloat(style.paddingBottom) - parseFloat(style.borderBottomWidth);
          return {width: c.getBoundingClientRect().width,
                  lines: Math.round(text / parseFloat(style.lineHeight))};
        })""",
    )
    assert all(e["width"] > 0.8 * table["width"] for e in excerpts)
    assert max(e["lines"] for e in excerpts) <= 3, excerpts
    assert console == []


def test_agenda_reads_as_contents_and_headings_with_figures_folded(site: Site, width_page):
    page, console = width_page(1366)
    base = site.portal.url
    sign_in_as(page, base, "member")
    page.goto(f"{base}/meetings/{site.values['meeting_id']}")
    items = page.locator("#agenda-items > li")
    contents = page.locator("#agenda-contents a")
    assert contents.count() == items.count() >= 4
    for number in range(items.count()):
        href = contents.nth(number).get_attribute("href")
        assert href == "#" + items.nth(number).get_attribute("id")
    figures = page.locator("details.app-figures")
    assert figures.count() >= 1
    assert not page.locator("svg.app-chart").first.is_visible()
    figures.first.locator("summary").click()
    charts = figures.first.locator(".app-figure")
    assert charts.count() >= 2
    for number in range(charts.count()):
        figure = charts.nth(number)
        heading = figure.locator("h4").bounding_box()
        chart = figure.locator("svg").bounding_box()
        assert heading["y"] + heading["height"] <= chart["y"], "chart above its heading"
        # Every label ends before the bars start, and every value inside the chart.
        cut = figure.locator("svg").evaluate(
            """svg => [...svg.querySelectorAll('text')].filter(t => {
              const box = t.getBBox();
              const limit = t.classList.contains('app-chart__label') ? 270 : 560;
              return box.x < 0 || box.x + box.width > limit;
            }).map(t => t.textContent)"""
        )
        assert cut == []
    assert console == []

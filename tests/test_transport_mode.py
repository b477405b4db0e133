"""Transport mode or asset: asked in the public form, tagged by staff, filtered in the inbox,
counted in agendas and the Annual Review pack."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.meetings import figures
from portal.models import Commitment, Feedback, TransportMode, User
from portal.periods import Period, financial_year
from portal.public.service import NewFeedback, submit_feedback

from .conftest import csrf_for, hidden_fields, submit


def _item(reference: str) -> Feedback:
    return db.session.scalar(select(Feedback).where(Feedback.reference == reference))


def _last(app) -> Feedback:
    with app.app_context():
        return db.session.scalar(select(Feedback).order_by(Feedback.id.desc()))


def test_public_form_asks_what_it_is_about_with_every_mode(client):
    html = client.get("/feedback").get_data(as_text=True)
    assert "What is it about? (optional)" in html
    for mode in TransportMode:
        assert f'value="{mode.value}"' in html and mode.label in html
    for label in ("Bus", "Merseyrail and rail", "Mersey Ferries", "Mersey Tunnels"):
        assert label in html
    assert 'name="transport_mode" type="radio" value="bus" checked' not in html


def test_transport_mode_is_stored_when_given_and_optional(app, client):
    response = submit(
        client, "/commitments/foodbank-collection-points", transport_mode="mersey-ferries"
    )
    assert response.status_code == 303
    assert _last(app).transport_mode is TransportMode.FERRIES
    other = app.test_client()
    assert submit(other, "/feedback").status_code == 303
    assert _last(app).transport_mode is None


def test_unknown_transport_mode_gets_a_message_and_nothing_stored(app, client):
    with app.app_context():
        before = db.session.query(Feedback).count()
    response = submit(
        client, "/feedback", transport_mode="hovercraft", body="Keep this text please"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what your feedback is about from the list, or none" in html
    assert 'href="#transport_mode"' in html
    assert "Keep this text please" in html
    with app.app_context():
        assert db.session.query(Feedback).count() == before


def test_staff_record_form_takes_the_mode(app, staff_client):
    client = staff_client("member")
    page = client.get("/triage/new").get_data(as_text=True)
    assert "What is it about? (optional)" in page
    data = hidden_fields(page) | {
        "channel": "phone",
        "received_on": ["3", "11", "2026"],
        "body": "The tunnel toll machines were broken again.",
        "stakeholder_type": "resident",
        "transport_mode": "mersey-tunnels",
    }
    assert client.post("/triage/new", data=data).status_code == 303
    assert _last(app).transport_mode is TransportMode.TUNNELS


def _tag(client, reference: str, **data):
    token = csrf_for(client, f"/triage/{reference}")
    return client.post(f"/triage/{reference}/tags", data={"csrf_token": token, **data})


def test_staff_tag_change_and_clear_the_mode_audited(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = submit_feedback(
            NewFeedback(body="The ferry terminal café", stakeholder_type="passenger")
        ).feedback.reference
        db.session.commit()
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    assert "Transport mode or asset" in page
    assert _tag(client, reference, transport_mode="mersey-ferries").status_code == 303
    with app.app_context():
        item = _item(reference)
        assert item.transport_mode is TransportMode.FERRIES
        entry = [e for e in audit.history("feedback", item.id) if e.field == "transport_mode"]
        assert [(e.before, e.after) for e in entry] == [(None, "mersey-ferries")]
    assert _tag(client, reference, transport_mode="none").status_code == 303
    with app.app_context():
        assert _item(reference).transport_mode is None


def test_staff_tag_with_an_unknown_mode_is_refused(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        item = submit_feedback(
            NewFeedback(
                body="Bus shelter lighting",
                stakeholder_type="passenger",
                transport_mode=TransportMode.BUS,
            )
        ).feedback
        reference = item.reference
        db.session.commit()
    response = _tag(client, reference, transport_mode="zeppelin", role_ids="1")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose a transport mode or asset from the list" in page
    with app.app_context():
        item = _item(reference)
        assert item.transport_mode is TransportMode.BUS
        assert item.roles == []  # nothing half-saved


def test_inbox_filters_by_mode_and_by_none(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        bus = submit_feedback(
            NewFeedback(
                body="Bus one", stakeholder_type="passenger", transport_mode=TransportMode.BUS
            )
        ).feedback.reference
        ferry = submit_feedback(
            NewFeedback(
                body="Ferry one", stakeholder_type="passenger", transport_mode=TransportMode.FERRIES
            )
        ).feedback.reference
        neither = submit_feedback(
            NewFeedback(body="No mode", stakeholder_type="passenger")
        ).feedback.reference
        db.session.commit()
    html = client.get("/triage?transport_mode=bus").get_data(as_text=True)
    assert bus in html and ferry not in html and neither not in html
    assert '<option value="bus" selected>Bus</option>' in html
    html = client.get("/triage?transport_mode=none").get_data(as_text=True)
    assert neither in html and bus not in html and ferry not in html
    partial = client.get("/triage?transport_mode=mersey-ferries", headers={"HX-Request": "true"})
    assert ferry in partial.get_data(as_text=True) and bus not in partial.get_data(as_text=True)
    bad = client.get("/triage?transport_mode=<b>x</b>")
    assert bad.status_code == 422
    assert "Choose a transport mode from the list" in bad.get_data(as_text=True)


def test_agenda_figures_count_modes(app_ctx, make_user):
    foodbank = db.session.scalar(
        select(Commitment).where(Commitment.slug == "foodbank-collection-points")
    )
    when = datetime(2026, 8, 1, 12, tzinfo=UTC)
    for mode in (TransportMode.BUS, TransportMode.BUS, TransportMode.STATIONS, None):
        submit_feedback(
            NewFeedback(
                body="Agenda mode count",
                stakeholder_type="passenger",
                commitment_id=foodbank.id,
                transport_mode=mode,
                received_at=when,
            )
        )
    snapshot = figures.commitment_snapshots(Period(date(2026, 7, 1), date(2026, 9, 29)))
    counts = snapshot[foodbank.id]["by_transport_mode"]
    assert counts == {"bus": 2, "stations-travel-centres": 1, "not_set": 1}


def test_agenda_page_and_annual_pack_show_mode_counts(app, staff_client):
    client = staff_client("member")
    with app.app_context():
        foodbank = db.session.scalar(
            select(Commitment).where(Commitment.slug == "foodbank-collection-points")
        )
        for mode in (TransportMode.TUNNELS, TransportMode.TUNNELS, None):
            submit_feedback(
                NewFeedback(
                    body="Annual pack mode count",
                    stakeholder_type="resident",
                    commitment_id=foodbank.id,
                    transport_mode=mode,
                    received_at=datetime(2026, 8, 1, 12, tzinfo=UTC),
                )
            )
        user = db.session.scalar(select(User).where(User.email == "member@example.invalid"))
        from portal.meetings import service as meetings

        meeting = meetings.create_meeting(
            user, "October meeting", date(2026, 10, 8), date(2026, 7, 1), date(2026, 9, 30)
        )
        db.session.commit()
        meeting_id = meeting.id
        db.session.commit()
    agenda = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "New items by transport mode or asset" in agenda
    assert "Mersey Tunnels" in agenda
    assert financial_year(2026).start == date(2026, 4, 1)
    annual = client.get("/reports/annual/2026").get_data(as_text=True)
    assert "Feedback per transport mode or asset" in annual
    workbook = load_workbook(io.BytesIO(client.get("/reports/annual/2026.xlsx").data))
    rows = {r[0].value: r[1].value for r in workbook["Transport modes"].iter_rows(min_row=2)}
    assert rows["Mersey Tunnels"] == 2 and rows["Bus"] == 0 and rows["Not given"] == 1

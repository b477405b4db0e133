"""The admin area: a role change or a deactivation and its audit entry are one transaction; the
audit trail's filters use the one date-range parser; codeframe changes commit once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal import audit
from portal.admin import service
from portal.extensions import db
from portal.models import AuditEntry, Code, StaffRole, User

from .conftest import csrf_for, login


def _admin(app, make_user):
    make_user("admin")
    client = app.test_client()
    assert login(client, "admin@example.invalid").status_code == 303
    return client


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _entries(app, field: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.field == field)))


def test_a_role_change_and_its_audit_entry_are_saved_together(app, make_user):
    client = _admin(app, make_user)
    member_id = make_user("member")
    before = _user(app, member_id).session_generation or 0
    page = client.get("/admin/users").get_data(as_text=True)  # the UserForm, one per row
    row = page[page.index(f'id="role-{member_id}"') :]
    assert '<option value="member" selected>' in row[: row.index("</select>")]
    response = client.post(
        f"/admin/users/{member_id}",
        data={"csrf_token": csrf_for(client), "action": "role", "role": "champion"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    assert "member@example.invalid is now" in client.get("/admin/users").get_data(as_text=True)
    user = _user(app, member_id)
    assert user.role is StaffRole.CHAMPION
    assert user.session_generation == before + 1  # signed out everywhere
    (entry,) = _entries(app, "role")
    assert (entry.entity_id, entry.before, entry.after) == (member_id, "member", "champion")


def test_when_the_audit_entry_fails_the_role_is_not_changed(app, make_user, monkeypatch):
    client = _admin(app, make_user)
    member_id = make_user("member")

    def refuse(*args, **kwargs):
        raise service.AdminError("The audit trail could not be written")

    monkeypatch.setattr(audit, "record_change", refuse)
    response = client.post(
        f"/admin/users/{member_id}",
        data={"csrf_token": csrf_for(client), "action": "role", "role": "admin"},
    )
    assert response.status_code == 303
    assert "could not be written" in client.get("/admin/users").get_data(as_text=True)
    assert _user(app, member_id).role is StaffRole.MEMBER
    assert _entries(app, "role") == []


def test_deactivation_is_audited_and_never_of_oneself(app, make_user):
    client = _admin(app, make_user)
    member_id = make_user("member")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.role == StaffRole.ADMIN))
    token = csrf_for(client)
    client.post(f"/admin/users/{admin_id}", data={"csrf_token": token, "action": "deactivate"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    assert _user(app, admin_id).active and _entries(app, "active") == []
    client.post(f"/admin/users/{member_id}", data={"csrf_token": token, "action": "deactivate"})
    assert not _user(app, member_id).active
    (entry,) = _entries(app, "active")
    assert (entry.entity_id, entry.before, entry.after) == (member_id, "1", "0")


def test_an_unknown_role_changes_nothing(app, make_user):
    client = _admin(app, make_user)
    member_id = make_user("member")
    for role in ("", "superuser", "ADMIN"):
        response = client.post(
            f"/admin/users/{member_id}",
            data={"csrf_token": csrf_for(client), "action": "role", "role": role},
        )
        assert response.status_code == 303
        assert "Choose a role" in client.get("/admin/users").get_data(as_text=True)
    assert _user(app, member_id).role is StaffRole.MEMBER
    assert _entries(app, "role") == []
    assert (
        client.post("/admin/users/99999", data={"csrf_token": csrf_for(client)}).status_code == 404
    )


def test_only_admins_change_roles(app, make_user, staff_client):
    target = make_user("champion")
    member = staff_client("member")
    response = member.post(
        f"/admin/users/{target}",
        data={"csrf_token": csrf_for(member), "action": "role", "role": "admin"},
    )
    assert response.status_code == 403
    assert _user(app, target).role is StaffRole.CHAMPION
    anonymous = app.test_client()
    response = anonymous.post(f"/admin/users/{target}", data={"action": "deactivate"})
    assert response.status_code in (302, 303, 400)  # to sign-in, or refused without a token
    assert _user(app, target).active


def test_audit_trail_dates_use_the_shared_range_parser(app, make_user):
    client = _admin(app, make_user)
    member_id = make_user("member")
    client.post(
        f"/admin/users/{member_id}",
        data={"csrf_token": csrf_for(client), "action": "role", "role": "champion"},
    )
    # Boxes, and the YYYY-MM-DD of links made before them, both filter.
    wide = {"from-day": "1", "from-month": "1", "from-year": "2000", "to": "2199-12-31"}
    html = client.get("/admin/audit", query_string=wide).get_data(as_text=True)
    assert "champion" in html
    html = client.get("/admin/audit", query_string={"to": "2001-01-01"}).get_data(as_text=True)
    assert "champion" not in html and "No entries match." in html
    backwards = client.get("/admin/audit", query_string={"from": "2026-05-02", "to": "2026-05-01"})
    assert backwards.status_code == 422
    assert "The end date must be the same as or after the start date" in backwards.get_data(
        as_text=True
    )
    missing = client.get("/admin/audit", query_string={"from-day": "3", "from-year": "2026"})
    assert missing.status_code == 422
    assert "From must include a month" in missing.get_data(as_text=True)
    # The filters are GOV.UK selects and a text input from AuditFilterForm: the choices kept,
    # a person not in the list refused at the select.
    kept = client.get(
        "/admin/audit", query_string={"entity": "user", "actor": str(member_id), "field": "role"}
    ).get_data(as_text=True)
    entity = re.search(r'<select class="govuk-select[^"]*" id="entity".*?</select>', kept, re.S)
    assert re.findall(r'<option value="([^"]*)" selected>', entity.group(0)) == ["user"]
    actor = re.search(r'<select class="govuk-select[^"]*" id="actor".*?</select>', kept, re.S)
    assert re.findall(r'<option value="([^"]*)" selected>', actor.group(0)) == [str(member_id)]
    assert re.search(
        r'<input class="govuk-input" id="field" name="field" type="text" value="role"', kept
    )
    refused = client.get("/admin/audit", query_string={"actor": "x"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="actor-error"' in html and 'aria-describedby="actor-error"' in html
    assert "Choose a person from the list" in html and 'href="#actor"' in html


def test_audit_trail_pages_by_id(app, make_user):
    client = _admin(app, make_user)
    with app.app_context():
        admin = db.session.scalar(select(User))
        for n in range(service.AUDIT_PAGE_SIZE + 5):
            audit.record(admin, "code", n + 1, "create", "name", None, f"Code {n:03}")
        db.session.commit()
    first = client.get("/admin/audit?entity=code").get_data(as_text=True)
    assert "Code 104" in first and "Code 004" not in first and "Older entries" in first
    with app.app_context():
        filters = service.AuditFilters.from_args({"entity": "code"})
        page = service.audit_page(filters)
        assert len(page.entries) == service.AUDIT_PAGE_SIZE and page.next_before is not None
        filters.before = page.next_before
        rest = service.audit_page(filters)
        ours = [e.after for e in rest.entries if e.after.startswith("Code ")]  # not the framework's
        assert ours[-1] == "Code 000" and rest.next_before is None


def test_a_refused_code_change_is_rolled_back(app, staff_client):
    client = staff_client("member")
    token = csrf_for(client)
    client.post("/admin/codes", data={"csrf_token": token, "name": "Lifts"})
    client.post("/admin/codes", data={"csrf_token": token, "name": "Ramps"})
    with app.app_context():
        codes = db.session.scalar(select(func.count()).select_from(Code))  # the starter codes too
        lifts, ramps = (
            db.session.scalar(select(Code.id).where(Code.name == name))
            for name in ("Lifts", "Ramps")
        )
    # A clash is refused with its message and nothing of it is written.
    client.post(f"/admin/codes/{lifts}/rename", data={"csrf_token": token, "name": "ramps"})
    assert "A code called ramps already exists" in client.get("/admin/codes").get_data(as_text=True)
    response = client.post(
        "/admin/codes/merge", data={"csrf_token": token, "source_id": lifts, "target_id": lifts}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Code, lifts).name == "Lifts"
        assert not db.session.get(Code, lifts).retired
        assert db.session.scalar(select(func.count()).select_from(Code)) == codes
    client.post(
        "/admin/codes/merge", data={"csrf_token": token, "source_id": lifts, "target_id": ramps}
    )
    with app.app_context():
        assert db.session.get(Code, lifts).merged_into_id == ramps
        assert db.session.get(Code, lifts).retired
    assert client.post("/admin/codes/99999/retire", data={"csrf_token": token}).status_code == 404


def test_codeframe_rows_are_forms_rendered_with_govuk_macros(app, make_user):
    client = _admin(app, make_user)
    with app.app_context():
        kept = Code(name="Lifts & <escalators>")
        gone = Code(name="Old code", retired=True)
        db.session.add_all([kept, gone])
        db.session.commit()
        kept_id, gone_id = kept.id, gone.id
    page = client.get("/admin/codes").get_data(as_text=True)
    rename = page[page.index(f'for="rename-{kept_id}"') :]
    assert "New name for Lifts &amp; &lt;escalators&gt;" in rename[:200]
    assert (
        f'id="rename-{kept_id}" name="name" type="text" value="Lifts &amp; &lt;escalators&gt;" '
        'maxlength="120"'
    ) in rename
    retire = page[page.index(f'action="/admin/codes/{kept_id}/retire"') :]
    assert '<input name="retired" type="hidden" value="yes">' in retire[:400]
    back = page[page.index(f'action="/admin/codes/{gone_id}/retire"') :]
    assert '<input name="retired" type="hidden" value="no">' in back[:400]
    assert 'Bring back<span class="govuk-visually-hidden"> Old code</span>' in back
    # The row's forms still do what they did.
    token = csrf_for(client, "/admin/codes")
    client.post(f"/admin/codes/{gone_id}/retire", data={"csrf_token": token, "retired": "no"})
    client.post(f"/admin/codes/{kept_id}/rename", data={"csrf_token": token, "name": "Lifts"})
    with app.app_context():
        assert db.session.get(Code, gone_id).retired is False
        assert db.session.get(Code, kept_id).name == "Lifts"


def test_users_rows_buttons_carry_the_action(app, make_user):
    client = _admin(app, make_user)
    member_id = make_user("member")
    page = client.get("/admin/users").get_data(as_text=True)
    row = page[page.index(f'id="role-{member_id}"') :]
    buttons = re.findall(r"<button[^>]*>", row)
    assert any('value="role"' in b and 'name="action"' in b for b in buttons)
    assert any('value="deactivate"' in b and 'name="action"' in b for b in buttons)
    assert 'Deactivate<span class="govuk-visually-hidden"> member@example.invalid</span>' in row

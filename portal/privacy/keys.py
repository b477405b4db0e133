"""Encrypting personal data at rest and rotating the data key (`flask privacy rotate-key`).

Works on raw column values (not through the ORM's encrypting column type) so that it can
re-encrypt values written under an older key, and run inside a migration."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, bindparam, text

from .. import crypto
from ..extensions import db
from ..survey_definitions import email_question_ids


def _reseal(value: str | None) -> str | None:
    """Return a stored value encrypted under the current key (decrypting an older key's)."""
    if value is None or crypto.is_encrypted(value, under_current_key=True):
        return value
    return crypto.encrypt(crypto.decrypt(value))


def encrypt_contact_row(name: str | None, email: str) -> dict[str, str | None]:
    """Return the stored form of a contact row: encrypted under the current key, indexed."""
    return {
        "name": _reseal(name),
        "email": _reseal(email),
        "email_index": crypto.blind_index(crypto.decrypt(email)),
    }


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def encrypt_survey_answers(answers: Any, definition: Any) -> tuple[dict, str | None] | None:
    """Return (answers with every email answer encrypted under the current key, blind index of
    the first), or None when there is nothing to change."""
    answers = dict(_loads(answers) or {})
    changed = False
    index = None
    for qid in email_question_ids(definition):
        value = answers.get(qid)
        if not value:
            continue
        sealed = _reseal(str(value))
        if sealed != value:
            answers[qid] = sealed
            changed = True
        if index is None:
            index = crypto.blind_index(crypto.decrypt(str(value)))
    return (answers, index) if changed or index is not None else None


@dataclass
class RotationReport:
    contact_details: int = 0
    survey_responses: int = 0
    email_rows: int = 0  # commitment follows and outbox messages


# Other tables holding an address (and text about its owner): (table, address column, its blind
# index column, other encrypted columns).
EMAIL_TABLES = (
    ("commitment_follows", "email", "email_index", ()),
    ("outbox", "to_address", "to_index", ("text_body", "html_body")),
)


def _rotate_email_tables(connection, report: RotationReport) -> None:
    for table, address, index, others in EMAIL_TABLES:
        columns = ", ".join((address, index, *others))
        for row in connection.execute(text(f"SELECT id, {columns} FROM {table}")):  # noqa: S608
            current = row._mapping
            values = {address: _reseal(current[address])}
            values[index] = crypto.blind_index(crypto.decrypt(current[address]))
            values.update({column: _reseal(current[column]) for column in others})
            if all(values[k] == current[k] for k in values):
                continue
            assignments = ", ".join(f"{k} = :{k}" for k in values)
            connection.execute(
                text(f"UPDATE {table} SET {assignments} WHERE id = :id"),  # noqa: S608
                {**values, "id": row.id},
            )
            report.email_rows += 1


def rotate() -> RotationReport:
    """Re-encrypt every contact detail and survey email answer under the current (first) data
    key and recompute the blind indexes. Idempotent; the caller commits."""
    report = RotationReport()
    connection = db.session.connection()
    for row in connection.execute(text("SELECT id, name, email, email_index FROM contact_details")):
        values = encrypt_contact_row(row.name, row.email)
        if (values["name"], values["email"], values["email_index"]) != (
            row.name,
            row.email,
            row.email_index,
        ):
            connection.execute(
                text(
                    "UPDATE contact_details SET name = :name, email = :email, "
                    "email_index = :email_index WHERE id = :id"
                ),
                {**values, "id": row.id},
            )
            report.contact_details += 1
    responses = connection.execute(
        text(
            "SELECT r.id, r.answers, r.email_index, v.definition FROM survey_responses r "
            "JOIN survey_versions v ON v.id = r.version_id"
        )
    ).all()
    for response in responses:
        changed = encrypt_survey_answers(response.answers, response.definition)
        if changed is None:
            continue
        answers, index = changed
        if answers == _loads(response.answers) and index == response.email_index:
            continue
        connection.execute(
            text(
                "UPDATE survey_responses SET answers = :answers, email_index = :ix WHERE id = :id"
            ).bindparams(bindparam("answers", type_=JSON)),
            {"answers": answers, "ix": index, "id": response.id},
        )
        report.survey_responses += 1
    _rotate_email_tables(connection, report)
    return report

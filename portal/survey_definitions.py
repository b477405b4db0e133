"""What a survey definition holds, read without the survey engine: its pages (with the built-in
"About you" page when the audience is mixed), its questions in order, and which of them ask for
an email address. Shared by surveys, the outbox (acknowledgements) and privacy (encryption,
erasure), so none of those needs another's package for it."""

from __future__ import annotations

import json
from typing import Any

from .models import STAKEHOLDER_LABELS, StakeholderType

RESPONDENT = "respondent_type"  # the built-in "who are you" question when the audience is mixed


def pages(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the survey's pages, with an "About you" page first when the audience is mixed."""
    result = list(definition["pages"])
    audience = definition.get("audience", [])
    if len(audience) > 1:
        options = [{"value": a, "label": STAKEHOLDER_LABELS[StakeholderType(a)]} for a in audience]
        result.insert(
            0,
            {
                "title": "About you",
                "questions": [
                    {
                        "id": RESPONDENT,
                        "type": "single_choice",
                        "label": "Who are you answering as?",
                        "required": True,
                        "options": options,
                    }
                ],
            },
        )
    return result


def all_questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every question in order, the built-in one included."""
    return [q for page in pages(definition) for q in page["questions"]]


def email_question_ids(definition: Any) -> list[str]:
    """Return the ids of a survey version's email questions (the definition as a dict or as the
    JSON text a raw query returns)."""
    if isinstance(definition, str | bytes):
        definition = json.loads(definition)
    return [q["id"] for q in all_questions(definition) if q["type"] == "email"]

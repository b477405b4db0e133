"""How a survey behaves: its pages, which questions show, validating answers, summarising them.

Plain functions over the stored definition (a dict), so they are easy to test on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..inputs import TEXT_MAX
from ..models import StakeholderType
from ..survey_definitions import RESPONDENT, all_questions, pages  # noqa: F401  (moved there)
from .schema import CHOICE_TYPES, LIKERT, YES_NO

SHORT_MAX = 200
LONG_MAX = TEXT_MAX
LONG_MIN = 2

Answers = dict[str, Any]


def field_name(question_id: str) -> str:
    """Return the form field (and element id) of a question; prefixed so no id can clash."""
    return f"q-{question_id}"


def options(question: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (value, label) pairs for a closed question."""
    kind = question["type"]
    if kind in CHOICE_TYPES:
        return [(o["value"], o["label"]) for o in question["options"]]
    if kind == "yes_no":
        return list(YES_NO)
    if kind == "likert":
        return list(LIKERT)
    if kind == "rating":
        scale = question["scale"]
        low, high = scale.get("min", 1), scale["max"]
        labels = {low: scale["min_label"], high: scale["max_label"]}
        return [
            (str(n), f"{n} – {labels[n]}" if n in labels else str(n)) for n in range(low, high + 1)
        ]
    return []


def stakeholder_type(definition: dict[str, Any], answers: Answers) -> StakeholderType:
    """Return who answered: the one audience, or what they chose."""
    audience = definition.get("audience", [])
    if len(audience) == 1:
        return StakeholderType(audience[0])
    return StakeholderType(answers.get(RESPONDENT, audience[0] if audience else "other"))


def is_visible(question: dict[str, Any], answers: Answers) -> bool:
    """Say whether a question shows, given the answers so far."""
    condition = question.get("condition")
    if not condition:
        return True
    expected = condition.get("equals", condition.get("in"))
    expected_values = {str(v) for v in (expected if isinstance(expected, list) else [expected])}
    given = answers.get(condition["question"])
    if given is None:
        return False
    given_values = {str(v) for v in given} if isinstance(given, list) else {str(given)}
    return bool(given_values & expected_values)


def visible_questions(page: dict[str, Any], answers: Answers) -> list[dict[str, Any]]:
    """Return the questions of a page that show, given the answers so far."""
    return [q for q in page["questions"] if is_visible(q, answers)]


def applicable_pages(definition: dict[str, Any], answers: Answers) -> list[int]:
    """Return the indexes of the pages that have at least one question to show."""
    return [i for i, page in enumerate(pages(definition)) if visible_questions(page, answers)]


def prune(definition: dict[str, Any], answers: Answers) -> Answers:
    """Drop answers to questions that no longer show (an earlier answer changed)."""
    kept: Answers = {}
    for question in all_questions(definition):
        if question["id"] in answers and is_visible(question, kept):
            kept[question["id"]] = answers[question["id"]]
    return kept


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def read_page(page: dict[str, Any], form, answers: Answers) -> tuple[Answers, dict[str, str]]:
    """Read and check one page's posted answers; return (answers for the page, errors)."""
    values: Answers = {}
    errors: dict[str, str] = {}
    # Later questions on the page may depend on earlier ones on the same page.
    running = dict(answers)
    for question in page["questions"]:
        qid, kind = question["id"], question["type"]
        name = field_name(qid)
        if kind == "multiple_choice":
            raw: Any = [v for v in form.getlist(name) if v]
        else:
            raw = (form.get(name) or "").strip()
        running[qid] = raw
        if not is_visible(question, running):
            running.pop(qid, None)
            continue
        if _empty(raw):
            if question.get("required"):
                errors[qid] = question.get("required_message") or _required_message(
                    kind, question["label"]
                )
            continue
        value, error = _check_value(question, raw, _about(question["label"]))
        if error:
            errors[qid] = error
        else:
            values[qid] = value
            running[qid] = value
    return values, errors


def _about(label: str) -> str:
    """A question's label as it reads inside a message: ‘Which station’."""
    return f"‘{label.rstrip('?.')}’"


def _required_message(kind: str, label: str) -> str:
    about = _about(label)
    if kind in ("short_text", "long_text"):
        return f"Enter your answer to {about}"
    if kind == "multiple_choice":
        return f"Select at least one answer to {about}"
    if kind == "number":
        return f"Enter a number for {about}"
    if kind == "email":
        return "Enter your email address"
    return f"Select an answer to {about}"


def _check_value(question: dict[str, Any], raw: Any, about: str) -> tuple[Any, str | None]:
    """Check one answer; an error message names the question and says what to do."""
    kind = question["type"]
    if kind == "short_text":
        if len(raw) > SHORT_MAX:
            return None, f"Your answer to {about} must be {SHORT_MAX} characters or fewer"
        return raw, None
    if kind == "long_text":
        if len(raw) > LONG_MAX:
            return None, f"Your answer to {about} must be {LONG_MAX:,} characters or fewer"
        return raw, None
    if kind == "multiple_choice":
        allowed = {v for v, _ in options(question)}
        if any(v not in allowed for v in raw):
            return None, f"Choose answers to {about} from the list"
        return [v for v, _ in options(question) if v in set(raw)], None
    if kind in ("single_choice", "rating", "likert", "yes_no"):
        if raw not in {v for v, _ in options(question)}:
            return None, f"Choose an answer to {about} from the list"
        return raw, None
    if kind == "number":
        return _check_number(question, raw, about)
    if kind == "email":
        try:
            checked = validate_email(raw, check_deliverability=False)
        except EmailNotValidError:
            return None, "Enter an email address in the correct format, like name@example.com"
        return checked.normalized, None
    return None, f"Leave {about} blank: it cannot be answered here"


def _check_number(question: dict[str, Any], raw: str, about: str) -> tuple[Any, str | None]:
    low, high = question.get("min"), question.get("max")
    try:
        number = float(raw.replace(",", ""))
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None, f"Enter a number for {about}, like 12"
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return None, f"Enter a number between {low} and {high} for {about}"
        if low is not None:
            return None, f"Enter a number of {low} or more for {about}"
        return None, f"Enter a number of {high} or less for {about}"
    return (int(number) if number.is_integer() else number), None


def first_incomplete(definition: dict[str, Any], answers: Answers) -> int | None:
    """Return the index of the first page with a required question left unanswered."""
    for index in applicable_pages(definition, answers):
        for question in visible_questions(pages(definition)[index], answers):
            if question.get("required") and _empty(answers.get(question["id"])):
                return index
    return None


def display(question: dict[str, Any], value: Any) -> str:
    """Return an answer as a person reads it."""
    if _empty(value):
        return "Not answered"
    if question["type"] == "rating":
        scale = question["scale"]
        ends = {scale.get("min", 1): scale["min_label"], scale["max"]: scale["max_label"]}
        end = ends.get(int(value))
        return f"{value} out of {scale['max']}" + (f" ({end})" if end else "")
    labels = dict(options(question))
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(str(value), str(value))


@dataclass
class AnswerRow:
    page_index: int
    question: dict[str, Any]
    value: Any
    shown: str


def check_answers(definition: dict[str, Any], answers: Answers) -> list[AnswerRow]:
    """Return the rows of the check-your-answers page."""
    rows = []
    for index in applicable_pages(definition, answers):
        for question in visible_questions(pages(definition)[index], answers):
            value = answers.get(question["id"])
            rows.append(AnswerRow(index, question, value, display(question, value)))
    return rows

"""Read and check survey files, reporting each problem with file, question id or line."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..framework import DEFAULT_PATH as FRAMEWORK_PATH
from ..models import StakeholderType
from ..yamlfile import LINE, YamlFileError, read_yaml

SURVEYS_DIR = Path(__file__).resolve().parent.parent.parent / "surveys"

QUESTION_TYPES = {
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "rating",
    "likert",
    "yes_no",
    "number",
    "email",
}
CHOICE_TYPES = {"single_choice", "multiple_choice"}
CLOSED_TYPES = {"single_choice", "multiple_choice", "rating", "likert", "yes_no"}
LIKERT = [
    ("strongly_disagree", "Strongly disagree"),
    ("disagree", "Disagree"),
    ("neutral", "Neither agree nor disagree"),
    ("agree", "Agree"),
    ("strongly_agree", "Strongly agree"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]
REQUIRED_KEYS = (
    "slug",
    "title",
    "version",
    "commitments",
    "audience",
    "opens",
    "closes",
    "introduction",
    "privacy",
    "pages",
)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Problem:
    """One thing wrong with a survey file."""

    path: str
    message: str
    line: int | None = None
    question: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
        if self.question:
            where += f": question '{self.question}'"
        return f"{where}: {self.message}"


@dataclass
class CheckResult:
    path: Path
    definition: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.definition is not None


def strip_lines(value: Any) -> Any:
    """Return the parsed file without the line bookkeeping."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


def normalise_options(options: list[Any]) -> list[dict[str, str]]:
    """Turn options written as strings or {value, label} into {value, label} dicts."""
    result = []
    for option in options:
        if isinstance(option, dict):
            label = str(option.get("label", ""))
            value = str(option.get("value") or _slugify(label))
        else:
            label = str(option)
            value = _slugify(label)
        result.append({"value": value, "label": label})
    return result


def framework_slugs() -> set[str] | None:
    """Return the commitment slugs of the framework file (no database needed), or None when
    that file cannot be read (its own command reports why)."""
    try:
        data = read_yaml(FRAMEWORK_PATH)
    except YamlFileError:
        return None
    commitments = data.get("commitments") if isinstance(data, dict) else None
    if not isinstance(commitments, list):
        return None
    return {
        c["slug"] for c in commitments if isinstance(c, dict) and isinstance(c.get("slug"), str)
    }


def check_file(path: Path, commitments: set[str] | None = None) -> CheckResult:
    """Parse and check one survey file; collect every problem rather than stopping at one."""
    name = path.name
    try:
        raw = read_yaml(path, lines=True)
    except YamlFileError as error:
        return CheckResult(path, None, [Problem(name, error.message, error.line or 1)])
    if not isinstance(raw, dict):
        return CheckResult(path, None, [Problem(name, "a survey file must be a mapping", 1)])
    problems: list[Problem] = []
    checker = _Checker(name, problems, commitments if commitments is not None else None)
    checker.check(raw)
    definition = strip_lines(raw) if not problems else None
    if definition is not None:
        for page in definition["pages"]:
            for question in page["questions"]:
                if question["type"] in CHOICE_TYPES:
                    question["options"] = normalise_options(question["options"])
    return CheckResult(path, definition, problems)


class _Checker:
    def __init__(self, name: str, problems: list[Problem], commitments: set[str] | None):
        self.name = name
        self.problems = problems
        self.commitments = commitments

    def add(self, message: str, line: int | None = None, question: str | None = None) -> None:
        self.problems.append(Problem(self.name, message, line, question))

    def check(self, raw: dict[str, Any]) -> None:
        top = raw.get(LINE)
        for key in REQUIRED_KEYS:
            if raw.get(key) in (None, "", []):
                self.add(f"missing '{key}'", top)
        slug = raw.get("slug")
        if slug and (not isinstance(slug, str) or not SLUG.match(slug)):
            self.add(f"slug {slug!r} must be lower-case words joined by hyphens", top)
        if "version" in raw and (not isinstance(raw["version"], int) or raw["version"] < 1):
            self.add("version must be a whole number of 1 or more", top)
        self._dates(raw, top)
        self._audience(raw, top)
        self._commitments(raw, top)
        pages = raw.get("pages")
        if pages is not None and not isinstance(pages, list):
            self.add("'pages' must be a list of pages", top)
        elif pages:
            self._pages(pages)

    def _dates(self, raw: dict[str, Any], line: int | None) -> None:
        values = {}
        for key in ("opens", "closes"):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    self.add(f"'{key}' must be a date like 2026-04-01", line)
                    continue
            if not isinstance(value, date):
                self.add(f"'{key}' must be a date like 2026-04-01", line)
                continue
            values[key] = value
        if "opens" in values and "closes" in values and values["closes"] < values["opens"]:
            self.add(
                f"dates are reversed: closes {values['closes']} is before opens {values['opens']}",
                line,
            )

    def _audience(self, raw: dict[str, Any], line: int | None) -> None:
        audience = raw.get("audience")
        if audience is None:
            return
        if not isinstance(audience, list):
            self.add("'audience' must be a list of stakeholder types", line)
            return
        known = {s.value for s in StakeholderType}
        for value in audience:
            if not isinstance(value, str) or value not in known:
                self.add(f"unknown audience {value!r}; use one of {', '.join(sorted(known))}", line)

    def _commitments(self, raw: dict[str, Any], line: int | None) -> None:
        commitments = raw.get("commitments")
        if commitments is None:
            return
        if not isinstance(commitments, list):
            self.add("'commitments' must be a list of commitment slugs", line)
            return
        if self.commitments is not None:
            for slug in commitments:
                if not isinstance(slug, str) or slug not in self.commitments:
                    self.add(f"unknown commitment {slug!r} (not in data/framework.yaml)", line)

    def _pages(self, pages: list[Any]) -> None:
        seen: dict[str, tuple[int | None, dict[str, Any]]] = {}
        self.all_ids = {
            str(q.get("id"))
            for page in pages
            if isinstance(page, dict) and isinstance(page.get("questions"), list)
            for q in page["questions"]
            if isinstance(q, dict)
        }
        for number, page in enumerate(pages, start=1):
            if not isinstance(page, dict):
                self.add(f"page {number} must be a mapping with title and questions")
                continue
            line = page.get(LINE)
            if not page.get("title"):
                self.add(f"page {number} has no title", line)
            questions = page.get("questions")
            if not isinstance(questions, list) or not questions:
                self.add(f"page {number} has no questions", line)
                continue
            for question in questions:
                if not isinstance(question, dict):
                    self.add(f"page {number}: each question must be a mapping", line)
                    continue
                self._question(question, seen)

    def _question(self, question: dict[str, Any], seen: dict) -> None:
        line = question.get(LINE)
        qid = question.get("id")
        if not qid or not isinstance(qid, str) or not QUESTION_ID.match(qid):
            self.add(f"question id {qid!r} must be lower-case letters, digits and _", line)
            qid = None
        elif qid in seen:
            self.add(f"duplicate id (first used on line {seen[qid][0]})", line, qid)
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            self.add(
                f"unknown type {kind!r}; use one of {', '.join(sorted(QUESTION_TYPES))}", line, qid
            )
        if not question.get("label"):
            self.add("missing label", line, qid)
        if "required" in question and not isinstance(question["required"], bool):
            self.add("'required' must be true or false", line, qid)
        if kind in CHOICE_TYPES:
            options = question.get("options")
            if not isinstance(options, list) or len(options) < 2:
                self.add("missing options: a choice question needs at least two", line, qid)
            else:
                values = [o["value"] for o in normalise_options(options)]
                if len(set(values)) != len(values):
                    self.add("options repeat the same value", line, qid)
        if kind == "rating":
            self._rating(question, line, qid)
        if kind == "number":
            low, high = question.get("min"), question.get("max")
            for key, value in (("min", low), ("max", high)):
                if value is not None and not isinstance(value, int | float):
                    self.add(f"'{key}' must be a number", line, qid)
            if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                self.add(f"bounds are reversed: min {low} is more than max {high}", line, qid)
        self._condition(question, seen, line, qid)
        if kind == "email":
            condition = question.get("condition") or {}
            target_id = condition.get("question") if isinstance(condition, dict) else None
            target = seen.get(target_id) if isinstance(target_id, str) else None
            if target is None or target[1].get("type") != "yes_no":
                self.add(
                    "an email question must have a condition on an earlier yes/no question "
                    "asking for consent to be contacted",
                    line,
                    qid,
                )
        if qid and qid not in seen:
            seen[qid] = (line, question)

    def _rating(self, question: dict[str, Any], line: int | None, qid: str | None) -> None:
        scale = question.get("scale")
        if not isinstance(scale, dict):
            self.add("a rating needs a scale with min, max, min_label and max_label", line, qid)
            return
        low, high = scale.get("min", 1), scale.get("max")
        if not isinstance(low, int) or not isinstance(high, int) or not 1 < high - low + 1 <= 11:
            self.add("the scale needs whole-number min and max, 2 to 11 points", line, qid)
        for key in ("min_label", "max_label"):
            if not scale.get(key):
                self.add(f"the scale needs '{key}' (the labelled ends)", line, qid)

    def _condition(self, question: dict, seen: dict, line: int | None, qid: str | None) -> None:
        condition = question.get("condition")
        if condition is None:
            return
        if not isinstance(condition, dict) or not isinstance(condition.get("question"), str):
            self.add("a condition needs 'question' and 'equals' (or 'in')", line, qid)
            return
        target_id = condition["question"]
        if target_id not in seen:
            if target_id == qid:
                where = "itself"
            elif target_id in self.all_ids:
                where = f"a later question '{target_id}'"
            else:
                where = f"a missing question '{target_id}'"
            self.add(
                f"condition on {where}: conditions may only refer to earlier questions", line, qid
            )
            return
        expected = condition.get("equals", condition.get("in"))
        if expected is None:
            self.add("a condition needs 'equals' or 'in'", line, qid)
            return
        values = expected if isinstance(expected, list) else [expected]
        allowed = allowed_values(seen[target_id][1])
        if allowed is not None:
            for value in values:
                if str(value) not in allowed:
                    self.add(
                        f"condition value {value!r} is not an answer of '{target_id}'", line, qid
                    )


def allowed_values(question: dict[str, Any]) -> set[str] | None:
    """Return the values a closed question can take, or None for open ones."""
    kind = question.get("type")
    if kind in CHOICE_TYPES and isinstance(question.get("options"), list):
        return {o["value"] for o in normalise_options(question["options"])}
    if kind == "yes_no":
        return {"yes", "no"}
    if kind == "likert":
        return {value for value, _ in LIKERT}
    if kind == "rating" and isinstance(question.get("scale"), dict):
        scale = question["scale"]
        low, high = scale.get("min", 1), scale.get("max")
        if isinstance(low, int) and isinstance(high, int):
            return {str(n) for n in range(low, high + 1)}
    return None


def check_paths(paths: list[Path] | None = None) -> list[CheckResult]:
    """Check the given files, or every *.yaml / *.yml in surveys/; also catch duplicate slugs."""
    if not paths:
        paths = sorted([*SURVEYS_DIR.glob("*.yaml"), *SURVEYS_DIR.glob("*.yml")])
    commitments = framework_slugs()
    results = [check_file(path, commitments) for path in paths]
    slugs: dict[str, str] = {}
    for result in results:
        if result.definition is None:
            continue
        slug = result.definition["slug"]
        if slug in slugs:
            result.problems.append(
                Problem(result.path.name, f"slug {slug!r} is also used by {slugs[slug]}")
            )
        slugs[slug] = result.path.name
    return results


def content_hash(definition: dict[str, Any]) -> str:
    """Return a stable hash of a survey's content, to notice changed files."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()

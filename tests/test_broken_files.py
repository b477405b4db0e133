"""Every operator command that reads a file answers a broken one with `file:line: what is
wrong` and exit status 1: never a traceback, nothing half-loaded."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.framework import DEFAULT_PATH as FRAMEWORK
from portal.models import Commitment, Survey

VALID_SURVEY = Path(__file__).parent / "fixtures" / "surveys" / "valid" / "all-types.yaml"
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
)

# (name, how to break a valid file's text, what the message must say)
BREAKAGES = [
    ("malformed", lambda text: text + "\n  - : [unclosed\n", "expected"),
    ("not-a-mapping", lambda text: "- just\n- a list\n", "mapping"),
    ("impossible-date", lambda text: text + "\nextra_date: 2026-02-30\n", "not a real date"),
    ("month-13", lambda text: text + "\nextra_date: 2026-13-01\n", "not a real date"),
    ("binary", None, "not UTF-8"),
    ("nul-byte", lambda text: text + "\n\x00\n", "NUL"),
    ("python-tag", lambda text: text + "\nx: !!python/object/apply:os.system [ls]\n", "tag"),
    ("binary-tag", lambda text: text + "\nx: !!binary aGVsbG8=\n", "not allowed"),
    ("set-tag", lambda text: text + "\nx: !!set {a, b}\n", "not allowed"),
    ("custom-tag", lambda text: text + "\nx: !secret value\n", "tag"),
    ("deep-aliases", lambda text: LAUGHS, "aliases"),
    ("deep-nesting", lambda text: "x: " + "[" * 200 + "]" * 200 + "\n", "nested"),
    ("latin-1", None, "not UTF-8"),
    ("duplicate-key", lambda text: text + "\nzz: 1\nzz: 2\n", "duplicate key"),
]
BINARY = bytes(range(256)) * 4


def broken(tmp_path: Path, source: Path, name: str, breaker) -> Path:
    path = tmp_path / f"{name}.yaml"
    if name == "binary":
        path.write_bytes(BINARY)
    elif name == "latin-1":
        path.write_bytes(source.read_bytes() + "\n# café\n".encode("latin-1"))
    else:
        path.write_text(breaker(source.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def assert_reported(result, path: Path, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert re.search(rf"{re.escape(path.name)}:\d+: ", result.output), result.output
    assert expected.lower() in result.output.lower(), result.output


@pytest.mark.parametrize(("name", "breaker", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_surveys_check_reports_broken_files(app, tmp_path, name, breaker, expected):
    path = broken(tmp_path, VALID_SURVEY, name, breaker)
    result = app.test_cli_runner().invoke(args=["surveys", "check", str(path)])
    assert_reported(result, path, expected)


@pytest.mark.parametrize(("name", "breaker", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_surveys_sync_reports_broken_files_and_loads_nothing(
    app, tmp_path, name, breaker, expected
):
    path = broken(tmp_path, VALID_SURVEY, name, breaker)
    result = app.test_cli_runner().invoke(args=["surveys", "sync", str(path)])
    assert_reported(result, path, expected)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


@pytest.mark.parametrize(("name", "breaker", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_framework_load_reports_broken_files_and_changes_nothing(
    app, tmp_path, name, breaker, expected
):
    path = broken(tmp_path, FRAMEWORK, name, breaker)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Commitment))
    result = app.test_cli_runner().invoke(args=["framework", "load", "--path", str(path)])
    assert_reported(result, path, expected)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Commitment)) == before


WRONG_TYPES = [
    (
        "roles: a string",
        lambda t: re.sub(r"(?m)^roles:", "roles: just-text\nold_roles:", t, count=1),
    ),
    ("role not a mapping", lambda t: re.sub(r"(?m)^roles:.*\n", "roles:\n  - plain\n", t, count=1)),
    ("slug a list", lambda t: re.sub(r"(?m)^  - slug: .*$", "  - slug: [a, b]", t, count=1)),
    ("title a number", lambda t: re.sub(r"(?m)^    title: .*$", "    title: 42", t, count=1)),
    ("roles a mapping", lambda t: re.sub(r"(?m)^    roles: .*$", "    roles: {a: b}", t, count=1)),
    (
        "transport text",
        lambda t: re.sub(r"(?m)^    transport: true$", "    transport: maybe", t, count=1),
    ),
]


@pytest.mark.parametrize(("name", "breaker"), WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_framework_load_reports_wrong_types_with_a_line(app, tmp_path, name, breaker):
    text = FRAMEWORK.read_text(encoding="utf-8")
    changed = breaker(text)
    assert changed != text, "the breakage must apply to the shipped file"
    path = tmp_path / "framework.yaml"
    path.write_text(changed, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["framework", "load", "--path", str(path)])
    assert_reported(result, path, "")


SURVEY_WRONG_TYPES = [
    ("audience of mappings", "audience:", "audience:\n  - {a: b}\nold_audience:"),
    ("commitments of lists", "commitments:", "commitments:\n  - [a]\nold_commitments:"),
    ("pages a number", "pages:", "pages: 3\nold_pages:"),
    ("opens a list", "opens:", "opens: [1]\nold_opens:"),
]


@pytest.mark.parametrize(
    ("name", "key", "replacement"), SURVEY_WRONG_TYPES, ids=[w[0] for w in SURVEY_WRONG_TYPES]
)
def test_surveys_check_reports_wrong_types_with_a_line(app, tmp_path, name, key, replacement):
    path = tmp_path / "survey.yaml"
    shutil.copy(VALID_SURVEY, path)
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"(?m)^{key}", text)
    path.write_text(re.sub(rf"(?m)^{key}", replacement, text, count=1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "check", str(path)])
    assert_reported(result, path, "")

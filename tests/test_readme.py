"""The README's map of the code stays whole: "Layout" names every package and module of portal/
(and nothing that is gone), "Tests" names every test file under tests/ (and none that is gone),
and the structure sections a newcomer follows are there.

A package is a folder of portal/ with an __init__.py, a module a .py file directly in portal/;
Layout names each at the start of a line of its `portal/` block (`  triage/`, `  inputs.py`).
A test file is tests/**/test_*.py; Tests names each by its path in backquotes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def section(readme: str, heading: str) -> str:
    """The text of a `## heading` section, up to the next `## ` heading."""
    start = readme.index(f"\n## {heading}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def layout_names(readme: str) -> set[str]:
    """The names listed under `portal/` in the Layout section's code block."""
    layout = section(readme, "Layout")
    block = layout[layout.index("```\nportal/\n") : layout.index("```", layout.index("```") + 3)]
    return set(re.findall(r"^  (\S+)", block, re.MULTILINE))


def portal_names(portal: Path) -> set[str]:
    """Every package (`name/`) and module (`name.py`) directly in portal/."""
    names = set()
    for child in portal.iterdir():
        if child.is_dir() and (child / "__init__.py").exists():
            names.add(f"{child.name}/")
        elif child.suffix == ".py":
            names.add(child.name)
    return names


def present_test_files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in (root / "tests").rglob("test_*.py")}


def listed_test_files(readme: str) -> set[str]:
    return set(re.findall(r"`(tests/[\w/]*test_\w+\.py)`", section(readme, "Tests")))


def problems(readme: str, root: Path) -> list[str]:
    """What the README's Layout and Tests sections get wrong about the tree at `root`."""
    found = []
    listed, present = layout_names(readme), portal_names(root / "portal")
    found += [f"Layout does not list portal/{name}" for name in sorted(present - listed)]
    found += [f"Layout lists portal/{name}, which is gone" for name in sorted(listed - present)]
    listed, present = listed_test_files(readme), present_test_files(root)
    found += [f"Tests does not list {name}" for name in sorted(present - listed)]
    found += [f"Tests lists {name}, which is gone" for name in sorted(listed - present)]
    return found


def test_layout_and_tests_list_every_package_module_and_test_file():
    assert problems((ROOT / "README.md").read_text(encoding="utf-8"), ROOT) == []


def test_the_structure_sections_are_there():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    checklist = section(readme, "Layout")[section(readme, "Layout").index("### Adding a feature") :]
    for step in ("Blueprint", "models.py", "migration", "permissions table", "Templates", "README"):
        assert step in checklist, step
    assert "later issue" not in readme.lower()


README = """# Product

## Layout

```
portal/
  __init__.py       the app
  inputs.py         parsing
  triage/           the inbox
  gone/             a package that was removed
templates/          not portal
```

## Tests

- `tests/test_triage.py`: the inbox.
- `tests/browser/test_gone.py`: removed.

## After
- `tests/test_later.py` is not in the Tests section.
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("portal/__init__.py", "portal/inputs.py", "portal/triage/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "tests/browser").mkdir(parents=True)
    (tmp_path / "tests/test_triage.py").write_text("")
    (tmp_path / "tests/helpers.py").write_text("")  # not a test file
    return tmp_path


def test_the_check_names_what_is_missing_and_what_is_gone(tree: Path):
    (tree / "portal/notes").mkdir()
    (tree / "portal/notes/__init__.py").write_text("")
    (tree / "portal/templates_only").mkdir()  # no __init__.py: not a package
    (tree / "portal/crypto.py").write_text("")
    (tree / "tests/browser/test_notes_journey.py").write_text("")
    (tree / "tests/test_later.py").write_text("")
    assert problems(README, tree) == [
        "Layout does not list portal/crypto.py",
        "Layout does not list portal/notes/",
        "Layout lists portal/gone/, which is gone",
        "Tests does not list tests/browser/test_notes_journey.py",
        "Tests does not list tests/test_later.py",
        "Tests lists tests/browser/test_gone.py, which is gone",
    ]


def test_the_check_passes_a_readme_that_matches(tree: Path):
    readme = README.replace("  gone/             a package that was removed\n", "").replace(
        "- `tests/browser/test_gone.py`: removed.\n", ""
    )
    assert problems(readme, tree) == []

"""The codeframe: create, rename, merge and retire codes (the admin area's codes page and the
item page's inline "new code"). Nothing here commits: the view commits once."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select

from .. import audit
from ..extensions import db
from ..models import (
    Code,
    User,
    feedback_codes,
)
from .workflow import TriageError


def active_codes() -> list[Code]:
    """Return the codes that can be used for tagging, parents first."""
    codes = list(db.session.scalars(select(Code).where(Code.retired.is_(False))))
    return sorted(codes, key=lambda c: (c.parent.name if c.parent else c.name, c.parent_id or 0))


CODE_NAME_MAX = 120  # the length of codes.name


def _code_name(name: str) -> str:
    """Return the name tidied, or raise TriageError saying what is wrong with it."""
    name = " ".join(name.split())
    if not name:
        raise TriageError("Enter a name for the code")
    if len(name) > CODE_NAME_MAX:
        raise TriageError(f"A code name must be {CODE_NAME_MAX} characters or fewer")
    return name


def create_code(actor: User, name: str, parent: Code | None = None) -> Code:
    """Add a code to the codeframe (optionally under a parent)."""
    name = _code_name(name)
    if db.session.scalar(select(Code).where(func.lower(Code.name) == name.lower())):
        raise TriageError(f"A code called {name} already exists")
    if parent is not None and parent.retired:
        raise TriageError("Choose a parent code that is in use")
    code = Code(name=name, parent=parent)
    db.session.add(code)
    db.session.flush()
    audit.record(actor, "code", code.id, "create", "name", None, name)
    return code


def rename_code(actor: User, code: Code, name: str) -> None:
    """Rename a code; tagged items follow automatically."""
    name = _code_name(name)
    clash = db.session.scalar(
        select(Code).where(func.lower(Code.name) == name.lower(), Code.id != code.id)
    )
    if clash is not None:
        raise TriageError(f"A code called {name} already exists")
    audit.record_change(actor, "code", code.id, "name", code.name, name)
    code.name = name


def merge_codes(actor: User, source: Code, target: Code) -> int:
    """Move every tag from `source` to `target`, retire `source`; return items moved."""
    if source.id == target.id:
        raise TriageError("Choose two different codes to merge")
    if target.retired:
        raise TriageError("Merge into a code that is in use")
    tagged = select(feedback_codes.c.feedback_id).where(feedback_codes.c.code_id == source.id)
    already = select(feedback_codes.c.feedback_id).where(feedback_codes.c.code_id == target.id)
    moved = db.session.scalar(select(func.count()).select_from(tagged.subquery())) or 0
    # Set-based, so a code on 100,000 items merges in one statement, not a Python loop.
    db.session.execute(
        insert(feedback_codes).from_select(
            ["feedback_id", "code_id"],
            select(feedback_codes.c.feedback_id, literal(target.id)).where(
                feedback_codes.c.code_id == source.id, feedback_codes.c.feedback_id.not_in(already)
            ),
        )
    )
    db.session.execute(delete(feedback_codes).where(feedback_codes.c.code_id == source.id))
    for child in db.session.scalars(select(Code).where(Code.parent_id == source.id)):
        child.parent_id = target.id
    source.retired = True
    source.merged_into_id = target.id
    audit.record(actor, "code", source.id, "merge", "merged_into", source.name, target.name)
    audit.record(actor, "code", target.id, "merge", "items", None, f"{moved} from {source.name}")
    # The statements above bypassed the items' code lists: write the rest, then reload them.
    db.session.flush()
    db.session.expire_all()
    return moved


def set_code_retired(actor: User, code: Code, retired: bool) -> None:
    """Retire a code (kept on past items, not offered for new tags) or bring it back."""
    if audit.record_change(actor, "code", code.id, "retired", code.retired, retired):
        code.retired = retired
        if not retired:
            code.merged_into_id = None

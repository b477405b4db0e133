"""Suggested tags: train and load the model, suggest, apply or dismiss, auto-tag, evaluate.

Services never commit: the view or command commits once, so a tag and its audit entry are
written together.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context
from sqlalchemy import Select, and_, bindparam, event, exists, func, inspect, or_, select
from sqlalchemy.orm import Session

from .. import audit
from ..core.unitofwork import RuleError
from ..database import INSERTED
from ..extensions import db
from ..models import (
    Code,
    Commitment,
    Feedback,
    FeedbackStatus,
    Role,
    Theme,
    User,
    feedback_codes,
    feedback_roles,
    feedback_themes,
)
from .models import SuggestionDecision, TaggingModel, TaggingSettings

if TYPE_CHECKING:  # scikit-learn, numpy and joblib load on first use: a web worker that never
    from . import engine  # draws a suggestion does not carry them (about 110 MB)

FAMILIES = ("commitments", "themes", "roles", "codes")
FAMILY_NAMES = {"commitments": "Commitment", "themes": "Theme", "roles": "Role", "codes": "Code"}
SHOWN = 3  # suggestions shown per family
# Items staff left without a commitment once they had dealt with them teach "no commitment".
SETTLED = (
    FeedbackStatus.REFERRED,
    FeedbackStatus.ACTIONED,
    FeedbackStatus.CLOSED,
    FeedbackStatus.SPAM,
)


class TaggingError(RuleError):
    """A suggestion could not be applied or a setting not saved."""


# ---------------------------------------------------------------------------------------------
# Labels and training data


def framework_labels() -> dict[str, list[engine.Label]]:
    """Return the labels the model may suggest, from the framework as it is now."""
    from . import engine

    commitments = db.session.scalars(
        select(Commitment).where(Commitment.active).order_by(Commitment.position)
    )
    return {
        "commitments": [
            engine.Label(
                c.slug,
                f"{c.title}. {c.text}",
                tuple(t.slug for t in c.themes) + tuple(r.slug for r in c.roles),
            )
            for c in commitments
        ],
        "themes": [
            engine.Label(t.slug, t.name)
            for t in db.session.scalars(select(Theme).where(Theme.active).order_by(Theme.position))
        ],
        "roles": [
            engine.Label(r.slug, f"{r.name}. {r.description}")
            for r in db.session.scalars(select(Role).where(Role.active).order_by(Role.position))
        ],
        "codes": [
            engine.Label(c.name, c.name)
            for c in db.session.scalars(
                select(Code).where(Code.retired.is_(False)).order_by(Code.name)
            )
        ],
    }


def _tag_map(table, column, label_column) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(table.c.feedback_id, label_column).join_from(
            table, label_column.table, column == label_column.table.c.id
        )
    )
    tags: dict[int, list[str]] = defaultdict(list)
    for feedback_id, label in rows:
        tags[feedback_id].append(label)
    return tags


def _auto_only() -> set[tuple[int, str]]:
    """Return (item, family) pairs whose tags came only from auto-tagging: never learned from."""
    rows = db.session.execute(
        select(SuggestionDecision.feedback_id, SuggestionDecision.family).where(
            SuggestionDecision.action == "auto"
        )
    )
    return {(i, f) for i, f in rows}


def training_examples() -> list[engine.Example]:
    """Return every item with what staff (or its own commitment page) said it is about."""
    from . import engine

    themes = _tag_map(feedback_themes, feedback_themes.c.theme_id, Theme.slug)
    roles = _tag_map(feedback_roles, feedback_roles.c.role_id, Role.slug)
    codes = _tag_map(feedback_codes, feedback_codes.c.code_id, Code.name)
    auto = _auto_only()
    rows = db.session.execute(
        select(Feedback.id, Feedback.body, Commitment.slug, Feedback.status)
        .outerjoin(Commitment, Commitment.id == Feedback.commitment_id)
        .where(Feedback.status != FeedbackStatus.DUPLICATE)
        .order_by(Feedback.id)
    )
    examples = []
    for item_id, body, slug, status in rows:
        if (item_id, "commitments") in auto:
            commitment = None
        elif slug:
            commitment = slug
        else:
            commitment = engine.NONE if status in SETTLED else None

        def tagged(family: str, tags: dict[int, list[str]], item_id: int = item_id):
            if (item_id, family) in auto or item_id not in tags:
                return None
            return tuple(tags[item_id])

        examples.append(
            engine.Example(
                text=body,
                commitment=commitment,
                themes=tagged("themes", themes),
                roles=tagged("roles", roles),
                codes=tagged("codes", codes),
            )
        )
    return examples


# ---------------------------------------------------------------------------------------------
# Training, storing and loading


def model_dir() -> Path:
    """Return instance/tagging/, where model files live (data, never committed)."""
    path = Path(current_app.instance_path) / "tagging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_model(labels: dict[str, list[engine.Label]] | None = None) -> engine.Model:
    """Return an untrained model over the framework's labels."""
    from . import engine

    labels = labels or framework_labels()
    return engine.Model(
        commitments=labels["commitments"],
        themes=labels["themes"],
        roles=labels["roles"],
        codes=labels["codes"],
    )


def train(now: datetime | None = None) -> TaggingModel:
    """Train a model from the database, store its file and record it as the newest version."""
    import joblib

    examples = training_examples()
    model = new_model().fit(examples)
    version = (db.session.scalar(select(func.max(TaggingModel.version))) or 0) + 1
    model.version = version
    model.trained_at = now or datetime.now(UTC)
    file_name = f"model-{version}.joblib"
    joblib.dump(model, model_dir() / file_name, compress=3)
    record = TaggingModel(
        version=version,
        file_name=file_name,
        trained_at=model.trained_at,
        training_size=model.training_size,
        possible=model.possible,
        likely=model.likely,
    )
    db.session.add(record)
    db.session.flush()
    _cache.clear()
    return record


def latest_record() -> TaggingModel | None:
    """Return the newest trained model's record, if any."""
    return db.session.scalar(select(TaggingModel).order_by(TaggingModel.version.desc()).limit(1))


@cache
def _newest_model_query() -> Select:
    return (
        select(TaggingModel.version, TaggingModel.file_name)
        .order_by(TaggingModel.version.desc())
        .limit(1)
    )


_cache: dict[str, engine.Model] = {}
_lock = threading.Lock()


def current_model() -> engine.Model:
    """Return the newest trained model, loaded once per process and again when it changes; with
    none trained yet, a day-one model that scores by similarity to the framework's own words."""
    import joblib

    # The newest version and its file only (one small statement a request; the record itself,
    # a mapped object, is read only when it is needed).
    newest = db.session.execute(_newest_model_query()).first()
    key = f"{current_app.instance_path}:{newest.version if newest else 0}"
    with _lock:
        model = _cache.get(key)
        if model is None:
            model = None
            if newest is not None:
                path = model_dir() / newest.file_name
                if path.exists():
                    model = joblib.load(path)
            if model is None:
                model = new_model().fit([])
                key = f"{current_app.instance_path}:0"
            _cache.clear()
            _cache[key] = model
    return model


# ---------------------------------------------------------------------------------------------
# Suggestions


@dataclass
class Suggestion:
    family: str
    key: str
    name: str
    score: float
    likely: bool

    @property
    def word(self) -> str:
        return "likely" if self.likely else "possible"


def score_texts(texts: list[str]) -> list[engine.Scores]:
    """Score texts with the current model."""
    return current_model().score(texts)


def _names(families: tuple[str, ...] = FAMILIES) -> dict[str, dict[str, str]]:
    """Each family's labels by key (`families` only, when given): read once per request, since
    the inbox asks for a marker on every row."""
    names: dict[str, dict[str, str]] = (
        g.setdefault("tagging_names", {}) if has_request_context() else {}
    )
    for family in families:
        if family not in names:
            names[family] = dict(db.session.execute(_name_queries()[family]).all())
    return names


@cache
def _name_queries() -> dict[str, Select]:
    return {
        "commitments": select(Commitment.slug, Commitment.title),
        "themes": select(Theme.slug, Theme.name),
        "roles": select(Role.slug, Role.name),
        "codes": select(Code.name, Code.name.label("label")),
    }


_LABELS: dict[str, Callable[[Feedback], set[str]]] = {
    # An untagged item needs nothing loaded (the inbox scores its rows, which are not ORM items).
    "commitments": lambda item: (
        {item.commitment.slug} if item.commitment_id is not None and item.commitment else set()
    ),
    "themes": lambda item: {t.slug for t in item.themes},
    "roles": lambda item: {r.slug for r in item.roles},
    "codes": lambda item: {c.name for c in item.codes},
}


def current_labels(item: Feedback, families: tuple[str, ...] = FAMILIES) -> dict[str, set[str]]:
    """Return what an item is already tagged with, by family (`families` only, when given)."""
    return {family: _LABELS[family](item) for family in families}


def dismissed(item: Feedback) -> set[tuple[str, str]]:
    """Return the (family, label) suggestions members dismissed for this item."""
    found = db.session.execute(_dismissed_query(), {"ids": [item.id]})
    return {(family, label) for _, family, label in found}


def suggestions(
    item: Feedback,
    scores: engine.Scores | None = None,
    refused: set[tuple[str, str]] | None = None,
    *,
    model: engine.Model | None = None,
    families: tuple[str, ...] = FAMILIES,
) -> dict[str, list[Suggestion]]:
    """Return up to three suggestions per family worth showing for an item, best first (for
    `families` only, when given; `model`, when given, is the current one already looked up)."""
    model = model or current_model()
    scores = scores or model.score([item.body])[0]
    have = current_labels(item, families)
    refused = dismissed(item) if refused is None else refused
    names = _names(families)
    result: dict[str, list[Suggestion]] = {}
    for family in families:
        chosen = []
        for key, score in getattr(scores, family):
            if score < model.possible or len(chosen) >= SHOWN:
                break
            if key in have[family] or (family, key) in refused or key not in names[family]:
                continue
            chosen.append(Suggestion(family, key, names[family][key], score, score >= model.likely))
        result[family] = chosen
    return result


def top_commitment(item: Feedback) -> Suggestion | None:
    """Return the best commitment suggestion for an untagged item, or None."""
    if item.commitment_id is not None:
        return None
    found = suggestions(item)["commitments"]
    return found[0] if found else None


def top_commitments(items: list[Feedback]) -> dict[int, Suggestion | None]:
    """Return the best commitment suggestion for each untagged item (None for tagged items or
    nothing above "possible"), scoring them all in one call: the inbox's "Suggested" markers."""
    untagged = [i for i in items if i.commitment_id is None]
    result: dict[int, Suggestion | None] = {i.id: None for i in items}
    if not untagged:
        return result
    refused: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for feedback_id, family, label in db.session.execute(
        _dismissed_query(), {"ids": [i.id for i in untagged]}
    ):
        refused[feedback_id].add((family, label))
    # One model lookup for the page (each is a query), and only the family the marker shows.
    model = current_model()
    scored = _scores(model, [i.body for i in untagged])
    for item, scores in zip(untagged, scored, strict=True):
        found = suggestions(item, scores, refused[item.id], model=model, families=("commitments",))[
            "commitments"
        ]
        result[item.id] = found[0] if found else None
    return result


@cache
def _dismissed_query() -> Select:
    """The suggestions dismissed for the items `:ids` (built once: the inbox asks every page)."""
    return select(
        SuggestionDecision.feedback_id, SuggestionDecision.family, SuggestionDecision.label
    ).where(
        SuggestionDecision.feedback_id.in_(bindparam("ids", expanding=True)),
        SuggestionDecision.action == "dismissed",
    )


# The inbox scores the untagged items of every page it shows, and the same pages are shown
# again and again (scoring 14 texts was a third of a page's CPU). A text's scores depend only
# on the model and the text, so each model keeps the scores of the texts it last scored.
SCORES_KEPT = 4096


def _scores(model: engine.Model, texts: list[str]) -> list[engine.Scores]:
    """Return the model's scores for each text, scoring only the texts it has not kept."""
    kept: OrderedDict[bytes, engine.Scores] = model.__dict__.setdefault(
        "_kept_scores", OrderedDict()
    )
    keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
    with _lock:
        missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in kept]
    if missing:
        fresh = model.score([t for _, t in missing])
        with _lock:
            for (key, _), scores in zip(missing, fresh, strict=True):
                kept[key] = scores
            while len(kept) > SCORES_KEPT:
                kept.popitem(last=False)
    with _lock:
        return [kept[k] for k in keys]


def _score_of(item: Feedback, family: str, key: str) -> float:
    for label, score in getattr(current_model().score([item.body])[0], family):
        if label == key:
            return score
    raise TaggingError("That suggestion is no longer available: choose the tags yourself")


def _apply_label(item: Feedback, actor: User | None, family: str, key: str) -> str:
    """Add one label to an item, recording the change; return its name."""
    if family == "commitments":
        commitment = db.session.scalar(
            select(Commitment).where(Commitment.slug == key, Commitment.active)
        )
        if commitment is None:
            raise TaggingError("That commitment is no longer in the framework")
        before = item.commitment.slug if item.commitment else None
        audit.record_change(actor, "feedback", item.id, "commitment", before, commitment.slug)
        item.commitment = commitment
        return commitment.title
    model, column, attribute = {
        "themes": (Theme, Theme.slug, "themes"),
        "roles": (Role, Role.slug, "roles"),
        "codes": (Code, Code.name, "codes"),
    }[family]
    label = db.session.scalar(select(model).where(column == key))
    if label is None or getattr(label, "retired", False) or not getattr(label, "active", True):
        raise TaggingError(f"That {FAMILY_NAMES[family].lower()} can no longer be used")
    current = getattr(item, attribute)
    if label not in current:
        before = sorted(x.name for x in current)
        current.append(label)
        audit.record_change(actor, "feedback", item.id, family, before, before + [label.name])
    return label.name


def _check(family: str, key: str) -> None:
    if family not in FAMILIES or not key or len(key) > 120:
        raise TaggingError("Choose a suggestion to apply")


def apply(item: Feedback, actor: User, family: str, key: str) -> str:
    """Apply one suggestion to an item, recorded in the audit trail and as the model's feedback."""
    _check(family, key)
    if family == "commitments" and item.commitment and item.commitment.slug != key:
        raise TaggingError(
            f"This item is already about {item.commitment.title}: it keeps one commitment"
        )
    score = _score_of(item, family, key)
    name = _apply_label(item, actor, family, key)
    audit.record(actor, "feedback", item.id, "suggestion applied", None, None, f"{family}: {key}")
    db.session.add(
        SuggestionDecision(
            feedback_id=item.id,
            family=family,
            label=key,
            action="applied",
            score=score,
            model_version=current_model().version,
            actor_id=actor.id,
        )
    )
    return f"Applied the suggestion: {name}"


def dismiss(item: Feedback, actor: User, family: str, key: str) -> str:
    """Dismiss one suggestion for an item, so it is not suggested there again."""
    _check(family, key)
    score = _score_of(item, family, key)
    audit.record(actor, "feedback", item.id, "suggestion dismissed", None, None, f"{family}: {key}")
    db.session.add(
        SuggestionDecision(
            feedback_id=item.id,
            family=family,
            label=key,
            action="dismissed",
            score=score,
            model_version=current_model().version,
            actor_id=actor.id,
        )
    )
    return "Suggestion dismissed"


def auto_applied(item: Feedback) -> list[SuggestionDecision]:
    """Return the tags auto-tagging applied to this item."""
    return list(
        db.session.scalars(
            select(SuggestionDecision)
            .where(SuggestionDecision.feedback_id == item.id, SuggestionDecision.action == "auto")
            .order_by(SuggestionDecision.id)
        )
    )


# ---------------------------------------------------------------------------------------------
# Bulk apply


@dataclass
class BulkRow:
    item: Feedback
    suggestion: Suggestion | None


def bulk_preview(items: list[Feedback]) -> list[BulkRow]:
    """Return, for each selected item, the top commitment suggestion that would be applied."""
    if not items:
        raise TaggingError("Select at least one item")
    top = top_commitments(items)
    return [BulkRow(item, top[item.id]) for item in items]


def bulk_apply(items: list[Feedback], actor: User) -> int:
    """Apply the top commitment suggestion to every selected untagged item that has one."""
    changed = 0
    for row in bulk_preview(items):
        if row.suggestion is None:
            continue
        apply(row.item, actor, "commitments", row.suggestion.key)
        changed += 1
    return changed


# ---------------------------------------------------------------------------------------------
# Auto-tagging


def settings() -> TaggingSettings:
    """Return the auto-tagging settings (off, threshold 0.9, until an admin changes them)."""
    row = db.session.scalar(select(TaggingSettings).order_by(TaggingSettings.id).limit(1))
    if row is None:
        row = TaggingSettings(auto_enabled=False, threshold=0.9)
        db.session.add(row)
        db.session.flush()
    return row


def current_settings() -> TaggingSettings:
    """Return the settings to show: the saved row, or the defaults (off) when none is saved."""
    row = db.session.scalar(select(TaggingSettings).order_by(TaggingSettings.id).limit(1))
    return row or TaggingSettings(auto_enabled=False, threshold=0.9)


def update_settings(actor: User, enabled: bool, threshold: float) -> str:
    """Switch auto-tagging on or off and set its threshold, recorded in the audit trail."""
    if not 0 <= threshold <= 1:
        raise TaggingError("Enter a threshold between 0 and 1, like 0.9")
    row = settings()
    for name, before, after in (
        ("auto_enabled", row.auto_enabled, enabled),
        ("threshold", row.threshold, threshold),
    ):
        audit.record_change(actor, "tagging_settings", row.id, name, before, after)
    row.auto_enabled = enabled
    row.threshold = threshold
    row.updated_by_id = actor.id
    row.updated_at = datetime.now(UTC)
    return "Auto-tagging switched on" if enabled else "Auto-tagging is off"


def auto_tag(items: list[Feedback]) -> int:
    """Apply suggestions scoring above the admin's threshold to new items, when switched on;
    each tag is marked as auto-applied. Return how many tags were applied."""
    if not items:
        return 0
    switch = _auto_tag_switch()
    if switch is None or not switch[0]:
        return 0
    threshold = switch[1]
    model = current_model()
    applied = 0
    for item, scores in zip(items, model.score([i.body for i in items]), strict=True):
        have = current_labels(item)
        for family in FAMILIES:
            ranked = getattr(scores, family)
            if family == "commitments":
                ranked = ranked[:1] if not have["commitments"] else []
            for key, score in ranked:
                if score <= threshold:
                    break
                if key in have[family]:
                    continue
                try:
                    _apply_label(item, None, family, key)
                except TaggingError:
                    continue
                audit.record(
                    None, "feedback", item.id, "auto-tagged", None, None, f"{family}: {key}"
                )
                db.session.add(
                    SuggestionDecision(
                        feedback_id=item.id,
                        family=family,
                        label=key,
                        action="auto",
                        score=score,
                        model_version=model.version,
                    )
                )
                applied += 1
    return applied


# Read on every commit that adds feedback, so as plain SQL on the transaction's connection: the
# ORM's select, result and identity map cost more than the rest of the check (bench/README.md,
# "Where a submission's time goes"). Never kept between requests: a switch an admin turns is seen
# by the next item.
_SWITCH_SQL = "SELECT auto_enabled, threshold FROM tagging_settings ORDER BY id LIMIT 1"


def _auto_tag_switch() -> tuple[bool, float] | None:
    """Return (switched on, threshold) from the saved settings, or None when none are saved."""
    row = db.session.connection().exec_driver_sql(_SWITCH_SQL).first()
    return None if row is None else (bool(row[0]), float(row[1]))


_PENDING = "tagging_new_feedback"


@event.listens_for(Session, "after_flush")
def _remember_new_feedback(session: Session, _context) -> None:
    new = [o for o in session.new if isinstance(o, Feedback)]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


@event.listens_for(Session, "before_commit")
def _auto_tag_new_feedback(session: Session) -> None:
    # New items (from any form, import or staff record) are auto-tagged in their own
    # transaction, so an item and its automatic tags are written together.
    pending = (
        session.info.pop(_PENDING, [])
        # Rows written by a Core INSERT (`public.service.submit_feedback`), not the flush.
        + [o for o in session.info.pop(INSERTED, []) if isinstance(o, Feedback)]
        + [o for o in session.new if isinstance(o, Feedback)]
    )
    if not pending or session is not db.session() or not _has_tables(session):
        return
    session.flush()
    session.info.pop(_PENDING, None)
    auto_tag(list({id(i): i for i in pending if i.id is not None}.values()))


_ready: set[str] = set()


def _has_tables(session: Session) -> bool:
    """Whether this database has the tagging tables (older revisions, in migration tests, lack
    them); a positive answer is remembered."""
    bind = session.get_bind()
    url = str(bind.engine.url)
    if url not in _ready:
        if not inspect(bind).has_table("tagging_settings"):
            return False
        _ready.add(url)
    return True


@event.listens_for(Session, "after_rollback")
def _forget_new_feedback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(INSERTED, None)


def decision_counts() -> dict[str, int]:
    """Return how many suggestions were applied by members, dismissed, and applied by the model."""
    counts = dict(
        db.session.execute(
            select(SuggestionDecision.action, func.count()).group_by(SuggestionDecision.action)
        ).all()
    )
    auto_items = db.session.scalar(
        select(func.count(func.distinct(SuggestionDecision.feedback_id))).where(
            SuggestionDecision.action == "auto"
        )
    )
    return {
        "applied": counts.get("applied", 0),
        "dismissed": counts.get("dismissed", 0),
        "auto": counts.get("auto", 0),
        "auto_items": auto_items or 0,
    }


@dataclass
class AutoTagCounts:
    """Tags auto-tagging applied to a period's items that are still on them, per family."""

    commitments: int = 0
    themes: int = 0
    roles: int = 0
    codes: int = 0
    items: int = 0  # items with at least one such tag

    @property
    def total(self) -> int:
        return self.commitments + self.themes + self.roles + self.codes

    def rows(self) -> list[tuple[str, int]]:
        """Return the counts as table rows, for the reports."""
        return [
            ("Commitment", self.commitments),
            ("Themes", self.themes),
            ("Roles", self.roles),
            ("Codes", self.codes),
            ("Items with a tag applied automatically", self.items),
        ]


def auto_tag_counts(start_at: datetime, end_before: datetime) -> AutoTagCounts:
    """Count the tags auto-tagging applied to items received from start_at until end_before
    (spam left out, as the reports leave it out) that are still on them: a tag staff removed
    or replaced is no longer counted."""
    decision = SuggestionDecision
    still_on = or_(
        and_(
            decision.family == "commitments",
            exists().where(
                Commitment.id == Feedback.commitment_id, Commitment.slug == decision.label
            ),
        ),
        *(
            and_(
                decision.family == family,
                exists().where(
                    table.c.feedback_id == decision.feedback_id,
                    table.c[column] == label.id,
                    key == decision.label,
                ),
            )
            for family, table, column, label, key in (
                ("themes", feedback_themes, "theme_id", Theme, Theme.slug),
                ("roles", feedback_roles, "role_id", Role, Role.slug),
                ("codes", feedback_codes, "code_id", Code, Code.name),
            )
        ),
    )
    counted = (
        select(decision.family, decision.feedback_id)
        .join(Feedback, Feedback.id == decision.feedback_id)
        .where(
            decision.action == "auto",
            Feedback.received_at >= start_at,
            Feedback.received_at < end_before,
            Feedback.status != FeedbackStatus.SPAM,
            still_on,
        )
        .subquery()
    )
    per_family = dict(
        db.session.execute(select(counted.c.family, func.count()).group_by(counted.c.family)).all()
    )
    items = db.session.scalar(select(func.count(func.distinct(counted.c.feedback_id))))
    return AutoTagCounts(
        commitments=per_family.get("commitments", 0),
        themes=per_family.get("themes", 0),
        roles=per_family.get("roles", 0),
        codes=per_family.get("codes", 0),
        items=items or 0,
    )


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate(folds: int = 5, seed: int = 0, limit: int | None = None) -> dict:
    """Cross-validate on the tagged items: each fold is scored by a model trained without it."""
    from . import engine

    examples = training_examples()
    labelled = [e for e in examples if e.commitment or e.themes or e.roles or e.codes]
    rng = random.Random(seed)
    rng.shuffle(labelled)
    if limit:
        labelled = labelled[:limit]
    if len(labelled) < folds * 2:
        raise TaggingError(f"Too few tagged items to evaluate ({len(labelled)})")
    labels = framework_labels()
    top1 = top3 = n = none_n = none_below = 0
    counts: dict[str, dict[str, list[int]]] = {
        f: defaultdict(lambda: [0, 0, 0]) for f in ("themes", "codes")
    }
    possible = engine.POSSIBLE
    for k in range(folds):
        test = labelled[k::folds]
        train_set = [e for i, e in enumerate(labelled) if i % folds != k]
        model = new_model(labels).fit(train_set)
        possible = model.possible
        for example, scores in zip(test, model.score([e.text for e in test]), strict=True):
            ranked = [key for key, _ in scores.commitments]
            if example.commitment == engine.NONE:
                none_n += 1
                none_below += scores.commitments[0][1] < model.possible
            elif example.commitment:
                n += 1
                top1 += ranked[0] == example.commitment
                top3 += example.commitment in ranked[:3]
            for family in ("themes", "codes"):
                truth = getattr(example, family)
                if truth is None:
                    continue
                predicted = {key for key, s in getattr(scores, family) if s >= model.possible}
                for label in getattr(model, family):
                    tally = counts[family][label.key]  # true pos, false pos, false neg
                    if label.key in predicted and label.key in truth:
                        tally[0] += 1
                    elif label.key in predicted:
                        tally[1] += 1
                    elif label.key in truth:
                        tally[2] += 1
    per_label = {}
    for family, tallies in counts.items():
        per_label[family] = {
            key: {
                "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                "recall": round(tp / (tp + fn), 3) if tp + fn else None,
                "support": tp + fn,
            }
            for key, (tp, fp, fn) in sorted(tallies.items())
        }
    return {
        "folds": folds,
        "items": len(labelled),
        "commitment_items": n,
        "top1": round(top1 / n, 3) if n else None,
        "top3": round(top3 / n, 3) if n else None,
        "no_commitment_items": none_n,
        "no_commitment_below_possible": round(none_below / none_n, 3) if none_n else None,
        "possible": possible,
        "themes": per_label["themes"],
        "codes": per_label["codes"],
    }


def evaluate_file(lines: list[dict]) -> dict:
    """Score a held-out set ({"text", "commitment"} per line) with the current model."""
    model = current_model()
    scored = model.score([line["text"] for line in lines])
    top1 = top3 = n = none_n = none_below = 0
    for line, scores in zip(lines, scored, strict=True):
        ranked = [key for key, _ in scores.commitments]
        if line.get("commitment"):
            n += 1
            top1 += ranked[0] == line["commitment"]
            top3 += line["commitment"] in ranked[:3]
        else:
            none_n += 1
            none_below += scores.commitments[0][1] < model.possible
    return {
        "items": len(lines),
        "top1": round(top1 / n, 3) if n else None,
        "top3": round(top3 / n, 3) if n else None,
        "no_commitment_below_possible": round(none_below / none_n, 3) if none_n else None,
    }


def store_evaluation(figures: dict) -> TaggingModel | None:
    """Keep the figures with the newest model, for /admin/tagging."""
    record = latest_record()
    if record is not None:
        record.metrics = figures
        record.evaluated_at = datetime.now(UTC)
    return record

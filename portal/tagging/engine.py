"""The suggestion model: plain scikit-learn, no database and no Flask, so it can be trained,
evaluated and benchmarked on its own.

One model per label family. Commitments: a linear classifier over word and character n-grams,
trained on labelled feedback plus each commitment's own title and text (so a commitment with few
or no tagged items is still suggested by similarity to its own words), with a "no commitment"
class learned from general feedback. Themes and roles: a classifier per label with enough tagged
items, otherwise the label's share of the commitment scores (a commitment carries its themes and
roles). Codes: a classifier per code with enough tagged items, otherwise similarity to its name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

NONE = "__none__"
FAMILIES = ("themes", "roles", "codes")
# Below this many positive examples a theme, role or code is scored from the framework instead.
MIN_POSITIVES = 15
# Below this many labelled items in all, commitments are scored by similarity alone (day one).
MIN_LABELLED = 30
# How many times a commitment's own title and text count as a training example.
FRAMEWORK_WEIGHT = 5
# Share of the commitment score taken from similarity to the commitment's own words.
SIMILARITY_SHARE = 0.5
# Scores below POSSIBLE are not shown; from LIKELY up a suggestion is called "likely".
POSSIBLE = 0.15
LIKELY = 0.4
CLF_C = 20.0


@dataclass
class Label:
    """A label the model can suggest: a commitment slug, a theme/role slug or a code name."""

    key: str
    text: str  # the words it is known by: title and text, or name
    parents: tuple[str, ...] = ()  # for a commitment: its theme and role slugs


@dataclass
class Example:
    text: str
    commitment: str | None = None  # a slug, NONE, or None when unknown
    themes: tuple[str, ...] | None = None  # None: not tagged (unknown), () tagged with none
    roles: tuple[str, ...] | None = None
    codes: tuple[str, ...] | None = None


@dataclass
class Scores:
    commitments: list[tuple[str, float]]
    themes: list[tuple[str, float]]
    roles: list[tuple[str, float]]
    codes: list[tuple[str, float]]


_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Lower-case and fold white space; the vectorisers do the rest."""
    return _SPACE.sub(" ", (text or "").lower()).strip()


def _vectoriser() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=200_000
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=300_000,
                ),
            ),
        ]
    )


@dataclass
class Model:
    commitments: list[Label]
    themes: list[Label]
    roles: list[Label]
    codes: list[Label]
    version: int = 0
    trained_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    training_size: int = 0
    possible: float = POSSIBLE
    likely: float = LIKELY
    vectoriser: FeatureUnion | None = None
    classifier: object | None = None  # commitments, with NONE among its classes
    label_vectors: sparse.csr_matrix | None = None  # commitments' own words
    code_vectors: sparse.csr_matrix | None = None
    family_classifiers: dict[str, dict[str, object]] = field(default_factory=dict)

    # -- training -----------------------------------------------------------------------------

    def fit(self, examples: Sequence[Example]) -> Model:
        """Train every family from the examples and the labels' own words."""
        slugs = [c.key for c in self.commitments]
        known = set(slugs) | {NONE}
        labelled = [e for e in examples if e.commitment in known]
        self.training_size = len(
            [e for e in examples if e.commitment in known or e.themes or e.roles or e.codes]
        )
        framework_docs = [clean(f"{c.text}") for c in self.commitments]
        corpus = [clean(e.text) for e in examples] + framework_docs
        self.vectoriser = _vectoriser().fit(corpus)
        self.label_vectors = self._vec(framework_docs)
        self.code_vectors = self._vec([clean(c.text) for c in self.codes]) if self.codes else None

        self.classifier = None
        if len({e.commitment for e in labelled} - {NONE}) >= 2 and len(labelled) >= MIN_LABELLED:
            texts = [clean(e.text) for e in labelled] + framework_docs * FRAMEWORK_WEIGHT
            y = [e.commitment for e in labelled] + slugs * FRAMEWORK_WEIGHT
            self.classifier = _classifier(len(texts)).fit(self._vec(texts), y)

        self.family_classifiers = {}
        for family in FAMILIES:
            tagged = [e for e in examples if getattr(e, family)]
            models: dict[str, object] = {}
            if tagged:
                X = None
                for label in getattr(self, family):
                    y = np.array([label.key in getattr(e, family) for e in tagged])
                    if y.sum() < MIN_POSITIVES or (~y).sum() < MIN_POSITIVES:
                        continue
                    if X is None:
                        X = self._vec([clean(e.text) for e in tagged])
                    models[label.key] = _binary_classifier(len(tagged)).fit(X, y)
            self.family_classifiers[family] = models
        return self

    def _vec(self, texts: Sequence[str]) -> sparse.csr_matrix:
        assert self.vectoriser is not None
        return normalize(self.vectoriser.transform(texts))

    # -- scoring -------------------------------------------------------------------------------

    def score(self, texts: Sequence[str]) -> list[Scores]:
        """Score every label of every family for each text, each list best first."""
        if not texts:
            return []
        X = self._vec([clean(t) for t in texts])
        commitment = self._commitment_scores(X)
        results = []
        family_scores = {
            "themes": self._family_scores("themes", X, commitment),
            "roles": self._family_scores("roles", X, commitment),
            "codes": self._family_scores("codes", X, commitment),
        }
        for i in range(len(texts)):
            results.append(
                Scores(
                    commitments=_ranked([c.key for c in self.commitments], commitment[i]),
                    themes=_ranked([t.key for t in self.themes], family_scores["themes"][i]),
                    roles=_ranked([r.key for r in self.roles], family_scores["roles"][i]),
                    codes=_ranked([c.key for c in self.codes], family_scores["codes"][i]),
                )
            )
        return results

    def _commitment_scores(self, X: sparse.csr_matrix) -> np.ndarray:
        similarity = np.asarray((X @ self.label_vectors.T).todense())
        # Cosine similarity of short texts rarely passes 0.5; stretch it onto 0-1.
        similarity = np.clip(similarity * 2.0, 0.0, 1.0)
        if self.classifier is None:
            return similarity
        proba = self.classifier.predict_proba(X)
        classes = list(self.classifier.classes_)
        ordered = np.zeros((X.shape[0], len(self.commitments)))
        for j, c in enumerate(self.commitments):
            if c.key in classes:
                ordered[:, j] = proba[:, classes.index(c.key)]
        none = proba[:, classes.index(NONE)] if NONE in classes else 0.0
        blended = (1 - SIMILARITY_SHARE) * ordered + SIMILARITY_SHARE * similarity * (
            1 - np.asarray(none).reshape(-1, 1)
        )
        return np.clip(blended, 0.0, 1.0)

    def _family_scores(
        self, family: str, X: sparse.csr_matrix, commitment: np.ndarray
    ) -> np.ndarray:
        labels: list[Label] = getattr(self, family)
        scores = np.zeros((X.shape[0], len(labels)))
        models = self.family_classifiers.get(family, {})
        for j, label in enumerate(labels):
            if label.key in models:
                scores[:, j] = models[label.key].predict_proba(X)[:, 1]
            elif family == "codes":
                if self.code_vectors is not None:
                    sim = np.asarray((X @ self.code_vectors[j].T).todense()).ravel()
                    scores[:, j] = np.clip(sim * 2.0, 0.0, 1.0)
            else:
                # The label's share of the commitments that carry it.
                carriers = [i for i, c in enumerate(self.commitments) if label.key in c.parents]
                if carriers:
                    scores[:, j] = np.clip(commitment[:, carriers].sum(axis=1), 0.0, 1.0)
        return scores


def _classifier(n: int):
    if n > 20_000:
        # Stochastic gradient descent keeps nightly training on 100,000 items within a minute.
        return SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=15, tol=None, random_state=0)
    return LogisticRegression(C=CLF_C, max_iter=300)


def _binary_classifier(n: int):
    if n > 20_000:
        return SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=15, tol=None, random_state=0)
    return LogisticRegression(C=10.0, max_iter=300, class_weight="balanced")


def _ranked(keys: list[str], row: np.ndarray) -> list[tuple[str, float]]:
    order = np.argsort(-row, kind="stable")
    return [(keys[i], round(float(row[i]), 4)) for i in order]

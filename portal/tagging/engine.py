"""The suggestion model: plain scikit-learn, no database and no Flask, so it can be trained,
evaluated and benchmarked on its own.

Features: word 1–2-grams and character 3–5-grams within words, hashed (no vocabulary to fit),
weighted by TF-IDF learned from the training texts. Character n-grams are worked out once per
distinct word, not once per text, so featurising 100,000 texts costs about as much as featurising
their vocabulary.

One model per label family, each a linear model kept as one weight matrix, so scoring a page of
texts is one sparse matrix product per family. Commitments: a linear classifier trained on
labelled feedback plus each commitment's own title and text (so a commitment with few or no
tagged items is still suggested by similarity to its own words), with a "no commitment" class
learned from general feedback, blended with similarity to the commitment's own words. Themes and
roles: a classifier per label with enough tagged items, otherwise the label's share of the
commitment scores (a commitment carries its themes and roles). Codes: a classifier per code with
enough tagged items, otherwise similarity to its name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import MultinomialNB
from sklearn.preprocessing import normalize

from .general import GENERAL_TEXTS

NONE = "__none__"
FAMILIES = ("themes", "roles", "codes")
# How many times each text of the "no commitment" reference (general.py) counts.
GENERAL_WEIGHT = 2
# Below this many positive examples a theme, role or code is scored from the framework instead.
MIN_POSITIVES = 15
# Below this many labelled items in all, commitments are scored by similarity alone (day one).
MIN_LABELLED = 30
# How many times a commitment's own title and text count as a training example.
FRAMEWORK_WEIGHT = 20
# Share of the commitment score taken from similarity to the commitment's own words.
SIMILARITY_SHARE = 0.4
# Share of the commitment score taken from naive Bayes over the same features: it ranks texts
# that use few of the training texts' words better than the logistic regression alone.
NAIVE_BAYES_SHARE = 0.3
NAIVE_BAYES_ALPHA = 0.1
# A text about no commitment shares few words with any commitment's own title and text: scores
# are scaled down when the best (stretched) similarity is below this, and by naive Bayes's
# probability of "no commitment", so such texts stay below POSSIBLE.
RELEVANT_SIMILARITY = 0.1
# Scores below POSSIBLE are not shown; from LIKELY up a suggestion is called "likely".
POSSIBLE = 0.15
LIKELY = 0.4
CLF_C = 20.0
# Above this many training texts, stochastic gradient descent instead of L-BFGS.
LARGE = 20_000
# Passes over the data for stochastic gradient descent: at that size a few are enough.
SGD_EPOCHS = 5
HASH_BITS = 20
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)


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


class Features:
    """Hashed word 1–2-grams and character 3–5-grams (within words), TF-IDF weighted.

    Fitting learns only which features to keep and their inverse document frequencies: a feature
    no training text had (or, for character n-grams, fewer than two) is dropped, as a fitted
    vocabulary would drop it, and the kept ones are numbered compactly. Each block (words,
    characters) is L2-normalised, then the two together."""

    def __init__(self, bits: int = HASH_BITS) -> None:
        self.size = 2**bits
        self.words = HashingVectorizer(
            ngram_range=WORD_NGRAMS,
            n_features=self.size,
            alternate_sign=False,
            norm=None,
            lowercase=False,
            dtype=np.float32,
        )
        self.chars = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            n_features=self.size,
            alternate_sign=False,
            norm=None,
            lowercase=False,
            dtype=np.float32,
        )
        self.idf: np.ndarray | None = None  # of the kept features, words then characters
        self.word_column: np.ndarray | None = None  # hashed word feature -> kept column, or -1
        self.char_column: np.ndarray | None = None  # hashed character feature -> kept column

    @property
    def width(self) -> int:
        return 0 if self.idf is None else len(self.idf)

    @staticmethod
    def _uses(texts: Sequence[str]) -> tuple[sparse.csr_matrix, list[str]]:
        """Return how often each text uses each distinct word, and the words."""
        vocabulary: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices.extend(vocabulary.setdefault(t, len(vocabulary)) for t in text.split())
            indptr.append(len(indices))
        uses = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(texts), len(vocabulary)),
        )
        return uses, list(vocabulary)

    def _chars(self, texts: Sequence[str], column: np.ndarray | None) -> sparse.csr_matrix:
        # char_wb n-grams never cross a word boundary, so a text's character counts are the sum
        # of its words' counts: hash each distinct word once.
        uses, vocabulary = self._uses(texts)
        width = self.size if column is None else self.width
        if not vocabulary:
            return sparse.csr_matrix((len(texts), width), dtype=np.float32)
        per_word = self.chars.transform(vocabulary)
        if column is not None:
            per_word = _renumber(per_word, column, width)
        return (uses @ per_word).tocsr()

    def fit(self, texts: Sequence[str]) -> Features:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Learn the kept features and their weights from the texts; return the texts' rows."""
        n = len(texts)
        words = self.words.transform(texts)
        chars = self._chars(texts, None)
        word_df = np.bincount(words.indices, minlength=self.size)
        char_df = np.bincount(chars.indices, minlength=self.size)
        word_kept = np.flatnonzero(word_df >= 1)
        char_kept = np.flatnonzero(char_df >= 2)
        self.word_column = np.full(self.size, -1, dtype=np.int32)
        self.word_column[word_kept] = np.arange(len(word_kept), dtype=np.int32)
        self.char_column = np.full(self.size, -1, dtype=np.int32)
        self.char_column[char_kept] = np.arange(len(char_kept), dtype=np.int32) + len(word_kept)
        df = np.concatenate([word_df[word_kept], char_df[char_kept]])
        self.idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        self.words_kept = len(word_kept)
        counts = _renumber(words, self.word_column, self.width) + _renumber(
            chars, self.char_column, self.width
        )
        return self._weigh(counts.tocsr())

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        assert self.idf is not None
        words = _renumber(self.words.transform(texts), self.word_column, self.width)
        return self._weigh((words + self._chars(texts, self.char_column)).tocsr())

    def _weigh(self, X: sparse.csr_matrix) -> sparse.csr_matrix:
        """Return counts as sublinear TF-IDF, each block and then each row of unit length."""
        n = X.shape[0]
        X.data = (np.log(X.data) + 1) * self.idf[X.indices]
        # Each block (words, characters) counts the same, then the whole row is unit length.
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        block = (X.indices >= self.words_kept).astype(np.int64)
        squares = np.bincount(rows * 2 + block, weights=X.data**2, minlength=2 * n)
        norms = np.sqrt(squares).reshape(-1, 2)
        norms[norms == 0] = 1
        X.data = (X.data / norms[rows, block]).astype(np.float32)
        return normalize(X)


def _renumber(M: sparse.csr_matrix, column: np.ndarray, width: int) -> sparse.csr_matrix:
    """Return M with its hashed columns renumbered to kept columns, the others dropped."""
    M.sum_duplicates()
    new = column[M.indices]
    kept = new >= 0
    indptr = np.concatenate([[0], np.cumsum(kept)])[M.indptr]
    return sparse.csr_matrix((M.data[kept], new[kept], indptr), shape=(M.shape[0], width))


@dataclass
class Linear:
    """A trained linear model as one weight matrix: scores = link(X @ weights + bias)."""

    keys: list[str]
    weights: sparse.csr_matrix  # features x labels
    bias: np.ndarray
    link: str  # "softmax" (one of the labels) or "sigmoid" (each label on its own)

    def scores(self, X: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray((X @ self.weights).todense()) + self.bias
        if self.link == "softmax":
            z = np.exp(z - z.max(axis=1, keepdims=True))
            return z / z.sum(axis=1, keepdims=True)
        return 1 / (1 + np.exp(-z))

    @classmethod
    def of(cls, keys: list[str], coef: np.ndarray, bias: np.ndarray, link: str) -> Linear:
        return cls(keys, sparse.csr_matrix(np.asarray(coef, dtype=np.float32).T), bias, link)


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
    features: Features | None = None
    classifier: Linear | None = None  # commitments, with NONE among its keys
    naive_bayes: Linear | None = None  # commitments again, with NONE: multinomial naive Bayes
    label_vectors: sparse.csr_matrix | None = None  # commitments' own words, features x labels
    code_vectors: sparse.csr_matrix | None = None  # codes' names, features x codes
    family_classifiers: dict[str, Linear] = field(default_factory=dict)

    # -- training -----------------------------------------------------------------------------

    def fit(self, examples: Sequence[Example]) -> Model:
        """Train every family from the examples and the labels' own words."""
        slugs = [c.key for c in self.commitments]
        known = set(slugs) | {NONE}
        labelled = [e for e in examples if e.commitment in known]
        self.training_size = len(
            [e for e in examples if e.commitment in known or e.themes or e.roles or e.codes]
        )
        framework_docs = [clean(c.text) for c in self.commitments]
        texts = [clean(e.text) for e in examples]
        general_docs = [clean(t) for t in GENERAL_TEXTS]
        self.features = Features()
        X_both = self.features.fit_transform(texts + framework_docs + general_docs)
        n, m = len(texts), len(texts) + len(framework_docs)
        X_all, framework, general = X_both[:n], X_both[n:m], X_both[m:]
        self.label_vectors = framework.T.tocsr()
        self.code_vectors = (
            self.features.transform([clean(c.text) for c in self.codes]).T.tocsr()
            if self.codes
            else None
        )

        self.classifier = self.naive_bayes = None
        if len({e.commitment for e in labelled} - {NONE}) >= 2 and len(labelled) >= MIN_LABELLED:
            rows = [i for i, e in enumerate(examples) if e.commitment in known]
            X = sparse.vstack(
                [X_all[rows]] + [framework] * FRAMEWORK_WEIGHT + [general] * GENERAL_WEIGHT,
                format="csr",
            )
            y = (
                [e.commitment for e in labelled]
                + slugs * FRAMEWORK_WEIGHT
                + [NONE] * (len(general_docs) * GENERAL_WEIGHT)
            )
            clf = _classifier(X.shape[0]).fit(X, y)
            self.classifier = _linear(clf)
            nb = MultinomialNB(alpha=NAIVE_BAYES_ALPHA).fit(X, y)
            self.naive_bayes = Linear.of(
                [str(k) for k in nb.classes_], nb.feature_log_prob_, nb.class_log_prior_, "softmax"
            )

        self.family_classifiers = {}
        for family in FAMILIES:
            rows = [i for i, e in enumerate(examples) if getattr(e, family)]
            keys, coefs, biases = [], [], []
            X = None
            for label in getattr(self, family):
                y = np.array([label.key in getattr(examples[i], family) for i in rows])
                if y.sum() < MIN_POSITIVES or (~y).sum() < MIN_POSITIVES:
                    continue
                if X is None:
                    X = X_all[rows]
                clf = _binary_classifier(len(rows)).fit(X, y)
                keys.append(label.key)
                coefs.append(clf.coef_[0])
                biases.append(clf.intercept_[0])
            if keys:
                self.family_classifiers[family] = Linear.of(
                    keys, np.vstack(coefs), np.array(biases), "sigmoid"
                )
        return self

    # -- scoring -------------------------------------------------------------------------------

    def score(self, texts: Sequence[str]) -> list[Scores]:
        """Score every label of every family for each text, each list best first."""
        if not texts:
            return []
        assert self.features is not None
        X = self.features.transform([clean(t) for t in texts])
        commitment = self._commitment_scores(X)
        family_scores = {f: self._family_scores(f, X, commitment) for f in FAMILIES}
        keys = {f: [x.key for x in getattr(self, f)] for f in ("commitments", *FAMILIES)}
        return [
            Scores(
                commitments=_ranked(keys["commitments"], commitment[i]),
                themes=_ranked(keys["themes"], family_scores["themes"][i]),
                roles=_ranked(keys["roles"], family_scores["roles"][i]),
                codes=_ranked(keys["codes"], family_scores["codes"][i]),
            )
            for i in range(len(texts))
        ]

    def _commitment_scores(self, X: sparse.csr_matrix) -> np.ndarray:
        similarity = np.asarray((X @ self.label_vectors).todense())
        # Cosine similarity of short texts rarely passes 0.5; stretch it onto 0-1.
        similarity = np.clip(similarity * 2.0, 0.0, 1.0)
        if self.classifier is None:
            return similarity
        ordered, none = self._ordered(self.classifier, X)
        blended = (1 - SIMILARITY_SHARE) * ordered + SIMILARITY_SHARE * similarity * (
            1 - none.reshape(-1, 1)
        )
        naive_bayes = getattr(self, "naive_bayes", None)  # absent from older model files
        if naive_bayes is not None:
            nb_ordered, nb_none = self._ordered(naive_bayes, X)
            blended = (1 - NAIVE_BAYES_SHARE) * blended + NAIVE_BAYES_SHARE * nb_ordered
            # How much the text is about any commitment at all: sharing words with one of them,
            # and not looking like the items staff settled without one.
            relevance = np.clip(similarity.max(axis=1) / RELEVANT_SIMILARITY, 0.0, 1.0)
            blended = blended * (relevance * (1 - nb_none)).reshape(-1, 1)
        return np.clip(blended, 0.0, 1.0)

    def _ordered(self, classifier: Linear, X: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Return a classifier's probabilities in the commitments' order, and of NONE."""
        proba = classifier.scores(X)
        classes = classifier.keys
        ordered = np.zeros((X.shape[0], len(self.commitments)))
        for j, c in enumerate(self.commitments):
            if c.key in classes:
                ordered[:, j] = proba[:, classes.index(c.key)]
        none = proba[:, classes.index(NONE)] if NONE in classes else np.zeros(X.shape[0])
        return ordered, none

    def _family_scores(
        self, family: str, X: sparse.csr_matrix, commitment: np.ndarray
    ) -> np.ndarray:
        labels: list[Label] = getattr(self, family)
        scores = np.zeros((X.shape[0], len(labels)))
        learned = self.family_classifiers.get(family)
        proba = learned.scores(X) if learned is not None else None
        code_sim = None
        if family == "codes" and self.code_vectors is not None:
            code_sim = np.clip(np.asarray((X @ self.code_vectors).todense()) * 2.0, 0.0, 1.0)
        for j, label in enumerate(labels):
            if learned is not None and label.key in learned.keys:
                scores[:, j] = proba[:, learned.keys.index(label.key)]
            elif code_sim is not None:
                scores[:, j] = code_sim[:, j]
            elif family != "codes":
                # The label's share of the commitments that carry it.
                carriers = [i for i, c in enumerate(self.commitments) if label.key in c.parents]
                if carriers:
                    scores[:, j] = np.clip(commitment[:, carriers].sum(axis=1), 0.0, 1.0)
        return scores


def _classifier(n: int):
    if n > LARGE:
        # Stochastic gradient descent keeps nightly training on 100,000 items within a minute.
        return SGDClassifier(
            loss="log_loss", alpha=2e-6, max_iter=SGD_EPOCHS, tol=None, random_state=0
        )
    return LogisticRegression(C=CLF_C, max_iter=300)


def _binary_classifier(n: int):
    if n > LARGE:
        return SGDClassifier(
            loss="log_loss", alpha=2e-6, max_iter=SGD_EPOCHS, tol=None, random_state=0
        )
    return LogisticRegression(C=10.0, max_iter=300, class_weight="balanced")


def _linear(clf) -> Linear:
    """Return a fitted multi-class classifier as one weight matrix."""
    keys = [str(k) for k in clf.classes_]
    if isinstance(clf, LogisticRegression):
        return Linear.of(keys, clf.coef_, clf.intercept_, "softmax")
    # One-vs-rest logistic regression (SGD): each class's sigmoid, normalised to sum to one.
    return _Normalised.of(keys, clf.coef_, clf.intercept_, "sigmoid")


class _Normalised(Linear):
    def scores(self, X: sparse.csr_matrix) -> np.ndarray:
        p = super().scores(X)
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)


def _ranked(keys: list[str], row: np.ndarray) -> list[tuple[str, float]]:
    order = np.argsort(-row, kind="stable")
    return [(keys[i], round(float(row[i]), 4)) for i in order]

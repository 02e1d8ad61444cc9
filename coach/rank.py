"""Which built-in guide section answers a question: a learned linear score over a few
features of each section.

Each section is described by how close the question comes to it in several ways (its best
chunk by cosine and by BM25, its phrasings, its heading, its guide as a whole, and whether
it is written for the other side). One weight per feature, fitted by
`evals/train_ranker.py` on `evals/ranking/train-*.jsonl`: questions written from the
guides' headings, apart from the eval cases and from the phrasings. The fit is listwise (a
softmax over all sections per question), so only differences between sections count and
the score needs no calibration. docs/retrieval.md has the measurements.

The features are computed from the same candidate lists retrieval already has (the dense
and BM25 top-n), so training and serving see exactly the same numbers. One more feature
comes from a linear classifier of the question's vector over all sections
(`SectionClassifier`), trained on the same questions plus every section's phrasings and
heading: where nearest phrasings compare a question with a few points, it learns which
directions of the embedding tell neighbouring sections apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from coach.phrasings import PhrasingIndex

MODEL_FILE = Path(__file__).with_name("rank_model.json")
CLASSIFIER_FILE = Path(__file__).with_name("section_model.npz")
# The classifier feature is its log-probability, floored (a section it has never seen, or
# one it rules out, gets the floor) and divided by the scale, so its weight is on the
# order of the others'.
CLASSIFIER_FLOOR = -30.0
CLASSIFIER_SCALE = 10.0
FEATURES = (
    "dense",  # the section's best chunk, cosine (the weakest candidate's when not in the top n)
    "phrasing",  # best cosine to one of its phrasings
    "phrasing_2nd",  # second best: one lucky phrasing is weaker evidence than two
    "phrasing_mean",
    "bm25",  # the section's best chunk, BM25 over the best candidate's
    "other_side",  # 1 when written for the other side (mentor advice for a mentee)
    "heading",  # cosine to the heading itself
    "guide_phrasing",  # the best phrasing of any section of the same guide
    "guide_dense",  # the best chunk of any section of the same guide
    "classifier",  # log-probability under SectionClassifier (see CLASSIFIER_FLOOR)
)


@dataclass(frozen=True)
class RankModel:
    weights: np.ndarray  # one per FEATURES entry
    meta: dict[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RankModel:
        names = [str(n) for n in data["features"]]
        if names != list(FEATURES):
            raise ValueError(f"rank model features {names} are not {list(FEATURES)}: retrain")
        return cls(np.asarray(data["weights"], dtype=np.float64), dict(data.get("meta") or {}))

    def score(self, features: np.ndarray) -> np.ndarray:
        """One score per row of a (sections x FEATURES) matrix."""
        return features @ self.weights

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": [round(float(w), 5) for w in self.weights],
            "meta": self.meta,
        }

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", "utf-8")


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_FILE) -> RankModel | None:
    """The shipped weights, or None when there are none (retrieval then blends phrasings)."""
    if not path.is_file():
        return None
    return RankModel.from_json(json.loads(path.read_text("utf-8")))


@dataclass(frozen=True)
class SectionClassifier:
    """Multinomial logistic regression from a question's vector to its section."""

    keys: tuple[str, ...]
    weights: np.ndarray  # sections x dimensions
    bias: np.ndarray  # sections
    meta: dict[str, Any]

    def log_probs(self, vector: np.ndarray, keys: Sequence[str]) -> np.ndarray:
        """The log-probability of each of `keys` (CLASSIFIER_FLOOR for one it lacks)."""
        logits = self.weights @ np.asarray(vector, dtype=np.float64) + self.bias
        logits -= logits.max()
        logp = logits - np.log(np.exp(logits).sum())
        at = self._index
        out = np.array([logp[at[k]] if k in at else CLASSIFIER_FLOOR for k in keys])
        return np.maximum(out, CLASSIFIER_FLOOR)

    @cached_property
    def _index(self) -> dict[str, int]:
        """Each key's row, worked out once (every question asks)."""
        return {k: i for i, k in enumerate(self.keys)}

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        labels: Sequence[str],
        c: float,
        meta: dict[str, Any] | None = None,
    ) -> SectionClassifier:
        from sklearn.linear_model import LogisticRegression

        keys = tuple(sorted(set(labels)))
        at = {k: i for i, k in enumerate(keys)}
        model = LogisticRegression(C=c, max_iter=500)
        model.fit(vectors, [at[label] for label in labels])
        return cls(keys, model.coef_.astype(np.float32), model.intercept_, dict(meta or {}))

    def save(self, path: Path = CLASSIFIER_FILE) -> None:
        np.savez_compressed(
            path,
            keys=np.array(self.keys),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float64),
            meta=np.array(json.dumps(self.meta)),
        )


@lru_cache(maxsize=2)
def load_classifier(path: Path = CLASSIFIER_FILE) -> SectionClassifier | None:
    """The shipped classifier, or None (its feature is then the same for every section,
    which the softmax-fitted ranker ignores)."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return SectionClassifier(
            tuple(str(k) for k in data["keys"]),
            data["weights"].astype(np.float64),
            data["bias"].astype(np.float64),
            json.loads(str(data["meta"])),
        )


def section_features(
    phrasings: PhrasingIndex,
    vector: np.ndarray,
    dense: Sequence[tuple[str, float]],
    bm25: Sequence[tuple[str, float]],
    section_of: Mapping[str, str],
    asker: str,
    classifier: SectionClassifier | None = None,
) -> tuple[list[str], np.ndarray]:
    """The section keys and a (sections x FEATURES) matrix for one question.

    `dense` and `bm25` are retrieval's candidate lists (chunk id, score); `section_of`
    maps a built-in guide chunk's id to its section key."""
    keys = phrasings.keys()
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    pmax, p2, pmean, heading = phrasings.profile(vector)
    floor = min((s for _, s in dense), default=0.0)
    dmax = np.full(n, floor)
    for cid, score in dense:
        i = index.get(section_of.get(cid, ""), -1)
        if i >= 0 and score > dmax[i]:
            dmax[i] = score
    bmax = np.zeros(n)
    top = max((s for _, s in bm25), default=0.0) or 1.0
    for cid, score in bm25:
        i = index.get(section_of.get(cid, ""), -1)
        if i >= 0:
            bmax[i] = max(bmax[i], score / top)
    guide = phrasings.guide_index()
    gp = np.full(guide.max() + 1 if n else 0, -1.0)
    gd = np.full(len(gp), -1.0)
    np.maximum.at(gp, guide, pmax)
    np.maximum.at(gd, guide, dmax)
    other = np.array(
        [float(p in ("mentor", "manager", "mentee") and p != asker) for p in phrasings.sides()]
    )
    logp = classifier.log_probs(vector, keys) if classifier is not None else None
    learned = (np.full(n, CLASSIFIER_FLOOR) if logp is None else logp) / CLASSIFIER_SCALE
    columns = [dmax, pmax, p2, pmean, bmax, other, heading, gp[guide], gd[guide], learned]
    return keys, np.stack(columns, 1)


def fit(matrices: Sequence[np.ndarray], wanted: Sequence[np.ndarray], l2: float) -> np.ndarray:
    """Weights that maximise the softmax probability of the wanted sections, per question
    (each a boolean row over the same sections as its matrix), with an L2 penalty."""
    from scipy.optimize import minimize

    X = np.stack(matrices)  # questions x sections x features
    Y = np.stack(wanted).astype(np.float64)
    Y /= Y.sum(1, keepdims=True)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = X @ w
        s -= s.max(1, keepdims=True)
        log_z = np.log(np.exp(s).sum(1, keepdims=True))
        p = np.exp(s - log_z)
        value = -float((Y * (s - log_z)).sum(1).mean()) + l2 * float(w @ w)
        grad = np.einsum("qs,qsf->f", p - Y, X) / len(X) + 2 * l2 * w
        return value, grad

    return np.asarray(minimize(loss, np.zeros(X.shape[2]), jac=True, method="L-BFGS-B").x)

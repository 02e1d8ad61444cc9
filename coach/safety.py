"""What kind of message this is: a sensitive situation, off-topic, small talk, or a career
question. One module decides, before anything is retrieved.

The decision is learned: a multinomial logistic regression on the shipped embedder's
vectors, trained on the labelled messages in `evals/safety/train.jsonl` by
`evals/train_safety.py`, which also calibrates the thresholds on held-out folds and writes
them, with the weights, to `coach/safety_model.json`. docs/safety.md has the labels, the
measurements behind the choice and the thresholds.

The classifier reads two views of a message: the sentence vector, and word features
(TF-IDF over words and word pairs) that see the whole text, so a serious problem in the
middle of a long ordinary story, past the embedder's 256-token window, still counts. A
short lexicon of unambiguous crisis words is a recall backstop, never the main signal.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = Path(__file__).with_name("safety_model.json")
ESCALATION_TOPIC = "getting-help"  # the corpus topic of guidance on where to get help
SENSITIVE = (
    "crisis",
    "sexual-harassment",
    "bullying",
    "discrimination",
    "retaliation",
    "legal-pay",
    "mentor-boundaries",
)
ORDINARY = ("career", "offtopic", "smalltalk")
LABELS = SENSITIVE + ORDINARY

# The backstop: phrases that mean a crisis in any context, in any story. Deliberately
# short; the classifier carries the indirect phrasings. Each is a whole-word match.
CRISIS_LEXICON = (
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "taking my own life",
    "self-harm",
    "self harm",
    "harming myself",
    "hurt myself",
    "hurting myself",
    "want to die",
    "wanna die",
    "better off dead",
    "better off without me",
    "overdose",
)
# Cues that the message is about another person the asker looks out for. Not "my
# colleague" or "my manager": those are as often the person causing the problem.
_SOMEONE_ELSE = re.compile(
    r"\b(my|a|our) (mentee|friend|direct report|report|intern|apprentice)s?\b|"
    r"\b(someone|somebody|one|a member) (on|of|in) my team\b|"
    r"\bhow (do|can|should|could) i (help|support) (him|her|them)\b|\bfor a friend\b",
    re.I,
)
# Below this share of the sensitive probability, the top category is a guess: the answer
# names every route instead (an untuned round number, not fitted to cases).
CATEGORY_SURE = 0.5
# A sentence alone this likely to be a crisis makes the message one. Out of fold on the
# training messages, this raised crisis recall from 0.923 to 0.946 and left career false
# alarms at 0.073; a cut of 0.6 reached 0.969 but with 0.104 false alarms.
CRISIS_SENTENCE = 0.9
# Sentence ends as people type them: no capital letter needed after the full stop.
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
SMALL_TALK_WORDS = 12  # a longer message has something to answer, whatever else it says
_LEXICON = re.compile(r"\b(" + "|".join(re.escape(w) for w in CRISIS_LEXICON) + r")\b", re.I)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's TfidfVectorizer default


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs on the classifier's probabilities, calibrated on held-out folds."""

    sensitive: float  # summed probability of the sensitive labels
    offtopic: float  # probability of `offtopic`: refuse outright at or above this
    smalltalk: float  # probability of `smalltalk` for a short message
    career: float = 1.0  # probability of `career` that keeps a weakly retrieved question
    # Summed sensitive probability above which a message is never refused for weak
    # retrieval: it may be sensitive, so it gets the answer that names every route.
    worry: float = 1.0


@dataclass(frozen=True)
class Assessment:
    """What the safety module decided about one message."""

    label: str  # the most probable label
    category: str | None  # the sensitive category, if the message is sensitive
    probabilities: dict[str, float] = field(default_factory=dict)
    sensitive_score: float = 0.0  # the summed probability of the sensitive labels
    category_share: float = 0.0  # the category's part of that probability
    someone_else: bool = False  # the message is about a mentee, a friend, a report
    backstop: bool = False  # the crisis lexicon matched
    small_talk: bool = False

    @property
    def sensitive(self) -> bool:
        return self.category is not None

    @property
    def offtopic(self) -> float:
        return self.probabilities.get("offtopic", 0.0)


def terms(text: str) -> list[str]:
    """Lower-cased words of two or more characters, and each pair of adjacent words."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class WordFeatures:
    """TF-IDF over words and word pairs (sublinear counts, l2-normalised), the same as
    scikit-learn's TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) once fitted;
    kept here so that deciding needs only numpy."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, scale: float) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        self.scale = scale  # weight of these features against the sentence vector

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for term in terms(text):
                j = self.vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for j, n in counts.items():
                out[row, j] = (1.0 + np.log(n)) * self.idf[j]
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out * self.scale


def training_hash(path: Path, extra: Sequence[str]) -> str:
    """What the model was trained on: the labelled file and the corpus questions."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update("\n".join(extra).encode("utf-8"))
    return digest.hexdigest()


class SafetyModel:
    """Softmax regression over LABELS on the sentence vector joined with word features.

    The sentence vector carries meaning when a message names nothing outright; the word
    features carry the specific words that separate a sensitive situation from an
    ordinary worry that sounds like one. Together they cut false alarms at 98%
    sensitive recall from 38% to 10% in cross-validation (docs/safety.md)."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        labels: Sequence[str],
        thresholds: Thresholds,
        words: WordFeatures,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.weights = np.asarray(weights, dtype=np.float32)  # (labels, dim + vocabulary)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.labels = tuple(labels)
        self.thresholds = thresholds
        self.words = words
        self.meta = dict(meta or {})
        self._sensitive = np.array([lb in SENSITIVE for lb in self.labels])

    # --- persistence ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        vocab = sorted(self.words.vocabulary, key=self.words.vocabulary.__getitem__)
        return {
            "labels": list(self.labels),
            "thresholds": self.thresholds.__dict__,
            "meta": self.meta,
            "word_scale": self.words.scale,
            "vocabulary": vocab,
            "idf": [round(float(x), 5) for x in self.words.idf],
            "bias": [round(float(x), 6) for x in self.bias],
            "weights": [[round(float(x), 5) for x in row] for row in self.weights],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SafetyModel:
        words = WordFeatures(
            {t: i for i, t in enumerate(data["vocabulary"])},
            np.array(data["idf"]),
            float(data["word_scale"]),
        )
        return cls(
            np.array(data["weights"]),
            np.array(data["bias"]),
            data["labels"],
            Thresholds(**data["thresholds"]),
            words,
            data.get("meta"),
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n", "utf-8")

    # --- deciding -----------------------------------------------------------------------
    def features(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        return np.hstack([np.asarray(vectors, dtype=np.float32), self.words.transform(texts)])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = features @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def decide(self, text: str, vector: np.ndarray) -> Assessment:
        probs = self.probabilities(self.features([text], vector[None, :]))[0]
        sensitive = float(probs[self._sensitive].sum())
        t = self.thresholds
        backstop = bool(_LEXICON.search(text))
        category: str | None = None
        sens_probs = probs[self._sensitive]
        share = float(sens_probs.max() / sens_probs.sum()) if sens_probs.sum() else 0.0
        if sensitive >= t.sensitive:
            sens_labels = [lb for lb in self.labels if lb in SENSITIVE]
            category = sens_labels[int(sens_probs.argmax())]
        elif backstop:
            category, share = "crisis", 1.0
        small = (
            category is None
            and float(probs[self.labels.index("smalltalk")]) >= t.smalltalk
            and len(text.split()) <= SMALL_TALK_WORDS
        )
        return Assessment(
            label=self.labels[int(probs.argmax())],
            category=category,
            probabilities={
                lb: round(float(p), 4) for lb, p in zip(self.labels, probs, strict=True)
            },
            sensitive_score=round(sensitive, 4),
            category_share=round(share, 4),
            someone_else=bool(_SOMEONE_ELSE.search(text)),
            backstop=backstop,
            small_talk=small,
        )

    @staticmethod
    def voice(assessment: Assessment) -> str:
        """How a sensitive answer should speak: to someone helping another person, to
        someone whose situation is unclear, or (the default) to the person it happens to."""
        if assessment.someone_else:
            return "someone_else"
        if assessment.category_share < CATEGORY_SURE and not assessment.backstop:
            return "uncertain"
        return ""


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> SafetyModel:
    return SafetyModel.from_json(json.loads(path.read_text("utf-8")))


class Safety:
    """The safety decision for a message, on the coach's own embedder."""

    def __init__(self, embedder: Any, model: SafetyModel | None = None) -> None:
        self.embedder = embedder
        self.model = model or load_model()

    def assess(self, text: str) -> Assessment:
        decision = self.model.decide(text, self.embedder.encode_cached([text])[0])
        if decision.category is None:
            # One sentence about a crisis in a longer message about work is diluted in the
            # whole; read alone, it is not (see CRISIS_SENTENCE).
            sentences = [s for s in _SENTENCES.split(text) if len(s.split()) >= 4]
            if len(sentences) >= 2:
                probs = self.model.probabilities(
                    self.model.features(sentences, self.embedder.encode_cached(sentences))
                )
                if float(probs[:, self.model.labels.index("crisis")].max()) >= CRISIS_SENTENCE:
                    decision = replace(decision, category="crisis", category_share=1.0)
        return decision

    def voice(self, assessment: Assessment) -> str:
        return self.model.voice(assessment)

    def worried(self, assessment: Assessment) -> str | None:
        """The likeliest sensitive category of a message below the alarm that might still be
        sensitive (at least `worry`), and that the classifier does not call off-topic."""
        t = self.model.thresholds
        if assessment.sensitive or assessment.sensitive_score < t.worry:
            return None
        if assessment.offtopic >= t.offtopic:
            return None
        sensitive = {lb: p for lb, p in assessment.probabilities.items() if lb in SENSITIVE}
        return max(sensitive, key=sensitive.__getitem__) if sensitive else None

    def refuses(self, assessment: Assessment, best_dense: float, refuse_below: float) -> bool:
        """Off-topic: the classifier is sure; or retrieval found nothing close and the
        classifier is not sure the question is a career one. A sensitive message is never
        refused."""
        if assessment.sensitive:
            return False
        t = self.model.thresholds
        if assessment.offtopic >= t.offtopic:
            return True
        career = assessment.probabilities.get("career", 0.0)
        return best_dense < refuse_below and career < t.career


# --- training (evals/train_safety.py) --------------------------------------------------------
def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, label) pairs from a JSON-lines file of {"text"|"question", "label"}."""
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        label = row["label"]
        if label not in LABELS:
            raise ValueError(f"{path.name}:{n}: unknown label {label!r}")
        out.append((str(row.get("text") or row["question"]), label))
    return out


def fit_words(texts: Sequence[str], scale: float, min_df: int = 2) -> WordFeatures:
    """The word features' vocabulary and idf, fitted by scikit-learn on `texts`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)
    tfidf.fit(texts)
    vocabulary = {t: int(i) for t, i in tfidf.vocabulary_.items()}
    return WordFeatures(vocabulary, tfidf.idf_, scale)


def fit(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: Sequence[str],
    c: float,
    scale: float,
    thresholds: Thresholds,
    weights: Sequence[float] | None = None,
) -> SafetyModel:
    """A multinomial logistic regression (scikit-learn, lbfgs) on both feature sets;
    `weights` count some examples for less than one."""
    from sklearn.linear_model import LogisticRegression

    missing = set(LABELS) - set(labels)
    if missing:
        raise ValueError(f"no training examples for {sorted(missing)}")
    words = fit_words(texts, scale)
    placeholder = SafetyModel(np.zeros((1, 1)), np.zeros(1), LABELS, thresholds, words)
    features = placeholder.features(texts, vectors)
    clf = LogisticRegression(C=c, max_iter=4000).fit(features, list(labels), sample_weight=weights)
    index = [list(clf.classes_).index(lb) for lb in LABELS]
    return SafetyModel(clf.coef_[index], clf.intercept_[index], LABELS, thresholds, words)

"""Train the safety classifier, choose it by cross-validation, calibrate its thresholds.

    .venv/bin/python evals/train_safety.py            # measure only
    .venv/bin/python evals/train_safety.py --write    # and write coach/safety_model.json

Reads the labelled messages in evals/safety/train.jsonl (never the eval cases), embeds
them with the coach's own embedder, and scores each candidate on out-of-fold predictions
made exactly as the coach makes them. The thresholds are then read off those out-of-fold scores:

Candidates: the weight of the word features against the sentence vector (0 is the
sentence vector alone) and the regularisation C; the one with the fewest career questions
escalated at the recall target wins.

- sensitive: the highest cut-off that still keeps out-of-fold sensitive recall at or above
  RECALL_TARGET (a miss costs far more than an extra paragraph on where to get help);
- offtopic: the lowest cut-off at which at most REFUSE_OUTRIGHT of in-scope messages
  would be refused outright, however close retrieval comes;
- smalltalk: the lowest cut-off at which at most SMALLTALK_FALSE of other messages pass;
- career: the lowest cut-off at which at most RESCUE_FALSE of off-topic messages pass: a
  question whose retrieval is weak is still answered when it is at least this likely to
  be a career question (otherwise weak retrieval refuses, as it always did).

The numbers it prints are the ones docs/safety.md records.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.safety import (  # noqa: E402
    LABELS,
    MODEL_FILE,
    SENSITIVE,
    Thresholds,
    fit,
    read_examples,
    training_hash,
)

TRAIN = ROOT / "evals" / "safety" / "train.jsonl"
CORPUS = ROOT / "corpus"
FOLDS = 5
SEED = 7
C_VALUES = (4.0, 16.0, 64.0)  # inverse regularisation strength
WORD_SCALES = (0.0, 1.0, 2.0, 3.0)  # weight of the word features (0: sentence vector alone)
RECALL_TARGET = 0.96
REFUSE_OUTRIGHT = 0.01
SMALLTALK_FALSE = 0.01
RESCUE_FALSE = 0.02
# worry: the cut that keeps this share of sensitive messages above it. Below the alarm and
# above this, a message is never refused for weak retrieval (coach/safety.py).
WORRY_TARGET = 0.98
_PLACEHOLDER = Thresholds(1.1, 1.1, 1.1)


def corpus_questions(corpus: Path = CORPUS) -> list[str]:
    """Every section heading of the guides and every question of the banks: ordinary
    career questions in the corpus's own words, added to the `career` examples."""
    out = []
    for path in sorted((corpus / "guides").glob("*.md")):
        out += [
            ln[3:].strip() for ln in path.read_text("utf-8").splitlines() if ln.startswith("## ")
        ]
    for path in sorted((corpus / "questions").glob("*.md")):
        for ln in path.read_text("utf-8").splitlines():
            m = re.match(r"^\s*[-*]\s+(.*\?)\s*$", ln)
            if m:
                out.append(m.group(1).strip())
    return out


def folds(labels: list[str], k: int) -> np.ndarray:
    """A stratified fold number for each example, fixed by SEED."""
    rng = np.random.default_rng(SEED)
    out = np.zeros(len(labels), dtype=int)
    for label in sorted(set(labels)):
        idx = np.array([i for i, lb in enumerate(labels) if lb == label])
        rng.shuffle(idx)
        out[idx] = np.arange(len(idx)) % k
    return out


def out_of_fold(texts, vectors, labels, extra, extra_vecs, c, scale, fold_of) -> np.ndarray:
    """Probabilities for every example from a model that never saw it (the corpus
    questions are always in training: they are never scored)."""
    probs = np.zeros((len(labels), len(LABELS)))
    for f in range(FOLDS):
        train = [i for i in range(len(labels)) if fold_of[i] != f]
        held = [i for i in range(len(labels)) if fold_of[i] == f]
        model = fit(
            [texts[i] for i in train] + extra,
            np.vstack([vectors[train], extra_vecs]),
            [labels[i] for i in train] + ["career"] * len(extra),
            c,
            scale,
            _PLACEHOLDER,
        )
        probs[held] = model.probabilities(model.features([texts[i] for i in held], vectors[held]))
    return probs


def lowest_cut(scores, allowed_share: float) -> float:
    """The lowest cut-off at which at most `allowed_share` of `scores` reach it."""
    ordered = sorted(scores, reverse=True)
    allowed = int(allowed_share * len(ordered))
    return round(float(ordered[allowed]) + 1e-4, 4) if allowed < len(ordered) else 0.0


def evaluate(probs: np.ndarray, labels: list[str]) -> dict:
    sens = np.array([lb in SENSITIVE for lb in LABELS])
    col = {lb: i for i, lb in enumerate(LABELS)}
    score = probs[:, sens].sum(axis=1)
    y = np.array(labels)
    is_sens = np.isin(y, SENSITIVE)
    ordered = np.sort(score[is_sens])
    t_sens = round(float(ordered[int((1 - RECALL_TARGET) * len(ordered))]) - 1e-4, 4)
    t = Thresholds(
        sensitive=t_sens,
        offtopic=max(0.5, lowest_cut(probs[y != "offtopic", col["offtopic"]], REFUSE_OUTRIGHT)),
        smalltalk=max(0.5, lowest_cut(probs[y != "smalltalk", col["smalltalk"]], SMALLTALK_FALSE)),
        career=lowest_cut(probs[y == "offtopic", col["career"]], RESCUE_FALSE),
        worry=round(float(ordered[int((1 - WORRY_TARGET) * len(ordered))]) - 1e-4, 4),
    )
    flagged = score >= t.sensitive
    sens_names = [lb for lb in LABELS if lb in SENSITIVE]
    category = np.array([sens_names[int(r.argmax())] for r in probs[:, sens]])
    report: dict = {
        "thresholds": t.__dict__,
        "sensitive_recall": round(float(flagged[is_sens].mean()), 4),
        "false_escalation_career": round(float(flagged[y == "career"].mean()), 4),
        "offtopic_refused_outright": round(
            float((probs[y == "offtopic", col["offtopic"]] >= t.offtopic).mean()), 4
        ),
        "smalltalk_recall": round(
            float((probs[y == "smalltalk", col["smalltalk"]] >= t.smalltalk).mean()), 4
        ),
        "per_category": {
            cat: {
                "recall": round(float(flagged[y == cat].mean()), 3),
                "own_category": round(float((flagged & (category == cat))[y == cat].mean()), 3),
            }
            for cat in SENSITIVE
        },
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write coach/safety_model.json")
    args = parser.parse_args()

    from coach.embed import Embedder
    from coach.settings import get_settings

    settings = get_settings()
    embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
    examples = read_examples(TRAIN)
    texts = [t for t, _ in examples]
    labels = [lb for _, lb in examples]
    extra = corpus_questions()
    print(f"{len(examples)} examples {dict(Counter(labels))} + {len(extra)} corpus questions")
    vectors = embedder.encode(texts)
    extra_vecs = embedder.encode(extra)
    fold_of = folds(labels, FOLDS)

    results = {}
    for scale in WORD_SCALES:
        for c in C_VALUES:
            probs = out_of_fold(texts, vectors, labels, extra, extra_vecs, c, scale, fold_of)
            r = results[(scale, c)] = evaluate(probs, labels)
            print(
                f"words x{scale:<3} C={c:<5} sensitive recall {r['sensitive_recall']:.3f}, "
                f"career escalated {r['false_escalation_career']:.3f}, off-topic refused outright "
                f"{r['offtopic_refused_outright']:.3f}, small talk {r['smalltalk_recall']:.3f}"
            )
    # Fewest false alarms at the recall target; ties go to the stronger regularisation.
    best = min(results, key=lambda k: (results[k]["false_escalation_career"], k[1], k[0]))
    print(f"chosen: words x{best[0]}, C={best[1]}\n{json.dumps(results[best], indent=2)}")
    if args.write:
        model = fit(
            texts + extra,
            np.vstack([vectors, extra_vecs]),
            labels + ["career"] * len(extra),
            best[1],
            best[0],
            Thresholds(**results[best]["thresholds"]),
        )
        model.meta = {
            "training_sha256": training_hash(TRAIN, extra),
            "examples": len(examples),
            "corpus_questions": len(extra),
            "C": best[1],
            "word_scale": best[0],
            "embedder": "all-MiniLM-L6-v2",
            "cross_validation": {f"words x{k[0]}, C={k[1]}": v for k, v in results.items()},
        }
        model.save(MODEL_FILE)
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

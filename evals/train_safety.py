"""Train the safety classifier, choose it by cross-validation, calibrate its thresholds.

    .venv/bin/python evals/train_safety.py            # measure only
    .venv/bin/python evals/train_safety.py --write    # and write coach/safety_model.json

Reads the labelled messages in evals/safety/train.jsonl (never the eval cases), embeds
them with the coach's own embedder, and scores each candidate on out-of-fold predictions
made exactly as the coach makes them. The thresholds are then read off those out-of-fold scores:

The corpus's headings and bank questions are always `career` examples, never scored; so
are the section ranker's training questions (evals/ranking/), at a weight of their own.

Candidates: the weight of the word features against the sentence vector, the
regularisation C, and the ranker questions' weight (0 leaves them out); the one with the
fewest career questions escalated at the recall target wins.

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
RANKING = sorted((ROOT / "evals" / "ranking").glob("train-*.jsonl"))
FOLDS = 5
SEED = 7
C_VALUES = (16.0, 64.0)  # inverse regularisation strength (4 never won: docs/safety.md)
WORD_SCALES = (1.0, 2.0)  # weight of the word features (0 and 3 never won: docs/safety.md)
# What one of the ranker's questions counts for as a `career` example (0: left out). Their
# total weight is 166 at 0.1, against 288 career messages and 749 corpus questions.
ASKED_WEIGHTS = (0.0, 0.1)
# 0.96 until the 140 harder sensitive messages came in; on them 0.96 failed the dev
# false-alarm gate (docs/safety.md).
RECALL_TARGET = 0.94
REFUSE_OUTRIGHT = 0.01
SMALLTALK_FALSE = 0.01
RESCUE_FALSE = 0.02
# worry: the cut that keeps this share of sensitive messages above it. Below the alarm and
# above this, a message is never refused for weak retrieval (coach/safety.py).
WORRY_TARGET = 0.98
_PLACEHOLDER = Thresholds(1.1, 1.1, 1.1)


def asked_questions(paths: list[Path] = RANKING) -> list[str]:
    """The section ranker's training questions: ordinary career questions as mentees type
    them, written apart from the eval cases (evals/ranking/)."""
    out = []
    for path in paths:
        lines = path.read_text("utf-8").splitlines()
        out += [json.loads(ln)["question"] for ln in lines if ln.strip()]
    return out


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


def out_of_fold(
    texts, vectors, labels, extra, extra_vecs, extra_weights, c, scale, fold_of
) -> np.ndarray:
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
            [1.0] * len(train) + list(extra_weights),
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
    corpus = corpus_questions()
    asked = asked_questions()
    extra = corpus + asked
    print(
        f"{len(examples)} examples {dict(Counter(labels))} + {len(corpus)} corpus questions"
        f" + {len(asked)} ranker questions"
    )
    vectors = embedder.encode(texts)
    extra_vecs = embedder.encode(extra)
    fold_of = folds(labels, FOLDS)

    def extras(weight: float) -> tuple[list[str], np.ndarray, list[float]]:
        """The always-trained career questions: the corpus's, and the ranker's at `weight`
        (left out altogether at 0, even from the word features' vocabulary)."""
        n = len(corpus) + (len(asked) if weight else 0)
        return extra[:n], extra_vecs[:n], [1.0] * len(corpus) + [weight] * (n - len(corpus))

    results = {}
    for weight in ASKED_WEIGHTS:
        for scale in WORD_SCALES:
            for c in C_VALUES:
                probs = out_of_fold(texts, vectors, labels, *extras(weight), c, scale, fold_of)
                r = results[(scale, c, weight)] = evaluate(probs, labels)
                print(
                    f"ranker questions x{weight:<4} words x{scale:<3} C={c:<5} sensitive recall "
                    f"{r['sensitive_recall']:.3f}, career escalated "
                    f"{r['false_escalation_career']:.3f}, off-topic refused outright "
                    f"{r['offtopic_refused_outright']:.3f}, small talk {r['smalltalk_recall']:.3f}"
                    f", cut {r['thresholds']['sensitive']:.3f}, lowest category "
                    f"{min(v['recall'] for v in r['per_category'].values()):.2f}"
                )
    # Fewest false alarms at the recall target; ties go to the stronger regularisation.
    best = min(results, key=lambda k: (results[k]["false_escalation_career"], k[1], k[0], k[2]))
    print(
        f"chosen: words x{best[0]}, C={best[1]}, ranker questions x{best[2]}\n"
        f"{json.dumps(results[best], indent=2)}"
    )
    if args.write:
        chosen, chosen_vecs, chosen_weights = extras(best[2])
        model = fit(
            texts + chosen,
            np.vstack([vectors, chosen_vecs]),
            labels + ["career"] * len(chosen),
            best[1],
            best[0],
            Thresholds(**results[best]["thresholds"]),
            [1.0] * len(texts) + chosen_weights,
        )
        model.meta = {
            "training_sha256": training_hash(TRAIN, chosen),
            "examples": len(examples),
            "corpus_questions": len(corpus),
            "ranker_questions": len(chosen) - len(corpus),
            "ranker_question_weight": best[2],
            "C": best[1],
            "word_scale": best[0],
            "embedder": "all-MiniLM-L6-v2",
            "cross_validation": {
                f"words x{k[0]}, C={k[1]}, ranker questions x{k[2]}": v for k, v in results.items()
            },
        }
        model.save(MODEL_FILE)
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

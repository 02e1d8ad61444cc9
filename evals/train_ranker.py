"""Train the section ranker and its section classifier (coach/rank.py), choosing their
regularisation by cross-validation.

    .venv/bin/python evals/train_ranker.py            # measure only
    .venv/bin/python evals/train_ranker.py --write    # and write coach/rank_model.json
                                                      # and coach/section_model.npz

Reads the questions in evals/ranking/train-*.jsonl, each labelled with the sections that
answer it. They were written from the guides' titles and headings alone, by writers who
saw neither the eval cases nor the phrasings, so the eval sets stay unseen. Features are
computed on the eval index ($COACH_HOME/eval-index, built if missing) with the code
retrieval itself runs. The classifier learns from the same questions plus every section's
phrasings and heading; the ranker is fitted on its out-of-fold log-probabilities, which is
what it sees for a new question. The numbers it prints are the ones docs/retrieval.md
records.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import coach.retrieve as retrieve_module  # noqa: E402
from coach.evals import build_index, eval_settings  # noqa: E402
from coach.facade import ANSWER_KINDS, Coach  # noqa: E402
from coach.rank import (  # noqa: E402
    CLASSIFIER_FILE,
    CLASSIFIER_FLOOR,
    CLASSIFIER_SCALE,
    FEATURES,
    MODEL_FILE,
    RankModel,
    SectionClassifier,
    fit,
)
from coach.retrieve import asker_perspective  # noqa: E402
from coach.settings import Settings  # noqa: E402
from coach.types import Filters  # noqa: E402

TRAIN = sorted((ROOT / "evals" / "ranking").glob("train-*.jsonl"))
PHRASINGS = sorted((ROOT / "corpus" / "phrasings").glob("*"))  # the classifier learns them too
FOLDS = 5
SEED = 7
L2_VALUES = (1e-4, 1e-3, 1e-2)
C_VALUES = (3.0, 10.0, 30.0)  # the classifier's inverse regularisation


def read(paths: list[Path]) -> list[tuple[str, list[str]]]:
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not row.get("question") or not row.get("sections"):
                    raise ValueError(f"{path.name}:{n}: needs a question and its sections")
                out.append((str(row["question"]), [str(s) for s in row["sections"]]))
    return out


def hit_at_1(scores: np.ndarray, wanted: np.ndarray) -> float:
    return float(np.mean(wanted[np.arange(len(wanted)), scores.argmax(1)]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.name}")
    args = parser.parse_args()

    # The features do not depend on the ranker, and the shipped weights may be for other
    # features: retrieval is built without them, and without the shipped classifier,
    # whose column is filled in out of fold below.
    retrieve_module.load_model = lambda: None
    retrieve_module.load_classifier = lambda: None
    coach = Coach(eval_settings(Settings(), {}))
    build_index(coach)
    retriever, store = coach.retriever, coach.store
    n = coach.settings.candidates
    filters = Filters(kinds=ANSWER_KINDS)
    chunks = store.chunks()
    rows = read(TRAIN)
    keys: list[str] = []
    matrices, wanted, vectors, unknown = [], [], [], set()
    for question, sections in rows:
        vector = store.embedder.encode_cached([question])[0]
        vectors.append(vector)
        dense = store.dense_search(vector, n, filters)
        bm25 = store.bm25_search(question, n, filters)
        keys, x = retriever.section_features(
            vector, dense, bm25, chunks, asker_perspective(question)
        )
        unknown |= set(sections) - set(keys)
        matrices.append(x)
        wanted.append(np.array([k in sections for k in keys]))
    if unknown:
        print(f"unknown sections: {sorted(unknown)}", file=sys.stderr)
        return 1
    X, Y = np.stack(matrices), np.stack(wanted)
    phrasing = X[:, :, FEATURES.index("phrasing")]
    print(f"{len(rows)} questions over {len(keys)} sections; features: {', '.join(FEATURES)}")
    print(f"best phrasing alone: section hit@1 {hit_at_1(phrasing, Y):.3f}")

    # The classifier's own examples: every section's phrasings and heading, always in.
    sections = retriever.phrasings.sections  # type: ignore[union-attr]
    own = [(t, k) for k in keys for t in (*sections[k].phrasings, sections[k].heading)]
    own_vectors = store.embedder.encode([t for t, _ in own])
    own_labels = [k for _, k in own]
    V = np.stack(vectors)
    column = FEATURES.index("classifier")

    def classifier(picked: np.ndarray, c: float) -> SectionClassifier:
        qs = [(i, k) for i in picked for k in rows[i][1]]
        return SectionClassifier.fit(
            np.vstack([own_vectors, V[[i for i, _ in qs]]]),
            own_labels + [k for _, k in qs],
            c,
        )

    order = np.random.default_rng(SEED).permutation(len(rows))
    folds = [(order[f::FOLDS], np.setdiff1d(order, order[f::FOLDS])) for f in range(FOLDS)]
    results: dict[tuple[float, float], float] = {}
    learned: dict[float, np.ndarray] = {}
    for c in C_VALUES:
        # Out of fold: each question's log-probabilities from a classifier without it.
        Xc = X.copy()
        for held, kept in folds:
            model = classifier(kept, c)
            Xc[held, :, column] = [model.log_probs(V[i], keys) / CLASSIFIER_SCALE for i in held]
        learned[c] = Xc[:, :, column]
        alone = hit_at_1(learned[c], Y)
        for l2 in L2_VALUES:
            hits = []
            for held, kept in folds:
                w = fit(list(Xc[kept]), list(Y[kept]), l2)
                hits.append(hit_at_1(Xc[held] @ w, Y[held]))
            results[(c, l2)] = float(np.mean(hits))
            print(
                f"C={c:g} (alone {alone:.3f}) l2={l2:g}: "
                f"out-of-fold section hit@1 {results[(c, l2)]:.3f}"
            )
    X[:, :, column] = CLASSIFIER_FLOOR / CLASSIFIER_SCALE
    without = np.mean([hit_at_1(X[h] @ fit(list(X[k]), list(Y[k]), 1e-3), Y[h]) for h, k in folds])
    print(f"without the classifier (l2=0.001): out-of-fold section hit@1 {without:.3f}")
    best_c, best = max(results, key=lambda v: (results[v], v))
    X[:, :, column] = learned[best_c]
    weights = fit(list(X), list(Y), best)
    print(
        f"chosen C={best_c:g}, l2={best:g}; weights: "
        + ", ".join(f"{name} {w:.2f}" for name, w in zip(FEATURES, weights, strict=True))
    )
    if args.write:
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAIN)).hexdigest()
        meta = {
            "training_sha256": digest,
            "questions": len(rows),
            "l2": best,
            "classifier_c": best_c,
            "out_of_fold_hit_at_1": round(results[(best_c, best)], 3),
            "without_classifier_hit_at_1": round(float(without), 3),
            "phrasing_alone_hit_at_1": round(hit_at_1(phrasing, Y), 3),
        }
        RankModel(weights, meta).save()
        final = classifier(np.arange(len(rows)), best_c)
        own_digest = hashlib.sha256(b"".join(p.read_bytes() for p in PHRASINGS)).hexdigest()
        SectionClassifier(
            final.keys,
            final.weights,
            final.bias,
            {"training_sha256": digest, "phrasings_sha256": own_digest, "c": best_c},
        ).save()
        print(f"wrote {MODEL_FILE} and {CLASSIFIER_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

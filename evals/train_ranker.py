"""Train the section ranker (coach/rank.py) and choose its regularisation by cross-validation.

    .venv/bin/python evals/train_ranker.py            # measure only
    .venv/bin/python evals/train_ranker.py --write    # and write coach/rank_model.json

Reads the questions in evals/ranking/train-*.jsonl, each labelled with the sections that
answer it. They were written from the guides' titles and headings alone, by writers who
saw neither the eval cases nor the phrasings, so the eval sets stay unseen. Features are
computed on the eval index ($COACH_HOME/eval-index, built if missing) with the code
retrieval itself runs. The numbers it prints are the ones docs/retrieval.md records.
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
from coach.rank import FEATURES, MODEL_FILE, RankModel, fit  # noqa: E402
from coach.retrieve import asker_perspective  # noqa: E402
from coach.settings import Settings  # noqa: E402
from coach.types import Filters  # noqa: E402

TRAIN = sorted((ROOT / "evals" / "ranking").glob("train-*.jsonl"))
FOLDS = 5
SEED = 7
L2_VALUES = (1e-4, 1e-3, 1e-2)


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
    # features: retrieval is built without them.
    retrieve_module.load_model = lambda: None
    coach = Coach(eval_settings(Settings(), {}))
    build_index(coach)
    retriever, store = coach.retriever, coach.store
    n = coach.settings.candidates
    filters = Filters(kinds=ANSWER_KINDS)
    chunks = store.chunks()
    rows = read(TRAIN)
    keys: list[str] = []
    matrices, wanted, unknown = [], [], set()
    for question, sections in rows:
        vector = store.embedder.encode_cached([question])[0]
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

    order = np.random.default_rng(SEED).permutation(len(rows))
    results = {}
    for l2 in L2_VALUES:
        hits = []
        for f in range(FOLDS):
            held = order[f::FOLDS]
            kept = np.setdiff1d(order, held)
            w = fit(list(X[kept]), list(Y[kept]), l2)
            hits.append(hit_at_1(X[held] @ w, Y[held]))
        results[l2] = float(np.mean(hits))
        print(f"l2={l2:g}: out-of-fold section hit@1 {results[l2]:.3f}")
    best = max(L2_VALUES, key=lambda v: (results[v], v))
    weights = fit(list(X), list(Y), best)
    print(
        f"chosen l2={best:g}; weights: "
        + ", ".join(f"{name} {w:.2f}" for name, w in zip(FEATURES, weights, strict=True))
    )
    if args.write:
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAIN)).hexdigest()
        meta = {
            "training_sha256": digest,
            "questions": len(rows),
            "l2": best,
            "out_of_fold_hit_at_1": round(results[best], 3),
            "phrasing_alone_hit_at_1": round(hit_at_1(phrasing, Y), 3),
        }
        RankModel(weights, meta).save()
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Compare retrieval modes and fusion settings on the evaluation questions.

    COACH_HOME=/path/with/ingested/corpus .venv/bin/python evals/compare_retrieval.py

Prints hit@1 (the expected guide is the first passage) for dense-only, BM25-only and each
fusion setting, over evals/cases/advice.jsonl plus the integration-test questions, and the
refusal trade-off for thresholds on the best dense similarity. docs/retrieval.md records
the numbers behind the defaults.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.facade import ANSWER_KINDS, Coach  # noqa: E402
from coach.retrieve import rrf, weighted  # noqa: E402
from coach.settings import Settings  # noqa: E402
from coach.types import Filters  # noqa: E402
from tests.test_integration import USER_QUESTIONS  # noqa: E402


def guide_id(source: str) -> str:
    return source.rsplit("/", 1)[-1].removesuffix(".md")


def load(name: str) -> list[dict]:
    path = ROOT / "evals" / "cases" / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    coach = Coach(Settings(log_turns=False))
    coach.store.require_nonempty()
    filters = Filters(kinds=ANSWER_KINDS)
    sets = {
        "integration": [(q, [e]) for q, e in USER_QUESTIONS],
        "advice": [(c["question"], c["expected_sources"]) for c in load("advice.jsonl")],
    }
    chunks = coach.store.chunks()
    embed = coach.embedder.encode_cached
    n = coach.settings.candidates
    fusions = {
        "dense only": lambda d, b: dict(d),
        "bm25 only": lambda d, b: dict(b),
        "rrf k=60": lambda d, b: rrf([[c for c, _ in d], [c for c, _ in b]], 60),
        "rrf k=10": lambda d, b: rrf([[c for c, _ in d], [c for c, _ in b]], 10),
    }
    for w in (0.5, 0.6, 0.7, 0.8):
        fusions[f"weighted w={w}"] = lambda d, b, w=w: weighted(d, b, w)
    print("| method | " + " | ".join(f"{k} hit@1" for k in sets) + " |")
    print("|---|" + "---|" * len(sets))
    runs = {}
    for name, cases in sets.items():
        runs[name] = [
            (
                exp,
                coach.store.dense_search(embed([q])[0], n, filters),
                coach.store.bm25_search(q, n, filters),
            )
            for q, exp in cases
        ]
    for label, fuse in fusions.items():
        cells = []
        for name in sets:
            hits = 0
            for exp, d, b in runs[name]:
                scores = fuse(d, b)
                hits += bool(scores) and guide_id(chunks[max(scores, key=scores.get)].source) in exp
            cells.append(f"{hits}/{len(runs[name])} ({hits / len(runs[name]):.3f})")
        print(f"| {label} | " + " | ".join(cells) + " |")

    def best(q: str) -> float:
        hits = coach.store.dense_search(embed([q])[0], 1, filters)
        return hits[0][1] if hits else 0.0

    inside = np.array([best(c["question"]) for c in load("advice.jsonl")])
    outside = np.array([best(c["question"]) for c in load("offtopic.jsonl")])
    print(
        f"\nbest dense similarity: in-scope median {np.median(inside):.3f} min "
        f"{inside.min():.3f}; off-topic median {np.median(outside):.3f} max {outside.max():.3f}"
    )
    print("| threshold | in-scope answered | off-topic refused |\n|---|---|---|")
    for t in (0.28, 0.32, 0.36, 0.40, 0.44):
        print(f"| {t:.2f} | {np.mean(inside >= t):.3f} | {np.mean(outside < t):.3f} |")


if __name__ == "__main__":
    main()

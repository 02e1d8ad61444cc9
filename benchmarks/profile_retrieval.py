"""Profile hybrid retrieval on the cached synthetic index (run `make bench` once first).

    .venv/bin/py-spy record -r 200 -f raw -o /tmp/retrieval.raw -- \\
        .venv/bin/python benchmarks/profile_retrieval.py 100000
    .venv/bin/python benchmarks/profile_summary.py /tmp/retrieval.raw
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import CACHE, questions  # noqa: E402
from coach.embed import Embedder  # noqa: E402
from coach.facade import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402


def measured(coach: Coach, embedder: Embedder, qs: list[str], rounds: int) -> float:
    """The steady state only: summarise with `--under measured`."""
    started = time.perf_counter()
    for _ in range(rounds):
        for q in qs:
            embedder._cache.clear()  # the query embedding is part of every search
            coach.retriever.search(q)
    return (time.perf_counter() - started) / (rounds * len(qs)) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    embedder = Embedder()
    coach = Coach(Settings(home=CACHE / f"scale-{n}", log_turns=False), embedder=embedder)
    qs = questions()
    coach.retriever.search(qs[0])
    took = measured(coach, embedder, qs, rounds)
    print(f"{n} chunks: {took:.1f} ms per search over {rounds * len(qs)} searches")


if __name__ == "__main__":
    main()

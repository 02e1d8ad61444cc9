"""Torch against ONNX Runtime for the embedder: same rankings, and which is faster here.

    .venv/bin/python benchmarks/embed_backends.py

Checks, on the built-in corpus: the cosine between the two backends' vectors for every
chunk and every eval question, and the top-5 retrieval for each question in
evals/cases/advice.jsonl with each backend's own index. Times: batch encoding of all
chunks (median of 3), single-query encoding (median over the questions), and a cold
process that loads the backend and embeds one query (median of 3).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.embed import Embedder  # noqa: E402
from coach.facade import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402

COLD = """
import time; t = time.perf_counter()
from coach.embed import Embedder
from pathlib import Path
e = Embedder(backend={backend!r}, cache_dir=Path({cache!r}))
e.encode(["How often should I meet my mentor?"])
print(time.perf_counter() - t)
"""


def questions() -> list[str]:
    path = ROOT / "evals" / "cases" / "advice.jsonl"
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    cache = os.environ.get("COACH_MODEL_CACHE") or str(ROOT / "benchmarks" / "cache" / "models")
    threads = int(os.environ.get("BENCH_ORT_THREADS", "0"))
    torch_e = Embedder(backend="torch")
    onnx_e = Embedder(backend="onnx", cache_dir=Path(cache), threads=threads)
    started = time.perf_counter()
    onnx_e.encode(["warm up"])
    print(f"onnx load (export if missing): {time.perf_counter() - started:.1f} s")
    torch_e.encode(["warm up"])

    qs = questions()
    with tempfile.TemporaryDirectory() as tmp:
        homes = {name: Path(tmp) / name for name in ("torch", "onnx")}
        coaches = {
            "torch": Coach(Settings(home=homes["torch"], log_turns=False), embedder=torch_e),
            "onnx": Coach(Settings(home=homes["onnx"], log_turns=False), embedder=onnx_e),
        }
        ingest_s = {}
        for name, c in coaches.items():
            started = time.perf_counter()
            c.ingest()
            ingest_s[name] = time.perf_counter() - started
        texts = [c.embed_text() for c in coaches["torch"].store.chunks().values()]
        a, b = torch_e.encode(texts), onnx_e.encode(texts)
        chunk_cos = np.sum(a * b, axis=1)
        qa, qb = torch_e.encode(qs), onnx_e.encode(qs)
        query_cos = np.sum(qa * qb, axis=1)
        same_top5 = same_order = 0
        for q in qs:
            tops = {name: [p.id for p in c.retrieve(q).passages[:5]] for name, c in coaches.items()}
            same_top5 += set(tops["torch"]) == set(tops["onnx"])
            same_order += tops["torch"] == tops["onnx"]

    batch = {
        name: statistics.median(timed(lambda e=e: e.encode(texts), 3))
        for name, e in (("torch", torch_e), ("onnx", onnx_e))
    }
    single = {}
    for name, e in (("torch", torch_e), ("onnx", onnx_e)):
        single[name] = statistics.median(
            [t for q in qs for t in timed(lambda e=e, q=q: e.encode([q]), 1)]
        )
    cold = {}
    for name in ("torch", "onnx"):
        runs = []
        for _ in range(3):
            code = COLD.format(backend=name, cache=cache)
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            runs.append(float(out.stdout.strip().splitlines()[-1]))
        cold[name] = statistics.median(runs)

    report = {
        "chunks": len(texts),
        "questions": len(qs),
        "min_cosine_chunks": round(float(chunk_cos.min()), 7),
        "min_cosine_questions": round(float(query_cos.min()), 7),
        "same_top5_set": same_top5,
        "same_top5_order": same_order,
        "ingest_s": {k: round(v, 2) for k, v in ingest_s.items()},
        "batch_encode_s_median_of_3": {k: round(v, 2) for k, v in batch.items()},
        "query_encode_ms_median": {k: round(v * 1000, 1) for k, v in single.items()},
        "query_runs": len(qs),
        "cold_load_and_embed_s_median_of_3": {k: round(v, 2) for k, v in cold.items()},
        "ort_threads": threads,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

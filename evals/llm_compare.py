"""LLM answers against the extractive answer, and the evidence behind the verifier's cut-offs.

    # calibrate COACH_VERIFY_SIMILARITY / COACH_VERIFY_OVERLAP on the eval set's key points
    .venv/bin/python evals/llm_compare.py calibrate

    # compare an LLM backend with the extractive answerer on 20 advice questions
    COACH_LLM=openai:smollm2 COACH_OPENAI_URL=http://127.0.0.1:8080/v1 \\
        .venv/bin/python evals/llm_compare.py compare --limit 20

Both use $COACH_HOME (ingesting the built-in corpus first if it is empty) and the real
embedder. `compare` reports, for the LLM: the share of its sentences kept by verification,
the share of answers that fell back to the extractive answer, the time to the first token
and to the first verified sentence, and tokens per second; and checks that every answer
keeps the citation contract (every [n] has an entry, and no entry is unused).

Calibration pairs each key point of evals/cases/advice.jsonl (a human paraphrase of a
point its expected guide makes) with:
- positive: the passage of an expected guide that supports it best;
- hard negative: the best passage, among those retrieved for the key point itself, from a
  guide that is not expected (same neighbourhood, different guidance);
- easy negative: a random passage of a guide sharing no topic with the expected ones.
Scores are computed exactly as coach/verify.py computes them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.facade import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402
from coach.types import Answer, Passage  # noqa: E402
from coach.verify import Verifier  # noqa: E402

CASES = ROOT / "evals" / "cases" / "advice.jsonl"
SEED = 7


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def guide_id(source: str) -> str:
    return Path(source).stem


def ready_coach(settings: Settings) -> Coach:
    coach = Coach(settings)
    if coach.count() == 0:
        print("Ingesting the built-in corpus...", file=sys.stderr)
        coach.ingest()
    return coach


# --- calibration ---------------------------------------------------------------------------
def calibrate(args: argparse.Namespace) -> None:
    coach = ready_coach(Settings(llm="extractive", log_turns=False))
    chunks = [c for c in coach.store.chunks().values() if c.kind == "guide" and not c.owner]
    by_guide: dict[str, list] = {}
    for c in chunks:
        by_guide.setdefault(guide_id(c.source), []).append(c)
    topics = {g: set().union(*(c.topics for c in cs)) for g, cs in by_guide.items()}
    rng = random.Random(SEED)
    pos: list[tuple[float, float]] = []
    hard: list[tuple[float, float]] = []
    easy: list[tuple[float, float]] = []

    # One verifier over every passage, so each passage's windows are embedded only once.
    verifier = Verifier(coach.embedder, [Passage(chunk=c, score=0.0) for c in chunks], 0.0, 0.0)
    number = {c.id: n for n, c in enumerate(chunks, 1)}

    def best(point: str, candidates: list) -> tuple[float, float]:
        scores = [verifier.score(point, number[c.id]) for c in candidates]
        top = max(scores, key=lambda s: s.similarity)
        return top.similarity, top.overlap

    for case in load_cases(Path(args.cases)):
        expected = [g for g in case["expected_sources"] if g in by_guide]
        if not expected:
            continue
        mine = set().union(*(topics[g] for g in expected))
        unrelated = sorted(g for g in by_guide if not topics[g] & mine)
        for point in case.get("key_points", []):
            pos.append(best(point, [c for g in expected for c in by_guide[g]]))
            found = coach.retriever.search(point, k=10).passages
            others = [
                p.chunk
                for p in found
                if guide_id(p.chunk.source) not in expected and p.chunk.id in number
            ]
            if others:
                hard.append(best(point, others[:3]))
            if unrelated:
                easy.append(best(point, [rng.choice(by_guide[rng.choice(unrelated)])]))

    print(f"key points: {len(pos)} positive, {len(hard)} hard negative, {len(easy)} easy negative")
    for name, pairs in (("positive", pos), ("hard negative", hard), ("easy negative", easy)):
        for i, what in ((0, "similarity"), (1, "overlap")):
            values = np.array([p[i] for p in pairs])
            q = np.percentile(values, [5, 10, 25, 50, 75, 90, 95])
            print(f"  {name:<14} {what:<10} p5..p95: " + " ".join(f"{v:.3f}" for v in q))

    def rate(pairs: list[tuple[float, float]], sim: float, ov: float) -> float:
        return float(np.mean([s >= sim and o >= ov for s, o in pairs])) if pairs else 0.0

    print("\n  similarity overlap  accepted: positive  hard-neg  easy-neg   (youden = pos - hard)")
    rows = []
    for ov in (0.0, 0.25, 0.34, 0.5):
        for sim in np.arange(0.40, 0.81, 0.05):
            row = (sim, ov, rate(pos, sim, ov), rate(hard, sim, ov), rate(easy, sim, ov))
            rows.append(row)
            print(f"  {sim:10.2f} {ov:7.2f}  {row[2]:17.3f} {row[3]:9.3f} {row[4]:9.3f}")
    sim, ov, tp, fp, ez = max(rows, key=lambda r: (r[2] - r[3], r[0]))
    print(
        f"\nbest by Youden: similarity >= {sim:.2f}, overlap >= {ov:.2f}: accepts {tp:.1%} of "
        f"positives, {fp:.1%} of hard and {ez:.1%} of easy negatives"
    )


# --- comparison ----------------------------------------------------------------------------
def contract_ok(answer: Answer) -> bool:
    """Every [n] in the text has a citation, and every citation is used."""
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    return shown == {c.n for c in answer.citations}


def compare(args: argparse.Namespace) -> None:
    settings = Settings(log_turns=False)
    if settings.llm == "extractive":
        sys.exit("Set COACH_LLM (and its URL) to the backend to compare, e.g. openai:MODEL.")
    extractive = ready_coach(replace_settings(settings, llm="extractive"))
    llm = Coach(settings, embedder=extractive.embedder)
    cases = load_cases(Path(args.cases))[: args.limit]
    extractive.ask("How often should I meet my mentor?")  # warm the embedder and caches
    rows = []
    for i, case in enumerate(cases, 1):
        q = case["question"]
        started = time.perf_counter()
        ex = extractive.ask(q)
        ex_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        first_visible = None
        answer: Answer | None = None
        for item in llm.stream(q):
            if isinstance(item, Answer):
                answer = item
            elif first_visible is None:
                first_visible = time.perf_counter() - started
        assert answer is not None
        total = time.perf_counter() - started
        g = answer.generation
        row = {
            "id": case.get("id", str(i)),
            "mode": answer.mode,
            "sentences": g.sentences if g else 0,
            "kept": g.kept if g else 0,
            "first_token_s": g.first_token_s if g else None,
            "tokens": g.tokens if g else 0,
            "dropped": g.dropped if g else {},
            "tokens_per_s": g.tokens_per_s if g else None,
            "first_verified_s": first_visible,
            "llm_total_s": total,
            "extractive_ms": ex_ms,
            "extractive_mode": ex.mode,
            "contract": contract_ok(answer) and contract_ok(ex),
            "note": answer.note,
        }
        if args.show:
            row["answer"] = answer.answer
        rows.append(row)
        print(
            f"[{i:>2}/{len(cases)}] {row['id']}: {answer.mode:<20} kept {row['kept']}/"
            f"{row['sentences']}  first token {fmt(row['first_token_s'])} s  "
            f"{fmt(row['tokens_per_s'])} tok/s  total {total:.1f} s",
            file=sys.stderr,
        )
    summary = summarise(rows, settings.llm)
    print(json.dumps(summary, indent=2))
    if args.out:
        Path(args.out).write_text(
            json.dumps({"summary": summary, "answers": rows}, indent=2), encoding="utf-8"
        )


def replace_settings(settings: Settings, **changes) -> Settings:
    return Settings(**{**settings.model_dump(), **changes})


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def summarise(rows: list[dict], label: str) -> dict:
    asked = [r for r in rows if r["mode"] in ("llm", "llm-trimmed", "extractive-fallback")]
    sentences = sum(r["sentences"] for r in asked)
    kept = sum(r["kept"] for r in asked)
    return {
        "backend": label,
        "questions": len(rows),
        "llm_attempted": len(asked),
        "sentences_written": sentences,
        "sentences_kept": kept,
        "share_kept": round(kept / sentences, 3) if sentences else None,
        "share_fell_back": round(
            sum(r["mode"] == "extractive-fallback" for r in asked) / len(asked), 3
        )
        if asked
        else None,
        "modes": {m: sum(r["mode"] == m for r in rows) for m in sorted({r["mode"] for r in rows})},
        "why_dropped": dict(sum((Counter(r["dropped"]) for r in asked), Counter())),
        "median_first_token_s": median([r["first_token_s"] for r in asked]),
        "median_first_verified_sentence_s": median([r["first_verified_s"] for r in asked]),
        "median_tokens_per_s": median([r["tokens_per_s"] for r in asked]),
        "median_llm_total_s": median([r["llm_total_s"] for r in asked]),
        "median_extractive_ms": median([r["extractive_ms"] for r in rows]),
        "contract_kept": all(r["contract"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("calibrate", help="print the evidence for the verifier's cut-offs")
    p.add_argument("--cases", default=str(CASES))
    p = sub.add_parser("compare", help="COACH_LLM against the extractive answerer")
    p.add_argument("--cases", default=str(CASES))
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--out", default=None, help="also write every answer's numbers as JSON")
    p.add_argument("--show", action="store_true", help="include the answers in --out")
    args = parser.parse_args()
    calibrate(args) if args.command == "calibrate" else compare(args)


if __name__ == "__main__":
    main()

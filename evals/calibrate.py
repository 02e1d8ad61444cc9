"""Measure the similarity cut-offs that `coach eval` uses, and print the evidence.

    .venv/bin/python evals/calibrate.py            # uses (and builds) $COACH_HOME/eval-index

The cut-offs live in evals/thresholds.yaml under `calibration`; evals/README.md records
the numbers behind them. Re-run this when the embedder or the answerer changes.

- support: a cited sentence against its own passage (positive), against the other
  passages the answerer was given (hard negative: same topic, different text), and
  against a passage of a guide that shares no topic (easy negative). Cosine is taken
  against the passage's best sentence, as `coach eval` does.
  Key points stand in for paraphrases: a key point against the passage that holds its
  closest guide sentence, and against a passage of an unrelated guide.
- key points: each key point against the sentences of its expected guide (positive) and
  of a guide that shares no topic with it (negative), best match per guide; and the
  hand-labelled pairs in evals/calibration/key-point-pairs.jsonl (a key point and the
  closest sentence of a real answer, judged by reading), agreement at each cut.
- near-duplicates: every pair of questions in the question banks, most similar first,
  to be read.
"""

from __future__ import annotations

import json
import random
import sys
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.answer import units  # noqa: E402
from coach.evals import (  # noqa: E402
    DEFAULT_CASES,
    Evaluator,
    build_index,
    claims,
    eval_settings,
    load_cases,
    load_config,
    source_id,
    supported,
    word_overlap,
)
from coach.facade import Coach  # noqa: E402
from coach.settings import get_settings  # noqa: E402

SEED = 7
LABELLED = ROOT / "evals" / "calibration" / "key-point-pairs.jsonl"


def describe(name: str, values: list[float]) -> None:
    q = np.percentile(values, [1, 5, 10, 25, 50, 75, 90, 95, 99])
    cells = " ".join(f"{v:.3f}" for v in q)
    print(f"  {name:<16} n={len(values):<5} p1 p5 p10 p25 p50 p75 p90 p95 p99: {cells}")


def share_at_least(values: list[float], cut: float) -> float:
    return float(np.mean(np.asarray(values) >= cut)) if values else 0.0


def youden(pos: list[float], neg: list[float], grid: np.ndarray) -> tuple[float, float, float]:
    """The cut with the largest true-positive minus false-positive rate."""
    best = max(grid, key=lambda t: share_at_least(pos, t) - share_at_least(neg, t))
    return float(best), share_at_least(pos, best), share_at_least(neg, best)


def main() -> None:
    settings = eval_settings(get_settings(), {})
    coach = Coach(settings)
    build_index(coach)
    chunks = coach.store.chunks()
    rng = random.Random(SEED)
    config = load_config()
    evaluator = Evaluator(coach, config.calibration, [])
    guides: dict[str, list] = {}
    for c in chunks.values():
        if c.kind == "guide" and c.path.find("/evals/fixtures/") < 0:
            guides.setdefault(source_id(c.source), []).append(c)
    topics = {g: set().union(*(c.topics for c in cs)) for g, cs in guides.items()}

    def unrelated(guide_ids: set[str]) -> str:
        mine = set().union(*(topics.get(g, set()) for g in guide_ids))
        choices = sorted(g for g in guides if not topics[g] & mine)
        return rng.choice(choices)

    all_cases = load_cases([DEFAULT_CASES])
    cases = [c for c in all_cases if c.kind in ("advice", "followup")]

    # --- support ----------------------------------------------------------------------
    whole: dict[str, np.ndarray] = {}
    pos_whole, pos_cos, pos_ov, hard_cos, hard_ov, easy_cos, easy_ov = [], [], [], [], [], [], []
    for case in all_cases:
        if case.kind == "prep":
            continue
        history = [{"role": t.role, "content": t.content} for t in case.history]
        answer = coach.ask(case.question, history)
        if answer.refused:
            continue
        by_n = {c.n: c for c in answer.citations}
        found = claims(answer.answer)
        vecs = coach.embedder.encode_cached([c.text for c in found])
        for claim, vec in zip(found, vecs, strict=True):
            cited = by_n[claim.cites[0]]
            if cited.passage not in whole:
                whole[cited.passage] = coach.embedder.encode([cited.passage])[0]
            pos_whole.append(float(vec @ whole[cited.passage]))
            pos_cos.append(evaluator.passage_support(vec, cited.passage))
            pos_ov.append(word_overlap(claim.text, cited.passage))
            for p in answer.passages:
                if p.chunk.text == cited.passage or claim.text.rstrip(".") in p.chunk.text:
                    continue
                hard_cos.append(evaluator.passage_support(vec, p.chunk.text))
                hard_ov.append(word_overlap(claim.text, p.chunk.text))
            other = rng.choice(guides[unrelated({source_id(cited.source)})])
            easy_cos.append(evaluator.passage_support(vec, other.text))
            easy_ov.append(word_overlap(claim.text, other.text))

    print("SUPPORT: a cited sentence against a passage")
    print(" cosine to the whole passage (why support goes sentence by sentence)")
    describe("own passage", pos_whole)
    print(" cosine to the passage's best sentence")
    describe("own passage", pos_cos)
    describe("other retrieved", hard_cos)
    describe("unrelated guide", easy_cos)
    print(" word overlap")
    describe("own passage", pos_ov)
    describe("other retrieved", hard_ov)
    describe("unrelated guide", easy_ov)
    print(" cut   own>=cut  other-retrieved>=cut  unrelated>=cut   (cosine)")
    for t in np.arange(0.30, 0.86, 0.05):
        print(
            f" {t:.2f}  {share_at_least(pos_cos, t):.3f}     {share_at_least(hard_cos, t):.3f}"
            f"                 {share_at_least(easy_cos, t):.3f}"
        )
    print(" cut   own>=cut  other-retrieved>=cut  unrelated>=cut   (overlap)")
    for t in np.arange(0.3, 0.95, 0.1):
        print(
            f" {t:.2f}  {share_at_least(pos_ov, t):.3f}     {share_at_least(hard_ov, t):.3f}"
            f"                 {share_at_least(easy_ov, t):.3f}"
        )
    cal = config.calibration

    def passes(cos: list[float], ov: list[float]) -> float:
        return float(np.mean([supported(c, o, cal) for c, o in zip(cos, ov, strict=True)]))

    print(
        f" rule in thresholds.yaml (cosine >= {cal.support_cosine}, overlap >= "
        f"{cal.support_overlap}): own {passes(pos_cos, pos_ov):.3f}, other retrieved "
        f"{passes(hard_cos, hard_ov):.3f}, unrelated {passes(easy_cos, easy_ov):.3f}"
    )

    # --- key points -------------------------------------------------------------------
    kp_pos, kp_neg, para_cos, para_ov, far_cos, far_ov = [], [], [], [], [], []
    for case in cases:
        if not case.key_points:
            continue
        kvecs = coach.embedder.encode(list(case.key_points))
        own = [
            (u.text, c) for g in case.expected_sources for c in guides[g] for u in units(0, c.text)
        ]
        other_id = unrelated(set(case.expected_sources))
        other = [u.text for c in guides[other_id] for u in units(0, c.text)]
        own_sims = kvecs @ coach.embedder.encode_cached([t for t, _ in own]).T
        other_sims = kvecs @ coach.embedder.encode_cached(other).T
        for i, kp in enumerate(case.key_points):
            kp_pos.append(float(own_sims[i].max()))
            kp_neg.append(float(other_sims[i].max()))
            home = own[int(own_sims[i].argmax())][1]
            far = rng.choice(guides[other_id])
            para_cos.append(evaluator.passage_support(kvecs[i], home.text))
            para_ov.append(word_overlap(kp, home.text))
            far_cos.append(evaluator.passage_support(kvecs[i], far.text))
            far_ov.append(word_overlap(kp, far.text))
    print(" paraphrase stand-in: a key point against a passage")
    describe("cosine, holder", para_cos)
    describe("cosine, unrelated", far_cos)
    describe("overlap, holder", para_ov)
    describe("overlap, unrelated", far_ov)
    for t in (0.3, 0.4, 0.5, 0.6):
        print(
            f"  overlap >= {t:.1f}: holder {share_at_least(para_ov, t):.3f}, "
            f"unrelated {share_at_least(far_ov, t):.3f}"
        )
    print(
        f"  rule in thresholds.yaml: holder {passes(para_cos, para_ov):.3f}, "
        f"unrelated {passes(far_cos, far_ov):.3f}"
    )

    print("\nKEY POINTS: best cosine between a key point and a guide's sentences")
    describe("expected guide", kp_pos)
    describe("unrelated guide", kp_neg)
    print(" cut   expected>=cut  unrelated>=cut")
    for t in np.arange(0.30, 0.71, 0.05):
        print(f" {t:.2f}  {share_at_least(kp_pos, t):.3f}          {share_at_least(kp_neg, t):.3f}")
    cut, tpr, fpr = youden(kp_pos, kp_neg, np.arange(0.30, 0.71, 0.01))
    print(f" largest TPR-FPR at {cut:.2f}: expected {tpr:.3f}, unrelated {fpr:.3f}")

    labelled = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    kv = coach.embedder.encode([x["key_point"] for x in labelled])
    sv = coach.embedder.encode([x["sentence"] for x in labelled])
    sims = (kv * sv).sum(axis=1)
    match = np.array([x["match"] for x in labelled])
    print(f" hand-labelled pairs: {len(labelled)} ({int(match.sum())} judged a match)")
    print(" cut   agree  tp  fp  fn  tn")
    for t in np.arange(0.40, 0.61, 0.02):
        hit = sims >= t
        tp, fp = int((hit & match).sum()), int((hit & ~match).sum())
        fn, tn = int((~hit & match).sum()), int((~hit & ~match).sum())
        print(f" {t:.2f}  {(tp + tn) / len(labelled):.3f}  {tp:>2}  {fp:>2}  {fn:>2}  {tn:>2}")

    # --- near-duplicates --------------------------------------------------------------
    questions = sorted(
        {
            line.lstrip("-* ").strip()
            for c in chunks.values()
            if c.kind == "questions"
            for line in c.text.splitlines()
            if line.strip().endswith("?")
        }
    )
    qvecs = coach.embedder.encode_cached(questions)
    pairs = sorted(
        ((float(qvecs[i] @ qvecs[j]), i, j) for i, j in combinations(range(len(questions)), 2)),
        reverse=True,
    )
    sims = [p[0] for p in pairs]
    print(f"\nNEAR-DUPLICATES: {len(questions)} bank questions, {len(pairs)} pairs")
    for t in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        print(f"  pairs >= {t:.2f}: {sum(s >= t for s in sims)}")
    print(" the most similar pairs, to read:")
    for sim, i, j in pairs[:14]:
        print(f"  {sim:.3f}  {questions[i]!r}\n         {questions[j]!r}")


if __name__ == "__main__":
    main()

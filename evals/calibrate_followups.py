"""Measure off-topic cuts for follow-ups in a conversation.

    .venv/bin/python evals/calibrate_followups.py

Reads evals/safety/followups.jsonl: follow-ups written with the question before them,
labelled `career` (in scope) or `offtopic` (an aside that leaves career and mentoring),
apart from the eval cases. Each is judged as the coach judges a follow-up: its own
P(offtopic) (joined with the conversation's question when it leans on it) and
P(offtopic) read after the question before it; the lower of the two decides. Prints, per
cut, how many in-scope follow-ups would be refused and how many asides declined, and the
lowest cut that refuses at most 1% of the in-scope ones. The coach refuses a follow-up at
the classifier's outright cut (coach/facade.py); docs/safety.md has the measurements.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.conversation import state_of  # noqa: E402
from coach.evals import build_index, eval_settings  # noqa: E402
from coach.facade import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402

FOLLOWUPS = ROOT / "evals" / "safety" / "followups.jsonl"
REFUSE_FOLLOWUP = 0.01  # the share of in-scope follow-ups a cut may refuse
CUTS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)


def main() -> int:
    coach = Coach(eval_settings(Settings(), {}))
    build_index(coach)
    rows = [json.loads(ln) for ln in FOLLOWUPS.read_text("utf-8").splitlines() if ln.strip()]
    scores: dict[str, list[float]] = {"career": [], "offtopic": []}
    for row in rows:
        history = [
            {"role": "user", "content": row["previous"]},
            {"role": "assistant", "content": "(an answer)"},
        ]
        alone = coach._assess(row["text"], state_of(history)).offtopic
        joined = coach.safety.assess(f"{row['previous']}\n{row['text']}").offtopic
        scores[row["label"]].append(min(alone, joined))
    career, aside = np.array(scores["career"]), np.array(scores["offtopic"])
    used = coach.safety.model.thresholds.offtopic
    print(f"{len(career)} in-scope follow-ups, {len(aside)} asides")
    for cut in sorted({*CUTS, used}):
        mark = "  (the coach's cut)" if cut == used else ""
        print(
            f"cut {cut:.2f}: in scope refused {int((career >= cut).sum())}, "
            f"asides declined {int((aside >= cut).sum())}{mark}"
        )
    ordered = sorted(career, reverse=True)
    lowest = float(ordered[int(REFUSE_FOLLOWUP * len(ordered))]) + 1e-4
    print(f"lowest cut refusing at most {REFUSE_FOLLOWUP:.0%} of in-scope follow-ups: {lowest:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Measure off-topic cuts for follow-ups in a conversation.

    .venv/bin/python evals/calibrate_followups.py

Reads evals/safety/followups.jsonl: follow-ups written with the question before them,
labelled `career` (in scope) or `offtopic` (an aside that leaves career and mentoring),
apart from the eval cases. Each is judged as the coach judges a follow-up: its own
P(offtopic) (joined with the conversation's question when it leans on it) and
P(offtopic) read after the question before it; the lower of the two decides. Prints, per
cut, how many in-scope follow-ups would be refused and how many asides declined, and the
lowest cut that refuses at most 1% of the in-scope ones. The coach refuses a follow-up at
the classifier's outright cut (coach/facade.py), unless the follow-up alone comes within
TOPIC_IN_SCOPE of a phrasing of the guides the conversation is on; it prints how many
in-scope follow-ups and asides come that close.

It also reads evals/safety/sensitive_followups.jsonl (sensitive disclosures, each after an
ordinary question) and prints how many the coach escalates, on their own words and asked
through the coach after their question, and what clearing alarms by the joined reading
would cost. docs/safety.md has the measurements.
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
from coach.facade import TOPIC_IN_SCOPE, Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402

FOLLOWUPS = ROOT / "evals" / "safety" / "followups.jsonl"
SENSITIVE_FOLLOWUPS = ROOT / "evals" / "safety" / "sensitive_followups.jsonl"
ALARM_CAPS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
REFUSE_FOLLOWUP = 0.01  # the share of in-scope follow-ups a cut may refuse
TOPIC_CUTS = (0.3, 0.35, 0.4, 0.45, 0.5)
CUTS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)


def main() -> int:
    coach = Coach(eval_settings(Settings(), {}))
    build_index(coach)
    rows = [json.loads(ln) for ln in FOLLOWUPS.read_text("utf-8").splitlines() if ln.strip()]
    scores: dict[str, list[float]] = {"career": [], "offtopic": []}
    topic: dict[str, list[float]] = {"career": [], "offtopic": []}
    for row in rows:
        history = [
            {"role": "user", "content": row["previous"]},
            {"role": "assistant", "content": "(an answer)"},
        ]
        state = state_of(history)
        alone = coach._assess(row["text"], state).offtopic
        joined = coach.safety.assess(f"{row['previous']}\n{row['text']}").offtopic
        scores[row["label"]].append(min(alone, joined))
        # How close the follow-up alone comes to the guides the coach takes its
        # conversation to be on.
        _, context = coach._plan(row["text"], "followup", state)
        guides = context.guides if context is not None else ()
        vector = coach.store.embedder.encode_cached([row["text"]])[0]
        topic[row["label"]].append(coach._closest_phrasing(vector, within=guides))
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
    near, far = np.array(topic["career"]), np.array(topic["offtopic"])
    print(f"closest aside to its topic's guides: {far.max():.3f}")
    for cut in TOPIC_CUTS:
        mark = "  (the coach's cut)" if cut == TOPIC_IN_SCOPE else ""
        print(
            f"topic cut {cut:.2f}: in scope that close {(near >= cut).mean():.3f}, "
            f"asides {(far >= cut).mean():.3f}{mark}"
        )
    alarms(coach, [r for r in rows if r["label"] == "career"])
    return 0


def alarms(coach: Coach, in_scope: list[dict]) -> None:
    """Alarms on follow-ups. The coach judges whether a follow-up is sensitive on its own
    words only; this shows why. Of the sensitive follow-ups in evals/safety/
    sensitive_followups.jsonl (written apart from the eval cases, each after an ordinary
    question), it counts how many are escalated, and how many would no longer be if an
    alarm below a cap were cleared whenever the follow-up read after the question before
    it is not sensitive, against how many in-scope alarms that would clear."""
    sensitive = [
        json.loads(ln) for ln in SENSITIVE_FOLLOWUPS.read_text("utf-8").splitlines() if ln.strip()
    ]

    def read(rows: list[dict]) -> list[tuple[float, bool, bool]]:
        out = []
        for row in rows:
            alone = coach.safety.assess(row["text"])
            joined = coach.safety.assess(f"{row['previous']}\n{row['text']}")
            out.append((alone.sensitive_score, bool(alone.category), bool(joined.category)))
        return out

    hurt, fine = read(sensitive), read(in_scope)
    flagged = sum(a for _, a, _ in hurt)
    print(f"{len(hurt)} sensitive follow-ups: {flagged} escalated on their own words")
    asked = 0
    for row in sensitive:  # the whole path: the question answered first, then the follow-up
        first = coach.ask(row["previous"])
        history = [
            {"role": "user", "content": row["previous"]},
            {
                "role": "assistant",
                "content": first.answer,
                "citations": [c.to_json() for c in first.citations],
            },
        ]
        asked += coach.ask(row["text"], history).escalated
    print(f"  and {asked} escalated by the coach, asked after the question before it")
    print(f"{len(fine)} in-scope follow-ups: {sum(a for _, a, _ in fine)} escalated")
    for cap in ALARM_CAPS:
        lost = sum(a and s < cap and not j for s, a, j in hurt)
        kept = sum(a and s < cap and not j for s, a, j in fine)
        print(
            f"if alarms below {cap:.1f} were cleared by the joined reading: sensitive missed "
            f"{lost} more, in-scope alarms cleared {kept}"
        )


if __name__ == "__main__":
    raise SystemExit(main())

from pathlib import Path

import pytest

from coach.facade import Coach
from coach.prep import open_actions, to_markdown

BANK = """---
kind: questions
id: feedback-questions
title: Questions to ask your mentor about feedback
topics: [feedback]
stages: [early-career]
---

## Asking for feedback
- What is one piece of feedback you would give me about my last presentation?
- How do you decide which feedback is worth acting on?
- What feedback did you ignore early in your career that you wish you had taken?
- How should I respond when feedback from my manager feels unfair?

## Meeting rhythm
- How often do you think we should meet during a busy quarter?
- What should I prepare before each of our meetings?
- How long should our meetings last so they stay useful?
- What would make our meetings more valuable for you?
- How would you like me to share updates between meetings?
- What signs would tell us that our meeting rhythm is not working?
"""


@pytest.fixture
def prep_coach(settings, fake_embedder, docs: Path) -> Coach:
    (docs / "bank.md").write_text(BANK)
    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([docs])
    return coach


def test_prep_gives_cited_unique_questions_for_each_goal(prep_coach):
    prep = prep_coach.prep(["get better feedback on my work", "agree how often we meet"])
    assert 5 <= len(prep.questions) <= 8
    texts = [q.text.lower() for q in prep.questions]
    assert len(set(texts)) == len(texts)
    assert {q.goal for q in prep.questions} == set(prep.goals)
    numbers = {c.n for c in prep.citations}
    for q in prep.questions:
        assert q.text.endswith("?") and q.citations
        assert all(c.n in numbers for c in q.citations)
        assert q.citations[0].source.endswith("bank.md")


def test_agenda_opens_with_open_actions_from_notes(prep_coach):
    notes = (
        "Talked about promotions.\n- [ ] Draft my development plan\n- [x] Read the book\n"
        "Action: ask Sam for an introduction\nI will update my CV."
    )
    prep = prep_coach.prep(["get better feedback"], notes=notes, actions=["Book the next slot"])
    first = prep.agenda[0]
    assert first.title.startswith("Review last meeting")
    for item in (
        "Draft my development plan",
        "Ask Sam for an introduction",
        "Update my CV",
        "Book the next slot",
    ):
        assert item in first.detail
    assert "Read the book" not in first.detail
    titles = [a.title for a in prep.agenda]
    assert titles[1] == "Updates and wins" and titles[-1] == "Next steps"


def test_open_actions_parser():
    assert open_actions("- [ ] one\n- [x] two\nTODO: three\nplain line") == ["One", "Three"]


def test_markdown_export_lists_questions_and_sources(prep_coach):
    prep = prep_coach.prep(["agree how often we meet"])
    md = to_markdown(prep)
    assert md.startswith("# Meeting prep")
    assert "## Questions to ask" in md and "## Sources" in md
    for q in prep.questions:
        assert q.text in md

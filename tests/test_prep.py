import datetime as dt
from pathlib import Path

import pytest

from coach.errors import BadInputError
from coach.facade import Coach
from coach.mentee import Profile
from coach.prep import open_actions, speaks_as_mentor, split_minutes, when_phrase
from coach.share import to_email, to_ics, to_markdown

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


def test_agenda_carries_the_last_meeting_forward(prep_coach):
    notes = (
        "Talked about promotions.\n- [ ] Draft my development plan\n- [x] Read the book\n"
        "Action: ask Sam for an introduction\nI will update my CV.\n"
        "Decision: meet every two weeks\nShould I ask for a stretch project?"
    )
    prep = prep_coach.prep(["get better feedback"], notes=notes, actions=["Book the next slot"])
    by_title = {a.title: a for a in prep.agenda}
    updates, review = prep.agenda[0], prep.agenda[1]
    assert updates.title == "Updates and wins" and updates.items == ["Done: Read the book"]
    assert review.title == "Review of last meeting"
    for item in (
        "Open action: Book the next slot",
        "Open action: Draft my development plan",
        "Open action: ask Sam for an introduction",
        "Open action: I will update my CV",
        "Decided: meet every two weeks (still the plan?)",
        "Last time you talked about: promotions",
    ):
        assert item in review.items
    assert "Open question: Should I ask for a stretch project?" in by_title
    assert prep.agenda[-1].title == "Next steps" and prep.agenda[-1].kind == "next-steps"
    topic = by_title["Topic: get better feedback"]
    assert topic.items == [q.text for q in prep.questions]


@pytest.mark.parametrize("minutes", [30, 45, 60])
def test_the_agenda_fills_the_meeting(prep_coach, minutes):
    prep = prep_coach.prep(
        ["get better feedback", "agree how often we meet"],
        notes="- [ ] one\n- [ ] two\nwhat about three?\nwhat about four?",
        minutes=minutes,
    )
    assert sum(a.minutes for a in prep.agenda) == minutes and prep.minutes == minutes
    assert all(a.minutes >= 2 for a in prep.agenda)
    topics = [a for a in prep.agenda if a.kind == "topic"]
    assert min(a.minutes for a in topics) >= max(
        a.minutes for a in prep.agenda if a.kind == "question"
    )


def test_split_minutes_adds_up():
    assert split_minutes([1, 1, 1], 30) == [10, 10, 10]
    assert sum(split_minutes([1, 2.5, 2.5, 1, 1.5], 45)) == 45
    assert split_minutes([1] * 20, 30) == [2] * 10 + [1] * 10  # under 2 minutes each


def test_every_source_has_one_number_and_each_topic_one_guidance(prep_coach):
    prep = prep_coach.prep(["get better feedback on my work", "agree how often we meet"])
    sources = [c.source for c in prep.citations]
    assert len(sources) == len(set(sources))
    assert [c.n for c in prep.citations] == list(range(1, len(prep.citations) + 1))
    for item in (a for a in prep.agenda if a.kind == "topic"):
        assert len(item.citations) <= 1
        assert all(f"[{n}]" in item.detail for n in item.citations)


def test_a_bad_meeting_length_is_a_clear_message(prep_coach):
    with pytest.raises(BadInputError, match="30, 45 or 60"):
        prep_coach.prep(["get better feedback"], minutes=50)
    with pytest.raises(BadInputError, match="2026-12-15"):
        prep_coach.prep(["get better feedback"], next_meeting="whenever")


def test_saved_goals_actions_and_recent_conversations(prep_coach):
    data = prep_coach.mentee("ana")
    data.save_profile(Profile(goals=["agree how often we meet"]))
    data.add_action("Send the recap email", "2026-12-20")
    conv = data.create_conversation()
    data.add_message(conv.id, "user", "How do I negotiate my first offer?")
    prep = prep_coach.prep([], user="ana", next_meeting="2026-12-22")
    assert prep.goals == ["agree how often we meet"]
    assert prep.actions[0].text == "Send the recap email" and prep.actions[0].due == "2026-12-20"
    review = prep.agenda[1].items
    assert "Open action: Send the recap email (due 20 Dec)" in review
    follow_up = prep.agenda[0].items
    assert any(
        "you asked “How do I negotiate my first offer?”: how did it go?" in x for x in follow_up
    )
    assert prep.next_meeting == "2026-12-22T10:00"
    other = prep_coach.prep([], user="ben")  # another user sees none of it
    assert not other.actions
    assert [a.kind for a in prep_coach.prep(["x y z"]).agenda] == ["topic", "next-steps"]


def test_a_first_meeting_gives_the_last_meetings_time_to_the_goals(prep_coach):
    prep = prep_coach.prep(["get better feedback", "agree how often we meet"], minutes=45)
    assert [a.kind for a in prep.agenda] == ["topic", "topic", "next-steps"]
    assert sum(a.minutes for a in prep.agenda) == 45
    assert all(a.minutes >= 18 for a in prep.agenda[:2]) and prep.agenda[-1].minutes <= 5
    # With saved actions but no notes, the review has them and updates only a short slot.
    later = prep_coach.prep(["get better feedback"], actions=["Book the next slot"], minutes=45)
    kinds = [a.kind for a in later.agenda]
    assert kinds == ["updates", "review", "topic", "next-steps"]
    assert later.agenda[0].minutes < later.agenda[1].minutes < later.agenda[2].minutes


def test_mentor_goals_take_mentor_banks():
    assert speaks_as_mentor("my mentee keeps cancelling")
    assert speaks_as_mentor("I'm about to mentor a new graduate")
    assert not speaks_as_mentor("find a mentor in fintech")
    assert not speaks_as_mentor("what do I get out of it as a mentee")


def test_when_phrase():
    now = dt.datetime(2026, 12, 10, 12).timestamp()
    day = 86400
    assert when_phrase(now - 3600, now) == "Earlier today"
    assert when_phrase(now - day, now) == "Yesterday"
    assert when_phrase(now - 3 * day, now) == "3 days ago"
    assert when_phrase(now - 9 * day, now) == "Last week"
    assert when_phrase(now - 20 * day, now) == "On 20 Nov"


def test_open_actions_parser():
    assert open_actions("- [ ] one\n- [x] two\nTODO: three\nplain line") == ["one", "three"]


def test_markdown_email_and_ics(prep_coach):
    prep = prep_coach.prep(
        ["agree how often we meet"],
        notes="- [ ] send the agenda by 2026-12-12",
        minutes=30,
        next_meeting="2026-12-15 14:30",
    )
    md = to_markdown(prep)
    assert md.startswith("# Meeting prep") and "Meeting: 30 minutes, Tue 15 Dec, 14:30" in md
    assert "## Questions to ask" in md and "## Sources" in md
    assert "(0-" in md and "-30 min)" in md
    for q in prep.questions:
        assert q.text in md
    email = to_email(prep)
    assert email.startswith("Subject: Agenda for our next mentoring meeting (Tue 15 Dec, 14:30)")
    assert "send the agenda by 2026-12-12" in email and "[1]" not in email
    assert len(email.split()) < 250
    ics = to_ics(prep, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    lines = ics.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "\n" not in ics.replace("\r\n", "")  # only CRLF line ends
    unfolded = ics.replace("\r\n ", "")
    assert "DTSTART:20261215T143000\r\nDURATION:PT30M" in unfolded
    assert "DTSTART;VALUE=DATE:20261212\r\nDTEND;VALUE=DATE:20261213" in unfolded
    assert "SUMMARY:Due: send the agenda by 2026-12-12" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 2
    assert "DTSTAMP:20261201T000000Z" in unfolded


def test_ics_escapes_text_and_folds_multibyte_safely():
    from coach.types import AgendaItem, NoteAction, Prep

    prep = Prep(
        goals=["g"],
        agenda=[AgendaItem("Topic: café; wins, and ünïcödé " * 6, "d", minutes=30)],
        questions=[],
        citations=[],
        latency_ms=0,
        prompt="p",
        minutes=30,
        actions=[NoteAction("ship it, finally; really", "2026-12-03")],
        next_meeting="2026-12-15T10:00",
    )
    ics = to_ics(prep)
    for line in ics.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # no character split across a fold
    assert "SUMMARY:Due: ship it\\, finally\\; really" in ics.replace("\r\n ", "")


def test_a_saved_action_the_notes_report_done_is_not_open(prep_coach):
    prep = prep_coach.prep(
        ["get better feedback"],
        notes="Done since last time\n- sent the recap email",
        actions=["Send the recap email", "Book the next slot"],
    )
    assert [a.text for a in prep.actions] == ["Book the next slot"]
    assert prep.agenda[0].items == ["Done: sent the recap email"]


def test_a_long_goal_gets_a_short_title_and_is_written_out_once(prep_coach):
    goal = (
        "Get better feedback on my work from my manager, because my last review surprised "
        "me and I want to know where I stand well before the next one."
    )
    prep = prep_coach.prep([goal], minutes=30)
    topic = next(a for a in prep.agenda if a.kind == "topic")
    assert topic.title == "Topic: Get better feedback on my work from my…"
    assert topic.detail.startswith(f"Talk through: {goal} ") and ".." not in topic.detail
    email, md = to_email(prep), to_markdown(prep)
    assert goal not in email and "Get better feedback on my work from my…" in email
    assert ".." not in email and md.count(goal.rstrip(".")) == 2  # goals line, and block


def test_short_title():
    from coach.text import sentence, short_title

    assert short_title("agree how often we meet.") == "agree how often we meet"
    assert short_title("How do I ask for a raise?") == "How do I ask for a raise?"
    assert short_title("negotiate my first offer; I have two") == "negotiate my first offer…"
    assert short_title("one two three four five six seven eight nine") == (
        "one two three four five six seven eight…"
    )
    assert sentence("meet monthly.") == "meet monthly." and sentence("why?") == "why?"


def test_each_question_is_written_out_once_when_shared(prep_coach):
    prep = prep_coach.prep(["get better feedback on my work", "agree how often we meet."])
    md, email = to_markdown(prep), to_email(prep)
    for q in prep.questions:
        assert md.count(q.text) == 1 and email.count(q.text) <= 1
    topics = [a for a in prep.agenda if a.kind == "topic"]
    assert topics[0].items == [q.text for q in prep.questions if q.goal == prep.goals[0]]
    assert "below" in md.split("## Questions to ask")[0]
    assert "Goals: get better feedback on my work; agree how often we meet\n" in md

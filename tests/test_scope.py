"""Scope around the classifier: the user's own library, a follow-up read with the
conversation, and short career statements that are not small talk."""

from __future__ import annotations

from dataclasses import replace

from coach.retrieve import section_key
from coach.types import Filters

CLUB = (
    "# Football club volunteer coaching\n\n"
    "Volunteer football coaches at the club log each training session in the club app, "
    "and a senior coach mentors every new volunteer for their first season.\n"
)


def test_the_users_own_library_widens_what_is_in_scope(fake_coach):
    question = "how do volunteer football coaches log each training session in the club app"
    assert fake_coach.ask(question).refused  # off-topic for the built-in guides alone
    fake_coach.upload("ana", "club.md", CLUB.encode())
    answer = fake_coach.ask(question, filters=Filters(user="ana"))
    assert not answer.refused
    assert any(c.source.endswith("club.md") for c in answer.citations)
    assert fake_coach.ask(question, filters=Filters(user="bo")).refused  # not bo's library


def test_a_follow_up_is_judged_with_the_question_before_it(fake_coach, monkeypatch):
    first = "How often should I meet my mentor?"
    follow = "what should the calendar invite for our monthly sessions actually say?"
    assess = fake_coach.safety.assess

    def fake(text: str):
        got = assess(text)
        # Off-topic read alone; in scope read after the question before it.
        return replace(got, probabilities={"offtopic": 0.9 if text == follow else 0.3})

    monkeypatch.setattr(fake_coach.safety, "assess", fake)
    a1 = fake_coach.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": a1.answer}]
    assert not fake_coach.ask(follow, history=history).refused
    assert fake_coach.ask(follow).refused  # alone, with no conversation, it is declined
    # A message off-topic either way still leaves the conversation's topic.
    monkeypatch.setattr(
        fake_coach.safety,
        "assess",
        lambda text: replace(assess(text), probabilities={"offtopic": 0.9}),
    )
    assert fake_coach.ask("what is the capital of Peru?", history=history).refused


def test_a_short_career_statement_is_not_small_talk(fake_coach, monkeypatch):
    text = "ok mentor"  # the fake classifier calls "ok" plus a short word small talk
    phrasings = fake_coach.retriever.phrasings
    monkeypatch.setattr(phrasings, "scores", lambda _vector: {"guide#Heading": 0.1})
    assert fake_coach.ask(text).mode == "small-talk"
    # As close to a guide section's question as career questions come: answered.
    monkeypatch.setattr(phrasings, "scores", lambda _vector: {"guide#Heading": 0.9})
    assert fake_coach.ask(text).mode != "small-talk"


def test_a_message_that_may_be_sensitive_is_never_refused(fake_coach, monkeypatch):
    question = "qqq zzz vvv"  # retrieval finds nothing close: refused as it stands
    assert fake_coach.ask(question).refused
    monkeypatch.setattr(fake_coach.safety, "worried", lambda _a: "discrimination")
    retrieval = fake_coach.retrieve(question)
    assert retrieval.escalation == "discrimination" and retrieval.voice == "uncertain"
    answer = fake_coach.ask(question)
    assert not answer.refused and answer.escalated


def test_worry_is_below_the_alarm_and_never_for_off_topic():
    from coach.safety import Assessment, Safety, Thresholds

    safety = Safety.__new__(Safety)
    safety.model = type("M", (), {"thresholds": Thresholds(0.3, 0.5, 0.5, worry=0.1)})()

    def seen(sensitive: float, offtopic: float, category: str | None = None):
        probs = {"discrimination": sensitive * 0.7, "bullying": sensitive * 0.3}
        probs["offtopic"] = offtopic
        return Assessment("career", category, probs, sensitive_score=sensitive)

    assert safety.worried(seen(0.2, 0.1)) == "discrimination"
    assert safety.worried(seen(0.05, 0.1)) is None  # too unlikely to be sensitive
    assert safety.worried(seen(0.2, 0.6)) is None  # the classifier is sure it is off-topic
    assert safety.worried(seen(0.4, 0.1, "bullying")) is None  # an alarm is handled as one


def test_a_follow_up_close_to_the_conversations_guides_stays_in_scope(fake_coach, monkeypatch):
    first = "How often should I meet my mentor?"
    follow = "and the invite, what do I put in it?"
    assess = fake_coach.safety.assess
    a1 = fake_coach.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": a1.answer}]
    # Off-topic alone and read after the question before it.
    monkeypatch.setattr(
        fake_coach.safety,
        "assess",
        lambda text: replace(assess(text), probabilities={"offtopic": 0.9}),
    )
    chunks = fake_coach.store.chunks()
    on = {section_key(chunks[c.passage_id]).split("#", 1)[0] for c in a1.citations}
    assert on
    phrasings = fake_coach.retriever.phrasings
    monkeypatch.setattr(phrasings, "scores", lambda _v: {f"{g}#Heading": 0.45 for g in on})
    assert not fake_coach.ask(follow, history=history).refused
    # As close, but to a guide the conversation is not on: declined.
    monkeypatch.setattr(phrasings, "scores", lambda _v: {"elsewhere#Heading": 0.45})
    assert fake_coach.ask(follow, history=history).refused


def test_a_follow_up_after_help_stays_with_the_guide_the_question_found(fake_coach, monkeypatch):
    """An escalated answer cites the help sections first because the safety module put them
    there; the follow-up's topic is the guide the question was about, not the help guide."""
    from coach.conversation import State, Topic

    monkeypatch.setattr(fake_coach, "_help_guides", lambda: {"getting-help"})
    question = "my manager keeps shouting at me, how do I run my team meeting?"
    state = State(
        topic=Topic(
            questions=(question,),
            sections=("getting-help#Who can help?", "meetings#Running one"),
            guides=("getting-help", "meetings"),
        ),
        answered=1,
    )
    _, context = fake_coach._plan("and how long should it be?", "followup", state)
    assert context is not None
    assert context.guides == ("meetings",)

    # An answer that cited nothing but help: the guides are the ones its question finds.
    helped = replace(
        state,
        topic=replace(
            state.topic, sections=("getting-help#Who can help?",), guides=("getting-help",)
        ),
    )
    found = [
        section_key(p.chunk).split("#", 1)[0]
        for p in fake_coach.retriever.search(question, Filters(kinds=("guide",))).passages
    ]
    _, context = fake_coach._plan("and how long should it be?", "followup", helped)
    assert context is not None and context.guides
    assert "getting-help" not in context.guides and context.guides[0] == found[0]

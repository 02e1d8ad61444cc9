import re

import pytest

from coach.answer import clean, topic_phrase, units
from coach.errors import BadQuestionError, EmptyIndexError
from coach.facade import Coach
from coach.settings import PROJECT_ROOT


def check_contract(answer):
    """Every point ends with [n]; every [n] has a citation; nothing uncited."""
    body = [line for line in answer.answer.splitlines() if line.strip()]
    lead, points = body[0], body[1:]
    assert "[1]" in lead
    assert 3 <= len(points) <= 6
    for p in points:
        assert re.search(r"\[\d+\]$", p), p
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert numbers == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert c.source and c.title and c.snippet and c.passage
        for point in points:
            if point.endswith(f"[{c.n}]"):
                text = point[2:].rsplit(" [", 1)[0]
                assert text.rstrip(".") in " ".join(c.passage.split()).replace("**", ""), text


def test_answer_is_cited_point_by_point(fake_coach):
    answer = fake_coach.ask("How often should I meet my mentor and for how long?")
    assert not answer.refused and answer.mode == "extractive"
    check_contract(answer)
    assert answer.citations[0].source.endswith("meeting-rhythm.md")
    assert answer.prompt == "extractive@v4"


def test_off_topic_question_is_refused(fake_coach):
    answer = fake_coach.ask("What is the boiling point of tungsten in kelvin?")
    assert answer.refused and answer.citations == []
    assert "don't have guidance" in answer.answer


def test_small_talk_gets_a_friendly_reply(fake_coach):
    answer = fake_coach.ask("hello!")
    assert answer.refused and answer.mode == "small-talk" and "mentor" in answer.answer


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "\u200b\u200b", "?!?"])
def test_empty_questions_are_rejected(fake_coach, bad):
    with pytest.raises(BadQuestionError):
        fake_coach.ask(bad)


def test_long_question_names_the_limit(fake_coach):
    with pytest.raises(BadQuestionError, match="limit is 2,000"):
        fake_coach.ask("mentor " * 1000)


def test_empty_index_says_run_ingest(settings, fake_embedder):
    with pytest.raises(EmptyIndexError, match="coach ingest"):
        Coach(settings, embedder=fake_embedder).ask("How often should I meet my mentor?")


def test_follow_up_uses_history(fake_coach):
    """The follow-up is searched in its own words, with the conversation's topic as a
    vector and its guide ranked higher: nothing is glued onto the query."""
    history = [
        {"role": "user", "content": "How do I ask for useful feedback from my mentor?"},
        {"role": "assistant", "content": "Ask about one piece of work at a time."},
    ]
    answer = fake_coach.ask("and what if it hurts?", history=history)
    assert answer.query == "and what if it hurts?"
    assert answer.citations[0].source.endswith("asking-for-feedback.md")


def test_turns_are_logged(fake_coach):
    fake_coach.ask("How long should a mentoring meeting last?")
    (turn,) = fake_coach.turn_log.recent()
    assert turn["question"] == "How long should a mentoring meeting last?"
    assert turn["prompt"] == "extractive@v4" and turn["latency_ms"] > 0
    assert turn["passages"] and {"id", "score", "dense", "bm25"} <= set(turn["passages"][0])


def test_units_keep_scripts_whole_and_skip_fragments():
    text = (
        '> "Hi Sam, I loved your talk. Could we meet for twenty minutes next week?"\n'
        "Short.\n- Ask one clear question at a time, and write the answer down."
    )
    found = [u.text for u in units(0, text)]
    assert found[0].startswith('"Hi Sam') and found[0].endswith('week?"')
    assert "Short." not in found
    assert found[1] == "Ask one clear question at a time, and write the answer down."


def test_clean_strips_markdown():
    assert clean("- **Ask** for [feedback](http://x) early") == "Ask for feedback early."


@pytest.mark.parametrize(
    ("q", "phrase"),
    [
        ("How often should I meet my mentor?", "how often to meet your mentor"),
        ("How do I ask for a raise?", "how to ask for a raise"),
        ("Tips on networking as an introvert", "networking as an introvert"),
    ],
)
def test_topic_phrase(q, phrase):
    assert topic_phrase(q) == phrase


HELP_GUIDE = """---
id: getting-help
title: Getting professional help
topics: [getting-help]
stages: [early-career]
summary: Which problems need HR, a lawyer or a doctor rather than a mentor.
---

## Who do you go to about harassment?

Report harassment to HR or a manager you trust, and keep dated notes of each incident.
"""


@pytest.mark.parametrize(
    ("question", "category"),
    [
        # Worded for the fake safety module (tests/conftest.py): this tests the answer.
        ("A colleague keeps harassing me after meetings, what do I do?", "sexual-harassment"),
        ("I think I'm being discriminated against for my age", "discrimination"),
        ("some nights I think about I want to end my life", "crisis"),
        ("I got bullied in the standup again today", "bullying"),
        ("they retaliated after I reported the fraud", "retaliation"),
        ("my company hasn't paid me for two months", "legal-pay"),
    ],
)
def test_sensitive_situations_lead_with_professional_help(fake_coach, docs, question, category):
    (docs / "getting-help.md").write_text(HELP_GUIDE)
    fake_coach.ingest([docs])
    assert fake_coach.safety.assess(question).category == category
    answer = fake_coach.ask(question)
    assert answer.escalated and not answer.refused
    assert answer.citations[0].source.endswith("getting-help.md")
    # The category's own opening, from the versioned prompt file, comes first.
    opening = fake_coach.safety_prompt.categories[category].opening
    assert answer.answer.startswith(opening) and answer.prompt == "safety@v1"
    assert "[1]" in answer.answer and "[1]" not in opening


def test_a_sensitive_message_is_never_refused_even_with_weak_retrieval(fake_coach, docs):
    (docs / "getting-help.md").write_text(HELP_GUIDE)
    fake_coach.ingest([docs])
    answer = fake_coach.ask("zzz qqq I was harassed xyzzy")
    assert answer.escalated and not answer.refused


def test_ordinary_questions_are_not_escalated(fake_coach):
    assert not fake_coach.ask("How often should I meet my mentor?").escalated


def test_an_in_scope_follow_up_is_judged_with_its_conversation(fake_coach):
    """Alone, a short follow-up with weak retrieval is refused; after an answered question
    it is not, unless the safety module is sure it is off-topic."""
    follow_up = "zzkq vvbn, and then what?"
    assert fake_coach.ask(follow_up).refused
    history = [
        {"role": "user", "content": "How often should I meet my mentor?"},
        {"role": "assistant", "content": "Once a month works for most pairs [1]."},
    ]
    assert not fake_coach.ask(follow_up, history).refused
    assert fake_coach.ask("what is a good recipe for soup?", history).refused


def _section_retrieval(fake_embedder, question: str):
    from coach.retrieve import Retrieval
    from coach.types import Chunk, Passage

    def passage(section: str, text: str, ordinal: int) -> Passage:
        chunk = Chunk(id=f"{section}-{ordinal}", path="/g/asking.md", source="g/asking.md",
                      title="Asking for help", section=section, text=text, ord=ordinal)  # fmt: skip
        return Passage(chunk=chunk, score=1.0 / (ordinal + 1), dense=0.6)

    passages = [
        passage(
            "How do I ask for an introduction?",
            "Name the person and say why you want to meet them in one sentence.\n"
            "This makes it easy for your contact to forward your note as it is.\n"
            "A short request could be:\n"
            '> "Could you introduce me to Sam? I am moving into data work and would value '
            'twenty minutes of her advice on the first year."',
            0,
        ),  # fmt: skip
        passage(
            "How do I thank a contact afterwards?",
            "Send a thank-you note within a day and say what you learned from the call.",
            1,
        ),  # fmt: skip
    ]
    vector = fake_embedder.encode_cached([question])[0]
    return Retrieval(
        query=question, vector=vector, passages=passages, best_dense=0.6, offtopic=False
    )


def test_an_answer_is_made_of_the_best_section_in_reading_order(fake_embedder):
    from coach.answer import ExtractiveAnswerer
    from coach.prompts import load_extractive

    prompt = load_extractive(PROJECT_ROOT / "prompts", "extractive@v3")
    answerer = ExtractiveAnswerer(fake_embedder, prompt, 0.1)
    answer = answerer.answer(
        "introduction to a contact", _section_retrieval(fake_embedder, "introduction to a contact")
    )
    points = [ln for ln in answer.answer.splitlines() if ln.startswith("- ")]
    assert points[0].startswith("- Name the person")
    # "This makes it easy..." points back, so it stays in the sentence's own bullet.
    assert "one sentence. This makes it easy" in points[0]
    assert not any(p.startswith("- This") for p in points)
    # The colon's lead-in travels with its script, and the section is cited once.
    assert any(p.startswith('- A short request could be: "Could you introduce me') for p in points)
    assert answer.answer.splitlines()[0].startswith("“How do I ask for an introduction?”")
    assert len({(c.source, c.section) for c in answer.citations}) == len(answer.citations)


def test_a_request_for_wording_leads_with_a_quoted_message(fake_embedder):
    from coach.answer import ExtractiveAnswerer, wants_wording
    from coach.prompts import load_extractive

    question = "what should I say to ask for an introduction?"
    assert wants_wording(question) and not wants_wording("how often should I meet my mentor?")
    prompt = load_extractive(PROJECT_ROOT / "prompts", "extractive@v3")
    answer = ExtractiveAnswerer(fake_embedder, prompt, 0.1).answer(
        question, _section_retrieval(fake_embedder, question)
    )
    first = next(ln for ln in answer.answer.splitlines() if ln.startswith("- "))
    assert '"Could you introduce me to Sam?' in first
    assert answer.answer.startswith("Words you can use")

"""The conversation state (coach.conversation) and what a message does with it."""

import pytest

from coach.condense import is_small_talk
from coach.conversation import act_of, corrected_need, points_of, state_of
from coach.types import Turn

HISTORY = [
    Turn("user", "How do I find a mentor in a new industry?"),
    Turn("assistant", "Look at professional associations and alumni networks [1]."),
]
CITED = [
    {"role": "user", "content": "How often should I meet my mentor?"},
    {
        "role": "assistant",
        "content": "From “Meeting rhythm” [1]:\n\n- Once a month suits most pairs. [1]",
        "citations": [{"source": "corpus/guides/meeting-rhythm.md", "section": "How often?"}],
    },
    {"role": "user", "content": "what is the capital of peru?"},
    {"role": "assistant", "content": "I don't have guidance on that.", "citations": []},
]


@pytest.mark.parametrize("text", ["hi", "Hello!", "thanks", "thank you so much", "ok", "bye"])
def test_small_talk_is_recognised(text):
    assert is_small_talk(text)


@pytest.mark.parametrize(
    "text", ["how do I find a mentor", "thanks to my mentor I got promoted, what next?"]
)
def test_real_questions_are_not_small_talk(text):
    assert not is_small_talk(text)


def test_the_state_holds_the_topic_and_the_points_shown():
    state = state_of(CITED)
    # The refusal is no answer: the topic stays on the cited one.
    assert state.answered == 1
    assert state.topic.question == "How often should I meet my mentor?"
    assert state.topic.sections == ("meeting-rhythm#How often?",)
    assert state.topic.guides == ("meeting-rhythm",)
    assert state.shown == ("once a month suits most pairs.",)


def test_a_history_without_citations_counts_every_reply():
    state = state_of(HISTORY)
    assert state.answered == 1 and state.topic.question == HISTORY[0].content
    assert state_of([]).answered == 0


def test_points_lose_their_citation_marks():
    assert points_of("Lead [1]:\n\n- One  thing [1]\n- Two [2]\nnot a point") == [
        "one thing",
        "two",
    ]


@pytest.mark.parametrize(
    ("text", "small", "act"),
    [
        ("tell me more", False, "more"),
        ("what else?", False, "more"),
        ("go on", False, "more"),
        ("no, I meant for a remote team", False, "correction"),
        ("that didn't help", False, "correction"),
        ("thanks, that's useful", True, "thanks"),
        ("hello", True, "greeting"),
        ("and how do I word it?", False, "followup"),
        ("no idea how to start that conversation with my boss", False, "followup"),
    ],
)
def test_what_a_message_does_in_a_conversation(text, small, act):
    assert act_of(text, state_of(HISTORY), small) == act


def test_outside_a_conversation_there_is_nothing_to_follow():
    assert act_of("tell me more", state_of([]), False) == "ask"
    assert act_of("thanks", state_of([]), True) == "greeting"


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("no, I meant for a remote team", "for a remote team"),
        ("That's not what I asked. I meant how to end it politely", "how to end it politely"),
        ("that didn't help", ""),
        ("nope", ""),
    ],
)
def test_a_correction_says_what_was_meant(text, need):
    assert corrected_need(text) == need


def test_a_picked_suggestion_is_answered_by_the_section_it_names(fake_coach):
    """A suggested question is a section's heading: asked in a conversation on another
    guide, that section still answers it."""
    chunks = [c for c in fake_coach.store.chunks().values() if c.section.endswith("?")]
    first = fake_coach.ask("How long should a mentoring meeting last?")
    other = next(c for c in chunks if c.source != first.citations[0].source)
    history = [
        {"role": "user", "content": "How long should a mentoring meeting last?"},
        {
            "role": "assistant",
            "content": first.answer,
            "citations": [c.to_json() for c in first.citations],
        },
    ]
    answer = fake_coach.ask(other.section, history)
    assert (answer.citations[0].source, answer.citations[0].section) == (
        other.source,
        other.section,
    )

import pytest

from coach.condense import condense, is_small_talk
from coach.types import Turn

HISTORY = [
    Turn("user", "How do I find a mentor in a new industry?"),
    Turn("assistant", "Look at professional associations and alumni networks [1]."),
]


@pytest.mark.parametrize("text", ["hi", "Hello!", "thanks", "thank you so much", "ok", "bye"])
def test_small_talk_is_recognised(text):
    assert is_small_talk(text)


@pytest.mark.parametrize(
    "text", ["how do I find a mentor", "thanks to my mentor I got promoted, what next?"]
)
def test_real_questions_are_not_small_talk(text):
    assert not is_small_talk(text)


def test_follow_up_carries_the_earlier_topic():
    q = condense("and how often should we meet?", HISTORY)
    assert q.startswith("and how often should we meet?")
    assert "mentor" in q and "industry" in q


def test_standalone_question_is_left_alone():
    q = "What should I put in a development plan for a promotion?"
    assert condense(q, HISTORY) == q


def test_greeting_is_never_rewritten():
    assert condense("thanks!", HISTORY) == "thanks!"


def test_no_history_no_change():
    assert condense("what about it?", []) == "what about it?"

"""Rule-based condensing: turn a short follow-up into a question that stands on its own.

"and how often should we meet?" after a question about finding a mentor becomes a query
that carries the earlier topic. Greetings and thanks are recognised and never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from coach.text import STOPWORDS, words
from coach.types import Turn

_SMALL_TALK = re.compile(
    r"^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|thanks?( you)?( so much)?|"
    r"thank you( so much| very much)?|cheers|ok(ay)?|cool|great|nice|bye|goodbye|"
    r"see you|how are you( doing)?|who are you|what can you do|help)\b[\s!.?,:)]*"
    r"(coach|there|again|a lot|very much)?[\s!.?]*$",
    re.I,
)
_FOLLOW_UP_START = re.compile(
    r"^(and|but|so|also|then|what about|how about|what if|why|any|anything|more|"
    r"ok(ay)?|and what|same)\b",
    re.I,
)
_REFERENCES = {
    "it", "its", "that", "this", "those", "these", "they", "them", "their", "he", "she",
    "him", "her", "there", "one", "ones", "same", "more", "else",
}  # fmt: skip
_GENERIC = {
    "often", "long", "much", "many", "meet", "ask", "say", "do", "start", "stop", "know",
    "tell", "make", "example", "examples", "tips", "advice", "help", "mean", "work", "go",
    "next", "first", "best", "good", "bad", "right", "wrong", "should", "need", "want", "like",
}  # fmt: skip


def is_small_talk(text: str) -> bool:
    return bool(_SMALL_TALK.match(text.strip()))


def _topic_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and w not in _GENERIC and len(w) > 2]


def needs_context(question: str) -> bool:
    ws = words(question)
    if not ws:
        return False
    if _FOLLOW_UP_START.match(question.strip()):
        return True
    if any(w in _REFERENCES for w in ws) and len(_topic_words(question)) <= 3:
        return True
    return len(_topic_words(question)) <= 1


def condense(question: str, history: Sequence[Turn]) -> str:
    """The retrieval query for `question`: itself, or itself plus the earlier topic."""
    question = question.strip()
    if not history or is_small_talk(question) or not needs_context(question):
        return question
    previous = [t.content for t in history if t.role == "user" and not is_small_talk(t.content)]
    if not previous:
        return question
    # The last substantive user question carries the topic; keep its distinctive words.
    earlier = previous[-1]
    extra = [w for w in dict.fromkeys(_topic_words(earlier)) if w not in set(words(question))]
    if not extra:
        return question
    return f"{question} (about: {' '.join(extra[:8])})"

"""Condensing with an LLM: turn a short follow-up into a question that stands on its own.

"and how often should we meet?" after a question about finding a mentor becomes a
question about meeting a mentor. `LLMCondenser` asks the model for the rewrite, and keeps
the follow-up as asked whenever the model fails or its rewrite drifts from what was said.
Without an LLM the follow-up is searched in its own words with the conversation's
context (coach.conversation); nothing is ever glued onto it. Greetings and thanks are
recognised and never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coach.guard import looks_like_injection
from coach.text import STOPWORDS, content_terms, words
from coach.types import Turn

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from coach.prompts import ChatPrompt

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
    "it",
    "its",
    "that",
    "this",
    "those",
    "these",
    "they",
    "them",
    "their",
    "he",
    "she",
    "him",
    "her",
    "there",
    "one",
    "ones",
    "same",
    "more",
    "else",
}
_GENERIC = {
    "often",
    "long",
    "much",
    "many",
    "meet",
    "ask",
    "say",
    "do",
    "start",
    "stop",
    "know",
    "tell",
    "make",
    "example",
    "examples",
    "tips",
    "advice",
    "help",
    "mean",
    "work",
    "go",
    "next",
    "first",
    "best",
    "good",
    "bad",
    "right",
    "wrong",
    "should",
    "need",
    "want",
    "like",
}


def is_small_talk(text: str) -> bool:
    return bool(_SMALL_TALK.match(text.strip()))


def topic_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and w not in _GENERIC and len(w) > 2]


def needs_context(question: str) -> bool:
    ws = words(question)
    if not ws:
        return False
    if _FOLLOW_UP_START.match(question.strip()):
        return True
    if any(w in _REFERENCES for w in ws) and len(topic_words(question)) <= 3:
        return True
    return len(topic_words(question)) <= 1


HISTORY_TURNS = 6  # the last three exchanges carry the topic of a follow-up
GROUNDED_SHARE = 0.7  # of the rewrite's content words, at least this many were said before
KEPT_SHARE = 0.5  # of the question's content words, at least this many stay in the rewrite


class LLMCondenser:
    """History-aware rewriting with an LLM, guarded by the rules."""

    def __init__(self, model: BaseChatModel, prompt: ChatPrompt, timeout: float) -> None:
        self.model = model
        self.prompt = prompt
        self.timeout = timeout

    def __call__(self, question: str, history: Sequence[Turn]) -> str:
        from coach.llm import LLMFailure

        question = question.strip()
        fallback = question  # searched with the conversation's context instead
        if not history or is_small_talk(question):
            return fallback
        try:
            rewrite = self.rewrite(question, history)
        except LLMFailure:
            return fallback
        return rewrite if accept_rewrite(question, history, rewrite) else fallback

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        from coach.llm import stream_reply

        system, user = self.prompt.render(history=history_text(history), question=question)
        text = ""
        replies = stream_reply(self.model, system, user, self.timeout)
        try:
            for piece in replies:
                text += piece
                if "\n" in text.strip() or len(text) > 600:
                    break  # one line was asked for; the rest is the model rambling
        finally:
            replies.close()
        line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
        line = re.sub(
            r"^(rewritten (message|question)|question|standalone question)\s*:\s*",
            "",
            line.strip(),
            flags=re.I,
        )
        return line.strip().strip("\"“”'").strip()


def history_text(history: Sequence[Turn]) -> str:
    """Recent turns for the condense prompt, as data: no planted lines, no fence markers."""
    lines = []
    for turn in history[-HISTORY_TURNS:]:
        text = " ".join(
            ln for ln in turn.content.splitlines() if ln.strip() and not looks_like_injection(ln)
        )
        text = text.replace("<<", "").replace(">>", "")
        if len(text) > 400:
            text = text[:400] + "..."
        lines.append(f"{'Mentee' if turn.role == 'user' else 'Coach'}: {text}")
    return "\n".join(lines)


def accept_rewrite(question: str, history: Sequence[Turn], rewrite: str) -> bool:
    """Whether a rewrite only adds the topic, rather than drifting to a new one."""
    if not rewrite or len(rewrite) > max(300, 3 * len(question)) or "\n" in rewrite:
        return False
    if looks_like_injection(rewrite) or (is_small_talk(rewrite) and not is_small_talk(question)):
        return False
    new = content_terms(rewrite)
    if not new:
        return False
    said = content_terms(question)
    for turn in history[-HISTORY_TURNS:]:
        said |= content_terms(turn.content)
    if len(new & said) / len(new) < GROUNDED_SHARE:
        return False
    asked = content_terms(question)
    return not asked or len(asked & new) / len(asked) >= KEPT_SHARE

"""Conversation state: what a chat is about, what it has already shown, and what the
new message does with it.

The state is read from the saved messages (their text and the sections their citations
point at), so it needs no storage of its own and is the same in the browser, the
terminal and the evals. Retrieval gets the topic as a vector and a set of guides, never
as keywords glued onto the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from coach.condense import needs_context, topic_words

Act = Literal["ask", "followup", "more", "correction", "thanks", "greeting"]

# A short message that asks to go on with the same answer.
_MORE = re.compile(
    r"^\W*(and\s+)?(tell me more|more( please| of that| on (that|this|it))?|go on|keep going|"
    r"continue|what else|anything else|say more|elaborate|expand on (that|this|it)|"
    r"go deeper|more detail|more details|more tips|other (tips|ideas|things)|any more)\b",
    re.I,
)
# A message that says the last answer missed; what follows the opener is the real need.
_CORRECTION = re.compile(
    r"^\W*(no|nope|not really|not quite|actually)\b"
    r"(?! (problem|worries|need|idea|one|matter)\b)[\s,.!-]*|"
    r"^\W*(that'?s|that is|this is|it'?s) not (what i|it|quite|helpful|relevant)[^,.!?]*[,.!?]*|"
    r"^\W*(that|this|it) (did ?n[o']?t|does ?n[o']?t|didnt|doesnt) (help|answer)[^,.!?]*[,.!?]*|"
    r"^\W*(wrong|not helpful|not that)\b[\s,.!-]*",
    re.I,
)
_MEANT = re.compile(
    r"^\W*(i (meant|mean|was asking|am asking|'m asking|wanted to know|want to know)"
    r"( about)?|what i (meant|mean|want|wanted) (is|was))\b[\s,:]*",
    re.I,
)
_THANKS = re.compile(
    r"\b(thanks|thank|thx|ty|cheers|appreciate|helpful|helped|that helps|perfect|brilliant|"
    r"great|awesome|got it|makes sense|ok|okay|cool|nice)\b",
    re.I,
)
_GRATITUDE = re.compile(r"\b(thanks|thank you|thx|cheers|appreciate (it|that|this))\b", re.I)
_MORE_WORDS = 8  # "tell me more" with a few words around it, not a new question
_THANKS_WORDS = 12  # "thank you very much, now it is more clear for me" asks nothing


@dataclass(frozen=True)
class Topic:
    """What the conversation is on, from its recent answered questions."""

    questions: tuple[str, ...] = ()  # answered questions, latest first
    sections: tuple[str, ...] = ()  # `guide-id#Heading` behind recent answers, latest first
    guides: tuple[str, ...] = ()  # their guide ids, latest first
    last_sections: tuple[str, ...] = ()  # the sections of the latest answer alone

    @property
    def question(self) -> str:
        return self.questions[0] if self.questions else ""


@dataclass
class State:
    topic: Topic = field(default_factory=Topic)
    shown: tuple[str, ...] = ()  # points the conversation has already shown, normalised
    answered: int = 0  # answers given so far (refusals and small talk not counted)

    @property
    def in_conversation(self) -> bool:
        return self.answered > 0


def normalised(text: str) -> str:
    return " ".join(re.sub(r"\s*\[\d+\]", " ", text).lower().split())


def points_of(answer_text: str) -> list[str]:
    """The quoted points of an answer: its bullet lines, without their citation marks."""
    return [normalised(ln[2:]) for ln in answer_text.splitlines() if ln.startswith("- ")]


def _section_keys(citations: Iterable[Any]) -> list[str]:
    keys = []
    for c in citations or ():
        c = c if isinstance(c, dict) else getattr(c, "to_json", lambda: {})()
        source = str(c.get("source") or "")
        if not source:
            continue
        name = source.replace("\\", "/").rsplit("/", 1)[-1]
        key = f"{name.rsplit('.', 1)[0]}#{c.get('section') or ''}"
        if key not in keys:
            keys.append(key)
    return keys


def state_of(messages: Sequence[Any], recent: int = 3) -> State:
    """The state after `messages` (Messages, Turns or role/content dicts, oldest first).
    An answer counts when it cites something (a refusal or small talk cites nothing); the
    question before it is then a topic question. A history that carries no citations at
    all (from elsewhere) counts every reply. `recent` answers make the topic."""
    pairs: list[tuple[str, list[str]]] = []  # (question, sections) of answered turns
    shown: list[str] = []
    last_user = ""
    cited_anywhere = any(_get(m, "citations") for m in messages)
    for m in messages:
        role = _get(m, "role")
        content = str(_get(m, "content") or "")
        if role == "user":
            last_user = content
        elif role == "assistant" and content.strip():
            keys = _section_keys(_get(m, "citations") or [])
            if keys or not cited_anywhere:
                pairs.append((last_user, keys))
                shown.extend(points_of(content))
    latest = list(reversed(pairs))[:recent]
    sections: list[str] = []
    for _, keys in latest:
        sections.extend(k for k in keys if k not in sections)
    guides = list(dict.fromkeys(k.split("#", 1)[0] for k in sections))
    topic = Topic(
        questions=tuple(q for q, _ in latest if q),
        sections=tuple(sections),
        guides=tuple(guides),
        last_sections=tuple(latest[0][1]) if latest else (),
    )
    return State(topic=topic, shown=tuple(shown), answered=len(pairs))


def _get(m: Any, name: str) -> Any:
    return m.get(name) if isinstance(m, dict) else getattr(m, name, None)


def act_of(text: str, state: State, small_talk: bool) -> Act:
    """What the message does. `small_talk` is the safety module's decision."""
    if state.in_conversation:
        if _CORRECTION.match(text) or _MEANT.match(text):
            return "correction"
        if _MORE.match(text) and len(text.split()) <= _MORE_WORDS:
            return "more"
    thanks = bool(_THANKS.search(text)) and state.in_conversation
    if small_talk:
        return "thanks" if thanks else "greeting"
    grateful = bool(_GRATITUDE.search(text)) and state.in_conversation
    if grateful and "?" not in text and len(text.split()) <= _THANKS_WORDS:
        return "thanks"  # an acknowledgement the classifier did not call small talk
    if state.in_conversation:
        return "followup"
    return "ask"


def acknowledges(text: str) -> bool:
    """Thanks, "ok", "got it": a message that acknowledges rather than asks."""
    return bool(_THANKS.search(text))


def corrected_need(text: str) -> str:
    """ "no, I meant for a remote team" -> "for a remote team"; "" when only the miss is
    said ("that didn't help")."""
    rest = _CORRECTION.sub("", text, count=1).strip(" ,.!-")
    rest = _MEANT.sub("", rest, count=1).strip(" ,.!-")
    return rest if any(ch.isalnum() for ch in rest) else ""


LEAN_WORDS = 3  # a message with this few topic words is too short to judge alone


def lean(text: str) -> bool:
    """Too few words of its own to say what it is about ("and how long should each one
    be"): the conversation says it."""
    return len(topic_words(text)) <= LEAN_WORDS


def depends_on_context(text: str) -> bool:
    """A follow-up that cannot stand alone ("and if she says no?", "how do I word it?")."""
    return needs_context(text)

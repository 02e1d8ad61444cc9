"""The one facade the CLI and the web app call. Neither holds pipeline logic.

coach = Coach()                       # settings from COACH_* variables
coach.ingest()                        # the built-in corpus
answer = coach.ask("How often should I meet my mentor?")
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from coach.answer import ExtractiveAnswerer, wants_questions
from coach.condense import condense, is_small_talk
from coach.errors import BadQuestionError
from coach.escalate import ESCALATION_TOPIC, escalation
from coach.ingest import Progress
from coach.ingest import ingest as run_ingest
from coach.prep import MeetingPrep
from coach.prompts import load_extractive
from coach.retrieve import Retrieval, Retriever
from coach.settings import Settings, get_settings
from coach.store import Store
from coach.turnlog import TurnLog
from coach.types import Answer, Filters, IngestReport, Prep, Turn

ANSWER_KINDS = ("guide", "document")
CATEGORY_HINTS = {
    "crisis": "emergency or mental-health crisis, doctor, crisis line",
    "harassment": "harassment or bullying, document it, HR",
    "discrimination": "discrimination, document it, raise a concern with HR",
    "legal": "legal or contract dispute, lawyer, HR",
}


def clean_question(question: object, limit: int) -> str:
    if not isinstance(question, str):
        raise BadQuestionError("The question must be text.")
    # Drop invisible and control characters; keep every script and emoji.
    text = "".join(
        ch
        for ch in question
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = " ".join(text.split())
    if not text:
        raise BadQuestionError("Please type a question: it is empty.")
    if len(text) > limit:
        raise BadQuestionError(
            f"The question is {len(text):,} characters; the limit is {limit:,}. Please shorten it."
        )
    if not any(ch.isalnum() for ch in text):
        raise BadQuestionError("Please ask a question in words.")
    return text


def normalise_history(history: Iterable[Any] | None) -> list[Turn]:
    """Accept Turns, (user, assistant) pairs, or Gradio messages whose content is a string
    or a list of parts, and return plain Turns."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, dict):
            role = str(item.get("role", "user"))
            turns.append(Turn(role, _content_text(item.get("content"))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            if item[0]:
                turns.append(Turn("user", _content_text(item[0])))
            if item[1]:
                turns.append(Turn("assistant", _content_text(item[1])))
    return [t for t in turns if t.content]


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return " ".join(_content_text(part) for part in content).strip()
    return str(content)


class Coach:
    def __init__(self, settings: Settings | None = None, embedder: Any = None) -> None:
        self.settings = settings or get_settings()
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Any:
        if self._embedder is None:
            from coach.embed import Embedder

            self._embedder = Embedder()
        return self._embedder

    @cached_property
    def store(self) -> Store:
        return Store(self.settings, self.embedder)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.settings)

    @cached_property
    def answerer(self) -> ExtractiveAnswerer:
        prompt = load_extractive(self.settings.prompts_dir, self.settings.prompt)
        return ExtractiveAnswerer(
            self.embedder, prompt, self.settings.refuse_below, self.settings.max_points
        )

    @cached_property
    def turn_log(self) -> TurnLog:
        return TurnLog(self.settings.log_db, model="extractive")

    # --- the three things people do ------------------------------------------------------
    def ingest(
        self, paths: Sequence[Path | str] | None = None, progress: Progress | None = None
    ) -> IngestReport:
        return run_ingest(
            self.store, self.settings, [Path(p) for p in paths] if paths else None, progress
        )

    def ask(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        filters: Filters = Filters(),
    ) -> Answer:
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        if is_small_talk(text):
            return self.answerer.small_talk()
        retrieval = self.retrieve(text, history, filters)
        answer = self.answerer.answer(text, retrieval)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        if self.settings.log_turns:
            self.turn_log.record(text, answer)
        return answer

    def retrieve(
        self, question: str, history: Iterable[Any] | None = None, filters: Filters = Filters()
    ) -> Retrieval:
        """What `ask` retrieves for a (cleaned) question: condensed, filtered, fused."""
        self.store.require_nonempty()
        query = condense(question, normalise_history(history))
        if not filters.kinds:
            # Question banks answer "what should I ask?", not "what should I do?".
            kinds = ANSWER_KINDS + (("questions",) if wants_questions(question) else ())
            filters = replace(filters, kinds=kinds)
        retrieval = self.retriever.search(query, filters)
        category = escalation(question)
        if category:
            retrieval = self._with_help(retrieval, category)
        return retrieval

    def _with_help(self, retrieval: Retrieval, category: str) -> Retrieval:
        """Put the guidance on getting professional help first, ahead of generic tips."""
        query = f"{retrieval.query} ({CATEGORY_HINTS[category]})"
        help_ = self.retriever.search(query, Filters(topics=(ESCALATION_TOPIC,)), k=2)
        seen = {p.id for p in help_.passages}
        rest = [p for p in retrieval.passages if p.id not in seen]
        k = self.settings.top_k
        return Retrieval(
            query=retrieval.query,
            vector=retrieval.vector,
            passages=(help_.passages + rest)[: max(k, len(help_.passages) + 1)],
            best_dense=max(retrieval.best_dense, help_.best_dense),
            escalation=category,
        )

    def prep(
        self,
        goals: Sequence[str] = (),
        notes: str = "",
        actions: Sequence[str] = (),
        topics: Sequence[str] = (),
    ) -> Prep:
        started = time.perf_counter()
        cleaned = [clean_question(g, self.settings.max_question_chars) for g in goals if g.strip()]
        if len(notes) > 20 * self.settings.max_question_chars:
            raise BadQuestionError(
                f"The meeting notes are {len(notes):,} characters; the limit is "
                f"{20 * self.settings.max_question_chars:,}."
            )
        self.store.require_nonempty()
        result = MeetingPrep(self.retriever, self.settings.prep_questions).prepare(
            cleaned, notes=notes, actions=list(actions), topics=tuple(topics)
        )
        result.latency_ms = (time.perf_counter() - started) * 1000
        return result

    def count(self) -> int:
        return self.store.count()

"""The one facade the CLI and the web app call. Neither holds pipeline logic.

coach = Coach()                       # settings from COACH_* variables
coach.ingest()                        # the built-in corpus
answer = coach.ask("How often should I meet my mentor?")
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from coach import library
from coach.answer import ExtractiveAnswerer, LLMAnswerer, wants_questions
from coach.conversation import (
    State,
    acknowledges,
    act_of,
    corrected_need,
    depends_on_context,
    lean,
    state_of,
)
from coach.db import Database, open_database
from coach.errors import BadInputError, BadQuestionError, LoadError, StoreLockedError
from coach.ingest import Progress, forget
from coach.ingest import ingest as run_ingest
from coach.library import Upload
from coach.mentee import LOCAL_USER, MenteeData, Profile
from coach.notes import due_date
from coach.prep import MEETING_MINUTES, MOST_RECENT, RECENT_DAYS, MeetingPrep
from coach.prompts import load_chat, load_extractive, load_safety
from coach.retrieve import Context, Retrieval, Retriever, section_key
from coach.safety import ESCALATION_TOPIC, Assessment, Safety
from coach.sandbox import Limits, read_untrusted
from coach.settings import Settings, get_settings
from coach.store import Store
from coach.suggest import suggest
from coach.turnlog import TurnLog
from coach.types import (
    Answer,
    ChatEvent,
    Chunk,
    Document,
    Filters,
    IngestReport,
    NoteAction,
    Passage,
    Prep,
    RecentTopic,
    Suggestion,
    Turn,
)

ANSWER_KINDS = ("guide", "document")
# Small talk is never this close (cosine) to a guide section's phrasing: of the 63 small-talk
# training messages the closest comes to 0.48; half the short career ones reach 0.58.
SMALL_TALK_ASKS = 0.55
# A question this close (cosine) to a passage of the user's own documents is in scope for
# them, whatever the classifier says of it alone. On the dev library, 90% of the 94
# questions have an own passage this close, and 1 of 58 off-topic messages.
OWN_IN_SCOPE = 0.45
# An alarm below ALARM_SURE is cleared when the question is this close to a phrasing of an
# ordinary guide section. Measured on the dev cases (safety, advice, sensitive): it clears
# 5 of 23 false alarms and none of 112 rightful escalations.
ALARM_SURE = 0.7
ORDINARY_MATCH = 0.7
# A follow-up this close (cosine) to a phrasing of the conversation's guides is in scope.
# On evals/safety/followups.jsonl (evals/calibrate_followups.py) the closest of 80 asides
# comes to 0.354, and 58% of the 160 in-scope follow-ups reach 0.4 (0.394 and 59% before
# help guides left an escalated conversation's topic).
TOPIC_IN_SCOPE = 0.4
# A follow-up's search blends the conversation's topic into its own vector: strongly when
# it cannot stand alone ("and if she says no?"), lightly when it can. Tuned on the dev
# conversations (evals/cases/conversations.jsonl); see docs/retrieval.md.
MIX_DEPENDENT = 1.0
MIX_STANDALONE = 0.3
TOPIC_EARLIER = 0.5  # the weight of the question before the latest in the topic
# A follow-up with a topic of its own stays with the conversation's guides only a little,
# so the user's own document can still answer it (tests/test_scale_out.py).
STANDALONE_BOOST = 0.3
TOPIC_GUIDES = 2  # guides a history without citations is taken to be on
_BUSY = (
    "The library is busy with other uploads and did not free up in time; please try again "
    "in a minute."
)


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


def _as_messages(history: Iterable[Any] | None) -> list[Any]:
    """Messages, Turns or role/content dicts as given; (question, answer) pairs split."""
    out: list[Any] = []
    for item in history or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            out += [{"role": "user", "content": str(item[0] or "")}]
            out += [{"role": "assistant", "content": str(item[1] or "")}]
        else:
            out.append(item)
    return out


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, "")


def meeting_time(value: str | None, days: int, today: dt.date | None = None) -> str:
    """The next meeting as an ISO local date and time: `value` ("2026-12-15",
    "2026-12-15 14:30"), or `days` from today at 10:00."""
    if not value or not value.strip():
        day = (today or dt.date.today()) + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(10, 0)).isoformat(timespec="minutes")
    text = value.strip().replace("T", " ")
    try:
        moment = (
            dt.datetime.fromisoformat(text)
            if " " in text
            else dt.datetime.combine(dt.date.fromisoformat(text), dt.time(10, 0))
        )
    except ValueError:
        raise BadInputError(
            f"The next meeting looks like 2026-12-15 or 2026-12-15 14:30, not {value!r}."
        ) from None
    return moment.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")


class Coach:
    def __init__(self, settings: Settings | None = None, embedder: Any = None) -> None:
        self.settings = settings or get_settings()
        self._embedder = embedder
        self._writer = threading.Lock()  # this process's uploads and deletes, one at a time
        self._writers_lock = threading.Lock()
        self._writers = 0  # holding or waiting for self._writer
        self._helps: tuple[dict[str, Chunk] | None, set[str]] = (None, set())

    @cached_property
    def embedder(self) -> Any:
        if self._embedder is None:
            from coach.embed import Embedder

            self._embedder = Embedder(
                backend=self.settings.embed_backend, cache_dir=self.settings.model_cache
            )
        return self._embedder

    @cached_property
    def _shared_sql(self) -> Database | None:
        """With COACH_DATABASE_URL, the index and the mentee data share one server and
        one connection pool; otherwise each has its own SQLite file."""
        url = self.settings.database_url
        return open_database(url.get_secret_value()) if url else None

    @cached_property
    def store(self) -> Store:
        return Store(self.settings, self.embedder, self._shared_sql)

    @cached_property
    def retriever(self) -> Retriever:
        from coach.phrasings import PhrasingIndex, load_all

        sections = load_all(self.settings.corpus_dir / "phrasings")
        phrasings = PhrasingIndex(sections, self.embedder, self.settings.home) if sections else None
        return Retriever(self.store, self.settings, phrasings)

    @cached_property
    def answerer(self) -> ExtractiveAnswerer:
        prompt = load_extractive(self.settings.prompts_dir, self.settings.prompt)
        return ExtractiveAnswerer(
            self.embedder,
            prompt,
            self.settings.refuse_below,
            self.settings.max_points,
            self.safety_prompt,
        )

    @cached_property
    def safety(self) -> Safety:
        return Safety(self.embedder)

    @cached_property
    def safety_prompt(self):  # -> SafetyPrompt
        return load_safety(self.settings.prompts_dir, self.settings.safety_prompt)

    @cached_property
    def db(self) -> Database:
        db = self._shared_sql or open_database(self.settings.log_db)
        db.migrate()
        return db

    @cached_property
    def turn_log(self) -> TurnLog:
        return TurnLog(self.db, model=self.settings.llm)

    @cached_property
    def llm(self) -> Any:
        """The chat model `COACH_LLM` names (a LangChain `BaseChatModel`), or None."""
        if self.settings.llm == "extractive":
            return None  # the default path never imports the LLM plumbing
        from coach.llm import chat_model

        return chat_model(self.settings)

    @cached_property
    def llm_answerer(self) -> LLMAnswerer:
        return LLMAnswerer(
            self.answerer,
            self.llm,
            load_chat(self.settings.prompts_dir, self.settings.llm_prompt),
            self.embedder,
            self.settings,
            self.settings.llm,
        )

    @cached_property
    def condenser(self) -> Callable[[str, Sequence[Turn]], str]:
        """With an LLM, a rewrite of a follow-up that stands alone, guarded by the rules;
        without one the follow-up is searched in its own words, with the conversation's
        context (coach.conversation) rather than a rewrite."""
        if self.llm is None:
            return lambda question, _history: question
        from coach.condense import LLMCondenser

        prompt = load_chat(self.settings.prompts_dir, self.settings.condense_prompt)
        # A third of the answer's budget: a slow rewrite is not worth waiting for.
        return LLMCondenser(self.llm, prompt, self.settings.llm_timeout / 3)

    def describe_storage(self) -> str:
        """Where this process keeps its data, for the start-up log (never a password)."""
        s = self.settings
        vectors = f"Chroma server {s.chroma_url}" if s.chroma_url else f"Chroma in {s.chroma_path}"
        database = f"PostgreSQL {self.db.where}" if s.database_url else f"SQLite in {s.home}"
        return f"{vectors}; {database}; uploads in {s.home / 'uploads'}"

    def mentee(self, user: str = LOCAL_USER) -> MenteeData:
        """One user's conversations, profile, action items, feedback and library."""
        return MenteeData(self.db, user)

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
        profile: Profile | None = None,
        conversation_id: str | None = None,
    ) -> Answer:
        """Answer one question. `history` is the conversation so far (Messages, Turns or
        role/content dicts, oldest first); `filters.user` adds that user's library; a
        profile's career stage ranks guides written for that stage higher."""
        *_, answer = self.reply(question, history, filters, profile, conversation_id)
        assert isinstance(answer, Answer)
        return answer

    def stream(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        filters: Filters = Filters(),
        profile: Profile | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it grows, then the finished `Answer`."""
        return self.reply(question, history, filters, profile, conversation_id)

    def chat(self, user: str, conversation_id: str | None, text: str) -> Iterator[ChatEvent]:
        """One turn of a saved conversation: check the text, save the question first (a
        question is never lost), stream the answer, then save it with its citations and
        turn id. A new conversation is made when `conversation_id` is None. Bad input
        raises before anything is stored."""
        data = self.mentee(user)
        text = clean_question(text, self.settings.max_question_chars)
        if conversation_id:
            data.conversation(conversation_id)  # raises if it is not this user's
        else:
            conversation_id = data.create_conversation().id
        previous = data.messages(conversation_id)
        data.add_message(conversation_id, "user", text)
        yield ChatEvent(conversation_id, "")
        answer: Answer | None = None
        for item in self.reply(text, previous, Filters(user=user), data.profile(), conversation_id):
            if isinstance(item, Answer):
                answer = item
            else:
                yield ChatEvent(conversation_id, item)
        assert answer is not None
        cites = [c.to_json() for c in answer.citations]
        data.add_message(conversation_id, "assistant", answer.answer, cites, answer.turn_id)
        yield ChatEvent(conversation_id, answer.answer, answer)

    def reply(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        filters: Filters = Filters(),
        profile: Profile | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[str | Answer]:
        """The answer to `question` after `history`, as it grows, then the `Answer`.

        The extractive answer is ready in a fraction of a second, so it streams point by
        point: the reader sees the lead-in at once instead of a spinner. An LLM answer
        streams sentence by sentence, each shown once it has passed verification; if the
        answer falls back, the final `Answer` replaces what was shown."""
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        _ = self.llm  # a misconfigured model is reported before anything else
        messages = _as_messages(history)
        state = state_of(messages)
        assessment = self._assess(text, state)
        small = assessment.small_talk and not assessment.category and not self._asks(text)
        act = act_of(text, state, small)
        if act in ("greeting", "thanks"):
            answer = self.answerer.thanks() if act == "thanks" else self.answerer.small_talk()
            if act == "thanks":
                answer.suggestions = self._suggest(
                    self._topic_vector(state), state.topic.last_sections, state
                )
            yield self._finish(answer, text, started, filters, conversation_id)
            return
        query, context = self._plan(text, act, state)
        retrieval = self.retrieve(
            query, messages, filters, profile, assessment, context, state.in_conversation
        )
        asked = query if act == "more" else text
        if self.llm is not None:
            answer = None
            for item in self.llm_answerer.stream(asked, retrieval):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
            assert answer is not None
        else:
            answer = self.answerer.answer(asked, retrieval, state.shown)
        if not answer.refused and not answer.escalated:
            cited = [section_key(c) for c in self._cited(answer)]
            if answer.mode == "nothing-new":
                cited = list(state.topic.sections)
            answer.suggestions = self._suggest(retrieval.vector, cited, state)
        answer = self._finish(answer, text, started, filters, conversation_id)
        if self.llm is None:
            shown = ""
            for line in answer.answer.split("\n"):
                shown = f"{shown}\n{line}" if shown else line
                if line.strip():
                    yield shown
        yield answer

    def _assess(self, text: str, state: State) -> Assessment:
        """The safety module's decisions. A short message that leans on the conversation
        ("and how long should each one be", "intro happened! what now") has its scope and
        small talk judged with the conversation's question; whether it is sensitive is
        always judged on its own words."""
        assessment = self.safety.assess(text)
        if (
            not state.in_conversation
            or not state.topic.question
            or assessment.category
            or not (assessment.small_talk or lean(text))
        ):
            return assessment
        joined = self.safety.assess(f"{state.topic.question} {text}")
        if joined.category:
            return assessment
        small = assessment.small_talk and (joined.small_talk or acknowledges(text))
        return replace(assessment, probabilities=joined.probabilities, small_talk=small)

    def _cited(self, answer: Answer) -> list[Chunk]:
        chunks = self.store.chunks()
        return [chunks[c.passage_id] for c in answer.citations if c.passage_id in chunks]

    def _topic_vector(self, state: State) -> np.ndarray | None:
        """The conversation's topic: its latest answered question, and a little of the one
        before (a third follow-up often leans on the first question)."""
        questions = list(state.topic.questions[:2])
        if not questions:
            return None
        vectors = self.embedder.encode_cached(questions)
        topic = vectors[0] + TOPIC_EARLIER * vectors[1] if len(vectors) > 1 else vectors[0]
        return topic / max(float(np.linalg.norm(topic)), 1e-9)

    def _plan(self, text: str, act: str, state: State) -> tuple[str, Context | None]:
        """What to search for, and what the conversation adds to the search."""
        topic = state.topic
        # Help sections lead an escalated answer because the safety module put them there,
        # not because the question was about them: a conversation on another guide stays
        # on that guide.
        helps = self._help_guides()
        guides = tuple(g for g in topic.guides if g not in helps)
        if topic.question and not guides:
            # A history from elsewhere carries no citations, and an escalated answer may
            # cite nothing but help: the guides behind it are the ones its question finds
            # (help first only when the question itself is about getting help).
            found = self.retriever.search(topic.question, Filters(kinds=("guide",)))
            found_guides = (section_key(p.chunk).split("#", 1)[0] for p in found.passages)
            guides = tuple(dict.fromkeys(found_guides))[:TOPIC_GUIDES]
        topic = replace(topic, guides=guides or topic.guides)
        if act == "more" and topic.question:
            # Deeper into the same guide: the topic's question again, the points already
            # shown left out by the answerer.
            return topic.question, Context(guides=topic.guides)
        if act == "correction":
            need = corrected_need(text)
            vector = self._topic_vector(state)
            if not need:  # "that didn't help": the same question, other sections
                return topic.question or text, Context(avoid=topic.last_sections)
            return need, Context(vector=vector, mix=MIX_STANDALONE, avoid=topic.last_sections)
        named = self._named_sections(text)
        if act == "followup":
            # Only a follow-up that leans on the conversation stays with its guides: a
            # question with a topic of its own ("when should I have a skip-level chat?")
            # is answered on that topic, from the built-in guides or the user's library.
            dependent = depends_on_context(text)
            return text, Context(
                self._topic_vector(state),
                MIX_DEPENDENT if dependent else MIX_STANDALONE,
                topic.guides,
                named=named,
                boost=0.0 if dependent else STANDALONE_BOOST,  # 0.0: GUIDE_BOOST
            )
        return text, Context(named=named) if named else None

    def _named_sections(self, text: str) -> tuple[str, ...]:
        """Built-in sections whose heading is the message, word for word: a suggested
        question that was picked is answered by the section it came from."""
        wanted = " ".join(text.lower().split())
        return tuple(
            dict.fromkeys(
                section_key(c)
                for c in self.store.chunks().values()
                if c.kind == "guide"
                and not c.owner
                and " ".join(c.section.lower().split()) == wanted
            )
        )

    def _suggest(self, vector: Any, cited: Sequence[str], state: State) -> list[Suggestion]:
        if vector is None:
            return []
        answered = set(state.topic.sections) | set(cited)
        return suggest(vector, cited, self.store.chunks(), self.retriever.phrasings, answered)

    def _finish(
        self,
        answer: Answer,
        text: str,
        started: float,
        filters: Filters,
        conversation_id: str | None,
    ) -> Answer:
        """Stamp the latency and log the turn, whichever answerer produced it."""
        answer.latency_ms = (time.perf_counter() - started) * 1000
        if self.settings.log_turns:
            answer.turn_id = self.turn_log.record(text, answer, filters.user, conversation_id)
        return answer

    def retrieve(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        filters: Filters = Filters(),
        profile: Profile | None = None,
        assessment: Assessment | None = None,
        context: Context | None = None,
        in_conversation: bool | None = None,
    ) -> Retrieval:
        """What `ask` retrieves for a (cleaned) question: filtered, fused, with the
        conversation's context and the safety module's decisions (sensitive category,
        off-topic) attached."""
        self.store.require_nonempty()
        turns = [Turn(str(_field(t, "role")), str(_field(t, "content"))) for t in history or []]
        query = self.condenser(question, turns) if self.llm is not None else question
        if not filters.kinds:
            # Question banks answer "what should I ask?", not "what should I do?".
            kinds = ANSWER_KINDS + (("questions",) if wants_questions(question) else ())
            filters = replace(filters, kinds=kinds)
        prefer = (profile.stage,) if profile and profile.stage else ()
        assessment = assessment or self.safety.assess(question)
        # With a conversation's context, an unsure alarm on a follow-up is judged against
        # what the conversation is about (ordinary sections' phrasings, below).
        retrieval = self.retriever.search(query, filters, prefer_stages=prefer, context=context)
        cleared = bool(assessment.category) and self._ordinary_question(assessment, retrieval)
        if cleared:
            assessment = replace(assessment, category=None)
        if assessment.category:
            return self._with_help(retrieval, assessment.category, self.safety.voice(assessment))
        # A message the classifier thought might be sensitive is about work, whatever
        # retrieval found: a cleared alarm is answered as an ordinary question, never
        # refused (one sensitive dev message was refused that way).
        offtopic = not cleared and self.safety.refuses(
            assessment, retrieval.best_dense, self.settings.refuse_below
        )
        if offtopic and filters.user and self._own_match(retrieval, filters.user):
            offtopic = False  # their own library widens what is in scope for them
        if in_conversation is None:
            in_conversation = self._in_conversation(turns)
        if offtopic and in_conversation:
            # A follow-up is judged with the conversation: it leaves the topic only when
            # the classifier is sure of it alone and still sure read after the question
            # before it ("and if nothing changes?" alone reads as anything).
            sure = self.safety.model.thresholds.offtopic
            asked = [t.content for t in turns if t.role == "user"]
            offtopic = assessment.offtopic >= sure and (
                not asked or self.safety.assess(f"{asked[-1]}\n{question}").offtopic >= sure
            )
            if offtopic and context is not None and self._on_topic(question, context.guides):
                offtopic = False  # close to a section of the guides the chat is on
        worried = self.safety.worried(assessment) if offtopic else None
        if worried:
            # Refusing a message that may describe a serious situation is the worst answer:
            # it gets the help that names every route instead.
            return self._with_help(retrieval, worried, "uncertain")
        return replace(retrieval, offtopic=offtopic)

    def _asks(self, text: str) -> bool:
        """A short message close to a guide section's question ("passed over for promotion.
        again.") has something to answer, whatever the classifier's small-talk label."""
        vector = self.store.embedder.encode_cached([text])[0]
        return self._closest_phrasing(vector) >= SMALL_TALK_ASKS

    def _on_topic(self, text: str, guides: Sequence[str]) -> bool:
        """The message alone is close (cosine) to a phrasing of a section of the guides the
        conversation is on: a follow-up, whatever the classifier makes of its few words."""
        vector = self.store.embedder.encode_cached([text])[0]
        return bool(guides) and self._closest_phrasing(vector, within=guides) >= TOPIC_IN_SCOPE

    def _own_match(self, retrieval: Retrieval, user: str) -> bool:
        """A passage of the user's own documents is close to the question."""
        return any(p.chunk.owner == user and p.dense >= OWN_IN_SCOPE for p in retrieval.passages)

    def _ordinary_question(self, assessment: Assessment, retrieval: Retrieval) -> bool:
        """An unsure alarm on a question that one of the ordinary guide sections is asked
        almost word for word: the corpus's own phrasings say it is a career question."""
        if assessment.backstop or assessment.sensitive_score >= ALARM_SURE:
            return False
        closest = self._closest_phrasing(retrieval.vector, leave_out=self._help_guides())
        return closest >= ORDINARY_MATCH

    def _closest_phrasing(
        self,
        vector: np.ndarray,
        within: Iterable[str] | None = None,
        leave_out: Iterable[str] = (),
    ) -> float:
        """The highest cosine of `vector` to a phrasing of a built-in section: of any guide,
        or only of the guides `within`, never of those in `leave_out` (0.0 without
        phrasings)."""
        phrasings = self.retriever.phrasings
        if phrasings is None:
            return 0.0
        keep = None if within is None else set(within)
        drop = set(leave_out)
        sims = phrasings.scores(vector)
        return max(
            (
                s
                for k, s in sims.items()
                if (g := k.split("#", 1)[0]) not in drop and (keep is None or g in keep)
            ),
            default=0.0,
        )

    def _help_guides(self) -> set[str]:
        """The built-in guides on getting professional help (worked out once per set of
        chunks: every conversation turn asks)."""
        chunks = self.store.chunks()
        if self._helps[0] is not chunks:
            helps = {
                section_key(c).split("#", 1)[0]
                for c in chunks.values()
                if ESCALATION_TOPIC in c.topics
            }
            self._helps = (chunks, helps)
        return self._helps[1]

    def _in_conversation(self, turns: Sequence[Turn]) -> bool:
        """An earlier question of this conversation was answered (not refused)."""
        return any(t.role == "assistant" for t in turns) and any(t.role == "user" for t in turns)

    def _with_help(self, retrieval: Retrieval, category: str, voice: str) -> Retrieval:
        """Put the guidance on getting professional help first, ahead of generic tips: the
        sections the safety prompt names for this situation, in its order."""
        wording = self.safety_prompt.wording(category, voice)
        rank = {heading: i for i, heading in enumerate(wording.sections)}
        chunks = [
            c
            for c in self.store.chunks().values()
            if ESCALATION_TOPIC in c.topics and c.section in rank and not c.owner
        ]
        chunks.sort(key=lambda c: (rank[c.section], c.path, c.ord))
        helps = [Passage(chunk=c, score=1.0) for c in chunks]
        if not helps:  # a corpus without those sections: search its help guides instead
            query = " ".join(wording.sections)
            helps = self.retriever.search(query, Filters(topics=(ESCALATION_TOPIC,)), k=2).passages
        seen = {p.id for p in helps}
        rest = [p for p in retrieval.passages if p.id not in seen]
        k = self.settings.top_k
        return Retrieval(
            query=retrieval.query,
            vector=retrieval.vector,
            passages=(helps + rest)[: max(k, len(helps) + 1)],
            best_dense=retrieval.best_dense,
            escalation=category,
            voice=voice,
        )

    # --- the personal library ---------------------------------------------------------
    def upload_limits(self) -> Limits:
        s = self.settings
        return Limits(
            cpu_seconds=s.parse_cpu_seconds,
            wall_seconds=s.parse_wall_seconds,
            memory_mb=s.parse_memory_mb,
            workers=s.parse_workers,
            max_bytes=int(s.upload_max_mb * 1_000_000),
            max_pages=s.upload_max_pages,
            max_chars=s.upload_max_chars,
        )

    def upload(
        self, user: str, filename: str, data: bytes, progress: Progress | None = None
    ) -> Upload:
        """Check, store and ingest one file into `user`'s private library. The file is
        read once, in a limited worker process (coach.sandbox), before the index's write
        lock is taken; ingest then uses what was read."""
        s = self.settings
        name = library.check(filename, data, s.upload_max_mb)
        folder = library.user_folder(s.home, user)
        target = folder / name
        # A hidden folder of its own: ingest never sees a half-written file, two uploads
        # of one name never share it, and the file keeps its name (a title falls back to it).
        staging = folder / f".incoming-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        key = str(target.resolve())
        try:
            incoming = staging / name
            incoming.write_bytes(data)
            if progress:
                progress("reading", 0, 1)
            try:
                doc = read_untrusted(incoming, f"my-library/{name}", self.upload_limits())
            except LoadError as exc:
                raise BadInputError(f"{name}: {exc.reason}.") from None
            with self._library_writer(progress):
                return self._add_upload(
                    user,
                    library.display_name(filename),
                    target,
                    incoming,
                    replace(doc, path=key),
                    progress,
                )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @contextmanager
    def _library_writer(self, progress: Progress | None = None) -> Iterator[None]:
        """The index's write lock for an upload or a delete: wait for it (up to
        COACH_UPLOAD_WAIT_SECONDS), saying how many are ahead, instead of failing."""
        wait = self.settings.upload_wait_seconds
        started = time.monotonic()
        with self._writers_lock:
            ahead = self._writers
            self._writers += 1
        try:
            if ahead and progress:
                progress(f"waiting for {ahead} other upload{'s' * (ahead > 1)}", 0, 1)
            # This process's writers queue on a thread lock; the store lock then covers
            # other processes (a `coach ingest`, other replicas).
            if not self._writer.acquire(timeout=wait):
                raise BadInputError(_BUSY)
            try:
                left = max(0.0, wait - (time.monotonic() - started))
                try:
                    with self.store.write_lock(wait=left):
                        yield
                except StoreLockedError:
                    raise BadInputError(_BUSY) from None
            finally:
                self._writer.release()
        finally:
            with self._writers_lock:
                self._writers -= 1

    def _add_upload(
        self,
        user: str,
        shown: str,
        target: Path,
        incoming: Path,
        doc: Document,
        progress: Progress | None,
    ) -> Upload:
        """Put the file in place and ingest it, holding the write lock. On any failure the
        library is as it was: the new file is gone and a replaced one is back. `shown` is
        the name the user gave the file, kept for their list."""
        key = doc.path
        name = target.name
        previous = incoming.with_name(f"previous-{name}")
        replaced = target.exists()
        if replaced:
            os.replace(target, previous)
        os.replace(incoming, target)
        try:
            report = run_ingest(
                self.store,
                self.settings,
                [target],
                progress,
                owner=user,
                documents={key: doc},
                locked=True,
            )
            if report.failures:
                reason = report.failures[0].removeprefix(f"{key}: ").removeprefix(f"{target}: ")
                raise BadInputError(f"{name}: {reason}")
            total = len(self.store.ids_for_path(key))
            self.mentee(user).add_document(shown, key, total)
        except BaseException:
            target.unlink(missing_ok=True)
            # Best effort: if putting things back fails too, the next ingest reconciles,
            # and the first error is the one worth reporting.
            with suppress(Exception):
                if replaced:
                    os.replace(previous, target)
                    run_ingest(self.store, self.settings, [target], owner=user, locked=True)
                else:
                    forget(self.store, [key], locked=True)
            raise
        return Upload(shown, target, report.chunks_added, total)

    def delete_document(self, user: str, document_id: int) -> str:
        """Remove an upload and every chunk of it; returns its file name."""
        with self._library_writer():
            path = self.mentee(user).remove_document(document_id)
            Path(path).unlink(missing_ok=True)
            forget(self.store, [path], locked=True)
        return Path(path).name

    def prep(
        self,
        goals: Sequence[str] = (),
        notes: str = "",
        actions: Sequence[str | NoteAction] = (),
        topics: Sequence[str] = (),
        minutes: int | None = None,
        user: str | None = None,
        next_meeting: str | None = None,
    ) -> Prep:
        """A timed agenda and cited questions for the next meeting. With `user`, that
        mentee's saved goals (when none are given), open action items and recent
        conversations are used too."""
        started = time.perf_counter()
        limit = self.settings.max_question_chars
        cleaned = [clean_question(g, limit) for g in goals if isinstance(g, str) and g.strip()]
        if len(notes) > 20 * limit:
            raise BadQuestionError(
                f"The meeting notes are {len(notes):,} characters; the limit is {20 * limit:,}."
            )
        length = self.settings.prep_minutes if minutes is None else minutes
        if length not in MEETING_MINUTES:
            raise BadInputError(f"A meeting is 30, 45 or 60 minutes long, not {minutes}.")
        meeting = meeting_time(next_meeting, self.settings.prep_meeting_days)
        saved = [
            a if isinstance(a, NoteAction) else NoteAction(a.strip(), due_date(a)) for a in actions
        ]
        saved = [a for a in saved if a.text]
        recent: list[RecentTopic] = []
        if user:
            data = self.mentee(user)
            if not cleaned:
                cleaned = [clean_question(g, limit) for g in data.profile().goals if g.strip()]
            saved += [NoteAction(a.text, a.due) for a in data.actions(open_only=True)]
            recent = self._recent_topics(data)
        self.store.require_nonempty()
        result = MeetingPrep(self.retriever, self.settings.prep_questions).prepare(
            cleaned,
            notes=notes,
            actions=saved,
            topics=tuple(topics),
            minutes=length,
            recent=recent,
            next_meeting=meeting,
        )
        result.latency_ms = (time.perf_counter() - started) * 1000
        return result

    @staticmethod
    def _recent_topics(data: MenteeData) -> list[RecentTopic]:
        """The opening question of each recent conversation, newest first."""
        out: list[RecentTopic] = []
        cutoff = time.time() - RECENT_DAYS * 86400
        for conv in data.conversations():
            if conv.updated < cutoff or len(out) >= MOST_RECENT:
                break
            first = next((m.content for m in data.messages(conv.id) if m.role == "user"), "")
            first = " ".join(first.split())
            if first:
                out.append(
                    RecentTopic(first if len(first) <= 160 else first[:157] + "...", conv.updated)
                )
        return out

    def count(self) -> int:
        return self.store.count()

"""Meeting prep: a timed agenda that carries the last meeting forward, and 5-8 questions
that fit the goals, each cited.

A goal is understood the way a question is: the section-level retrieval that answers
questions (chunks, BM25 and the sections' phrasings, fused) finds the guide sections
closest to it, and their topics say what the goal is about. A question bank fits a goal
when it shares those topics, or when its own group of questions is retrieved for the goal;
within the banks that fit, the questions closest to the goal are picked, and two that ask
the same thing never both appear. Each question names the goal it serves.

The agenda is built from the notes of the last meeting (coach.notes), the open action
items, the recent conversations and the goals, in blocks that add up to the meeting's
length and end with next steps. Every topic carries one cited sentence of guidance, and
each source has one number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from coach.answer import units
from coach.notes import read_notes, same_item
from coach.retrieve import Retriever, asker_perspective
from coach.text import content_terms, jaccard, sentence, short_title
from coach.types import (
    AgendaItem,
    Chunk,
    Citation,
    Filters,
    MeetingNotes,
    NoteAction,
    Passage,
    Prep,
    PrepQuestion,
    RecentTopic,
)

PROMPT = "prep@v2"
DEFAULT_GOAL = "make the most of my next mentoring meeting"
MEETING_MINUTES = (30, 45, 60)
GUIDE_SECTIONS = 6  # guide sections whose topics say what a goal is about
BANK_SECTIONS = 6  # groups of bank questions retrieved for a goal
# A candidate question scores its cosine to the goal plus RELEVANCE_WEIGHT times its bank's
# relevance to the goal (in [0, 1], below). Chosen on the dev prep cases
# (evals/cases/prep.jsonl); the sweep is in docs/prep.md.
RELEVANCE_WEIGHT = 1.0
# A bank fits a goal when its relevance is at least this (1.0: its topic is the goal's
# heaviest and its group was retrieved first); no question comes from a bank that does not.
MIN_AFFINITY = 0.5
# A bank's relevance: this share from its topics, the rest from its best retrieved group.
BLEND = 0.7
# The retrieved groups of bank questions vote for their topics at this weight; guide
# sections vote at 1.
GROUP_VOTE = 0.5
# The closest pair of bank questions (0.742, all-MiniLM-L6-v2) asks the same thing in two
# banks; evals flag pairs at 0.80. Prep treats a pair this close as one question.
DUPLICATE_COSINE = 0.74
# A guide or bank lists its main topic first; a later topic counts for less.
TOPIC_RANK = (1.0, 0.85, 0.7)
PER_GROUP = 3  # most questions from one group of a bank, so a pack spans the subject
GUIDANCE_PASSAGES = 3  # guide passages whose sentences compete to be a topic's guidance
# An open question gets guidance only from a passage, and a sentence, this close to it: a
# question the guides do not cover gets none rather than an unrelated quote.
GUIDANCE_MIN = 0.36
# A quoted script (a whole outreach email) is guidance for writing one, not a pointer.
GUIDANCE_WORDS = 40
MOST_OPEN_QUESTIONS = 4  # more become one block, so a short meeting still has time
RECENT_DAYS = 30  # conversations this recent are followed up
MOST_RECENT = 3


@dataclass
class _Bank:
    """One `##` group of a question bank."""

    chunk: Chunk
    bank: str
    questions: list[str]


@dataclass
class _Goal:
    text: str
    vector: np.ndarray
    guides: list[Passage]
    topics: dict[str, float]  # topic -> weight among the goal's guide sections, max 1.0
    groups: dict[str, float]  # bank chunk id -> retrieval score, max 1.0
    questions: list[PrepQuestion] = field(default_factory=list)


@dataclass
class _Candidate:
    text: str
    goal: int
    group: _Bank
    vector: np.ndarray
    score: float


def bank_id(source: str) -> str:
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


# Who the goal is written by. Retrieval's own test (coach.retrieve.asker_perspective) knows
# "my mentee" and "as a mentor"; a goal also says "I'm about to mentor a new grad".
_MENTORING = re.compile(
    r"\bmentor(?:ing)?\s+(?:a|an|my|our|some|someone|two|three|four|junior|new|people|"
    r"others|interns?|students?|colleagues?|graduates?)\b|"
    r"\b(?:person|people|someone|colleague|student|intern)s?\s+(?:that\s+|who\s+)?i\s+mentor\b|"
    r"(?<!as a )\bmentees?\b",
    re.I,
)
MENTOR_TOPIC = "giving-back"  # topics.yaml: "Becoming and being a mentor."


def speaks_as_mentor(goal: str) -> bool:
    if re.search(r"\b(?:as|being) a mentee\b", goal, re.I):
        return False
    return asker_perspective(goal) == "mentor" or bool(_MENTORING.search(goal))


def bank_affinity(bank_topics: tuple[str, ...], goal_topics: dict[str, float]) -> float:
    """How well a bank's subject agrees with a goal's: its topics are listed main one
    first, so a match on a later topic counts for less."""
    return max(
        (
            goal_topics.get(t, 0.0) * TOPIC_RANK[min(i, len(TOPIC_RANK) - 1)]
            for i, t in enumerate(bank_topics)
        ),
        default=0.0,
    )


def open_actions(notes: str) -> list[str]:
    """The open actions in pasted meeting notes, in the writer's words."""
    return [a.text for a in read_notes(notes).open_actions]


class Citations:
    """One number per source: a guide or bank quoted twice keeps its first number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_source: dict[str, int] = {}

    def cited(self, source: str) -> bool:
        return source in self._by_source

    def cite(self, passage: Passage, snippet: str, score: float) -> Citation:
        n = self._by_source.get(passage.chunk.source)
        if n is None:
            n = len(self.items) + 1
            self._by_source[passage.chunk.source] = n
            self.items.append(Citation.of(n, passage.chunk, snippet, score))
        return self.items[n - 1]


def split_minutes(weights: list[float], total: int, least: int = 2) -> list[int]:
    """Whole minutes in proportion to `weights`, at least `least` each, adding up to
    `total` (largest remainders get the spare minutes)."""
    if not weights:
        return []
    least = min(least, total // len(weights))
    spare = total - least * len(weights)
    raw = [w / sum(weights) * spare for w in weights]
    out = [least + int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: -(raw[i] - int(raw[i])))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def when_phrase(when: float, now: float) -> str:
    days = (dt.date.fromtimestamp(now) - dt.date.fromtimestamp(when)).days
    if days <= 0:
        return "Earlier today"
    if days == 1:
        return "Yesterday"
    if days < 7:
        return f"{days} days ago"
    if days < 14:
        return "Last week"
    return "On " + dt.date.fromtimestamp(when).strftime("%-d %b")


def _due(action: NoteAction) -> str:
    if not action.due:
        return action.text
    shown = dt.date.fromisoformat(action.due).strftime("%-d %b")
    return action.text if shown.lower() in action.text.lower() else f"{action.text} (due {shown})"


class MeetingPrep:
    def __init__(self, retriever: Retriever, n_questions: int = 7) -> None:
        self.retriever = retriever
        self.embedder = retriever.store.embedder
        self.n_questions = n_questions
        self._groups: tuple[int, list[_Bank]] = (0, [])

    # --- banks ----------------------------------------------------------------------------
    def _bank_groups(self) -> list[_Bank]:
        """Every group of the built-in question banks, rebuilt when the chunks change."""
        chunks = self.retriever.store.chunks()
        if self._groups[0] != id(chunks):
            groups = []
            for c in chunks.values():
                if c.kind != "questions" or c.owner:
                    continue
                questions = []
                for line in c.quotable_text().split("\n"):
                    q = re.sub(r"^\s*[-*]\s+", "", line).strip()
                    if q.endswith("?") and len(q.split()) >= 5:
                        questions.append(q)
                if questions:
                    groups.append(_Bank(c, bank_id(c.source), questions))
            groups.sort(key=lambda g: (g.chunk.path, g.chunk.ord))
            self._groups = (id(chunks), groups)
        return self._groups[1]

    def _search(self, text: str, kind: str, topics: tuple[str, ...], k: int) -> list[Passage]:
        found = self.retriever.search(text, Filters(kinds=(kind,), topics=topics), k=k).passages
        if not found and topics:
            found = self.retriever.search(text, Filters(kinds=(kind,)), k=k).passages
        return found

    def _understand(self, goal: str, topics: tuple[str, ...]) -> _Goal:
        """What a goal is about. Its closest guide sections and its closest groups of bank
        questions each vote for their topics, by rank (a bank lists its main topic first);
        the groups are also kept, with their retrieval scores."""
        guides = self._search(goal, "guide", topics, GUIDE_SECTIONS)
        groups = self._search(goal, "questions", topics, BANK_SECTIONS)
        weights: dict[str, float] = {}
        for found, weight in ((guides, 1.0), (groups, GROUP_VOTE)):
            best = max((p.score for p in found), default=0.0) or 1.0
            for rank, p in enumerate(found):
                vote = weight * max(p.score, 0.0) / best / (rank + 1)
                for i, t in enumerate(p.chunk.topics):
                    weights[t] = (
                        weights.get(t, 0.0) + vote * TOPIC_RANK[min(i, len(TOPIC_RANK) - 1)]
                    )
        vector = self.embedder.encode_cached([goal])[0]
        top = max(weights.values(), default=0.0) or 1.0
        best = max((p.score for p in groups), default=0.0) or 1.0
        return _Goal(
            text=goal,
            vector=vector,
            guides=guides,
            topics={t: w / top for t, w in weights.items()},
            groups={p.id: max(p.score, 0.0) / best for p in groups},
        )

    def _candidates(self, goals: list[_Goal]) -> list[list[_Candidate]]:
        """Per goal, the questions of the banks that fit it, best first."""
        groups = self._bank_groups()
        texts = [q for g in groups for q in g.questions]
        vecs = self.embedder.encode_cached(texts) if texts else np.zeros((0, 1))
        out: list[list[_Candidate]] = []
        for gi, goal in enumerate(goals):
            ranked: list[_Candidate] = []
            # A mentor's goal takes questions from the banks written for mentors, and a
            # mentee's never does: the same words ("support", "meetings") mean different
            # questions from either side.
            as_mentor = speaks_as_mentor(goal.text)
            sides = [g for g in groups if (MENTOR_TOPIC in g.chunk.topics) == as_mentor]
            side = {id(g) for g in sides} if sides else {id(g) for g in groups}
            hits: dict[str, float] = {}
            for group in groups:
                hit = goal.groups.get(group.chunk.id, 0.0)
                hits[group.bank] = max(hits.get(group.bank, 0.0), hit)
            # How well a bank fits: its topics against the goal's, blended with how well
            # its best group was retrieved for the goal. Either alone misleads when
            # retrieval puts one wrong guide or group first.
            relevance = [
                BLEND * bank_affinity(g.chunk.topics, goal.topics) + (1 - BLEND) * hits[g.bank]
                for g in groups
            ]
            # The best bank on the goal's side always fits: a goal outside every bank's
            # subject still gets the nearest questions there are.
            best = max(
                (r for g, r in zip(groups, relevance, strict=True) if id(g) in side), default=0
            )
            i = 0
            for group, rel in zip(groups, relevance, strict=True):
                fits = id(group) in side and (rel >= MIN_AFFINITY or rel >= best)
                for q in group.questions:
                    v = vecs[i]
                    i += 1
                    if fits:
                        score = float(v @ goal.vector) + RELEVANCE_WEIGHT * rel
                        ranked.append(_Candidate(q, gi, group, v, score))
            ranked.sort(key=lambda c: -c.score)
            out.append(ranked)
        return out

    def _pick(self, goals: list[_Goal], ranked: list[list[_Candidate]]) -> list[_Candidate]:
        """Round-robin across goals, best first, so every goal gets its share; a question
        that asks what a chosen one asks is skipped."""
        chosen: list[_Candidate] = []
        per_group: dict[tuple[int, str], int] = {}
        queues = [list(r) for r in ranked]
        while len(chosen) < self.n_questions and any(queues):
            for queue in queues:
                while queue:
                    c = queue.pop(0)
                    key = (c.goal, c.group.chunk.id)
                    if per_group.get(key, 0) >= PER_GROUP or self._repeats(c, chosen):
                        continue
                    per_group[key] = per_group.get(key, 0) + 1
                    chosen.append(c)
                    break
                if len(chosen) >= self.n_questions:
                    break
        return chosen

    @staticmethod
    def _repeats(c: _Candidate, chosen: list[_Candidate]) -> bool:
        terms = content_terms(c.text)
        return any(
            c.text.lower() == o.text.lower()
            or float(c.vector @ o.vector) >= DUPLICATE_COSINE
            or jaccard(terms, content_terms(o.text)) > 0.5
            for o in chosen
        )

    # --- guidance ------------------------------------------------------------------------
    def _on_subject(self, goal: _Goal, picked: list[_Candidate]) -> list[Passage]:
        """The goal's guide passages on the subject of its questions: guidance and
        questions should be about the same thing, even when retrieval ranked a guide on
        another subject first (a goal about speaking up in meetings is not about events)."""
        subject: dict[str, float] = {}
        for c in picked:
            for i, t in enumerate(c.group.chunk.topics):
                subject[t] = subject.get(t, 0.0) + TOPIC_RANK[min(i, len(TOPIC_RANK) - 1)]
        if not subject:
            return goal.guides
        top = max(subject.values())
        wanted = tuple(t for t, w in subject.items() if w >= 0.5 * top)

        def overlap(p: Passage) -> float:
            return sum(
                subject.get(t, 0.0) * TOPIC_RANK[min(i, len(TOPIC_RANK) - 1)]
                for i, t in enumerate(p.chunk.topics)
            )

        best = max((overlap(p) for p in goal.guides), default=0.0)
        aligned = [p for p in goal.guides if best and overlap(p) >= 0.5 * best]
        if aligned and set(aligned[0].chunk.topics) & set(wanted):
            return aligned
        found = self.retriever.search(goal.text, Filters(kinds=("guide",), topics=wanted), k=3)
        return found.passages or goal.guides

    def _guidance(
        self, vector: np.ndarray, passages: list[Passage], cites: Citations, least: float = -1.0
    ) -> tuple[str, Citation] | None:
        """The sentence closest to `vector` among the first GUIDANCE_PASSAGES passages,
        sources not yet cited first (a goal gets guidance of its own when there is any)."""
        fresh = [p for p in passages if not cites.cited(p.chunk.source)]
        for pool in (fresh, passages):
            best: tuple[float, str, Passage] | None = None
            for p in pool[:GUIDANCE_PASSAGES]:
                sentences = [
                    u.text
                    for u in units(0, p.chunk.quotable_text())
                    if not u.text.endswith("?") and len(u.text.split()) <= GUIDANCE_WORDS
                ]
                if not sentences:
                    continue
                sims = self.embedder.encode_cached(sentences) @ vector
                i = int(np.argmax(sims))
                if best is None or sims[i] > best[0]:
                    best = (float(sims[i]), sentences[i], p)
            if best is not None and best[0] >= least:
                return best[1], cites.cite(best[2], best[1], best[0])
        return None

    # --- the prep ------------------------------------------------------------------------
    def prepare(
        self,
        goals: list[str],
        notes: str = "",
        actions: list[NoteAction] | None = None,
        topics: tuple[str, ...] = (),
        minutes: int = 45,
        recent: list[RecentTopic] | None = None,
        next_meeting: str = "",
        now: float | None = None,
    ) -> Prep:
        now = dt.datetime.now().timestamp() if now is None else now
        recent = [r for r in recent or [] if now - r.when <= RECENT_DAYS * 86400][:MOST_RECENT]
        goals = [g.strip() for g in goals if g and g.strip()]
        if not goals:
            goals = [r.question for r in recent[:2]] or [DEFAULT_GOAL]
        read = read_notes(notes, dt.date.fromtimestamp(now))
        cites = Citations()
        understood = [self._understand(g, topics) for g in goals]
        picked = self._pick(understood, self._candidates(understood))

        # One piece of guidance per goal, cited before the questions so it gets the low
        # numbers in the order the agenda shows.
        guidance = [
            self._guidance(
                g.vector, self._on_subject(g, [c for c in picked if c.goal == gi]), cites
            )
            for gi, g in enumerate(understood)
        ]
        questions: list[PrepQuestion] = []
        for goal in understood:
            for c in (c for c in picked if understood[c.goal] is goal):
                bank = Passage(chunk=c.group.chunk, score=c.score)
                cited = [cites.cite(bank, c.text, c.score)]
                g = guidance[c.goal]
                if g is not None:
                    cited.append(g[1])
                q = PrepQuestion(text=c.text, citations=cited, goal=goal.text, bank=c.group.bank)
                goal.questions.append(q)
                questions.append(q)

        all_actions = [
            a
            for a in self._merge_actions(read.open_actions, actions or [])
            if not any(same_item(a.text, d) for d in read.done_actions)
        ]
        agenda = self._agenda(understood, guidance, read, all_actions, recent, now, cites)
        for item, m in zip(agenda, agenda_minutes(agenda, minutes), strict=True):
            item.minutes = m
        return Prep(
            goals=goals,
            agenda=agenda,
            questions=questions,
            citations=cites.items,
            latency_ms=0.0,
            prompt=PROMPT,
            minutes=minutes,
            notes=read,
            actions=all_actions,
            next_meeting=next_meeting,
        )

    @staticmethod
    def _merge_actions(from_notes: list[NoteAction], saved: list[NoteAction]) -> list[NoteAction]:
        out: list[NoteAction] = []
        seen: list[set[str]] = []
        for a in [*saved, *from_notes]:
            terms = content_terms(a.text)
            if any(jaccard(terms, s) >= 0.8 for s in seen):
                continue
            seen.append(terms)
            out.append(a)
        return out

    def _agenda(
        self,
        goals: list[_Goal],
        guidance: list[tuple[str, Citation] | None],
        notes: MeetingNotes,
        actions: list[NoteAction],
        recent: list[RecentTopic],
        now: float,
        cites: Citations,
    ) -> list[AgendaItem]:
        updates = [f"Done: {d}" for d in notes.done_actions]
        updates += [
            f"{when_phrase(r.when, now)} you asked “{r.question}”: how did it go?" for r in recent
        ]
        review = [f"Open action: {_due(a)}" for a in actions]
        review += [f"Decided: {d} (still the plan?)" for d in notes.decisions]
        if notes.topics:
            review.append("Last time you talked about: " + "; ".join(notes.topics))
        # A block about the last meeting only when there is a record of it (its notes, open
        # actions, recent conversations): a first meeting spends its time on the goals.
        met_before = bool(
            actions or notes.done_actions or notes.decisions or notes.topics or notes.open_questions
        )
        agenda: list[AgendaItem] = []
        if updates or met_before:
            agenda.append(
                AgendaItem(
                    "Updates and wins",
                    "What got done since last time, and one thing that went well."
                    if updates
                    else "Share one or two updates since you last met, including something "
                    "that went well.",
                    items=updates,
                    kind="updates",
                )
            )
        if review:
            agenda.append(
                AgendaItem(
                    "Review of last meeting",
                    "Go through each open action: done, in progress, or stuck and why."
                    if actions
                    else "Check what each of you agreed last time, and what came of it.",
                    items=review,
                    kind="review",
                )
            )
        shown = notes.open_questions[:MOST_OPEN_QUESTIONS]
        rest = notes.open_questions[MOST_OPEN_QUESTIONS:]
        for q in shown:
            agenda.append(self._open_question(q, cites))
        if rest:
            agenda.append(
                AgendaItem(
                    "More open questions from last time",
                    "Pick the one that matters most; the others can go in an email.",
                    items=rest,
                    kind="question",
                )
            )
        for goal, g in zip(goals, guidance, strict=True):
            detail, refs = f"Talk through: {sentence(goal.text)}", []
            if g is not None:
                detail += f" Guidance: {g[0]} [{g[1].n}]"
                refs.append(g[1].n)
            agenda.append(
                AgendaItem(
                    f"Topic: {short_title(goal.text)}",
                    detail,
                    refs,
                    items=[q.text for q in goal.questions],
                    kind="topic",
                )
            )
        steps = ["Agree who does what by when for each new action."]
        undated = [a.text for a in actions if not a.due]
        if undated:
            steps.append("Put a date on: " + "; ".join(undated))
        steps.append("Set the date of the next meeting.")
        agenda.append(
            AgendaItem(
                "Next steps",
                "Close with actions, owners and dates.",
                items=steps,
                kind="next-steps",
            )
        )
        return agenda

    def _open_question(self, question: str, cites: Citations) -> AgendaItem:
        title = short_title(question)
        item = AgendaItem(
            f"Open question: {title}",
            "Carried over from last time."
            if title == question
            else f"Carried over from last time: {sentence(question)}",
            kind="question",
        )
        found = self.retriever.search(question, Filters(kinds=("guide",)), k=3)
        if found.passages and found.best_dense >= GUIDANCE_MIN:
            g = self._guidance(found.vector, found.passages, cites, least=GUIDANCE_MIN)
            if g is not None:
                item.detail += f" Guidance: {g[0]} [{g[1].n}]"
                item.citations.append(g[1].n)
        return item


NEXT_STEPS_SHARE = 0.1  # of the meeting, for closing with actions and dates


def agenda_minutes(agenda: list[AgendaItem], minutes: int) -> list[int]:
    """Each block's minutes: next steps a tenth of the meeting (at least 2), the rest in
    proportion to the blocks' weights, adding up to `minutes`."""
    if len(agenda) < 2 or agenda[-1].kind != "next-steps":
        return split_minutes([_weight(a) for a in agenda], minutes)
    closing = max(2, round(minutes * NEXT_STEPS_SHARE))
    return [*split_minutes([_weight(a) for a in agenda[:-1]], minutes - closing), closing]


def _weight(item: AgendaItem) -> float:
    """A block's share of the meeting: topics get the most, a review grows with its items,
    an updates block with nothing in it yet gets little."""
    if item.kind == "topic":
        return 2.5
    if item.kind == "review":
        return 1.0 + 0.25 * min(len(item.items), 6)
    if item.kind == "updates":
        return 1.0 + 0.2 * min(len(item.items), 3) if item.items else 0.5
    return 1.0


def to_markdown(prep: Prep) -> str:
    from coach.share import to_markdown as render

    return render(prep)

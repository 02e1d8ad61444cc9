"""The small types that cross stage boundaries. LangChain types stay at the edges."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One loaded file: plain text with its metadata (title, topics, stages, kind)."""

    path: str  # absolute path, the key for incremental ingest
    source: str  # display path; ends with the file name
    text: str
    title: str
    kind: str = "guide"  # guide | questions | document
    topics: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    summary: str = ""


HEADING_LINE = -1  # in Chunk.flagged: the heading, not a line of the text


@dataclass(frozen=True)
class Chunk:
    """A heading-aware piece of a document, small enough for the embedder's window."""

    id: str  # content hash
    path: str
    source: str
    title: str
    section: str
    text: str
    ord: int
    kind: str = "guide"
    topics: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    summary: str = ""  # the document's one-line summary, if it has one
    owner: str = ""  # "" for shared guidance; a user name for a personal upload
    # Lines of `text` that read as planted instructions, found once at ingest
    # (coach/guard.py); HEADING_LINE stands for the title or section heading.
    flagged: tuple[int, ...] = ()

    def heading(self) -> str:
        return f"{self.title} - {self.section}" if self.section else self.title

    @property
    def suspect(self) -> bool:
        return bool(self.flagged)

    def quotable_text(self) -> str:
        """The text every reader quotes, shows or gives a model: the flagged lines are
        data, never instructions, so they are left out."""
        if not self.flagged:
            return self.text
        skip = set(self.flagged)
        return "\n".join(ln for i, ln in enumerate(self.text.split("\n")) if i not in skip)

    def quotable_heading(self) -> str:
        return "untitled" if HEADING_LINE in self.flagged else self.heading()

    def embed_text(self) -> str:
        """What the embedder sees: the headings and the document's summary give a short
        passage the context a question is phrased in."""
        context = f"{self.heading()}\n{self.summary}" if self.summary else self.heading()
        return f"{context}\n{self.text}"


@dataclass
class Passage:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float = 0.0  # cosine similarity to the query
    bm25: float = 0.0
    rank_dense: int | None = None
    rank_bm25: int | None = None

    @property
    def id(self) -> str:
        return self.chunk.id


@dataclass
class Citation:
    n: int
    source: str
    title: str
    snippet: str
    score: float
    section: str = ""
    passage_id: str = ""
    passage: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, n: int, chunk: Chunk, snippet: str, score: float) -> Citation:
        """Cite `chunk` as [n]: the quoted snippet (kept short) and the whole passage."""
        return cls(
            n=n,
            source=chunk.source,
            title=chunk.title,
            snippet=snippet if len(snippet) <= 300 else snippet[:297] + "...",
            score=round(score, 4),
            section=chunk.section,
            passage_id=chunk.id,
            passage=chunk.quotable_text(),
        )


@dataclass(frozen=True)
class Suggestion:
    """A question to ask next: a built-in guide section's heading, and where it is."""

    text: str
    section: str  # `guide-id#Heading`
    title: str = ""  # the guide's title
    topics: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "section": self.section, "title": self.title}


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    refused: bool
    mode: str
    prompt: str
    latency_ms: float
    query: str = ""  # what retrieval actually searched for, after condensing
    passages: list[Passage] = field(default_factory=list)
    escalated: bool = False  # a sensitive situation, answered with where to get help
    turn_id: int | None = None  # the logged turn, which feedback refers to
    note: str = ""  # what the user should know about how this answer was made
    generation: GenerationStats | None = None  # set when an LLM was asked
    suggestions: list[Suggestion] = field(default_factory=list)  # questions to ask next

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "refused": self.refused,
            "mode": self.mode,
            "prompt": self.prompt,
            "latency_ms": round(self.latency_ms, 1),
            "escalated": self.escalated,
            "note": self.note,
            "suggestions": [s.to_json() for s in self.suggestions],
        }


@dataclass
class ChatEvent:
    """One step of `Coach.chat`: the answer text so far, and the `Answer` at the end."""

    conversation_id: str
    text: str
    answer: Answer | None = None


@dataclass
class GenerationStats:
    """How one LLM reply went: for the turn log and the backend comparison."""

    model: str
    first_token_s: float | None = None  # from the request to the first streamed text
    seconds: float = 0.0  # from the request to the last streamed text
    tokens: int = 0  # streamed chunks; one token each on the servers we target
    sentences: int = 0  # sentences the reply made claims in
    kept: int = 0  # of those, how many passed verification
    dropped: dict[str, int] = field(default_factory=dict)  # why the others did not

    @property
    def tokens_per_s(self) -> float | None:
        span = self.seconds - (self.first_token_s or 0.0)
        return (self.tokens - 1) / span if self.tokens > 1 and span > 0 else None


@dataclass(frozen=True)
class Turn:
    """One message of a conversation, as the facade receives history."""

    role: str  # user | assistant
    content: str


@dataclass(frozen=True)
class Filters:
    topics: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    user: str = ""  # also search this user's personal library; shared guidance always

    def empty(self) -> bool:
        return not (self.topics or self.stages or self.kinds)


@dataclass
class PrepQuestion:
    text: str
    citations: list[Citation]
    goal: str = ""  # the goal the question serves, as the mentee wrote it
    bank: str = ""  # the question bank it comes from (file name without .md)


@dataclass(frozen=True)
class NoteAction:
    text: str
    due: str = ""  # ISO date, when the notes (or the action list) give one


@dataclass
class MeetingNotes:
    """What the notes of the last meeting say the next one should pick up."""

    open_actions: list[NoteAction] = field(default_factory=list)
    done_actions: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    open_questions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (
            self.open_actions
            or self.done_actions
            or self.decisions
            or self.open_questions
            or self.topics
        )


@dataclass(frozen=True)
class RecentTopic:
    """A question from a recent conversation, to follow up on."""

    question: str
    when: float  # Unix time of the conversation's last message


@dataclass
class AgendaItem:
    title: str
    detail: str
    citations: list[int] = field(default_factory=list)  # citation numbers
    minutes: int = 0
    items: list[str] = field(default_factory=list)  # concrete lines to go through
    kind: str = ""  # updates | review | question | topic | next-steps


@dataclass
class Prep:
    goals: list[str]
    agenda: list[AgendaItem]
    questions: list[PrepQuestion]
    citations: list[Citation]
    latency_ms: float
    prompt: str
    minutes: int = 45  # the meeting's length, which the agenda's blocks add up to
    notes: MeetingNotes = field(default_factory=MeetingNotes)
    actions: list[NoteAction] = field(default_factory=list)  # every open action, with dues
    next_meeting: str = ""  # ISO date and time (local, no zone) proposed for the meeting

    def to_json(self) -> dict[str, Any]:
        return {
            "goals": self.goals,
            "minutes": self.minutes,
            "next_meeting": self.next_meeting,
            "agenda": [asdict(a) for a in self.agenda],
            "questions": [
                {
                    "text": q.text,
                    "goal": q.goal,
                    "bank": q.bank,
                    "citations": [c.to_json() for c in q.citations],
                }
                for q in self.questions
            ],
            "notes": asdict(self.notes),
            "actions": [asdict(a) for a in self.actions],
            "citations": [c.to_json() for c in self.citations],
            "prompt": self.prompt,
            "latency_ms": round(self.latency_ms, 1),
        }


@dataclass
class IngestReport:
    files: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_unchanged: int = 0
    files_skipped: int = 0
    files_unchanged: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        line = (
            f"{self.files} files, {self.chunks_added} chunks added, "
            f"{self.chunks_removed} removed, {self.chunks_unchanged} unchanged, "
            f"{self.seconds:.1f} s"
        )
        if self.failures:
            line += f"; {len(self.failures)} file(s) could not be read"
        return line

"""The answerers: extractive (the default) and LLM (opt-in, verified).

The extractive answerer picks and arranges sentences from retrieved passages. Every point
it writes is a sentence (or two) lifted from a passage and cited to it, so the answer
cannot say anything the corpus does not. It refuses when nothing retrieved is close
enough to the question.

The LLM answerer asks a chat model to write the answer from the same passages, keeps only
the sentences that pass citation verification (coach/verify.py), and falls back to the
extractive answer when too little survives or the model fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coach.prompts import ChatPrompt, ExtractivePrompt, SafetyPrompt
from coach.retrieve import Retrieval
from coach.safety import ESCALATION_TOPIC
from coach.split import split_sentences
from coach.text import content_terms, jaccard, tokens
from coach.types import Answer, Citation, GenerationStats, Passage
from coach.verify import CitedText, ClaimReader, Verifier, passage_text

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from coach.settings import Settings

MODE = "extractive"
QUOTE_INSTEAD = "so this answer quotes the guides directly."
# A list marker is layout, never part of a quoted point: "-", "1.", "b)", "(iv)", ">".
_LIST_MARK = re.compile(r"^\s*(?:[-*+•▪◦●–]|\d+[.)]|\(?[a-zA-Z]\)|\(?[ivxIVX]{1,5}\)|>)\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # links and images, alt text or not
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
# "Another mistake is..." leans on the one before it as much as "This..." does.
_REFERRING = re.compile(
    r"^(this|that|these|those|it|they|such|both|another|then|also|however|but|and|or|so)\b",
    re.I,
)
_QUOTE_START = re.compile(r"^[\"“‘']")


@dataclass
class Unit:
    """A candidate point: one sentence, or a whole quoted script line."""

    text: str
    passage: int  # index into the passages
    position: int  # order within the passage
    score: float = 0.0


def clean(text: str) -> str:
    text = _TAG.sub("", text)  # markup in a document is never passed on as markup
    for _ in range(5):  # nested: [![alt](image)](link)
        linked, text = text, _LINK.sub(r"\1", text)
        if text == linked:
            break
    text = _LIST_MARK.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text and text[-1] not in '.!?"”’)':
        text += "."
    return text


def whole_quotes(sentences: list[str]) -> list[str]:
    """Sentences re-joined where a quotation runs across them: a message quoted inside a
    paragraph ("A reply might say: "Thank you. I understand."") is one point, not two."""
    out: list[str] = []
    for s in sentences:
        if out and _open_quote(out[-1]):
            out[-1] = f"{out[-1]} {s}"
        else:
            out.append(s)
    return out


def _open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def units(passage_index: int, text: str) -> list[Unit]:
    out: list[Unit] = []
    lead = ""  # "A simple opening could be:" belongs with the script on the next line
    for line in text.split("\n"):
        raw = line.strip()
        if not raw or raw.startswith("#"):
            continue
        is_script = raw.startswith(">") or _QUOTE_START.match(_LIST_MARK.sub("", raw))
        if is_script and len(raw.split()) <= 70:
            pieces = [raw]  # a script is quoted whole; half a message is no use
        else:
            pieces = whole_quotes(split_sentences(_LIST_MARK.sub("", raw)))
        if lead and not is_script:
            lead = ""  # the colon introduced a list or paragraph, not a script
        for k, piece in enumerate(pieces):
            if k == len(pieces) - 1 and piece.rstrip().endswith(":") and not is_script:
                lead = " ".join(_EMPHASIS.sub("", _LIST_MARK.sub("", piece)).split())
                continue
            sentence = clean(piece)
            if lead:
                sentence, lead = f"{lead} {sentence}", ""
            n_words = len(sentence.split())
            if n_words < 5 or n_words > 75:
                continue
            out.append(Unit(sentence, passage_index, len(out)))
    return out


def wants_questions(question: str) -> bool:
    return bool(
        re.search(
            r"\b(questions?|ask (my|a|the|your)|what (should|can|could) i ask)\b", question, re.I
        )
    )


def topic_phrase(question: str) -> str:
    """Restate the question as a short topic in the second person."""
    # Only words and light punctuation are echoed back: never markup from the question.
    q = re.sub(r"<[^>]*>|\[([^\]]*)\]\([^)]*\)|https?://\S+", " ", question)
    q = re.sub(r"[^\w\s'’,-]", " ", q)
    q = " ".join(q.split()).strip(" ,-")
    q = re.sub(r"\s*\(about: [^)]*\)$", "", q)
    q = re.sub(
        r"^(please\s+)?(can you tell me\s+|could you tell me\s+|tell me\s+|i want to know\s+|"
        r"any (tips|advice) (on|for|about)\s+|(tips|advice) (on|for|about)\s+)",
        "",
        q,
        flags=re.I,
    )
    q = re.sub(r"^(and|but|so|also|then)\s+", "", q, flags=re.I)
    q = re.sub(r"^how (do|can|should|would|could) (i|we)\s+", "how to ", q, flags=re.I)
    q = re.sub(
        r"^how (often|long|much|many|soon|early|far) (should|do|can|would|could|must) "
        r"(i|we)\s+",
        r"how \1 to ",
        q,
        flags=re.I,
    )
    q = re.sub(
        r"^what (should|do|can) (i|we) do (about|when|if)\s+", "what to do \\3 ", q, flags=re.I
    )
    q = re.sub(
        r"^(what|which|who|where|when|why|is|are|should|do|does|can) ",
        lambda m: m.group(0).lower(),
        q,
    )
    swaps = {
        "i": "you",
        "me": "you",
        "my": "your",
        "mine": "yours",
        "i'm": "you're",
        "myself": "yourself",
        "am": "are",
        "i've": "you've",
        "we": "you",
        "our": "your",
        "us": "you",
    }
    words = [swaps.get(w.lower(), w) if w.lower() in swaps else w for w in q.split()]
    phrase = " ".join(words)
    if phrase[:1].isupper() and not phrase[:2].isupper():
        phrase = phrase[0].lower() + phrase[1:]
    if len(phrase) > 90:
        phrase = "your question"
    return phrase or "your question"


HELP_POINTS = 3  # where to go, quoted from the guides on getting help
MIN_POINTS = 3  # fewer from the best section, and the next section adds to them
# A sentence of the best section is a point when it scores within this of the section's
# best sentence: sections are short, so most of their sentences answer the question.
SECTION_SPREAD = 0.25
# The user's own passage is quoted when it is among the first OWN_PASSAGES and scores at
# least OWN_NEAR of the best (evals/library/, docs/retrieval.md).
OWN_PASSAGES = 5
OWN_NEAR = 0.7
_WORDING = re.compile(
    r"\b(what|how) (should|could|do|can|would) i (say|write|tell|word|phrase|put|email|message|"
    r"text|reply|respond|ask)\b|\bwhat to (say|write)\b|\b(script|template|wording|word it)\b|"
    r"\b(write|draft) (me )?(a|an|the) (message|email|note|reply|text)\b|\bexact words\b",
    re.I,
)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


def wants_wording(question: str) -> bool:
    """The mentee asks for the words to say, write or send."""
    return bool(_WORDING.search(question))


def quoted_message(text: str) -> bool:
    """A point that quotes something to say or send: eight or more words in quotes."""
    return any(len(m.split()) >= 8 for m in _QUOTED.findall(text))


ADVICE_POINTS = 2  # ordinary mentoring advice after it, when some is close enough
# Advice follows help only from a section clearly about the message: a loosely related tip
# after a serious disclosure reads as not listening.
ADVICE_MARGIN = 0.2
OWN_ADVICE_MARGIN = 0.1


def _already_shown(text: str, shown: Collection[str]) -> bool:
    mine = " ".join(text.lower().split())
    return any(mine in point for point in shown)


def _section_of(p: Passage) -> tuple[str, str]:
    return (p.chunk.path, p.chunk.section)


def _ranked_sections(passages: list[Passage]) -> list[tuple[str, str]]:
    """The passages' sections, best first (a section ranks where its first passage does)."""
    return list(dict.fromkeys(_section_of(p) for p in passages))


class SectionCitations:
    """One citation number per section, in the order the points first cite them: a
    section split over two chunks is still one source, and its citation holds both."""

    def __init__(self, points: list[Unit], passages: list[Passage]) -> None:
        self.points = points
        self.passages = passages
        self.numbers: dict[tuple[str, str], int] = {}
        self.members: dict[tuple[str, str], list[int]] = {}
        for u in points:
            self.numbers.setdefault(self.key(u), len(self.numbers) + 1)
            if u.passage not in self.members.setdefault(self.key(u), []):
                self.members[self.key(u)].append(u.passage)

    def key(self, u: Unit) -> tuple[str, str]:
        chunk = self.passages[u.passage].chunk
        return chunk.path, chunk.section

    def n(self, u: Unit) -> int:
        return self.numbers[self.key(u)]

    def citations(self, score: Callable[[list[Unit], Passage], float]) -> list[Citation]:
        out = []
        for k, n in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            quoted = [u for u in self.points if self.key(u) == k]
            lead = self.passages[self.members[k][0]]
            citation = Citation.of(
                n, lead.chunk, " ".join(u.text for u in quoted), score(quoted, lead)
            )
            citation.passage = "\n".join(
                self.passages[i].chunk.quotable_text() for i in self.members[k]
            )
            out.append(citation)
        return out


class ExtractiveAnswerer:
    def __init__(
        self,
        embedder,
        prompt: ExtractivePrompt,
        refuse_below: float,
        max_points: int = 5,
        safety: SafetyPrompt | None = None,
    ) -> None:
        self.embedder = embedder
        self.prompt = prompt
        self.refuse_below = refuse_below
        self.max_points = max_points
        self.safety = safety

    def refusal(self, latency_ms: float = 0.0, query: str = "") -> Answer:
        return Answer(self.prompt.refusal, [], True, MODE, self.prompt.id, latency_ms, query)

    def small_talk(self) -> Answer:
        return Answer(self.prompt.small_talk, [], True, "small-talk", self.prompt.id, 0.0)

    def thanks(self) -> Answer:
        """A short acknowledgement and an offer (the suggestions follow it)."""
        text = self.prompt.thanks or self.prompt.small_talk
        return Answer(text, [], False, "small-talk", self.prompt.id, 0.0)

    def nothing_new(self, query: str = "") -> Answer:
        """Everything the sections in play say has been shown in this conversation."""
        text = self.prompt.nothing_new or self.prompt.refusal
        return Answer(text, [], False, "nothing-new", self.prompt.id, 0.0, query)

    def relevant(self, retrieval: Retrieval) -> bool:
        if retrieval.escalation:  # never turn away someone in a serious situation
            return bool(retrieval.passages)
        if retrieval.offtopic is not None:  # the safety module judged the message
            return bool(retrieval.passages) and not retrieval.offtopic
        return bool(retrieval.passages) and retrieval.best_dense >= self.refuse_below

    def answer(self, question: str, retrieval: Retrieval, shown: Collection[str] = ()) -> Answer:
        """The answer from the retrieved passages. `shown` holds the points a conversation
        has already shown (normalised, coach.conversation.points_of): they are not
        quoted again."""
        if not self.relevant(retrieval):
            return self.refusal(query=retrieval.query)
        if retrieval.escalation and self.safety is not None:
            sensitive = self.answer_sensitive(question, retrieval)
            if sensitive is not None:
                return sensitive
        passages = retrieval.passages
        allow_questions = wants_questions(question)
        candidates: list[Unit] = []
        for i, p in enumerate(passages):
            for u in units(i, p.chunk.quotable_text()):
                if u.text.endswith("?") and not allow_questions:
                    continue
                if shown and _already_shown(u.text, shown):
                    continue
                candidates.append(u)
        if not candidates:
            if shown:
                return self.nothing_new(retrieval.query)
            return self.refusal(query=retrieval.query)

        # Points come from the two best sections; the other units are embedded only when
        # those give none (embedding every unit was most of an answer's time).
        top = set(_ranked_sections(passages)[:2])
        focus = [u for u in candidates if _section_of(passages[u.passage]) in top]
        chosen = self._select_section(
            question, focus, self._score(focus, retrieval, passages), passages
        )
        if not chosen:
            chosen = self._select(candidates, self._score(candidates, retrieval, passages))
        chosen = self._with_own(retrieval, passages, candidates, chosen)
        return self._compose(question, retrieval, passages, chosen)

    def _with_own(
        self,
        retrieval: Retrieval,
        passages: list[Passage],
        candidates: list[Unit],
        chosen: list[Unit],
    ) -> list[Unit]:
        """A question the user's own document answers nearly as well as a guide quotes
        their document too: its best point closes the answer. (Asked from a library, a
        guide first and the user's handbook unquoted was the commonest miss.)"""
        if not chosen or any(passages[u.passage].chunk.owner for u in chosen):
            return chosen
        top = passages[0].score
        own = next(
            (
                i
                for i, p in enumerate(passages[:OWN_PASSAGES])
                if p.chunk.owner and p.score >= OWN_NEAR * top
            ),
            None,
        )
        if own is None:
            return chosen
        section = _section_of(passages[own])
        # A lone closing point cannot lean on a sentence the reader does not see.
        units_ = [
            u
            for u in candidates
            if _section_of(passages[u.passage]) == section and not _REFERRING.match(u.text)
        ]
        if not units_:
            return chosen
        vectors = self._score(units_, retrieval, passages)
        best = max(range(len(units_)), key=lambda i: units_[i].score)
        shown = self.embedder.encode_cached([u.text for u in chosen])
        if float((shown @ vectors[best]).max()) > 0.8:
            return chosen  # says what the answer already says
        kept = chosen[: self.max_points - 1]
        return [*kept, units_[best]]

    def _score(
        self, units_: list[Unit], retrieval: Retrieval, passages: list[Passage]
    ) -> np.ndarray:
        """Each unit's score against the question; returns the units' vectors."""
        if not units_:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        vectors = self.embedder.encode_cached([u.text for u in units_])
        semantic = vectors @ retrieval.vector
        query_terms = set(tokens(retrieval.query))
        for u, sim in zip(units_, semantic, strict=True):
            overlap = len(query_terms & content_terms(u.text)) / max(1, len(query_terms))
            rank_prior = 1.0 / (1 + u.passage)  # fused rank of its passage
            u.score = 0.6 * float(sim) + 0.2 * overlap + 0.2 * rank_prior
            if _REFERRING.match(u.text):
                u.score -= 0.08  # leans on a sentence the reader will not see
            if (
                retrieval.escalation
                and passages[u.passage].chunk.topics
                and (ESCALATION_TOPIC in passages[u.passage].chunk.topics)
            ):
                u.score += 0.3  # where to get help leads, ahead of generic tips
        return vectors

    def _select_section(
        self, question: str, candidates: list[Unit], vectors: np.ndarray, passages: list[Passage]
    ) -> list[Unit]:
        """Whole thoughts from one section: the best-ranked passage's section gives the
        points, in the order they were written; a second section adds points only when
        the first has too few. A point that opens with a referring word ("This...") is
        kept only right after the sentence it refers to. A request for wording leads with
        a quoted message, from the best section if it has one."""
        key = [_section_of(p) for p in passages]
        ranked_sections = _ranked_sections(passages)
        picked: list[int] = []

        def similar(i: int) -> bool:
            terms = content_terms(candidates[i].text)
            return any(
                float(vectors[i] @ vectors[j]) > 0.8
                or jaccard(terms, content_terms(candidates[j].text)) > 0.5
                for j in picked
            )

        def reading(i: int) -> tuple[int, int]:
            u = candidates[i]
            return passages[u.passage].chunk.ord, u.position

        if wants_wording(question):
            top = set(ranked_sections[:2])
            scripts = [
                i
                for i, u in enumerate(candidates)
                if quoted_message(u.text) and key[u.passage] in top
            ]
            if scripts:
                picked.append(max(scripts, key=lambda i: candidates[i].score))
        for section in ranked_sections[:2]:
            members = sorted(
                (i for i, u in enumerate(candidates) if key[u.passage] == section), key=reading
            )
            if not members:
                continue
            best = max(candidates[i].score for i in members)
            previous: int | None = None
            for i in members:
                u = candidates[i]
                if len(picked) >= self.max_points:
                    break
                follows = previous is not None and previous in picked
                if _REFERRING.match(u.text) and not follows:
                    previous = i
                    continue  # leans on a sentence the reader would not see
                if i not in picked and u.score >= best - SECTION_SPREAD and not similar(i):
                    picked.append(i)
                previous = i
            if len(picked) >= MIN_POINTS:
                break
        return [candidates[i] for i in picked]

    def answer_sensitive(self, question: str, retrieval: Retrieval) -> Answer | None:
        """Acknowledge, say where to go, quote the guide on getting help, and only then
        give ordinary mentoring advice (never after a crisis: it would read as tips)."""
        assert self.safety is not None and retrieval.escalation
        wording = self.safety.wording(retrieval.escalation, retrieval.voice)
        passages = retrieval.passages
        helps = [i for i, p in enumerate(passages) if ESCALATION_TOPIC in p.chunk.topics]
        others = [i for i, p in enumerate(passages) if i not in helps]
        # The help sections lead with what to do: their first sentences, in order.
        help_units = [
            u
            for i in helps
            for u in units(i, passages[i].chunk.quotable_text())
            if not u.text.endswith("?")
        ][:HELP_POINTS]
        if not help_units:
            return None
        advice: list[Unit] = []
        if retrieval.escalation != "crisis":
            close = [i for i in others if passages[i].dense >= self.refuse_below + ADVICE_MARGIN]
            # The user's own document (their company's policy, their programme's rules)
            # says where to go in their own workplace: it gives the advice when it is
            # close, by a lower bar than a guide's tips.
            own = [
                i
                for i in others[:OWN_PASSAGES]
                if passages[i].chunk.owner
                and passages[i].dense >= self.refuse_below + OWN_ADVICE_MARGIN
            ]
            close = own[:1] or close
            pool = [
                u
                for i in close[:2]
                for u in units(i, passages[i].chunk.quotable_text())
                if not u.text.endswith("?") and not _REFERRING.match(u.text)
            ]
            if pool:
                vectors = self.embedder.encode_cached([u.text for u in pool])
                for u, sim in zip(pool, vectors @ retrieval.vector, strict=True):
                    u.score = float(sim)
                best = max(pool, key=lambda u: u.score)
                advice = sorted(
                    (u for u in pool if u.passage == best.passage),
                    key=lambda u: -u.score,
                )[:ADVICE_POINTS]
                advice.sort(key=lambda u: u.position)

        cites = SectionCitations(help_units + advice, passages)
        first = passages[help_units[0].passage].chunk
        lines = [wording.opening, "", self.safety.help_lead.format(title=first.title)]
        lines += [f"- {u.text} [{cites.n(u)}]" for u in help_units]
        if advice:
            n = cites.n(advice[0])
            title = passages[advice[0].passage].chunk.title
            lines += ["", self.safety.advice_lead.format(title=title, n=n)]
            lines += [f"- {u.text} [{cites.n(u)}]" for u in advice]
        citations = cites.citations(lambda _quoted, lead: lead.score)
        return Answer(
            answer="\n".join(lines),
            citations=citations,
            refused=False,
            mode=MODE,
            prompt=self.safety.id,
            latency_ms=0.0,
            query=retrieval.query,
            passages=passages,
            escalated=True,
        )

    def _select(self, candidates: list[Unit], vectors: np.ndarray) -> list[Unit]:
        order = sorted(range(len(candidates)), key=lambda i: -candidates[i].score)
        best = candidates[order[0]].score
        chosen: list[int] = []
        per_passage: dict[int, int] = {}
        for i in order:
            u = candidates[i]
            if len(chosen) >= self.max_points:
                break
            if len(chosen) >= 3 and u.score < best - 0.15:
                break  # only strong extra points; three is the floor
            if per_passage.get(u.passage, 0) >= 2 or _REFERRING.match(u.text):
                continue  # a "This..." point here would lean on a sentence not shown
            terms = content_terms(u.text)
            if any(
                float(vectors[i] @ vectors[j]) > 0.8
                or jaccard(terms, content_terms(candidates[j].text)) > 0.5
                for j in chosen
            ):
                continue
            chosen.append(i)
            per_passage[u.passage] = per_passage.get(u.passage, 0) + 1
        return [candidates[i] for i in chosen]

    def _compose(
        self, question: str, retrieval: Retrieval, passages: list[Passage], chosen: list[Unit]
    ) -> Answer:
        cites = SectionCitations(chosen, passages)
        first = passages[chosen[0].passage]
        if retrieval.escalation and ESCALATION_TOPIC in first.chunk.topics:
            lead = self.prompt.escalation.format(title=first.chunk.title)
        else:
            lead = self.prompt.lead_in(
                question, topic_phrase(question), first.chunk.title, first.chunk.section
            )
        lines = [lead, ""]
        previous: Unit | None = None
        for u in chosen:
            joins = (
                previous is not None
                and _REFERRING.match(u.text)
                and previous.passage == u.passage
                and previous.position == u.position - 1
            )
            if joins:  # "This..." stays with the sentence it points back to
                lines[-1] = lines[-1].rsplit(" [", 1)[0] + f" {u.text} [{cites.n(u)}]"
            else:
                lines.append(f"- {u.text} [{cites.n(u)}]")
            previous = u
        citations = cites.citations(lambda quoted, _lead: max(u.score for u in quoted))
        return Answer(
            escalated=bool(retrieval.escalation),
            answer="\n".join(lines),
            citations=citations,
            refused=False,
            mode=MODE,
            prompt=self.prompt.id,
            latency_ms=0.0,
            query=retrieval.query,
            passages=passages,
        )


def prompt_passages(passages: list[Passage]) -> str:
    """The passages as the model sees them: numbered, fenced, marked as quoted data."""
    blocks = []
    for n, p in enumerate(passages, 1):
        title = p.chunk.quotable_heading().replace("<<", "").replace(">>", "")
        blocks.append(f"<<passage {n}: {title}>>\n{passage_text(p.chunk)}\n<<end of passage {n}>>")
    return "\n\n".join(blocks)


class LLMAnswerer:
    """Answers with a chat model; every sentence shown has passed verification."""

    def __init__(
        self,
        extractive: ExtractiveAnswerer,
        model: BaseChatModel,
        prompt: ChatPrompt,
        embedder,
        settings: Settings,
        label: str,
    ) -> None:
        self.extractive = extractive
        self.model = model
        self.prompt = prompt
        self.embedder = embedder
        self.settings = settings
        self.label = label

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the verified text as it grows, then the finished `Answer`."""
        from coach.llm import LLMFailure, stream_reply

        if not self.extractive.relevant(retrieval):
            yield self.extractive.refusal(query=retrieval.query)
            return
        if retrieval.escalation:
            # Someone in a serious situation gets the vetted wording of the guide on
            # getting help, not a paraphrase.
            yield self.extractive.answer(question, retrieval)
            return
        given = [p for p in retrieval.passages if passage_text(p.chunk)]
        s = self.settings
        system, user = self.prompt.render(question=retrieval.query, passages=prompt_passages(given))
        stats = GenerationStats(model=self.label)
        reader = ClaimReader()
        verifier = Verifier(self.embedder, given, s.verify_similarity, s.verify_overlap)
        cited = CitedText(given)
        try:
            for piece in stream_reply(self.model, system, user, s.llm_timeout, stats):
                if self._take(reader.feed(piece), verifier, cited, stats):
                    yield cited.text()
            if self._take(reader.close(), verifier, cited, stats):
                yield cited.text()
        except LLMFailure as exc:
            yield self._fallback(
                question, retrieval, f"{_sentence(str(exc))}, {QUOTE_INSTEAD}", stats
            )
            return
        dropped = stats.sentences - stats.kept
        if stats.kept < s.verify_min_sentences or stats.kept < s.verify_min_share * stats.sentences:
            if not stats.sentences:
                reason = "The language model gave no usable answer"
            else:
                reason = (
                    f"Only {stats.kept} of the language model's {stats.sentences} sentences "
                    "were supported by the guides it cited"
                )
            yield self._fallback(question, retrieval, f"{reason}, {QUOTE_INSTEAD}", stats)
            return
        note = ""
        if dropped:
            note = (
                f"{dropped} sentence{'s' if dropped > 1 else ''} that the cited guides did "
                "not support " + ("were" if dropped > 1 else "was") + " removed."
            )
        yield Answer(
            answer=cited.text(),
            citations=cited.citations(),
            refused=False,
            mode="llm-trimmed" if dropped else "llm",
            prompt=self.prompt.id,
            latency_ms=0.0,
            query=retrieval.query,
            passages=retrieval.passages,
            note=note,
            generation=stats,
        )

    def _take(self, claims, verifier: Verifier, cited: CitedText, stats: GenerationStats) -> bool:
        """Verify new claims; True if the visible text grew."""
        grew = False
        for claim in claims:
            verdict = verifier.check(claim)
            added = cited.add(verdict)
            if not (added or claim.substantive):
                continue  # framing like "A few ideas:" is not a claim
            stats.sentences += 1
            if added:
                stats.kept += 1
                grew = True
            else:
                reason = verdict.reason or "repeats an earlier sentence"
                stats.dropped[reason] = stats.dropped.get(reason, 0) + 1
        return grew

    def _fallback(
        self, question: str, retrieval: Retrieval, note: str, stats: GenerationStats
    ) -> Answer:
        answer = self.extractive.answer(question, retrieval)
        answer.mode = "extractive-fallback"
        answer.prompt = self.prompt.id  # the prompt under test is the one that fell short
        answer.note = note
        answer.generation = stats
        return answer


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]

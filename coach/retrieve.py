"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused, de-duplicated.

Fusion is a weighted sum of normalised scores by default; reciprocal rank fusion is kept
for comparison (`COACH_FUSION`). The measurements behind that choice are in
docs/retrieval.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from coach.phrasings import PhrasingIndex
from coach.rank import RankModel, SectionClassifier, load_classifier, load_model, section_features
from coach.settings import Settings
from coach.store import Store, matches
from coach.text import content_terms, jaccard
from coach.types import Chunk, Filters, Passage

Mode = Literal["hybrid", "dense", "bm25"]
DUPLICATE_JACCARD = 0.8
STAGE_BOOST = 0.05  # a nudge, not a filter: relevance still decides
# A follow-up stays with the guide the conversation is on (tuned on the dev conversations).
GUIDE_BOOST = 0.8
PHRASINGS_OWN = True
PHRASING_SECTIONS = 8  # the closest sections by phrasing join the candidates
PHRASING_CHUNKS = 4  # ...with their first chunks (a guide section has one to three)
# With the learned section ranker (coach/rank.py), the built-in sections are ordered among
# themselves by this blend of the ranker's score with the chunk's own fused score; the
# phrasing weight still sets how they compete with the user's documents. On the dev advice
# questions, with this blend also setting the scores (before the rank swap below), section
# hit@1 was 0.744, 0.760, 0.769 and 0.744 at 0.5, 0.7, 0.85 and 0.95.
RANK_WEIGHT = 0.85
# A section written for the other side (mentor advice for a mentee) ranks a little lower.
PERSPECTIVE_PENALTY = 0.05
# A question that names one of the user's own documents ("our handbook", "my notes",
# "that article") ranks their passages higher. A blanket priority for their documents, and
# one for words only their library holds, cost more built-in answers than they won
# (docs/retrieval.md, "The user's own documents").
OWN_NAMED = 0.3
_NAMES_A_DOCUMENT = re.compile(
    r"\b(my|our|the|that|this|these|those)\s+(?:[\w'-]+\s+){0,3}?"
    r"(notes?|handbook|policy|policies|template|article|post|blog|document|doc|pdf|workbook|"
    r"faq|page|slides?|deck|pack|file|newsletter|thread|minutes|booklet|handout|checklist|"
    r"leaflet|brochure|presentation|write-?up)\b",
    re.I,
)


def names_a_document(question: str) -> bool:
    return bool(_NAMES_A_DOCUMENT.search(question))


@dataclass
class Retrieval:
    query: str
    vector: np.ndarray
    passages: list[Passage]
    best_dense: float  # cosine similarity of the closest chunk, before fusion
    escalation: str | None = None  # a sensitive situation: professional help comes first
    offtopic: bool | None = None  # the safety module's scope decision (None: not judged)
    voice: str = ""  # a sensitive answer's voice: "", "uncertain" or "someone_else"


@dataclass(frozen=True)
class Context:
    """What a conversation adds to a follow-up's search: its topic as a vector, blended
    with the message's own (`mix` is the topic's weight), the guides it is on (latest
    first, ranked a little higher), and sections not to answer from again."""

    vector: np.ndarray | None = None
    mix: float = 0.0
    guides: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # sections the message names by their heading (a suggestion)
    boost: float = 0.0  # how much higher the guides rank; GUIDE_BOOST when not given


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


def weighted(
    dense: list[tuple[str, float]], bm25: list[tuple[str, float]], dense_weight: float
) -> dict[str, float]:
    """Weighted sum of min-max normalised scores; a missing score counts as the minimum."""

    def norm(pairs: list[tuple[str, float]]) -> dict[str, float]:
        if not pairs:
            return {}
        values = [s for _, s in pairs]
        lo, hi = min(values), max(values)
        span = hi - lo or 1.0
        return {cid: (s - lo) / span for cid, s in pairs}

    d, b = norm(dense), norm(bm25)
    return {
        cid: dense_weight * d.get(cid, 0.0) + (1 - dense_weight) * b.get(cid, 0.0)
        for cid in set(d) | set(b)
    }


def section_key(chunk: Chunk) -> str:
    """`guide-id#Heading`: the section a chunk belongs to."""
    name = chunk.source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name.rsplit('.', 1)[0]}#{chunk.section}"


_MENTOR = re.compile(
    r"\b(my|a|our) mentees?\b|\bas (a|their|her|his) mentor\b|"
    r"\bmentor(ing)? (someone|them|him|her)\b|\bto (be|become) (a|their|her|his) mentor\b|"
    r"\bi('m| am) (a|their|her|his) mentor\b",
    re.I,
)
_MANAGER = re.compile(
    r"\b(my|our) (direct )?reports?\b|\bas (a|their) manager\b|\bmy team members?\b|"
    r"\bpeople i manage\b|\bi manage\b",
    re.I,
)


def asker_perspective(question: str) -> str:
    """Who is asking: a mentor about a mentee, a manager about their team, or (by
    default) a mentee about themselves."""
    if _MENTOR.search(question):
        return "mentor"
    if _MANAGER.search(question):
        return "manager"
    return "mentee"


class Retriever:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        phrasings: PhrasingIndex | None = None,
        ranker: RankModel | None = None,
        classifier: SectionClassifier | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.phrasings = phrasings
        self.ranker = ranker if ranker is not None else load_model()
        classifier = classifier if classifier is not None else load_classifier()
        # It knows the built-in sections: over another corpus it would favour those it knows.
        if phrasings is None or (
            classifier is not None and set(classifier.keys) != set(phrasings.sections)
        ):
            classifier = None
        self.classifier = classifier
        self._sections: tuple[int, dict[str, list[str]]] = (0, {})
        self._section_of: dict[str, str] = {}  # chunk id -> section key, rebuilt with it

    def _section_chunks(self, chunks: dict[str, Chunk]) -> dict[str, list[str]]:
        """Chunk ids of each built-in guide section, rebuilt when the chunks change."""
        if self._sections[0] != id(chunks):
            by_key: dict[str, list[str]] = {}
            for cid, c in chunks.items():
                if c.kind == "guide" and not c.owner:
                    by_key.setdefault(section_key(c), []).append(cid)
            self._sections = (id(chunks), by_key)
            self._section_of = {cid: key for key, ids in by_key.items() for cid in ids}
        return self._sections[1]

    def search(
        self,
        query: str,
        filters: Filters = Filters(),
        k: int | None = None,
        mode: Mode = "hybrid",
        prefer_stages: tuple[str, ...] = (),
        context: Context | None = None,
    ) -> Retrieval:
        """Top-k passages for `query`. `prefer_stages` is a soft filter: passages written
        for those career stages score a little higher, nothing is excluded. `context`
        carries a conversation's topic into a follow-up's search."""
        k = k or self.settings.top_k
        n = self.settings.candidates
        vector = own = self.store.embedder.encode_cached([query])[0]
        if context is not None and context.vector is not None and context.mix > 0:
            blended = vector + context.mix * context.vector
            vector = blended / max(float(np.linalg.norm(blended)), 1e-9)
        dense = self.store.dense_search(vector, n, filters) if mode != "bm25" else []
        bm25 = self.store.bm25_search(query, n, filters) if mode != "dense" else []
        if mode == "dense":
            fused = {cid: s for cid, s in dense}
        elif mode == "bm25":
            fused = {cid: s for cid, s in bm25}
        elif self.settings.fusion == "weighted":
            fused = weighted(dense, bm25, self.settings.dense_weight)
        else:
            fused = rrf([[c for c, _ in dense], [c for c, _ in bm25]], self.settings.rrf_k)

        dense_score = dict(dense)
        dense_rank = {cid: i for i, (cid, _) in enumerate(dense)}
        bm25_score = dict(bm25)
        bm25_rank = {cid: i for i, (cid, _) in enumerate(bm25)}
        chunks = self.store.chunks()
        if self.phrasings is not None and mode == "hybrid" and self.settings.phrasing_weight:
            # The topic picks the guides; the message's own words pick the section.
            self._add_phrasings(
                query, own if PHRASINGS_OWN else vector, fused, chunks, filters, dense, bm25
            )
        if context is not None:
            self._follow(context, fused, chunks)
        if filters.user and mode == "hybrid":
            self._prefer_own(query, filters.user, fused, chunks)
        if prefer_stages:
            top = max(fused.values(), default=0.0)
            for cid in fused:
                chunk = chunks.get(cid)
                if chunk and set(prefer_stages) & set(chunk.stages):
                    fused[cid] += STAGE_BOOST * top
        ranked = sorted(fused, key=lambda c: (-fused[c], c))
        passages: list[Passage] = []
        kept_terms: list[set[str]] = []
        for cid in ranked:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            terms = content_terms(chunk.text)
            if any(jaccard(terms, other) >= DUPLICATE_JACCARD for other in kept_terms):
                continue  # near-duplicate of a better passage
            kept_terms.append(terms)
            passages.append(
                Passage(
                    chunk=chunk,
                    score=fused[cid],
                    dense=dense_score.get(cid, 0.0),
                    bm25=bm25_score.get(cid, 0.0),
                    rank_dense=dense_rank.get(cid),
                    rank_bm25=bm25_rank.get(cid),
                )
            )
            if len(passages) >= k:
                break
        best = dense[0][1] if dense else 0.0
        return Retrieval(query=query, vector=vector, passages=passages, best_dense=best)

    def _prefer_own(
        self, query: str, user: str, fused: dict[str, float], chunks: dict[str, Chunk]
    ) -> None:
        """A question that names a document ranks the user's own passages higher."""
        if not (OWN_NAMED and names_a_document(query)):
            return
        top = max(fused.values(), default=0.0)
        for cid, score in fused.items():
            chunk = chunks.get(cid)
            if chunk is not None and chunk.owner == user:
                fused[cid] = score + OWN_NAMED * top

    def _follow(self, context: Context, fused: dict[str, float], chunks: dict[str, Chunk]) -> None:
        """Stay with the conversation's guides; leave out the sections it asked to avoid."""
        if context.named:
            by_section = self._section_chunks(chunks)
            for key in context.named:
                for cid in by_section.get(key, ())[:PHRASING_CHUNKS]:
                    fused.setdefault(cid, 0.0)
        top = max(fused.values(), default=0.0)
        rank = {g: i for i, g in enumerate(context.guides)}
        avoid = set(context.avoid)
        named = set(context.named)
        for cid in list(fused):
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            key = section_key(chunk)
            if key in avoid:
                del fused[cid]
                continue
            if key in named:
                fused[cid] += 2 * top  # asked by its own heading: that section answers
            at = rank.get(key.split("#", 1)[0])
            if at is not None and chunk.kind == "guide":
                fused[cid] += (context.boost or GUIDE_BOOST) * top / (1 + at)

    def _add_phrasings(
        self,
        query: str,
        vector: np.ndarray,
        fused: dict[str, float],
        chunks: dict[str, Chunk],
        filters: Filters,
        dense: list[tuple[str, float]],
        bm25: list[tuple[str, float]],
    ) -> None:
        """Blend in each section's score (the learned section ranker's, coach/rank.py, or
        without one the question's best cosine to the section's phrasings), min-max
        normalised over the sections in play, and bring in the passages of the best
        sections even when neither the chunk vectors nor BM25 found them."""
        assert self.phrasings is not None
        by_section = self._section_chunks(chunks)
        asker = asker_perspective(query)
        learned = self.ranker is not None
        if self.ranker is not None:
            sections, features = self.section_features(vector, dense, bm25, chunks, asker)
            sims = dict(zip(sections, self.ranker.score(features).tolist(), strict=True))
        else:
            sims = self.phrasings.scores(vector)
        if not sims:
            return
        closest = sorted(sims, key=lambda key: -sims[key])[:PHRASING_SECTIONS]
        for key in closest:
            for cid in by_section.get(key, ())[:PHRASING_CHUNKS]:
                if cid not in fused and matches(chunks[cid], filters):
                    fused[cid] = 0.0
        keys = {cid: section_key(chunks[cid]) for cid in fused if cid in chunks}
        values = [sims[k] for k in keys.values() if k in sims]
        if not values:
            return
        lo, hi = min(values), max(values)
        span = hi - lo or 1.0
        w = self.settings.phrasing_weight
        order: dict[str, float] = {}
        for cid, key in keys.items():
            chunk = chunks[cid]
            if key not in sims:
                # A guide's untitled opening competes as a section with no phrasing match;
                # an upload or a question bank has no phrasings, so its own score stands.
                if chunk.kind == "guide" and not chunk.owner:
                    fused[cid] *= 1 - w
                continue
            near = (sims[key] - lo) / span
            if learned:
                order[cid] = (1 - RANK_WEIGHT) * fused[cid] + RANK_WEIGHT * near
            fused[cid] = (1 - w) * fused[cid] + w * near
            if learned:
                continue  # the ranker already weighs the section's side
            written_for = self.phrasings.perspective(key)
            if written_for in ("mentor", "manager", "mentee") and written_for != asker:
                fused[cid] -= PERSPECTIVE_PENALTY
        if order:
            # The ranker orders the sections among themselves; the scores they compete
            # with the user's documents on stay those of the phrasing-weight blend.
            values = sorted((fused[cid] for cid in order), reverse=True)
            for cid, value in zip(sorted(order, key=lambda c: (-order[c], c)), values, strict=True):
                fused[cid] = value

    def section_features(
        self,
        vector: np.ndarray,
        dense: list[tuple[str, float]],
        bm25: list[tuple[str, float]],
        chunks: dict[str, Chunk],
        asker: str,
    ) -> tuple[list[str], np.ndarray]:
        """The ranker's features of every built-in section for one question."""
        assert self.phrasings is not None
        self._section_chunks(chunks)
        return section_features(
            self.phrasings, vector, dense, bm25, self._section_of, asker, self.classifier
        )

"""Meeting prep: an agenda and 5-8 questions to bring to a mentor, each question cited.

Questions come from the corpus's question banks that match the mentee's goals; each is
also tied to the guide passage that best explains why it is worth asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from coach.answer import units
from coach.retrieve import Retriever
from coach.text import content_terms, jaccard
from coach.types import AgendaItem, Citation, Filters, Passage, Prep, PrepQuestion

PROMPT = "prep@v1"
DEFAULT_GOAL = "make the most of my next mentoring meeting"
_ACTION_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\[ \]\s*|todo:?\s*|action:?\s*|next step:?\s*|i will\s+|i'll\s+)(.+)$",
    re.I,
)
SUPPORT_MIN = 0.3  # cosine a guide passage needs to be cited beside a question


@dataclass
class _Candidate:
    text: str
    goal: int
    passage: Passage
    score: float = 0.0


def open_actions(notes: str) -> list[str]:
    """Commitments in pasted meeting notes: '- [ ] ...', 'TODO ...', 'Action: ...', 'I will ...'."""
    found = []
    for line in notes.splitlines():
        m = _ACTION_LINE.match(line)
        if m and "[x]" not in line.lower():
            text = m.group(1).strip().rstrip(".")
            if text:
                found.append(text[0].upper() + text[1:])
    return found


class Citations:
    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_id: dict[str, int] = {}

    def cite(self, passage: Passage, snippet: str, score: float) -> Citation:
        n = self._by_id.get(passage.id)
        if n is None:
            n = len(self.items) + 1
            self._by_id[passage.id] = n
            self.items.append(Citation.of(n, passage.chunk, snippet, score))
        return self.items[n - 1]


class MeetingPrep:
    def __init__(self, retriever: Retriever, n_questions: int = 7) -> None:
        self.retriever = retriever
        self.embedder = retriever.store.embedder
        self.n_questions = n_questions

    def prepare(
        self,
        goals: list[str],
        notes: str = "",
        actions: list[str] | None = None,
        topics: tuple[str, ...] = (),
    ) -> Prep:
        goals = [g.strip() for g in goals if g and g.strip()] or [DEFAULT_GOAL]
        cites = Citations()
        candidates: list[_Candidate] = []
        guide_hits: list[list[Passage]] = []
        for gi, goal in enumerate(goals):
            bank = self.retriever.search(goal, Filters(kinds=("questions",), topics=topics), k=4)
            if not bank.passages and topics:
                bank = self.retriever.search(goal, Filters(kinds=("questions",)), k=4)
            for p in bank.passages:
                for line in p.chunk.quotable_text().split("\n"):
                    q = re.sub(r"^\s*[-*]\s+", "", line).strip()
                    if q.endswith("?") and len(q.split()) >= 5:
                        candidates.append(_Candidate(q, gi, p))
            guides = self.retriever.search(goal, Filters(kinds=("guide",), topics=topics), k=3)
            if not guides.passages and topics:
                guides = self.retriever.search(goal, Filters(kinds=("guide",)), k=3)
            guide_hits.append(guides.passages)

        questions = self._pick(goals, candidates)
        question_vecs = self.embedder.encode_cached([c.text for c in questions])
        prep_questions: list[PrepQuestion] = []
        for c, qvec in zip(questions, question_vecs, strict=True):
            cited = [cites.cite(c.passage, c.text, c.score)]
            support = self._support(qvec, guide_hits[c.goal])
            if support is not None:
                passage, sentence, sim = support
                cited.append(cites.cite(passage, sentence, sim))
            prep_questions.append(PrepQuestion(text=c.text, citations=cited, goal=goals[c.goal]))

        agenda = self._agenda(goals, notes, actions or [], guide_hits, cites)
        return Prep(
            goals=goals,
            agenda=agenda,
            questions=prep_questions,
            citations=cites.items,
            latency_ms=0.0,
            prompt=PROMPT,
        )

    def _pick(self, goals: list[str], candidates: list[_Candidate]) -> list[_Candidate]:
        if not candidates:
            return []
        goal_vecs = self.embedder.encode_cached(goals)
        vecs = self.embedder.encode_cached([c.text for c in candidates])
        for c, v in zip(candidates, vecs, strict=True):
            c.score = float(v @ goal_vecs[c.goal]) + 0.05 * c.passage.score
        by_goal: list[list[int]] = [[] for _ in goals]
        for i in sorted(range(len(candidates)), key=lambda i: -candidates[i].score):
            by_goal[candidates[i].goal].append(i)
        chosen: list[int] = []
        # Round-robin across goals, so every goal gets questions, best first.
        while len(chosen) < self.n_questions and any(by_goal):
            for queue in by_goal:
                while queue:
                    i = queue.pop(0)
                    if not self._duplicate(i, chosen, candidates, vecs):
                        chosen.append(i)
                        break
                if len(chosen) >= self.n_questions:
                    break
        return [candidates[i] for i in chosen]

    @staticmethod
    def _duplicate(i: int, chosen: list[int], cands: list[_Candidate], vecs: np.ndarray) -> bool:
        terms = content_terms(cands[i].text)
        return any(
            cands[i].text.lower() == cands[j].text.lower()
            or float(vecs[i] @ vecs[j]) > 0.8
            or jaccard(terms, content_terms(cands[j].text)) > 0.5
            for j in chosen
        )

    def _support(self, qvec: np.ndarray, passages: list[Passage]):
        """The guide sentence that best backs a question, if any is close enough."""
        best = None
        for p in passages:
            sentences = [
                u.text for u in units(0, p.chunk.quotable_text()) if not u.text.endswith("?")
            ]
            if not sentences:
                continue
            vecs = self.embedder.encode_cached(sentences)
            sims = vecs @ qvec
            i = int(np.argmax(sims))
            if best is None or sims[i] > best[2]:
                best = (p, sentences[i], float(sims[i]))
        return best if best and best[2] >= SUPPORT_MIN else None

    def _agenda(
        self,
        goals: list[str],
        notes: str,
        actions: list[str],
        guide_hits: list[list[Passage]],
        cites: Citations,
    ) -> list[AgendaItem]:
        items = open_actions(notes) + [a.strip() for a in actions if a.strip()]
        review = (
            "Open items: " + "; ".join(dict.fromkeys(items)) + "."
            if items
            else "Check what each of you agreed to do last time, and what got done."
        )
        agenda = [
            AgendaItem("Review last meeting's actions", review),
            AgendaItem(
                "Updates and wins",
                "Share one or two updates since you last met, including something that went well.",
            ),
        ]
        for goal, passages in zip(goals, guide_hits, strict=True):
            detail = f"Discuss: {goal}."
            refs: list[int] = []
            if passages:
                gvec = self.embedder.encode_cached([goal])[0]
                p = passages[0]
                sentences = [
                    u.text for u in units(0, p.chunk.quotable_text()) if not u.text.endswith("?")
                ]
                if sentences:
                    sims = self.embedder.encode_cached(sentences) @ gvec
                    i = int(np.argmax(sims))
                    c = cites.cite(p, sentences[i], float(sims[i]))
                    detail += f" Guidance: {sentences[i]} [{c.n}]"
                    refs.append(c.n)
            agenda.append(AgendaItem(f"Topic: {goal}", detail, refs))
        agenda.append(
            AgendaItem(
                "Your questions",
                "Pick two or three of the questions below that matter most right now.",
            )
        )
        agenda.append(
            AgendaItem(
                "Next steps",
                "Agree on actions with owners and dates, and set the date of the next meeting.",
            )
        )
        return agenda


def to_markdown(prep: Prep) -> str:
    lines = ["# Meeting prep", "", "Goals: " + "; ".join(prep.goals), "", "## Agenda", ""]
    for i, item in enumerate(prep.agenda, 1):
        lines.append(f"{i}. **{item.title}**: {item.detail}")
    lines += ["", "## Questions to ask", ""]
    for i, q in enumerate(prep.questions, 1):
        refs = "".join(f"[{c.n}]" for c in q.citations)
        lines.append(f"{i}. {q.text} {refs}")
    lines += ["", "## Sources", ""]
    for c in prep.citations:
        where = f"{c.title}, {c.section}" if c.section else c.title
        lines.append(f"[{c.n}] {where} ({c.source})")
    return "\n".join(lines) + "\n"

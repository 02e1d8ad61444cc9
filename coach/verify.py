"""Citation verification: an LLM's sentence stays only if the passage it cites supports it.

The reply is read sentence by sentence as it streams (`ClaimReader`). Each sentence must
cite, as [n], a passage the model was given, and be close to something that passage says:
its embedding must be near a sentence (or pair of sentences) of the passage, and most of
its content words must appear there (`Verifier`). Sentences that pass are assembled, with
citations renumbered in order of first use, into the text the user sees (`CitedText`).

The cut-offs are settings; how they were calibrated is in docs/llm.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from coach.guard import looks_like_injection
from coach.split import split_sentences
from coach.text import content_terms
from coach.types import Chunk, Citation, Passage

_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__|`|^#+\s*")
_MARKER = re.compile(
    r"\[\s*(?:(?:passages?|sources?|refs?|references?)\s*)?"
    r"(\d+(?:\s*(?:,|;|and|&)\s*\d+)*)\s*\]",
    re.I,
)
# A sentence ends at . ! or ?, perhaps after a closing quote, perhaps followed by markers;
# it is complete once the next sentence has visibly started.
_SENTENCE_END = (
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bMrs)(?<!\bMr)(?<!\bMs)(?<!\bDr)"
    r"[.!?][\"'”’)]*(?:\s*\[[^\]\n]*\])*"
)
_COMPLETE = re.compile(_SENTENCE_END + r"[ \t]+(?=[^\s\[])")
_FENCE = re.compile(r"<<|>>")


def passage_text(chunk: Chunk) -> str:
    """What the model may see of a passage: its quotable text (no planted instructions),
    and nothing that could pass for the prompt's own passage markers."""
    lines = [ln for ln in chunk.quotable_text().split("\n") if ln.strip()]
    return _FENCE.sub("", "\n".join(lines)).strip()


@dataclass
class Claim:
    """One sentence of the reply, with the passage numbers it cites."""

    text: str  # without markers, list marks or emphasis
    cited: list[int]
    bullet: bool = False
    line_start: bool = True

    @property
    def substantive(self) -> bool:
        """Says something (counts towards the share kept), rather than framing a list."""
        return (
            len(self.text.split()) >= 3
            and bool(content_terms(self.text))
            and not (self.text.endswith(":"))
        )


def parse_claim(sentence: str, line_start: bool = True) -> Claim:
    text = sentence.strip()
    bullet = bool(_LIST_MARK.match(text))
    text = _EMPHASIS.sub("", _LIST_MARK.sub("", text))
    cited: list[int] = []
    for match in _MARKER.finditer(text):
        cited.extend(int(n) for n in re.findall(r"\d+", match.group(1)))
    text = _MARKER.sub(" ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return Claim(text, list(dict.fromkeys(cited)), bullet, line_start)


class ClaimReader:
    """Cuts streamed text into claims, each as soon as the sentence is complete."""

    def __init__(self) -> None:
        self.buffer = ""
        self.line_start = True

    def feed(self, piece: str) -> list[Claim]:
        self.buffer += piece
        cut = self.buffer.rfind("\n") + 1
        last_line = self.buffer[cut:]
        ends = [m.end() for m in _COMPLETE.finditer(last_line)]
        if ends:
            cut += ends[-1]
        done, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return self._claims(done)

    def close(self) -> list[Claim]:
        done, self.buffer = self.buffer, ""
        return self._claims(done)

    def _claims(self, text: str) -> list[Claim]:
        claims: list[Claim] = []
        lines = text.split("\n")
        for i, line in enumerate(lines):
            for sentence in _split(line):
                claims.append(parse_claim(sentence, self.line_start))
                self.line_start = False
            if i < len(lines) - 1:  # a newline followed this line
                self.line_start = True
        return claims


def _split(line: str) -> list[str]:
    if not line.strip():
        return []
    ends = [m.end() for m in _COMPLETE.finditer(line)]
    bounds = [0, *ends, len(line)]
    return [
        line[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False) if line[a:b].strip()
    ]


@dataclass
class Support:
    similarity: float  # best cosine to a sentence or sentence pair of the passage
    overlap: float  # share of the claim's content words found in the passage
    evidence: str  # the best-matching passage sentence(s)


@dataclass
class Verdict:
    claim: Claim
    supported_by: dict[int, Support] = field(default_factory=dict)  # passage number -> why
    reason: str = ""  # why it was dropped; "" when kept

    @property
    def kept(self) -> bool:
        return bool(self.supported_by)


class Verifier:
    """Checks claims against the passages the model was given, numbered from 1."""

    def __init__(
        self, embedder, passages: list[Passage], similarity: float, overlap: float
    ) -> None:
        self.embedder = embedder
        self.passages = passages
        self.similarity = similarity
        self.overlap = overlap
        self._windows: dict[int, tuple[list[str], np.ndarray, set[str]]] = {}

    def windows(self, n: int) -> tuple[list[str], np.ndarray, set[str]]:
        """Sentences and adjacent pairs of passage n, their vectors, and its content words."""
        if n not in self._windows:
            text = passage_text(self.passages[n - 1].chunk)
            sentences = [s for s in split_sentences(_EMPHASIS.sub("", text)) if s.strip()]
            sentences = [_LIST_MARK.sub("", s) for s in sentences] or [text]
            spans = sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
            self._windows[n] = (spans, self.embedder.encode_cached(spans), content_terms(text))
        return self._windows[n]

    def score(self, text: str, n: int) -> Support:
        spans, vectors, terms = self.windows(n)
        vector = self.embedder.encode_cached([text])[0]
        sims = vectors @ vector
        best = int(np.argmax(sims))
        words = content_terms(text)
        overlap = len(words & terms) / len(words) if words else 0.0
        return Support(float(sims[best]), overlap, spans[best])

    def check(self, claim: Claim) -> Verdict:
        verdict = Verdict(claim)
        if not claim.cited:
            verdict.reason = "no citation"
            return verdict
        if looks_like_injection(claim.text):
            verdict.reason = "reads like an instruction"
            return verdict
        valid = [n for n in claim.cited if 1 <= n <= len(self.passages)]
        if not valid:
            verdict.reason = "cites a passage that was not given"
            return verdict
        for n in valid:
            support = self.score(claim.text, n)
            if support.similarity >= self.similarity and support.overlap >= self.overlap:
                verdict.supported_by[n] = support
        if not verdict.supported_by:
            verdict.reason = "not supported by the passage it cites"
        return verdict


class CitedText:
    """Kept claims laid out as the reply had them, citations renumbered by first use.

    The text only ever grows at its end, so it can be streamed as it is built."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.lines: list[tuple[bool, list[str]]] = []  # (is a list item, sentences)
        self.numbers: dict[int, int] = {}  # passage number in the prompt -> number shown
        self.evidence: dict[int, list[str]] = {}
        self.best: dict[int, float] = {}
        self._seen: set[str] = set()

    def add(self, verdict: Verdict) -> bool:
        """Add a kept claim; False if it was dropped or repeats an earlier one."""
        claim = verdict.claim
        key = " ".join(claim.text.lower().split())
        if not verdict.kept or key in self._seen:
            return False
        self._seen.add(key)
        marks = []
        for n, support in verdict.supported_by.items():
            shown = self.numbers.setdefault(n, len(self.numbers) + 1)
            marks.append(shown)
            spans = self.evidence.setdefault(n, [])
            if support.evidence not in spans:
                spans.append(support.evidence)
            self.best[n] = max(self.best.get(n, 0.0), support.similarity)
        text = claim.text if claim.text[-1] in '.!?"”’)' else f"{claim.text}."
        sentence = f"{text} " + "".join(f"[{m}]" for m in sorted(marks))
        if claim.line_start or not self.lines:
            self.lines.append((claim.bullet, [sentence]))
        else:
            self.lines[-1][1].append(sentence)
        return True

    @property
    def kept(self) -> int:
        return len(self._seen)

    def text(self) -> str:
        out = ""
        previous_bullet = False
        for i, (bullet, sentences) in enumerate(self.lines):
            line = ("- " if bullet else "") + " ".join(sentences)
            if i:
                out += "\n" if bullet and previous_bullet else "\n\n"
            out += line
            previous_bullet = bullet
        return out

    def citations(self) -> list[Citation]:
        out = []
        for n, shown in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            chunk = self.passages[n - 1].chunk
            snippet = " ".join(self.evidence[n])
            out.append(Citation.of(shown, chunk, snippet, self.best[n]))
        return out

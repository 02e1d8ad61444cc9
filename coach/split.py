"""Heading-aware splitting into chunks that fit the embedder's window.

Sections follow Markdown headings; paragraphs are packed into chunks of at most
`max_tokens`, counted with the embedder's own tokenizer, headings included. A paragraph
that is too long splits at sentences, and a sentence that is too long at words, so
nothing is ever truncated silently.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from coach.guard import flag_lines
from coach.types import Chunk, Document

TokenCounter = Callable[[str], int]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# The closing quotes or bracket after a full stop belong to the sentence they close.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)]*)\s+(?=[\"'“‘(]?[A-Z0-9])")


def chunk_id(source: str, context: str, text: str, owner: str = "") -> str:
    """Content hash of everything the embedder sees: the same text with the same headings
    in the same file always gets the same id, and any change gets a new one. A user's
    upload also hashes its owner: two users with the same file each get their own
    passages, and neither can learn from an id that the other holds a text. (Shared
    documents, owner "", keep the ids they always had.)"""
    payload = f"{source}\x1f{context}\x1f{text}"
    if owner:
        payload = f"{owner}\x1d{payload}"
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def chunk_context(title: str, section: str, summary: str) -> str:
    """The heading lines a chunk is embedded (and hashed) with."""
    heading = f"{title} - {section}" if section else title
    return f"{heading}\n{summary}" if summary else heading


def sections(text: str) -> list[tuple[str, str]]:
    """(heading path, body) pairs. `##` starts a section; `###` nests inside it."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        content = "\n".join(body).strip()
        if content:
            # The top (h1) heading is the document title; leave it out of the section path.
            path = " > ".join(h for lvl, h in stack if lvl > 1)
            out.append((path, content))
        body.clear()

    in_fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            flush()
            level = len(m.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _clean_heading(m.group(2))))
        else:
            body.append(line)
    flush()
    return out


def _clean_heading(h: str) -> str:
    return re.sub(r"[*_`]", "", h).strip()


def split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            pieces = _SENTENCE_END.split(line)  # sentence, closer, sentence, closer, ...
            closers = pieces[1::2] + [""]
            parts.extend(
                f"{s}{c}".strip() for s, c in zip(pieces[0::2], closers, strict=True) if s.strip()
            )
    return parts


def split_document(
    doc: Document, count: TokenCounter, max_tokens: int = 200, owner: str = ""
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section, body in sections(doc.text):
        heading = chunk_context(doc.title, section, doc.summary)
        # Room left for the text once the heading and summary lines are prepended.
        budget = max(16, max_tokens - count(heading) - 1)
        for piece in _pack(_paragraphs(body), count, budget):
            chunks.append(
                Chunk(
                    id=chunk_id(doc.source, heading, piece, owner),
                    path=doc.path,
                    source=doc.source,
                    title=doc.title,
                    section=section,
                    text=piece,
                    ord=len(chunks),
                    kind=doc.kind,
                    topics=doc.topics,
                    stages=doc.stages,
                    summary=doc.summary,
                    owner=owner,
                    flagged=flag_lines(piece, f"{doc.title} {section}"),
                )
            )
    # Identical text repeated in one section would share an id; keep the first.
    seen: set[str] = set()
    return [c for c in chunks if not (c.id in seen or seen.add(c.id))]


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


# Every count includes [CLS] and [SEP]. The tokenizer splits on whitespace before it
# splits words, so the tokens of "A\n\nB" are those of A and of B: packing sums the
# counts it already has instead of recounting a growing chunk for every unit it adds.
SPECIAL_TOKENS = 2


def _pack(paragraphs: list[str], count: TokenCounter, budget: int) -> list[str]:
    units: list[tuple[str, int]] = []
    for para in paragraphs:
        tokens = count(para)
        if tokens <= budget:
            units.append((para, tokens))
            continue
        for sentence in split_sentences(para):
            tokens = count(sentence)
            if tokens <= budget:
                units.append((sentence, tokens))
            else:
                units.extend((w, count(w)) for w in _split_words(sentence, count, budget))
    out: list[str] = []
    current: list[str] = []
    used = 0
    for unit, tokens in units:
        if current and used + tokens - SPECIAL_TOKENS > budget:
            out.append("\n\n".join(current))
            current, used = [], 0
        used = used + tokens - SPECIAL_TOKENS if current else tokens
        current.append(unit)
    if current:
        out.append("\n\n".join(current))
    return out


def _split_words(sentence: str, count: TokenCounter, budget: int) -> list[str]:
    words = sentence.split()
    out: list[str] = []
    current: list[str] = []
    for word in words:
        if count(word) > budget:  # one unbroken run of characters, e.g. a pasted blob
            if current:
                out.append(" ".join(current))
                current = []
            out.extend(_split_chars(word, count, budget))
            continue
        if current and count(" ".join([*current, word])) > budget:
            out.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        out.append(" ".join(current))
    return out


def _split_chars(word: str, count: TokenCounter, budget: int) -> list[str]:
    if count(word) <= budget or len(word) <= 1:
        return [word]
    mid = len(word) // 2
    return _split_chars(word[:mid], count, budget) + _split_chars(word[mid:], count, budget)

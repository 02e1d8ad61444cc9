"""Structure from layout, for text that has no Markdown: plain-text files, PDFs, Word
documents without heading styles.

The splitter and the answerer work on Markdown headings, paragraphs and list items. A saved
article or a handbook exported to PDF has the same structure, shown by layout instead:
short title-like lines, numbered headings ("2.3 Matching"), capitals, wrapped lines, list
markers such as "b)" or "(iv)", and on every PDF page the same header and footer. This
module turns that layout into Markdown, so that every document is split into sections and
answered from whole sentences.
"""

from __future__ import annotations

import re
from collections import Counter

# A list item: a bullet, "1." / "2)", "a)" / "(b)", "(iv)" / "iv)".
LIST_ITEM = re.compile(
    r"^\s*(?:[-*+•▪◦‣●○■□–]|\d{1,3}[.)]|\(?[a-zA-Z]\)|\(?[ivxIVX]{1,5}\))\s+(?=\S)"
)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}")  # "2.3 Matching": a section number, never a list
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'”’)\]]*$")
_ENDS_CLAUSE = re.compile(r"[,.;:]$|\s(and|or|the|a|an|of|to|with|for|in)$", re.I)
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$|^[ivxlc]{1,6}$", re.I
)
_DIGITS = re.compile(r"\d+")
HEADING_MAX_WORDS = 10
TITLE_MAX_WORDS = 16


def words(line: str) -> list[str]:
    return line.split()


def is_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


def title_like(line: str, max_words: int = TITLE_MAX_WORDS) -> bool:
    """A line that reads as a title or heading: short, not a sentence or a clause, and
    starting with a capital or a number."""
    line = line.strip().lstrip("#").strip()
    n = len(words(line))
    if not 1 <= n <= max_words or len(line) > 120:
        return False
    if _ENDS_CLAUSE.search(line) or line.endswith(("!", "\u2026", "...")):
        return False
    return line[0].isupper() or line[0].isdigit()


def running_lines(pages: list[list[str]]) -> set[str]:
    """Lines repeated at the top or bottom of most pages: a running header or footer.
    Digits are ignored when comparing, so "Page 3 of 7" matches "Page 4 of 7"."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edge = [ln for ln in lines if ln.strip()]
        seen.update({_DIGITS.sub("#", ln.strip()) for ln in edge[:2] + edge[-2:]})
    need = max(2, (len(pages) + 1) // 2)
    return {ln for ln, n in seen.items() if n >= need}


def strip_pages(pages: list[str]) -> str:
    """Join PDF pages without their running headers, footers and bare page numbers."""
    split = [p.split("\n") for p in pages]
    running = running_lines(split)
    out: list[str] = []
    for lines in split:
        edge = [i for i, ln in enumerate(lines) if ln.strip()]
        ends = set(edge[:2] + edge[-2:])
        kept = [
            ln
            for i, ln in enumerate(lines)
            if not (
                i in ends
                and (_DIGITS.sub("#", ln.strip()) in running or _PAGE_NUMBER.match(ln.strip()))
            )
        ]
        out.append("\n".join(kept).strip())
    # A page break is not a paragraph break: a sentence often runs on to the next page.
    return "\n".join(p for p in out if p)


def _wrapped(lines: list[str]) -> int:
    """The width a text was hard-wrapped at, or 0 when each paragraph is one line."""
    lengths = sorted(len(ln) for ln in lines if len(ln.strip()) > 0)
    if len(lengths) < 6:
        return 0
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 160:
        return 0
    near = sum(1 for n in lengths if n >= 0.7 * width)
    return width if near >= 0.4 * len(lengths) else 0


def to_markdown(text: str, title: str = "") -> tuple[str, str]:
    """(title, Markdown) for a text whose structure is only in its layout. The title is
    `title` when given, else the first line when it reads as one ("" otherwise)."""
    lines = [ln.rstrip() for ln in text.split("\n")]
    if any(ln.startswith("#") and ln.lstrip("#")[:1] == " " for ln in lines):
        # Already Markdown: keep it, only the list markers are made plain.
        return title, "\n".join(_list_marker(ln) for ln in lines)
    width = _wrapped(lines)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and not title and title_like(lines[first]):
        title = lines[first].strip()
        lines = lines[first + 1 :]
    blocks: list[str] = [f"# {title}"] if title else []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(" ".join(para))
            para.clear()

    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            flush()
            continue
        prev = lines[i - 1].strip() if i else ""
        nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), "")
        if _heading(line, prev, nxt, bool(para)):
            flush()
            blocks.append(f"## {_heading_text(line)}")
            continue
        if LIST_ITEM.match(line):
            flush()
            blocks.append(_list_marker(line))
            continue
        if (
            not para
            and blocks
            and blocks[-1].startswith("- ")
            and prev
            and (line[:1].islower() or not _ENDS_SENTENCE.search(prev))
        ):
            blocks[-1] += " " + line  # a list item wrapped on to the next line
            continue
        para.append(line)
        # A line that ends a sentence ends its paragraph, unless the text is wrapped and
        # the line runs to the full width; a line that stops mid-sentence runs on.
        if _ENDS_SENTENCE.search(line) and (not width or len(raw) < 0.8 * width):
            flush()
    flush()
    return title, join_blocks(blocks)


_MARKDOWN_BLOCK = re.compile(r"^(#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\||<|```|~~~|---|\*\*\*|___)")


def reflow_markdown(text: str) -> str:
    """Join a sentence that an editor wrapped over two lines, as a renderer would: split,
    it would be quoted as two broken points. Only a line that stops mid-sentence is
    joined, so each sentence keeps a line of its own where it had one (a line read as a
    planted instruction is dropped alone, coach/guard.py). Headings, list markers, quotes,
    tables, code and a hard break (two trailing spaces) keep their lines; a wrapped list
    item joins its item."""
    out: list[str] = []
    fence = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            out.append(line)
            continue
        prev = out[-1] if out else ""
        joins = (
            not fence
            and stripped
            and prev.strip()
            and not _MARKDOWN_BLOCK.match(stripped)
            and not prev.lstrip().startswith(("#", "|", ">", "```", "~~~", "<"))
            and not prev.endswith("  ")
            and not _ENDS_SENTENCE.search(prev.rstrip())
        )
        if joins:
            out[-1] = f"{prev.rstrip()} {stripped}"
        else:
            out.append(line)
    return "\n".join(out)


def join_blocks(blocks: list[str]) -> str:
    """List items of one list stay on adjacent lines; everything else is a paragraph."""
    out: list[str] = []
    for b in blocks:
        if out and b.startswith("- ") and out[-1].split("\n")[-1].startswith("- "):
            out[-1] += "\n" + b
        else:
            out.append(b)
    return "\n\n".join(out)


def _heading(line: str, prev: str, nxt: str, in_paragraph: bool) -> bool:
    """Whether a line of plain text is a heading, from its shape and its neighbours."""
    if line.startswith("#") or len(words(line)) > HEADING_MAX_WORDS:
        return False
    after_sentence = not prev or bool(_ENDS_SENTENCE.search(prev)) or not in_paragraph
    if not after_sentence:
        return False  # the rest of a wrapped sentence
    numbered = _NUMBERED_HEADING.match(line)
    if numbered:
        rest = numbered.group(2)
        if _DOTTED.match(line):
            return title_like(rest, HEADING_MAX_WORDS)
        # "1. Eligibility" above a paragraph is a heading; "1. Book the room." in a run of
        # items is a list.
        return (
            title_like(rest, 6)
            and not rest.endswith("?")
            and bool(nxt)
            and not LIST_ITEM.match(nxt)
            and not _NUMBERED_HEADING.match(nxt)
        )
    if LIST_ITEM.match(line):
        return False
    if is_caps(line) and not _ENDS_SENTENCE.search(line.rstrip("?")):
        return True
    if line.endswith("?"):
        # A question on its own line above its answer: an FAQ's entry.
        return len(words(line)) <= 14 and bool(nxt) and nxt[:1].isupper()
    return title_like(line, 8) and bool(nxt) and (nxt[:1].isupper() or bool(LIST_ITEM.match(nxt)))


def _heading_text(line: str) -> str:
    m = _NUMBERED_HEADING.match(line)
    text = m.group(2) if m else line
    text = text.strip().rstrip(":").strip()
    return text.title() if is_caps(text) else text


def _list_marker(line: str) -> str:
    """Any list marker becomes "- ": the number or letter of an item is layout, and a quoted
    point should not start with "b)"."""
    m = LIST_ITEM.match(line)
    return f"- {line[m.end() :].strip()}" if m else line

"""Small text helpers shared by retrieval and answering: word tokens for BM25, overlap."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
    i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves also just really get
    got im ive dont cant will shall may might must one ones thing things way lot lots""".split()
)

_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def stem(word: str) -> str:
    """A deliberately light stemmer: meeting/meetings/meet share a stem, words stay readable."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            if suffix in ("ing", "ed", "ings") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]  # planning -> plan
            return base
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def tokens(text: str) -> list[str]:
    """BM25 terms: lower-case words, stop words dropped, lightly stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def content_terms(text: str) -> set[str]:
    return set(tokens(text))


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# A citation marker, [n], stays as it is; anything that could open a link, an image, a
# reference definition or HTML is escaped.
_MARKDOWN_ACTIVE = re.compile(r"\[\d{1,3}\](?![(\[:])|[\\`*_\[\]<>|~]")


def inert_markdown(text: str) -> str:
    """Text from documents (and users), made safe to show inside Markdown: it reads the
    same, but cannot become a link, an image (`![](url)` fetches the URL when shown),
    emphasis, code or HTML. Line-start structure (lists, paragraphs) is left alone, so an
    answer's own bullets still render."""

    def escape(m: re.Match[str]) -> str:
        s = m.group(0)
        if len(s) > 1:
            return s  # a citation marker
        return {"<": "&lt;", ">": "&gt;"}.get(s, "\\" + s)

    return _MARKDOWN_ACTIVE.sub(escape, text)


TITLE_WORDS = 8  # a title longer than this is cut at a word boundary, with an ellipsis
_CLAUSE_END = re.compile(r"[.;:!?()]\s|[.;:!?]$|,\s|\s[-–—]\s")


def short_title(text: str, most: int = TITLE_WORDS) -> str:
    """A short name for a long text (a goal): its first clause, at most `most` words, cut at
    a word boundary and ending in an ellipsis when anything was left off."""
    text = " ".join(text.split())
    m = _CLAUSE_END.search(text)
    clause = text[: m.start()] if m and len(text[: m.start()].split()) >= 3 else text
    words = clause.split()
    cut = words[:most]
    title = " ".join(cut).rstrip(" .,;:–—-")
    if len(cut) < len(text.rstrip(" .!").split()):
        return title + "…"
    return title + ("?" if text.endswith("?") else "")


def sentence(text: str) -> str:
    """`text` ending in exactly one full stop, unless it already ends in ? or !."""
    text = text.rstrip().rstrip(".").rstrip()
    return text if text.endswith(("?", "!", "…")) else text + "."

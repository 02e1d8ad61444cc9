"""Load files into `Document`s: Markdown (front matter becomes metadata), text, HTML, PDF,
and Word, OpenDocument and PowerPoint files (coach.office).

Every document comes out as Markdown with a real title: a plain-text file or a PDF gets
its headings, paragraphs and lists from its layout (coach.layout), and a saved web page
loses its navigation, cookie banner and footer.

Every failure is a `LoadError` naming the file and the reason, so ingest can report it,
skip the file and carry on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from coach.errors import LoadError
from coach.layout import reflow_markdown, strip_pages, to_markdown
from coach.types import Document

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".odt", ".pptx")
OFFICE = (".docx", ".odt", ".pptx")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_HTML_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)

# Front matter is metadata, not a document: small, with short plain values. Anchors and
# aliases are refused outright, since a few hundred bytes of nested aliases expand into
# gigabytes the moment a value is turned into text.
FRONT_MATTER_MAX_BYTES = 8192
FIELD_MAX_CHARS = {"title": 200, "summary": 1000, "kind": 40, "topics": 80, "stages": 80}
LIST_MAX_ITEMS = 30


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[LoadError]]:
    """Expand files and folders into supported files, sorted; collect what cannot be used."""
    found: list[Path] = []
    errors: list[LoadError] = []
    for root in paths:
        if not root.exists():
            errors.append(LoadError(str(root), "no such file or folder"))
        elif root.is_dir():
            try:
                for p in sorted(_walk(root)):
                    if p.suffix.lower() in SUPPORTED:
                        found.append(p)
            except OSError as exc:
                errors.append(LoadError(str(root), f"cannot list folder ({exc.strerror})"))
        elif root.suffix.lower() in SUPPORTED:
            found.append(root)
        else:
            errors.append(
                LoadError(str(root), f"unsupported file type; use one of {', '.join(SUPPORTED)}")
            )
    # Symlinked duplicates would otherwise be ingested twice.
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.resolve(), p)
    return sorted(unique.values()), errors


def _walk(root: Path) -> Iterator[Path]:
    seen: set[Path] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        real = folder.resolve()
        if real in seen:  # symlink loop
            continue
        seen.add(real)
        for entry in folder.iterdir():
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.is_file():
                yield entry


def load(
    path: Path, source: str, max_bytes: int = 20_000_000, max_pages: int | None = None
) -> Document:
    """Read one file. `source` is the display path stored with every chunk. Untrusted
    files are read through coach.sandbox, which calls this under limits."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise LoadError(str(path), "the file is empty")
        if size > max_bytes:
            raise LoadError(
                str(path), f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB cap"
            )
        data = path.read_bytes()
    except PermissionError as exc:
        raise LoadError(str(path), "permission denied") from exc
    except OSError as exc:
        raise LoadError(str(path), f"cannot read ({exc.strerror or exc})") from exc

    suffix = path.suffix.lower()
    meta: dict = {}
    if suffix == ".pdf":
        title, text = _pdf(path, data, max_pages)
    elif suffix in OFFICE:
        from coach import office

        reader = {".docx": office.read_docx, ".odt": office.read_odt, ".pptx": office.read_pptx}
        title, text = reader[suffix](str(path), data)
    else:
        raw = _decode(path, data)
        if suffix in (".html", ".htm"):
            title, text = _html(raw)
        elif suffix in (".md", ".markdown"):
            meta, text = _front_matter(path, raw)
            text = _HTML_COMMENT.sub("", text)  # invisible when rendered, so not content
            text = reflow_markdown(text)
            title = str(meta.get("title") or "")
        else:
            title, text = to_markdown(_normalise(raw))
    text = _normalise(text)
    if not text.strip():
        raise LoadError(str(path), "no readable text in the file")
    if not title:
        m = _H1.search(text)
        title = m.group(1).strip() if m else fallback_title(path.stem, text)
    return Document(
        path=str(path.resolve()),
        source=source,
        text=text,
        title=title.strip(),
        kind=str(meta.get("kind") or ("guide" if meta.get("id") else "document")),
        topics=_str_tuple(meta.get("topics")),
        stages=_str_tuple(meta.get("stages")),
        summary=str(meta.get("summary") or ""),
    )


_GENERIC_NAME_WORDS = {
    "download", "document", "doc", "file", "page", "index", "untitled", "final", "copy",
    "scan", "draft", "new", "version", "latest", "edited", "export", "print",
}  # fmt: skip


def fallback_title(stem: str, text: str) -> str:
    """A title for a document that states none: its file name when that reads as words
    ("mentoring-faq" -> "Mentoring Faq"), else its opening words. Download names such as
    "001_1dab89af1f5e0705" or "download-2" say nothing about the document."""
    tokens = re.sub(r"[-_.]+", " ", stem).split()
    if any(any(ch.isdigit() for ch in t) and len(t) >= 6 for t in tokens):
        tokens = []  # an id or a hash
    kept = [t for t in tokens if t.isalpha() and t.lower() not in _GENERIC_NAME_WORDS]
    if len(kept) >= 2:
        return " ".join(t.capitalize() if t.islower() else t for t in kept)
    opening = " ".join(re.sub(r"[#*_>`-]+", " ", text).split()[:8])
    return (opening.rstrip(",;:") + "...") if opening else stem or "Untitled document"


def _str_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


def _decode(path: Path, data: bytes) -> str:
    head = data[:8192]
    if b"\x00" in head:
        raise LoadError(str(path), "looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Legacy single-byte text still reads; anything else is rejected as unreadable.
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 200):
            raise LoadError(str(path), "not valid UTF-8 text") from None
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(8, len(text[:8192]) // 50):
        raise LoadError(str(path), "looks like a binary file, not text")
    return text


class _FrontMatterLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases before anything is built from them."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("front matter may not use YAML anchors or aliases (& and *)")
        return super().compose_node(parent, index)


class _Refused(Exception):
    pass


def _front_matter(path: Path, raw: str) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    block = m.group(1)
    if len(block.encode("utf-8")) > FRONT_MATTER_MAX_BYTES:
        raise LoadError(str(path), f"the front matter is over {FRONT_MATTER_MAX_BYTES // 1024} KB")
    try:
        meta = yaml.load(block, Loader=_FrontMatterLoader) or {}  # noqa: S506 (safe loader)
    except _Refused as exc:
        raise LoadError(str(path), str(exc)) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(path), f"invalid front matter ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise LoadError(str(path), "front matter is not a mapping of keys to values")
    for key, limit in FIELD_MAX_CHARS.items():
        if key in meta and meta[key] is not None:
            meta[key] = _plain(path, key, meta[key], limit, many=key in ("topics", "stages"))
    return meta, raw[m.end() :]


def _plain(path: Path, key: str, value: object, limit: int, many: bool) -> str | list[str]:
    """A short plain value (a string, or a number or date written as one); for topics and
    stages also a list of them."""
    if many and isinstance(value, list):
        if len(value) > LIST_MAX_ITEMS:
            raise LoadError(str(path), f"front matter `{key}` lists over {LIST_MAX_ITEMS} values")
        return [_scalar(path, key, v, limit) for v in value]
    return _scalar(path, key, value, limit)


def _scalar(path: Path, key: str, value: object, limit: int) -> str:
    import datetime

    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
        raise LoadError(str(path), f"front matter `{key}` must be plain text")
    text = str(value).strip()
    if len(text) > limit:
        raise LoadError(str(path), f"front matter `{key}` is over {limit} characters")
    return text


# Page furniture that is not the page's content: menus, banners, sign-up boxes, sharing.
_CHROME_TAGS = ["nav", "footer", "aside", "form", "button", "dialog", "select", "input"]
_CHROME = re.compile(
    r"cookie|consent|gdpr|banner|newsletter|subscribe|sign-?up|\bshar(e|ing)\b|social|breadcrumb|"
    r"\bmenu|navbar|sidebar|\brelated|advert|\bads?\b|promo|popup|modal|skip-link|site-header|"
    r"site-footer|masthead|toolbar|pagination|\bcomments?\b",
    re.I,
)
_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"}
_TITLE_SEPARATOR = re.compile(r"\s+[|·•–—:]\s+|\s+-\s+")


def _html(raw: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup
    from bs4.element import Comment, NavigableString, Tag

    soup = BeautifulSoup(raw, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "template", "head", "svg", "iframe"]):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    # The main content when the page marks it; otherwise the page without its furniture.
    mains = (
        soup.find_all("main") or soup.find_all(attrs={"role": "main"}) or soup.find_all("article")
    )
    root: Tag = mains[0] if len(mains) == 1 else soup
    for tag in root.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in root.find_all(True):
        if tag.decomposed or tag.name in ("body", "html", "main", "article"):
            continue
        attrs = tag.attrs or {}
        label = " ".join([str(attrs.get("id") or ""), *(attrs.get("class") or ())])
        chrome = bool(label.strip()) and bool(_CHROME.search(label))
        if chrome or attrs.get("role") in _ROLES or attrs.get("aria-hidden") == "true":
            tag.decompose()
    h1 = root.find("h1") or soup.find("h1")
    heading = h1.get_text(" ", strip=True) if h1 else ""
    # <title> often ends with the site's name ("Mentoring FAQ | Brightwell"); a page's
    # own <h1> says what the page is.
    title = heading or _TITLE_SEPARATOR.split(title)[0].strip() or title
    # Whitespace in HTML source is layout: a line break inside a paragraph is a space.
    for node in root.find_all(string=True):
        if type(node) is NavigableString and node.parent.name not in ("pre", "code", "textarea"):
            node.replace_with(re.sub(r"\s+", " ", str(node)))
    # An FAQ's questions are its sections.
    for tag in root.find_all(["summary", "dt"]):
        tag.replace_with(f"\n\n## {tag.get_text(' ', strip=True)}\n\n")
    for li in root.find_all("li"):
        li.insert_before("\n- ")
    # Keep headings as Markdown so the splitter can stay heading-aware.
    for level in range(1, 7):
        for h in root.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * level} {h.get_text(' ', strip=True)}\n\n")
    for block in root.find_all(["p", "li", "div", "br", "tr", "section", "article", "dd"]):
        block.insert_after("\n\n" if block.name in ("p", "div", "section", "dd") else "\n")
    return title, root.get_text()


def _pdf(path: Path, data: bytes, max_pages: int | None = None) -> tuple[str, str]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(str(path), "the PDF is password-protected")
        if max_pages is not None and len(reader.pages) > max_pages:
            raise LoadError(
                str(path), f"the PDF has {len(reader.pages)} pages; the limit is {max_pages}"
            )
        pages = [_normalise(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
        title = _pdf_title(str(info.title) if info and info.title else "")
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise LoadError(str(path), "not a readable PDF (damaged or not a PDF)") from exc
    except Exception as exc:  # pypdf raises a wide range on malformed input
        raise LoadError(str(path), f"not a readable PDF ({exc.__class__.__name__})") from exc
    text = strip_pages(pages)
    if not text:
        raise LoadError(str(path), "the PDF has no extractable text (is it scanned?)")
    return to_markdown(text, title)


def _pdf_title(title: str) -> str:
    """A PDF's metadata title, unless it is only what made the file ("Microsoft Word -
    plan_v2.docx", "untitled")."""
    title = re.sub(r"^microsoft (word|powerpoint) - ", "", title.strip(), flags=re.I)
    if re.search(r"\.(docx?|pptx?|odt|pdf|txt)$", title, re.I) or title.lower() in (
        "untitled",
        "document",
        "",
    ):
        return ""
    return title


_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

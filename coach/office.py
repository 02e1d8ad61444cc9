"""Office documents as Markdown: Word (.docx) through python-docx, OpenDocument text
(.odt) and PowerPoint (.pptx) from their XML.

All three are zip files, so the archive is checked before anything is parsed: its
number of members, their total unpacked size and each one's compression ratio (a few
kilobytes can unpack to gigabytes), and no encrypted members. Only the XML text parts
are read; macros and embedded objects are never opened, let alone run. Headings stay
headings, list items become "- " lines, and a table's rows become "Header: value" lines,
so the splitter and the answerer see the same structure as in a Markdown guide.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET  # noqa: S405 (expat refuses entity bombs; no DTDs)

from coach.errors import LoadError
from coach.layout import join_blocks, title_like, to_markdown

ZIP_MAX_MEMBERS = 2000
ZIP_MAX_MB = 200  # all members together, unpacked
ZIP_MAX_UNPACKED = ZIP_MAX_MB * 1_000_000
ZIP_MAX_RATIO = 200  # unpacked / packed, per member; Word's XML packs about 5-20x
_DAMAGED = "not a readable document (damaged, or not what its name says)"
_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título)\s*(\d)$", re.I)
_TITLE_STYLES = ("title",)
_LIST_STYLE = re.compile(r"list", re.I)


def check_zip(name: str, data: bytes, required: str) -> zipfile.ZipFile:
    """Open a zip-based document after checking it cannot unpack into more than it says."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise LoadError(
            name, "not a readable document (damaged, or not what its name says)"
        ) from exc
    if len(members) > ZIP_MAX_MEMBERS:
        raise LoadError(
            name, f"the document holds {len(members)} parts; the limit is {ZIP_MAX_MEMBERS}"
        )
    total = 0
    for m in members:
        if m.flag_bits & 0x1:
            raise LoadError(name, "the document is encrypted or password-protected")
        total += m.file_size
        if m.file_size > 1_000_000 and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1):
            raise LoadError(name, "the document unpacks to far more than its size (a zip bomb?)")
    if total > ZIP_MAX_UNPACKED:
        raise LoadError(
            name,
            f"the document unpacks to {total / 1e6:.0f} MB; the limit is {ZIP_MAX_MB} MB",
        )
    if required not in archive.namelist():
        raise LoadError(name, _DAMAGED)
    return archive


def _xml(name: str, archive: zipfile.ZipFile, part: str) -> ET.Element:
    try:
        raw = archive.read(part)
        if b"<!DOCTYPE" in raw[:4096] or b"<!ENTITY" in raw[:65536]:
            raise LoadError(name, "the document's XML declares entities, which are not read")
        return ET.fromstring(raw)  # noqa: S314
    except (ET.ParseError, KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise LoadError(name, "not a readable document (its XML is damaged)") from exc


# --- Word ---------------------------------------------------------------------------------
def read_docx(name: str, data: bytes) -> tuple[str, str]:
    """(title, Markdown) of a .docx: the core-properties title, else its Title or first
    heading paragraph."""
    check_zip(name, data, "word/document.xml")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        title = (document.core_properties.title or "").strip()
        styled = False  # any heading styles at all; without them, layout decides
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_table([[c.text for c in row.cells] for row in item.rows]))
                continue
            text = " ".join(item.text.split())
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            level = _heading_level(style)
            if style.lower() in _TITLE_STYLES:
                title = title or text
                styled = True
                continue
            if level:
                styled = True
                blocks.append(f"{'#' * min(level + 1, 6)} {text}")
            elif (
                _LIST_STYLE.search(style)
                or item._p.pPr is not None
                and item._p.pPr.numPr is not None
            ):
                blocks.append(f"- {text}")
            elif _bold(item) and title_like(text, 10):
                blocks.append(f"**{text}**")  # a heading made by hand
            else:
                blocks.append(text)
    except LoadError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, ET.ParseError) as exc:
        raise LoadError(name, "not a readable Word document (damaged?)") from exc
    except Exception as exc:  # lxml and python-docx raise a wide range on malformed input
        raise LoadError(name, f"not a readable Word document ({exc.__class__.__name__})") from exc
    if not styled:
        # Bold paragraphs are the only headings: let layout find them.
        plain = "\n\n".join(b.strip("*") if b.startswith("**") else b for b in blocks)
        return to_markdown(plain, title)
    return _titled(title, [b.replace("**", "") if b.startswith("**") else b for b in blocks])


def _heading_level(style: str) -> int:
    m = _HEADING_STYLE.match(style.strip())
    return int(m.group(1)) if m else 0


def _numbered(paragraph) -> bool:  # type: ignore[no-untyped-def]
    """A list item by direct numbering, whatever its style is called."""
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _bold(paragraph) -> bool:  # type: ignore[no-untyped-def]
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _titled(title: str, blocks: list[str]) -> tuple[str, str]:
    """(title, Markdown) of a document's blocks: the title it states, else its first
    heading; written as the `#` line unless the first heading already says it."""
    text = join_blocks(blocks)
    heading = re.search(r"^#+ (.+)$", text, re.M)
    title = title or (heading.group(1) if heading else "")
    first = re.match(r"^#+ (.+)$", text)
    if title and not (first and first.group(1).strip() == title):
        return title, f"# {title}\n\n{text}"
    return title, text


def _table(rows: list[list[str]]) -> list[str]:
    """A table's rows as lines a reader can quote: with a header row, "Goal: ...; By when:
    ..."; without one, the cells in order. Merged cells repeat in python-docx: kept once."""
    clean = [[" ".join(c.split()) for c in row] for row in rows]
    clean = [list(dict.fromkeys(row)) if len(set(row)) < len(row) else row for row in clean]
    clean = [row for row in clean if any(row)]
    if not clean:
        return []
    header = clean[0]
    body = clean[1:]
    has_header = bool(body) and all(h and len(h.split()) <= 5 for h in header)
    if not has_header:
        return ["- " + "; ".join(c for c in row if c) for row in clean]
    out = []
    for row in body:
        cells = [f"{h}: {c}" for h, c in zip(header, row, strict=False) if c]
        if cells:
            out.append("- " + "; ".join(cells) + ("" if cells[-1].endswith(".") else "."))
    return out


# --- OpenDocument text ----------------------------------------------------------------------
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def read_odt(name: str, data: bytes) -> tuple[str, str]:
    archive = check_zip(name, data, "content.xml")
    root = _xml(name, archive, "content.xml")
    title = ""
    if "meta.xml" in archive.namelist():
        found = _xml(name, archive, "meta.xml").find(".//dc:title", _ODF)
        title = (found.text or "").strip() if found is not None else ""
    body = root.find(".//office:text", _ODF)
    if body is None:
        raise LoadError(name, "not a readable OpenDocument text (no body)")
    blocks: list[str] = []
    _odt_blocks(body, blocks, in_list=False)
    return _titled(title, blocks)


def _odt_blocks(node: ET.Element, out: list[str], in_list: bool) -> None:
    t, tb = _ODF_TEXT, _ODF_TABLE
    for child in node:
        if child.tag == t + "h":
            level = int(child.get(t + "outline-level") or 1)
            out.append(f"{'#' * min(level + 1, 6)} {_odt_text(child)}")
        elif child.tag == t + "p":
            text = _odt_text(child)
            if text:
                out.append(f"- {text}" if in_list else text)
        elif child.tag in (t + "list", t + "list-item", t + "section"):
            _odt_blocks(child, out, in_list=in_list or child.tag != t + "section")
        elif child.tag == tb + "table":
            rows = [
                [_odt_text(cell) for cell in row.iter(tb + "table-cell")]
                for row in child.iter(tb + "table-row")
            ]
            out.extend(_table(rows))


def _odt_text(node: ET.Element) -> str:
    t = _ODF_TEXT
    parts: list[str] = []

    def walk(n: ET.Element) -> None:
        if n.text:
            parts.append(n.text)
        for c in n:
            if c.tag in (t + "s", t + "tab", t + "line-break"):
                parts.append(" ")
            elif c.tag != t + "note":  # footnotes would break the sentence they sit in
                walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(node)
    return " ".join("".join(parts).split())


# --- PowerPoint -----------------------------------------------------------------------------
_PPT = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_P, _A = "{%s}" % _PPT["p"], "{%s}" % _PPT["a"]  # noqa: UP031
_SLIDE = re.compile(r"^ppt/slides/slide(\d+)\.xml$")


def read_pptx(name: str, data: bytes) -> tuple[str, str]:
    """Each slide is a section under its title; its other text boxes are its body."""
    archive = check_zip(name, data, "ppt/presentation.xml")
    slides = sorted((int(m.group(1)), n) for n in archive.namelist() if (m := _SLIDE.match(n)))
    title = ""
    if "docProps/core.xml" in archive.namelist():
        found = _xml(name, archive, "docProps/core.xml").find(".//dc:title", _PPT)
        title = (found.text or "").strip() if found is not None else ""
    blocks: list[str] = []
    for number, part in slides:
        root = _xml(name, archive, part)
        heading, body = "", []
        for shape in root.iter(_P + "sp"):
            ph = shape.find(".//p:nvPr/p:ph", _PPT)
            paras = [
                " ".join("".join(t.text or "" for t in p.iter(_A + "t")).split())
                for p in shape.iter(_A + "p")
            ]
            paras = [p for p in paras if p]
            if ph is not None and ph.get("type") in ("title", "ctrTitle") and not heading:
                heading = " ".join(paras)
            else:
                body.extend(paras)
        if not heading and not body:
            continue
        blocks.append(f"## {heading or f'Slide {number}'}")
        blocks.extend(f"- {p}" if len(body) > 1 else p for p in body)
    return _titled(title, blocks)

"""A user's personal library: uploads are checked on the server, stored under
COACH_HOME/uploads/<user>/, ingested as that user's private documents, and cited like the
corpus. Deleting one removes its chunks.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from coach.errors import BadInputError, LoadError
from coach.load import load

ALLOWED = {
    ".md": "text",
    ".markdown": "text",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


@dataclass
class Upload:
    filename: str
    path: Path
    chunks_added: int
    chunks_total: int


def safe_name(filename: str) -> str:
    name = Path(str(filename).replace("\\", "/")).name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" ._") or "document"
    return f"{stem[:80]}.{ext.lower()}" if ext else stem[:80]


def user_folder(home: Path, user: str) -> Path:
    # Hash the user name into the folder name: no path tricks, no collisions.
    slug = re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-")[:24] or "user"
    return home / "uploads" / f"{slug}-{hashlib.sha256(user.encode()).hexdigest()[:10]}"


def check(filename: str, data: bytes, max_mb: float, max_chars: int, max_pages: int) -> str:
    """Validate an upload before anything is stored; returns the safe file name."""
    name = safe_name(filename)
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED:
        raise BadInputError(
            f"{name}: only {', '.join(sorted(set(ALLOWED)))} files can be added to the library."
        )
    if not data:
        raise BadInputError(f"{name}: the file is empty.")
    if len(data) > max_mb * 1_000_000:
        raise BadInputError(
            f"{name}: the file is {len(data) / 1e6:.1f} MB; the limit is {max_mb:g} MB."
        )
    kind = ALLOWED[ext]
    head = data[:1024].lstrip()
    if kind == "pdf" and not data.startswith(b"%PDF-"):
        raise BadInputError(f"{name}: the content is not a PDF, whatever its name says.")
    if kind != "pdf" and (head.startswith(b"%PDF-") or b"\x00" in data[:8192]):
        raise BadInputError(f"{name}: the content is binary, not {ext} text.")
    if kind == "pdf":
        _check_pages(name, data, max_pages)
    return name


def _check_pages(name: str, data: bytes, max_pages: int) -> None:
    import io

    from pypdf import PdfReader

    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # pypdf raises many types on damaged files
        raise BadInputError(f"{name}: the PDF is damaged and cannot be read.") from None
    if pages > max_pages:
        raise BadInputError(f"{name}: the PDF has {pages} pages; the limit is {max_pages}.")


def check_text(path: Path, max_chars: int) -> None:
    """Load the stored file once to be sure it reads, and hold it to the character cap."""
    try:
        doc = load(path, path.name)
    except LoadError as exc:
        raise BadInputError(f"{path.name}: {exc.reason}.") from None
    if len(doc.text) > max_chars:
        raise BadInputError(
            f"{path.name}: the text is {len(doc.text):,} characters; the limit is {max_chars:,}."
        )

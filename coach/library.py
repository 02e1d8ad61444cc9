"""A user's personal library: uploads are checked on the server, stored under
COACH_HOME/uploads/<user>/, ingested as that user's private documents, and cited like the
corpus. Deleting one removes its chunks.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from coach.errors import BadInputError

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


def check(filename: str, data: bytes, max_mb: float) -> str:
    """The cheap checks, before anything is stored or parsed; returns the safe file name.
    Reading the file (and its page and character caps) happens in coach.sandbox."""
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
    return name

"""A user's personal library: uploads are checked on the server, stored under
COACH_HOME/uploads/<user>/, ingested as that user's private documents, and cited like the
corpus. Deleting one removes its chunks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
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
    ".docx": "zip",
    ".odt": "zip",
    ".pptx": "zip",
}


@dataclass
class Upload:
    filename: str
    path: Path
    chunks_added: int
    chunks_total: int


def safe_name(filename: str) -> str:
    """The name an upload is stored under: ASCII letters, digits and a little punctuation.
    A name that had to change (accents transliterated, other scripts or odd characters
    dropped, or cut short) gets a short hash of the original, so two names never become
    one file; the same name always gives the same file, so uploading it again updates it."""
    name = unicodedata.normalize("NFC", Path(str(filename).replace("\\", "/")).name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_stem).strip(" ._")[:80]
    if safe != stem:
        safe = f"{safe or 'document'}-{hashlib.sha256(stem.encode()).hexdigest()[:8]}"
    ext = re.sub(r"[^a-z0-9]+", "", ext.lower())[:10]
    return f"{safe}.{ext}" if ext else safe


def display_name(filename: str) -> str:
    """The name as the user gave it, for their own list: any script kept, control and
    invisible characters dropped."""
    name = unicodedata.normalize("NFC", Path(str(filename).replace("\\", "/")).name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return " ".join(name.split())[:120] or "document"


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
    if kind == "zip" and not data.startswith(b"PK\x03\x04"):
        # Word, OpenDocument and PowerPoint files are zip archives; a .doc or .ppt from
        # before 2007 is not, and is not read.
        raise BadInputError(f"{name}: the content is not a {ext} document, whatever its name says.")
    if kind in ("text", "html") and (head.startswith(b"%PDF-") or b"\x00" in data[:8192]):
        raise BadInputError(f"{name}: the content is binary, not {ext} text.")
    return name


# --- copies in the web app's file cache ---------------------------------------------------
# Gradio serves a file a handler returns (an export) from its own cache, to anyone signed
# in who has the URL. Export names carry a tag of their owner, so the web app serves each
# only to that user (coach.web.SecurityHeaders), and deleting or forgetting removes them.
EXPORT_NAME = re.compile(r"^(?:conversation|meeting-prep)-([0-9a-f]{16})-")


def owner_tag(user: str) -> str:
    return hashlib.sha256(f"mentor-coach-owner:{user}".encode()).hexdigest()[:16]


def export_name(user: str, kind: str, ext: str = "md") -> str:
    """`conversation-<owner tag>-<time>-<random>.md`: the owner is checked from the name
    wherever a copy of the file ends up."""
    import time
    import uuid

    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{kind}-{owner_tag(user)}-{stamp}-{uuid.uuid4().hex[:6]}.{ext}"


def gradio_cache() -> Path:
    """Where Gradio keeps the files it serves (its own default, or GRADIO_TEMP_DIR)."""
    import os
    import tempfile

    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def remove_cached_exports(user: str, cache: Path | None = None) -> int:
    """Delete every copy of the user's exports from the web app's file cache."""
    cache = cache or gradio_cache()
    removed = 0
    if cache.is_dir():
        for path in cache.rglob(f"*-{owner_tag(user)}-*"):
            if path.is_file() and EXPORT_NAME.match(path.name):
                path.unlink(missing_ok=True)
                removed += 1
    return removed

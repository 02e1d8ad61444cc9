"""Keeping a coach's data safe: back it up, restore it, and forget a user completely.

A backup is a folder: both SQLite databases copied with SQLite's online backup API, the
embedded Chroma folder and the uploads copied while the ingest lock is held (so no
writer can change them mid-copy), and a manifest with the counts a restore checks.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from coach.db import Database
from coach.errors import BadInputError
from coach.ingest import forget
from coach.library import remove_cached_exports, user_folder
from coach.settings import Settings
from coach.store import Store

MANIFEST = "coach-backup.json"
FORMAT = 1


@dataclass
class ForgetReport:
    rows: int
    chunks: int
    files: int


def forget_user(store: Store, db: Database, settings: Settings, user: str) -> ForgetReport:
    """Delete a user's conversations, profile, action items, feedback, turns, uploads and
    the chunks of those uploads. Shared guidance is untouched."""
    if not user:
        raise BadInputError("Name the user to forget.")
    rows = 0
    with db.transaction() as tx:
        rows += tx.execute(
            "DELETE FROM messages WHERE conversation_id IN "
            '(SELECT id FROM conversations WHERE "user" = ?)',
            (user,),
        ).rowcount
        for table in ("feedback", "conversations", "profiles", "actions", "documents", "turns"):
            rows += tx.execute(f'DELETE FROM {table} WHERE "user" = ?', (user,)).rowcount
    owned = sorted({c.path for c in store.chunks().values() if c.owner == user})
    chunks = forget(store, owned) if owned else 0
    folder = user_folder(settings.home, user)
    files = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
    shutil.rmtree(folder, ignore_errors=True)
    files += remove_cached_exports(user)  # the web app's served copies too
    return ForgetReport(rows, chunks, files)


def _copy_sqlite(src: Path, dst: Path) -> None:
    if not src.exists():
        return
    source = sqlite3.connect(src)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)  # a consistent copy even while readers are active
    finally:
        target.close()
        source.close()


def _counts(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    index = folder / "index.db"
    if index.exists():
        conn = sqlite3.connect(index)
        counts["chunks"] = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        counts["files"] = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        conn.close()
    db = folder / "coach.db"
    if db.exists():
        conn = sqlite3.connect(db)
        for table in ("turns", "conversations", "messages", "feedback", "actions", "documents"):
            try:
                counts[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            except sqlite3.OperationalError:
                counts[table] = 0
        conn.close()
    return counts


def _local_only(settings: Settings, command: str) -> None:
    if settings.database_url:
        raise BadInputError(
            f"`coach {command}` copies the SQLite files in COACH_HOME. With COACH_DATABASE_URL "
            "set, use PostgreSQL's pg_dump/pg_restore and back up the Chroma server's folder."
        )


def backup(store: Store, settings: Settings, target: Path) -> dict[str, int]:
    _local_only(settings, "backup")
    target = target.expanduser()
    if target.exists() and any(target.iterdir()):
        raise BadInputError(f"{target} is not empty; choose a new folder for the backup.")
    target.mkdir(parents=True, exist_ok=True)
    home = settings.home
    with store.write_lock():
        _copy_sqlite(settings.index_db, target / "index.db")
        _copy_sqlite(settings.log_db, target / "coach.db")
        if not settings.chroma_url and settings.chroma_path.exists():
            shutil.copytree(settings.chroma_path, target / "chroma")
        if (home / "uploads").exists():
            shutil.copytree(home / "uploads", target / "uploads")
    counts = _counts(target)
    manifest = {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "home": str(home),
        "vectors": "included" if (target / "chroma").exists() else "on the Chroma server",
        "counts": counts,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return counts


def restore(store: Store, settings: Settings, source: Path) -> dict[str, int]:
    """Replace COACH_HOME's data with a backup. Stop the app first: it holds files open.
    The data being replaced is kept in COACH_HOME/replaced-<time>/ rather than deleted."""
    _local_only(settings, "restore")
    source = source.expanduser()
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BadInputError(f"{source} is not a coach backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BadInputError(f"{source} has backup format {manifest.get('format')}, not {FORMAT}.")
    if _counts(source) != manifest["counts"]:
        raise BadInputError(f"{source} does not match its manifest; it may be incomplete.")
    home = settings.home
    with store.write_lock():
        aside = home / f"replaced-{time.strftime('%Y%m%d-%H%M%S')}"
        aside.mkdir(parents=True)
        for name in ("index.db", "coach.db", "chroma", "uploads"):
            for suffix in ("", "-wal", "-shm"):
                path = home / f"{name}{suffix}"
                if path.exists():
                    shutil.move(str(path), aside / path.name)
        for name in ("index.db", "coach.db"):
            if (source / name).exists():
                shutil.copy2(source / name, home / name)
        for name in ("chroma", "uploads"):
            if (source / name).exists():
                shutil.copytree(source / name, home / name)
    return _counts(home)

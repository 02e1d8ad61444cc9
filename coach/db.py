"""The coach's own SQLite database (`COACH_HOME/coach.db`): turn log, conversations,
profiles, action items, feedback and the personal library.

Schema changes are small numbered migrations, applied in order and recorded in
`migrations`, so an old database upgrades in place and nothing stored is lost.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from coach.errors import StoreError

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_turns(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts REAL NOT NULL,
            question TEXT NOT NULL,
            query TEXT NOT NULL,
            answer TEXT NOT NULL,
            passages TEXT NOT NULL,
            prompt TEXT NOT NULL,
            mode TEXT NOT NULL,
            model TEXT NOT NULL,
            refused INTEGER NOT NULL,
            latency_ms REAL NOT NULL
        )"""
    )


@migration
def m002_mentee_data(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE turns ADD COLUMN user TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE turns ADD COLUMN conversation_id TEXT")
    db.executescript(
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            title TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL
        );
        CREATE INDEX conversations_user ON conversations(user, updated);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            citations TEXT NOT NULL DEFAULT '[]',
            turn_id INTEGER,
            ts REAL NOT NULL
        );
        CREATE INDEX messages_conversation ON messages(conversation_id, id);
        CREATE TABLE profiles (
            user TEXT PRIMARY KEY,
            role TEXT NOT NULL DEFAULT '',
            stage TEXT NOT NULL DEFAULT '',
            goals TEXT NOT NULL DEFAULT '[]',
            updated REAL NOT NULL
        );
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            text TEXT NOT NULL,
            due TEXT NOT NULL DEFAULT '',
            done INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL
        );
        CREATE INDEX actions_user ON actions(user, done);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            turn_id INTEGER NOT NULL REFERENCES turns(id),
            rating INTEGER NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            ts REAL NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            filename TEXT NOT NULL,
            path TEXT NOT NULL UNIQUE,
            chunks INTEGER NOT NULL,
            uploaded REAL NOT NULL
        );
        CREATE INDEX documents_user ON documents(user);
        """
    )


class Database:
    """One connection shared by the app's threads; writes are serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._lock = threading.RLock()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the database {path} cannot be opened: {exc}") from exc

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, ts REAL)")
            done = {r[0] for r in db.execute("SELECT name FROM migrations")}
            for name, fn in MIGRATIONS:
                if name not in done:
                    fn(db)
                    db.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                with self._conn:
                    yield self._conn
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"the database {self.path} failed: {exc}") from exc

    def query(self, sql: str, params: tuple = ()) -> list[dict]:
        with self._lock:
            cur = self._conn.execute(sql, params)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

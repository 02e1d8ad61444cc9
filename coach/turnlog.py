"""Every turn is logged to SQLite: question, passages and scores, prompt id, mode, latency.

The log is the raw material the evaluation set grows from. Schema changes are small
numbered migrations, applied in order and recorded in `migrations`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from coach.types import Answer

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


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, ts REAL)")
        done = {r[0] for r in db.execute("SELECT name FROM migrations")}
        for name, fn in MIGRATIONS:
            if name not in done:
                fn(db)
                db.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))
    return db


class TurnLog:
    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path)
        return self._db

    def record(self, question: str, answer: Answer) -> int:
        passages = [
            {
                "id": p.id,
                "source": p.chunk.source,
                "score": round(p.score, 6),
                "dense": round(p.dense, 6),
                "bm25": round(p.bm25, 6),
            }
            for p in answer.passages
        ]
        with self.db:
            cur = self.db.execute(
                "INSERT INTO turns (ts, question, query, answer, passages, prompt, mode, model, "
                "refused, latency_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    time.time(),
                    question,
                    answer.query,
                    answer.answer,
                    json.dumps(passages),
                    answer.prompt,
                    answer.mode,
                    self.model,
                    int(answer.refused),
                    answer.latency_ms,
                ),
            )
        return int(cur.lastrowid or 0)

    def recent(self, limit: int = 20) -> list[dict]:
        cur = self.db.execute(
            "SELECT id, ts, question, query, passages, prompt, mode, model, refused, latency_ms "
            "FROM turns ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            r["passages"] = json.loads(r["passages"])
        return rows

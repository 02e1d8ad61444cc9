"""The coach's SQL database: turn log, conversations, profiles, action items, feedback,
the personal library, sign-in accounts, and the chunk index that the store keeps beside
Chroma.

Two engines sit behind one small interface:
- SQLite files under COACH_HOME, the default: nothing to install or run;
- PostgreSQL, when `COACH_DATABASE_URL` is set: one database that several app
  replicas share.

SQL is written once, in the subset both engines accept, with `?` placeholders and
SQLite's type names. For PostgreSQL the placeholders become `%s` and the three type
names are widened (REAL is 4 bytes there; timestamps and nanosecond mtimes need 8).
Schema changes are small numbered migrations, applied in order and recorded in
`migrations`, so an old database upgrades in place and nothing stored is lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from coach.errors import StoreError, StoreLockedError

POSTGRES_SCHEMES = ("postgresql", "postgres")


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Tx(Protocol):
    """What a transaction offers: the same calls on either engine."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def script(self, sql: str) -> None: ...


Migration = Callable[[Tx], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


# "user" is quoted everywhere: PostgreSQL reserves the word, SQLite accepts either form.
@migration
def m001_turns(db: Tx) -> None:
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
def m002_mentee_data(db: Tx) -> None:
    db.execute("""ALTER TABLE turns ADD COLUMN "user" TEXT NOT NULL DEFAULT ''""")
    db.execute("ALTER TABLE turns ADD COLUMN conversation_id TEXT")
    db.script(
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            "user" TEXT NOT NULL,
            title TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL
        );
        CREATE INDEX conversations_user ON conversations("user", updated);
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
            "user" TEXT PRIMARY KEY,
            role TEXT NOT NULL DEFAULT '',
            stage TEXT NOT NULL DEFAULT '',
            goals TEXT NOT NULL DEFAULT '[]',
            updated REAL NOT NULL
        );
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            "user" TEXT NOT NULL,
            text TEXT NOT NULL,
            due TEXT NOT NULL DEFAULT '',
            done INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL
        );
        CREATE INDEX actions_user ON actions("user", done);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            "user" TEXT NOT NULL,
            turn_id INTEGER NOT NULL REFERENCES turns(id),
            rating INTEGER NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            ts REAL NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            "user" TEXT NOT NULL,
            filename TEXT NOT NULL,
            path TEXT NOT NULL UNIQUE,
            chunks INTEGER NOT NULL,
            uploaded REAL NOT NULL
        );
        CREATE INDEX documents_user ON documents("user");
        """
    )


@migration
def m003_accounts(db: Tx) -> None:
    """Sign-in accounts (argon2 hashes, never passwords) and the failure counters that
    throttle sign-in, kept here so every replica and `coach user` see the same ones."""
    db.script(
        """
        CREATE TABLE accounts (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'user',
            created REAL NOT NULL,
            password_changed REAL NOT NULL
        );
        CREATE TABLE sign_in_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            first REAL NOT NULL,
            locked_until REAL NOT NULL DEFAULT 0
        );
        """
    )


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlparse(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


class Database:
    """One SQL database, SQLite or PostgreSQL. Use `open_database`."""

    engine = ""
    where = ""

    def transaction(self) -> contextlib.AbstractContextManager[Tx]:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def tables(self) -> set[str]:
        raise NotImplementedError

    def lock(self, name: str, wait: float = 0.0) -> contextlib.AbstractContextManager[None]:
        """An exclusive lock across processes (and replicas). Taken without waiting by
        default; with `wait`, retried for up to that many seconds before giving up."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def migrate(self, migrations: Sequence[tuple[str, Migration]] = MIGRATIONS) -> None:
        with self.transaction() as db:
            self.serialise(db, "migrations")
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, ts REAL)")
            done = {r[0] for r in db.execute("SELECT name FROM migrations")}
            for name, fn in migrations:
                if name not in done:
                    fn(db)
                    db.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))

    def serialise(self, db: Tx, name: str) -> None:
        """Hold `name` until this transaction ends, so replicas starting together do not
        run the same migration twice. SQLite's own write lock already does this."""

    def error(self, exc: Exception) -> StoreError:
        return StoreError(f"the database {self.where} failed: {exc}")


class SQLiteDatabase(Database):
    """One connection shared by the app's threads; writes are serialised by a lock."""

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the database {path} cannot be opened: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            try:
                with self._conn:
                    yield _SQLiteTx(self._conn)
            except sqlite3.DatabaseError as exc:
                raise self.error(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, tuple(params))
                cols = [c[0] for c in cur.description]
                return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
            except sqlite3.DatabaseError as exc:
                raise self.error(exc) from exc

    def tables(self) -> set[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r["name"] for r in rows}

    @contextlib.contextmanager
    def lock(self, name: str, wait: float = 0.0) -> Iterator[None]:
        lock_path = self.path.parent / f"{name}.lock"
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:

            def take() -> bool:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                return True

            if not _retry(take, wait):
                raise StoreLockedError(str(lock_path))
            yield
        finally:
            os.close(fd)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _SQLiteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def script(self, sql: str) -> None:
        for statement in _statements(sql):
            self._conn.execute(statement)


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


_TYPES = [
    (
        re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
]


def postgres_sql(sql: str) -> str:
    """Our portable SQL in PostgreSQL's spelling. No statement of ours has a literal `?`."""
    for pattern, replacement in _TYPES:
        sql = pattern.sub(replacement, sql)
    return sql.replace("?", "%s")


class PostgresDatabase(Database):
    """A small connection pool; each transaction takes one connection for its duration."""

    engine = "postgresql"

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self.url = url
        self.where = redact(url)
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise StoreError(
                "COACH_DATABASE_URL names PostgreSQL, but psycopg is not installed: "
                "pip install 'mentor-coach[postgres]'"
            ) from exc
        self._errors: tuple[type[Exception], ...] = (psycopg.Error,)
        try:
            # One direct connection first: a wrong URL fails at once, with the server's
            # own reason, instead of after the pool's retries.
            psycopg.connect(url, connect_timeout=10).close()
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=pool_size,
                open=False,
                kwargs={"connect_timeout": 10},
                check=ConnectionPool.check_connection,  # a restarted server is survived
            )
            self._pool.open(wait=True, timeout=15)
        except Exception as exc:
            raise StoreError(f"cannot reach the database {self.where}: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield _PostgresTx(conn)
        except self._errors as exc:
            raise self.error(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            with self._pool.connection() as conn:
                cur = conn.execute(postgres_sql(sql), tuple(params))
                cols = [c.name for c in cur.description or []]
                return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        except self._errors as exc:
            raise self.error(exc) from exc

    def tables(self) -> set[str]:
        rows = self.query(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
        return {r["name"] for r in rows}

    def serialise(self, db: Tx, name: str) -> None:
        db.execute("SELECT pg_advisory_xact_lock(?)", (_lock_key(name),))

    @contextlib.contextmanager
    def lock(self, name: str, wait: float = 0.0) -> Iterator[None]:
        # A session-level advisory lock on a connection held for the whole block: it is
        # released if this process dies, just like an flock.
        key = _lock_key(name)
        with self._pool.connection() as conn:
            conn.autocommit = True
            try:

                def take() -> bool:
                    got = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
                    return bool(got and got[0])

                if not _retry(take, wait):
                    raise StoreLockedError(f"{name} in {self.where}")
                try:
                    yield
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
            finally:
                conn.autocommit = False

    def close(self) -> None:
        self._pool.close()


def _retry(take: Callable[[], bool], wait: float) -> bool:
    """Call `take` until it succeeds or `wait` seconds have passed; polls back off from
    20 ms to 250 ms, so a short wait is short and a long one is cheap."""
    deadline = time.monotonic() + wait
    pause = 0.02
    while not take():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.25)
    return True


def _lock_key(name: str) -> int:
    return zlib.crc32(f"mentor-coach:{name}".encode())


class _PostgresTx:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(postgres_sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(postgres_sql(sql), rows)

    def script(self, sql: str) -> None:
        for statement in _statements(sql):
            self._conn.execute(postgres_sql(statement))


def open_database(target: str | Path) -> Database:
    """A PostgreSQL URL opens a small pool of connections to that server; a path opens a
    SQLite file."""
    if isinstance(target, Path):
        return SQLiteDatabase(target)
    if urlparse(target).scheme not in POSTGRES_SCHEMES:
        raise StoreError(
            "COACH_DATABASE_URL must look like postgresql://user:password@host:5432/name, "
            f"not {redact(target)!r}"
        )
    return PostgresDatabase(target)

"""The store: a Chroma collection for vectors, and an SQL index (SQLite under COACH_HOME,
or the shared PostgreSQL) for chunk text, BM25 terms and the per-file manifest that makes
ingest incremental.

Chroma is embedded (PersistentClient under COACH_HOME) unless `COACH_CHROMA_URL` points
at a server. Either way we pass our own embedding function, because Chroma's default
one downloads a model.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from coach.db import Database, Tx, open_database
from coach.errors import EmptyIndexError, StoreError
from coach.guard import flag_lines
from coach.settings import Settings
from coach.text import tokens
from coach.types import Chunk, Filters

# The index is derived data: when its layout changes it is rebuilt by the next ingest,
# unless UPGRADES can bring it forward in place. Bump this with any change to SCHEMA or
# to what a chunk id covers.
INDEX_VERSION = "7"

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    chunk_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topics TEXT NOT NULL,
    stages TEXT NOT NULL,
    summary TEXT NOT NULL,
    owner TEXT NOT NULL,
    terms TEXT NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0,
    flagged TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
CREATE INDEX IF NOT EXISTS chunks_gen ON chunks(gen);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT NOT NULL, gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tombstones_gen ON tombstones(gen);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# In-place upgrades, by the version they start from, applied in turn. Version 4 stamps
# each chunk with the generation that wrote it and records deletions, so readers catch up
# incrementally. Version 5 stores the lines of a chunk that read as planted instructions
# (filled in for existing rows by `_flag_existing`, so nothing needs re-embedding).
# Version 6 puts the owner into an upload's chunk id (`_owners_in_ids`): the rows are
# renamed in SQL, and their vectors are moved to the new ids right after (see
# `Store._move_vectors`), so users' uploads are kept and nothing is embedded again.
# Version 7 only forgets the files' sizes and hashes (see below).
UPGRADES: dict[str, tuple[str, str | Callable[[Tx], None]]] = {
    "3": (
        "4",
        """
        ALTER TABLE chunks ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS chunks_gen ON chunks(gen);
        CREATE TABLE IF NOT EXISTS tombstones (id TEXT NOT NULL, gen INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS tombstones_gen ON tombstones(gen)
    """,
    ),
    "4": ("5", "ALTER TABLE chunks ADD COLUMN flagged TEXT NOT NULL DEFAULT '[]'"),
    "5": ("6", lambda db: _owners_in_ids(db)),
    # Version 7's loader finds titles, headings and lists in plain text, PDFs and web pages
    # (coach/layout.py): every file is read once more at the next ingest. A chunk whose text
    # and headings come out the same keeps its id, so only changed documents re-embed.
    "6": ("7", "UPDATE files SET size = -1, sha256 = ''"),
}

# How many generations of deletions are kept for readers to catch up with.
TOMBSTONE_GENERATIONS = 1000

# Filtered searches fetch this many unfiltered candidates per wanted one and filter them
# in Python, before falling back to a filtered search (see Store.dense_search).
OVERFETCH = 4

# Up to this many vectors, dense search is exact: a product with vectors held in memory
# (two float32 copies, about 30 MB at 10k chunks) instead of Chroma's HNSW. On the
# 1,236-chunk eval index that graph (M=16, ef 100) missed an uploaded page's best chunk
# (cosine 0.62, the next 0.44) until asked for 200 hits, and which chunks it misses
# changes with every build, since chunk ids and insertion order change the graph. A
# larger store keeps HNSW for the built-in guides and searches its users' own uploads
# exactly, as long as they fit.
EXACT_SEARCH_MAX = 20_000

CHUNK_COLUMNS = (
    "id, path, source, title, section, text, ord, kind, topics, stages, summary, owner, terms, "
    "flagged"
)


@dataclass(frozen=True)
class FileRecord:
    path: str
    source: str
    sha256: str
    size: int
    mtime_ns: int
    chunk_ids: tuple[str, ...]


def _chunk(r: Sequence[Any]) -> Chunk:
    return Chunk(
        id=r[0],
        path=r[1],
        source=r[2],
        title=r[3],
        section=r[4],
        text=r[5],
        ord=r[6],
        kind=r[7],
        topics=tuple(json.loads(r[8])),
        stages=tuple(json.loads(r[9])),
        summary=r[10],
        owner=r[11],
        flagged=tuple(json.loads(r[13])),
    )


def _flag_existing(db: Tx) -> None:
    """Flag planted instructions in rows written before chunks carried the flag."""
    rows = db.execute("SELECT id, title, section, text FROM chunks").fetchall()
    updates = [
        (json.dumps(list(flags)), r[0])
        for r in rows
        if (flags := flag_lines(r[3], f"{r[1]} {r[2]}"))
    ]
    db.executemany("UPDATE chunks SET flagged = ? WHERE id = ?", updates)


def _owners_in_ids(db: Tx) -> None:
    """Give every owned chunk the id it gets today (owner included), in the chunks and
    the file records; the old-to-new map waits in meta until the vectors have moved."""
    from coach.split import chunk_context, chunk_id

    rows = db.execute(
        "SELECT id, source, title, section, summary, text, owner FROM chunks WHERE owner != ''"
    ).fetchall()
    renames = {
        r[0]: new
        for r in rows
        if (new := chunk_id(r[1], chunk_context(r[2], r[3], r[4]), r[5], r[6])) != r[0]
    }
    if not renames:
        return
    db.executemany("UPDATE chunks SET id = ? WHERE id = ?", [(n, o) for o, n in renames.items()])
    for path, ids in db.execute("SELECT path, chunk_ids FROM files").fetchall():
        old = json.loads(ids)
        if any(i in renames for i in old):
            new = json.dumps([renames.get(i, i) for i in old])
            db.execute("UPDATE files SET chunk_ids = ? WHERE path = ?", (new, path))
    db.execute(
        "INSERT INTO meta(key, value) VALUES('vectors_to_move', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (json.dumps(renames),),
    )


class ChromaEmbedding:
    """Adapter so Chroma calls our embedder, never its own downloading default."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 (Chroma's name)
        return list(self._embedder.encode(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return self(input)

    @staticmethod
    def name() -> str:
        return "mentor-coach-minilm"

    def get_config(self) -> dict[str, Any]:
        return {}

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        from coach.embed import Embedder  # the same model; it loads lazily, offline

        return ChromaEmbedding(Embedder())


def chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise StoreError(
                    f"COACH_CHROMA_URL must look like http://host:port, not {settings.chroma_url!r}"
                )
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except StoreError:
        raise
    except Exception as exc:
        where = settings.chroma_url or str(settings.chroma_path)
        raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc


def _flags(prefix: str, values: Sequence[str]) -> dict[str, bool]:
    return {f"{prefix}{v}": True for v in values}


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    """Topics and stages are stored as boolean flags, so filters are plain equality tests."""
    clauses: list[dict[str, Any]] = []
    for prefix, values in (("topic_", filters.topics), ("stage_", filters.stages)):
        if values:
            options = [{f"{prefix}{v}": True} for v in values]
            clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if filters.kinds:
        kinds = list(filters.kinds)
        clauses.append({"kind": kinds[0]} if len(kinds) == 1 else {"kind": {"$in": kinds}})
    # Shared guidance, plus this user's own uploads; never another user's.
    owners = ["", filters.user] if filters.user else [""]
    clauses.append({"owner": owners[0]} if len(owners) == 1 else {"owner": {"$in": owners}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(chunk: Chunk, filters: Filters) -> bool:
    if chunk.owner and chunk.owner != filters.user:
        return False
    if filters.topics and not set(filters.topics) & set(chunk.topics):
        return False
    if filters.stages and not set(filters.stages) & set(chunk.stages):
        return False
    return not (filters.kinds and chunk.kind not in filters.kinds)


class Bm25Index:
    """Okapi BM25 (k1=1.5, b=0.75, idf floored at 0.25 x the mean idf: the same scores as
    rank-bm25's BM25Okapi) over a sparse document-by-term matrix of term counts.

    A query reads a few columns instead of looping over every document in Python, so it
    stays fast at 100k chunks. It is incremental: an ingest or an upload adds and removes
    rows, and document frequencies, lengths and idf follow, without rebuilding the rest.
    Removed rows stay in the matrix, masked, until they are a fifth of it.
    """

    k1, b, epsilon = 1.5, 0.75, 0.25

    def __init__(self, ids: Sequence[str] = (), terms: Sequence[Sequence[str]] = ()) -> None:
        from scipy.sparse import csc_matrix

        self.ids: list[str] = []
        self.vocab: dict[str, int] = {}
        self._row: dict[str, int] = {}
        self._tf = csc_matrix((0, 0), dtype=np.float64)
        self._lengths = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self._idf = np.zeros(0, dtype=np.float64)
        self._avgdl = 1.0
        self.add(ids, terms)

    def __len__(self) -> int:
        return len(self._row)

    def copy(self) -> Bm25Index:
        """A copy to update while readers go on using this one (arrays are replaced,
        never changed in place, except the containers copied here)."""
        clone = Bm25Index.__new__(Bm25Index)
        clone.__dict__.update(self.__dict__)
        clone.ids, clone.vocab, clone._row = list(self.ids), dict(self.vocab), dict(self._row)
        clone._alive = self._alive.copy()
        return clone

    def add(self, ids: Sequence[str], terms: Sequence[Sequence[str]]) -> None:
        from collections import Counter

        from scipy.sparse import coo_matrix, csc_matrix, vstack

        self.remove([i for i in ids if i in self._row])
        if not ids:
            self._update_stats()
            return
        first = len(self.ids)
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lengths = []
        for offset, (cid, doc) in enumerate(zip(ids, terms, strict=True)):
            self._row[cid] = first + offset
            self.ids.append(cid)
            lengths.append(len(doc))
            for term, tf in Counter(doc).items():
                rows.append(offset)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(tf)
        width = len(self.vocab)
        new = coo_matrix(
            (np.array(tfs, dtype=np.float64), (np.array(rows, dtype=np.int64), cols)),
            shape=(len(ids), width),
        )
        old = self._tf  # widened to the new vocabulary without touching its arrays
        indptr = np.concatenate(
            [old.indptr, np.full(width - old.shape[1], old.indptr[-1], dtype=old.indptr.dtype)]
        )
        old = csc_matrix((old.data, old.indices, indptr), shape=(first, width))
        self._tf = vstack([old, new], format="csc")
        self._lengths = np.concatenate([self._lengths, np.array(lengths, dtype=np.float64)])
        self._alive = np.concatenate([self._alive, np.ones(len(ids), dtype=bool)])
        self._update_stats()

    def remove(self, ids: Sequence[str]) -> None:
        rows = [self._row.pop(i) for i in ids if i in self._row]
        if not rows:
            return
        self._alive[rows] = False
        if (~self._alive).sum() > len(self._alive) / 5:
            self._compact()
        self._update_stats()

    def _compact(self) -> None:
        keep = np.flatnonzero(self._alive)
        self._tf = self._tf.tocsr()[keep].tocsc()
        self.ids = [self.ids[i] for i in keep]
        self._row = {cid: n for n, cid in enumerate(self.ids)}
        self._lengths = self._lengths[keep]
        self._alive = np.ones(len(keep), dtype=bool)

    def _update_stats(self) -> None:
        """Document frequencies, idf and mean length over the live rows only."""
        tf = self._tf
        live_nonzero = self._alive[tf.indices] if tf.nnz else np.zeros(0, dtype=bool)
        columns = np.repeat(np.arange(tf.shape[1]), np.diff(tf.indptr))
        df = np.bincount(columns[live_nonzero], minlength=tf.shape[1]).astype(np.float64)
        n = float(self._alive.sum())
        lengths = self._lengths[self._alive]
        self._avgdl = float(lengths.mean()) if n and lengths.sum() else 1.0
        idf = np.zeros(tf.shape[1], dtype=np.float64)
        seen = df > 0  # a term only dead rows had is not in the corpus any more
        if seen.any():
            idf[seen] = np.log(n - df[seen] + 0.5) - np.log(df[seen] + 0.5)
            mean = idf[seen].mean()
            idf[seen & (idf < 0)] = self.epsilon * mean
        self._idf = idf

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """One score per row of `ids` (removed rows score 0)."""
        from collections import Counter

        out = np.zeros(len(self.ids))
        tf = self._tf
        for term, count in Counter(t for t in query_terms if t in self.vocab).items():
            col = self.vocab[term]
            start, end = tf.indptr[col], tf.indptr[col + 1]
            rows, freq = tf.indices[start:end], tf.data[start:end]
            norm = self.k1 * (1 - self.b + self.b * self._lengths[rows] / self._avgdl)
            weight = self._idf[col] * freq * (self.k1 + 1) / (freq + norm)
            out[rows] += count * np.where(self._alive[rows], weight, 0.0)
        return out

    def search(
        self, query_terms: list[str], n: int, keep: Callable[[str], bool] | None = None
    ) -> list[tuple[str, float]]:
        """The n best (id, score), best first, of the rows `keep` accepts (all if None)."""
        if not self._row or not query_terms:
            return []
        scores = self.scores(query_terms)
        return _best_kept(self.ids, scores, np.flatnonzero(scores > 0), n, keep)


def _best_kept(
    ids: Sequence[str],
    scores: np.ndarray,
    rows: np.ndarray,
    n: int,
    keep: Callable[[str], bool] | None,
) -> list[tuple[str, float]]:
    """The n best (id, score) of `rows` that `keep` accepts (all if None), best first."""
    wanted = n if keep is None else n * OVERFETCH
    while True:
        top = rows
        if len(rows) > wanted:
            # Only the best need sorting; ties with the last are kept, so order is stable.
            nth = -np.partition(-scores[rows], wanted - 1)[wanted - 1]
            top = rows[scores[rows] >= nth]
        out: list[tuple[str, float]] = []
        for i in top[np.argsort(-scores[top], kind="stable")]:
            if keep is None or keep(ids[i]):
                out.append((ids[i], float(scores[i])))
                if len(out) >= n:
                    return out
        if len(top) == len(rows):
            return out
        wanted *= OVERFETCH  # a narrow filter: look further down the ranking


class ExactVectors:
    """Vectors held in memory, searched by cosine exactly (see EXACT_SEARCH_MAX).
    `covers_all` says they are every chunk's, so no HNSW search is needed."""

    def __init__(self, vectors: dict[str, np.ndarray], covers_all: bool) -> None:
        self.vectors = vectors
        self.covers_all = covers_all
        self.ids = list(vectors)
        matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, 0), np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if vectors else 1.0
        self._unit = matrix / np.maximum(norms, 1e-12)

    def search(
        self, vector: np.ndarray, n: int, keep: Callable[[str], bool]
    ) -> list[tuple[str, float]]:
        """The n most similar (id, cosine) that `keep` accepts, best first."""
        if not self.ids or n <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        sims = self._unit @ (query / max(float(np.linalg.norm(query)), 1e-12))
        return _best_kept(self.ids, sims, np.arange(len(sims)), n, keep)


def _merge(*hit_lists: list[tuple[str, float]], n: int) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for hits in hit_lists:
        for cid, score in hits:
            best[cid] = max(score, best.get(cid, score))
    return sorted(best.items(), key=lambda h: -h[1])[:n]


class Store:
    def __init__(self, settings: Settings, embedder: Any, sql: Database | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        settings.home.mkdir(parents=True, exist_ok=True)
        self._sql = sql or open_database(settings.sql_target(settings.index_db))
        self._collection: Any = None
        self._open_index()
        self._cache_lock = threading.Lock()
        self._generation: tuple[str, int] | None = None  # (epoch, generation) loaded
        self._chunks: dict[str, Chunk] = {}
        self._bm25: Bm25Index | None = None
        self._has_private = False
        self._exact = ExactVectors({}, covers_all=False)

    def _open_index(self) -> None:
        with self._db() as db:
            self._sql.serialise(db, "index-schema")  # replicas may start together
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row and row[0] == INDEX_VERSION:
                return
            stale = False
            if row and row[0] in UPGRADES:
                version = row[0]
                while version in UPGRADES:
                    version, step = UPGRADES[version]
                    db.script(step) if isinstance(step, str) else step(db)
                _flag_existing(db)
            else:
                # An index from an older layout: start again; the files themselves are intact.
                stale = "chunks" in self._sql.tables()
                db.execute("DROP TABLE IF EXISTS chunks")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("DROP TABLE IF EXISTS tombstones")
                db.script(SCHEMA)
            # A new epoch tells every reader to reload in full rather than catch up.
            for key, value in (("version", INDEX_VERSION), ("epoch", uuid.uuid4().hex)):
                db.execute(
                    "INSERT INTO meta(key, value) VALUES(?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            self._bump(db)
        if stale:
            self._drop_collection()
        self._move_vectors()

    def _move_vectors(self) -> None:
        """Finish an upgrade that renamed chunks: copy each vector to its new id, then drop
        the old one. Until this is done the map stays in meta, so an interruption is
        finished by the next open (before any ingest could take the moved rows for
        vectorless ones)."""
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'vectors_to_move'").fetchone()
        if not row:
            return
        renames: dict[str, str] = json.loads(row[0])
        old_ids = list(renames)
        for i in range(0, len(old_ids), 500):
            got = self.collection.get(
                ids=old_ids[i : i + 500], include=["embeddings", "documents", "metadatas"]
            )
            if got["ids"]:
                self.collection.upsert(
                    ids=[renames[o] for o in got["ids"]],
                    embeddings=got["embeddings"],
                    documents=got["documents"],
                    metadatas=got["metadatas"],
                )
                self.collection.delete(ids=list(got["ids"]))
        with self._db() as db:
            db.execute("DELETE FROM meta WHERE key = 'vectors_to_move'")

    def _drop_collection(self) -> None:
        client = chroma_client(self.settings)
        with contextlib.suppress(Exception):  # absent already
            client.delete_collection(self.settings.collection)

    # --- SQL index ----------------------------------------------------------------------
    def _db(self) -> contextlib.AbstractContextManager[Tx]:
        return self._sql.transaction()

    @staticmethod
    def _next_generation(db: Tx) -> int:
        """Rows written now belong to the generation the next bump will announce."""
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) + 1 if row else 1

    @staticmethod
    def _bump(db: Tx) -> None:
        """Every change to the chunks moves the generation on; readers (in any replica)
        reload their cached chunks and BM25 when they see it move."""
        db.execute(
            "INSERT INTO meta(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
        )
        # Tombstones are kept for TOMBSTONE_GENERATIONS; a reader further behind than the
        # horizon reloads in full instead of catching up.
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        horizon = int(row[0]) - TOMBSTONE_GENERATIONS
        if horizon > 0:
            db.execute("DELETE FROM tombstones WHERE gen <= ?", (horizon,))
            db.execute(
                "INSERT INTO meta(key, value) VALUES('horizon', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(horizon),),
            )

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.settings)
            try:
                self._collection = client.get_or_create_collection(
                    self.settings.collection,
                    embedding_function=ChromaEmbedding(self.embedder),
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except Exception as exc:
                raise StoreError(f"cannot open the Chroma collection: {exc}") from exc
        return self._collection

    # --- writing (ingest only) ----------------------------------------------------------
    def write_lock(self, wait: float = 0.0) -> contextlib.AbstractContextManager[None]:
        """One writer at a time, across processes and replicas: concurrent writers corrupt
        an embedded Chroma store, and two ingests would fight over the file manifest.
        `wait` is how long to wait for another writer to finish (0: fail at once)."""
        return self._sql.lock("ingest", wait)

    def files(self) -> dict[str, FileRecord]:
        with self._db() as db:
            rows = db.execute(
                "SELECT path, source, sha256, size, mtime_ns, chunk_ids FROM files"
            ).fetchall()
        return {
            r[0]: FileRecord(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5]))) for r in rows
        }

    def chunk_ids(self) -> set[str]:
        with self._db() as db:
            return {r[0] for r in db.execute("SELECT id FROM chunks")}

    def ids_for_path(self, path: str) -> tuple[str, ...]:
        with self._db() as db:
            rows = db.execute("SELECT id FROM chunks WHERE path = ? ORDER BY ord", (path,))
            return tuple(r[0] for r in rows)

    def chunk_paths(self) -> set[str]:
        with self._db() as db:
            return {r[0] for r in db.execute("SELECT DISTINCT path FROM chunks")}

    def vector_ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Vectors first, then the index rows: a crash in between leaves only orphan vectors,
        which the next ingest finds and removes."""
        if not chunks:
            return
        metadatas = []
        for c in chunks:
            meta: dict[str, Any] = {
                "path": c.path,
                "source": c.source,
                "title": c.title,
                "section": c.section,
                "kind": c.kind,
                "ord": c.ord,
                "owner": c.owner,
                # Instruction-like text is kept as data but flagged, and never quoted.
                "suspect": c.suspect,
            }
            meta.update(_flags("topic_", c.topics))
            meta.update(_flags("stage_", c.stages))
            metadatas.append(meta)
        batch = 1000
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=metadatas[i : i + batch],
            )
        with self._db() as db:
            gen = self._next_generation(db)
            db.executemany("DELETE FROM chunks WHERE id = ?", [(c.id,) for c in chunks])
            db.executemany(
                f"INSERT INTO chunks ({CHUNK_COLUMNS}, gen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        c.id,
                        c.path,
                        c.source,
                        c.title,
                        c.section,
                        c.text,
                        c.ord,
                        c.kind,
                        json.dumps(list(c.topics)),
                        json.dumps(list(c.stages)),
                        c.summary,
                        c.owner,
                        json.dumps(tokens(f"{c.title} {c.section} {c.text}")),
                        json.dumps(list(c.flagged)),
                        gen,
                    )
                    for c in chunks
                ],
            )

    def delete_chunks(self, ids: Sequence[str]) -> None:
        """Index rows first, then vectors: a crash in between leaves only orphan vectors."""
        ids = list(ids)
        if not ids:
            return
        with self._db() as db:
            gen = self._next_generation(db)
            db.executemany("DELETE FROM chunks WHERE id = ?", [(i,) for i in ids])
            db.executemany("INSERT INTO tombstones VALUES (?, ?)", [(i, gen) for i in ids])
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def save_file(self, rec: FileRecord) -> None:
        with self._db() as db:
            db.execute("DELETE FROM files WHERE path = ?", (rec.path,))
            db.execute(
                "INSERT INTO files VALUES (?,?,?,?,?,?)",
                (
                    rec.path,
                    rec.source,
                    rec.sha256,
                    rec.size,
                    rec.mtime_ns,
                    json.dumps(rec.chunk_ids),
                ),
            )

    def forget_file(self, path: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM files WHERE path = ?", (path,))

    def bump_generation(self) -> None:
        with self._db() as db:
            self._bump(db)

    # --- reading ------------------------------------------------------------------------
    def _current_generation(self) -> tuple[str, int, int]:
        """(epoch, generation, horizon): the horizon is the newest pruned generation."""
        with self._db() as db:
            meta = dict(
                db.execute(
                    "SELECT key, value FROM meta WHERE key IN ('epoch', 'generation', 'horizon')"
                ).fetchall()
            )
        return meta.get("epoch", ""), int(meta.get("generation", 0)), int(meta.get("horizon", 0))

    def _refresh(self) -> None:
        """Catch up with ingests made here or by any other replica: load everything the
        first time (or after a rebuild), then only the rows written and removed since."""
        epoch, generation, horizon = self._current_generation()
        current = (epoch, generation)
        if current == self._generation and self._bm25 is not None:
            return
        with self._cache_lock:
            if current == self._generation and self._bm25 is not None:
                return
            loaded = self._generation
            full = self._bm25 is None or loaded is None or loaded[0] != epoch or loaded[1] < horizon
            since = -1 if full or loaded is None else loaded[1]
            with self._db() as db:
                # Deletions matter only to a catch-up; a full load reads the rows there are.
                dead = (
                    []
                    if full
                    else [
                        r[0]
                        for r in db.execute("SELECT id FROM tombstones WHERE gen > ?", (since,))
                    ]
                )
                rows = db.execute(
                    f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE gen > ? ORDER BY path, ord",
                    (since,),
                ).fetchall()
            fresh = [_chunk(r) for r in rows]
            terms = [json.loads(r[12]) for r in rows]
            # New objects, swapped in at the end: a question already running keeps a
            # consistent view of the old ones.
            chunks = {} if full else dict(self._chunks)
            index = Bm25Index() if full else self._bm25.copy()  # type: ignore[union-attr]
            for cid in dead:
                chunks.pop(cid, None)
            index.remove(dead)
            chunks.update((c.id, c) for c in fresh)
            index.add([c.id for c in fresh], terms)
            exact = self._exact_vectors(chunks, {} if full else self._exact.vectors)
            self._chunks = chunks
            self._has_private = any(c.owner for c in chunks.values())
            self._bm25 = index
            self._exact = exact
            self._generation = current

    def _exact_vectors(self, chunks: dict[str, Chunk], have: dict[str, np.ndarray]) -> ExactVectors:
        """Every vector when the store is small, else the uploads' vectors when they fit
        (see EXACT_SEARCH_MAX); only those not held already are read from Chroma."""
        covers_all = len(chunks) <= EXACT_SEARCH_MAX
        wanted = list(chunks) if covers_all else [i for i, c in chunks.items() if c.owner]
        if len(wanted) > EXACT_SEARCH_MAX:
            return ExactVectors({}, covers_all=False)
        vectors = {i: have[i] for i in wanted if i in have}
        vectors.update(self._read_vectors([i for i in wanted if i not in vectors]))
        # A row whose vector cannot be read is left to the HNSW search.
        return ExactVectors(vectors, covers_all=covers_all and len(vectors) == len(chunks))

    def _read_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The vectors of `ids`, read from Chroma in batches. After a process is killed
        mid-ingest, Chroma can list an id whose vector it cannot read yet ("Error finding
        id", tests/test_crash.py): that batch is read one id at a time, without those."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            try:
                results = [self.collection.get(ids=part, include=["embeddings"])]
            except Exception:
                results = []
                for cid in part:
                    with contextlib.suppress(Exception):
                        results.append(self.collection.get(ids=[cid], include=["embeddings"]))
            for got in results:
                rows = np.asarray(got["embeddings"], dtype=np.float32)
                out.update(zip(got["ids"], rows, strict=True))
        return out

    def count(self) -> int:
        self._refresh()
        return len(self._chunks)

    def chunks(self) -> dict[str, Chunk]:
        self._refresh()
        return self._chunks

    def get(self, chunk_id: str) -> Chunk | None:
        self._refresh()
        return self._chunks.get(chunk_id)

    def require_nonempty(self) -> None:
        if self.count() == 0:
            raise EmptyIndexError()

    def dense_search(
        self, vector: np.ndarray, n: int, filters: Filters = Filters()
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first.

        A small store is searched exactly in memory (ExactVectors). In a large one, users'
        uploads still are, and the rest goes to Chroma's HNSW index, filtered here, on the
        cached chunks, from OVERFETCH x n unfiltered hits:
        Chroma's metadata pre-filter costs ~0.3 s a query at 100k chunks, an unfiltered
        HNSW search a few ms. Only when too few hits pass (a narrow filter) does Chroma
        filter. Either way another user's uploads never come back.
        """
        total = self.count()
        if total == 0:
            return []
        chunks = self._chunks

        def keep(cid: str) -> bool:
            # Vectors whose index row is gone (a crash mid-delete) wait for the next ingest.
            chunk = chunks.get(cid)
            return chunk is not None and matches(chunk, filters)

        exact = self._exact
        if exact.covers_all:
            return exact.search(vector, n, keep)
        if filters.empty() and not self._has_private:
            return [h for h in self._vector_query(vector, min(n, total)) if h[0] in chunks]
        own = exact.search(vector, n, lambda cid: keep(cid) and bool(chunks[cid].owner))
        return _merge(own, self._approximate(vector, n, keep, filters), n=n)

    def _approximate(
        self, vector: np.ndarray, n: int, keep: Callable[[str], bool], filters: Filters
    ) -> list[tuple[str, float]]:
        total = len(self._chunks)
        wide = self._vector_query(vector, min(n * OVERFETCH, total))
        kept = [h for h in wide if keep(h[0])]
        if len(kept) >= n or len(wide) >= total:
            return kept[:n]
        narrow = self._vector_query(vector, min(n, total), chroma_where(filters))
        return [h for h in narrow if keep(h[0])]

    def _vector_query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        try:
            res = self.collection.query(
                query_embeddings=[vector], n_results=n, where=where, include=["distances"]
            )
        except Exception as exc:
            raise StoreError(f"the vector search failed: {exc}") from exc
        ids = res["ids"][0]
        distances = res["distances"][0] if res.get("distances") else [1.0] * len(ids)
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def bm25_search(
        self, query: str, n: int, filters: Filters = Filters()
    ) -> list[tuple[str, float]]:
        self._refresh()
        assert self._bm25 is not None
        chunks = self._chunks
        keep = None
        if not filters.empty() or self._has_private:
            keep = lambda cid: matches(chunks[cid], filters)  # noqa: E731
        return self._bm25.search(tokens(query), n, keep)

"""Ingest: find files, load, split, embed what is new, and make the store match the files.

Incremental by construction: chunk ids are content hashes, so an unchanged chunk is never
embedded again, and every file's chunk ids are recorded so a changed or deleted file
leaves nothing stale behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from coach.embed import MAX_SEQ_TOKENS
from coach.errors import LoadError
from coach.load import find_files, load
from coach.settings import Settings
from coach.split import split_document
from coach.store import FileRecord, Store
from coach.types import Chunk, Document, IngestReport

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class _Pending:
    path: Path
    record: FileRecord
    chunks: list[Chunk]
    old_ids: tuple[str, ...]


def display_source(path: Path, settings: Settings) -> str:
    """Built-in guides show as corpus/..., uploads as my-library/<name> (never the server's
    folders), anything else by its absolute path."""
    resolved = path.resolve()
    if (settings.home / "uploads").resolve() in resolved.parents:
        return f"my-library/{resolved.name}"
    try:
        return "corpus/" + resolved.relative_to(settings.corpus_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def default_roots(settings: Settings) -> list[Path]:
    """The built-in corpus: its guides and question banks, not its README or index script."""
    parts = [settings.corpus_dir / "guides", settings.corpus_dir / "questions"]
    existing = [p for p in parts if p.is_dir()]
    return existing or [settings.corpus_dir]


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == r or r in p.parents for r in roots)


def ingest(
    store: Store,
    settings: Settings,
    paths: Iterable[Path] | None = None,
    progress: Progress | None = None,
    embed_batch: int = 64,
    owner: str = "",
    documents: Mapping[str, Document] | None = None,
    locked: bool = False,
) -> IngestReport:
    """Make the store match the files under `paths`. `owner` marks a user's personal
    uploads, which only that user's questions can retrieve. `documents` holds files
    already read (by their resolved path), such as an upload read in the sandbox before
    the lock was taken: they are not read again. `locked` means the caller already holds
    the store's write lock."""
    started = time.perf_counter()
    roots = [Path(p).expanduser() for p in (paths or default_roots(settings))]
    report = IngestReport()
    files, errors = find_files(roots)
    report.failures.extend(str(e) for e in errors)
    resolved_roots = [r.resolve() for r in roots]
    embedder = store.embedder
    max_bytes = settings.max_file_mb * 1_000_000

    with contextlib.nullcontext() if locked else store.write_lock():
        _reconcile(store)
        records = store.files()
        known_ids = store.chunk_ids()
        pending: list[_Pending] = []
        seen_paths: set[str] = set()
        for n, path in enumerate(files, 1):
            if progress:
                progress("reading", n, len(files))
            key = str(path.resolve())
            seen_paths.add(key)
            record = records.get(key)
            try:
                st = path.stat()
                if (
                    record
                    and record.size == st.st_size
                    and record.mtime_ns == st.st_mtime_ns
                    and set(record.chunk_ids) <= known_ids
                ):
                    report.files_unchanged += 1
                    report.chunks_unchanged += len(record.chunk_ids)
                    continue
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if record and record.sha256 == digest and set(record.chunk_ids) <= known_ids:
                    store.save_file(
                        FileRecord(
                            key, record.source, digest, st.st_size, st.st_mtime_ns, record.chunk_ids
                        )
                    )
                    report.files_unchanged += 1
                    report.chunks_unchanged += len(record.chunk_ids)
                    continue
                doc = (documents or {}).get(key) or load(
                    path, display_source(path, settings), max_bytes=max_bytes
                )
                chunks = split_document(
                    doc, embedder.count_tokens, settings.chunk_tokens, owner=owner
                )
                too_long = [
                    c for c in chunks if embedder.count_tokens(c.embed_text()) > MAX_SEQ_TOKENS
                ]
                if too_long:  # the splitter guarantees this; refuse rather than truncate
                    raise LoadError(str(path), "a chunk exceeds the embedder's 256-token window")
                if not chunks:
                    raise LoadError(str(path), "no text to index after splitting")
            except LoadError as exc:
                report.failures.append(str(exc))
                continue
            except OSError as exc:
                report.failures.append(f"{path}: cannot read ({exc.strerror or exc})")
                continue
            ids = tuple(c.id for c in chunks)
            pending.append(
                _Pending(
                    path=path,
                    record=FileRecord(key, doc.source, digest, st.st_size, st.st_mtime_ns, ids),
                    chunks=chunks,
                    old_ids=store.ids_for_path(key),
                )
            )

        # Embed every new chunk in one pass: batching across files keeps the model busy.
        new_chunks: list[Chunk] = []
        for p in pending:
            for c in p.chunks:
                if c.id not in known_ids:
                    new_chunks.append(c)
        vectors = {}
        texts = [c.embed_text() for c in new_chunks]
        # Length-sorted batches pad less, so each batch runs faster.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), embed_batch):
            idx = order[start : start + embed_batch]
            encoded = embedder.encode([texts[i] for i in idx])
            for i, vec in zip(idx, encoded, strict=True):
                vectors[new_chunks[i].id] = vec
            if progress:
                progress("embedding", min(start + embed_batch, len(order)), len(order))

        # One write for every file's new chunks: each Chroma upsert has a fixed cost that,
        # paid per file, was most of ingest's time outside embedding. Chunks still land
        # before their file's record, so a crash in between re-reads the file and finds
        # its chunks stored.
        if new_chunks:
            import numpy as np

            store.add_chunks(new_chunks, np.stack([vectors[c.id] for c in new_chunks]))
        changed = False
        for p in pending:
            fresh = [c for c in p.chunks if c.id not in known_ids]
            known_ids.update(c.id for c in fresh)
            stale = [i for i in p.old_ids if i not in set(p.record.chunk_ids)]
            store.delete_chunks(stale)
            known_ids.difference_update(stale)
            store.save_file(p.record)
            report.chunks_added += len(fresh)
            report.chunks_unchanged += len(p.chunks) - len(fresh)
            report.chunks_removed += len(stale)
            changed = changed or bool(fresh or stale)

        # Files that were ingested from these roots and are gone now leave nothing behind.
        for path in sorted(set(records) | store.chunk_paths()):
            if path in seen_paths or not _under(path, resolved_roots):
                continue
            if os.path.exists(path):
                continue  # still there, just unreadable now: keep what was stored
            gone = store.ids_for_path(path)
            store.delete_chunks(gone)
            store.forget_file(path)
            report.chunks_removed += len(gone)
            changed = True
        if changed or pending:
            store.bump_generation()

    report.files = len(files)
    report.files_skipped = len(report.failures)
    report.seconds = time.perf_counter() - started
    return report


def forget(store: Store, paths: Iterable[str], wait: float = 0.0, locked: bool = False) -> int:
    """Remove every chunk of these files (for example a deleted upload); returns how many.
    `wait` is how long to wait for the write lock; `locked`, that the caller holds it."""
    removed = 0
    with contextlib.nullcontext() if locked else store.write_lock(wait):
        for path in paths:
            ids = store.ids_for_path(path)
            store.delete_chunks(ids)
            store.forget_file(path)
            removed += len(ids)
        store.bump_generation()
    return removed


def _reconcile(store: Store) -> None:
    """Repair what an interrupted ingest can leave: vectors without index rows, index rows
    without vectors, and file records whose chunks are incomplete."""
    vector_ids = store.vector_ids()
    row_ids = store.chunk_ids()
    orphans = vector_ids - row_ids
    if orphans:
        for i in range(0, len(orphans), 1000):
            store.collection.delete(ids=list(orphans)[i : i + 1000])
    missing = row_ids - vector_ids
    if missing:
        store.delete_chunks(sorted(missing))
        row_ids -= missing
    for path, record in store.files().items():
        if not set(record.chunk_ids) <= row_ids:
            store.forget_file(path)  # re-read on this run; its surviving chunks are reused
    if orphans or missing:
        store.bump_generation()


def tqdm_progress() -> Progress:
    """A progress bar on stderr for the CLI, one bar per stage."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit="file" if stage == "reading" else "chunk",
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
            )
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update

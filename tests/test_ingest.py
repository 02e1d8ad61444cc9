from pathlib import Path

import pytest

from coach.errors import StoreLockedError
from coach.facade import Coach
from coach.ingest import ingest


def snapshot(coach: Coach) -> tuple[set[str], set[str]]:
    return coach.store.chunk_ids(), coach.store.vector_ids()


def test_first_ingest_adds_everything(settings, fake_embedder, docs: Path):
    coach = Coach(settings, embedder=fake_embedder)
    report = coach.ingest([docs])
    assert report.files == 4 and not report.failures
    assert report.chunks_added == coach.count() > 4
    rows, vectors = snapshot(coach)
    assert rows == vectors
    assert len(fake_embedder.encoded) == report.chunks_added


def test_rerun_embeds_nothing_and_changes_nothing(fake_coach, fake_embedder, docs: Path):
    before = snapshot(fake_coach)
    fake_embedder.encoded.clear()
    report = fake_coach.ingest([docs])
    assert (report.chunks_added, report.chunks_removed) == (0, 0)
    assert report.chunks_unchanged == len(before[0])
    assert fake_embedder.encoded == []
    assert snapshot(fake_coach) == before


def test_touched_but_identical_file_is_not_reembedded(fake_coach, fake_embedder, docs: Path):
    path = docs / "meeting-rhythm.md"
    path.write_text(path.read_text())  # new mtime, same bytes
    fake_embedder.encoded.clear()
    report = fake_coach.ingest([docs])
    assert report.chunks_added == 0 and fake_embedder.encoded == []


def test_changed_file_replaces_only_changed_chunks(fake_coach, fake_embedder, docs: Path):
    path = docs / "meeting-rhythm.md"
    before_ids = set(fake_coach.store.ids_for_path(str(path.resolve())))
    text = path.read_text().replace("forty-five to sixty minutes", "thirty to forty minutes")
    path.write_text(text)
    fake_embedder.encoded.clear()
    report = fake_coach.ingest([docs])
    after_ids = set(fake_coach.store.ids_for_path(str(path.resolve())))
    assert report.chunks_added == 1 and report.chunks_removed == 1
    assert len(fake_embedder.encoded) == 1 and "thirty to forty" in fake_embedder.encoded[0]
    assert len(before_ids & after_ids) == len(before_ids) - 1
    rows, vectors = snapshot(fake_coach)
    assert rows == vectors
    texts = [c.text for c in fake_coach.store.chunks().values()]
    assert not any("forty-five to sixty" in t for t in texts)


def test_deleted_file_leaves_no_stale_chunks(fake_coach, docs: Path):
    gone = str((docs / "salary-talks.txt").resolve())
    assert fake_coach.store.ids_for_path(gone)
    (docs / "salary-talks.txt").unlink()
    report = fake_coach.ingest([docs])
    assert report.chunks_removed >= 1
    assert fake_coach.store.ids_for_path(gone) == ()
    assert all(c.path != gone for c in fake_coach.store.chunks().values())
    rows, vectors = snapshot(fake_coach)
    assert rows == vectors


def test_ingesting_another_folder_keeps_the_first(fake_coach, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.md").write_text("## Mentors\n\nA mentor shares experience freely.")
    before = fake_coach.count()
    fake_coach.ingest([other])
    assert fake_coach.count() == before + 1


def test_unreadable_file_is_reported_and_the_rest_is_kept(fake_coach, docs: Path):
    before = snapshot(fake_coach)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "fake.md").write_bytes(b"\x00\x01\x02binary" * 100)
    report = fake_coach.ingest([docs])
    assert report.files_skipped == 2 and len(report.failures) == 2
    assert any("broken.pdf" in f for f in report.failures)
    assert snapshot(fake_coach) == before


def test_interrupted_ingest_is_repaired(fake_coach, fake_embedder, docs: Path):
    """Orphan vectors (crash after the vector write) and rows without vectors (crash
    mid-delete) are both found and fixed by the next run, which then matches a clean build."""
    clean = snapshot(fake_coach)
    fake_coach.store.collection.upsert(
        ids=["orphan"], embeddings=[[0.1] * 384], documents=["x"], metadatas=[{"path": "/nowhere"}]
    )
    victim = sorted(clean[1])[0]
    fake_coach.store.collection.delete(ids=[victim])
    ingest(fake_coach.store, fake_coach.settings, [docs])
    assert snapshot(fake_coach) == clean


def test_second_writer_gets_a_clear_message(fake_coach, docs: Path):
    with fake_coach.store.write_lock(), pytest.raises(StoreLockedError, match="wait for it"):
        fake_coach.ingest([docs])

"""Backup/restore round trips and forgetting a user, with nothing else lost."""

from __future__ import annotations

import pytest

from coach import maintenance
from coach.errors import BadInputError
from coach.facade import Coach
from coach.mentee import Profile
from coach.types import Filters


def populate(coach: Coach) -> str:
    ana = coach.mentee("ana")
    conv = ana.create_conversation()
    answer = coach.ask("How often should I meet my mentor?", filters=Filters(user="ana"))
    ana.add_message(conv.id, "user", "How often should I meet my mentor?")
    ana.add_message(conv.id, "assistant", answer.answer, [], answer.turn_id)
    ana.add_feedback(answer.turn_id, 1, "good")
    ana.save_profile(Profile("analyst", "mid-career", ["promotion"]))
    ana.add_action("Send recap", "2026-12-01")
    coach.upload("ana", "ana-notes.md", b"## Plan\n\nAna will ask the walrus board for a raise.")
    ben = coach.mentee("ben")
    ben.create_conversation("Ben's")
    coach.upload("ben", "ben-notes.md", b"## Plan\n\nBen will ask the otter guild for a raise.")
    return conv.id


def snapshot(coach: Coach) -> dict:
    return {
        "chunks": sorted(coach.store.chunk_ids()),
        "vectors": sorted(coach.store.vector_ids()),
        "ana": [
            m.content
            for c in coach.mentee("ana").conversations()
            for m in coach.mentee("ana").messages(c.id)
        ],
        "profile": coach.mentee("ana").profile(),
        "actions": [a.text for a in coach.mentee("ana").actions()],
        "docs": [d["filename"] for d in coach.mentee("ana").documents()],
        "turns": len(coach.turn_log.recent(100)),
    }


def test_backup_restore_round_trip_loses_nothing(fake_coach, tmp_path, settings, fake_embedder):
    populate(fake_coach)
    before = snapshot(fake_coach)
    counts = maintenance.backup(fake_coach.store, settings, tmp_path / "bk")
    assert counts["chunks"] == len(before["chunks"]) and counts["conversations"] == 2

    # Damage everything after the backup.
    for conv in fake_coach.mentee("ana").conversations():
        fake_coach.mentee("ana").delete(conv.id)
    fake_coach.delete_document("ana", fake_coach.mentee("ana").documents()[0]["id"])
    assert snapshot(fake_coach) != before

    maintenance.restore(fake_coach.store, settings, tmp_path / "bk")
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # as a restarted app would start
    fresh = Coach(settings, embedder=fake_embedder)
    assert snapshot(fresh) == before
    answer = fresh.ask("How do I ask the walrus board for a raise?", filters=Filters(user="ana"))
    assert any(c.source.endswith("ana-notes.md") for c in answer.citations)
    assert list(settings.home.glob("replaced-*"))  # what was replaced is kept aside


def test_backup_refuses_a_non_empty_folder_and_restore_checks_the_manifest(
    fake_coach, settings, tmp_path
):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BadInputError, match="not empty"):
        maintenance.backup(fake_coach.store, settings, tmp_path / "full")
    with pytest.raises(BadInputError, match="not a coach backup"):
        maintenance.restore(fake_coach.store, settings, tmp_path / "full")
    maintenance.backup(fake_coach.store, settings, tmp_path / "bk")
    (tmp_path / "bk" / "index.db").unlink()
    with pytest.raises(BadInputError, match="does not match its manifest"):
        maintenance.restore(fake_coach.store, settings, tmp_path / "bk")


def test_forget_user_removes_everything_of_theirs_only(fake_coach, settings):
    populate(fake_coach)
    shared_before = {c for c, ch in fake_coach.store.chunks().items() if not ch.owner}
    report = maintenance.forget_user(fake_coach.store, fake_coach.db, settings, "ana")
    assert report.rows >= 6 and report.chunks >= 1 and report.files == 1
    ana = fake_coach.mentee("ana")
    assert ana.conversations() == [] and ana.profile() == Profile() and ana.actions() == []
    assert ana.documents() == [] and fake_coach.turn_log.recent(100, user="ana") == []
    chunks = fake_coach.store.chunks().values()
    assert not any(c.owner == "ana" for c in chunks)
    assert {c.id for c in chunks if not c.owner} == shared_before
    assert [c.title for c in fake_coach.mentee("ben").conversations()] == ["Ben's"]
    assert any(c.owner == "ben" for c in chunks)
    from coach.mentee import export_feedback

    assert all(r["user"] != "ana" for r in export_feedback(fake_coach.db))

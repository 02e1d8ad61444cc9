"""Scale-out against real servers: the index and mentee data in PostgreSQL
(COACH_DATABASE_URL), shared by several coaches, and two `coach serve` replicas that
share one Chroma server and one PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from coach.db import open_database
from coach.errors import StoreError, StoreLockedError
from coach.facade import Coach
from coach.settings import PROJECT_ROOT, Settings
from tests import servers
from tests.conftest import free_port


@pytest.fixture
def pg_settings(settings: Settings, pg_url: str) -> Settings:
    return settings.model_copy(update={"database_url": SecretStr(pg_url)})


def replica(pg_settings: Settings, fake_embedder, home: Path) -> Coach:
    """Another process's view: its own COACH_HOME (for the embedded Chroma store the
    fake tests share by path), the same database."""
    return Coach(pg_settings.model_copy(update={"home": home}), embedder=fake_embedder)


def test_index_and_mentee_data_live_in_postgres(pg_settings, fake_embedder, docs, coach_home):
    coach = Coach(pg_settings, embedder=fake_embedder)
    report = coach.ingest([docs])
    assert report.chunks_added > 4 and not report.failures
    assert coach.store.chunk_ids() == coach.store.vector_ids()
    tables = coach.db.tables()
    assert {"chunks", "files", "meta", "turns", "conversations", "messages"} <= tables
    # Nothing relational is left in COACH_HOME: only Chroma's own folder and lock-free files.
    assert not list(coach_home.glob("*.db")) and not (coach_home / "ingest.lock").exists()

    answer = coach.ask("How long should a mentoring meeting last?")
    assert not answer.refused and "meeting-rhythm.md" in answer.citations[0].source
    assert coach.turn_log.recent(1)[0]["question"].startswith("How long should")

    fake_embedder.encoded.clear()
    again = coach.ingest([docs])
    assert (again.chunks_added, again.chunks_removed, fake_embedder.encoded) == (0, 0, [])

    (docs / "salary-talks.txt").unlink()
    gone = coach.ingest([docs])
    assert gone.chunks_removed > 0
    assert not any(c.source.endswith("salary-talks.txt") for c in coach.store.chunks().values())
    assert coach.store.chunk_ids() == coach.store.vector_ids()


def test_an_ingest_elsewhere_reaches_every_reader(pg_settings, fake_embedder, docs, tmp_path):
    first = Coach(pg_settings, embedder=fake_embedder)
    first.ingest([docs / "meeting-rhythm.md"])
    reader = Coach(pg_settings, embedder=fake_embedder)  # a second process's store
    before = reader.count()
    first.ingest([docs])
    assert reader.count() > before  # the generation moved, so the reader reloaded
    hits = reader.retrieve("negotiating salary").passages
    assert any("salary" in p.chunk.source for p in hits)


def test_one_ingest_at_a_time_across_replicas(pg_settings, fake_embedder, docs, tmp_path):
    a = Coach(pg_settings, embedder=fake_embedder)
    b = replica(pg_settings, fake_embedder, tmp_path / "other-home")
    with a.store.write_lock(), pytest.raises(StoreLockedError, match="ingest"):
        b.ingest([docs])
    assert b.ingest([docs]).chunks_added > 0  # released: the other replica may write


def test_conversation_started_on_one_replica_resumes_on_another(
    pg_settings, fake_embedder, tmp_path
):
    a = replica(pg_settings, fake_embedder, tmp_path / "a")
    b = replica(pg_settings, fake_embedder, tmp_path / "b")
    conv = a.mentee("ana").create_conversation()
    a.mentee("ana").add_message(conv.id, "user", "How often should we meet?")
    b.mentee("ana").add_message(conv.id, "assistant", "Monthly [1].", [], None)
    assert [m.content for m in a.mentee("ana").messages(conv.id)] == [
        "How often should we meet?",
        "Monthly [1].",
    ]
    assert b.mentee("bo").conversations() == []  # still one user's own


def test_bad_database_urls_get_clear_messages(settings, fake_embedder, postgres):
    for url, expected in [
        ("mysql://u:secret@db/x", "must look like postgresql://"),
        (postgres.replace("postgres@", "postgres:secret@") + "/no_such_db", "cannot reach"),
    ]:
        bad = settings.model_copy(update={"database_url": SecretStr(url)})
        with pytest.raises(StoreError, match=expected) as info:
            _ = Coach(bad, embedder=fake_embedder).store
        assert "secret" not in str(info.value)  # the password never reaches a message


def test_backup_points_to_pg_dump_when_the_database_is_shared(pg_settings, fake_embedder, tmp_path):
    from coach.errors import BadInputError
    from coach.maintenance import backup

    coach = Coach(pg_settings, embedder=fake_embedder)
    with pytest.raises(BadInputError, match="pg_dump"):
        backup(coach.store, pg_settings, tmp_path / "bk")


# --- two real replicas -------------------------------------------------------------------
GUIDES = ["how-often-to-meet-your-mentor", "running-a-mentoring-meeting", "receiving-feedback"]


def _env(home: Path, chroma_url: str, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COACH_HOME": str(home),
        "COACH_CHROMA_URL": chroma_url,
        "COACH_DATABASE_URL": db_url,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
    }


@pytest.mark.slow
def test_two_replicas_share_one_chroma_server_and_one_postgres(postgres, tmp_path):
    from gradio_client import Client, handle_file

    from tests.servers import chroma_server, create_database
    from tests.test_web import answer_text

    coach = str(Path(sys.executable).with_name("coach"))
    db_url = create_database(postgres, "replicas")
    data = Path(tempfile.mkdtemp(prefix="coach-replicas-"))
    procs: list[subprocess.Popen] = []
    try:
        with chroma_server(data) as chroma_url:
            corpus = tmp_path / "guides"
            corpus.mkdir()
            for name in GUIDES:
                shutil.copy(PROJECT_ROOT / "corpus" / "guides" / f"{name}.md", corpus)
            # Each replica runs the same ingest on start; the second finds nothing to do.
            for name in ("one", "two"):
                env = _env(tmp_path / name, chroma_url, db_url)
                done = subprocess.run(
                    [coach, "ingest", str(corpus)], env=env, capture_output=True, text=True
                )
                assert done.returncode == 0, done.stderr
            assert " 0 chunks added, 0 removed" in done.stdout + done.stderr, done.stderr

            urls = []
            for name in ("one", "two"):
                port = free_port()
                log = tmp_path / f"{name}.log"
                procs.append(
                    subprocess.Popen(
                        [coach, "serve", "--host", "127.0.0.1", "--port", str(port)],
                        env=_env(tmp_path / name, chroma_url, db_url),
                        stdout=log.open("wb"),
                        stderr=subprocess.STDOUT,
                    )
                )
                urls.append((f"http://127.0.0.1:{port}/", procs[-1], log))
            for url, proc, log in urls:
                servers.wait_until(lambda u=url: servers.answers(u), proc, log, url, timeout=120)
                started = log.read_text()
                assert "Chroma server http://127.0.0.1" in started and "PostgreSQL" in started
            one, two = (Client(u, verbose=False) for u, _, _ in urls)

            chat, *_ = one.predict("How often should I meet my mentor?", api_name="/chat")
            first = answer_text(chat)
            assert "[1]" in first

            # The other replica loads that conversation and carries it on.
            convs, restored, *_ = two.predict(api_name="/load")
            assert convs["choices"][0][0].startswith("How often should I meet")
            assert answer_text(restored) == first
            chat, *_ = two.predict("And how long should each one last?", api_name="/chat")
            assert len(chat) == 4 and "[1]" in answer_text(chat)

            # ...and the first replica sees all four messages after a reload.
            _, again, *_ = Client(urls[0][0], verbose=False).predict(api_name="/load")
            assert [m["role"] for m in again] == ["user", "assistant", "user", "assistant"]

            # An upload on one replica is cited by the other (index generation is shared).
            note = tmp_path / "my-notes.md"
            note.write_text(
                "# Notes\n\nMy mentor Priya suggested a quarterly skip-level chat with the "
                "director of the platform group to discuss the staff engineer path.\n"
            )
            status, *_ = two.predict(handle_file(str(note)), api_name="/upload")
            assert "my-notes.md" in status, status
            chat, *_ = one.predict(
                "When should I have a skip-level chat about the staff engineer path?",
                api_name="/chat",
            )
            text = answer_text(chat)  # the answer, then its source chips
            assert "my-library/my-notes.md" in text and "Priya" in text

            # All shared state lives on the servers: no replica keeps a database of its own.
            assert not [p for n in ("one", "two") for p in (tmp_path / n).rglob("*.db")]
            turns = open_database(db_url).query("SELECT question FROM turns ORDER BY id")
            assert len(turns) == 3
    finally:
        for proc in procs:
            servers.stop(proc)
        shutil.rmtree(data, ignore_errors=True)

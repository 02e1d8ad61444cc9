"""COACH_CHROMA_URL against a real `chroma run` server on a free loopback port."""

from __future__ import annotations

import pytest

from coach.facade import Coach
from coach.settings import Settings
from tests import servers
from tests.conftest import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    with servers.chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


def test_ingest_and_ask_through_a_chroma_server(chroma_server, coach_home, fake_embedder, docs):
    settings = Settings(home=coach_home, chroma_url=chroma_server, refuse_below=0.15)
    coach = Coach(settings, embedder=fake_embedder)
    report = coach.ingest([docs])
    assert report.chunks_added > 0 and not report.failures

    import chromadb

    server = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
    collection = server.get_collection(settings.collection)
    assert collection.count() == report.chunks_added
    assert not (coach_home / "chroma").exists()  # nothing embedded locally

    answer = coach.ask("How often should I meet my mentor?")
    assert not answer.refused
    assert answer.citations[0].source.endswith("meeting-rhythm.md")

    (docs / "salary-talks.txt").unlink()
    report = coach.ingest([docs])
    assert report.chunks_removed >= 1
    assert collection.count() == coach.count()


def test_unreachable_server_gives_a_clear_error(coach_home, fake_embedder, docs):
    from coach.errors import StoreError

    settings = Settings(home=coach_home, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="cannot open the Chroma store"):
        Coach(settings, embedder=fake_embedder).ingest([docs])


def test_malformed_url_is_named(coach_home, fake_embedder, docs):
    from coach.errors import StoreError

    settings = Settings(home=coach_home, chroma_url="localhost:8000")
    with pytest.raises(StoreError, match="http://host:port"):
        Coach(settings, embedder=fake_embedder).ingest([docs])

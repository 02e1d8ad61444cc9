"""Shared fixtures: every test gets its own COACH_HOME; fakes by default, the real
embedder only in tests marked `slow`."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from coach.settings import PROJECT_ROOT, Settings, get_settings  # noqa: E402
from coach.text import tokens  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = PROJECT_ROOT / "corpus"


class FakeEmbedder:
    """Deterministic bag-of-stems vectors: similar words give similar vectors, instantly.

    Counts the texts it encodes, so tests can prove what was (not) embedded. Token counts
    come from the real tokenizer, which loads in milliseconds without the model.
    """

    dim = 384
    name = "fake-hash"

    def __init__(self, **_options: object) -> None:  # takes (and ignores) Embedder's options
        self.encoded: list[str] = []

    def count_tokens(self, text: str) -> int:
        from coach.embed import Embedder

        if not hasattr(FakeEmbedder, "_real"):
            FakeEmbedder._real = Embedder()
        return FakeEmbedder._real.count_tokens(text)

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for tok in tokens(text) or ["empty"]:
            h = int(hashlib.md5(tok.encode()).hexdigest(), 16)
            vec[h % self.dim] += 1.0 if (h >> 20) % 2 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()


class FakeSafety:
    """The safety module for coaches on the fake embedder, whose vectors the trained
    classifier cannot read. Decides from a few test words (FAKE_CATEGORIES, small talk,
    off-topic), so a test knows what each message will be; the real classifier is tested
    on the real embedder (tests/test_safety.py)."""

    FAKE_CATEGORIES = {
        "harass": "sexual-harassment",
        "bullied": "bullying",
        "discriminat": "discrimination",
        "end my life": "crisis",
        "retaliat": "retaliation",
        "hasn't paid": "legal-pay",
    }
    SMALL_TALK = re.compile(r"^(hi|hello|hey|thanks|thank you|bye|ok)\b[\s!.]*\w{0,8}[!.]*$", re.I)
    OFFTOPIC = re.compile(r"\b(recipe|football|weather|capital of)\b", re.I)

    def __init__(self, embedder: object = None) -> None:
        from coach.safety import Thresholds

        self.model = type("M", (), {"thresholds": Thresholds(0.5, 0.5, 0.5)})()

    def assess(self, text: str):
        from coach.safety import Assessment

        category = next((c for w, c in self.FAKE_CATEGORIES.items() if w in text.lower()), None)
        # 0.3: above the weak cut and below the outright one, so retrieval strength decides,
        # as it did before the classifier (and still does for an uncertain message).
        off = 0.9 if self.OFFTOPIC.search(text) else 0.3
        small = category is None and bool(self.SMALL_TALK.match(text.strip()))
        label = category or ("smalltalk" if small else "offtopic" if off > 0.5 else "career")
        return Assessment(
            label,
            category,
            {"offtopic": off},
            sensitive_score=float(bool(category)),
            category_share=1.0,
            small_talk=small,
        )

    def voice(self, assessment) -> str:
        return ""

    def worried(self, assessment) -> str | None:
        return None  # the fake's alarms are all-or-nothing

    def refuses(self, assessment, best_dense: float, refuse_below: float) -> bool:
        from coach.safety import Safety

        return Safety.refuses(self, assessment, best_dense, refuse_below)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def fake_safety_for_fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    import coach.facade
    from coach.safety import Safety

    def make(embedder: object) -> object:
        return FakeSafety() if isinstance(embedder, FakeEmbedder) else Safety(embedder)

    monkeypatch.setattr(coach.facade, "Safety", make)


@pytest.fixture(autouse=True)
def coach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "coach-home"
    monkeypatch.setenv("COACH_HOME", str(home))
    # Gradio's file cache too: a test never sees (or leaves) another test's served files.
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-cache"))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def settings(coach_home: Path) -> Settings:
    # The fake embedder's similarities are lower than the real model's.
    return Settings(home=coach_home, refuse_below=0.15)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """`settings` on each database engine: SQLite in COACH_HOME, or a fresh PostgreSQL
    database on the session's server, for tests that must hold on both."""
    if request.param == "sqlite":
        return settings
    from pydantic import SecretStr

    pg_url = request.getfixturevalue("pg_url")
    return settings.model_copy(update={"database_url": SecretStr(pg_url)})


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A writable copy of the fixture documents."""
    target = tmp_path / "docs"
    shutil.copytree(FIXTURES / "docs", target)
    return target


@pytest.fixture
def fake_coach(settings: Settings, fake_embedder: FakeEmbedder, docs: Path):
    from coach.facade import Coach

    coach = Coach(settings, embedder=fake_embedder)
    report = coach.ingest([docs])
    assert report.chunks_added > 0 and not report.failures
    return coach


@pytest.fixture(scope="session")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in corpus ingested once with the real embedder, shared read-only."""
    home = tmp_path_factory.mktemp("real-home")
    from coach.facade import Coach

    coach = Coach(Settings(home=home))
    report = coach.ingest()
    assert report.chunks_added > 100 and not report.failures, report.failures
    return home


@pytest.fixture
def real_coach(real_home: Path):
    from coach.facade import Coach

    return Coach(Settings(home=real_home, log_turns=False), embedder=_shared_embedder())


def _shared_embedder():
    from coach.embed import Embedder

    if not hasattr(_shared_embedder, "instance"):
        _shared_embedder.instance = Embedder()
    return _shared_embedder.instance


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(coach, concurrency: int = 2, max_size: int = 16):
    """Serve the real web app for `coach` on a free loopback port: (app, url)."""
    from coach.web import CSS, JS, app_kwargs, build_app

    app = build_app(coach)
    app.queue(default_concurrency_limit=concurrency, max_size=max_size)
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=app.coach_web.auth,
        app_kwargs=app_kwargs(coach.settings),
        css=CSS,  # as `coach serve` has them: the browser tests see the real layout
        js=JS,
    )
    return app, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server for the session; its folder sits outside pytest's private
    temp tree, which the `postgres` user could not enter."""
    from tests.servers import postgres_server

    data = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    try:
        with postgres_server(data) as url:
            yield url
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server."""
    from tests.servers import create_database

    name = re.sub(r"\W+", "_", request.node.name).lower()[-60:]
    return create_database(postgres, name)

"""Twenty concurrent chat sessions for a minute, and a full queue that says "try again"."""

from __future__ import annotations

import shutil
import statistics
import threading
import time

import pytest
from gradio_client import Client

from coach.facade import Coach
from coach.settings import Settings
from tests.conftest import FakeEmbedder, serve_app

pytestmark = pytest.mark.slow

SESSIONS = 20
SECONDS = 60
QUESTIONS = [
    "How often should I meet my mentor?",
    "How do I ask someone to be my mentor?",
    "my mentor's feedback stung, what now?",
    "how do I negotiate a job offer",
    "I feel like an impostor at work",
    "What is the capital of Peru?",
    "how do I get promoted",
    "what should I do in my first 90 days in a new job",
]


def test_twenty_sessions_for_a_minute(real_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(real_home, home, ignore=shutil.ignore_patterns("coach.db*"))
    from tests.conftest import _shared_embedder

    coach = Coach(Settings(home=home), embedder=_shared_embedder())
    app, url = serve_app(coach, coach.settings.queue_concurrency, coach.settings.queue_max_size)
    latencies: list[float] = []
    errors: list[str] = []
    turns = [0] * SESSIONS
    deadline = time.monotonic() + SECONDS
    lock = threading.Lock()

    def session(i: int) -> None:
        client = Client(url, verbose=False)
        n = 0
        while time.monotonic() < deadline:  # bounded in time, and in count below
            question = QUESTIONS[(i + n) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                chat, *_ = client.predict(question, api_name="/chat")
                text = chat[-1]["content"]
                text = text if isinstance(text, str) else text[0]["text"]
                assert "⚠️" not in text, text
            except Exception as exc:  # counted, reported below
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                return
            with lock:
                latencies.append(time.perf_counter() - started)
            turns[i] += 1
            n += 1
            if n >= 500:
                return

    threads = [threading.Thread(target=session, args=(i,)) for i in range(SESSIONS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 120)
    finally:
        app.close()
    assert not errors, errors[:3]
    assert all(n > 0 for n in turns)
    stored = coach.db.query("SELECT COUNT(*) AS n FROM messages WHERE role = 'assistant'")
    assert stored[0]["n"] == sum(turns)  # every turn persisted
    p95 = sorted(latencies)[int(0.95 * len(latencies)) - 1]
    print(
        f"\nload: {SESSIONS} sessions x {SECONDS}s: {len(latencies)} turns, 0 errors, "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


class SlowAnswers(FakeEmbedder):
    """Each question takes half a second, so eight at once must overflow a queue of one."""

    def encode_cached(self, texts):
        time.sleep(0.5)
        return super().encode_cached(texts)


def test_full_queue_says_try_again(settings, docs):
    coach = Coach(
        settings.model_copy(update={"queue_concurrency": 1, "queue_max_size": 1}),
        embedder=SlowAnswers(),
    )
    coach.ingest([docs])
    app, url = serve_app(coach, coach.settings.queue_concurrency, coach.settings.queue_max_size)
    outcomes: list[str] = []

    def one() -> None:
        started = time.monotonic()
        try:
            Client(url, verbose=False).predict(
                "How often should I meet my mentor?", api_name="/chat"
            )
            outcomes.append("answered")
        except Exception as exc:
            outcomes.append(str(exc))
        assert time.monotonic() - started < 60  # an answer or a message, never a hang

    threads = [threading.Thread(target=one) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
    finally:
        app.close()
    assert "answered" in outcomes
    busy = [o for o in outcomes if o != "answered"]
    assert busy and all("try again" in o.lower() for o in busy), outcomes

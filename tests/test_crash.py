"""SIGKILL at random points: the next run repairs the store, and nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coach.facade import Coach
from coach.settings import PROJECT_ROOT, Settings

DRIVER = Path(__file__).with_name("crash_driver.py")
KILLS = 10


def make_docs(folder: Path, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(30):
        sections = "\n\n".join(
            f"## Topic {j} of guide {i}\n\nAdvice {j} for guide {i}, "
            f"version {version if j == 0 else 0}: meet your mentor every {j + 2} weeks "
            f"and bring {i % 5 + 1} questions about goal {j}."
            for j in range(4)
        )
        (folder / f"guide-{i:02d}.md").write_text(f"# Guide {i}\n\n{sections}\n")
    # Files come and go between runs, so deletions are part of what a kill interrupts.
    for i in range(version % 3):
        (folder / f"guide-{i:02d}.md").unlink()


def start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )


def clean_build(docs: Path, home: Path, embedder) -> set[str]:
    coach = Coach(Settings(home=home, refuse_below=0.15), embedder=embedder)
    coach.ingest([docs])
    return coach.store.chunk_ids()


@pytest.mark.slow
def test_ingest_survives_sigkill_at_random_points(tmp_path, fake_embedder):
    rng = random.Random(20261122)
    docs = tmp_path / "docs"
    home = tmp_path / "home"
    survived = 0
    for kill in range(KILLS):
        make_docs(docs, kill + 1)
        proc = start(["ingest", str(home), str(docs)])
        assert proc.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.05, 2.0))  # somewhere inside reading, embedding or writing
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

        coach = Coach(Settings(home=home, refuse_below=0.15), embedder=fake_embedder)
        report = coach.ingest([docs])
        assert not report.failures
        expected = clean_build(docs, tmp_path / f"clean-{kill}", fake_embedder)
        rows, vectors = coach.store.chunk_ids(), coach.store.vector_ids()
        assert rows == expected and vectors == expected  # no stale, no missing, no duplicates
        assert len(coach.store.collection.get(include=[])["ids"]) == len(expected)
        answer = coach.ask("How often should I meet my mentor about goal 2?")
        assert answer.citations and not answer.refused
        survived += 1
    assert survived == KILLS


@pytest.mark.slow
def test_conversation_writes_survive_sigkill(tmp_path):
    rng = random.Random(7)
    home = tmp_path / "home"
    for _ in range(KILLS):
        proc = start(["turns", str(home)])
        # Past start-up (its length depends on the machine's load), into the writing loop.
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.05, 1.0))
        proc.send_signal(signal.SIGKILL)
        out = first + proc.stdout.read()  # through the buffer readline filled
        proc.wait(timeout=30)
        proc.stderr.close()
        conv = next(line.split()[1] for line in out.splitlines() if line.startswith("conv"))
        committed = [
            int(line.split()[1]) for line in out.splitlines() if line.startswith("committed")
        ]
        db = sqlite3.connect(home / "coach.db")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = db.execute(
            "SELECT content FROM messages WHERE conversation_id = ? ORDER BY id", (conv,)
        ).fetchall()
        db.close()
        numbers = [int(c.split()[1]) for (c,) in stored]
        assert committed, "the driver was killed before its first commit; widen the window"
        assert numbers[: len(committed)] == committed  # every committed turn is there, in order
        assert numbers == list(range(1, len(numbers) + 1))

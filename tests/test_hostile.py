"""Hostile uploads: files built to stall or exhaust the server are refused quickly, and
refusing them leaves nothing behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coach.errors import LoadError
from coach.load import load


def alias_bomb(levels: int = 5) -> bytes:
    """Front matter whose title is nested aliases: 10**levels strings once expanded."""
    lines = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines += [f"title: *a{levels}", "---", "", "Body text about mentoring and meetings."]
    return "\n".join(lines).encode()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("levels", [5, 7])
def test_alias_bomb_is_refused_at_once(tmp_path, levels):
    path = write(tmp_path, "bomb.md", alias_bomb(levels))
    assert path.stat().st_size < 600
    started = time.perf_counter()
    with pytest.raises(LoadError, match="anchors or aliases"):
        load(path, "bomb.md")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("front", "phrase"),
    [
        ("base: &b {x: 1}\nother: *b\ntitle: t", "anchors or aliases"),
        ("title: &t Plain\n", "anchors or aliases"),
        ("title: " + "x" * 201, "`title` is over 200 characters"),
        ("summary: " + "x" * 1001, "`summary` is over 1000 characters"),
        ("title: {nested: map}", "`title` must be plain text"),
        ("title: [a, b]", "`title` must be plain text"),
        ("kind: [guide]", "`kind` must be plain text"),
        ("topics: [[a, b]]", "`topics` must be plain text"),
        ("topics: [" + ", ".join(["t"] * 31) + "]", "`topics` lists over 30"),
        ("title: true", "`title` must be plain text"),
        ("notes: '" + "x" * 9000 + "'", "front matter is over 8 KB"),
    ],
)
def test_front_matter_takes_only_short_plain_values(tmp_path, front, phrase):
    path = write(tmp_path, "doc.md", f"---\n{front}\n---\nBody text here.".encode())
    with pytest.raises(LoadError) as err:
        load(path, "doc.md")
    assert phrase in err.value.reason


def test_plain_front_matter_still_reads(tmp_path):
    path = write(
        tmp_path,
        "doc.md",
        b"---\ntitle: 1984 notes\nsummary: A short summary.\nkind: guide\n"
        b"topics: [feedback, 2026]\nstages: early-career\nwritten: 2026-01-05\n---\n"
        b"Body text here.",
    )
    doc = load(path, "doc.md")
    assert doc.title == "1984 notes" and doc.summary == "A short summary."
    assert doc.topics == ("feedback", "2026") and doc.stages == ("early-career",)
    assert doc.kind == "guide"

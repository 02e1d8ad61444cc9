"""The `coach` command end to end, in subprocesses, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COACH = str(Path(sys.executable).with_name("coach"))


def run(*args: str, home: Path, env: dict[str, str] | None = None, timeout: int = 180):
    full_env = {**os.environ, "COACH_HOME": str(home), **(env or {})}
    return subprocess.run(
        [COACH, *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


def assert_clean_failure(proc, *phrases: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    for phrase in phrases:
        assert phrase in proc.stderr, proc.stderr


@pytest.mark.slow
def test_ask_json_follows_the_contract(real_home):
    proc = run("ask", "How often should I meet my mentor?", "--json", home=real_home)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"answer", "citations", "refused", "mode", "prompt", "latency_ms"} <= set(data)
    assert data["refused"] is False and data["mode"] == "extractive"
    assert data["prompt"] == "extractive@v4" and data["latency_ms"] > 0
    # Suggested next questions: other sections' headings, never the one that answered.
    assert 2 <= len(data["suggestions"]) <= 3
    assert all(s["text"].endswith("?") and "#" in s["section"] for s in data["suggestions"])
    answered = {c["section"] for c in data["citations"]}
    assert not {s["section"].split("#", 1)[1] for s in data["suggestions"]} & answered
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert cited == {c["n"] for c in data["citations"]}
    for c in data["citations"]:
        assert {"n", "source", "title", "snippet", "score"} <= set(c)
        assert isinstance(c["score"], float)
        assert re.search(r"[\w-]+\.md$", c["source"])
    assert data["citations"][0]["source"].endswith("how-often-to-meet-your-mentor.md")


@pytest.mark.slow
def test_ask_plain_text_lists_sources(real_home):
    proc = run("ask", "my mentor's feedback really stung, what now?", home=real_home)
    assert proc.returncode == 0, proc.stderr
    assert "Sources:" in proc.stdout and "[1]" in proc.stdout


@pytest.mark.slow
def test_prep_json(real_home, tmp_path):
    ics = tmp_path / "next.ics"
    proc = run(
        "prep",
        "--goal",
        "get promoted this year",
        "--goal",
        "build my network",
        "--notes",
        "- [ ] ask Sam for the promotion criteria by 2026-12-20\n- [x] updated my CV",
        "--minutes",
        "30",
        "--next-meeting",
        "2026-12-22 09:30",
        "--ics",
        str(ics),
        "--json",
        home=real_home,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert 5 <= len(data["questions"]) <= 8
    assert all(q["citations"] and q["text"].endswith("?") for q in data["questions"])
    assert {q["goal"] for q in data["questions"]} == {"get promoted this year", "build my network"}
    titles = [a["title"] for a in data["agenda"]]
    assert titles[0] == "Updates and wins" and titles[-1] == "Next steps"
    assert sum(a["minutes"] for a in data["agenda"]) == 30
    assert data["markdown"].startswith("# Meeting prep")
    assert data["email"].startswith("Subject: Agenda for our next mentoring meeting")
    text = ics.read_bytes().decode()
    assert "DTSTART:20261222T093000\r\n" in text and "DTSTART;VALUE=DATE:20261220\r\n" in text


@pytest.mark.slow
def test_prep_prints_the_timed_agenda_and_the_email(real_home):
    proc = run("prep", "--goal", "speak up more in meetings", "--minutes", "45", home=real_home)
    assert proc.returncode == 0, proc.stderr
    assert "## Agenda" in proc.stdout and "(0-" in proc.stdout and "-45 min)" in proc.stdout
    assert "## Email to your mentor" in proc.stdout


def test_prep_refuses_a_bad_meeting_date(tmp_path):
    proc = run("prep", "--goal", "x y", "--next-meeting", "next tuesday", home=tmp_path / "h")
    assert proc.returncode == 1
    assert "2026-12-15" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_ingest_reports_and_exits_nonzero_on_bad_files(tmp_path, docs):
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 nonsense")
    proc = run("ingest", str(docs), home=tmp_path / "home")
    assert proc.returncode == 1
    assert "skipped:" in proc.stderr and "broken.pdf" in proc.stderr
    assert re.search(r"Ingested 5 files, \d+ chunks added, 0 removed, 0 unchanged", proc.stdout)
    again = run("ingest", str(docs), home=tmp_path / "home")
    assert re.search(r"0 chunks added, 0 removed, \d+ unchanged", again.stdout)


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question_is_rejected(tmp_path, question):
    assert_clean_failure(run("ask", question, home=tmp_path), "empty")


def test_too_long_question_names_the_limit(tmp_path):
    assert_clean_failure(run("ask", "why " * 600, home=tmp_path), "limit is 2,000")


def test_empty_index_says_run_ingest(tmp_path):
    assert_clean_failure(
        run("ask", "How often should I meet my mentor?", home=tmp_path), "run `coach ingest`"
    )


def test_unknown_topic_lists_the_choices(tmp_path):
    assert_clean_failure(
        run("ask", "hello there mentor", "--topic", "astrology", home=tmp_path),
        "unknown topic astrology",
        "feedback",
    )


def test_invalid_setting_is_named(tmp_path):
    proc = run("ask", "How do I find a mentor?", home=tmp_path, env={"COACH_TOP_K": "lots"})
    assert_clean_failure(proc, "COACH_TOP_K")


def test_missing_path_is_reported(tmp_path):
    assert_clean_failure(run("ingest", str(tmp_path / "nope"), home=tmp_path / "h"), "no such file")


def test_usage_errors_exit_2(tmp_path):
    proc = run(home=tmp_path)
    assert proc.returncode == 2 and "usage" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_feedback_export_writes_jsonl(tmp_path):
    from coach.db import open_database
    from coach.mentee import MenteeData
    from coach.turnlog import TurnLog
    from coach.types import Answer

    home = tmp_path / "home"
    db = open_database(home / "coach.db")
    db.migrate()
    turn = TurnLog(db, "extractive").record(
        "How often?",
        Answer("Monthly [1].", [], False, "extractive", "extractive@v1", 9.0, "q"),
        user="local",
    )
    MenteeData(db, "local").add_feedback(turn, 1, "useful")
    out = tmp_path / "feedback.jsonl"
    proc = run("feedback", "export", "--out", str(out), home=home)
    assert proc.returncode == 0, proc.stderr
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["question"] == "How often?" and record["rating"] == 1
    assert record["comment"] == "useful" and record["prompt"] == "extractive@v1"

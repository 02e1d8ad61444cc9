"""`coach chat`, driven through its input: in-process over the fakes, and as a command."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from coach.chat import ChatRepl
from coach.facade import Coach
from coach.settings import PROJECT_ROOT
from tests.conftest import CORPUS

GUIDES = ["how-often-to-meet-your-mentor", "preparing-for-a-mentoring-meeting"]


@pytest.fixture
def guides_coach(settings, fake_embedder):
    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([CORPUS / "guides" / f"{name}.md" for name in GUIDES])
    return coach


def chat(coach, lines: list[str], user: str = "local") -> tuple[str, str, ChatRepl]:
    out, err = io.StringIO(), io.StringIO()
    repl = ChatRepl(coach, user, io.StringIO("".join(f"{ln}\n" for ln in lines)), out, err)
    repl.run()
    return out.getvalue(), err.getvalue(), repl


def test_an_answer_with_sources_and_numbered_suggestions(guides_coach):
    out, err, repl = chat(guides_coach, ["How often should I meet my mentor?"])
    assert err == ""
    assert "[1]" in out and "Sources:" in out and "how-often-to-meet-your-mentor.md" in out
    assert "You could ask next:" in out and "  1. " in out
    (conversation,) = guides_coach.mentee().conversations()
    messages = guides_coach.mentee().messages(conversation.id)
    assert [m.role for m in messages] == ["user", "assistant"] and messages[1].citations
    assert 2 <= len(repl.suggestions) <= 3


def test_a_number_sends_that_suggestion(guides_coach):
    first = chat(guides_coach, ["How often should I meet my mentor?"])[2].suggestions
    guides_coach.mentee().delete(guides_coach.mentee().conversations()[0].id)
    out, err, _ = chat(guides_coach, ["How often should I meet my mentor?", "2"])
    assert err == ""
    (conversation,) = guides_coach.mentee().conversations()
    questions = [m.content for m in guides_coach.mentee().messages(conversation.id)][::2]
    assert questions == ["How often should I meet my mentor?", first[1].text]
    assert out.count("Sources:") == 2


def test_new_list_open_and_export(guides_coach, tmp_path):
    target = tmp_path / "chat.md"
    out, err, repl = chat(
        guides_coach,
        [
            "How often should I meet my mentor?",
            "/new",
            "What should I bring to a mentoring meeting?",
            "/list",
            "/open 2",
            f"/export {target}",
            "/export",
        ],
    )
    assert err == ""
    assert "  1. What should I bring" in out and "  2. How often should I meet" in out
    assert "Opened: How often should I meet my mentor?" in out
    assert target.read_text().startswith("# How often should I meet my mentor?")
    assert "**Coach:**" in target.read_text() and "Sources:" in target.read_text()
    assert out.rstrip().endswith(target.read_text().rstrip().splitlines()[-1])
    assert len(guides_coach.mentee().conversations()) == 2
    assert repl.conversation_id == guides_coach.mentee().conversations()[1].id


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/frobnicate", "unknown command /frobnicate"),
        ("/open", "/open N"),
        ("/open 7", "there is no conversation 7"),
        ("/export", "no conversation to export"),
        ("3", "no suggestions to pick from"),
        ("?!", "in words"),
        ("why " * 600, "limit is 2,000"),
    ],
)
def test_bad_lines_get_one_message_and_the_chat_goes_on(guides_coach, line, message):
    out, err, _ = chat(guides_coach, [line, "How often should I meet my mentor?"])
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    assert "Sources:" in out  # the next question is still answered
    (conversation,) = guides_coach.mentee().conversations()  # the bad line stored nothing
    assert len(guides_coach.mentee().messages(conversation.id)) == 2


def test_quit_stops_before_the_rest(guides_coach):
    out, err, _ = chat(guides_coach, ["/help", "/quit", "How often should I meet my mentor?"])
    assert "/open N" in out and "Sources:" not in out and err == ""
    assert guides_coach.mentee().conversations() == []


def test_the_user_option_keeps_conversations_apart(guides_coach):
    chat(guides_coach, ["How often should I meet my mentor?"], user="ana")
    assert guides_coach.mentee("local").conversations() == []
    out, _, _ = chat(guides_coach, ["/list"], user="local")
    assert "No conversations yet" in out


def test_the_command_reads_stdin_and_ends_at_eof(tmp_path):
    """As a user runs it: no question, so no model loads; end of input exits 0."""
    env = {**os.environ, "COACH_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "coach.cli", "chat", "--user", "ana"],
        input="/help\n/list\n/open 1\n/bogus\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "/export" in proc.stdout and "No conversations yet" in proc.stdout
    assert proc.stderr.splitlines() == [
        "coach: there is no conversation 1; /list shows 0.",
        "coach: unknown command /bogus; /help lists them.",
    ]

"""The chat app over the facade, served for real and called through gradio_client."""

from __future__ import annotations

import socket

import pytest

from coach.web import build_app, render, respond


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_respond_renders_citations_and_sources(fake_coach):
    text = respond(fake_coach, "How often should I meet my mentor?", [])
    assert "[1]" in text and "<details>" in text and "meeting-rhythm.md" in text


def test_errors_become_messages_not_tracebacks(fake_coach):
    assert respond(fake_coach, "   ", []).startswith("⚠️ Please type a question")
    assert "limit" in respond(fake_coach, "x" * 5000, [])


def test_render_escapes_passage_html(fake_coach):
    answer = fake_coach.ask("How often should I meet my mentor?")
    answer.citations[0].passage = "<script>alert(1)</script>"
    assert "<script>" not in render(answer)


@pytest.fixture
def served(fake_coach):
    app = build_app(fake_coach)
    port = free_port()
    app.queue(default_concurrency_limit=2, max_size=16)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_chat_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    reply = client.predict("How long should a mentoring meeting last?", api_name="/chat")
    assert "[1]" in reply and "meeting-rhythm.md" in reply
    follow = client.predict("hello", api_name="/chat")
    assert "mentoring coach" in follow

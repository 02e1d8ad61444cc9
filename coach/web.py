"""The browser chat: a Gradio ChatInterface over the facade. UI code holds no pipeline logic."""

from __future__ import annotations

import html
from typing import Any

import coach  # noqa: F401  (offline environment first)
from coach.errors import CoachError
from coach.facade import Coach
from coach.types import Answer

EXAMPLES = [
    "How often should I meet my mentor?",
    "How do I ask someone to be my mentor?",
    "My mentor's feedback stung. What now?",
    "How do I prepare for my first meeting with a mentor?",
]


def render(answer: Answer) -> str:
    """The answer as Markdown, with a sources list the reader can expand."""
    if not answer.citations:
        return answer.answer
    parts = [answer.answer, "", "**Sources**", ""]
    for c in answer.citations:
        where = f"{c.title} - {c.section}" if c.section else c.title
        parts.append(
            f"<details><summary>[{c.n}] {html.escape(where)}</summary>\n\n"
            f"{html.escape(c.passage)}\n\n<small>{html.escape(c.source)}</small></details>"
        )
    return "\n".join(parts)


def respond(coach_: Coach, message: Any, history: list[Any]) -> str:
    text = message.get("text", "") if isinstance(message, dict) else message
    try:
        return render(coach_.ask(text, history=history))
    except CoachError as exc:
        return f"⚠️ {exc}"
    except Exception as exc:  # the boundary: a message, never a traceback in the page
        return f"⚠️ Something went wrong ({exc.__class__.__name__}). Please try again."


def build_app(coach_: Coach | None = None) -> Any:
    import gradio as gr

    coach_ = coach_ or Coach()

    def chat(message: Any, history: list[Any]) -> str:
        return respond(coach_, message, history)

    return gr.ChatInterface(
        fn=chat,
        api_name="chat",
        title="Mentor Coach",
        description="Ask a mentoring or career question. Every point is cited to a guide.",
        examples=EXAMPLES,
        cache_examples=False,
        chatbot=gr.Chatbot(height=520, sanitize_html=True),
        textbox=gr.Textbox(placeholder="Ask about mentors, feedback, promotions, job moves..."),
    )


def serve(coach_: Coach, host: str, port: int) -> None:
    app = build_app(coach_)
    app.queue(default_concurrency_limit=4, max_size=64)
    print(f"Mentor Coach is running at http://{host}:{port}", flush=True)
    app.launch(
        server_name=host,
        server_port=port,
        show_error=False,
        share=False,
        inbrowser=False,
        quiet=True,
    )

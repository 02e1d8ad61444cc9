"""The browser app over the facade, served for real and driven through gradio_client."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from coach.accounts import parse_auth
from coach.facade import Coach
from coach.web import WebApp, chat_text, source_chips, sources_html, topic_label
from tests.conftest import serve_app
from tests.test_prep import BANK


@pytest.fixture
def web_coach(settings, fake_embedder, docs) -> Coach:
    (docs / "bank.md").write_text(BANK)
    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([docs])
    return coach


@pytest.fixture
def url(web_coach):
    app, url = serve_app(web_coach)
    yield url
    app.close()


def rows(table: dict | None) -> list[list]:
    """Non-empty rows of a Dataframe output (an empty one may arrive as one blank row)."""
    data = (table or {}).get("data") or []
    return [r for r in data if any(str(v).strip() for v in r)]


def answer_text(chat: list[dict]) -> str:
    content = chat[-1]["content"]
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content)
    return content


def test_chat_streams_a_cited_answer_and_persists_it(url):
    client = Client(url, verbose=False)
    job = client.submit("How long should a mentoring meeting last?", api_name="/chat")
    outputs = list(job)
    assert len(outputs) >= 3  # the question appears, then the answer grows, then sources
    chat, box, _conversations = outputs[-1]
    text = answer_text(chat)
    assert "[1]" in text and 'class="chip"' in text and box == ""
    assert "<details" in text and "meeting-rhythm.md" in text
    growing = [answer_text(o[0]) for o in outputs[1:-1]]
    assert growing and all(len(a) <= len(b) for a, b in zip(growing, growing[1:], strict=False))

    # A reload (a fresh page load) restores the conversation and its sources.
    fresh = Client(url, verbose=False)
    restored = fresh.predict(api_name="/load")
    convs, chat_again = restored[0], restored[1]
    assert convs["choices"][0][0].startswith("How long should a mentoring")
    assert answer_text(chat_again) == text


def test_empty_and_oversized_questions_get_messages(url):
    client = Client(url, verbose=False)
    chat, box, *_ = client.predict("   ", api_name="/chat")
    assert chat == []
    chat, box, *_ = client.predict("x" * 5000, api_name="/chat")
    assert chat == [] and box == "x" * 5000  # kept, so it can be shortened
    assert client.predict(api_name="/load")[0]["choices"] == []  # nothing stored


def test_conversation_operations(url, tmp_path):
    client = Client(url, verbose=False)
    client.predict("How often should I meet my mentor?", api_name="/chat")
    convs = client.predict(api_name="/load")[0]
    conv_id = convs["value"]
    renamed = client.predict("Rhythm", api_name="/rename_conversation")
    assert ["Rhythm", conv_id] in [list(c) for c in renamed["choices"]]
    exported = client.predict(api_name="/export_conversation")
    assert Path(exported).read_text().startswith("# Rhythm")
    new = client.predict(api_name="/new_conversation")
    assert len(new[0]["choices"]) == 2 and new[1] == []
    opened = client.predict(conv_id, api_name="/open_conversation")
    assert "[1]" in answer_text(opened[0]) and opened[1] == "Rhythm"
    after = client.predict(api_name="/delete_conversation")  # the open one: Rhythm
    assert [c[1] for c in after[0]["choices"]] == [new[0]["value"]]


def test_meeting_prep_with_actions_and_download(url):
    client = Client(url, verbose=False)
    client.predict("Send the recap email", "2026-12-01", api_name="/add_action")
    agenda, questions, email, sources, download, ics, *_ = client.predict(
        "get better feedback on my work\nagree how often we meet",
        [],
        "- [ ] Draft my plan\n- [x] Read the book\nShould I ask for a second mentor?",
        "30",
        "2026-12-15 14:30",
        api_name="/prep",
    )
    assert "Agenda (30 minutes)" in agenda and "Review of last meeting" in agenda
    assert "Send the recap email (due 1 Dec)" in agenda and "Draft my plan" in agenda
    assert "Done: Read the book" in agenda
    assert "Open question: Should I ask for a second mentor?" in agenda
    assert "–30 min)" in agenda  # the blocks fill the meeting
    lines = [q for q in questions.splitlines() if q.strip()]
    assert 5 <= len(lines) <= 8 and all(q.endswith("?") for q in lines)
    assert email.startswith("Subject: Agenda for our next mentoring meeting (Tue 15 Dec, 14:30)")
    assert "Send the recap email" in email
    assert "<details" in sources
    md = Path(download["value"] if isinstance(download, dict) else download).read_text()
    assert md.startswith("# Meeting prep") and lines[0] in md
    cal = Path(ics["value"] if isinstance(ics, dict) else ics).read_bytes().decode()
    assert cal.startswith("BEGIN:VCALENDAR\r\n") and "DTSTART:20261215T143000" in cal
    assert "DTSTART;VALUE=DATE:20261201" in cal and "SUMMARY:Due: Send the recap email" in cal


def test_meeting_prep_refuses_a_bad_date(url):
    client = Client(url, verbose=False)
    with pytest.raises(AppError, match="2026-12-15"):
        client.predict("get better feedback", [], "", "45", "soon", api_name="/prep")


def test_profile_and_action_items(url):
    client = Client(url, verbose=False)
    note, prep_goals = client.predict(
        "Data analyst", "mid-career", "Get promoted\nLead a project", api_name="/save_profile"
    )
    assert "Data analyst, mid career" in note and prep_goals == "Get promoted\nLead a project"
    table, choices, *_ = client.predict("Ask Sam for an intro", "", api_name="/add_action")
    assert table["data"][0][0] == "Ask Sam for an intro"
    action_id = choices["choices"][0][1]
    table, _ = client.predict(action_id, api_name="/complete_action")
    assert table["data"][0][2] == "done"
    with pytest.raises(AppError, match="2026-12-31"):
        client.predict("x", "someday", api_name="/add_action")


def test_upload_is_cited_then_deleted(url, tmp_path):
    client = Client(url, verbose=False)
    note = tmp_path / "my-notes.md"
    note.write_text(
        "## Salary at the zoo\n\nZebra keepers negotiate salary by asking for a "
        "quarterly review of their feeding schedules and pay together."
    )
    status, table, choices, _ = client.predict(handle_file(str(note)), api_name="/upload")
    assert "Added **my-notes.md**" in status and table["data"][0][0] == "my-notes.md"
    chat, _, _ = client.predict("How do zebra keepers negotiate salary?", None, api_name="/chat")
    assert "my-notes.md" in answer_text(chat)
    doc_id = choices["choices"][0][1]
    status, table, _ = client.predict(doc_id, api_name="/delete_document")
    assert "Deleted" in status and rows(table) == []
    chat, _, _ = client.predict("How do zebra keepers negotiate salary?", None, api_name="/chat")
    assert "my-notes.md" not in answer_text(chat)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.md", b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
        ("fake.pdf", b"just text, not a pdf", "not a PDF"),
        # Refused by the raw upload route itself (415, "Only .htm, ... files can be uploaded").
        ("tool.exe", b"MZ\x90\x00", "Invalid file type|only|415 Unsupported Media Type"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_uploads_get_clear_messages(url, tmp_path, name, content, message):
    client = Client(url, verbose=False)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises((AppError, httpx.HTTPStatusError), match=message):
        client.predict(handle_file(str(path)), api_name="/upload")
    assert rows(client.predict(api_name="/load")[8]) == []


def test_feedback_is_stored_with_the_turn(web_coach):
    web = WebApp(web_coach)
    request = SimpleNamespace(username=None)
    outputs = list(web.send("How often should I meet my mentor?", None, request))
    conv_id = outputs[-1][-1]
    comment, status = web.feedback(
        conv_id, "very clear", SimpleNamespace(index=1, liked=True), request
    )
    assert comment == "" and "👍" in status
    from coach.mentee import export_feedback

    (row,) = export_feedback(web_coach.db)
    assert row["rating"] == 1 and row["comment"] == "very clear"
    assert row["question"] == "How often should I meet my mentor?" and row["passages"]


def test_users_are_isolated(engine_settings, fake_embedder, docs, tmp_path):
    coach = Coach(
        engine_settings.model_copy(update={"auth": "ana:pw-a,ben:pw-b"}), embedder=fake_embedder
    )
    coach.ingest([docs])
    app, url = serve_app(coach)
    try:
        ana = Client(url, auth=("ana", "pw-a"), verbose=False)
        ben = Client(url, auth=("ben", "pw-b"), verbose=False)
        secret = tmp_path / "ana-secret.md"
        secret.write_text(
            "## Ana's plan\n\nAna plans to negotiate salary with the platypus council every spring."
        )
        ana.predict(handle_file(str(secret)), api_name="/upload")
        ana.predict("How do I negotiate salary with the platypus council?", api_name="/chat")
        ana.predict("Ana's private goal", "mid-career", "secret goal", api_name="/save_profile")
        loaded = ben.predict(api_name="/load")
        assert loaded[0]["choices"] == [] and not loaded[1]
        assert loaded[2] == "" and loaded[4] == ""  # no profile
        assert not rows(loaded[8])
        chat, _, _ = ben.predict(
            "How do I negotiate salary with the platypus council?", None, api_name="/chat"
        )
        assert "ana-secret" not in answer_text(chat)
        ana_conv = ana.predict(api_name="/load")[0]["value"]
        # Refused twice over: not among ben's choices, and not ben's conversation.
        with pytest.raises(AppError, match="does not exist|not in the list of choices"):
            ben.predict(ana_conv, api_name="/open_conversation")
        with pytest.raises(Exception, match="does not exist"):
            WebApp(coach).open_conversation(ana_conv, SimpleNamespace(username="ben"))
        ben.predict("stolen", api_name="/rename_conversation")  # renames ben's own only
        assert ana.predict(api_name="/load")[0]["choices"][0][0] != "stolen"
        assert ana.predict(api_name="/load")[0]["value"] == ana_conv
    finally:
        app.close()


def test_auth_parsing(tmp_path):
    assert parse_auth(None) is None
    assert parse_auth("a:1, b:two:parts") == [("a", "1"), ("b", "two:parts")]
    f = tmp_path / "users.txt"
    f.write_text("# users\nana:pw\n\nben:pw2\n")
    assert parse_auth(str(f)) == [("ana", "pw"), ("ben", "pw2")]
    from coach.errors import BadInputError

    with pytest.raises(BadInputError):
        parse_auth("no-password")


def test_sources_panel_escapes_html():
    html = sources_html(
        [
            {
                "n": 1,
                "title": "<b>T</b>",
                "section": "",
                "source": "x.md",
                "snippet": "<script>alert(1)</script>",
                "passage": "<img src=x>",
                "score": 0.5,
            }
        ]
    )
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert chat_text("Answer [1]", []) == "Answer [1]"


def cite(n: int, title: str, section: str, passage: str) -> dict:
    return {
        "n": n,
        "title": title,
        "section": section,
        "source": "guides/x.md",
        "snippet": passage[:20],
        "passage": passage,
        "score": 0.5,
    }


def test_source_chips_list_each_section_once_and_stay_inert():
    chips = source_chips(
        [
            cite(1, "Meeting rhythm", "How often?", "Monthly suits most.\n\nSecond paragraph."),
            cite(2, "Meeting rhythm", "How  often?", "Weekly tires a mentor."),
            cite(3, "Meeting rhythm", "How long?", "<script>alert(1)</script>"),
        ]
    )
    assert chips.count('class="chip"') == 2
    assert "[1][2]</b> Meeting rhythm · How often?" in chips
    assert "Weekly tires a mentor." in chips and "Monthly suits most.<br><br>Second" in chips
    assert "<script>" not in chips and "&lt;script&gt;" in chips
    assert "\n" not in chips  # one line: Markdown would end the HTML block at a blank line


def test_topic_labels_are_words():
    assert topic_label("mentor-time") == "Mentor time"
    assert topic_label("early-career") == "Early career"


def test_send_renders_the_chat_events_with_suggestions(settings, fake_embedder):
    from tests.conftest import CORPUS

    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([CORPUS / "guides" / "how-often-to-meet-your-mentor.md"])
    web = WebApp(coach)
    request = SimpleNamespace(username=None)
    outputs = list(web.send("How often should I meet my mentor?", None, request))
    chat, box, *buttons, _listed, conv_id = outputs[-1]
    assert box == "" and 'class="chip"' in chat[-1]["content"]
    shown = [b["value"] for b in buttons if b["visible"]]
    assert 2 <= len(shown) <= 3 and all(q.endswith("?") for q in shown)
    assert all(not b["visible"] for b in outputs[0][2:-2])  # none while it streams
    # A suggestion sends its own text into the same conversation.
    outputs = list(web.send_suggestion(shown[0], conv_id, request))
    assert outputs[-1][-1] == conv_id
    questions = [m.content for m in coach.mentee().messages(conv_id) if m.role == "user"]
    assert questions == ["How often should I meet my mentor?", shown[0]]


def test_a_bad_question_is_refused_before_anything_is_stored(web_coach):
    web = WebApp(web_coach)
    (output,) = list(web.send("?!", None, SimpleNamespace(username=None)))
    chat, box, *_, conv_id = output
    assert chat == [] and box == "?!" and conv_id is None
    assert web_coach.mentee().conversations() == []

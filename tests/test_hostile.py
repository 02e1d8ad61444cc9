"""Hostile uploads: files built to stall or exhaust the server are refused quickly, and
refusing them leaves nothing behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from coach.errors import CoachError, LoadError
from coach.load import load
from coach.sandbox import TOO_BIG, TOO_LONG, Limits, read_untrusted


def alias_bomb(levels: int = 5) -> bytes:
    """Front matter whose title is nested aliases: 10**levels strings once expanded."""
    lines = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines += [f"title: *a{levels}", "---", "", "Body text about mentoring and meetings."]
    return "\n".join(lines).encode()


def pdf_bomb(pages: int = 5, ops: int = 120_000) -> bytes:
    """A small PDF whose pages each inflate to about 2.6 MB of one-letter text operations:
    within pypdf's limits, and minutes of CPU to extract."""
    import io
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    packed = zlib.compress(b"BT /F1 1 Tf " + b"1 0 0 1 0 0 Tm (a) Tj " * ops + b"ET", 9)
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = StreamObject()
        stream._data = packed
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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


# --- the sandbox ----------------------------------------------------------------------
def test_sandbox_reads_what_load_reads(tmp_path):
    path = write(tmp_path, "notes.md", b"---\ntitle: My notes\ntopics: [feedback]\n---\nBody.")
    assert read_untrusted(path, "my-library/notes.md", Limits()) == load(
        path, "my-library/notes.md"
    )


def test_cpu_bomb_is_stopped_at_the_cpu_limit(tmp_path):
    path = write(tmp_path, "bomb.pdf", pdf_bomb())
    assert path.stat().st_size < 40_000
    started = time.perf_counter()
    with pytest.raises(LoadError) as err:
        read_untrusted(path, "bomb.pdf", Limits(cpu_seconds=1, wall_seconds=30))
    assert err.value.reason == TOO_LONG
    assert time.perf_counter() - started < 4


def test_slow_file_is_killed_at_the_wall_clock_limit(tmp_path):
    path = write(tmp_path, "bomb.pdf", pdf_bomb())
    started = time.perf_counter()
    with pytest.raises(LoadError) as err:
        read_untrusted(path, "bomb.pdf", Limits(cpu_seconds=60, wall_seconds=0.8))
    assert err.value.reason == TOO_LONG
    assert time.perf_counter() - started < 3


def test_memory_hungry_file_is_refused(tmp_path):
    limits = Limits(memory_mb=128, cpu_seconds=30, wall_seconds=60)
    small = write(tmp_path, "small.html", b"<html><body><p>Meet your mentor monthly.</p></html>")
    assert read_untrusted(small, "small.html", limits).text  # the limit leaves room to work
    # Hundreds of thousands of tiny elements: BeautifulSoup needs far more than 128 MB.
    path = write(tmp_path, "big.html", b"<html><body>" + b"<b>a</b>" * 300_000 + b"</body></html>")
    with pytest.raises(LoadError) as err:
        read_untrusted(path, "big.html", limits)
    assert err.value.reason == TOO_BIG


def test_page_and_character_caps_hold_in_the_worker(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for i in range(3):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {i} about mentoring meetings and their agendas.")
    pdf.output(str(tmp_path / "three.pdf"))
    with pytest.raises(LoadError, match="3 pages; the limit is 2"):
        read_untrusted(tmp_path / "three.pdf", "three.pdf", Limits(max_pages=2))
    path = write(tmp_path, "long.txt", b"word " * 2000)
    with pytest.raises(LoadError, match="9,999 characters; the limit is 1,000"):
        read_untrusted(path, "long.txt", Limits(max_chars=1000))


def test_upload_is_read_once_in_the_sandbox(fake_coach, monkeypatch):
    import coach.ingest

    def never(*_args, **_kwargs):
        raise AssertionError("the upload was read again inside the ingest lock")

    monkeypatch.setattr(coach.ingest, "load", never)
    result = fake_coach.upload(
        "ana", "zoo.md", b"## Zoo pay\n\nZebra keepers ask for a quarterly pay review."
    )
    assert result.chunks_total >= 1 and result.filename == "zoo.md"


@pytest.mark.parametrize("name", ["bomb.pdf", "alias.md"])
def test_bombs_through_upload_leave_nothing(fake_coach, name):
    from tests.test_bad_input import counts

    data = pdf_bomb() if name.endswith(".pdf") else alias_bomb(7)
    before = counts(fake_coach)
    started = time.perf_counter()
    with pytest.raises(CoachError) as err:
        fake_coach.upload("ana", name, data)
    # At the default limits (3 s of CPU, 4 s on the clock), with room for a busy machine.
    assert time.perf_counter() - started < 6
    message = str(err.value)
    assert message.startswith(f"{name}: ") and str(fake_coach.settings.home) not in message
    assert counts(fake_coach) == before and fake_coach.mentee("ana").documents() == []
    uploads = fake_coach.settings.home / "uploads"
    assert not [p for p in uploads.rglob("*") if p.is_file()]


# --- over HTTP ------------------------------------------------------------------------
@pytest.fixture
def two_users(settings, fake_embedder, docs):
    from coach.facade import Coach
    from tests.conftest import serve_app

    coach = Coach(settings.model_copy(update={"auth": "ana:pw-a,ben:pw-b"}), embedder=fake_embedder)
    coach.ingest([docs])
    app, url = serve_app(coach, concurrency=4)
    yield coach, url
    app.close()


def test_bombs_are_refused_while_another_user_chats(two_users, tmp_path):
    import statistics
    import threading

    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    coach, url = two_users
    ana = Client(url, auth=("ana", "pw-a"), verbose=False)
    ben = Client(url, auth=("ben", "pw-b"), verbose=False)
    latencies: list[float] = []
    stop = threading.Event()

    def chat() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            ben.predict("How often should I meet my mentor?", None, api_name="/chat")
            latencies.append(time.perf_counter() - started)

    chatter = threading.Thread(target=chat)
    chatter.start()
    took = {}
    try:
        for name, data in (("bomb.pdf", pdf_bomb()), ("alias.md", alias_bomb(7))):
            path = write(tmp_path, name, data)
            started = time.perf_counter()
            with pytest.raises(AppError, match=f"{TOO_LONG}|anchors or aliases"):
                ana.predict(handle_file(str(path)), api_name="/upload")
            took[name] = time.perf_counter() - started
    finally:
        stop.set()
        chatter.join()
    assert took["bomb.pdf"] < 5 and took["alias.md"] < 5, took  # the bar
    assert len(latencies) >= 3 and statistics.median(latencies) < 1, latencies
    assert coach.mentee("ana").documents() == []


# --- ingest that queues ---------------------------------------------------------------
NOTE = b"## Zoo pay\n\nZebra keepers ask for a quarterly review of their feeding pay."


def upload_files(coach, user: str) -> list[Path]:
    folder = coach.settings.home / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file() and user[:3] in str(p))


def test_upload_waits_for_the_writer(fake_coach):
    import threading

    held = threading.Event()

    def hold() -> None:  # another upload, busy writing
        with fake_coach._library_writer():
            held.set()
            time.sleep(0.8)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    stages: list[str] = []
    try:
        started = time.perf_counter()
        result = fake_coach.upload("ana", "zoo.md", NOTE, progress=lambda s, *_: stages.append(s))
        waited = time.perf_counter() - started
    finally:
        holder.join()
    assert result.chunks_total >= 1 and waited >= 0.5
    assert "waiting for 1 other upload" in stages
    assert [d["filename"] for d in fake_coach.mentee("ana").documents()] == ["zoo.md"]


def test_upload_gives_up_after_the_bounded_wait_and_leaves_nothing(fake_coach):
    from tests.test_bad_input import counts

    coach = type(fake_coach)(
        fake_coach.settings.model_copy(update={"upload_wait_seconds": 0.3}),
        embedder=fake_coach.embedder,
    )
    before = counts(coach)
    with coach.store.write_lock():
        started = time.perf_counter()
        with pytest.raises(CoachError, match="busy with other uploads") as err:
            coach.upload("ana", "zoo.md", NOTE)
        assert 0.3 <= time.perf_counter() - started < 2
    assert ".lock" not in str(err.value) and str(coach.settings.home) not in str(err.value)
    assert counts(coach) == before and coach.mentee("ana").documents() == []
    assert upload_files(coach, "ana") == []


def test_a_failed_upload_leaves_no_file_and_no_chunks(fake_coach, monkeypatch):
    from coach.mentee import MenteeData
    from tests.test_bad_input import counts

    before = counts(fake_coach)

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(MenteeData, "add_document", broken)
    with pytest.raises(OSError):
        fake_coach.upload("ana", "zoo.md", NOTE)
    assert upload_files(fake_coach, "ana") == []
    assert counts(fake_coach) == before


def test_a_failed_replacement_puts_the_old_version_back(fake_coach, monkeypatch):
    from coach.mentee import MenteeData

    first = fake_coach.upload("ana", "zoo.md", NOTE)
    ids = fake_coach.store.ids_for_path(str(first.path.resolve()))
    monkeypatch.setattr(MenteeData, "add_document", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        fake_coach.upload("ana", "zoo.md", b"## Other\n\nSomething else entirely about otters.")
    assert first.path.read_bytes() == NOTE
    assert fake_coach.store.ids_for_path(str(first.path.resolve())) == ids
    assert upload_files(fake_coach, "ana") == [first.path]


def test_twelve_concurrent_uploads_from_two_users_all_succeed(two_users, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client, handle_file

    coach, url = two_users
    clients = {
        "ana": Client(url, auth=("ana", "pw-a"), verbose=False),
        "ben": Client(url, auth=("ben", "pw-b"), verbose=False),
    }
    jobs = []
    for i in range(12):
        user = ("ana", "ben")[i % 2]
        path = write(
            tmp_path,
            f"{user}-note-{i}.md",
            f"## Note {i}\n\nKeeper {i} asks the otter council about pay rise number {i}.".encode(),
        )
        jobs.append((user, path))

    def send(job):
        user, path = job
        return clients[user].predict(handle_file(str(path)), api_name="/upload")[0]

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(send, jobs))
    assert all(s.startswith("Added **") for s in statuses), statuses
    assert len(coach.mentee("ana").documents()) == 6 and len(coach.mentee("ben").documents()) == 6
    assert len(upload_files(coach, "ana")) == 6 and len(upload_files(coach, "ben")) == 6


# --- quoted text is inert -------------------------------------------------------------
def pixel_document(pixel: str) -> bytes:
    """A document that tries to make the chat load a tracking pixel from every place
    where its text is shown: title, heading, body, a reference image and raw HTML."""
    return (
        f"---\ntitle: 'Otter pay ![]({pixel}/title.png) guide'\n---\n"
        f"## Otter pay reviews ![]({pixel}/heading.png)\n\n"
        f"Otter keepers negotiate pay with a quarterly review of feeding ![]({pixel}/body.png) "
        f"schedules and pay together.\n"
        f"Otter keepers ask for a [pay review]({pixel}/link) after ![x][ref] each season.\n"
        f'Otter keepers bring <img src="{pixel}/html.png"> notes to every pay review.\n'
        f"[ref]: {pixel}/ref.png\n"
    ).encode()


def rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def test_inert_markdown_reads_the_same_and_renders_no_image():
    from coach.text import inert_markdown

    text = "See ![](http://x/p.png) and [a](http://x) <img src=http://x/i> [1] [2][3] [4]: y"
    html = rendered(inert_markdown(text))
    assert "<img" not in html and "<a " not in html and "http://x" in html
    assert "[1] [2][3] [4]: y" in html  # citation markers read as they were


def test_no_remote_image_reaches_the_chat(two_users, tmp_path):
    from gradio_client import Client, handle_file

    coach, url = two_users
    pixel = "http://127.0.0.1:9/pixel"
    ana = Client(url, auth=("ana", "pw-a"), verbose=False)
    path = write(tmp_path, "otters.md", pixel_document(pixel))
    ana.predict(handle_file(str(path)), api_name="/upload")
    chat, _, _ = ana.predict("How do otter keepers negotiate pay?", None, api_name="/chat")
    bubble = chat[-1]["content"]
    bubble = bubble if isinstance(bubble, str) else " ".join(p.get("text", "") for p in bubble)
    assert "Otter" in bubble and "otters.md" in bubble  # the upload was cited, in a chip
    html = rendered(bubble)
    assert "<img" not in html and "<a " not in html, html
    restored = ana.predict(api_name="/load")[1][-1]["content"]
    restored = restored if isinstance(restored, str) else restored[0].get("text", "")
    assert "<img" not in rendered(restored)


# --- the HTTP surface -----------------------------------------------------------------
def test_security_headers_and_logout_by_post(two_users):
    import httpx

    _, url = two_users
    page = httpx.get(url)
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: blob:" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"

    with httpx.Client(base_url=url) as ana:
        signed_in = ana.post("login", data={"username": "ana", "password": "pw-a"})
        assert signed_in.status_code == 200 and ana.cookies
        assert ana.get("logout", follow_redirects=False).status_code == 405
        forged = ana.post(
            "logout", headers={"Origin": "http://evil.example"}, follow_redirects=False
        )
        assert forged.status_code == 403
        assert ana.get("config").status_code == 200  # still signed in
        host = url.split("//", 1)[1].rstrip("/")
        out = ana.post("logout", headers={"Origin": f"http://{host}"}, follow_redirects=False)
        assert out.status_code == 302
        assert ana.get("config").status_code == 401  # the cookie was cleared


# --- small things ---------------------------------------------------------------------
def test_non_ascii_names_are_kept_apart_and_never_overwrite(fake_coach):
    from coach.library import safe_name

    names = [
        "résumé.md",
        "resume.md",
        "履歴書.md",
        "日記.md",
        "резюме.md",
        "notes?.md",
        "notes!.md",
    ]
    stored = [safe_name(n) for n in names]
    assert len(set(stored)) == len(names) and all(s.isascii() for s in stored), stored
    assert (
        safe_name("résumé.md").startswith("resume-") and safe_name("my-notes.md") == "my-notes.md"
    )
    for i, name in enumerate(names):
        fake_coach.upload(
            "ana", name, f"## Note {i}\n\nOtter keeper {i} asks for a review.".encode()
        )
    listed = sorted(d["filename"] for d in fake_coach.mentee("ana").documents())
    assert listed == sorted(names)  # shown as the user named them
    assert len(upload_files(fake_coach, "ana")) == len(names)
    fake_coach.upload("ana", "履歴書.md", b"## Again\n\nThe same name again updates its file.")
    assert len(fake_coach.mentee("ana").documents()) == len(names)


def test_web_messages_name_no_server_path(settings, fake_embedder, docs):
    from types import SimpleNamespace

    from coach.errors import StoreError
    from coach.facade import Coach
    from coach.web import WebApp, friendly

    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([docs])
    web = WebApp(coach)
    home = str(settings.home)

    def broken(*_args, **_kwargs):
        raise StoreError(f"the database {home}/coach.db failed: disk I/O error")

    coach.upload = broken  # type: ignore[method-assign]
    upload = friendly(web.upload)
    note = settings.home / "note.md"
    note.write_text("## Note\n\nText.")
    with pytest.raises(Exception) as err:
        upload(str(note), SimpleNamespace(username=None))
    assert home not in str(err.value) and "storage is not available" in str(err.value)


# --- session state belongs to its user -------------------------------------------------
def run_event(client, fn_index: int, data: list, session_hash: str) -> dict:
    """Call an event the raw way a browser does, hidden ones included: join the queue,
    then read the event stream until the result."""
    import json

    joined = client.post(
        "gradio_api/queue/join",
        json={"data": data, "fn_index": fn_index, "session_hash": session_hash},
    )
    assert joined.status_code == 200, joined.text
    with client.stream(
        "GET", "gradio_api/queue/data", params={"session_hash": session_hash}, timeout=30
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the event never completed")


def test_a_foreign_session_hash_reads_nothing(engine_settings, fake_embedder, docs):
    import httpx
    from gradio_client import Client

    from coach.facade import Coach
    from tests.conftest import serve_app
    from tests.test_prep import BANK

    (docs / "bank.md").write_text(BANK)
    coach = Coach(
        engine_settings.model_copy(update={"auth": "ana:pw-a,ben:pw-b"}), embedder=fake_embedder
    )
    coach.ingest([docs])
    app, url = serve_app(coach)
    try:
        export_prep = next(i for i, fn in app.fns.items() if fn.name == "export_prep")
        ana = Client(url, auth=("ana", "pw-a"), verbose=False)
        ana.predict("get promoted", [], "", "45", "", api_name="/prep")
        ana.predict("How often should I meet my mentor?", None, api_name="/chat")
        with httpx.Client(base_url=url) as ana_http, httpx.Client(base_url=url) as ben:
            ana_http.post("login", data={"username": "ana", "password": "pw-a"})
            ben.post("login", data={"username": "ben", "password": "pw-b"})
            # Ben, with Ana's session: the hidden export event reads nothing of hers.
            stolen = run_event(ben, export_prep, [None, "q1\nq2"], ana.session_hash)
            assert stolen["success"] is False
            assert "another sign-in" in stolen["output"]["error"]
            assert "meeting-prep" not in str(stolen["output"])
            # Ana, in her own session, still gets her export.
            own = run_event(ana_http, export_prep, [None, "q1\nq2"], ana.session_hash)
            assert own["success"] is True and "meeting-prep" in str(own["output"])
            # Deep links would copy her session's chat into a link: there are none.
            link = ben.get("gradio_api/deep_link", params={"session_hash": ana.session_hash})
            assert link.status_code == 404
    finally:
        app.close()


# --- the owner is part of a chunk's identity ------------------------------------------
def test_duplicate_uploads_each_get_their_own_passages(two_users, tmp_path):
    from gradio_client import Client, handle_file

    coach, url = two_users
    ana = Client(url, auth=("ana", "pw-a"), verbose=False)
    ben = Client(url, auth=("ben", "pw-b"), verbose=False)
    path = write(tmp_path, "plan.md", NOTE)
    first = ana.predict(handle_file(str(path)), api_name="/upload")[0]
    # The same name and text from another user: new passages of his own, which tells him
    # nothing about whether anyone else holds the text.
    second = ben.predict(handle_file(str(path)), api_name="/upload")[0]
    assert first == second and "(1 new)" in first, (first, second)
    chat, _, _ = ben.predict("How do zebra keepers ask for pay?", None, api_name="/chat")
    assert "plan.md" in str(chat)  # his own copy is his to retrieve
    ana_doc = coach.mentee("ana").documents()[0]["id"]
    ana.predict(ana_doc, api_name="/delete_document")
    chat, _, _ = ben.predict("How do zebra keepers ask for pay?", None, api_name="/chat")
    assert "plan.md" in str(chat)  # and stays his when hers is deleted


def test_a_version_5_index_gets_owners_in_its_ids_in_place(fake_coach, fake_embedder, settings):
    import json
    import sqlite3

    from coach.facade import Coach
    from coach.split import chunk_context, chunk_id
    from coach.types import Filters

    fake_coach.upload("ana", "zoo.md", NOTE)
    owned = {c.id for c in fake_coach.store.chunks().values() if c.owner == "ana"}
    everything = fake_coach.store.chunk_ids()
    # Put the index back as version 5 left it: owned chunks' ids without their owner.
    conn = sqlite3.connect(settings.index_db)
    rows = conn.execute(
        "SELECT id, source, title, section, summary, text FROM chunks WHERE owner = 'ana'"
    ).fetchall()
    old = {r[0]: chunk_id(r[1], chunk_context(r[2], r[3], r[4]), r[5]) for r in rows}
    assert set(old) == owned and not set(old.values()) & owned
    collection = fake_coach.store.collection
    got = collection.get(ids=list(old), include=["embeddings", "documents", "metadatas"])
    collection.upsert(
        ids=[old[i] for i in got["ids"]],
        embeddings=got["embeddings"],
        documents=got["documents"],
        metadatas=got["metadatas"],
    )
    collection.delete(ids=list(old))
    with conn:
        conn.executemany("UPDATE chunks SET id = ? WHERE id = ?", [(o, n) for n, o in old.items()])
        for path, ids in conn.execute("SELECT path, chunk_ids FROM files").fetchall():
            moved = json.dumps([old.get(i, i) for i in json.loads(ids)])
            conn.execute("UPDATE files SET chunk_ids = ? WHERE path = ?", (moved, path))
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'version'")
    conn.close()

    fake_embedder.encoded.clear()
    upgraded = Coach(settings, embedder=fake_embedder)
    assert upgraded.store.chunk_ids() == everything  # every upload kept, under its new id
    assert upgraded.store.vector_ids() == everything
    record = next(r for p, r in upgraded.store.files().items() if p.endswith("zoo.md"))
    assert set(record.chunk_ids) == owned
    answer = upgraded.ask("How do zebra keepers ask for pay?", filters=Filters(user="ana"))
    assert any(c.source.endswith("zoo.md") for c in answer.citations)
    again = upgraded.upload("ana", "zoo.md", NOTE)
    # Nothing re-embedded; the guides' phrasings and headings are embedded once, at the
    # first question.
    sections = upgraded.retriever.phrasings.sections.values()
    phrasings = {p for s in sections for p in s.phrasings} | {s.heading for s in sections}
    assert again.chunks_added == 0
    assert [t for t in fake_embedder.encoded if t not in phrasings] == []


# --- files belong to users ------------------------------------------------------------
def cached(name_part: str) -> list[Path]:
    from coach.library import gradio_cache

    return [p for p in gradio_cache().rglob(f"*{name_part}*") if p.is_file()]


def test_exports_and_uploads_reach_only_their_owner(engine_settings, fake_embedder, docs, tmp_path):
    import httpx
    from gradio_client import Client, handle_file

    from coach.facade import Coach
    from coach.library import owner_tag
    from tests.conftest import serve_app

    coach = Coach(
        engine_settings.model_copy(
            update={"auth": "ana:pw-a,ben:pw-b", "upload_rate_per_minute": 3}
        ),
        embedder=fake_embedder,
    )
    coach.ingest([docs])
    app, url = serve_app(coach)
    try:
        ana = Client(url, auth=("ana", "pw-a"), verbose=False)
        ana.predict("How often should I meet my mentor?", None, api_name="/chat")
        conv = ana.predict(api_name="/load")[0]["value"]
        ana.predict(conv, api_name="/export_conversation")
        (export,) = cached(f"conversation-{owner_tag('ana')}")
        link = f"gradio_api/file={export}"
        secret = write(tmp_path, "ana-secret-plan.md", NOTE)
        ana.predict(handle_file(str(secret)), api_name="/upload")
        assert cached("ana-secret-plan") == []  # Gradio's copy is gone once it is read

        with httpx.Client(base_url=url) as ana_http, httpx.Client(base_url=url) as ben:
            ana_http.post("login", data={"username": "ana", "password": "pw-a"})
            ben.post("login", data={"username": "ben", "password": "pw-b"})
            assert ana_http.get(link).status_code == 200
            assert "meet your mentor" in ana_http.get(link).text.lower()
            assert ben.get(link).status_code == 404
            # The raw upload route: three files a minute per user, then "too many".
            codes = [
                ben.post("gradio_api/upload", files={"files": ("x.md", b"x")}).status_code
                for _ in range(4)
            ]
            assert codes == [200, 200, 200, 429], codes
            assert (
                ana_http.post("gradio_api/upload", files={"files": ("y.md", b"y")}).status_code
                == 200
            )  # the limit is per user
            # Only the library's file types: anything else is refused and not kept.
            refused = ana_http.post("gradio_api/upload", files={"files": ("run.exe", b"MZ")})
            assert refused.status_code == 415 and ".pdf" in refused.text
            assert not list(Path(os.environ["GRADIO_TEMP_DIR"]).rglob("run.exe"))

        ana.predict(conv, api_name="/delete_conversation")
        assert not export.exists()  # deleting the conversation removes its served copy
    finally:
        app.close()


def test_forget_removes_the_served_copies(fake_coach, monkeypatch, tmp_path):
    from coach import maintenance
    from coach.library import export_name

    cache = tmp_path / "gradio-cache"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    (cache / "a1").mkdir(parents=True)
    (cache / "b2").mkdir()
    mine = cache / "a1" / export_name("ana", "meeting-prep")
    theirs = cache / "b2" / export_name("ben", "conversation")
    mine.write_text("ana's prep")
    theirs.write_text("ben's chat")
    fake_coach.upload("ana", "zoo.md", NOTE)
    report = maintenance.forget_user(fake_coach.store, fake_coach.db, fake_coach.settings, "ana")
    assert report.files >= 2 and not mine.exists() and theirs.exists()

"""End-to-end in a real browser: Playwright driving Debian's chromium against the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coach.facade import Coach
from coach.mentee import export_feedback
from tests.conftest import serve_app
from tests.test_prep import BANK

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install chromium (make test does: apt-get install chromium)"
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def app_url(settings, fake_embedder, docs):
    (docs / "bank.md").write_text(BANK)
    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([docs])
    app, url = serve_app(coach)
    yield coach, url
    app.close()


ANSWERED = (
    "n => { const b = [...document.querySelectorAll('[data-testid=bot]')];"
    " return b.length >= n && b[b.length - 1].querySelector('.chip') !== null; }"
)


def wait_for_answer(page, answers: int = 1) -> str:
    """Wait until the chat holds `answers` answers, the last with its source chips."""
    page.wait_for_function(ANSWERED, arg=answers, timeout=30_000)
    return page.locator("[data-testid=bot]").last.inner_text()


def ask(page, question: str) -> str:
    answers = page.locator("[data-testid=bot]").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    return wait_for_answer(page, answers + 1)


def last_chips(page):
    return page.locator("[data-testid=bot]").last.locator(".chip")


def test_ask_open_source_feedback_reload(browser, app_url):
    coach, url = app_url
    page = browser.new_page()
    page.goto(url)
    page.locator("#question textarea").wait_for()
    text = ask(page, "How often should I meet my mentor?")
    assert "[1]" in text
    page.screenshot(path=str(SHOTS / "chat-answer.png"), full_page=True)

    # Open a source chip: the full passage is revealed on expand.
    source = last_chips(page).first
    source.locator("summary").click()
    passage = source.locator(".passage")
    passage.wait_for(state="visible")
    assert "three to four weeks" in passage.inner_text()

    # Feedback: a thumbs-up with a comment is stored with its turn.
    page.locator("#feedback-comment textarea").fill("clear and short")
    page.locator("[data-testid=bot]").last.hover()
    page.get_by_label("Like").last.click()
    page.wait_for_function(
        "() => document.body.innerText.includes('Feedback saved')", timeout=15_000
    )
    rows = export_feedback(coach.db)
    assert rows and rows[-1]["rating"] == 1 and rows[-1]["comment"] == "clear and short"

    # Reload: the conversation comes back.
    page.reload()
    page.locator("[data-testid=bot]").first.wait_for(timeout=30_000)
    assert "[1]" in page.locator("[data-testid=bot]").last.inner_text()
    page.screenshot(path=str(SHOTS / "chat-reloaded.png"), full_page=True)
    page.close()


def test_meeting_prep_and_download(browser, app_url):
    _, url = app_url
    page = browser.new_page()
    page.goto(url)
    page.get_by_role("tab", name="Meeting prep").click()
    page.locator("#prep-goals textarea").fill("get better feedback on my work")
    page.locator("#prep-notes textarea").fill("- [ ] Draft my plan\nShould I ask for a review?")
    page.locator("#prep-minutes").get_by_text("30").click()
    page.locator("#prep-when textarea").fill("2026-12-15 14:30")
    page.locator("#prepare").click()
    page.wait_for_function(
        "() => document.querySelector('#agenda') && "
        "document.querySelector('#agenda').innerText.includes('Review of last meeting')",
        timeout=30_000,
    )
    agenda = page.locator("#agenda").inner_text()
    assert "Agenda (30 minutes)" in agenda and "Draft my plan" in agenda
    assert "Open question: Should I ask for a review?" in agenda and "–30 min)" in agenda
    questions = page.locator("#prep-questions textarea").input_value()
    assert 5 <= len([q for q in questions.splitlines() if q.strip()]) <= 8
    email = page.locator("#prep-email textarea").input_value()
    assert email.startswith("Subject: Agenda for our next mentoring meeting (Tue 15 Dec, 14:30)")
    page.screenshot(path=str(SHOTS / "prep.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#prep-download").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("# Meeting prep") and questions.splitlines()[0] in text
    with page.expect_download() as download:
        page.locator("#prep-ics").click()
    assert download.value.suggested_filename.endswith(".ics")
    cal = Path(download.value.path()).read_bytes().decode()
    assert cal.startswith("BEGIN:VCALENDAR\r\n") and "DTSTART:20261215T143000" in cal
    page.close()


def zoo_pay(animal: str) -> str:
    return (
        f"{animal} keepers negotiate salary by bringing a record of their feeding schedules "
        "to the quarterly review."
    )


def zoo_document(folder: Path, kind: str) -> tuple[Path, str]:
    """A note as Markdown, or as a Word file whose title is in its properties."""
    if kind == "md":
        note = folder / "zoo-notes.md"
        note.write_text(f"## Zoo pay\n\n{zoo_pay('Zebra')}")
        return note, "Zoo Notes"
    import docx

    d = docx.Document()
    d.core_properties.title = "Keepers' handbook"
    d.add_heading("Zoo pay", 1)
    d.add_paragraph(zoo_pay("Okapi"))
    note = folder / "Handbook_FINAL_v3.docx"
    d.save(str(note))
    return note, "Keepers' handbook"


@pytest.mark.parametrize("kind", ["md", "docx"])
def test_upload_is_cited(browser, app_url, tmp_path, kind):
    _, url = app_url
    note, title = zoo_document(tmp_path, kind)
    page = browser.new_page()
    page.goto(url)
    page.get_by_role("tab", name="My library").click()
    page.locator("#upload input[type=file]").set_input_files(str(note))
    page.wait_for_function(
        f"() => document.body.innerText.includes('Added {note.name}')", timeout=30_000
    )
    page.get_by_role("tab", name="Chat").click()
    ask(page, f"How do {'zebra' if kind == 'md' else 'okapi'} keepers negotiate salary?")
    assert title in last_chips(page).first.inner_text()
    assert note.name in last_chips(page).first.text_content()
    page.screenshot(path=str(SHOTS / f"upload-cited-{kind}.png"), full_page=True)
    page.close()


def login(page, url: str, user: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#question textarea").wait_for(timeout=30_000)


def test_sign_in_page_says_to_wait_when_locked(browser, settings, fake_embedder):
    from coach.accounts import AccountStore

    coach = Coach(settings.model_copy(update={"signin_max_failures": 3}), embedder=fake_embedder)
    AccountStore(coach.db).add("ana", "correct horse battery staple")
    app, url = serve_app(coach)
    page = browser.new_page()
    try:
        for _ in range(3):
            page.goto(url)
            page.get_by_label("username").fill("ana")
            page.get_by_label("password").fill("a wrong guess")
            page.get_by_role("button", name="Sign in").click()
            page.locator("[role=alert]").wait_for(timeout=30_000)
        assert "Wait 15 minutes" in page.locator("[role=alert]").inner_text()
        page.get_by_label("password").fill("correct horse battery staple")
        page.get_by_role("button", name="Sign in").click()
        page.locator("[role=alert]").wait_for(timeout=30_000)
        assert "Too many failed sign-ins" in page.locator("[role=alert]").inner_text()
        assert page.locator("#question").count() == 0  # still outside the app
        page.screenshot(path=str(SHOTS / "sign-in-locked.png"), full_page=True)
    finally:
        page.close()
        app.close()


def test_two_users_cannot_see_each_other(browser, settings, fake_embedder, docs):
    coach = Coach(settings.model_copy(update={"auth": "ana:pw-a,ben:pw-b"}), embedder=fake_embedder)
    coach.ingest([docs])
    app, url = serve_app(coach)
    try:
        ana = browser.new_context().new_page()
        login(ana, url, "ana", "pw-a")
        ask(ana, "How long should a mentoring meeting last?")
        ben = browser.new_context().new_page()
        login(ben, url, "ben", "pw-b")
        ben.wait_for_timeout(1000)  # let the page load restore whatever ben owns
        assert ben.locator("[data-testid=bot]").count() == 0
        assert "How long should" not in ben.locator("#conversations").inner_text()
        ben.screenshot(path=str(SHOTS / "second-user.png"), full_page=True)
        ana.reload()
        ana.locator("[data-testid=bot]").first.wait_for(timeout=30_000)
        assert "How long should" in ana.locator("#conversations").inner_text()
    finally:
        app.close()


XSS_DOC = (
    "## Feedback on the zebra project\n\n"
    'Ask your mentor for feedback on the zebra project <img src=x onerror="window.__xss=1"> '
    "every month, and write down one change to try.\n\n"
    "<script>window.__xss = 2</script>\n\n"
    "Share the [zebra plan](javascript:window.__xss=3) with your mentor before the meeting.\n"
)


def test_xss_in_a_document_is_rendered_as_text(browser, app_url, tmp_path):
    coach, url = app_url
    coach.upload("local", "zebra.md", XSS_DOC.encode())
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.locator("#question textarea").wait_for()
    ask(page, "How do I ask my mentor for feedback on the zebra project?")
    last_chips(page).first.locator("summary").click()
    for link in page.locator("[data-testid=bot] a").all():
        if "zebra" in link.inner_text():
            link.click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and not dialogs
    assert "onerror" in last_chips(page).first.text_content()  # shown as text, inert
    page.screenshot(path=str(SHOTS / "xss-inert.png"), full_page=True)
    page.close()


def test_uploads_are_not_served(app_url):
    import urllib.error
    import urllib.request

    coach, url = app_url
    result = coach.upload("local", "private.md", b"## Mine\n\nA private note about my goals.")
    for route in ("gradio_api/file=", "file="):
        try:
            with urllib.request.urlopen(f"{url}{route}{result.path}", timeout=10) as resp:
                body = resp.read()
            assert b"private note" not in body
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404)


def test_example_question_streams_into_an_empty_chat(browser, app_url):
    _, url = app_url
    page = browser.new_page()
    page.goto(url)
    example = page.get_by_text("How often should I meet my mentor?").first
    example.wait_for(timeout=30_000)
    # Record every distinct text the answer bubble shows while it streams.
    page.evaluate(
        """() => { window.__seen = new Set();
        new MutationObserver(() => { const b = [...document.querySelectorAll(
          '[data-testid=bot]')].pop(); if (b) window.__seen.add(b.innerText); })
        .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
    )
    example.click()
    wait_for_answer(page)
    seen = page.evaluate("[...window.__seen]")
    assert len(seen) >= 3, seen  # placeholder, growing answer, answer with sources
    assert "[1]" in page.locator("[data-testid=bot]").last.inner_text()
    page.close()


def test_a_tracking_pixel_in_a_document_is_never_fetched(browser, app_url):
    """The pixel is on a real server: the browser would fetch it if anything rendered it.
    The page's CSP must still let Gradio work (the answer appears, with no CSP errors)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from coach.mentee import LOCAL_USER
    from tests.test_hostile import pixel_document

    hits: list[str] = []

    class Pixel(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the handler's name is fixed by http.server)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pixel = f"http://127.0.0.1:{server.server_address[1]}/pixel"
    coach, url = app_url
    coach.upload(LOCAL_USER, "otters.md", pixel_document(pixel))
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    try:
        page.goto(url)
        page.locator("#question textarea").wait_for()
        text = ask(page, "How do otter keepers negotiate pay?")
        assert "Otter" in text and "[1]" in text
        srcs = page.eval_on_selector_all("[data-testid=bot] img", "els => els.map(e => e.src)")
        assert not [s for s in srcs if "/pixel" in s], srcs
        page.wait_for_timeout(500)
        assert hits == [], hits
        assert not [v for v in violations if "/pixel" not in v], violations
        page.screenshot(path=str(SHOTS / "chat-pixel-inert.png"), full_page=True)
    finally:
        page.close()
        server.shutdown()


def test_sign_out_is_a_button_that_posts(browser, settings, fake_embedder, docs):
    coach = Coach(settings.model_copy(update={"auth": "ana:pw-a"}), embedder=fake_embedder)
    coach.ingest([docs])
    app, url = serve_app(coach)
    page = browser.new_page()
    try:
        page.goto(url)
        page.locator("input[type=text]").first.fill("ana")
        page.locator("input[type=password]").fill("pw-a")
        page.keyboard.press("Enter")
        page.locator("#sign-out").wait_for(timeout=30_000)
        page.get_by_text("Signed in as ana").wait_for(timeout=30_000)  # the name, shown
        page.locator("#sign-out").click()
        page.locator("input[type=password]").wait_for(timeout=30_000)  # back at sign-in
        assert page.goto(url + "logout").status == 405  # a link cannot sign anyone out
    finally:
        page.close()
        app.close()


# Real guides on meetings, for answers that come with suggested next questions (the
# suggestions are the built-in guides' own section questions).
MEETING_GUIDES = [
    "how-often-to-meet-your-mentor",
    "preparing-for-a-mentoring-meeting",
    "running-a-mentoring-meeting",
    "following-up-after-a-meeting",
    "receiving-feedback",
]
SIZES = {"phone": (390, 844), "desktop": (1440, 900)}


@pytest.fixture
def guides_url(settings, fake_embedder):
    from tests.conftest import CORPUS

    coach = Coach(settings, embedder=fake_embedder)
    coach.ingest([CORPUS / "guides" / f"{name}.md" for name in MEETING_GUIDES])
    app, url = serve_app(coach)
    yield url
    app.close()


def overflow(page) -> int:
    """How far the page is wider than the window, in CSS pixels."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def in_view(page, locator) -> bool:
    """The element is inside both the window and the chat's scrolled area."""
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect();
        let box = el.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight + 1 &&
               getComputedStyle(box).overflowY !== 'visible')) box = box.parentElement;
        const area = box ? box.getBoundingClientRect() : {top: 0, bottom: innerHeight};
        return r.top >= Math.max(0, area.top) - 1 && r.top < Math.min(innerHeight, area.bottom);
        }"""
    )


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_chat_view_fits_and_suggestions_send(browser, guides_url, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(guides_url)
        page.locator("#question textarea").wait_for(timeout=30_000)
        text = ask(page, "How often should I meet my mentor?")
        assert "[1]" in text

        # The chat takes most of the window, and the question stays in view with its answer.
        chat_box = page.locator("#chatbot").bounding_box()
        assert chat_box and chat_box["height"] >= 0.45 * height, chat_box
        assert in_view(page, page.locator("[data-testid=user]").last)

        # Sources are chips, one per section; a chip opens to its passage.
        chips = last_chips(page)
        labels = [c.locator("summary").inner_text() for c in chips.all()]
        assert labels and len({lbl.split("]", 1)[-1] for lbl in labels}) == len(labels)
        chips.first.locator("summary").click()
        passage = chips.first.locator(".passage").first
        passage.wait_for(state="visible")
        assert len(passage.inner_text()) > 40
        page.screenshot(path=str(SHOTS / f"chat-{size}.png"))

        # Two or three suggested questions; clicking one asks it.
        suggestions = page.locator("#suggestions button:visible")
        assert 2 <= suggestions.count() <= 3
        picked = suggestions.first.inner_text().strip()
        assert picked.endswith("?")
        suggestions.first.click()
        second = wait_for_answer(page, 2)
        assert page.locator("[data-testid=user]").last.inner_text().strip() == picked
        assert "[1]" in second and last_chips(page).count() >= 1
        assert in_view(page, page.locator("[data-testid=user]").last)
        assert overflow(page) <= 0, f"{overflow(page)} px wider than the window"
        page.screenshot(path=str(SHOTS / f"chat-suggestion-{size}.png"))

        # Topic names read as words, not slugs.
        page.get_by_role("tab", name="Meeting prep").click()
        topics = page.locator("#prep-topics")
        topics.wait_for()
        assert "Mentor time" in topics.inner_text() and "mentor-time" not in topics.inner_text()
        assert overflow(page) <= 0
        page.screenshot(path=str(SHOTS / f"prep-{size}.png"), full_page=True)
    finally:
        context.close()


def test_suggestions_are_hidden_without_an_answer(browser, guides_url):
    page = browser.new_page()
    try:
        page.goto(guides_url)
        page.locator("#question textarea").wait_for(timeout=30_000)
        assert page.locator("#suggestions button:visible").count() == 0
        ask(page, "How often should I meet my mentor?")
        assert page.locator("#suggestions button:visible").count() >= 2
        page.locator("#new-conversation").click()
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=bot]').length === 0", timeout=30_000
        )
        page.wait_for_timeout(300)
        assert page.locator("#suggestions button:visible").count() == 0
    finally:
        page.close()

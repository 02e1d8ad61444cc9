"""The browser coach: streaming cited chat, profile, meeting prep, action items,
saved conversations, feedback and a personal library.

UI code only calls the facade and formats what it returns. Every handler works out the
user from the request (the signed-in name, or one local user when sign-in is off), so no
event can reach another user's data.
"""

import contextlib
import html
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from coach.accounts import SignIn
from coach.errors import BadInputError, CoachError, StoreError
from coach.facade import Coach
from coach.library import ALLOWED, EXPORT_NAME, gradio_cache, owner_tag, remove_cached_exports
from coach.mentee import LOCAL_USER, MenteeData, Message, Profile
from coach.settings import Settings
from coach.share import to_email, to_ics, to_markdown
from coach.text import inert_markdown
from coach.types import Answer, Citation, Prep, Suggestion

EXAMPLES = [
    "How often should I meet my mentor?",
    "How do I ask someone to be my mentor?",
    "My mentor's feedback stung. What now?",
    "How do I prepare for my first meeting with a mentor?",
]
NEW_CONVERSATION = "New conversation"
SUGGESTION_BUTTONS = 3  # suggested next questions shown under an answer
SESSIONS_KEPT = 10_000  # session owners remembered; the oldest are forgotten first
PROFILE_USE = (
    "Your **career stage** ranks guides written for that stage a little higher in answers "
    "and meeting prep (a nudge, not a filter). Your **goals** fill in meeting prep when you "
    "leave its goals empty. Your open **action items** open the prep agenda."
)
CSS = """
.sources details { margin: 0.3em 0; }
.sources summary { cursor: pointer; }
.sources .passage { white-space: pre-wrap; font-size: 0.92em; opacity: 0.9; }
/* The chat fills the window under the header and the question box. */
#chatbot { height: calc(100dvh - 320px) !important; min-height: 300px; }
.chips { display: flex; flex-wrap: wrap; gap: 0.35em; margin-top: 0.5em; }
.chip {
  max-width: 100%; min-width: 0; border: 1px solid var(--border-color-primary);
  border-radius: 999px; padding: 0.15em 0.75em; font-size: 0.85em;
  background: var(--background-fill-secondary);
}
.chip summary {
  cursor: pointer; list-style: none; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; max-width: 24em;
}
.chip summary::-webkit-details-marker { display: none; }
.chip[open] { flex-basis: 100%; border-radius: 0.6em; }
.chip[open] summary { white-space: normal; max-width: none; }
.chip-body { display: block; padding: 0.3em 0; overflow-wrap: anywhere; }
.chip .passage { display: block; white-space: pre-wrap; margin: 0.3em 0; opacity: 0.9; }
#suggestions { gap: 0.4em; flex-wrap: wrap; }
#suggestions .suggestion {
  flex: 1 1 14em; min-width: 0 !important; white-space: normal; text-align: left;
}
#chatbot .message-wrap, #chatbot .message { overflow-wrap: anywhere; }
/* A phone: the chat first, the conversation list under it. */
@media (max-width: 720px) {
  #chat-column { order: -1; }
  #tagline { display: none; }
  #chatbot { height: calc(100dvh - 330px) !important; }
  .chip summary { max-width: 15em; }
}
"""


# Gradio's autoscroll follows the bottom of a growing answer, which pushes its question out
# of sight. Instead, each new question is scrolled to the top of the chat once, and its
# answer grows under it.
JS = """
() => {
  let asked = 0;
  const scroller = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box).overflowY;
      if (box.scrollHeight > box.clientHeight + 1 && (style === "auto" || style === "scroll"))
        return box;
    }
    return null;
  };
  new MutationObserver(() => {
    const questions = document.querySelectorAll("#chatbot [data-testid=user]");
    if (questions.length === asked) return;
    const grew = questions.length > asked;
    asked = questions.length;
    const last = questions[questions.length - 1];
    const box = last && grew ? scroller(last) : null;
    if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top;
  }).observe(document.body, { childList: true, subtree: true });
}
"""


# --- pure formatting (tested without a browser) -----------------------------------------
def citation_list(citations: list[dict[str, Any]]) -> str:
    """One line per source: its number, then its title and section as plain text."""
    lines = []
    for c in citations:
        where = f"{c['title']} — {c['section']}" if c.get("section") else c["title"]
        lines.append(f"[{c['n']}] {inert_markdown(' '.join(str(where).split()))}")
    return "\n".join(lines)


def same_sections(citations: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The citations grouped by title and section, in order: one chip per section, however
    many of its passages an answer quotes."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in citations:
        key = (" ".join(str(c["title"]).split()), " ".join(str(c.get("section", "")).split()))
        groups.setdefault(key, []).append(c)
    return list(groups.values())


def _one_line(text: str) -> str:
    # Markdown ends an HTML block at a blank line: the chips stay on one line.
    return html.escape(text).replace("\n", "<br>")


def source_chips(citations: list[dict[str, Any]]) -> str:
    """The sources of one answer as compact chips; a chip opens to its passage. Everything
    from a document is escaped, so it shows as written and can never become HTML."""
    chips = []
    for group in same_sections(citations):
        first = group[0]
        marks = "".join(f"[{c['n']}]" for c in group)
        section = " ".join(str(first.get("section", "")).split())
        title = " ".join(str(first["title"]).split())
        label = f"{title} · {section}" if section else title
        passages = "".join(
            f'<span class="passage">{_one_line(c.get("passage") or c.get("snippet", ""))}</span>'
            for c in group
        )
        chips.append(
            f'<details class="chip" data-testid="source-{first["n"]}">'
            f'<summary title="{html.escape(label)}"><b>{marks}</b> {html.escape(label)}</summary>'
            f'<span class="chip-body">{passages}'
            f"<small>{html.escape(str(first['source']))}</small></span></details>"
        )
    return f'<div class="chips" data-testid="sources">{"".join(chips)}</div>'


def chat_text(answer_text: str, citations: list[dict[str, Any]], note: str = "") -> str:
    """What the chat bubble shows: the answer, a note on how it was made (if any), then its
    sources as chips. Quoted text (the answer quotes documents) is made inert: it shows as
    written but can never become an image, a link or HTML."""
    answer_text = inert_markdown(answer_text)
    if note:
        answer_text = f"{answer_text}\n\n_{inert_markdown(note)}_"
    if not citations:
        return answer_text
    return f"{answer_text}\n\n{source_chips(citations)}"


def sources_html(citations: list[dict[str, Any]]) -> str:
    """The sources panel: title, section and snippet; the full passage on expand."""
    if not citations:
        return "_Sources for the latest answer appear here._"
    parts = ['<div class="sources">']
    for c in citations:
        where = html.escape(c["title"]) + (
            f" — {html.escape(c['section'])}" if c.get("section") else ""
        )
        parts.append(
            f'<details data-testid="source-{c["n"]}"><summary><b>[{c["n"]}]</b> {where}'
            f"<br><i>{html.escape(c.get('snippet', ''))}</i></summary>"
            f'<div class="passage">{html.escape(c.get("passage", ""))}</div>'
            f"<small>{html.escape(c['source'])} · relevance {c.get('score', 0):.2f}</small>"
            "</details>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def to_chat(messages: list[Message]) -> list[dict[str, str]]:
    return [
        {
            "role": m.role,
            "content": chat_text(m.content, m.citations)
            if m.role == "assistant"
            else inert_markdown(m.content),
        }
        for m in messages
    ]


def topic_label(slug: str) -> str:
    """A readable name for a topic or stage slug: `mentor-time` is "Mentor time"."""
    words = slug.replace("_", "-").split("-")
    return " ".join([words[0].capitalize(), *words[1:]]) if slug else slug


def suggestion_buttons(suggestions: list[Suggestion]) -> list[Any]:
    """Updates for the suggestion buttons: the first few questions, the rest hidden."""
    texts = [s.text for s in suggestions][:SUGGESTION_BUTTONS]
    texts += [""] * (SUGGESTION_BUTTONS - len(texts))
    return [gr.update(value=t, visible=bool(t)) for t in texts]


def no_suggestions() -> list[Any]:
    return suggestion_buttons([])


def citations_json(citations: list[Citation]) -> list[dict[str, Any]]:
    return [c.to_json() for c in citations]


def prep_questions(prep: Prep) -> str:
    return "\n".join(q.text for q in prep.questions)


def prep_agenda(prep: Prep) -> str:
    """The timed agenda: each block with its minutes and the items to go through."""
    lines = [f"### Agenda ({prep.minutes} minutes)", ""]
    start = 0
    for i, item in enumerate(prep.agenda, 1):
        span = f"{start}–{start + item.minutes} min"
        start += item.minutes
        lines.append(
            f"{i}. **{inert_markdown(item.title)}** ({span}) — {inert_markdown(item.detail)}"
        )
        lines += [f"    - {inert_markdown(x)}" for x in item.items]
    lines += ["", "### Why these questions", ""]
    for i, q in enumerate(prep.questions, 1):
        refs = ", ".join(f"[{c.n}] {c.title}" for c in q.citations)
        lines.append(f"{i}. {inert_markdown(q.text)}  \n   <small>{inert_markdown(refs)}</small>")
    return "\n".join(lines)


def edited_prep_markdown(prep: Prep, edited_questions: str) -> str:
    """The export, with the mentee's own edits to the questions."""
    questions = [q.strip() for q in edited_questions.splitlines() if q.strip()]
    original = {q.text: q for q in prep.questions}
    from dataclasses import replace

    from coach.types import PrepQuestion

    edited = [original.get(q) or PrepQuestion(q, []) for q in questions]
    return to_markdown(replace(prep, questions=edited))


# --- HTTP hardening ----------------------------------------------------------------------
# Gradio's page needs inline scripts and styles, its own fonts, data: and blob: images and
# same-origin fetches and event streams. Nothing else is allowed: no remote image (a
# tracking pixel in a document could never load), no frames, no plugins, and no page may
# frame this one.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "media-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: security headers on every response; sign-out only by a
    same-origin POST (a GET, which any page can trigger with an image, is refused); an
    export served only to its owner; raw uploads limited per user and minute."""

    def __init__(self, app: Any, uploads_per_minute: int = 30) -> None:
        self.app = app
        self.uploads_per_minute = uploads_per_minute
        self._uploads: dict[str, list[float]] = {}
        self._uploads_lock = threading.Lock()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if "/gradio_api/file=" in path and not self._may_read(scope, path):
            await _plain(send, 404, b"Not found.")
            return
        uploading = path.rstrip("/").endswith("/gradio_api/upload") and scope["method"] == "POST"
        if uploading and not self._may_upload(scope):
            await _plain(send, 429, b"Too many uploads; wait a minute and try again.")
            return
        if uploading:
            await self._typed_upload(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith("/gradio_api/deep_link"):
            # Deep links copy a session's state into a link anyone signed in can open;
            # the coach has no use for them.
            await _plain(send, 404, b"Not found.")
            return
        if scope["path"].rstrip("/").endswith("/logout") or scope["path"] == "/logout":
            if scope["method"] != "POST":
                await _plain(send, 405, b"Sign out with the button on the page.", b"POST")
                return
            if not _same_origin(scope):
                await _plain(send, 403, b"Sign-out must come from this site.")
                return
            scope = {**scope, "method": "GET"}  # Gradio's own sign-out route is a GET

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _typed_upload(self, scope: dict, receive: Any, send: Any) -> None:
        """Gradio's raw upload route, kept to the library's file types: the files it
        stored are checked by name once it answers, and a request holding any other type
        is refused and its files removed from the cache."""
        from coach.library import ALLOWED

        start: dict = {}
        body = bytearray()

        async def hold(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            stored: list[str] = []
            if start.get("status") == 200:
                with contextlib.suppress(ValueError):
                    parsed = json.loads(bytes(body) or b"[]")
                    stored = [str(p) for p in parsed] if isinstance(parsed, list) else []
            if any(Path(p).suffix.lower() not in ALLOWED for p in stored):
                for p in stored:
                    Path(p).unlink(missing_ok=True)
                kinds = ", ".join(sorted(ALLOWED))
                await _plain(send, 415, f"Only {kinds} files can be uploaded.".encode())
                return
            headers = [*start.get("headers", []), *SECURITY_HEADERS]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": bytes(body)})

        await self.app(scope, receive, hold)

    def _may_read(self, scope: dict, path: str) -> bool:
        """An export (its name carries its owner's tag) goes to its owner only."""
        app = scope.get("app")
        name = path.rsplit("/", 1)[-1]
        match = EXPORT_NAME.match(name)
        if not match or not getattr(app, "auth", None):
            return True  # not an export, or one local user and no sign-in
        user = _signed_in(scope)
        return user is not None and owner_tag(user) == match.group(1)

    def _may_upload(self, scope: dict) -> bool:
        client = scope.get("client") or ("?", 0)
        who = _signed_in(scope) or f"address {client[0]}"
        now = time.monotonic()
        with self._uploads_lock:
            recent = [t for t in self._uploads.get(who, []) if now - t < 60]
            allowed = len(recent) < self.uploads_per_minute
            if allowed:
                recent.append(now)
            self._uploads[who] = recent
        return allowed


def _signed_in(scope: dict) -> str | None:
    """The user Gradio's sign-in cookie names, if any."""
    from http.cookies import SimpleCookie

    app = scope.get("app")
    tokens = getattr(app, "tokens", None) or {}
    cookie_id = getattr(app, "cookie_id", "")
    header = next((v for k, v in scope.get("headers", []) if k.lower() == b"cookie"), b"")
    jar = SimpleCookie()
    try:
        jar.load(header.decode("latin-1"))
    except Exception:  # a malformed cookie header: nobody is signed in
        return None
    for key in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if key in jar and jar[key].value in tokens:
            return str(tokens[jar[key].value])
    return None


def _same_origin(scope: dict) -> bool:
    from urllib.parse import urlsplit

    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: no cross-site request to forge
    return urlsplit(origin).netloc == headers.get("host", "")


async def _plain(send: Any, status: int, body: bytes, allow: bytes | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]
    if allow:
        headers.append((b"allow", allow))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def app_kwargs(settings: Settings | None = None) -> dict[str, Any]:
    """What `launch(app_kwargs=...)` needs for the hardening above."""
    from starlette.middleware import Middleware

    from coach.signin import SignInGate

    per_minute = settings.upload_rate_per_minute if settings else 30
    return {
        "middleware": [
            # Outermost: whoever a trusted proxy names is signed in before any check below.
            Middleware(SignInGate, security_headers=SECURITY_HEADERS),
            Middleware(SecurityHeaders, uploads_per_minute=per_minute),
        ]
    }


SIGN_OUT = (
    '<form method="post" action="logout" style="display:inline">'
    '<button type="submit" id="sign-out">Sign out</button></form>'
)


# --- the app ---------------------------------------------------------------------------
class WebApp:
    def __init__(self, coach_: Coach) -> None:
        self.coach = coach_
        self.settings: Settings = coach_.settings
        self.sign_in = SignIn(self.settings, coach_.db)
        # Gradio's `auth`: set whenever sign-in is on, so all its routes need a session.
        self.auth = self.sign_in.check if self.sign_in.required else None
        self._vocabulary: dict[str, list[str]] | None = None
        self._sessions: OrderedDict[str, str] = OrderedDict()  # session_hash -> user
        self._sessions_lock = threading.Lock()

    # Who is asking: the signed-in name, or the one local user.
    def user(self, request: gr.Request) -> str:
        """The signed-in user, checked against the browser session the request names.

        Gradio keeps per-session state (meeting prep, the chat's value) under a
        `session_hash` that a request merely states. The first user seen with a session
        owns it; a request naming it while signed in as someone else is refused, so no
        event, hidden ones included, can read another user's session state."""
        if not self.auth:
            return LOCAL_USER
        name = getattr(request, "username", None)
        if not name:
            raise BadInputError("Please sign in first.")
        session = getattr(request, "session_hash", None)
        if session:
            with self._sessions_lock:
                owner = self._sessions.setdefault(str(session), str(name))
                self._sessions.move_to_end(str(session))
                while len(self._sessions) > SESSIONS_KEPT:
                    self._sessions.popitem(last=False)
            if owner != str(name):
                raise BadInputError("This page belongs to another sign-in; please reload it.")
        return str(name)

    def data(self, request: gr.Request) -> MenteeData:
        return self.coach.mentee(self.user(request))

    def vocabulary(self) -> dict[str, list[str]]:
        if self._vocabulary is None:
            import yaml

            path = self.settings.corpus_dir / "topics.yaml"
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8"))
                self._vocabulary = {k: list(raw.get(k, {})) for k in ("topics", "stages")}
            except (OSError, AttributeError, yaml.YAMLError):
                self._vocabulary = {"topics": [], "stages": []}
        return self._vocabulary

    # --- conversations -----------------------------------------------------------------
    def conversation_choices(self, data: MenteeData) -> list[tuple[str, str]]:
        return [(c.title, c.id) for c in data.conversations()]

    def load_page(self, request: gr.Request):
        """On every page load (and reload) restore the user's latest state."""
        data = self.data(request)
        convs = data.conversations()
        conv_id = convs[0].id if convs else None
        messages = data.messages(conv_id) if conv_id else []
        profile = data.profile()
        who = f"Signed in as **{inert_markdown(data.user)}**." if self.auth else ""
        return (
            gr.update(choices=self.conversation_choices(data), value=conv_id),
            conv_id,
            to_chat(messages),
            profile.role,
            gr.update(value=profile.stage or None),
            "\n".join(profile.goals),
            self.profile_note(profile),
            self.actions_table(data),
            gr.update(choices=self.action_choices(data), value=None),
            self.documents_table(data),
            gr.update(choices=self.document_choices(data), value=None),
            "\n".join(profile.goals),
            who,
        )

    def open_conversation(self, conv_id: str | None, request: gr.Request):
        data = self.data(request)
        if not conv_id:
            return None, [], *no_suggestions(), ""
        messages = data.messages(conv_id)
        title = data.conversation(conv_id).title
        return conv_id, to_chat(messages), *no_suggestions(), title

    def new_conversation(self, request: gr.Request):
        data = self.data(request)
        conv = data.create_conversation(NEW_CONVERSATION)
        return (
            gr.update(choices=self.conversation_choices(data), value=conv.id),
            conv.id,
            [],
            *no_suggestions(),
            "",
        )

    def rename_conversation(self, conv_id: str | None, title: str, request: gr.Request):
        data = self.data(request)
        if not conv_id:
            raise BadInputError("Open a conversation first, then rename it.")
        data.rename(conv_id, title)
        return gr.update(choices=self.conversation_choices(data), value=conv_id)

    def delete_conversation(self, conv_id: str | None, request: gr.Request):
        data = self.data(request)
        if conv_id:
            data.delete(conv_id)
            remove_cached_exports(data.user)  # its exports go with it (others are remade)
        convs = data.conversations()
        nxt = convs[0].id if convs else None
        messages = data.messages(nxt) if nxt else []
        return (
            gr.update(choices=self.conversation_choices(data), value=nxt),
            nxt,
            to_chat(messages),
            *no_suggestions(),
            "",
        )

    def export_conversation(self, conv_id: str | None, request: gr.Request) -> str | None:
        data = self.data(request)
        if not conv_id:
            raise BadInputError("There is no conversation to export yet.")
        return self._write_export(data.user, "conversation", data.export_markdown(conv_id))

    def _write_export(self, user: str, kind: str, text: str) -> str:
        from coach.library import export_name, user_folder

        folder = user_folder(self.settings.home, user) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / export_name(user, kind)
        path.write_text(text, encoding="utf-8")
        return str(path)

    # --- chat --------------------------------------------------------------------------
    def send(self, message: str, conv_id: str | None, request: gr.Request) -> Iterator[tuple]:
        """Stream one turn of `Coach.chat` into the chat. The facade checks the text and
        saves the question first; this only renders what it yields."""
        data = self.data(request)
        shown = to_chat(data.messages(conv_id)) if conv_id else []
        events = self.coach.chat(data.user, conv_id, message or "")
        try:
            first = next(events)
        except CoachError as exc:  # nothing was stored; the box keeps the text to fix it
            gr.Warning(user_message(exc))
            yield shown, message, *no_suggestions(), gr.update(), conv_id
            return
        conv_id = first.conversation_id
        chat = [
            *shown,
            {"role": "user", "content": inert_markdown(" ".join((message or "").split()))},
            {"role": "assistant", "content": "…"},
        ]
        listed = gr.update(choices=self.conversation_choices(data), value=conv_id)
        yield chat, "", *no_suggestions(), listed, conv_id
        answer: Answer | None = None
        try:
            for event in events:
                if event.answer is not None:
                    answer = event.answer
                elif event.text:
                    chat[-1] = {"role": "assistant", "content": inert_markdown(event.text)}
                    yield chat, "", *no_suggestions(), gr.update(), conv_id
        except Exception as exc:  # the boundary: a message in the chat, never a traceback
            problem = (
                user_message(exc)
                if isinstance(exc, CoachError)
                else f"Something went wrong ({exc.__class__.__name__})."
            )
            chat[-1] = {"role": "assistant", "content": f"⚠️ {inert_markdown(problem)}"}
            yield chat, "", *no_suggestions(), gr.update(), conv_id
            return
        if answer is None:
            return
        cites = citations_json(answer.citations)
        chat[-1] = {"role": "assistant", "content": chat_text(answer.answer, cites, answer.note)}
        listed = gr.update(choices=self.conversation_choices(data), value=conv_id)
        yield chat, "", *suggestion_buttons(answer.suggestions), listed, conv_id

    def send_example(
        self, conv_id: str | None, request: gr.Request, example: gr.SelectData
    ) -> Iterator[tuple]:
        value = example.value
        text = value.get("text", "") if isinstance(value, dict) else str(value)
        yield from self.send(text, conv_id, request)

    def send_suggestion(
        self, suggestion: str, conv_id: str | None, request: gr.Request
    ) -> Iterator[tuple]:
        """A suggestion button sends its own text as the next question."""
        yield from self.send(suggestion, conv_id, request)

    def regenerate(self, conv_id: str | None, request: gr.Request) -> Iterator[tuple]:
        data = self.data(request)
        question = data.drop_last_answer(conv_id) if conv_id else None
        if not question:
            gr.Warning("There is no answer to regenerate yet.")
            yield gr.update(), "", *no_suggestions(), gr.update(), conv_id
            return
        yield from self.send(question, conv_id, request)

    def feedback(
        self, conv_id: str | None, comment: str, like: gr.LikeData, request: gr.Request
    ) -> tuple:
        """👍/👎 on an answer, with the optional comment typed beforehand."""
        data = self.data(request)
        if not conv_id:
            raise BadInputError("There is no answer to rate yet.")
        index = like.index[0] if isinstance(like.index, list | tuple) else like.index
        messages = data.messages(conv_id)
        if not 0 <= int(index) < len(messages) or messages[int(index)].role != "assistant":
            raise BadInputError("Only the coach's answers can be rated.")
        turn_id = messages[int(index)].turn_id
        if turn_id is None:
            raise BadInputError("That answer was not logged, so it cannot be rated.")
        liked = bool(like.liked) if not isinstance(like.liked, str) else like.liked == "Like"
        data.add_feedback(turn_id, 1 if liked else -1, comment or "")
        gr.Info("Thanks: your feedback was saved.")
        return "", f"Feedback saved: {'👍' if liked else '👎'}" + (
            f" — “{inert_markdown(comment.strip())}”" if comment and comment.strip() else ""
        )

    # --- profile and action items ------------------------------------------------------
    def profile_note(self, profile: Profile) -> str:
        if not (profile.role or profile.stage or profile.goals):
            return "_No profile yet. " + PROFILE_USE + "_"
        bits = []
        if profile.summary():
            bits.append(f"Answers are tailored to: **{inert_markdown(profile.summary())}**.")
        if profile.goals:
            bits.append("Goals: " + "; ".join(inert_markdown(g) for g in profile.goals) + ".")
        return " ".join(bits) + "\n\n" + PROFILE_USE

    def save_profile(self, role: str, stage: str | None, goals: str, request: gr.Request):
        data = self.data(request)
        stage = stage or ""
        if stage and stage not in self.vocabulary()["stages"]:
            raise BadInputError(f"Unknown career stage {stage!r}.")
        profile = data.save_profile(Profile(role, stage, goals.splitlines()))
        return self.profile_note(profile), "\n".join(profile.goals)

    def actions_table(self, data: MenteeData) -> list[list[Any]]:
        return [[a.text, a.due or "—", "done" if a.done else "open"] for a in data.actions()]

    def action_choices(self, data: MenteeData) -> list[tuple[str, int]]:
        return [
            (f"{a.text}" + (f" (due {a.due})" if a.due else ""), a.id)
            for a in data.actions(open_only=True)
        ]

    def add_action(self, text: str, due: str, request: gr.Request):
        data = self.data(request)
        data.add_action(text, due)
        return self.actions_table(data), gr.update(choices=self.action_choices(data)), "", ""

    def complete_action(self, action_id: int | None, request: gr.Request):
        data = self.data(request)
        if action_id is None:
            raise BadInputError("Choose an open action item first.")
        data.set_done(int(action_id))
        return self.actions_table(data), gr.update(choices=self.action_choices(data), value=None)

    # --- meeting prep ------------------------------------------------------------------
    def prepare(
        self,
        goals: str,
        topics: list[str],
        notes: str,
        minutes: Any,
        next_meeting: str,
        request: gr.Request,
    ):
        """Empty goals use the profile's; open action items and recent conversations are
        always carried into the agenda (the facade reads them for this user)."""
        data = self.data(request)
        goal_list = [g for g in (goals or "").splitlines() if g.strip()]
        try:
            length = int(minutes) if minutes else None
        except (TypeError, ValueError):
            raise BadInputError("Choose a meeting length: 30, 45 or 60 minutes.") from None
        prep = self.coach.prep(
            goal_list,
            notes=notes or "",
            topics=tuple(topics or ()),
            minutes=length,
            user=data.user,
            next_meeting=next_meeting or None,
        )
        questions = prep_questions(prep)
        path = self._write_export(data.user, "meeting-prep", to_markdown(prep))
        return (
            prep_agenda(prep),
            questions,
            to_email(prep),
            sources_html(citations_json(prep.citations)),
            gr.update(value=path, visible=True),
            gr.update(value=self._write_ics(data.user, prep), visible=True),
            prep,
        )

    def _write_ics(self, user: str, prep: Prep) -> str:
        from coach.library import export_name, user_folder

        folder = user_folder(self.settings.home, user) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / export_name(user, "meeting-prep", "ics")
        path.write_text(to_ics(prep), encoding="utf-8", newline="")  # RFC 5545: CRLF
        return str(path)

    def export_prep(self, prep: Prep | None, questions: str, request: gr.Request):
        data = self.data(request)  # first: the session's state is only read for its owner
        if prep is None:
            return gr.update()
        path = self._write_export(data.user, "meeting-prep", edited_prep_markdown(prep, questions))
        return gr.update(value=path, visible=True)

    # --- personal library --------------------------------------------------------------
    def documents_table(self, data: MenteeData) -> list[list[Any]]:
        return [
            [
                d["filename"],
                d["chunks"],
                time.strftime("%Y-%m-%d %H:%M", time.localtime(d["uploaded"])),
            ]
            for d in data.documents()
        ]

    def document_choices(self, data: MenteeData) -> list[tuple[str, int]]:
        return [(d["filename"], d["id"]) for d in data.documents()]

    def upload(self, file: Any, request: gr.Request, progress: Any = None):
        data = self.data(request)
        if not file:
            raise BadInputError("Choose a file to add.")
        path = Path(file if isinstance(file, str) else getattr(file, "name", ""))
        original = getattr(file, "orig_name", None) or path.name
        try:
            raw = path.read_bytes()
        except OSError:
            raise BadInputError("The upload could not be read; please try again.") from None
        finally:
            # Gradio's copy sits in a cache any signed-in user can fetch by URL: the coach
            # keeps its own copy, in the user's folder, and drops Gradio's at once.
            if gradio_cache().resolve() in path.resolve().parents:
                path.unlink(missing_ok=True)

        def report(stage: str, done: int, total: int) -> None:
            if progress is not None and total:
                desc = stage if stage.startswith("waiting") else f"{stage} {done}/{total}"
                progress(done / total, desc=desc)

        result = self.coach.upload(data.user, original, raw, progress=report)
        status = (
            f"Added **{inert_markdown(result.filename)}**: {result.chunks_total} passages "
            f"({result.chunks_added} new). Ask about it in the chat and it is cited like the "
            "guides."
        )
        return (
            status,
            self.documents_table(data),
            gr.update(choices=self.document_choices(data), value=None),
            None,
        )

    def delete_document(self, document_id: int | None, request: gr.Request):
        data = self.data(request)
        if document_id is None:
            raise BadInputError("Choose a document to delete.")
        name = self.coach.delete_document(data.user, int(document_id))
        remove_cached_exports(data.user)
        return (
            f"Deleted **{inert_markdown(name)}** and its passages.",
            self.documents_table(data),
            gr.update(choices=self.document_choices(data), value=None),
        )


STORAGE_DOWN = "The coach's storage is not available right now; please try again in a minute."


def user_message(exc: CoachError) -> str:
    """What a browser user is told. Storage errors name server files and folders (the
    command line shows them to the operator); the web shows none of that."""
    return STORAGE_DOWN if isinstance(exc, StoreError) else str(exc)


def friendly(fn: Any) -> Any:
    """Run a handler; a CoachError becomes a toast, any other error a short message."""
    import functools
    import inspect

    def convert(exc: Exception) -> Exception:
        if isinstance(exc, CoachError):
            return gr.Error(user_message(exc), print_exception=False)
        return gr.Error(f"Something went wrong ({exc.__class__.__name__}).", print_exception=False)

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise convert(exc) from None

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            raise convert(exc) from None

    return wrapper


def build_app(coach_: Coach | None = None) -> Any:
    web = WebApp(coach_ or Coach())
    vocab = web.vocabulary()

    minutes = web.settings.file_cache_minutes * 60
    with gr.Blocks(
        title="Mentor Coach",
        analytics_enabled=False,
        # Gradio's file cache (exports, raw uploads) is swept of files older than this.
        delete_cache=(max(60, minutes // 4), minutes),
    ) as demo:
        demo.coach_web = web  # for serve(): auth and limits
        gr.Markdown("# Mentor Coach")
        gr.Markdown(
            "Practical mentoring advice in which every point is cited to a guide you can open.",
            elem_id="tagline",
        )
        with gr.Row():
            who = gr.Markdown("")
            if web.auth:
                gr.HTML(SIGN_OUT, elem_id="sign-out-form")
        conv_state = gr.State(None)
        prep_state = gr.State(None)

        with gr.Tab("Chat", id="chat"), gr.Row(elem_id="chat-row"):
            with gr.Column(scale=1, min_width=220, elem_id="conversation-column"):
                conversations = gr.Radio(label="Conversations", choices=[], elem_id="conversations")
                new_btn = gr.Button("New conversation", elem_id="new-conversation")
                rename_box = gr.Textbox(
                    label="Rename this conversation", max_lines=1, elem_id="rename-box"
                )
                with gr.Row():
                    rename_btn = gr.Button("Rename", size="sm", elem_id="rename")
                    delete_btn = gr.Button(
                        "Delete", size="sm", variant="stop", elem_id="delete-conversation"
                    )
                export_btn = gr.DownloadButton(
                    "Export as Markdown", size="sm", elem_id="export-conversation"
                )
            with gr.Column(scale=4, elem_id="chat-column"):
                chatbot = gr.Chatbot(
                    label="Coach",
                    show_label=False,
                    height=None,  # the page's height, set in CSS
                    autoscroll=False,  # JS keeps the question in view instead
                    sanitize_html=True,
                    feedback_options=("Like", "Dislike"),
                    examples=[{"text": q} for q in EXAMPLES],
                    placeholder="Ask a mentoring or career question. Try an example:",
                    elem_id="chatbot",
                )
                with gr.Row(elem_id="suggestions"):
                    suggestion_btns = [
                        gr.Button(
                            "",
                            visible=False,
                            size="sm",
                            elem_id=f"suggestion-{i}",
                            elem_classes=["suggestion"],
                        )
                        for i in range(SUGGESTION_BUTTONS)
                    ]
                with gr.Row(elem_id="ask-row"):
                    question = gr.Textbox(
                        label="Your question",
                        show_label=False,
                        placeholder="Ask about mentors, feedback, promotions, job moves… "
                        "(Enter sends)",
                        max_lines=4,
                        scale=5,
                        min_width=160,
                        elem_id="question",
                    )
                    send_btn = gr.Button(
                        "Send", variant="primary", scale=1, min_width=70, elem_id="send"
                    )
                with gr.Row(elem_id="answer-tools"):
                    regen_btn = gr.Button("Regenerate", size="sm", elem_id="regenerate")
                    comment = gr.Textbox(
                        label="Optional comment for your next thumbs up or down",
                        max_lines=2,
                        scale=3,
                        elem_id="feedback-comment",
                    )
                feedback_status = gr.Markdown("", elem_id="feedback-status")

        with gr.Tab("Meeting prep", id="prep"):
            gr.Markdown(
                "Get a timed agenda and 5–8 questions for your next meeting, each tied to "
                "the guidance behind it. Your open action items, your recent questions and "
                "the notes of your last meeting are carried into it."
            )
            with gr.Row():
                with gr.Column():
                    prep_goals = gr.Textbox(
                        label="Goals for this meeting (one per line; "
                        "empty uses your profile's goals)",
                        lines=3,
                        elem_id="prep-goals",
                    )
                    prep_topics = gr.CheckboxGroup(
                        label="Topics to focus on (optional)",
                        choices=[(topic_label(t), t) for t in vocab["topics"]],
                        elem_id="prep-topics",
                    )
                    prep_notes = gr.Textbox(
                        label="Notes from your last meeting (optional)",
                        lines=4,
                        elem_id="prep-notes",
                    )
                    with gr.Row():
                        prep_minutes = gr.Radio(
                            choices=["30", "45", "60"],
                            value=str(web.settings.prep_minutes),
                            label="Meeting length (minutes)",
                            elem_id="prep-minutes",
                        )
                        prep_when = gr.Textbox(
                            label="Next meeting (optional, e.g. 2026-12-15 14:30)",
                            elem_id="prep-when",
                        )
                    prep_btn = gr.Button("Prepare my meeting", variant="primary", elem_id="prepare")
                with gr.Column():
                    agenda = gr.Markdown("", elem_id="agenda", sanitize_html=True)
                    prep_questions_box = gr.Textbox(
                        label="Questions to ask (edit freely, one per line)",
                        lines=8,
                        buttons=["copy"],
                        elem_id="prep-questions",
                    )
                    prep_email = gr.Textbox(
                        label="Send to my mentor (paste into an email)",
                        lines=8,
                        buttons=["copy"],
                        elem_id="prep-email",
                    )
                    with gr.Row():
                        prep_download = gr.DownloadButton(
                            "Download Markdown", visible=False, elem_id="prep-download"
                        )
                        prep_ics = gr.DownloadButton(
                            "Add to calendar (.ics)", visible=False, elem_id="prep-ics"
                        )
                    prep_sources = gr.HTML("", elem_id="prep-sources")

        with gr.Tab("Profile & actions", id="profile"), gr.Row():
            with gr.Column():
                gr.Markdown("### Your profile")
                role = gr.Textbox(label="Role", max_lines=1, elem_id="profile-role")
                stage = gr.Dropdown(
                    label="Career stage",
                    choices=[(topic_label(t), t) for t in vocab["stages"]],
                    value=None,
                    elem_id="profile-stage",
                )
                goals = gr.Textbox(label="Goals (one per line)", lines=4, elem_id="profile-goals")
                save_btn = gr.Button("Save profile", variant="primary", elem_id="save-profile")
                profile_note = gr.Markdown("", elem_id="profile-note")
            with gr.Column():
                gr.Markdown("### Action items")
                actions = gr.Dataframe(
                    headers=["action", "due", "status"], interactive=False, elem_id="actions"
                )
                action_text = gr.Textbox(
                    label="New action item", max_lines=1, elem_id="action-text"
                )
                action_due = gr.Textbox(
                    label="Due date (YYYY-MM-DD, optional)", max_lines=1, elem_id="action-due"
                )
                add_action_btn = gr.Button("Add action item", elem_id="add-action")
                open_actions = gr.Dropdown(
                    label="Open action items", choices=[], elem_id="open-actions"
                )
                done_btn = gr.Button("Mark done", elem_id="mark-done")

        with gr.Tab("My library", id="library"):
            gr.Markdown(
                "Add your own notes or documents (.md, .txt, .pdf, .html, Word .docx, .odt, "
                ".pptx). Only you can see them; the coach cites them like the guides."
            )
            upload = gr.File(
                label="Add a document",
                file_types=sorted(ALLOWED),
                type="filepath",
                elem_id="upload",
            )
            library_status = gr.Markdown("", elem_id="library-status")
            documents = gr.Dataframe(
                headers=["document", "passages", "added"], interactive=False, elem_id="documents"
            )
            doc_choice = gr.Dropdown(label="Document", choices=[], elem_id="doc-choice")
            delete_doc_btn = gr.Button("Delete document", variant="stop", elem_id="delete-document")

        # --- events ----------------------------------------------------------------------
        chat_outputs = [chatbot, question, *suggestion_btns, conversations, conv_state]
        send_event = dict(
            fn=friendly(web.send),
            inputs=[question, conv_state],
            outputs=chat_outputs,
            api_name="chat",
            concurrency_id="answer",
        )
        question.submit(**send_event)
        send_btn.click(**{**send_event, "api_name": False})
        chatbot.example_select(
            friendly(web.send_example),
            inputs=[conv_state],
            outputs=chat_outputs,
            api_name=False,
            concurrency_id="answer",
        )
        regen_btn.click(
            friendly(web.regenerate),
            inputs=[conv_state],
            outputs=chat_outputs,
            api_name="regenerate",
            concurrency_id="answer",
        )
        for btn in suggestion_btns:
            btn.click(
                friendly(web.send_suggestion),
                inputs=[btn, conv_state],
                outputs=chat_outputs,
                api_name=False,
                concurrency_id="answer",
            )
        chatbot.like(
            friendly(web.feedback),
            inputs=[conv_state, comment],
            outputs=[comment, feedback_status],
            api_name="feedback",
        )

        conv_outputs = [conversations, conv_state, chatbot, *suggestion_btns, rename_box]
        new_btn.click(
            friendly(web.new_conversation), outputs=conv_outputs, api_name="new_conversation"
        )
        conversations.input(
            friendly(web.open_conversation),
            inputs=[conversations],
            outputs=[conv_state, chatbot, *suggestion_btns, rename_box],
            api_name="open_conversation",
        )
        rename_btn.click(
            friendly(web.rename_conversation),
            inputs=[conv_state, rename_box],
            outputs=[conversations],
            api_name="rename_conversation",
        )
        delete_btn.click(
            friendly(web.delete_conversation),
            inputs=[conv_state],
            outputs=conv_outputs,
            api_name="delete_conversation",
        )
        export_btn.click(
            friendly(web.export_conversation),
            inputs=[conv_state],
            outputs=[export_btn],
            api_name="export_conversation",
        )

        prep_btn.click(
            friendly(web.prepare),
            inputs=[prep_goals, prep_topics, prep_notes, prep_minutes, prep_when],
            outputs=[
                agenda,
                prep_questions_box,
                prep_email,
                prep_sources,
                prep_download,
                prep_ics,
                prep_state,
            ],
            api_name="prep",
        )
        prep_questions_box.blur(
            friendly(web.export_prep),
            inputs=[prep_state, prep_questions_box],
            outputs=[prep_download],
            api_name=False,
        )

        save_btn.click(
            friendly(web.save_profile),
            inputs=[role, stage, goals],
            outputs=[profile_note, prep_goals],
            api_name="save_profile",
        )
        add_action_btn.click(
            friendly(web.add_action),
            inputs=[action_text, action_due],
            outputs=[actions, open_actions, action_text, action_due],
            api_name="add_action",
        )
        done_btn.click(
            friendly(web.complete_action),
            inputs=[open_actions],
            outputs=[actions, open_actions],
            api_name="complete_action",
        )

        def upload_with_progress(
            file: Any,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008
        ) -> Any:
            return web.upload(file, request, progress)

        upload.upload(
            friendly(upload_with_progress),
            inputs=[upload],
            outputs=[library_status, documents, doc_choice, upload],
            api_name="upload",
        )
        delete_doc_btn.click(
            friendly(web.delete_document),
            inputs=[doc_choice],
            outputs=[library_status, documents, doc_choice],
            api_name="delete_document",
        )

        demo.load(
            friendly(web.load_page),
            outputs=[
                conversations,
                conv_state,
                chatbot,
                role,
                stage,
                goals,
                profile_note,
                actions,
                open_actions,
                documents,
                doc_choice,
                prep_goals,
                who,
            ],
            api_name="load",
        )
    return demo


def _log_sign_ins() -> None:
    """Sign-in failures and locks reach the server's log (names and addresses only)."""
    import logging

    logger = logging.getLogger("coach.accounts")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def serve(coach_: Coach, host: str, port: int) -> None:
    app = build_app(coach_)
    web: WebApp = app.coach_web
    # Bounded queue: a full queue answers "busy, try again" instead of hanging.
    app.queue(
        default_concurrency_limit=coach_.settings.queue_concurrency,
        max_size=coach_.settings.queue_max_size,
    )
    print(f"Mentor Coach is running at http://{host}:{port}", flush=True)
    print(f"Data: {coach_.describe_storage()}", flush=True)
    print(f"Sign-in: {web.sign_in.describe()}", flush=True)
    _log_sign_ins()
    app.launch(
        server_name=host,
        server_port=port,
        auth=web.auth,
        auth_message="Sign in to your mentoring coach." if web.auth else None,
        max_file_size=f"{int(coach_.settings.upload_max_mb * 1_000_000)}b",
        app_kwargs=app_kwargs(coach_.settings),
        show_error=False,
        share=False,
        inbrowser=False,
        quiet=True,
        css=CSS,
        js=JS,
    )

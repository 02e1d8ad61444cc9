"""The sign-in gate in front of the web app (ASGI middleware), over `coach.accounts`.

- `POST /login` is answered here: throttled by name and client address, with a message
  that says to wait when locked. A browser's form gets the sign-in page back (or a
  redirect into the app); other clients get JSON, as from Gradio's own route.
- `GET /` without a live session gets the coach's own sign-in page, which can show that
  message (Gradio's page only ever says "Incorrect Credentials").
- A request from a trusted proxy that names a user in COACH_AUTH_HEADER is signed in as
  that user; from any other address the header changes nothing.

Sessions are Gradio's own cookies and tokens, with `app.tokens` replaced by
`accounts.Sessions`, so every Gradio route sees the same user, lifetime and revocation.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from coach.accounts import SignIn

MAX_BODY = 16_384  # a sign-in form is tiny; anything bigger is not one
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Mentor Coach</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f7f9; margin: 0; }}
main {{ max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem;
  border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin: 0 0 .3rem; }}
label {{ display: block; margin-top: 1rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .55rem; margin-top: .3rem;
  font-size: 1rem; border: 1px solid #bbb; border-radius: 6px; }}
button {{ margin-top: 1.4rem; width: 100%; padding: .65rem; font-size: 1rem;
  border: 0; border-radius: 6px; background: #ea580c; color: #fff; cursor: pointer; }}
.message {{ margin-top: 1rem; padding: .6rem; border-radius: 6px; background: #fdecea;
  color: #8a1c1c; }}
</style></head>
<body><main>
<h1>Mentor Coach</h1>
<p>Sign in to your mentoring coach.</p>
{message}
<form method="post" action="login">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username"
  autocapitalize="none" spellcheck="false" required autofocus value="{name}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"
  required>
<button type="submit" id="sign-in">Sign in</button>
</form>
</main></body></html>
"""


def sign_in_page(message: str = "", name: str = "") -> str:
    shown = f'<p class="message" role="alert">{html.escape(message)}</p>' if message else ""
    return PAGE.format(message=shown, name=html.escape(name, quote=True))


def _sign_in_of(scope: dict) -> tuple[Any, SignIn] | None:
    """The Gradio app and the coach's sign-in policy, when sign-in is on."""
    app = scope.get("app")
    web = getattr(getattr(app, "blocks", None), "coach_web", None)
    sign_in = getattr(web, "sign_in", None)
    if app is None or not isinstance(sign_in, SignIn) or not sign_in.required:
        return None
    return app, sign_in


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _cookies_without_tokens(cookie_header: str) -> list[str]:
    return [
        part.strip()
        for part in cookie_header.split(";")
        if part.strip() and not part.strip().startswith("access-token-")
    ]


def _token_cookies(cookie_header: str) -> list[str]:
    tokens = []
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.startswith("access-token-"):
            tokens.append(value)
    return tokens


def _with_cookie_header(scope: dict, parts: list[str]) -> dict:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"cookie"]
    if parts:
        headers.append((b"cookie", "; ".join(parts).encode("latin-1")))
    return {**scope, "headers": headers}


class SignInGate:
    """ASGI middleware; outermost, so every later layer sees who is signed in."""

    def __init__(self, app: Any, security_headers: list[tuple[bytes, bytes]] | None = None):
        self.app = app
        self.security_headers = security_headers or []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        found = _sign_in_of(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        app, sign_in = found
        if app.tokens is not sign_in.sessions:
            app.tokens = sign_in.sessions  # Gradio's launch() starts a fresh dict
        scope = self._identify(scope, app, sign_in)
        path = scope["path"]
        if path.rstrip("/").endswith("/login") and scope["method"] == "POST":
            await self._login(scope, receive, send, app, sign_in)
            return
        if path in ("", "/") and scope["method"] in ("GET", "HEAD"):
            cookie = _header(scope, b"cookie") or ""
            if not any(t in sign_in.sessions for t in _token_cookies(cookie)):
                await self._respond(scope, receive, send, HTMLResponse(sign_in_page()))
                return
        await self.app(scope, receive, send)

    def _identify(self, scope: dict, app: Any, sign_in: SignIn) -> dict:
        """The proxy's header, from a trusted proxy, decides the user. Anywhere else, a
        cookie carrying a proxy's session is dropped: those are never sent to a browser,
        and are honoured only as the proxy's word."""
        peer = (scope.get("client") or ("", 0))[0]
        cookie = _header(scope, b"cookie") or ""
        if sign_in.header and sign_in.trusted(peer):
            name = (_header(scope, sign_in.header) or "").strip()
            token = sign_in.proxy_token(name) if name else None
            if token:
                parts = _cookies_without_tokens(cookie)
                parts.append(f"access-token-unsecure-{app.cookie_id}={token}")
                return _with_cookie_header(scope, parts)
        tokens = _token_cookies(cookie)
        if any(sign_in.is_proxy_token(t) for t in tokens):
            parts = [
                p.strip()
                for p in cookie.split(";")
                if p.strip() and not sign_in.is_proxy_token(p.strip().partition("=")[2])
            ]
            return _with_cookie_header(scope, parts)
        return scope

    async def _login(self, scope: dict, receive: Any, send: Any, app: Any, sign_in: SignIn):
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if len(body) > MAX_BODY:
                await self._respond(
                    scope, receive, send, _text(413, "The sign-in form is too big.")
                )
                return
            if not message.get("more_body"):
                break
        fields = await _form_fields(scope, bytes(body))
        name = fields.get("username", "")
        password = fields.get("password", "")
        peer = (scope.get("client") or ("", 0))[0]
        address = sign_in.client_address(peer, _header(scope, b"x-forwarded-for"))
        # argon2 and the database block: keep them off the event loop.
        outcome = await run_in_threadpool(sign_in.attempt, name, password, address)
        browser = "text/html" in (_header(scope, b"accept") or "")
        if outcome.user is not None:
            token = sign_in.sessions.create(outcome.user)
            response: Response = (
                RedirectResponse("./", status_code=303)
                if browser
                else JSONResponse({"success": True})
            )
            lifetime = int(sign_in.sessions.lifetime)
            # The same two cookies Gradio sets, so its sign-out clears them, with an end.
            response.set_cookie(
                f"access-token-{app.cookie_id}",
                token,
                max_age=lifetime,
                httponly=True,
                samesite="none",
                secure=True,
            )
            response.set_cookie(
                f"access-token-unsecure-{app.cookie_id}",
                token,
                max_age=lifetime,
                httponly=True,
                samesite="lax",
            )
        else:
            status = 429 if outcome.wait else 400
            headers = {"retry-after": str(max(1, round(outcome.wait)))} if outcome.wait else {}
            if browser:
                page = sign_in_page(outcome.message, name.strip()[:64])
                response = HTMLResponse(page, status_code=status, headers=headers)
            else:
                response = JSONResponse(
                    {"detail": outcome.message}, status_code=status, headers=headers
                )
        await self._respond(scope, receive, send, response)

    async def _respond(self, scope: dict, receive: Any, send: Any, response: Response) -> None:
        for key, value in self.security_headers:
            if key.decode() not in response.headers:
                response.headers[key.decode()] = value.decode()
        response.headers["cache-control"] = "no-store"
        await response(scope, receive, send)


def _text(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain")


async def _form_fields(scope: dict, body: bytes) -> dict[str, str]:
    """username and password from a urlencoded form (a browser's, gradio_client's) or a
    multipart one (Gradio's own page); anything unreadable gives empty fields."""
    kind = (_header(scope, b"content-type") or "").lower()
    if kind.startswith("multipart/form-data"):

        async def replay() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(scope, replay).form()
        except Exception:  # a malformed form is a failed sign-in, not an error page
            return {}
        return {k: v for k, v in form.items() if isinstance(v, str)}
    if kind.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return (
            {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        )
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}

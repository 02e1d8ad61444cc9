"""Sign-in fit for an organisation, over HTTP against a running app: accounts managed by
`coach user` while the server runs, argon2 hashes only, throttling by name and address,
sign-in from a trusted proxy's header, session lifetime; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from pydantic import SecretStr

from coach.accounts import AccountStore, Sessions, SignIn, parse_auth, wait_message
from coach.db import open_database
from coach.errors import BadInputError
from coach.facade import Coach
from coach.settings import PROJECT_ROOT, Settings
from tests.conftest import serve_app
from tests.test_web import rows

ANA_PW = "correct horse battery staple"
BEN_PW = "ben's long passphrase 42"


def cli(settings: Settings, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    """`coach user ...` in its own process, as an operator would run it beside the app."""
    env = {
        **os.environ,
        "COACH_HOME": str(settings.home),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    env.pop("COACH_DATABASE_URL", None)
    if settings.database_url:
        env["COACH_DATABASE_URL"] = settings.database_url.get_secret_value()
    flags = ["--password-stdin"] if password is not None else []
    return subprocess.run(
        [sys.executable, "-m", "coach.cli", "user", *args, *flags],
        input=None if password is None else password + "\n",
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def serve(settings: Settings, fake_embedder, **update) -> tuple:
    coach = Coach(settings.model_copy(update=update), embedder=fake_embedder)
    app, url = serve_app(coach)
    return coach, app, url


def sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("login", data={"username": name, "password": password})


def signed_in(client: httpx.Client) -> bool:
    status = client.get("config").status_code
    assert status in (200, 401), status
    return status == 200


def from_address(url: str, address: str) -> httpx.Client:
    """An HTTP client whose requests leave from `address` (any of 127.0.0.0/8 is this
    machine's loopback), so the app sees a peer other than 127.0.0.1."""
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address))


# --- throttling --------------------------------------------------------------------------
def test_brute_force_locks_the_name_until_the_cooloff_ends(engine_settings, fake_embedder, caplog):
    assert cli(engine_settings, "add", "ana", password=ANA_PW).returncode == 0
    caplog.set_level(logging.INFO, logger="coach.accounts")
    _, app, url = serve(
        engine_settings, fake_embedder, signin_cooloff_seconds=3, signin_address_max_failures=100
    )
    try:
        answers = {}
        for name in ("ana", "nobody"):  # an account, and a name that has none
            with httpx.Client(base_url=url) as client:
                replies = [sign_in(client, name, f"guess {i}") for i in range(5)]
                assert [r.status_code for r in replies] == [400, 400, 400, 400, 429]
                assert replies[0].json()["detail"] == "Incorrect user name or password."
                locked = replies[-1].json()["detail"]
                assert locked.startswith("Too many failed sign-ins. Wait")
                right = sign_in(client, name, ANA_PW)  # the right password, for ana
                assert right.status_code == 429 and "Wait" in right.json()["detail"]
                assert 1 <= int(right.headers["retry-after"]) <= 3
                assert not right.cookies and not signed_in(client)
                answers[name] = [(r.status_code, r.json()["detail"]) for r in [*replies, right]]
        # Word for word the same, so the answers never tell that ana has an account.
        assert answers["ana"] == answers["nobody"]

        time.sleep(3.2)  # the cool-off period passes
        with httpx.Client(base_url=url) as client:
            assert sign_in(client, "ana", ANA_PW).status_code == 200
            assert signed_in(client)
    finally:
        app.close()
    failures = [r.getMessage() for r in caplog.records if "sign-in failed" in r.getMessage()]
    assert len(failures) == 10 and "'ana'" in failures[0] and "127.0.0.1" in failures[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "guess" not in logged and ANA_PW not in logged  # never a password


def test_a_burst_of_parallel_guesses_checks_no_more_than_the_limit(settings, fake_embedder, caplog):
    from concurrent.futures import ThreadPoolExecutor

    AccountStore(Coach(settings, embedder=fake_embedder).db).add("ana", ANA_PW)
    caplog.set_level(logging.INFO, logger="coach.accounts")
    _, app, url = serve(settings, fake_embedder, signin_address_max_failures=100)
    try:

        def guess(i: int) -> int:
            with httpx.Client(base_url=url) as client:
                return sign_in(client, "ana", f"parallel guess {i}").status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(guess, range(16)))
        # Every attempt is counted before its password is checked, so however the 16
        # interleave, at most 5 passwords were tried and the rest were told to wait.
        assert statuses.count(400) <= 5 and statuses.count(429) >= 11, statuses
        assert set(statuses) <= {400, 429}
        with httpx.Client(base_url=url) as client:
            assert sign_in(client, "ana", ANA_PW).status_code == 429
    finally:
        app.close()
    checked = [r for r in caplog.records if "sign-in failed" in r.getMessage()]
    assert 1 <= len(checked) <= 5


def test_each_client_address_is_throttled(settings, fake_embedder):
    accounts = AccountStore(Coach(settings, embedder=fake_embedder).db)
    accounts.add("ana", ANA_PW)
    _, app, url = serve(
        settings, fake_embedder, signin_address_max_failures=4, trusted_proxies="127.0.0.1"
    )
    try:
        # From 127.0.0.2, not a trusted proxy: its X-Forwarded-For is not believed, so
        # naming a new address each time does not escape the count.
        with from_address(url, "127.0.0.2") as client:
            for i in range(4):
                hop = {"X-Forwarded-For": f"198.51.100.{i}"}
                reply = client.post(
                    "login", data={"username": f"user{i}", "password": "x" * 12}, headers=hop
                )
                assert reply.status_code == (429 if i == 3 else 400)
            right = client.post(
                "login",
                data={"username": "ana", "password": ANA_PW},
                headers={"X-Forwarded-For": "198.51.100.99"},
            )
            assert right.status_code == 429 and "Wait" in right.json()["detail"]
        # Through the trusted proxy, the forwarded address is the client's: another
        # client behind the same proxy still signs in.
        with httpx.Client(base_url=url, headers={"X-Forwarded-For": "203.0.113.5"}) as client:
            assert sign_in(client, "ana", ANA_PW).status_code == 200 and signed_in(client)
    finally:
        app.close()


# --- accounts ----------------------------------------------------------------------------
def test_only_hashes_reach_the_database(engine_settings, fake_embedder):
    added = cli(engine_settings, "add", "ana", password=ANA_PW)
    assert added.returncode == 0 and "Added ana (admin)" in added.stdout, added.stderr
    assert ANA_PW not in added.stdout + added.stderr
    coach, app, url = serve(engine_settings, fake_embedder)
    try:
        with httpx.Client(base_url=url) as client:
            assert sign_in(client, "ana", ANA_PW).status_code == 200 and signed_in(client)
            db = coach.db
            (row,) = db.query("SELECT * FROM accounts")
            assert row["password_hash"].startswith("$argon2id$")
            for table in sorted(db.tables()):
                for record in db.query(f"SELECT * FROM {table}"):
                    assert not any(ANA_PW in str(v) for v in record.values()), table

            # A new password: the old one and the session made with it both stop working.
            new_pw = "a brand new passphrase"
            reset = cli(engine_settings, "reset-password", "ana", password=new_pw)
            assert reset.returncode == 0, reset.stderr
            assert not signed_in(client)
            assert sign_in(client, "ana", ANA_PW).status_code == 400
            assert sign_in(client, "ana", new_pw).status_code == 200 and signed_in(client)
    finally:
        app.close()


def test_users_are_added_and_removed_while_the_server_runs(engine_settings, fake_embedder):
    assert cli(engine_settings, "add", "ana", password=ANA_PW).returncode == 0
    _, app, url = serve(engine_settings, fake_embedder)
    try:
        with httpx.Client(base_url=url) as ben:
            assert sign_in(ben, "ben", BEN_PW).status_code == 400

            assert cli(engine_settings, "add", "ben", password=BEN_PW).returncode == 0
            assert sign_in(ben, "ben", BEN_PW).status_code == 200 and signed_in(ben)
            client = Client(url, auth=("ben", BEN_PW), verbose=False)
            assert client.predict(api_name="/load")[-1] == "Signed in as **ben**."

            listed = cli(engine_settings, "list", "--json")
            assert [line.split('"role": ')[1][:7] for line in listed.stdout.splitlines()] == [
                '"admin"',
                '"user",',
            ]

            removed = cli(engine_settings, "remove", "ben")
            assert removed.returncode == 0 and "Removed ben" in removed.stdout
            assert not signed_in(ben)  # the open session ended with the account
            assert sign_in(ben, "ben", BEN_PW).status_code == 400
            with pytest.raises((AppError, httpx.HTTPStatusError), match="401|sign in"):
                client.predict(api_name="/load")  # nor can a client that kept its cookie

        last = cli(engine_settings, "remove", "ana")
        assert last.returncode == 1 and "last admin" in last.stderr
        assert "Traceback" not in last.stderr
    finally:
        app.close()


def test_user_commands_give_clear_messages(settings):
    cases = [
        (("add", "bad name"), ANA_PW, "A user name is 1 to 64"),
        (("add", "ana"), "short", "use at least 12"),
        (("add", "ana"), None, "--password-stdin"),  # no terminal to type it in
        (("remove", "ghost"), None, "There is no user 'ghost'"),
        (("reset-password", "ghost"), "x" * 20, "There is no user 'ghost'"),
    ]
    for args, password, message in cases:
        done = cli(settings, *args, password=password)
        assert done.returncode == 1 and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert cli(settings, "add", "ana", password=ANA_PW).returncode == 0
    again = cli(settings, "add", "ana", password=ANA_PW)
    assert again.returncode == 1 and "already a user 'ana'" in again.stderr
    assert cli(settings, "list").stdout.startswith("ana\tadmin\tadded ")


def test_bad_sign_in_settings_get_one_line(settings):
    env = {**os.environ, "COACH_HOME": str(settings.home), "COACH_AUTH_HEADER": "X-User"}
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "user", "list"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "COACH_TRUSTED_PROXIES is empty" in done.stderr
    env = {**env, "COACH_TRUSTED_PROXIES": "10.0.0.0/8,not-an-address"}
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "user", "list"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "COACH_TRUSTED_PROXIES is invalid" in done.stderr
    assert "'not-an-address' is not an address or network" in done.stderr


# --- single sign-on behind a proxy -------------------------------------------------------
def test_the_proxy_header_counts_only_from_a_trusted_address(settings, fake_embedder):
    _, app, url = serve(
        settings, fake_embedder, auth_header="X-Forwarded-User", trusted_proxies="127.0.0.1/32"
    )
    header = {"X-Forwarded-User": "carol@example.org"}
    try:
        # From the proxy: carol is signed in, and the page says so.
        client = Client(url, headers=header, verbose=False)
        assert client.predict(api_name="/load")[-1] == "Signed in as **carol@example.org**."
        client.predict("Send the recap", "", api_name="/add_action")
        with httpx.Client(base_url=url, headers=header) as proxy:
            assert signed_in(proxy) and 'id="sign-in"' not in proxy.get("/").text
            # The header decides, whatever cookie the browser behind it sends.
            other = proxy.get("config", headers={"X-Forwarded-User": "dave"})
            assert other.status_code == 200
        dave = Client(url, headers={"X-Forwarded-User": "dave"}, verbose=False)
        assert dave.predict(api_name="/load")[-1] == "Signed in as **dave**."
        assert not rows(dave.predict(api_name="/load")[6])  # carol's action is hers alone
        assert rows(client.predict(api_name="/load")[6])[0][0] == "Send the recap"

        # From any other address the same header is ignored: the sign-in page, no session.
        with from_address(url, "127.0.0.2") as stranger:
            page = stranger.get("/", headers=header)
            assert page.status_code == 200 and 'id="sign-in"' in page.text
            assert stranger.get("config", headers=header).status_code == 401
            assert stranger.post("gradio_api/queue/join", headers=header, json={}).status_code in (
                401,
                422,
            )

        # A name no account could have is refused, not trusted.
        with httpx.Client(base_url=url, headers={"X-Forwarded-User": "bad name!"}) as odd:
            assert not signed_in(odd)
    finally:
        app.close()


# --- sessions ----------------------------------------------------------------------------
def test_sessions_end_after_their_lifetime(settings, fake_embedder):
    AccountStore(Coach(settings, embedder=fake_embedder).db).add("ana", ANA_PW)
    _, app, url = serve(settings, fake_embedder, session_hours=2 / 3600)
    try:
        with httpx.Client(base_url=url) as client:
            reply = sign_in(client, "ana", ANA_PW)
            assert reply.status_code == 200
            assert "Max-Age=2" in reply.headers["set-cookie"]
            assert signed_in(client) and 'id="sign-in"' not in client.get("/").text
            time.sleep(2.5)
            assert not signed_in(client)
            assert 'id="sign-in"' in client.get("/").text  # back at the sign-in page
    finally:
        app.close()


def test_the_browser_form_signs_in_and_shows_why_it_did_not(settings, fake_embedder):
    AccountStore(Coach(settings, embedder=fake_embedder).db).add("ana", ANA_PW)
    _, app, url = serve(settings, fake_embedder, signin_max_failures=2)
    html = {"Accept": "text/html"}
    try:
        with httpx.Client(base_url=url, headers=html) as browser:
            page = browser.get("/")
            assert 'name="password"' in page.text and "frame-ancestors" in page.headers.get(
                "content-security-policy", ""
            )
            wrong = browser.post("login", data={"username": "<b>ana</b>", "password": "nope"})
            assert wrong.status_code == 400 and "Incorrect user name or password." in wrong.text
            assert "<b>ana</b>" not in wrong.text and "&lt;b&gt;ana&lt;/b&gt;" in wrong.text
            ok = browser.post(
                "login", data={"username": "ana", "password": ANA_PW}, follow_redirects=False
            )
            assert ok.status_code == 303 and ok.headers["location"] == "./"
            assert signed_in(browser)
        with httpx.Client(base_url=url, headers=html) as browser:
            for _ in range(2):
                last = browser.post("login", data={"username": "ana", "password": "nope"})
            assert last.status_code == 429 and "Too many failed sign-ins. Wait" in last.text
            # Gradio's own page posts multipart forms: the same rules apply to them.
            multipart = browser.post(
                "login", files={"username": (None, "ana"), "password": (None, ANA_PW)}
            )
            assert multipart.status_code == 429
            huge = browser.post("login", content=b"username=" + b"a" * 20_000)
            assert huge.status_code == 413
    finally:
        app.close()


def test_isolation_holds_with_accounts(engine_settings, fake_embedder, docs, tmp_path):
    coach = Coach(engine_settings, embedder=fake_embedder)
    coach.ingest([docs])
    accounts = AccountStore(coach.db)
    accounts.add("ana", ANA_PW)
    accounts.add("ben", BEN_PW)
    app, url = serve_app(coach)
    try:
        ana = Client(url, auth=("ana", ANA_PW), verbose=False)
        ben = Client(url, auth=("ben", BEN_PW), verbose=False)
        secret = tmp_path / "ana-secret.md"
        secret.write_text(
            "## Ana's plan\n\nAna plans to negotiate salary with the platypus council every spring."
        )
        ana.predict(handle_file(str(secret)), api_name="/upload")
        ana.predict("How do I negotiate salary with the platypus council?", api_name="/chat")
        ana.predict("Ana's private goal", "mid-career", "secret goal", api_name="/save_profile")
        loaded = ben.predict(api_name="/load")
        assert loaded[0]["choices"] == [] and not loaded[1] and loaded[2] == ""
        assert loaded[-1] == "Signed in as **ben**."
        chat, _, _ = ben.predict(
            "How do I negotiate salary with the platypus council?", None, api_name="/chat"
        )
        assert "ana-secret" not in str(chat)  # the answer and its source chips
        ana_conv = ana.predict(api_name="/load")[0]["value"]
        with pytest.raises(AppError, match="does not exist|not in the list of choices"):
            ben.predict(ana_conv, api_name="/open_conversation")
    finally:
        app.close()


# --- the parts, without a server ---------------------------------------------------------
def test_sessions_expire_and_follow_their_account():
    now = [1000.0]
    changed = {"ana": 0.0}
    sessions = Sessions(
        60, lambda user, created: user in changed and changed[user] <= created, lambda: now[0]
    )
    token = sessions.create("ana")
    assert sessions.get(token) == "ana" and token in sessions
    now[0] += 59
    assert sessions.get(token) == "ana"
    now[0] += 2  # past the lifetime
    assert sessions.get(token) is None and token not in sessions and len(sessions) == 0

    token = sessions.create("ana")
    changed["ana"] = now[0] + 1  # the password was reset after the session began
    assert sessions.get(token) is None
    proxy = sessions.create("zoe", via_proxy=True)  # not an account: the proxy vouches
    assert sessions.get(proxy) == "zoe"
    for t in list(sessions):  # Gradio's sign-out walks and reads every token
        assert sessions[t] in ("zoe",)


def test_client_addresses_and_messages(settings, fake_embedder):
    sign_in = SignIn(
        settings.model_copy(update={"trusted_proxies": "10.0.0.0/8, 127.0.0.1"}),
        Coach(settings, embedder=fake_embedder).db,
    )
    assert sign_in.client_address("10.1.2.3", "198.51.100.7, 10.0.0.9") == "198.51.100.7"
    assert sign_in.client_address("192.0.2.1", "198.51.100.7") == "192.0.2.1"  # untrusted
    assert sign_in.client_address("10.1.2.3", None) == "10.1.2.3"
    assert not sign_in.trusted("not an address") and sign_in.trusted("127.0.0.1")
    assert wait_message(900) == "Too many failed sign-ins. Wait 15 minutes, then try again."
    assert wait_message(0.2) == "Too many failed sign-ins. Wait 1 seconds, then try again."
    assert sign_in.attempt("", "", "x").message == "Enter your user name and password."


def test_coach_auth_is_hashed_in_memory(settings, fake_embedder, tmp_path):
    sign_in = SignIn(
        settings.model_copy(update={"auth": SecretStr("ana:pw-a,ben:pw-b")}),
        Coach(settings, embedder=fake_embedder).db,
    )
    assert sign_in.required and sign_in.describe().startswith("COACH_AUTH (2 users)")
    assert "pw-a" not in repr(vars(sign_in.static))
    assert sign_in.attempt("ana", "pw-a", "x").user == "ana"
    assert sign_in.attempt("ana", "pw-b", "x").user is None
    assert "pw-a" not in repr(settings.model_copy(update={"auth": SecretStr("ana:pw-a")}))
    f = tmp_path / "users.txt"
    f.write_text("# users\nana:pw\n\nben:pw2\n")
    assert parse_auth(str(f)) == [("ana", "pw"), ("ben", "pw2")]
    with pytest.raises(BadInputError) as bad:
        parse_auth("ana:pw-a,ben")
    assert "pw-a" not in str(bad.value)


def test_first_account_is_admin_and_the_last_admin_stays(settings):
    accounts = AccountStore(open_database(Path(settings.home) / "accounts-test.db"))
    accounts.db.migrate()
    assert accounts.add("ana", ANA_PW).role == "admin"
    assert accounts.add("ben", BEN_PW).role == "user"
    with pytest.raises(BadInputError, match="last admin"):
        accounts.remove("ana")
    accounts.add("cy", "cy's long password", admin=True)
    assert accounts.remove("ana").name == "ana"
    assert [a.name for a in accounts.accounts()] == ["ben", "cy"]
    with pytest.raises(BadInputError, match="not be blank or the user name"):
        accounts.add("longusername12", "LongUserName12")

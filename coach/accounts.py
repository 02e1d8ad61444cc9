"""Who may use the web app: accounts, throttled sign-in, sessions, sign-in behind a proxy.

- **Accounts** live in the database (SQLite or PostgreSQL) with argon2id hashes made by
  argon2-cffi, never the password itself. `coach user add|remove|list|reset-password`
  manage them; a running app reads them at every sign-in and every request, so a change
  takes effect without a restart. The first account is an admin, and the last admin
  cannot be removed, so a coach that once required sign-in keeps requiring it.
- **COACH_AUTH**, the quick option for one machine, is hashed in memory at start; the
  plain passwords are dropped.
- **Throttling.** Each attempt is counted before its password is checked, once for the
  user name and once for the client address, in the database (so replicas share the
  counts). Too many failures lock that name, or that address, for a cool-off period,
  even against the right password. A name with no account locks exactly like one with
  an account, and both get the same answers, so nothing tells whether an account exists.
- **Sessions** are the tokens Gradio's sign-in cookie carries, kept here with a lifetime
  and checked against the account on every request: removing a user or resetting their
  password ends their sessions.
- **Behind a proxy**, a header (COACH_AUTH_HEADER) names the user, believed only when the
  request comes from one of COACH_TRUSTED_PROXIES.

Passwords never reach a log or a message: failures are logged with the name and the
address only.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import SecretStr

from coach.db import Database, Tx
from coach.errors import BadInputError
from coach.settings import Settings

log = logging.getLogger(__name__)

ADMIN, USER = "admin", "user"
MAX_PASSWORD_CHARS = 1024  # far above any real password; bounds the work per attempt
# Names from accounts and proxies: letters, digits and the punctuation of e-mail
# addresses, so an identity provider's user id or address fits as it is.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
WRONG = "Incorrect user name or password."
EMPTY = "Enter your user name and password."

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_hasher = PasswordHasher()  # argon2id with the RFC 9106 low-memory parameters
_dummy: list[str] = []


def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as real ones."""
    if not _dummy:
        _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
    return _dummy[0]


def _matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise BadInputError(
            "A user name is 1 to 64 letters, digits or . _ @ + - and starts with a letter "
            f"or digit; {name[:64]!r} is not."
        )
    return name


def wait_message(seconds: float) -> str:
    """What a locked user is told: to wait, and for how long; nothing about the account."""
    if seconds >= 90:
        span = f"{round(seconds / 60)} minutes"
    else:
        span = f"{max(1, round(seconds))} seconds"
    return f"Too many failed sign-ins. Wait {span}, then try again."


# --- where passwords are checked ---------------------------------------------------------
class PasswordSource(Protocol):
    def verify(self, name: str, password: str) -> str | None:
        """The account's name when the password is right, else None."""
        ...

    def session_valid(self, name: str, created: float) -> bool:
        """Whether a session begun at `created` for `name` may still be used."""
        ...


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created: float
    password_changed: float


class AccountStore:
    """Accounts in the coach's database."""

    def __init__(self, db: Database, min_password_chars: int = 12) -> None:
        self.db = db
        self.min_password_chars = min_password_chars

    def check_password(self, name: str, password: str) -> str:
        if len(password) < self.min_password_chars:
            raise BadInputError(
                f"The password is {len(password)} characters; use at least "
                f"{self.min_password_chars} (COACH_PASSWORD_MIN_CHARS)."
            )
        if len(password) > MAX_PASSWORD_CHARS:
            raise BadInputError(f"The password is longer than {MAX_PASSWORD_CHARS} characters.")
        if not password.strip() or password.strip().casefold() == name.casefold():
            raise BadInputError("The password must not be blank or the user name.")
        return password

    def add(self, name: str, password: str, admin: bool = False) -> Account:
        name = check_name(name)
        self.check_password(name, password)
        hashed = _hasher.hash(password)  # before the transaction: it takes a while
        now = time.time()
        with self.db.transaction() as tx:
            self.db.serialise(tx, "accounts")
            if tx.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise BadInputError(f"There is already a user {name!r}.")
            first = tx.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0
            role = ADMIN if admin or first else USER
            tx.execute(
                "INSERT INTO accounts (name, password_hash, role, created, password_changed) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, hashed, role, now, now),
            )
        return Account(name, role, now, now)

    def remove(self, name: str) -> Account:
        with self.db.transaction() as tx:
            self.db.serialise(tx, "accounts")
            account = self._get(tx, name)
            admins = tx.execute("SELECT COUNT(*) FROM accounts WHERE role = ?", (ADMIN,))
            if account.role == ADMIN and admins.fetchone()[0] == 1:
                raise BadInputError(
                    f"{name} is the last admin; add another admin first "
                    "(`coach user add NAME --admin`)."
                )
            tx.execute("DELETE FROM accounts WHERE name = ?", (name,))
        return account

    def reset_password(self, name: str, password: str) -> Account:
        self.check_password(name, password)
        hashed = _hasher.hash(password)
        # Strictly later than any session begun so far, even within one clock tick.
        now = time.time() + 1e-3
        with self.db.transaction() as tx:
            account = self._get(tx, name)
            tx.execute(
                "UPDATE accounts SET password_hash = ?, password_changed = ? WHERE name = ?",
                (hashed, now, name),
            )
        return Account(account.name, account.role, account.created, now)

    def accounts(self) -> list[Account]:
        rows = self.db.query(
            "SELECT name, role, created, password_changed FROM accounts ORDER BY name"
        )
        return [Account(**r) for r in rows]

    def count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) AS n FROM accounts")[0]["n"])

    def _get(self, tx: Tx, name: str) -> Account:
        row = tx.execute(
            "SELECT name, role, created, password_changed FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise BadInputError(f"There is no user {name!r} (`coach user list` shows them).")
        return Account(*row)

    def verify(self, name: str, password: str) -> str | None:
        rows = self.db.query("SELECT name, password_hash FROM accounts WHERE name = ?", (name,))
        stored = rows[0]["password_hash"] if rows else _dummy_hash()
        if not _matches(stored, password) or not rows:
            return None
        if _hasher.check_needs_rehash(stored):  # parameters were raised since it was made
            with self.db.transaction() as tx:
                tx.execute(
                    "UPDATE accounts SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return str(rows[0]["name"])

    def session_valid(self, name: str, created: float) -> bool:
        rows = self.db.query("SELECT password_changed FROM accounts WHERE name = ?", (name,))
        return bool(rows) and float(rows[0]["password_changed"]) <= created


class StaticAccounts:
    """COACH_AUTH's users, hashed once at start; the plain passwords are not kept."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._hashes = {name: _hasher.hash(password) for name, password in pairs}

    def __len__(self) -> int:
        return len(self._hashes)

    def verify(self, name: str, password: str) -> str | None:
        stored = self._hashes.get(name)
        matched = _matches(stored or _dummy_hash(), password)
        return name if matched and stored is not None else None

    def session_valid(self, name: str, created: float) -> bool:
        return name in self._hashes


def auth_text(value: SecretStr | str | None) -> str | None:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value


def parse_auth(value: SecretStr | str | None) -> list[tuple[str, str]] | None:
    """`user:password,user2:password2`, or a file with one `user:password` per line."""
    text = auth_text(value)
    if not text:
        return None
    path = Path(text).expanduser()
    if "," not in text and path.is_file():
        try:
            text = path.read_text(encoding="utf-8").replace("\n", ",")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInputError(f"COACH_AUTH names a file that cannot be read: {exc}") from None
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            # Says where, never what: the item may hold a password.
            raise BadInputError("COACH_AUTH must be user:password pairs separated by commas.")
        pairs.append((user.strip(), password))
    if not pairs:
        raise BadInputError("COACH_AUTH is set but names no users.")
    return pairs


# --- throttling --------------------------------------------------------------------------
class Throttle:
    """Failure counts per user name and per client address, shared through the database.

    An attempt is counted when it begins, before its password is checked, so a burst of
    parallel guesses cannot slip past the limit; a success takes its count back."""

    def __init__(
        self,
        db: Database,
        name_limit: int,
        address_limit: int,
        cooloff: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.name_limit = name_limit
        self.address_limit = address_limit
        self.cooloff = cooloff
        self.clock = clock

    def _keys(self, name: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"address:{address}", self.address_limit),
            (f"name:{name.casefold()}", self.name_limit),
        ]

    def begin(self, name: str, address: str) -> float:
        """Count an attempt; the seconds to wait when the address or name is locked, else 0."""
        now = self.clock()
        stale = now - self.cooloff
        with self.db.transaction() as tx:
            tx.execute(
                "DELETE FROM sign_in_failures WHERE locked_until < ? AND first < ?", (now, stale)
            )
            for key, limit in self._keys(name, address):
                tx.execute(
                    "INSERT INTO sign_in_failures (key, failures, first, locked_until) "
                    "VALUES (?, 1, ?, 0) ON CONFLICT (key) DO UPDATE SET "
                    "failures = CASE WHEN sign_in_failures.locked_until > ? "
                    "THEN sign_in_failures.failures WHEN sign_in_failures.first < ? THEN 1 "
                    "ELSE sign_in_failures.failures + 1 END, "
                    "first = CASE WHEN sign_in_failures.locked_until <= ? "
                    "AND sign_in_failures.first < ? THEN ? ELSE sign_in_failures.first END",
                    (key, now, now, stale, now, stale, now),
                )
                failures, locked_until = tx.execute(
                    "SELECT failures, locked_until FROM sign_in_failures WHERE key = ?", (key,)
                ).fetchone()
                if locked_until > now:
                    return float(locked_until - now)
                if failures > limit:  # parallel attempts overtook the lock: lock now
                    self._lock(tx, key, now)
                    return self.cooloff
        return 0.0

    def failed(self, name: str, address: str) -> float:
        """After a wrong password: lock what reached its limit; the seconds to wait, or 0."""
        now = self.clock()
        wait = 0.0
        with self.db.transaction() as tx:
            for key, limit in self._keys(name, address):
                row = tx.execute(
                    "SELECT failures, locked_until FROM sign_in_failures WHERE key = ?", (key,)
                ).fetchone()
                if row and row[1] > now:  # a parallel attempt locked it meanwhile
                    wait = max(wait, float(row[1] - now))
                elif row and row[0] >= limit:
                    self._lock(tx, key, now)
                    log.warning("sign-in locked for %.0f s: %s", self.cooloff, key)
                    wait = self.cooloff
        return wait

    def succeeded(self, name: str, address: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sign_in_failures WHERE key = ?", (f"name:{name.casefold()}",))
            tx.execute(
                "UPDATE sign_in_failures SET failures = failures - 1 "
                "WHERE key = ? AND failures > 0",
                (f"address:{address}",),
            )

    def locked_for(self, name: str) -> float:
        rows = self.db.query(
            "SELECT locked_until FROM sign_in_failures WHERE key = ?", (f"name:{name.casefold()}",)
        )
        return max(0.0, float(rows[0]["locked_until"]) - self.clock()) if rows else 0.0

    def clear(self, name: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sign_in_failures WHERE key = ?", (f"name:{name.casefold()}",))

    def _lock(self, tx: Tx, key: str, now: float) -> None:
        tx.execute(
            "UPDATE sign_in_failures SET failures = 0, first = ?, locked_until = ? WHERE key = ?",
            (now, now + self.cooloff, key),
        )


# --- sessions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Session:
    user: str
    created: float
    expires: float
    via_proxy: bool = False


class Sessions(MutableMapping[str, str]):
    """Sign-in tokens -> user names, installed as Gradio's `app.tokens`.

    `get` and `in` are the checks Gradio makes on every request: they refuse a token
    past its lifetime, or whose account was removed or had its password reset since, and
    forget it. Plain `[token]` reads the table as it is, so Gradio's sign-out, which walks
    every token, never trips over one that just expired."""

    def __init__(
        self,
        lifetime: float,
        still_valid: Callable[[str, float], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lifetime = lifetime
        self.still_valid = still_valid
        self.clock = clock
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, user: str, via_proxy: bool = False) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            for old in [t for t, s in self._items.items() if s.expires <= now]:
                del self._items[old]
            self._items[token] = Session(user, now, now + self.lifetime, via_proxy)
        return token

    def session(self, token: str | None) -> Session | None:
        """The live session a token names, or None (an unknown, expired or revoked one)."""
        if not token:
            return None
        with self._lock:
            found = self._items.get(token)
        if found is None:
            return None
        valid = found.expires > self.clock() and (
            found.via_proxy or self.still_valid(found.user, found.created)
        )
        if not valid:
            with self._lock:
                self._items.pop(token, None)
            return None
        return found

    def kind(self, token: str) -> str | None:
        """ "proxy" or "password" for a token in the table (live or not), else None."""
        with self._lock:
            found = self._items.get(token)
        if found is None:
            return None
        return "proxy" if found.via_proxy else "password"

    def get(self, key: object, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self.session(key) if isinstance(key, str) else None
        return found.user if found else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.session(key) is not None

    def __getitem__(self, token: str) -> str:
        with self._lock:
            return self._items[token].user

    def __setitem__(self, token: str, user: str) -> None:
        now = self.clock()
        with self._lock:
            self._items[token] = Session(user, now, now + self.lifetime)

    def __delitem__(self, token: str) -> None:
        with self._lock:
            del self._items[token]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# --- the sign-in policy ------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    user: str | None
    message: str = ""
    wait: float = 0.0  # seconds, when locked


class SignIn:
    """Everything the web app asks about sign-in, from one place."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.accounts = AccountStore(db, settings.password_min_chars)
        self.throttle = Throttle(
            db,
            settings.signin_max_failures,
            settings.signin_address_max_failures,
            settings.signin_cooloff_seconds,
        )
        pairs = parse_auth(settings.auth)
        self.static = StaticAccounts(pairs) if pairs else None
        self.source: PasswordSource = self.static or self.accounts
        self.header = settings.auth_header.lower().encode() if settings.auth_header else None
        self.proxies: list[Network] = settings.proxy_networks
        self.sessions = Sessions(settings.session_hours * 3600, self.source.session_valid)
        self._proxy_tokens: dict[str, str] = {}
        self._proxy_lock = threading.Lock()
        # Decided once, at start: an app that began with one local user does not switch
        # to sign-in mid-run (the CLI says to restart when the first account is added).
        self.required = bool(self.static or self.header or self.accounts.count())

    def describe(self) -> str:
        if self.static:
            where = f"COACH_AUTH ({len(self.static)} users)"
        elif self.required:
            where = f"{self.accounts.count()} accounts in the database"
        else:
            return "off (one local user); `coach user add NAME` turns it on"
        if self.header:
            where += f", or the {self.settings.auth_header} header from trusted proxies"
        return where

    def attempt(self, name: str, password: str, address: str) -> Outcome:
        """One sign-in attempt, throttled; never says whether the name has an account."""
        name = (name or "").strip()
        if not name or not password:
            return Outcome(None, EMPTY)
        shown = name[:64]
        wait = self.throttle.begin(name, address)
        if wait:
            log.warning("sign-in refused while locked: user %r from %s", shown, address)
            return Outcome(None, wait_message(wait), wait)
        user = self.source.verify(name, password[:MAX_PASSWORD_CHARS])
        if user is not None:
            self.throttle.succeeded(name, address)
            log.info("signed in: user %r from %s", user, address)
            return Outcome(user)
        wait = self.throttle.failed(name, address)
        log.warning("sign-in failed: user %r from %s", shown, address)
        return Outcome(None, wait_message(wait), wait) if wait else Outcome(None, WRONG)

    def check(self, name: str, password: str) -> bool:
        """Gradio's `auth` callable. The app's own sign-in route, which also knows the
        client's address, answers first; this one throttles by name alone."""
        return self.attempt(name, password, "unknown").user is not None

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.proxies)

    def client_address(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address: the peer, or, from a trusted proxy, the last address in
        X-Forwarded-For that is not itself a trusted proxy."""
        if forwarded_for and self.trusted(peer):
            for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
                if not self.trusted(hop):
                    return hop
        return peer

    def proxy_token(self, name: str) -> str | None:
        """A session for a user that a trusted proxy named; None for a name we refuse."""
        if not NAME.fullmatch(name):
            log.warning("proxy header named an invalid user %r; ignored", name[:64])
            return None
        with self._proxy_lock:
            token = self._proxy_tokens.get(name)
            if token is None or self.sessions.session(token) is None:
                token = self.sessions.create(name, via_proxy=True)
                self._proxy_tokens[name] = token
        return token

    def is_proxy_token(self, token: str) -> bool:
        # The table as it is, no account check: this runs for every cookie of every request.
        return self.sessions.kind(token) == "proxy"

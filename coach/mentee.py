"""Everything that belongs to one mentee: conversations, profile, action items, feedback
and their personal library. Every call is scoped to one user; nothing crosses users.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from coach.db import Database
from coach.errors import BadInputError, CoachError

LOCAL_USER = "local"  # the only user when authentication is off
MAX_TITLE = 120
MAX_ACTION = 500
MAX_COMMENT = 2000


class NotFoundError(CoachError):
    pass


@dataclass
class Profile:
    role: str = ""
    stage: str = ""
    goals: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.role:
            parts.append(self.role)
        if self.stage:
            parts.append(self.stage.replace("-", " "))
        return ", ".join(parts)


@dataclass
class ActionItem:
    id: int
    text: str
    due: str
    done: bool


@dataclass
class Conversation:
    id: str
    title: str
    created: float
    updated: float


@dataclass
class Message:
    role: str
    content: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    turn_id: int | None = None


def _clean_text(value: str, limit: int, what: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise BadInputError(f"The {what} is {len(text):,} characters; the limit is {limit:,}.")
    return text


def parse_due(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadInputError(f"Due dates look like 2026-12-31, not {value!r}.") from None


class MenteeData:
    def __init__(self, db: Database, user: str = LOCAL_USER) -> None:
        if not user:
            raise BadInputError("No user is signed in.")
        self.db = db
        self.user = user

    # --- conversations -----------------------------------------------------------------
    def conversations(self) -> list[Conversation]:
        rows = self.db.query(
            'SELECT id, title, created, updated FROM conversations WHERE "user" = ? '
            "ORDER BY updated DESC, created DESC",
            (self.user,),
        )
        return [Conversation(**r) for r in rows]

    def conversation(self, conversation_id: str) -> Conversation:
        rows = self.db.query(
            'SELECT id, title, created, updated FROM conversations WHERE id = ? AND "user" = ?',
            (conversation_id, self.user),
        )
        if not rows:
            raise NotFoundError("That conversation does not exist (it may have been deleted).")
        return Conversation(**rows[0])

    def create_conversation(self, title: str = "New conversation") -> Conversation:
        now = time.time()
        conv = Conversation(uuid.uuid4().hex, _clean_text(title, MAX_TITLE, "title"), now, now)
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO conversations VALUES (?,?,?,?,?)",
                (conv.id, self.user, conv.title, conv.created, conv.updated),
            )
        return conv

    def rename(self, conversation_id: str, title: str) -> None:
        title = _clean_text(title, MAX_TITLE, "title")
        if not title:
            raise BadInputError("Please give the conversation a name.")
        self.conversation(conversation_id)
        with self.db.transaction() as db:
            db.execute(
                'UPDATE conversations SET title = ? WHERE id = ? AND "user" = ?',
                (title, conversation_id, self.user),
            )

    def delete(self, conversation_id: str) -> None:
        self.conversation(conversation_id)
        with self.db.transaction() as db:
            db.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
            db.execute(
                'DELETE FROM conversations WHERE id = ? AND "user" = ?',
                (conversation_id, self.user),
            )

    def messages(self, conversation_id: str) -> list[Message]:
        self.conversation(conversation_id)
        rows = self.db.query(
            "SELECT role, content, citations, turn_id FROM messages WHERE conversation_id = ? "
            "ORDER BY id",
            (conversation_id,),
        )
        return [
            Message(r["role"], r["content"], json.loads(r["citations"]), r["turn_id"]) for r in rows
        ]

    def add_message(
        self,
        conversation_id: str,
        role: str,
        content: str,
        citations: list[dict[str, Any]] | None = None,
        turn_id: int | None = None,
    ) -> None:
        conv = self.conversation(conversation_id)
        now = time.time()
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO messages (conversation_id, role, content, citations, turn_id, ts) "
                "VALUES (?,?,?,?,?,?)",
                (conversation_id, role, content, json.dumps(citations or []), turn_id, now),
            )
            # The first question names a new conversation, so the list is readable.
            title = conv.title
            if role == "user" and conv.title == "New conversation":
                title = content[:60] + ("…" if len(content) > 60 else "")
            db.execute(
                "UPDATE conversations SET updated = ?, title = ? WHERE id = ?",
                (now, title, conversation_id),
            )

    def drop_last_answer(self, conversation_id: str) -> str | None:
        """For regenerate: remove the last answer and its question (which is asked again);
        return that question, or None when there is nothing to regenerate."""
        msgs = self.db.query(
            "SELECT id, role, content FROM messages WHERE conversation_id = ? ORDER BY id DESC "
            "LIMIT 2",
            (conversation_id,),
        )
        self.conversation(conversation_id)
        if msgs and msgs[0]["role"] == "user":  # a question whose answer failed
            drop = [msgs[0]]
        elif len(msgs) == 2 and msgs[0]["role"] == "assistant" and msgs[1]["role"] == "user":
            drop = msgs
        else:
            return None
        with self.db.transaction() as db:
            db.executemany("DELETE FROM messages WHERE id = ?", [(m["id"],) for m in drop])
        return str(drop[-1]["content"])

    def export_markdown(self, conversation_id: str) -> str:
        conv = self.conversation(conversation_id)
        lines = [f"# {conv.title}", ""]
        for m in self.messages(conversation_id):
            who = "You" if m.role == "user" else "Coach"
            lines += [f"**{who}:**", "", m.content, ""]
            if m.citations:
                lines.append("Sources:")
                for c in m.citations:
                    where = f"{c['title']} - {c['section']}" if c.get("section") else c["title"]
                    lines.append(f"- [{c['n']}] {where} ({c['source']})")
                lines.append("")
        return "\n".join(lines)

    # --- profile -----------------------------------------------------------------------
    def profile(self) -> Profile:
        rows = self.db.query(
            'SELECT role, stage, goals FROM profiles WHERE "user" = ?', (self.user,)
        )
        if not rows:
            return Profile()
        r = rows[0]
        return Profile(r["role"], r["stage"], json.loads(r["goals"]))

    def save_profile(self, profile: Profile) -> Profile:
        clean = Profile(
            role=_clean_text(profile.role, 120, "role"),
            stage=_clean_text(profile.stage, 40, "career stage"),
            goals=[_clean_text(g, 200, "goal") for g in profile.goals if g and g.strip()][:10],
        )
        with self.db.transaction() as db:
            db.execute(
                'INSERT INTO profiles VALUES (?,?,?,?,?) ON CONFLICT("user") DO UPDATE SET '
                "role = excluded.role, stage = excluded.stage, goals = excluded.goals, "
                "updated = excluded.updated",
                (self.user, clean.role, clean.stage, json.dumps(clean.goals), time.time()),
            )
        return clean

    # --- action items ------------------------------------------------------------------
    def actions(self, open_only: bool = False) -> list[ActionItem]:
        sql = 'SELECT id, text, due, done FROM actions WHERE "user" = ?'
        if open_only:
            sql += " AND done = 0"
        rows = self.db.query(sql + " ORDER BY done, due = '', due, id", (self.user,))
        return [ActionItem(r["id"], r["text"], r["due"], bool(r["done"])) for r in rows]

    def add_action(self, text: str, due: str = "") -> ActionItem:
        text = _clean_text(text, MAX_ACTION, "action item")
        if not text:
            raise BadInputError("Please describe the action item.")
        due = parse_due(due)
        with self.db.transaction() as db:
            cur = db.execute(
                'INSERT INTO actions ("user", text, due, done, created) VALUES (?,?,?,0,?) '
                "RETURNING id",
                (self.user, text, due, time.time()),
            )
            action_id = cur.fetchone()[0]
        return ActionItem(int(action_id), text, due, False)

    def set_done(self, action_id: int, done: bool = True) -> None:
        with self.db.transaction() as db:
            cur = db.execute(
                'UPDATE actions SET done = ? WHERE id = ? AND "user" = ?',
                (int(done), action_id, self.user),
            )
        if cur.rowcount == 0:
            raise NotFoundError("That action item does not exist.")

    def delete_action(self, action_id: int) -> None:
        with self.db.transaction() as db:
            cur = db.execute(
                'DELETE FROM actions WHERE id = ? AND "user" = ?', (action_id, self.user)
            )
        if cur.rowcount == 0:
            raise NotFoundError("That action item does not exist.")

    # --- feedback ----------------------------------------------------------------------
    def add_feedback(self, turn_id: int, rating: int, comment: str = "") -> int:
        if rating not in (1, -1):
            raise BadInputError("Feedback is a thumbs up (1) or a thumbs down (-1).")
        comment = _clean_text(comment, MAX_COMMENT, "comment")
        owned = self.db.query(
            'SELECT id FROM turns WHERE id = ? AND "user" = ?', (turn_id, self.user)
        )
        if not owned:
            raise NotFoundError("That answer cannot be found, so feedback was not saved.")
        with self.db.transaction() as db:
            cur = db.execute(
                'INSERT INTO feedback ("user", turn_id, rating, comment, ts) VALUES (?,?,?,?,?) '
                "RETURNING id",
                (self.user, turn_id, rating, comment, time.time()),
            )
            feedback_id = cur.fetchone()[0]
        return int(feedback_id)

    # --- personal library --------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        return self.db.query(
            'SELECT id, filename, path, chunks, uploaded FROM documents WHERE "user" = ? '
            "ORDER BY uploaded DESC",
            (self.user,),
        )

    def add_document(self, filename: str, path: str, chunks: int) -> None:
        with self.db.transaction() as db:
            db.execute(
                'INSERT INTO documents ("user", filename, path, chunks, uploaded) VALUES '
                "(?,?,?,?,?) ON CONFLICT(path) DO UPDATE SET chunks = excluded.chunks, "
                "uploaded = excluded.uploaded",
                (self.user, filename, path, chunks, time.time()),
            )

    def remove_document(self, document_id: int) -> str:
        rows = self.db.query(
            'SELECT path FROM documents WHERE id = ? AND "user" = ?', (document_id, self.user)
        )
        if not rows:
            raise NotFoundError("That document does not exist in your library.")
        with self.db.transaction() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        return str(rows[0]["path"])


def export_feedback(db: Database) -> list[dict[str, Any]]:
    """Feedback joined with its turn, one record per rating: the raw material for evals."""
    rows = db.query(
        'SELECT f.id, f."user", f.rating, f.comment, f.ts, t.id AS turn_id, t.question, t.query, '
        "t.answer, t.passages, t.prompt, t.mode, t.model, t.refused, t.latency_ms "
        "FROM feedback f JOIN turns t ON t.id = f.turn_id ORDER BY f.id"
    )
    for r in rows:
        r["passages"] = json.loads(r["passages"])
        r["refused"] = bool(r["refused"])
    return rows


def as_dict(obj: Any) -> dict[str, Any]:
    return asdict(obj)

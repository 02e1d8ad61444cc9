"""Per-user data: conversations, profile, action items, feedback, isolation, migrations."""

import sqlite3

import pytest

from coach.db import MIGRATIONS, open_database
from coach.errors import BadInputError
from coach.mentee import MenteeData, NotFoundError, Profile, export_feedback
from coach.turnlog import TurnLog
from coach.types import Answer


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    """Every test here runs on both engines; PostgreSQL is a real server on loopback."""
    if request.param == "sqlite":
        target = tmp_path / "coach.db"
    else:
        target = request.getfixturevalue("pg_url")
    database = open_database(target)
    database.migrate()
    yield database
    database.close()


def test_conversation_lifecycle(db):
    me = MenteeData(db, "ana")
    conv = me.create_conversation()
    me.add_message(conv.id, "user", "How often should I meet my mentor?")
    me.add_message(
        conv.id,
        "assistant",
        "Monthly [1].",
        [{"n": 1, "title": "T", "section": "S", "source": "corpus/x.md"}],
        7,
    )
    (listed,) = me.conversations()
    assert listed.title == "How often should I meet my mentor?"  # named by the first question
    me.rename(conv.id, "Meeting rhythm")
    assert me.conversation(conv.id).title == "Meeting rhythm"
    md = me.export_markdown(conv.id)
    assert md.startswith("# Meeting rhythm") and "[1] T - S (corpus/x.md)" in md
    assert me.drop_last_answer(conv.id) == "How often should I meet my mentor?"
    assert me.messages(conv.id) == []
    me.delete(conv.id)
    assert me.conversations() == []


def test_users_cannot_touch_each_others_data(db):
    ana, ben = MenteeData(db, "ana"), MenteeData(db, "ben")
    conv = ana.create_conversation()
    ana.add_message(conv.id, "user", "private question")
    ana.save_profile(Profile("engineer", "mid-career", ["promotion"]))
    item = ana.add_action("Update my CV")
    assert ben.conversations() == [] and ben.profile() == Profile()
    assert ben.actions() == []
    for attempt in (
        lambda: ben.messages(conv.id),
        lambda: ben.rename(conv.id, "x"),
        lambda: ben.delete(conv.id),
        lambda: ben.set_done(item.id),
        lambda: ben.delete_action(item.id),
        lambda: ben.add_message(conv.id, "user", "x"),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert [m.content for m in ana.messages(conv.id)] == ["private question"]


def test_profile_and_actions(db):
    me = MenteeData(db, "ana")
    saved = me.save_profile(Profile(" product  manager ", "new-manager", ["lead a team", " ", ""]))
    assert saved == Profile("product manager", "new-manager", ["lead a team"])
    assert me.profile() == saved
    late = me.add_action("Book a skip-level", "2026-12-01")
    soon = me.add_action("Draft my plan", "2026-11-30")
    me.add_action("Read the guide")
    assert [a.text for a in me.actions()] == [
        "Draft my plan",
        "Book a skip-level",
        "Read the guide",
    ]
    me.set_done(soon.id)
    assert [a.id for a in me.actions(open_only=True)][0] == late.id
    with pytest.raises(BadInputError, match="2026-12-31"):
        me.add_action("x", "next tuesday")
    with pytest.raises(BadInputError):
        me.add_action("   ")


def test_feedback_is_stored_with_its_turn_and_exported(db):
    log = TurnLog(db, model="extractive")
    answer = Answer("Monthly [1].", [], False, "extractive", "extractive@v1", 12.5, "q")
    turn = log.record("How often?", answer, user="ana", conversation_id="c1")
    MenteeData(db, "ana").add_feedback(turn, -1, "too vague")
    with pytest.raises(NotFoundError):
        MenteeData(db, "ben").add_feedback(turn, 1)  # not ben's turn
    with pytest.raises(BadInputError):
        MenteeData(db, "ana").add_feedback(turn, 5)
    (row,) = export_feedback(db)
    assert (row["question"], row["rating"], row["comment"], row["prompt"]) == (
        "How often?",
        -1,
        "too vague",
        "extractive@v1",
    )
    assert row["latency_ms"] == 12.5 and row["mode"] == "extractive"


def test_old_database_upgrades_without_losing_turns(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, ts REAL)")
    MIGRATIONS[0][1](conn)  # the first release's schema
    conn.execute("INSERT INTO migrations VALUES ('m001_turns', 0)")
    conn.execute(
        "INSERT INTO turns (ts, question, query, answer, passages, prompt, mode, model, "
        "refused, latency_ms) VALUES (0, 'kept?', 'q', 'a', '[]', 'p', 'm', 'x', 0, 1)"
    )
    conn.commit()
    conn.close()
    db = open_database(path)
    db.migrate()
    assert db.query('SELECT question, "user" FROM turns') == [{"question": "kept?", "user": ""}]
    assert {r["name"] for r in db.query("SELECT name FROM migrations")} == {
        name for name, _ in MIGRATIONS
    }

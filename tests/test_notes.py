"""Reading the notes of the last meeting, in the shapes people actually write them."""

import datetime as dt

import pytest

from coach.notes import due_date, read_notes

TODAY = dt.date(2026, 12, 1)


def kinds(notes: str) -> dict[str, list[str]]:
    n = read_notes(notes, TODAY)
    return {
        "open": [a.text for a in n.open_actions],
        "done": n.done_actions,
        "decisions": n.decisions,
        "questions": n.open_questions,
        "topics": n.topics,
    }


def test_checklists_and_labels():
    got = kinds(
        "Talked about promotions.\n- [ ] Draft my development plan\n- [x] Read the book\n"
        "Action: ask Sam for an introduction\nTODO send the deck\nDecision: meet monthly\n"
        "Q: should I apply now?"
    )
    assert got["open"] == [
        "Draft my development plan",
        "ask Sam for an introduction",
        "send the deck",
    ]
    assert got["done"] == ["Read the book"]
    assert got["decisions"] == ["meet monthly"]
    assert got["questions"] == ["should I apply now?"]
    assert got["topics"] == ["promotions"]


def test_sections_under_headings():
    got = kinds(
        "## Decisions\n- Meet every two weeks\n**Next steps**\n* Update LinkedIn (due 2026-12-15)\n"
        "* Decided to skip the conference\nOpen questions:\n1. whether to take the course\n"
        "Done\n- rewrote my headline\nStill wondering whether a bootcamp is worth it"
    )
    assert got["decisions"] == ["Meet every two weeks", "Decided to skip the conference"]
    assert got["open"] == ["Update LinkedIn (due 2026-12-15)"]
    assert got["questions"] == [
        "whether to take the course",
        "Still wondering whether a bootcamp is worth it",
    ]
    assert got["done"] == ["rewrote my headline"]


def test_a_first_person_paragraph():
    got = kinds(
        "We talked about my promotion case. I'll send Dana my self-review by 12 Dec. I already "
        "booked the course. We decided I should wait until the reorg settles. Still not sure "
        "whether to apply for the platform team. Should I ask for a sponsor?"
    )
    assert got["open"] == ["I'll send Dana my self-review by 12 Dec"]
    assert got["done"] == ["I already booked the course"]
    assert got["decisions"] == ["We decided I should wait until the reorg settles"]
    assert got["questions"] == [
        "Still not sure whether to apply for the platform team",
        "Should I ask for a sponsor?",
    ]
    assert got["topics"] == ["my promotion case"]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("~~Ask Sam to cc me~~", "done"),
        ("✓ joined the speaker club", "done"),
        ("email HR about the band ✔", "done"),
        ("[done] wrote down the three points", "done"),
        ("Sent my manager the note about the track.", "done"),
        ("I've contacted my old manager", "done"),
        ("Priya to send me the article", "open"),
        ("Will look up two courses before next time.", "open"),
        ("find two analysts to talk to", "open"),
        ("Maria will share her notes", "open"),
        ("Plan: apply for two roles this month", "open"),
        ("TBD: whether to raise it in the retro", "questions"),
        ("Parking lot: is it normal to get this much feedback", "questions"),
        ("Torn between the staff path and the manager path.", "questions"),
        ("I haven't decided if I should ask for a feedback session.", "questions"),
        ("Agreed: keep the weekly one-to-one", "decisions"),
        ("I haven't sent the CV yet.", "open"),
        ("- [~] rewrite the summary", "open"),
        ("My action for Friday: call Sam", "open"),
        ("[Me] book the room", "open"),
        ("She suggested I try the STAR method.", "open"),
        ("- the friction with Tom", "topics"),
        ("I wonder whether the team is the right fit.", "questions"),
        ("Finished working on the slides.", "done"),
        ("I started the CV but haven't finished it.", "open"),
    ],
)
def test_one_line_in_many_styles(line, kind):
    got = kinds(line)
    assert [k for k, v in got.items() if v] == [kind], got


def test_a_markdown_table_of_actions():
    got = kinds(
        "| Action | Owner | Due | Status |\n|---|---|---|---|\n"
        "| Send CV to Maria | me | 2026-12-05 | open |\n| Book the course | me | | done |"
    )
    assert got["open"] == ["Send CV to Maria (due 2026-12-05)"]
    assert got["done"] == ["Book the course"]
    assert read_notes("| Action | Due |\n|--|--|\n| Send CV | 2026-12-05 |").open_actions[
        0
    ].due == ("2026-12-05")


def test_lines_under_a_notes_heading_are_topics_unless_they_say_more():
    got = kinds("Check-in notes\n* She said work has been overwhelming\n* I will send her the list")
    assert got["topics"] == ["She said work has been overwhelming"]
    assert got["open"] == ["I will send her the list"]


def test_open_actions_heading_holds_actions():
    got = kinds("Open actions:\n- send the deck\n- book a room")
    assert got["open"] == ["send the deck", "book a room"] and got["questions"] == []


def test_in_progress_is_not_done():
    got = kinds("In progress\n- rewriting my CV\nDone\n- booked the course")
    assert got["open"] == ["rewriting my CV"] and got["done"] == ["booked the course"]


def test_feelings_are_not_done_actions():
    got = kinds("I felt nervous before the demo. I needed more time on the slides.")
    assert got["done"] == []


def test_due_dates():
    assert due_date("by 2026-12-09", TODAY) == "2026-12-09"
    assert due_date("finish module 3 by 15 December", TODAY) == "2026-12-15"
    assert due_date("send it by Nov 3", TODAY) == "2027-11-03"  # past this year: next year
    assert due_date("by Friday", TODAY) == ""
    assert due_date("by 2026-02-30", TODAY) == ""


def test_empty_and_junk_notes():
    assert read_notes("").empty()
    assert read_notes("\n\n---\n***\n").empty()


def test_headings_and_dates_set_the_kind_and_are_never_items():
    got = kinds(
        "Notes - 20 Jan\nDone since last time\n- sent the deck to Priya\n"
        "Open questions for next time\n- whether to apply now\n"
        "## 2026-01-27\n- [ ] book the room"
    )
    assert got["done"] == ["sent the deck to Priya"]
    assert got["questions"] == ["whether to apply now"]
    assert got["open"] == ["book the room"]
    assert not got["topics"] and not got["decisions"]


def test_a_label_that_repeats_the_kind_is_stripped():
    got = kinds(
        "Open question for next time: whether to move teams\nAction: TODO: email Sam\n"
        "Done since last time: booked the course"
    )
    assert got["questions"] == ["whether to move teams"]
    assert got["open"] == ["email Sam"]
    assert got["done"] == ["booked the course"]


def test_a_done_item_is_not_also_open():
    got = kinds("- [ ] Send Sam the CV\n- [ ] book the room\nDone: sent Sam my CV")
    assert got["open"] == ["book the room"] and got["done"] == ["sent Sam my CV"]


def test_a_dated_line_that_is_an_action_stays_an_action():
    assert kinds("Call Sam 20 Jan")["open"] == ["Call Sam 20 Jan"]

"""A meeting prep, shared: the full Markdown, a short email to the mentor, an .ics file.

The .ics is written by hand to RFC 5545: one event for the meeting (its agenda in the
description) and one all-day event per action with a due date, CRLF line endings, lines
folded at 75 octets, text escaped. Calendar apps differ in how they show to-dos (VTODO),
so due dates are all-day events, which every calendar shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from coach.text import short_title
from coach.types import AgendaItem, Prep

PRODID = "-//Mentor Coach//Meeting prep//EN"
EMAIL_QUESTIONS = 3  # the email carries the few questions that matter most


def block_line(i: int, title: str, minutes: int) -> str:
    return f"{i}. **{title}** ({minutes} min)" if minutes else f"{i}. **{title}**"


def to_markdown(prep: Prep) -> str:
    lines = ["# Meeting prep", ""]
    lines.append("Goals: " + "; ".join(g.strip().rstrip(".;") for g in prep.goals))
    when = meeting_label(prep.next_meeting)
    lines += [
        "",
        f"Meeting: {prep.minutes} minutes" + (f", {when}" if when else ""),
        "",
        "## Agenda",
        "",
    ]
    start = 0
    numbers = {q.text: n for n, q in enumerate(prep.questions, 1)}
    for i, item in enumerate(prep.agenda, 1):
        span = f"{start}-{start + item.minutes} min" if item.minutes else ""
        start += item.minutes
        lines.append(
            f"{i}. **{item.title}** ({span}): {item.detail}"
            if span
            else f"{i}. **{item.title}**: {item.detail}"
        )
        lines += [f"   - {x}" for x in _block_items(item, numbers)]
    lines += ["", "## Questions to ask", ""]
    for i, q in enumerate(prep.questions, 1):
        refs = "".join(f"[{c.n}]" for c in q.citations)
        serves = f" _(for: {short_title(q.goal)})_" if q.goal else ""
        lines.append(f"{i}. {q.text} {refs}{serves}".replace("  ", " "))
    lines += ["", "## Sources", ""]
    for c in prep.citations:
        where = f"{c.title}, {c.section}" if c.section else c.title
        lines.append(f"[{c.n}] {where} ({c.source})")
    return "\n".join(lines) + "\n"


def _block_items(item: AgendaItem, numbers: dict[str, int]) -> list[str]:
    """A block's items as shown; a topic's questions are written out once, under "Questions
    to ask", and the block names them by number."""
    if item.kind != "topic":
        return list(item.items)
    asked = sorted(numbers[x] for x in item.items if x in numbers)
    if not asked:
        return []
    runs: list[str] = []
    for n in asked:
        if runs and runs[-1].split("-")[-1] == str(n - 1):
            runs[-1] = f"{runs[-1].split('-')[0]}-{n}"
        else:
            runs.append(str(n))
    return [("Question " if len(asked) == 1 else "Questions ") + ", ".join(runs) + " below"]


def meeting_label(when: str) -> str:
    """'Tue 15 Dec, 10:00' for an ISO date and time, '' when there is none."""
    if not when:
        return ""
    moment = dt.datetime.fromisoformat(when)
    return moment.strftime("%a %-d %b, %H:%M")


def _email_questions(prep: Prep) -> list[str]:
    """The first question of each goal, then the next ones, up to EMAIL_QUESTIONS."""
    by_goal: dict[str, list[str]] = {}
    for q in prep.questions:
        by_goal.setdefault(q.goal, []).append(q.text)
    out: list[str] = []
    while len(out) < EMAIL_QUESTIONS and any(by_goal.values()):
        for texts in by_goal.values():
            if texts and len(out) < EMAIL_QUESTIONS:
                out.append(texts.pop(0))
    return out


def to_email(prep: Prep) -> str:
    """A short note to paste into an email to the mentor: the blocks, the open items, and
    the few questions that matter most. No citations: the mentor does not need them."""
    when = meeting_label(prep.next_meeting)
    subject = "Agenda for our next mentoring meeting" + (f" ({when})" if when else "")
    lines = [f"Subject: {subject}", "", "Hi,", ""]
    lines.append(
        f"Here is what I would like to cover in our {prep.minutes} minutes, so you can see it "
        "beforehand:"
    )
    lines.append("")
    for i, item in enumerate(prep.agenda, 1):
        title = item.title.removeprefix("Topic: ")
        line = f"{i}. {title} ({item.minutes} min)"
        if item.kind in ("review", "updates") and item.items:
            line += ": " + "; ".join(x.removeprefix("Open action: ") for x in item.items)
        lines.append(line)
    questions = _email_questions(prep)
    if questions:
        lines += ["", "Questions I would like to ask:"]
        lines += [f"- {q}" for q in questions]
    lines += ["", "Thank you, and see you then."]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: lines of at most 75 octets, continued with a leading space; never
    split inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return out


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def to_ics(prep: Prep, now: dt.datetime | None = None) -> str:
    """The next meeting, with the agenda as its description, and each action's due date."""
    now = now or dt.datetime.now(dt.UTC)
    start = dt.datetime.fromisoformat(prep.next_meeting) if prep.next_meeting else None
    seed = hashlib.sha256(
        "\n".join([prep.next_meeting, *prep.goals, *(a.text for a in prep.actions)]).encode()
    ).hexdigest()[:16]
    agenda = "\n".join(
        f"{i}. {a.title} ({a.minutes} min)" + "".join(f"\n   - {x}" for x in a.items)
        for i, a in enumerate(prep.agenda, 1)
    )
    rows = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    rows.append("METHOD:PUBLISH")
    if start is not None:
        rows += [
            "BEGIN:VEVENT",
            f"UID:meeting-{seed}@mentor-coach",
            f"DTSTAMP:{_stamp(now)}",
            # Floating local time: the meeting is at 10:00 wherever the mentee is.
            f"DTSTART:{start.strftime('%Y%m%dT%H%M%S')}",
            f"DURATION:PT{prep.minutes}M",
            "SUMMARY:Mentoring meeting",
            f"DESCRIPTION:{_escape(agenda)}",
            "END:VEVENT",
        ]
    for n, action in enumerate(a for a in prep.actions if a.due):
        day = dt.date.fromisoformat(action.due)
        rows += [
            "BEGIN:VEVENT",
            f"UID:action-{seed}-{n}@mentor-coach",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_escape('Due: ' + action.text)}",
            f"DESCRIPTION:{_escape('An action from your mentoring meeting.')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    rows.append("END:VCALENDAR")
    return "".join(part + "\r\n" for row in rows for part in _fold(row))

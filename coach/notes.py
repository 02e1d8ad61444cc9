"""Notes from the last meeting, read for what the next one should pick up.

People keep notes in every shape: checklists (`- [ ]`, `- [x]`), labelled lines (`Action:`,
`TODO`, `Decision:`, `Q:`), sections under headings (`## Next steps`, `Decisions:`), or a
paragraph in the first person ("I'll send Sam my draft by Friday. We agreed I should wait
until the reorg settles. Still not sure whether to apply."). The reader below takes each
line, or each sentence of a paragraph, and sorts it into open actions, done actions,
decisions, open questions and topics. It keeps the writer's own words (minus list marks
and labels), so the agenda can name each item as the mentee wrote it.
"""

from __future__ import annotations

import datetime as dt
import re

from coach.text import content_terms
from coach.types import MeetingNotes, NoteAction

# A section heading: "## Actions", "**Decisions**", "Open questions:", "NEXT STEPS".
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*|\*\*|__)?(?P<name>[^:*#_]{2,40}?)(?:\*\*|__)?\s*:?\s*$")
_SECTION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "question",
        re.compile(
            r"\b(open questions?|questions?|unresolved|parking lot|to decide|to think about|"
            r"still open)\b|^open$"
        ),
    ),
    # Before "done": "In progress" is not done.
    ("action", re.compile(r"\b(in progress|pending|ongoing|not started|carry over)\b")),
    (
        "done",
        re.compile(
            r"\b(done|completed|finished|wins?|progress|achieved|accomplished|since last)\b"
        ),
    ),
    ("decision", re.compile(r"\b(decisions?|decided|agreed|agreements?|outcomes?)\b")),
    (
        "action",
        re.compile(
            r"\b(actions?|action items?|to ?dos?|to-dos?|next steps?|follow[- ]?ups?|tasks|"
            r"homework|commitments?|for next time|before next|owners?)\b"
        ),
    ),
    ("topic", re.compile(r"\b(discussed|topics?|talked about|covered|agenda|summary|notes)\b")),
)
# A label at the start of a line, before a colon or dash: "Action: ...", "TODO - ...".
# A label may say for when or whom: "Open question for next time:", "Done since last time:".
_FOR = r"(?:\s+(?:for|from|by|on|since|before|after|until)(?:\s+[\w'’]+){1,3}|\s*\([\w ]+\))?"
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "done",
        re.compile(rf"^(?:done|completed|finished|did|status: done){_FOR}\s*[:\-–]\s*", re.I),
    ),
    ("done", re.compile(r"^[(\[](?:done|completed|finished)[)\]]\s*", re.I)),
    (
        "action",
        re.compile(
            r"^(?:(?:my|mentor'?s?|the mentor'?s|our)\s+)?"
            r"(?:action(?: item)?s?|ai|todo|to do|to-dos?|next steps?|follow[- ]?ups?|tasks?|plan|"
            r"homework|commitments?|for next time|pending|in progress|wip|carry over)"
            rf"{_FOR}\s*[:\-–]\s*",
            re.I,
        ),
    ),
    ("action", re.compile(r"^todo\b\s*", re.I)),
    (
        "decision",
        re.compile(rf"^(?:decisions?|decided|agreed|outcome|conclusion){_FOR}\s*[:\-–]\s*", re.I),
    ),
    (
        "question",
        re.compile(
            r"^(?:open questions?|questions?(?: to think about| for (?:my )?mentor)?|q|unresolved|"
            rf"tbd|to be decided|to discuss|parking lot|open|undecided){_FOR}\s*[:\-–]\s*",
            re.I,
        ),
    ),
    ("topic", re.compile(r"^(?:topics?|discussed|talked about|covered)\s*[:\-–]\s*", re.I)),
)
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦→>]|=>|#?\d{1,2}[.):]|[a-z][.)])\s+")
# Someone's name or "me" before the item: "[Me] send it", "@sam to book", "(mentor) share".
_OWNER = re.compile(
    r"^(?:\[(?:me|mentor|[A-Z][a-z]+)\]|@\w+|\((?:me|mentor|[A-Z][a-z]+)\))\s*", re.I
)
_STRUCK = re.compile(r"^~~(.+)~~$")  # struck through in Markdown: done
_OPEN_BOX = re.compile(r"^\s*(?:\[[\s\-~/.>]\]|☐|□|❌|✗)\s*")  # open, or started
_DONE_BOX = re.compile(r"^\s*(?:\[[xX✓✔]\]|[✓✔☑✅])\s*")
_DONE_TAIL = re.compile(
    r"\s*(?:[(\[]\s*(?:done|completed|finished)\s*[)\]]|[-–—:]\s*(?:done|completed)|[✓✔☑✅])\s*\.?$",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])|(?<=[.!?])\s+(?=i\b)")

# Sentence rules, first match wins. Written for the first person, as notes to oneself are.
_OPEN_QUESTION = re.compile(
    r"\b(?:not sure (?:whether|if|how|what|when|about)|unsure (?:whether|if|how|about)|"
    r"still (?:deciding|unclear|wondering)|(?:is |it's |it is )?unclear (?:whether|if|how|what)|"
    r"open question|wondering (?:whether|if|how)|(?:haven't|have not|didn't) decided?|"
    r"(?:don't|do not) know (?:whether|if|how|what)|need to (?:figure out|work out|decide)|"
    r"undecided|torn between|debating (?:whether|if)|(?:still )?considering whether|"
    r"to be decided|tbd|or not\b|i wonder|need (?:advice|your view|input) on|"
    r"would like to discuss|want to discuss|to discuss)\b",
    re.I,
)
# "We agreed I'd ...", "agreed that I will ...": a decision that is really my action.
_AGREED_ACTION = re.compile(
    r"\b(?:agreed|said|promised)\s+(?:that\s+)?(?:i'd|i'll|i\s+(?:would|will|need to))\b|"
    r"\b(?:suggested|recommended|proposed)\s+(?:that\s+)?i\b|\b(?:asked|wants|told) me to\b",
    re.I,
)
_NOT_YET = re.compile(
    r"\b(?:haven't|have not|hasn't|has not|didn't|did not|not yet|still need to|yet to|"
    r"half done|in progress|pending|not started)\b",
    re.I,
)
# Not done yet, said as such: "haven't sent it yet", "still need to", "(in progress)".
_PENDING = re.compile(
    r"\b(?:haven't|have not|hasn't|has not|didn't|did not|not yet|still need to|still have to|"
    r"yet to|in progress|ongoing|pending|not started|wip|carry(?:ing)? over|half done|"
    r"started on|working on)\b",
    re.I,
)
_DECISION = re.compile(
    r"\b(?:we|i|they)\s+(?:have\s+|'ve\s+)?(?:decided|agreed|settled on|chose|are going with)\b|"
    r"\bdecision\b|\bagreed (?:that|to|on)\b|^(?:decided|agreed)\b",
    re.I,
)
# Something done, said in the past tense: "I already emailed Sam", "Sent the deck", "I've
# booked it". A verb in -ed after "I"/"we" (or opening the line) counts, except verbs of
# feeling or wanting, which describe, not report.
_PAST = (
    r"(?:[a-z]+ed|sent|wrote|written|read|got|did|done|made|met(?: with)?|took|gave|told|"
    r"spoke to|found|built|began|ran|set up|signed up|put|paid|won|bought|began|kept|left|"
    r"rewrote|reached out)"
)
_NOT_DONE = re.compile(
    r"^(?:i|we)?\s*(?:needed|wanted|hoped|felt|struggled|worried|wondered|noticed|liked|"
    r"loved|hated|decided|agreed|talked|discussed|covered|chatted|suggested|mentioned|"
    r"said|asked whether|asked if|planned|tried|seemed|used|need|want)\b",
    re.I,
)
_DONE = re.compile(
    rf"^(?:(?:i|we)\s+(?:have\s+|'ve\s+|had\s+)?|i've\s+|we've\s+)?"
    rf"(?:already\s+|finally\s+|also\s+|just\s+)*{_PAST}\b"
    r"|\b(?:is|are|was|were|now|all|already)\s+(?:done|finished|complete|completed|sent)\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(?:i(?:'ll| will| shall| am going to|'m going to| need to| have to| must| should|"
    r" plan to| want to| promised to| said i'd| said i would| owe)|"
    r"my (?:action|homework|task)|next step|to ?do|follow up|remember to|"
    r"(?:he|she|they|[A-Z][a-z]+) (?:will|is going to|promised to|offered to))\b|"
    r"\bby (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|next week|the end of|"
    r"end of|eow|eom|tomorrow|\d)",
    re.I,
)
# A line that opens with a verb of doing is a to-do in notes: "Ask Jo ...", "book a slot".
_IMPERATIVE = re.compile(
    r"^(?:ask|send|email|e-mail|message|write|draft|find|book|read|update|call|ring|schedule|"
    r"prepare|share|review|list|research|practise|practice|apply|reach out|talk to|speak to|"
    r"set up|follow up|check|finish|complete|plan|contact|meet|collect|gather|make|try|"
    r"look into|look up|sign up|register|join|create|build|start|submit|bring|post|learn|"
    r"watch|confirm|arrange|organise|organize|invite|introduce|rewrite|revise|polish|"
    r"practise|record|track|block|note down|jot down|map|outline|compare|test|fix|request|"
    r"pick|choose|set|raise|put|tell|give|thank|connect|keep)\b",
    re.I,
)
# "Will send the deck", "Priya to send the article", "Me - book a room": someone's to-do.
_WILL = re.compile(
    r"^(?:will|going to|need to|have to|must|should|planning to|plan to|hoping to|aim to|"
    r"intend to|want to|try to|(?:still )?(?:need|have) to)\s+\w",
    re.I,
)
_OWNER_TO = re.compile(r"^(?:[A-Z][a-z]+|me|mentor|my mentor|i)\s*(?:to\s+[a-z]+|[-–:]\s+\w)")
_TOPIC = re.compile(
    r"^(?:last time:?\s*|today:?\s*)?(?:(?:we|i)\s+(?:also\s+)?)?"
    r"(?:talked|spoke|chatted|discussed|covered|went over|looked at)(?:\s+(?:about|through))?\s+",
    re.I,
)
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for m in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b", re.I
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I
)
_LONGEST_ITEM = 300  # characters; a longer "item" is a paragraph that was not split


def due_date(text: str, today: dt.date | None = None) -> str:
    """The first date written in `text` (2026-12-10, 10 Dec, December 10th), as ISO, or "".
    A date without a year is the next one on or after today."""
    today = today or dt.date.today()
    m = _ISO_DATE.search(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return ""
    for pattern, day_first in ((_DAY_MONTH, True), (_MONTH_DAY, False)):
        m = pattern.search(text)
        if not m:
            continue
        day, month = (m[1], m[2]) if day_first else (m[2], m[1])
        try:
            year = int(m[3]) if m[3] else today.year
            when = dt.date(year, _MONTHS[month.lower().rstrip(".")], int(day))
            if not m[3] and when < today:
                when = when.replace(year=today.year + 1)
            return when.isoformat()
        except (ValueError, KeyError):
            return ""
    return ""


# What is left of a dated heading once its date is gone: "Notes - 20 Jan", "## 2026-01-20",
# "Mentoring session, 3 Feb 2026", "Catch-up with Priya (12 March)".
_DATED_HEADING = re.compile(
    r"^(?:(?:my|our|the|last|mentoring|meeting|session|notes?|minutes|recap|summary|"
    r"catch[- ]?up|check[- ]?in|sync|1:1|one[- ]to[- ]one|from|of|on|with [A-Z][a-z]+|"
    r"mon|tue|wed|thu|fri|sat|sun|[a-z]+day)\b[\s,.:;()\-–—/]*)*$",
    re.I,
)
# After the heading's word, only when or for whom: "Done since last time", "Actions for me".
_HEADING_TAIL = re.compile(
    r"^\W*(?:(?:since|for|from|before|after|until|this|last|next|of|on|at|in|to|by)\b.*)?$"
)


def _dated_heading(raw: str) -> bool:
    """A line that is a date and little else names a meeting: it heads notes, never an item."""
    text = raw.strip().lstrip("#").strip().strip("*_")
    if len(text.split()) > 7 or not due_date(text, dt.date(2000, 1, 1)):
        return False
    for pattern in (_ISO_DATE, _DAY_MONTH, _MONTH_DAY):
        text = pattern.sub(" ", text)
    text = re.sub(r"\b\d{1,4}\b", " ", text)
    return bool(_DATED_HEADING.match(text.strip()))


def _section(line: str) -> str | None:
    """The kind a heading line opens, "" for a heading of no known kind, None for content."""
    raw = line.strip()
    if not raw or _BULLET.match(raw) or len(raw) > 45:
        return None
    if _dated_heading(raw):
        return ""
    m = _HEADING.match(raw)
    if not m:
        return None
    marked = raw.startswith(("#", "**", "__")) or raw.endswith(":") or raw.isupper()
    name = m["name"].strip().lower()
    for kind, pattern in _SECTION_WORDS:
        # An unmarked line is a heading only when it is little more than the word itself
        # ("Next steps", "Done"), not a sentence that happens to contain it.
        found = pattern.search(name)
        if not found:
            continue
        short = len(name.split()) <= 3 and raw[-1] not in ".!?"
        # "Done since last time", "Open questions for next time": the word, then when.
        opens = found.start() == 0 and bool(_HEADING_TAIL.match(name[found.end() :]))
        if marked or short or (opens and raw[-1] not in ".!?"):
            return kind
    return "" if marked else None


def _gist(text: str) -> set[str]:
    # Three letters of each content word, so "Send the CV" and "Sent my CV" agree.
    return {t[:3] for t in content_terms(text)}


def same_item(a: str, b: str) -> bool:
    """Whether two notes name the same piece of work ("Send Sam the CV" / "Sent Sam my CV")."""
    x, y = _gist(a), _gist(b)
    return bool(x and y) and len(x & y) / len(x | y) >= 0.75


def _clean(text: str) -> str:
    text = " ".join(text.split()).strip(" \t-–—")
    text = re.sub(r"^(?:\*\*|__)(.+?)(?:\*\*|__)$", r"\1", text)
    return text.rstrip(" .;,")


def _sentence_kind(sentence: str) -> str:
    if sentence.rstrip().endswith("?") or _OPEN_QUESTION.search(sentence):
        return "question"
    if _AGREED_ACTION.search(sentence):
        return "action"
    if _DECISION.search(sentence):
        return "decision"
    if _TOPIC.match(sentence):
        return "topic"
    if (
        _DONE.search(sentence)
        and not _NOT_DONE.match(sentence)
        and not _NOT_YET.search(sentence)
        and not _ACTION.search(sentence)
    ):
        return "done"  # "Finished working on the slides", not "started but haven't finished"
    if (
        _IMPERATIVE.match(sentence)  # "Email Sam the deck"
        or _PENDING.search(sentence)  # "haven't sent the CV yet"
        or _ACTION.search(sentence)
        or _WILL.match(sentence)
        or _OWNER_TO.match(sentence)
    ):
        return "action"
    return ""


def _pieces(line: str) -> list[str]:
    """A line, or the sentences of a paragraph-long line."""
    parts = [p for p in _SENTENCE.split(line) if p.strip()]
    return parts if len(parts) > 1 else [line]


_TABLE_MARK = "\x00"  # a table row, rewritten as a list line


def _table_row(line: str, header: list[str]) -> tuple[list[str], str]:
    """A Markdown table row as one list line ("" for the header and the rule), with its
    status column turned into a mark: | Send CV | me | done | becomes a done item."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
        return header, ""
    names = [c.lower() for c in cells]
    if not header and any(
        re.search(r"\b(action|task|item|owner|who|status|due|when|question|decision|topic)\b", n)
        for n in names
    ):
        return names, ""
    text_col = next(
        (i for i, n in enumerate(header) if re.search(r"action|task|item|what|question", n)), 0
    )
    status_col = next((i for i, n in enumerate(header) if re.search(r"status|done|state", n)), -1)
    due_col = next((i for i, n in enumerate(header) if re.search(r"due|when|by", n)), -1)
    text = cells[text_col] if text_col < len(cells) else " ".join(cells)
    if 0 <= due_col < len(cells) and cells[due_col] and cells[due_col] not in text:
        text += f" (due {cells[due_col]})"
    status = cells[status_col].lower() if 0 <= status_col < len(cells) else ""
    if re.search(r"done|complete|finished|yes|✓|✔|✅", status):
        text = f"[x] {text}"
    elif status or any(re.search(r"action|task", n) for n in header):
        text = f"[ ] {text}"
    return header, _TABLE_MARK + text


def read_notes(notes: str, today: dt.date | None = None) -> MeetingNotes:
    """Sort the notes' lines (and a paragraph's sentences) into what the next meeting needs."""
    out = MeetingNotes()
    section: str | None = ""
    header: list[str] = []
    seen: set[str] = set()

    def add(kind: str, text: str) -> None:
        text = _clean(text)
        key = text.lower()
        if (
            not text
            or key in seen
            or len(text) > _LONGEST_ITEM
            or not any(c.isalpha() for c in text)
        ):
            return
        seen.add(key)
        if kind == "action":
            out.open_actions.append(NoteAction(text, due_date(text, today)))
        elif kind == "done":
            out.done_actions.append(text)
        elif kind == "decision":
            out.decisions.append(text)
        elif kind == "question":
            out.open_questions.append(text)
        elif kind == "topic-whole":
            out.topics.append(text)
        elif kind == "topic":
            text = _TOPIC.sub("", text, count=1) or text
            for topic in re.split(r"\s*[;,]\s*|\s+and\s+", text) if len(text) < 80 else [text]:
                topic = topic.rstrip(" .")
                if topic and topic.lower() not in (x.lower() for x in out.topics):
                    out.topics.append(topic)

    for raw in (notes or "").splitlines():
        if not raw.strip():
            continue
        heading = _section(raw)
        if heading is not None:
            section = heading
            continue
        if raw.lstrip().startswith("|"):
            header, row = _table_row(raw, header)
            if not row:
                continue
            raw = row
        listed = bool(_BULLET.match(raw)) or raw.startswith(_TABLE_MARK)
        line = _BULLET.sub("", raw.removeprefix(_TABLE_MARK)).strip()
        boxed = ""
        if _STRUCK.match(line):
            boxed, line = "done", _STRUCK.sub(r"\1", line)
        elif _DONE_BOX.match(line):
            boxed, line = "done", _DONE_BOX.sub("", line)
        elif _OPEN_BOX.match(line):
            boxed, line = "action", _OPEN_BOX.sub("", line)
        elif _DONE_TAIL.search(line):
            boxed, line = "done", _DONE_TAIL.sub("", line)
        line = _OWNER.sub("", line)
        labelled = ""
        for kind, pattern in _LABELS:
            if pattern.match(line):
                labelled, line = kind, pattern.sub("", line, count=1)
                break
        # A label said twice ("Action: TODO: ...") is still only the label.
        while any(k == labelled and p.match(line) for k, p in _LABELS):
            line = next(p for k, p in _LABELS if k == labelled and p.match(line)).sub(
                "", line, count=1
            )
        if labelled == "topic" or (not boxed and not labelled and section == "topic"):
            # "Discussed: a, b and c" lists topics, but a sentence under "Notes" may still
            # be an action or a question.
            for piece in _pieces(line):
                add(_sentence_kind(piece) or "topic", piece)
            continue
        if boxed or labelled:
            kind = boxed or labelled
            if kind == "action" and boxed == "" and line.rstrip().endswith("?"):
                kind = "question"
            add(kind, line)
            continue
        for piece in _pieces(line):
            kind = _sentence_kind(piece)
            if section == "action" and kind not in ("done", "question", "decision"):
                kind = "action"  # under "Next steps", a line is an action unless it says otherwise
            elif section in ("done", "decision") and kind != "question":
                kind = section  # a question is a question under any heading
            elif section == "question":
                kind = section
            if not kind and listed and len(piece.split()) <= 25:
                # A list item is an item even when it says nothing of its kind: it is
                # carried forward as something that was discussed.
                kind = "topic-whole"
            if kind:
                add(kind, piece)
    # Done is done: an action the notes also report as done is not open any more.
    out.open_actions = [
        a for a in out.open_actions if not any(same_item(a.text, d) for d in out.done_actions)
    ]
    return out

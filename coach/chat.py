"""`coach chat`: a saved conversation in the terminal, over `Coach.chat`.

The REPL only reads lines and prints what the facade yields, as the web app renders it.
A bad line is one message and the conversation goes on; end of input ends it cleanly.
"""

from __future__ import annotations

import sys
from contextlib import suppress
from pathlib import Path
from typing import Any, TextIO

from coach.errors import BadInputError, CoachError
from coach.types import Answer, Citation, Suggestion

HELP = """\
Type a question and press Enter. After an answer, type a suggestion's number to ask it.
  /new          start a new conversation
  /list         your conversations, newest first
  /open N       open conversation N of the list
  /export       this conversation as Markdown (/export FILE writes it to FILE)
  /help         this help
  /quit         leave (so does Ctrl-D)"""
HISTORY_LINES = 1000  # lines of typed input kept between sessions


def sources(citations: list[Citation]) -> list[str]:
    """One line per cited section, however many of its passages were quoted."""
    seen: dict[tuple[str, str], list[Citation]] = {}
    for c in citations:
        seen.setdefault((" ".join(c.title.split()), " ".join(c.section.split())), []).append(c)
    lines = []
    for (title, section), group in seen.items():
        marks = "".join(f"[{c.n}]" for c in group)
        where = f"{title} - {section}" if section else title
        lines.append(f"  {marks} {where} ({group[0].source})")
    return lines


class ChatRepl:
    def __init__(
        self,
        coach_: Any,
        user: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.coach = coach_
        self.data = coach_.mentee(user)
        self.user = user
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.conversation_id: str | None = None
        self.suggestions: list[Suggestion] = []
        self.listed: list[str] = []  # conversation ids, as /list numbered them
        self.interactive = self.stdin is sys.stdin and sys.stdin.isatty()
        self._history: Path | None = None

    # --- reading lines --------------------------------------------------------------------
    def _start_readline(self) -> None:
        """Line editing and a history kept across sessions, where readline exists."""
        try:
            import readline
        except ImportError:  # Windows without pyreadline: plain input still works
            return
        self._history = Path(self.coach.settings.home) / "chat-history"
        with suppress(OSError):
            readline.read_history_file(self._history)
        readline.set_history_length(HISTORY_LINES)

    def _save_readline(self) -> None:
        if self._history is None:
            return
        import readline

        with suppress(OSError):
            self._history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(self._history)

    def _read(self) -> str | None:
        """The next line, or None at the end of input."""
        if self.interactive:
            try:
                return input("you> ")
            except EOFError:
                self.out.write("\n")
                return None
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    # --- the loop -------------------------------------------------------------------------
    def run(self) -> None:
        if self.interactive:
            self._start_readline()
            self.say("Mentor Coach. Ask a question, or /help for commands.")
        try:
            while True:
                try:
                    line = self._read()
                    if line is None or not self.handle(line.strip()):
                        break
                except KeyboardInterrupt:  # Ctrl-C drops the line or the answer, not the chat
                    self.say("\n(stopped)")
        finally:
            self._save_readline()

    def say(self, text: str = "") -> None:
        self.out.write(f"{text}\n")
        self.out.flush()

    def problem(self, text: str) -> None:
        self.err.write(f"coach: {text}\n")
        self.err.flush()

    def handle(self, line: str) -> bool:
        """Act on one line; False when the chat should end."""
        if not line:
            return True
        try:
            if line.startswith("/"):
                return self.command(line)
            if line.isdigit():
                self.ask(self.pick(int(line)))
            else:
                self.ask(line)
        except CoachError as exc:
            self.problem(str(exc))
        except Exception as exc:  # the boundary: one line, and the chat goes on
            self.problem(f"unexpected error ({exc.__class__.__name__}: {exc}).")
        return True

    def command(self, line: str) -> bool:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        if name in ("/quit", "/exit", "/q"):
            return False
        if name == "/help":
            self.say(HELP)
        elif name == "/new":
            self.conversation_id, self.suggestions = None, []
            self.say("New conversation: ask your first question.")
        elif name == "/list":
            self.list_conversations()
        elif name == "/open":
            self.open(rest)
        elif name == "/export":
            self.export(rest)
        else:
            raise BadInputError(f"unknown command {name}; /help lists them.")
        return True

    def pick(self, number: int) -> str:
        if not self.suggestions:
            raise BadInputError("there are no suggestions to pick from yet; ask a question.")
        if not 1 <= number <= len(self.suggestions):
            raise BadInputError(f"pick a suggestion from 1 to {len(self.suggestions)}.")
        return self.suggestions[number - 1].text

    # --- a turn ---------------------------------------------------------------------------
    def ask(self, text: str) -> None:
        shown = ""
        answer: Answer | None = None
        for event in self.coach.chat(self.user, self.conversation_id, text):
            self.conversation_id = event.conversation_id
            if event.answer is not None:
                answer = event.answer
                break
            if event.text.startswith(shown):
                self.out.write(event.text[len(shown) :])
            else:  # the text was replaced: start it again on a new line
                self.out.write(f"\n{event.text}")
            self.out.flush()
            shown = event.text
        if answer is None:
            return
        if answer.answer.startswith(shown):
            self.out.write(answer.answer[len(shown) :])
        else:  # fell back: the final answer replaces what was shown
            self.out.write(("\n\n" if shown else "") + answer.answer)
        self.say()
        if answer.note:
            self.say(f"\nNote: {answer.note}")
        if answer.citations:
            self.say("\nSources:")
            self.say("\n".join(sources(answer.citations)))
        self.suggestions = list(answer.suggestions)
        if self.suggestions:
            self.say("\nYou could ask next:")
            for i, s in enumerate(self.suggestions, 1):
                self.say(f"  {i}. {s.text}")
        self.say()

    # --- conversations --------------------------------------------------------------------
    def list_conversations(self) -> None:
        conversations = self.data.conversations()
        self.listed = [c.id for c in conversations]
        if not conversations:
            self.say("No conversations yet: ask a question to start one.")
            return
        for i, c in enumerate(conversations, 1):
            mark = "*" if c.id == self.conversation_id else " "
            self.say(f"{mark}{i:>3}. {c.title}")

    def open(self, arg: str) -> None:
        if not arg.isdigit():
            raise BadInputError("say which conversation: /open N, with N from /list.")
        if not self.listed:
            self.listed = [c.id for c in self.data.conversations()]
        number = int(arg)
        if not 1 <= number <= len(self.listed):
            raise BadInputError(
                f"there is no conversation {number}; /list shows {len(self.listed)}."
            )
        conversation_id = self.listed[number - 1]
        conversation = self.data.conversation(conversation_id)
        self.conversation_id, self.suggestions = conversation_id, []
        self.say(f"Opened: {conversation.title}")
        for m in self.data.messages(conversation_id):
            self.say(f"\n{'you' if m.role == 'user' else 'coach'}> {m.content}")
        self.say()

    def export(self, target: str) -> None:
        if not self.conversation_id:
            raise BadInputError("there is no conversation to export yet; ask a question first.")
        markdown = self.data.export_markdown(self.conversation_id)
        if not target:
            self.out.write(markdown if markdown.endswith("\n") else f"{markdown}\n")
            self.out.flush()
            return
        path = Path(target).expanduser()
        try:
            path.write_text(markdown, encoding="utf-8")
        except OSError as exc:
            raise BadInputError(f"cannot write {target}: {exc.strerror}") from None
        self.say(f"Wrote this conversation to {path}.")

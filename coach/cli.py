"""`coach` on the command line: ingest, ask, chat, prep, serve.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import coach  # noqa: F401  (sets the offline environment before anything else imports)
from coach.errors import BadInputError, CoachError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"coach: error: {message}\n(run `coach --help` for usage)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="coach",
        description="An offline mentoring coach: answers career questions with cited advice.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("ingest", help="index the built-in corpus or your own files")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (.md .txt .html .pdf .docx .odt .pptx); none: the built-in corpus",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("ask", help="ask a question and get a cited answer")
    p.add_argument("question", help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--stream", action="store_true", help="print the answer as it is written (not with --json)"
    )
    p.add_argument("--topic", action="append", default=[], help="only guides on this topic")
    p.add_argument("--stage", action="append", default=[], help="only guides for this stage")

    p = sub.add_parser("chat", help="a saved conversation with the coach, in the terminal")
    p.add_argument("--user", default=None, help="whose conversations (default the local user)")

    p = sub.add_parser("prep", help="an agenda and questions for your next mentor meeting")
    p.add_argument(
        "--goal",
        action="append",
        default=[],
        metavar="TEXT",
        help="a goal for the meeting (repeat for several)",
    )
    p.add_argument("--notes", default="", metavar="TEXT", help="notes from the last meeting")
    p.add_argument("--notes-file", default=None, metavar="FILE", help="read the notes from a file")
    p.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="TEXT",
        help="an open action item from last time (repeat for several)",
    )
    p.add_argument("--topic", action="append", default=[], help="prefer this topic")
    p.add_argument(
        "--minutes",
        type=int,
        choices=(30, 45, 60),
        default=None,
        help="length of the meeting (default COACH_PREP_MINUTES)",
    )
    p.add_argument(
        "--next-meeting",
        default=None,
        metavar="WHEN",
        help="date (and time) of the next meeting, e.g. 2026-12-15 or '2026-12-15 14:30'",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--markdown", default=None, metavar="FILE", help="also write Markdown here")
    p.add_argument(
        "--email", default=None, metavar="FILE", help="also write the short email to your mentor"
    )
    p.add_argument(
        "--ics", default=None, metavar="FILE", help="also write the next meeting as an .ics file"
    )
    p.add_argument(
        "--no-profile",
        action="store_true",
        help="leave out your saved goals, open action items and recent conversations",
    )

    p = sub.add_parser("feedback", help="work with the thumbs up/down users gave answers")
    fb = p.add_subparsers(dest="feedback_command", required=True, parser_class=_Parser)
    p = fb.add_parser("export", help="write every rating with its turn as JSON lines")
    p.add_argument("--out", default="-", metavar="FILE", help="output file (default stdout)")

    p = sub.add_parser("user", help="manage who can sign in to the web app")
    us = p.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    stdin_help = "read the password from the first line of standard input (for scripts)"
    p = us.add_parser("add", help="add an account (the first one is an admin)")
    p.add_argument("name", help="the user name")
    p.add_argument("--admin", action="store_true", help="an admin account")
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)
    p = us.add_parser("remove", help="remove an account and end its sessions")
    p.add_argument("name", help="the user name")
    p = us.add_parser("list", help="list the accounts")
    p.add_argument("--json", action="store_true", help="print one JSON object a line")
    p = us.add_parser("reset-password", help="set a new password, end sessions, unlock")
    p.add_argument("name", help="the user name")
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)

    p = sub.add_parser("forget", help="delete everything stored for one user")
    p.add_argument("--user", required=True, help="the user name (local when sign-in is off)")

    p = sub.add_parser("backup", help="copy all of the coach's data into a new folder")
    p.add_argument("path", metavar="PATH", help="an empty or new folder")

    p = sub.add_parser("restore", help="replace the coach's data with a backup (stop it first)")
    p.add_argument("path", metavar="PATH", help="a folder written by `coach backup`")

    p = sub.add_parser("eval", help="run the offline eval set, compare with a baseline")
    p.add_argument(
        "--cases",
        action="append",
        default=[],
        metavar="GLOB",
        help="case files (default evals/cases/*.jsonl; repeat for several)",
    )
    p.add_argument(
        "--llm", default="extractive", metavar="SPEC", help="answerer (only extractive for now)"
    )
    p.add_argument(
        "--prompt",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME@VER",
        help="prompt version(s) to run side by side (default COACH_PROMPT)",
    )
    p.add_argument(
        "--baseline", default=None, metavar="PATH", help="a run.json to compare with and gate on"
    )
    p.add_argument("--out", default=None, metavar="DIR", help="report folder (evals/reports)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="KEY=VALUE",
        help="override a setting for this run, e.g. fusion=rrf (repeat for several)",
    )
    p.add_argument(
        "--thresholds",
        default=None,
        metavar="FILE",
        help="gate and calibration config (default evals/thresholds.yaml)",
    )

    p = sub.add_parser("serve", help="serve the coach in the browser")
    p.add_argument("--host", default=None, help="address (default COACH_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default COACH_PORT)")
    return parser


def _check_vocabulary(values: Sequence[str], kind: str) -> tuple[str, ...]:
    import yaml

    from coach.settings import get_settings

    path = get_settings().corpus_dir / "topics.yaml"
    try:
        known = set(yaml.safe_load(path.read_text(encoding="utf-8"))[kind])
    except (OSError, KeyError, TypeError):
        return tuple(values)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise BadInputError(
            f"unknown {kind[:-1]} {', '.join(unknown)!s}; choose from: {', '.join(sorted(known))}"
        )
    return tuple(values)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except CoachError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the boundary: never show a traceback
        from coach.settings import get_settings

        if get_settings().debug:
            raise
        print(
            f"coach: unexpected error ({exc.__class__.__name__}: {exc}). "
            "Set COACH_DEBUG=1 for details.",
            file=sys.stderr,
        )
        return 1


def _run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from coach.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["loc"]:
            name = "COACH_" + str(first["loc"][0]).upper()
            raise BadInputError(f"setting {name} is invalid: {first['msg']}") from None
        # A rule across settings: its message names them (and never their values).
        raise BadInputError(f"settings: {first['msg'].removeprefix('Value error, ')}") from None

    from coach.facade import Coach

    coach_ = Coach(settings)
    if args.command == "ingest":
        from coach.ingest import tqdm_progress

        progress = None if args.quiet or not sys.stderr.isatty() else tqdm_progress()
        report = coach_.ingest(args.paths or None, progress=progress)
        for failure in report.failures:
            print(f"skipped: {failure}", file=sys.stderr)
        print(f"Ingested {report.summary()}.")
        return 1 if report.failures else 0

    if args.command == "ask":
        from coach.types import Filters

        filters = Filters(
            topics=_check_vocabulary(args.topic, "topics"),
            stages=_check_vocabulary(args.stage, "stages"),
        )
        if args.stream and not args.json:
            answer = _print_stream(coach_.stream(args.question, filters=filters))
        else:
            answer = coach_.ask(args.question, filters=filters)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            if not args.stream:
                print(answer.answer)
            if answer.note:
                print(f"\nNote: {answer.note}")
            if answer.citations:
                print("\nSources:")
                for c in answer.citations:
                    where = f"{c.title} - {c.section}" if c.section else c.title
                    print(f"  [{c.n}] {where} ({c.source})")
        return 0

    if args.command == "chat":
        from coach.chat import ChatRepl
        from coach.mentee import LOCAL_USER

        ChatRepl(coach_, args.user or LOCAL_USER).run()
        return 0

    if args.command == "prep":
        from coach.mentee import LOCAL_USER
        from coach.share import to_email, to_ics, to_markdown

        notes = args.notes
        if args.notes_file:
            try:
                notes = Path(args.notes_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInputError(f"cannot read notes file {args.notes_file}: {exc}") from None
        result = coach_.prep(
            args.goal,
            notes=notes,
            actions=args.action,
            topics=_check_vocabulary(args.topic, "topics"),
            minutes=args.minutes,
            user=None if args.no_profile else LOCAL_USER,
            next_meeting=args.next_meeting,
        )
        markdown, email, ics = to_markdown(result), to_email(result), to_ics(result)
        for path, text in ((args.markdown, markdown), (args.email, email), (args.ics, ics)):
            if path:
                try:
                    # newline="" keeps the .ics file's CRLF line endings as RFC 5545 wants.
                    with open(path, "w", encoding="utf-8", newline="") as f:
                        f.write(text)
                except OSError as exc:
                    raise BadInputError(f"cannot write {path}: {exc.strerror}") from None
        if args.json:
            payload = result.to_json()
            payload.update(markdown=markdown, email=email, ics=ics)
            print(json.dumps(payload, ensure_ascii=False))
        else:
            print(markdown)
            print("## Email to your mentor\n")
            print(email, end="")
        return 0

    if args.command == "feedback":
        from coach.mentee import export_feedback

        lines = [json.dumps(row, ensure_ascii=False) for row in export_feedback(coach_.db)]
        text = "".join(f"{line}\n" for line in lines)
        if args.out == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.out).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise BadInputError(f"cannot write {args.out}: {exc.strerror}") from None
            print(f"Wrote {len(lines)} feedback records to {args.out}.", file=sys.stderr)
        return 0

    if args.command == "user":
        return _user_command(coach_, args)

    if args.command in ("forget", "backup", "restore"):
        from coach import maintenance

        if args.command == "forget":
            r = maintenance.forget_user(coach_.store, coach_.db, settings, args.user)
            print(f"Forgot {args.user}: {r.rows} records, {r.chunks} passages, {r.files} files.")
        elif args.command == "backup":
            counts = maintenance.backup(coach_.store, settings, Path(args.path))
            print(f"Backed up to {args.path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        else:
            counts = maintenance.restore(coach_.store, settings, Path(args.path))
            print(f"Restored from {args.path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        return 0

    if args.command == "eval":
        from coach.evals import DEFAULT_CASES, EVALS_DIR, evaluate, load_config, parse_overrides
        from coach.report import markdown, write_reports

        run = evaluate(
            settings,
            case_patterns=args.cases or [DEFAULT_CASES],
            llm=args.llm,
            prompts=args.prompt,
            overrides=parse_overrides(args.overrides),
            config=load_config(Path(args.thresholds)) if args.thresholds else None,
            baseline=Path(args.baseline) if args.baseline else None,
            progress=lambda message: print(f"eval: {message}", file=sys.stderr),
        )
        paths = write_reports(run, Path(args.out) if args.out else EVALS_DIR / "reports")
        print(markdown(run))
        print("\n".join(f"{kind}: {path}" for kind, path in paths.items()))
        return 1 if run.gate_failed else 0

    if args.command == "serve":
        from coach.web import serve

        serve(coach_, host=args.host or settings.host, port=args.port or settings.port)
        return 0
    raise BadInputError(f"unknown command {args.command}")


def _read_password(args: argparse.Namespace) -> str:
    """From standard input with --password-stdin, else typed twice at a hidden prompt;
    never from the command line, where other users' `ps` would show it."""
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise BadInputError("no password on standard input.")
        return password.removesuffix("\r")
    if not sys.stdin.isatty():
        raise BadInputError(
            "no password given: run this in a terminal to type it, or pass --password-stdin."
        )
    import getpass

    password = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("The same password again: ") != password:
        raise BadInputError("the two passwords differ; nothing was changed.")
    return password


def _user_command(coach_: Any, args: argparse.Namespace) -> int:
    import time

    from coach.accounts import AccountStore, Throttle

    settings = coach_.settings
    accounts = AccountStore(coach_.db, settings.password_min_chars)
    throttle = Throttle(
        coach_.db,
        settings.signin_max_failures,
        settings.signin_address_max_failures,
        settings.signin_cooloff_seconds,
    )
    if settings.auth:
        print(
            "coach: note: COACH_AUTH is set, so the web app signs in its users, not these "
            "accounts, until it is unset.",
            file=sys.stderr,
        )
    command = args.user_command
    if command in ("add", "reset-password"):
        from coach.accounts import check_name

        check_name(args.name)  # before asking for a password that would be wasted
    if command == "reset-password" and args.name not in {a.name for a in accounts.accounts()}:
        raise BadInputError(f"There is no user {args.name!r} (`coach user list` shows them).")
    if command == "add":
        first = accounts.count() == 0
        account = accounts.add(args.name, _read_password(args), admin=args.admin)
        print(f"Added {account.name} ({account.role}).")
        if first:
            print(
                "Sign-in is now required. A `coach serve` already running with one local "
                "user keeps that until it is restarted.",
                file=sys.stderr,
            )
    elif command == "remove":
        account = accounts.remove(args.name)
        throttle.clear(account.name)
        print(
            f"Removed {account.name}; their sessions end at their next request. Their "
            f"conversations and documents stay until `coach forget --user {account.name}`."
        )
    elif command == "reset-password":
        account = accounts.reset_password(args.name, _read_password(args))
        throttle.clear(account.name)
        print(f"New password set for {account.name}; their sessions ended, any lock lifted.")
    else:
        for account in accounts.accounts():
            locked = throttle.locked_for(account.name)
            row = {
                "name": account.name,
                "role": account.role,
                "created": time.strftime("%Y-%m-%d %H:%M", time.localtime(account.created)),
                "locked_seconds": round(locked),
            }
            if args.json:
                print(json.dumps(row, ensure_ascii=False))
            else:
                state = f"  locked for {round(locked)} s" if locked else ""
                print(f"{account.name}\t{account.role}\tadded {row['created']}{state}")
    return 0


def _print_stream(items) -> Any:
    """Print partial texts as they grow; returns the final `Answer`."""
    from coach.types import Answer

    shown = ""
    for item in items:
        if isinstance(item, Answer):
            if item.answer.startswith(shown):
                sys.stdout.write(item.answer[len(shown) :])
            else:  # fell back: what was shown is replaced by the final answer
                sys.stdout.write(("\n\n" if shown else "") + item.answer)
            sys.stdout.write("\n")
            sys.stdout.flush()
            return item
        sys.stdout.write(item[len(shown) :] if item.startswith(shown) else f"\n{item}")
        sys.stdout.flush()
        shown = item
    raise CoachError("the answer stream ended without an answer")


if __name__ == "__main__":
    sys.exit(main())

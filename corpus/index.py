"""Build the index table in corpus/README.md from the guides and question banks.

    python corpus/index.py           rewrite the index between the README markers
    python corpus/index.py --check   exit 1 if the README index is out of date

Standard library and PyYAML only, so it runs without the rest of the project installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

CORPUS_DIR = Path(__file__).resolve().parent
START = "<!-- index:start -->"
END = "<!-- index:end -->"
# The same front-matter shape coach/load.py accepts.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
# (folder, kind shown in the index); guides are listed before question banks.
SECTIONS = (("guides", "guide"), ("questions", "questions"))


def parse(path: Path | str) -> tuple[dict, str]:
    """Return (front matter, body) for a Markdown file; ({}, text) if it has no front matter.

    Raises ValueError if the front matter is not valid YAML or not a mapping.
    """
    path = Path(path)
    raw = path.read_text(encoding="utf-8-sig")
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid front matter ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: front matter is not a mapping")
    return meta, raw[m.end() :]


def corpus_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(kind, path) for every guide then every question bank, each group sorted by file stem."""
    corpus_dir = Path(corpus_dir)
    out: list[tuple[str, Path]] = []
    for folder, kind in SECTIONS:
        paths = sorted((corpus_dir / folder).glob("*.md"), key=lambda p: p.stem)
        out.extend((kind, p) for p in paths)
    return out


def _cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def _topics(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def render_index(corpus_dir: Path) -> str:
    """The Markdown index table: one row per guide, then one per question bank."""
    rows = [
        "| id | kind | title | topics | words |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for kind, path in corpus_files(corpus_dir):
        meta, body = parse(path)
        ident = meta.get("id") or path.stem
        rows.append(
            f"| {_cell(ident)} | {kind} | {_cell(meta.get('title', ''))} "
            f"| {_cell(_topics(meta.get('topics')))} | {len(body.split())} |"
        )
    return "\n".join(rows) + "\n"


def readme_section(readme_text: str) -> str | None:
    """The text between the index markers, or None if the markers are missing."""
    start = readme_text.find(START)
    end = readme_text.find(END, start + len(START)) if start != -1 else -1
    if start == -1 or end == -1:
        return None
    return readme_text[start + len(START) : end]


def updated_readme(readme_text: str, table: str) -> str:
    start = readme_text.find(START)
    end = readme_text.find(END, start + len(START)) if start != -1 else -1
    if start == -1 or end == -1:
        raise ValueError(f"README is missing the {START} / {END} markers")
    return readme_text[: start + len(START)] + "\n\n" + table + "\n" + readme_text[end:]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    unknown = [a for a in args if a != "--check"]
    if unknown:
        print(
            f"usage: python corpus/index.py [--check] (unknown: {' '.join(unknown)})",
            file=sys.stderr,
        )
        return 2
    readme = CORPUS_DIR / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
        new = updated_readme(text, render_index(CORPUS_DIR))
    except (OSError, ValueError) as exc:
        print(f"corpus/index.py: {exc}", file=sys.stderr)
        return 1
    if check:
        if new != text:
            print("corpus/README.md index is out of date; run `python corpus/index.py`")
            return 1
        return 0
    if new != text:
        readme.write_text(new, encoding="utf-8")
        print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

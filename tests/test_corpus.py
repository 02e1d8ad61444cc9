"""Keep the built-in corpus from rotting: front matter, vocabulary, size, shape, the README index.

Fast and offline: no model, no network, only the files under corpus/.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

MIN_GUIDES = 40
MIN_BANKS = 25
MIN_TOTAL_QUESTIONS = 400
MIN_TOTAL_GUIDE_WORDS = 30_000
MIN_GUIDE_WORDS = 400
MAX_GUIDE_WORDS = 1_300
MIN_SECTIONS = 3
MIN_QUESTIONS = 10

GUIDE_KEYS = ("id", "title", "topics", "stages", "summary")
BANK_KEYS = ("kind", "id", "title", "topics")

_H1 = re.compile(r"^#(?:[ \t]|$)", re.M)
_H2 = re.compile(r"^##[ \t]+\S", re.M)
# A section's first sentence is its direct answer and is read first, alone: it may not
# open with a word that leans on text before it.
_LEANING_START = re.compile(
    r"^##[ \t]+[^\n]*\n\s*[\"'\u201c]?(This|That|These|Those|It|They|Another|Also|Such|Here)\b",
    re.M,
)
_LIST_LINE = re.compile(r"^[ \t]*[-*+][ \t]+(.*?)\s*$", re.M)


def _load_index_module():
    spec = importlib.util.spec_from_file_location("corpus_index", CORPUS / "index.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


index = _load_index_module()


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def _vocab_problems(name: str, key: str, value: object, allowed: set[str]) -> list[str]:
    if not isinstance(value, list):
        return [f"{name}: `{key}` must be a list, got {type(value).__name__}"]
    out = []
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            out.append(f"{name}: unknown {key[:-1]} {item!r} (not in topics.yaml `{key}`)")
    if len(set(map(str, value))) != len(value):
        out.append(f"{name}: `{key}` lists the same value twice")
    return out


def problems(corpus_dir: Path) -> list[str]:
    """Every way the corpus under `corpus_dir` breaks the rules, one readable line each."""
    corpus_dir = Path(corpus_dir)
    out: list[str] = []
    try:
        vocab = yaml.safe_load((corpus_dir / "topics.yaml").read_text(encoding="utf-8")) or {}
        topics = set((vocab.get("topics") or {}).keys())
        stages = set((vocab.get("stages") or {}).keys())
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        return [f"topics.yaml: cannot read the vocabulary ({exc})"]
    if not topics or not stages:
        out.append("topics.yaml: needs non-empty `topics` and `stages` mappings")

    seen_ids: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    n_guides = n_banks = total_guide_words = 0

    for kind, path in index.corpus_files(corpus_dir):
        name = f"{path.parent.name}/{path.name}"
        try:
            meta, body = index.parse(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            out.append(f"{name}: cannot parse ({exc})")
            continue
        if not meta:
            out.append(f"{name}: no front matter")
            continue

        required = GUIDE_KEYS if kind == "guide" else BANK_KEYS
        for key in required:
            if key not in meta:
                out.append(f"{name}: front matter is missing `{key}`")
            elif _empty(meta[key]):
                out.append(f"{name}: front matter `{key}` is empty")
        for key in ("id", "title", "summary", "kind"):
            if key in meta and not _empty(meta[key]) and not isinstance(meta[key], str):
                out.append(f"{name}: `{key}` must be text")

        if kind == "guide" and meta.get("kind", "guide") != "guide":
            out.append(f"{name}: a guide must not declare kind {meta.get('kind')!r}")
        if kind == "questions" and "kind" in meta and meta["kind"] != "questions":
            out.append(f"{name}: kind is {meta['kind']!r}, expected 'questions'")

        ident = meta.get("id")
        if isinstance(ident, str) and ident:
            if ident != path.stem:
                out.append(f"{name}: id {ident!r} does not match the file name {path.stem!r}")
            if ident in seen_ids:
                out.append(f"{name}: id {ident!r} is already used by {seen_ids[ident]}")
            else:
                seen_ids[ident] = name

        if not _empty(meta.get("topics")):
            out.extend(_vocab_problems(name, "topics", meta["topics"], topics))
        if not _empty(meta.get("stages")):
            out.extend(_vocab_problems(name, "stages", meta["stages"], stages))

        if kind == "guide":
            n_guides += 1
            words = len(body.split())
            total_guide_words += words
            if words < MIN_GUIDE_WORDS:
                out.append(f"{name}: body has {words} words, under {MIN_GUIDE_WORDS}")
            if words > MAX_GUIDE_WORDS:
                out.append(f"{name}: body has {words} words, over {MAX_GUIDE_WORDS}")
            sections = len(_H2.findall(body))
            if sections < MIN_SECTIONS:
                out.append(f"{name}: {sections} `##` sections, needs at least {MIN_SECTIONS}")
            if _H1.search(body):
                out.append(f"{name}: body has a `#` h1 heading; the title belongs in front matter")
            for m in _LEANING_START.finditer(body):
                out.append(f"{name}: a section opens with {m.group(1)!r}, leaning on unseen text")
        else:
            n_banks += 1
            items = _LIST_LINE.findall(body)
            questions = [q for q in items if q.endswith("?")]
            for item in items:
                if not item.endswith("?"):
                    out.append(f"{name}: list line does not end with '?': {item[:60]!r}")
            if len(questions) < MIN_QUESTIONS:
                out.append(f"{name}: {len(questions)} questions, needs at least {MIN_QUESTIONS}")
            for q in questions:
                key = " ".join(q.lower().split())
                if key in seen_questions:
                    out.append(f"{name}: question repeated from {seen_questions[key]}: {q[:60]!r}")
                else:
                    seen_questions[key] = name

    if n_guides < MIN_GUIDES:
        out.append(f"corpus: {n_guides} guides, needs at least {MIN_GUIDES}")
    if n_banks < MIN_BANKS:
        out.append(f"corpus: {n_banks} question banks, needs at least {MIN_BANKS}")
    if len(seen_questions) < MIN_TOTAL_QUESTIONS:
        out.append(
            f"corpus: {len(seen_questions)} bank questions, needs at least {MIN_TOTAL_QUESTIONS}"
        )
    if total_guide_words < MIN_TOTAL_GUIDE_WORDS:
        out.append(
            f"corpus: {total_guide_words} guide words in total, needs at least "
            f"{MIN_TOTAL_GUIDE_WORDS}"
        )
    return out


def test_corpus_has_no_problems():
    found = problems(CORPUS)
    assert found == [], "corpus problems:\n" + "\n".join(found)


def test_readme_index_is_current():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    section = index.readme_section(readme)
    assert section is not None, "corpus/README.md lost its index markers"
    assert section.strip() == index.render_index(CORPUS).strip(), (
        "corpus/README.md index is out of date; run `python corpus/index.py`"
    )


def test_index_lists_every_file_once_guides_first():
    rows = [line for line in index.render_index(CORPUS).splitlines()[2:] if line.startswith("|")]
    files = index.corpus_files(CORPUS)
    assert len(rows) == len(files)
    kinds = [row.split("|")[2].strip() for row in rows]
    assert kinds == sorted(kinds, key=lambda k: k != "guide")


def test_index_check_mode_flags_a_stale_readme(tmp_path, monkeypatch, capsys):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    monkeypatch.setattr(index, "CORPUS_DIR", copy)
    assert index.main(["--check"]) == 0
    readme = copy / "README.md"
    stale = readme.read_text(encoding="utf-8").replace(
        index.END, "| gone | guide | A deleted guide | goals | 500 |\n" + index.END
    )
    readme.write_text(stale, encoding="utf-8")
    assert index.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert index.main([]) == 0
    assert index.main(["--check"]) == 0


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


_GOOD_BODY = "\n".join(
    ["Intro sentence that stands on its own for the test guide."]
    + [f"## Section {n}?\n\n" + "word " * 150 for n in range(3)]
)


def test_validator_catches_a_bad_guide(tmp_path):
    copy = _copy(tmp_path)
    (copy / "guides" / "bad-guide.md").write_text(
        "---\n"
        "id: bad-guide\n"
        "title: A guide with broken front matter\n"
        "topics: [feedback, not-a-real-topic]\n"
        "stages: [early-career]\n"
        "---\n\n" + _GOOD_BODY,
        encoding="utf-8",
    )
    found = [p for p in problems(copy) if p.startswith("guides/bad-guide.md")]
    assert any("missing `summary`" in p for p in found), found
    assert any("'not-a-real-topic'" in p for p in found), found
    assert len(found) == 2, found


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        (
            "guides/other-name.md",
            "---\nid: mismatch\ntitle: T\ntopics: [goals]\nstages: [student]\nsummary: S.\n---\n"
            + _GOOD_BODY,
            "does not match the file name",
        ),
        (
            "guides/short-guide.md",
            "---\nid: short-guide\ntitle: T\ntopics: [goals]\nstages: [student]\nsummary: S.\n---\n"
            "# Heading one\n\n## Only one section?\n\nToo short.\n",
            "under 400",
        ),
        (
            "guides/short-guide.md",
            "---\nid: short-guide\ntitle: T\ntopics: [goals]\nstages: [student]\nsummary: S.\n---\n"
            "# Heading one\n\n## Only one section?\n\nToo short.\n",
            "`#` h1 heading",
        ),
        (
            "guides/short-guide.md",
            "---\nid: short-guide\ntitle: T\ntopics: [goals]\nstages: [student]\nsummary: S.\n---\n"
            "# Heading one\n\n## Only one section?\n\nToo short.\n",
            "1 `##` sections",
        ),
        (
            "guides/lean.md",
            "---\nid: lean\ntitle: T\ntopics: [goals]\nstages: [student]\nsummary: S.\n---\n"
            + _GOOD_BODY
            + "\n## Does it lean?\n\nThis is why the section above matters.\n",
            "a section opens with 'This'",
        ),
        (
            "guides/bad-stage.md",
            "---\nid: bad-stage\ntitle: T\ntopics: [goals]\nstages: [toddler]\nsummary: ''\n---\n"
            + _GOOD_BODY,
            "unknown stage 'toddler'",
        ),
        (
            "guides/bad-stage.md",
            "---\nid: bad-stage\ntitle: T\ntopics: [goals]\nstages: [toddler]\nsummary: ''\n---\n"
            + _GOOD_BODY,
            "`summary` is empty",
        ),
        (
            "questions/thin-bank.md",
            "---\nkind: questions\nid: thin-bank\ntitle: T\ntopics: [goals]\n---\n\n## Few\n"
            "- Is this one question?\n- This line is not a question\n",
            "1 questions, needs at least 10",
        ),
        (
            "questions/thin-bank.md",
            "---\nkind: questions\nid: thin-bank\ntitle: T\ntopics: [goals]\n---\n\n## Few\n"
            "- Is this one question?\n- This line is not a question\n",
            "does not end with '?'",
        ),
        (
            "questions/no-kind.md",
            "---\nid: no-kind\ntitle: T\ntopics: [goals]\n---\n\n## Q\n"
            + "".join(f"- Unique made-up question number {n}?\n" for n in range(10)),
            "missing `kind`",
        ),
        (
            "questions/what-is-mentorship.md",
            "---\nkind: questions\nid: what-is-mentorship\ntitle: T\ntopics: [goals]\n---\n\n## Q\n"
            + "".join(f"- Unique made-up question number {n}?\n" for n in range(10)),
            "is already used by guides/what-is-mentorship.md",
        ),
    ],
)
def test_validator_catches_other_breakage(tmp_path, filename, text, expected):
    copy = _copy(tmp_path)
    (copy / filename).write_text(text, encoding="utf-8")
    name = filename
    found = [p for p in problems(copy) if p.startswith(name)]
    assert any(expected in p for p in found), found


def test_validator_catches_a_repeated_question(tmp_path):
    copy = _copy(tmp_path)
    bank = copy / "questions" / "first-90-days.md"
    _, body = index.parse(bank)
    first = re.search(r"^- (.+\?)$", body, re.M).group(1)
    (copy / "questions" / "zz-repeat.md").write_text(
        "---\nkind: questions\nid: zz-repeat\ntitle: T\ntopics: [goals]\n---\n\n## Q\n"
        f"- {first.upper()}\n"
        + "".join(f"- Unique made-up question number {n}?\n" for n in range(10)),
        encoding="utf-8",
    )
    found = [p for p in problems(copy) if p.startswith("questions/zz-repeat.md")]
    assert any("question repeated from questions/first-90-days.md" in p for p in found), found


def test_validator_catches_too_small_a_corpus(tmp_path):
    copy = _copy(tmp_path)
    for path in sorted((copy / "guides").glob("*.md"))[:10]:
        path.unlink()
    found = problems(copy)
    assert any(p.startswith("corpus:") and "guides, needs at least 40" in p for p in found), found


def test_every_guide_section_has_its_phrasings():
    """corpus/phrasings/<guide>.yaml gives each `##` section 3-6 other ways of asking its
    question and a perspective; headings must match the guide exactly."""
    from coach.phrasings import PERSPECTIVES, load_all

    by_guide: dict[str, list] = {}
    for s in load_all(CORPUS / "phrasings"):
        by_guide.setdefault(s.guide, []).append(s)
    for guide in sorted((CORPUS / "guides").glob("*.md")):
        headings = [ln[3:].strip() for ln in guide.read_text().splitlines() if ln.startswith("## ")]
        sections = by_guide.pop(guide.stem, [])
        assert [s.heading for s in sections] == headings, guide.stem
        for s in sections:
            assert 3 <= len(s.phrasings) <= 6 and s.perspective in PERSPECTIVES, s.key
            assert len(set(s.phrasings)) == len(s.phrasings), s.key
    assert not by_guide, f"phrasings for guides that do not exist: {sorted(by_guide)}"

import os
from pathlib import Path

import pytest

from coach.errors import LoadError
from coach.load import find_files, load


def test_markdown_front_matter_becomes_metadata(docs: Path):
    d = load(docs / "meeting-rhythm.md", "meeting-rhythm.md")
    assert d.title == "Meeting rhythm with a mentor"
    assert d.topics == ("meetings", "agreements") and d.stages == ("early-career",)
    assert d.kind == "guide" and not d.text.startswith("---")


def test_html_keeps_visible_text_and_headings_only(docs: Path):
    d = load(docs / "networking.html", "networking.html")
    assert d.title == "Networking without awkwardness"
    assert "## How do you start a conversation at an event?" in d.text
    assert "tracking" not in d.text and "display" not in d.text and "comment" not in d.text


def test_text_file_title_from_name(docs: Path):
    d = load(docs / "salary-talks.txt", "salary-talks.txt")
    assert d.title == "Salary Talks" and "pay range" in d.text


def test_pdf_text_is_extracted(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, "Ask your mentor for one specific piece of feedback each month.")
    path = tmp_path / "tips.pdf"
    pdf.output(str(path))
    d = load(path, "tips.pdf")
    assert "specific piece of feedback" in d.text


def test_cp1252_text_still_reads(tmp_path: Path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\xe9 networking works \x96 try it.".encode("latin-1"))
    assert "networking" in load(path, "legacy.txt").text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(range(256)) * 4, "binary"),
        ("corrupt.pdf", b"%PDF-1.4\n this is not really a pdf", "PDF"),
        ("notpdf.pdf", b"hello, I am text", "PDF"),
        ("spaces.md", b"   \n\n  \t ", "no readable text"),
        ("bad-front.md", b"---\ntitle: [unclosed\n---\nbody", "front matter"),
    ],
)
def test_bad_files_raise_a_clear_load_error(tmp_path: Path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load(path, name)
    assert reason.lower() in str(err.value).lower() and name in str(err.value)


def test_encrypted_pdf_is_reported(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "hidden advice")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(LoadError, match="password"):
        load(path, "locked.pdf")


def test_size_cap(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 300_000)
    with pytest.raises(LoadError, match="over the 1 MB cap"):
        load(path, "big.txt", max_bytes=1_000_000)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_permissions(tmp_path: Path):
    path = tmp_path / "secret.md"
    path.write_text("text")
    path.chmod(0)
    with pytest.raises(LoadError, match="permission"):
        load(path, "secret.md")


def test_find_files_survives_symlink_loops_and_skips_unsupported(tmp_path: Path, docs: Path):
    (docs / "loop").symlink_to(docs, target_is_directory=True)
    (docs / "image.png").write_bytes(b"png")
    files, errors = find_files([docs, tmp_path / "missing", docs / "image.png"])
    assert sorted(p.name for p in files) == [
        "asking-for-feedback.md",
        "meeting-rhythm.md",
        "networking.html",
        "salary-talks.txt",
    ]
    assert len(errors) == 2
    assert any("no such file" in str(e) for e in errors)
    assert any("unsupported file type" in str(e) for e in errors)

from pathlib import Path

import pytest

from corpus import load_file, load_paths
from dia.errors import RejectedFile
from tests.conftest import BUNDLED, write

MB = 1_000_000

NOTE = """---
title: "Test Trust notes"
trust: "Oxleas"
kind: case-study-notes
---

## Governance

The board met monthly to review quality. Audits were followed up. [S1][S2]

Changes included:

- a new quality committee [S2]

## Sources

- [S1] CQC press release. https://example.org/one. Published 2017.
- [S2] https://example.org/two — Trust news.
"""


def test_markdown_front_matter_sources_and_markers(tmp_path):
    doc = load_file(write(tmp_path / "note.md", NOTE), "note", 20 * MB)
    assert doc.title == "Test Trust notes"
    assert doc.trust == "Oxleas NHS Foundation Trust"
    assert doc.kind == "case-study-notes"
    assert doc.sources == {"S1": "https://example.org/one", "S2": "https://example.org/two"}
    assert "[S1]" not in doc.text and "Sources" not in doc.text and "example.org" not in doc.text
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs[0].urls == ("https://example.org/one", "https://example.org/two")
    # An unmarked lead-in takes the sources of the list it introduces.
    assert paragraphs[1].urls == ("https://example.org/two",)
    assert doc.block_text(doc.blocks[0]) == "Governance"


def test_bundled_corpus_loads_twelve_documents_with_ids():
    result = load_paths([BUNDLED], 20 * MB)
    assert not result.rejected
    ids = {d.id for d in result.documents}
    assert len(ids) == 12 and "oxleas" in ids and "driving-improvement-overview" in ids
    trusts = {d.trust for d in result.documents if d.trust}
    assert len(trusts) == 7


def test_plain_text_overview_keeps_text_and_finds_theme_headings():
    doc = load_file(BUNDLED / "driving-improvement-overview.txt", "overview", 20 * MB)
    headings = [doc.block_text(b) for b in doc.blocks if b.kind == "heading"]
    assert "Governance" in headings and "Relationship with CQC" in headings
    assert "Good leadership and good governance go hand in hand." in doc.text


def test_html_drops_script_style_and_hidden(tmp_path):
    html = """<html><head><title>Board paper</title><style>p{}</style></head><body>
    <h1>Quality report</h1><script>alert('x')</script>
    <p>Visible paragraph about governance.</p>
    <p hidden>Hidden text.</p><div style="display:none"><p>Also hidden.</p></div>
    <p aria-hidden="true">Aria hidden.</p><noscript>No script</noscript>
    <ul><li>Item one.</li></ul></body></html>"""
    doc = load_file(write(tmp_path / "p.html", html), "p", 20 * MB)
    assert doc.title == "Board paper"
    assert "Visible paragraph about governance." in doc.text and "Item one." in doc.text
    for hidden in ("alert", "Hidden text", "Also hidden", "Aria hidden", "No script", "p{}"):
        assert hidden not in doc.text


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


def test_pdf_keeps_page_numbers(tmp_path):
    path = make_pdf(
        tmp_path / "r.pdf",
        ["Leadership was visible on wards.", "Governance improved after the inspection."],
    )
    doc = load_file(path, "r", 20 * MB)
    pages = {doc.block_text(b): b.page for b in doc.blocks}
    assert pages["Leadership was visible on wards."] == 1
    assert pages["Governance improved after the inspection."] == 2


def encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_name("plain.pdf"), ["Secret text."])
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt("password")
    with path.open("wb") as stream:
        writer.write(stream)
    plain.unlink()
    return path


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02binary\x00data", "binary"),
        ("latin.txt", "caf\u00e9 na\u00efve".encode("latin-1"), "not valid UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "damaged"),
        ("fake.pdf", b"hello", "not a PDF"),
        ("notes.docx", b"PK\x03\x04", "damaged"),
        ("old.docx", b"\xd0\xcf\x11\xe0rest", ".doc"),
        ("notes.odt", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_rejected_with_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RejectedFile) as caught:
        load_file(path, "x", 20 * MB)
    assert reason in caught.value.reason and name in str(caught.value)


def test_encrypted_pdf_rejected(tmp_path):
    with pytest.raises(RejectedFile, match="encrypted"):
        load_file(encrypted_pdf(tmp_path / "locked.pdf"), "locked", 20 * MB)


def test_oversize_rejected(tmp_path):
    path = write(tmp_path / "big.txt", "word " * 1000)
    with pytest.raises(RejectedFile, match="over the"):
        load_file(path, "big", 1000)


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Staff felt listened to.".encode("utf-16"))
    assert "Staff felt listened to." in load_file(path, "u16", 20 * MB).text


def test_bad_files_do_not_stop_good_ones(tmp_path):
    write(tmp_path / "good.md", NOTE)
    (tmp_path / "empty.txt").write_bytes(b"")
    result = load_paths([tmp_path], 20 * MB)
    assert [d.id for d in result.documents] == ["good"]
    assert [Path(r.path).name for r in result.rejected] == ["empty.txt"]

"""Files added from the browser: checked, stored under the store, indexed like `dia ingest`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from index import HashEmbedder, ingest, read_manifest
from index._uploads import add_documents, stored_name, uploads_dir
from tests.conftest import BUNDLED
from tests.test_documents import report_pdf


@pytest.fixture
def indexed(settings) -> object:
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    return settings


def test_an_uploaded_pdf_is_indexed_next_to_the_corpus_and_answers(indexed, tmp_path):
    pdf = report_pdf(tmp_path / "Report (final).pdf")
    [outcome] = add_documents(indexed, [("Report (final).pdf", pdf)], embedder=HashEmbedder())
    assert (outcome.status, outcome.detail) == ("added", "uploaded-Report-final")
    assert outcome.chunks > 0
    manifest = read_manifest(indexed)
    assert "uploaded-Report-final" in manifest.documents and "oxleas" in manifest.documents
    stored = uploads_dir(indexed) / "uploaded-Report-final.pdf"
    assert stored.stat().st_mode & 0o777 == 0o600
    again = next(add_documents(indexed, [("Report (final).pdf", pdf)], HashEmbedder()))
    assert again.status == "unchanged"
    result = Assistant(indexed, embedder=HashEmbedder()).ask("What did leaders do to be visible?")
    assert result.citations


def test_bad_uploads_get_a_reason_each_and_leave_the_index_alone(indexed, tmp_path):
    before = read_manifest(indexed).documents.keys()
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a pdf")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a " * int(indexed.max_file_mb * 1024 * 1024))
    files = [("tool.exe", exe), ("broken.pdf", broken), ("big.txt", big), ("../...pdf", broken)]
    outcomes = list(add_documents(indexed, files, embedder=HashEmbedder()))
    assert [o.status for o in outcomes] == ["rejected"] * 4
    assert "cannot be read" in outcomes[0].detail and "MB" in outcomes[2].detail
    assert "PDF" in outcomes[1].detail or "pdf" in outcomes[1].detail
    assert read_manifest(indexed).documents.keys() == before
    assert not any(uploads_dir(indexed).glob("*")) if uploads_dir(indexed).exists() else True


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Board paper.docx", "uploaded-Board-paper.docx"),
        ("../../etc/passwd.md", "uploaded-passwd.md"),
        ("C:\\Users\\me\\notes.TXT", "uploaded-notes.txt"),
    ],
)
def test_stored_names_are_safe(name, stored):
    assert stored_name(name) == stored
    assert "/" not in stored_name(name) and not Path(stored_name(name)).is_absolute()


def test_the_browser_handler_reports_each_file_and_removes_the_uploaded_copies(indexed, tmp_path):
    from ui._app import upload_rows

    notes = tmp_path / "gradio" / "ward notes.md"
    notes.parent.mkdir()
    notes.write_text("## Culture\n\nThe ward team held a weekly safety huddle with patients.\n")
    odd = tmp_path / "gradio" / "macro.xlsm"
    odd.write_bytes(b"PK")
    assistant = Assistant(indexed, embedder=HashEmbedder())
    rows = list(upload_rows(assistant, [str(notes), str(odd)]))
    assert [row[:2] for row in rows] == [["ward notes.md", "added"], ["macro.xlsm", "rejected"]]
    assert not notes.exists() and not odd.exists()

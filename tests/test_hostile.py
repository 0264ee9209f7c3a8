"""Hostile files and hostile questions: rejected or handled within bounds, never a crash."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import load_file
from dia.errors import RejectedFile
from index import HashEmbedder, Index, ingest
from tests.conftest import write
from tests.test_loaders import encrypted_pdf, make_pdf

MB = 1_000_000


def bomb_pdf(path: Path, expanded_mb: int = 300) -> Path:
    """A one-page PDF whose content stream inflates to hundreds of MB."""
    line = b"BT /F1 12 Tf 10 10 Td (governance governance governance) Tj ET\n"
    stream = zlib.compress(line * (expanded_mb * MB // len(line)), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
        b"/BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(body)
    return path


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    good = make_pdf(folder / "good.pdf", ["Governance improved after the visit.", "Page two."])
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    encrypted_pdf(folder / "locked.pdf")
    (folder / "zero.pdf").write_bytes(b"")
    bomb_pdf(folder / "bomb.pdf")
    (folder / "latin1.txt").write_bytes("Caf\u00e9 culture and na\u00efve plans.".encode("latin-1"))
    (folder / "utf16-bom.txt").write_bytes("Leaders listened to staff.".encode("utf-16"))
    (folder / "utf16-nobom.txt").write_bytes("Leaders listened to staff.".encode("utf-16-le"))
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    write(
        folder / "page.html",
        "<html><body><script>alert(1)</script><p hidden>secret</p>"
        "<p>Staff could speak up safely.</p></body></html>",
    )
    (folder / "huge.md").write_bytes(b"word " * (3 * MB // 5 + 10))
    write(folder / "notes.md", "## Culture\n\nStaff felt able to speak up.\n")
    return folder


EXPECTED_REJECTIONS = {
    "truncated.pdf": "PDF",
    "locked.pdf": "encrypted",
    "zero.pdf": "empty",
    "bomb.pdf": "bomb",
    "latin1.txt": "UTF-8",
    "utf16-nobom.txt": "binary",
    "binary.txt": "",
    "huge.md": "limit",
}


def test_hostile_files_rejected_with_reasons_and_good_ones_indexed(hostile_folder, tmp_path):
    from dia.settings import Settings

    settings = Settings(
        store_dir=tmp_path / "store", embedding_model="hash", max_file_mb=2, pdf_timeout_s=10
    )
    started = time.monotonic()
    report = ingest(settings, [hostile_folder], embedder=HashEmbedder())
    elapsed = time.monotonic() - started
    reasons = {Path(r.path).name: r.reason for r in report.rejected}
    assert set(reasons) == set(EXPECTED_REJECTIONS)
    for name, word in EXPECTED_REJECTIONS.items():
        assert word in reasons[name], (name, reasons[name])
    assert sorted(report.added) == ["good", "notes", "page", "utf16-bom"]
    assert elapsed < 60
    text = " ".join(c.text for c in Index.open(settings, embedder=HashEmbedder()).chunks.values())
    assert "alert" not in text and "secret" not in text and "speak up safely" in text


def test_pdf_that_hangs_is_stopped_by_the_timeout(tmp_path, monkeypatch):
    import corpus._isolate as isolate

    def slow(data):
        time.sleep(30)

    monkeypatch.setattr(isolate, "pdf_blocks", slow)
    path = make_pdf(tmp_path / "slow.pdf", ["Text."])
    started = time.monotonic()
    with pytest.raises(RejectedFile, match="longer than 1 s"):
        load_file(path, "slow", 20 * MB, pdf_timeout_s=1)
    assert time.monotonic() - started < 10


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".md", ".txt", ".html", ".pdf"]))
def test_any_bytes_either_load_or_are_rejected(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        document = load_file(path, "fuzz", 20 * MB, pdf_timeout_s=10)
    except RejectedFile as rejection:
        assert rejection.reason
    else:
        assert document.text.strip()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=2000))
def test_any_unicode_markdown_loads_or_is_rejected(tmp_path, text):
    path = tmp_path / "fuzz.md"
    path.write_text(text, encoding="utf-8")
    try:
        document = load_file(path, "fuzz", 20 * MB)
    except RejectedFile as rejection:
        assert rejection.reason
    else:
        for block in document.blocks:
            assert document.block_text(block).strip()

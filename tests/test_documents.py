"""Structure-aware ingestion of report-like PDFs, Word documents and Markdown (issue 11).

Every fixture is generated here: the PDF with fpdf2, the Word document with python-docx.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from corpus import Document, RawBlock, assemble, clean_control_chars, load_file, split_sentences
from corpus._docx import docx_blocks
from corpus._markdown import markdown_blocks
from corpus._pdf import Line, is_contents_page, layout_blocks
from dia.errors import RejectedFile
from dia.settings import Settings
from index import ChunkerConfig, HashEmbedder, Index, chunk_document, ingest
from index._chunker import Chunk
from tests.conftest import write

MB = 1_000_000
HEADER = "DRIVING IMPROVEMENT: CASE STUDIES FROM SEVEN MENTAL HEALTH TRUSTS"
OXLEAS = "Oxleas NHS Foundation Trust"
SOMERSET = "Somerset Partnership NHS Foundation Trust"
PULL_QUOTE = "The chief executive held open meetings with staff every month."
# Three lines set one per line: the page breaks after the second, inside the middle sentence.
ACROSS = [
    "The quality team visited each ward and reviewed the results with the managers of",
    "every service. Problems found on one ward were fixed across the whole trust before",
    "the next inspection. Staff reported that this made a big difference to how safe they felt.",
]


def report_document():
    """An A4 fpdf2 document with a running header after the cover and a page number below."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("Helvetica", size=8)
                self.cell(0, 6, HEADER, align="C")
                self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Report(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def report_pdf(path: Path) -> Path:
    """A report-like PDF: cover, contents with dot leaders, one chapter per trust."""
    pdf = report_document()
    pdf.add_page()
    _text(pdf, "B", 28, 14, "Driving improvement")
    _text(pdf, "", 14, 8, "Case studies from seven mental health trusts")
    pdf.add_page()
    _text(pdf, "B", 20, 10, "Contents")
    for name, page in [("Introduction", 3), (OXLEAS, 3), ("Leadership", 3), (SOMERSET, 5)]:
        _text(pdf, "", 11, 7, f"{name} {'.' * 40} {page}")
    _oxleas_chapter(pdf)
    _somerset_chapter(pdf)
    pdf.output(str(path))
    return path


def _text(pdf, style: str, size: int, height: float, text: str, gap: float = 0) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _oxleas_chapter(pdf) -> None:
    pdf.add_page()
    _text(pdf, "B", 20, 10, OXLEAS, gap=4)
    _text(pdf, "B", 14, 8, "Leadership", gap=2)
    _text(
        pdf,
        "",
        11,
        6,
        f"Leaders spent time on the wards every week. {PULL_QUOTE} Staff said the board "
        "listened to them.",
        gap=4,
    )
    _text(pdf, "I", 15, 8, f'"{PULL_QUOTE}"', gap=4)
    _text(pdf, "", 11, 6, "The trust set out to drive improve-\nment across every ward.", gap=4)
    pdf.set_y(pdf.h - 20 - 12 - 1)  # room for two lines before the page break
    _text(pdf, "", 11, 6, "\n".join(ACROSS), gap=4)
    _text(pdf, "B", 14, 8, "Culture", gap=2)
    _text(pdf, "", 11, 6, "Staff felt able to speak up about safety on the wards.")


def _somerset_chapter(pdf) -> None:
    pdf.add_page()
    _text(pdf, "B", 20, 10, SOMERSET, gap=4)
    _text(pdf, "B", 14, 8, "Leadership", gap=2)
    _text(pdf, "", 11, 6, "The executive team was stable for many years.", gap=4)
    _text(pdf, "B", 14, 8, "Culture", gap=2)
    _text(pdf, "", 11, 6, "Staff described an open and supportive culture.")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Document:
    path = report_pdf(tmp_path_factory.mktemp("pdf") / "report.pdf")
    return load_file(path, "report", 20 * MB)


def texts(document: Document, kind: str | None = None) -> list[str]:
    return [document.block_text(b) for b in document.blocks if kind in (None, b.kind)]


def test_pdf_headings_are_found_with_levels(report):
    levels = {report.block_text(b): b.level for b in report.blocks if b.kind == "heading"}
    assert report.title == "Driving improvement"
    assert levels[OXLEAS] == levels[SOMERSET]
    assert levels["Leadership"] == levels["Culture"] == levels[OXLEAS] + 1
    assert levels["Driving improvement"] < levels[OXLEAS]
    assert [b.page for b in report.blocks if report.block_text(b) == SOMERSET] == [5]


def test_pdf_drops_running_header_page_numbers_and_contents(report):
    assert HEADER.lower() not in report.text.lower()
    assert "Contents" not in report.text and "...." not in report.text
    for text in texts(report):
        assert not text.strip().isdigit(), text
        assert "Introduction" not in text


def test_pdf_drops_the_pull_quote_and_joins_the_hyphenated_word(report):
    assert report.text.count("open meetings with staff every month") == 1
    assert "drive improvement across every ward." in report.text
    assert "improve-" not in report.text and "improve- ment" not in report.text


def test_pdf_paragraph_across_a_page_break_is_one_block_with_exact_pages(report):
    paragraph = " ".join(ACROSS)
    assert paragraph in texts(report, "paragraph")
    block = next(b for b in report.blocks if report.block_text(b) == paragraph)
    assert block.page == 3 and len(block.page_breaks) == 1
    sentences = split_sentences(report.block_text(block), block.start)
    pages = [(block.page_at(start), block.page_at(end - 1)) for start, end in sentences]
    assert pages == [(3, 3), (3, 4), (4, 4)]
    assert report.page_at(block.start + block.page_breaks[0][0]) == 4


def test_pdf_chunks_have_sections_trusts_themes_and_page_spans(report):
    chunks = chunk_document(report, ChunkerConfig())
    sections = {(c.trust, c.section, c.theme) for c in chunks}
    assert (OXLEAS, "Leadership", "leadership") in sections
    assert (SOMERSET, "Culture", "culture") in sections
    across = next(c for c in chunks if "Problems found on one ward" in c.text)
    start = across.text.index("Problems found")
    end = across.text.index("next inspection.") + len("next inspection.")
    assert across.pages_at(start, end) == (3, 4)
    assert across.pages_at(across.text.index("Staff reported"), len(across.text)) == (4, 4)
    assert across.pages_at(0, 5) == (3, 3)
    culture = next(c for c in chunks if c.trust == OXLEAS and c.section == "Culture")
    assert culture.page == 4 and culture.pages_at(0, len(culture.text)) == (4, 4)


def test_pdf_page_spans_survive_the_index_catalog(tmp_path):
    from dia.settings import Settings

    path = report_pdf(tmp_path / "report.pdf")
    settings = Settings(store_dir=tmp_path / "store", embedding_model="hash")
    ingest(settings, [path], embedder=HashEmbedder())
    chunks = Index.open(settings, embedder=HashEmbedder()).chunks.values()
    across = next(c for c in chunks if "Problems found on one ward" in c.text)
    assert across.page == 3 and across.page_spans[-1][1] == 4
    assert across.pages_at(across.text.index("Staff reported"), len(across.text)) == (4, 4)


def test_chunk_page_spans_in_metadata_and_old_records():
    chunk = Chunk(
        "d:1", "d", "T", "", "S", "S", "", 3, 0, 20, "x" * 20, page_spans=[[0, 3], [9, 4]]
    )
    assert chunk.page_spans == ((0, 3), (9, 4))
    assert json.loads(chunk.metadata()["page_spans"]) == [[0, 3], [9, 4]]
    assert chunk.pages_at(0, 9) == (3, 3) and chunk.pages_at(5, 12) == (3, 4)
    record = chunk.record()
    record.pop("page_spans")  # a catalog written before page spans
    old = Chunk(**record)
    assert old.page_spans == () and old.pages_at(5, 12) == (3, 3)


def test_page_breaks_survive_cleaning_and_trimming():
    raw = RawBlock(
        "paragraph", "  A\u200b soft\u00ad line. Next page.", page=2, page_breaks=((17, 3),)
    )
    raw.map_text(clean_control_chars)
    assert raw.text == "  A soft line. Next page." and raw.page_breaks == ((15, 3),)
    text, (block,) = assemble([raw])
    assert text[block.page_breaks[0][0] :] == "Next page."
    assert block.page_at(block.start) == 2 and block.page_at(text.index("Next")) == 3


def line(text: str, page: int, top: float, size: float = 10, **style) -> Line:
    return Line(text, page, top, top + size, size, height=800, **style)


def test_layout_removes_repeated_margin_lines_but_keeps_body_text():
    pages = [
        [
            line(f"Annual report {2017 + page} | page {page}", page, 20, 8),
            line("Governance was strengthened across the trust.", page, 100),
            line(f"{page}", page, 780, 8),
        ]
        for page in range(1, 6)
    ]
    blocks = layout_blocks(pages)
    assert [b.text for b in blocks] == ["Governance was strengthened across the trust."] * 5


def test_layout_keeps_hyphenated_compounds_the_document_uses_and_bold_headings():
    pages = [
        [
            line("Quality and safety", 1, 100, bold=True),
            line("The trust was rated well-", 1, 120),
            line("led in 2017, and its well-led review followed.", 1, 133),
        ]
    ]
    blocks = layout_blocks(pages)
    assert (blocks[0].kind, blocks[0].text) == ("heading", "Quality and safety")
    assert (
        blocks[1].text == "The trust was rated well-led in 2017, and its well-led review followed."
    )


def test_contents_page_is_recognised_by_rising_page_numbers():
    entries = [line(f"Chapter {n} title {n * 4}", 1, 100 + 14 * n) for n in range(1, 6)]
    assert is_contents_page(entries)
    prose = [line("Beds were full on 12", 1, 100), line("wards in the winter.", 1, 114)]
    assert not is_contents_page(prose)


def board_paper(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Board paper: quality report"
    document.add_heading("Report to the board", level=0)
    document.add_heading(OXLEAS, level=1)
    document.add_heading("Leadership", level=2)
    document.add_paragraph("Executives visited every ward each month and met staff.")
    document.add_paragraph("Staff asked for three changes:")
    document.add_paragraph("more time for training sessions", style="List Bullet")
    document.add_paragraph("better rosters for the night shifts", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for row, cells in enumerate([("Measure", "2016", "2017"), ("Rating", "Requires", "Good")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    table.cell(2, 0).text = "Vacancies"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "12%"
    document.add_heading("Culture", level=2)
    document.add_paragraph("Staff felt able to speak up.")
    document.save(str(path))
    return path


def test_docx_ingests_with_headings_lists_tables_and_title(tmp_path):
    doc = load_file(board_paper(tmp_path / "paper.docx"), "paper", 20 * MB)
    assert doc.title == "Board paper: quality report" and doc.kind == "docx"
    headings = [(doc.block_text(b), b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings[:3] == [("Report to the board", 1), (OXLEAS, 1), ("Leadership", 2)]
    paragraphs = texts(doc, "paragraph")
    assert "• more time for training sessions\n• better rosters for the night shifts" in paragraphs
    assert "Measure: Rating; 2016: Requires; 2017: Good" in paragraphs
    assert "Measure: Vacancies; 2016: 12%" in paragraphs
    chunks = chunk_document(doc, ChunkerConfig())
    assert {(c.trust, c.section, c.theme) for c in chunks} >= {
        (OXLEAS, "Leadership", "leadership"),
        (OXLEAS, "Culture", "culture"),
    }


def test_docx_two_column_table_reads_label_value():
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Staff", "about 3,500"
    stream = io.BytesIO()
    document.save(stream)
    blocks, _ = docx_blocks(stream.getvalue())
    assert [b.text for b in blocks] == ["Staff: about 3,500"]


def test_docx_zip_bomb_and_damage_are_refused(tmp_path):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"\0" * (5 * MB))
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(stream.getvalue())
    with pytest.raises(RejectedFile, match="zip bomb"):
        load_file(bomb, "bomb", 20 * MB)
    good = board_paper(tmp_path / "good.docx").read_bytes()
    broken = write(tmp_path / "broken.docx", "")
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(RejectedFile, match="damaged"):
        load_file(broken, "broken", 20 * MB)


MARKDOWN = """Oxleas NHS Foundation Trust
===========================

Leadership
----------

Leaders met staff every week, as [the King's Fund said](https://kingsfund.example/a). [S1]

A board paper [S2] is at <https://trust.example/paper> and https://trust.example/minutes.

## Sources

- [S1] CQC report. https://cqc.example/report

[S2]: https://trust.example/s2
"""


def test_markdown_setext_headings_and_links_become_urls():
    blocks, sources, title = markdown_blocks(MARKDOWN)
    # A reference definition in the Sources section names a marker too.
    assert title == OXLEAS
    assert sources == {"S1": "https://cqc.example/report", "S2": "https://trust.example/s2"}
    assert [(b.kind, b.text, b.level) for b in blocks[:2]] == [
        ("heading", OXLEAS, 1),
        ("heading", "Leadership", 2),
    ]
    assert blocks[2].text == "Leaders met staff every week, as the King's Fund said."
    assert blocks[2].urls == ("https://cqc.example/report", "https://kingsfund.example/a")
    assert blocks[3].text == (
        "A board paper is at https://trust.example/paper and https://trust.example/minutes."
    )
    assert blocks[3].urls == (
        "https://trust.example/s2",
        "https://trust.example/paper",
        "https://trust.example/minutes",
    )
    assert len(blocks) == 4


def test_markdown_lists_keep_bullets_and_code_stays_text():
    body = "Changes:\n\n- one [S1]\n- two\n  1. nested\n\n```\n## not a heading\n```\n"
    blocks, _, _ = markdown_blocks(body + "\n## Sources\n\n- [S1] https://a.example/1\n")
    assert [b.text for b in blocks] == ["Changes:", "- one\n- two\n  1. nested", "## not a heading"]
    assert blocks[0].urls == blocks[1].urls == ("https://a.example/1",)


def test_pdf_two_columns_are_read_one_after_the_other(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    _text(pdf, "B", 18, 10, OXLEAS)
    top = pdf.get_y()
    left = "Leaders spent time on the wards every week and listened to staff. " * 3
    right = "a plan for every ward. Audits were followed up every month by the board. " * 3
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(10, top)
    pdf.multi_cell(90, 5, left + "The board asked for")
    pdf.set_xy(110, top)
    pdf.multi_cell(90, 5, right)
    pdf.set_xy(10, 150)
    _text(pdf, "B", 14, 8, "Culture")
    _text(pdf, "", 10, 5, "Staff felt able to speak up about safety. " * 6)
    path = tmp_path / "columns.pdf"
    pdf.output(str(path))
    doc = load_file(path, "columns", MB)
    paragraphs = texts(doc, "paragraph")
    assert paragraphs[0] == (left + "The board asked for " + right).strip()
    assert [doc.block_text(b) for b in doc.blocks if b.kind == "heading"] == [OXLEAS, "Culture"]
    assert paragraphs[1].startswith("Staff felt able") and len(paragraphs) == 2


def test_markdown_list_nested_past_the_parsers_limit_keeps_what_follows():
    nested = "\n".join("  " * depth + f"- level {depth} item text" for depth in range(14))
    body = f"## Culture\n\nIntro.\n\n{nested}\n\n## Governance\n\nThe board met monthly.\n"
    blocks, _, _ = markdown_blocks(body)
    texts = [b.text for b in blocks]
    assert "Governance" in texts and "The board met monthly." in texts
    assert any("level 13 item text" in t for t in texts)


@pytest.mark.parametrize(
    "question",
    [
        "What did leaders do on the wards?",
        "What did the quality team do on each ward?",
        "How were problems found on one ward fixed?",
        "Did staff feel able to speak up about safety?",
        "How stable was Somerset Partnership's executive team?",
        "What culture did staff at Somerset Partnership describe?",
    ],
)
def test_plain_questions_about_a_report_pdf_cite_the_right_page(tmp_path, question):
    from assistant import Assistant

    pdf = report_pdf(tmp_path / "report.pdf")
    settings = Settings(store_dir=tmp_path / "store", embedding_model="hash")
    ingest(settings, [pdf], embedder=HashEmbedder())
    document = load_file(pdf, "report", 10 * MB)
    result = Assistant(settings, embedder=HashEmbedder()).ask(question)
    assert result.citations, result.answer
    for citation in result.citations:
        for quote in citation.quotes:
            piece = max(quote.split(" […] "), key=len).strip("[]")
            start = document.text.find(piece[:60])
            assert start >= 0, piece
            assert citation.page == document.page_at(start), (quote, citation.pages)

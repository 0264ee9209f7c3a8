import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Document, RawBlock, assemble, load_paths
from index import ChunkerConfig, chunk_document
from tests.conftest import BUNDLED

CONFIG = ChunkerConfig()


def bundled_chunks():
    documents = load_paths([BUNDLED], 20_000_000).documents
    return documents, {d.id: chunk_document(d, CONFIG) for d in documents}


def test_chunks_are_exact_spans_within_size_and_end_on_sentences():
    documents, chunks = bundled_chunks()
    for document in documents:
        block_ends = {b.end for b in document.blocks}
        for chunk in chunks[document.id]:
            assert document.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text.split()) <= CONFIG.max_words
            # Checked without the splitter: a chunk ends where its block ends, or after a
            # sentence's closing mark (and any closing quote or bracket) before a space.
            after = document.text[chunk.end : chunk.end + 1]
            closed = re.search(r"[.?!:;][\"”’')\]]*$", chunk.text) and after in ("", " ", "\n")
            assert chunk.end in block_ends or closed, f"{chunk.id} ends inside a sentence"


def test_metadata_theme_trust_section_and_sources():
    _, chunks = bundled_chunks()
    oxleas = chunks["oxleas"]
    governance = [c for c in oxleas if c.section == "Governance"]
    assert governance and all(c.theme == "governance" for c in governance)
    assert all(c.trust == "Oxleas NHS Foundation Trust" for c in oxleas)
    assert any("kingsfund.org.uk" in url for c in governance for url in c.source_urls)
    overview = [c for c in oxleas if c.section == "Overview"]
    assert all(c.theme == "" for c in overview)
    # A section about one trust inside a report-level document carries that trust.
    sustaining = chunks["sustaining-improvement"]
    assert any(c.trust == "Lincolnshire Partnership NHS Foundation Trust" for c in sustaining)
    # Nested headings: '### Governance' under '## Key themes and findings'.
    acute = chunks["acute-trusts-driving-improvement"]
    assert any(c.theme == "governance" and "Key themes" in c.section_path for c in acute)


def test_markers_and_sources_list_are_not_embedded():
    _, chunks = bundled_chunks()
    for chunk in (c for doc in chunks.values() for c in doc):
        assert not re.search(r"\[[A-Z]{1,3}\d{1,3}\]", chunk.embed_text())
        assert "## Sources" not in chunk.text


def test_embed_text_has_context_header_and_display_text_does_not():
    _, chunks = bundled_chunks()
    chunk = chunks["somerset-partnership"][3]
    header, body = chunk.embed_text().split("\n", 1)
    assert "Somerset Partnership NHS Foundation Trust" in header and chunk.section in header
    assert body == chunk.text


def test_ids_are_stable_and_content_derived():
    documents, first = bundled_chunks()
    _, second = bundled_chunks()
    assert [c.id for c in first["oxleas"]] == [c.id for c in second["oxleas"]]
    all_ids = [c.id for doc in first.values() for c in doc]
    assert len(all_ids) == len(set(all_ids))


def test_overlap_repeats_whole_sentences_only_inside_a_paragraph():
    sentence = "Staff said the new ward round worked well for patients. "
    raw = [RawBlock("heading", "Culture", level=2), RawBlock("paragraph", sentence * 40)]
    text, blocks = assemble(raw)
    doc = Document("d", "T", None, "x", "d.md", text, blocks)
    chunks = chunk_document(doc, ChunkerConfig(max_words=50, target_words=30, overlap_words=12))
    assert len(chunks) > 2
    assert chunks[1].start < chunks[0].end  # overlapping
    assert all(c.text.endswith(".") for c in chunks)


def document_from(paragraphs: list[str]) -> Document:
    raw = [RawBlock("heading", "Leadership", level=2)]
    raw += [RawBlock("paragraph", p) for p in paragraphs]
    text, blocks = assemble(raw)
    return Document("doc", "Title", None, "text", "doc.txt", text, blocks)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=600), min_size=0, max_size=6))
def test_chunker_never_crashes_and_respects_limits(paragraphs):
    config = ChunkerConfig(max_words=40, target_words=20, overlap_words=8)
    doc = document_from(paragraphs)
    chunks = chunk_document(doc, config)
    for chunk in chunks:
        assert chunk.text.strip()
        assert len(chunk.text.split()) <= config.max_words
        assert doc.text[chunk.start : chunk.end] == chunk.text
    assert [c.id for c in chunks] == [c.id for c in chunk_document(doc, config)]

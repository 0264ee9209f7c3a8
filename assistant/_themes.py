"""Cited examples per theme, per trust and per theme x trust, enumerated from chunk metadata."""

from __future__ import annotations

from collections import Counter

from assistant._extractive import REPORT_LEVEL
from assistant._grounding import instruction_like, quoted_pages, shown_label
from assistant._sentences import ABOUT_NOTES
from assistant._types import document_fields
from corpus import THEMES, TRUSTS, split_sentences, theme_by_key
from index import Chunk, Index

QUOTE_WORDS = 45


def evidence_counts(index: Index) -> dict[str, dict[str, int]]:
    """Passages per theme and trust: {theme key: {trust or report label: count}}."""
    counts: dict[str, Counter] = {theme.key: Counter() for theme in THEMES}
    for chunk in index.chunks.values():
        if chunk.theme in counts:
            counts[chunk.theme][chunk.trust or REPORT_LEVEL] += 1
    return {key: dict(counter) for key, counter in counts.items()}


def short_quote(chunk: Chunk) -> str:
    """The passage's first sentences, whole, up to about 45 words (always verbatim).

    Sentences that read as instructions to a model (``instruction_like``) are never quoted:
    the quote is the first run of other sentences, and '' when the passage has none.
    """
    sentences = [chunk.text[s:e] for s, e in split_sentences(chunk.text)]
    sentences = [s.lstrip("-*• ").strip() for s in sentences if not s.rstrip().endswith(":")]
    quote: list[str] = []
    for sentence in sentences:
        if ABOUT_NOTES.search(sentence):
            continue  # the notes speaking of themselves
        if instruction_like(sentence):
            if quote:
                break
            continue
        if quote and len(" ".join(quote).split()) + len(sentence.split()) > QUOTE_WORDS:
            break
        quote.append(sentence)
    if quote:
        return " ".join(quote)
    return "" if instruction_like(chunk.text) else chunk.text


def theme_examples(index: Index, theme: str | None, trust: str | None) -> list[dict]:
    """Every passage for the theme(s), grouped by trust, as the `dia themes --json` object.

    Args:
        index: The open index.
        theme: A theme key, or None for all nine.
        trust: A full trust name to restrict to, or None.

    Returns:
        One entry per theme: label, counts per trust, and every example with its citation
        and document; ``withheld`` counts passages left out because all their text reads as
        instructions to a model.

    """
    keys = [theme] if theme else [t.key for t in THEMES]
    counts = evidence_counts(index)
    order = {t.name: i for i, t in enumerate(TRUSTS)}
    result = []
    for key in keys:
        chunks = index.select(trust=trust, theme=key)
        chunks.sort(key=lambda c: (order.get(c.trust, len(order)), c.doc_id, c.ordinal))
        examples = [_example(index, chunk) for chunk in chunks]
        shown = [example for example in examples if example["quote"]]
        result.append(
            {
                "theme": key,
                "label": theme_by_key(key).label,
                "counts": counts[key] if trust is None else {trust: len(chunks)},
                "examples": shown,
                "withheld": len(examples) - len(shown),
            }
        )
    return result


def _example(index: Index, chunk: Chunk) -> dict:
    return {
        "trust": chunk.trust or REPORT_LEVEL,
        "doc_id": chunk.doc_id,
        "chunk_id": chunk.id,
        "title": shown_label(chunk.title),
        "section": shown_label(chunk.section),
        "page": quoted_pages(chunk, [short_quote(chunk)])[0],
        "quote": short_quote(chunk),
        "source_urls": list(chunk.source_urls),
        **document_fields(index, chunk),
    }

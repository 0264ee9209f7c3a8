"""Structure-following chunker: headings first, then paragraphs and whole sentences."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from corpus import Block, Document, split_sentences, theme_of_heading, trust_of_heading, word_count

CHUNKER_VERSION = 1


@dataclass(frozen=True)
class ChunkerConfig:
    """Chunk size knobs, in words.

    Attributes:
        max_words: A chunk never exceeds this (a single longer "sentence" is split at words).
        target_words: A chunk closes at the first paragraph end after reaching this.
        overlap_words: Whole trailing sentences, up to this many words, repeated in the next
            chunk when a split falls inside a paragraph.

    """

    max_words: int = 200
    target_words: int = 130
    overlap_words: int = 30

    def describe(self) -> dict:
        """Return the settings as recorded in the manifest."""
        return {**asdict(self), "version": CHUNKER_VERSION}


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with everything needed to cite it.

    Attributes:
        id: Derived from the document id, section and text (stable across runs).
        doc_id: Id of the document.
        title: Document title.
        trust: Full trust name ('' when the passage is not about one trust).
        section: Nearest heading.
        section_path: Every enclosing heading, outermost first, joined by ' > '.
        theme: Key of the report theme the section names ('' when none).
        page: 1-based PDF page, or 0 when the document has no pages.
        start: Offset of the passage in the document text.
        end: Offset one past its end.
        text: Display text (exactly ``document.text[start:end]``).
        source_urls: URLs behind the passage's paragraphs.
        doc_kind: Kind of the document.
        ordinal: Position of the chunk in its document.
        source_spans: Per paragraph of the passage, (start, end, URLs) with offsets relative
            to ``start``: which sources stand behind which words.
        page_spans: Where each page's text begins, as (offset relative to ``start``, page),
            the first at offset 0; empty when the document has no pages (and in catalogs
            written before pages were tracked per span). See ``pages_at``.

    """

    id: str
    doc_id: str
    title: str
    trust: str
    section: str
    section_path: str
    theme: str
    page: int
    start: int
    end: int
    text: str
    source_urls: tuple[str, ...] = field(default=())
    doc_kind: str = ""
    ordinal: int = 0
    source_spans: tuple[tuple[int, int, tuple[str, ...]], ...] = field(default=())
    page_spans: tuple[tuple[int, int], ...] = field(default=())

    def __post_init__(self) -> None:
        # Catalog records hold JSON lists; keep the field hashable and comparable.
        spans = tuple((int(offset), int(page)) for offset, page in self.page_spans)
        object.__setattr__(self, "page_spans", spans)

    def pages_at(self, start: int, end: int) -> tuple[int, int]:
        """First and last page of a span of the passage (offsets relative to ``start``).

        Args:
            start: Offset of the span's first character in ``text``.
            end: Offset one past its last character.

        Returns:
            (first page, last page); both ``page`` when the chunk has no page spans (0 for
            documents without pages).

        """
        if not self.page_spans:
            return self.page, self.page
        return self._page_of(start), self._page_of(max(start, end - 1))

    def _page_of(self, offset: int) -> int:
        page = self.page_spans[0][1]
        for start, later in self.page_spans:
            if start > offset:
                break
            page = later
        return page

    def embed_text(self) -> str:
        """Return the text that is embedded: a short context header, then the passage."""
        header = " | ".join(part for part in (self.title, self.trust, self.section) if part)
        return f"{header}\n{self.text}"

    def metadata(self) -> dict:
        """Return flat metadata for the vector store (no lists, no None)."""
        data = {name: getattr(self, name) for name in _METADATA_FIELDS}
        data["source_urls"] = "\n".join(self.source_urls)
        data["source_spans"] = json.dumps(self.source_spans)
        data["page_spans"] = json.dumps(self.page_spans)
        return data

    def urls_at(self, offset: int) -> tuple[str, ...]:
        """The source URLs of the paragraph holding a passage offset (all of them if unknown)."""
        for start, end, urls in self.source_spans:
            if start <= offset < end:
                return urls
        return self.source_urls

    def record(self) -> dict:
        """Return every field as plain data (the catalog record)."""
        return {name: getattr(self, name) for name in _ALL_FIELDS}


_ALL_FIELDS = tuple(Chunk.__dataclass_fields__)
_METADATA_FIELDS = tuple(f for f in _ALL_FIELDS if f not in {"id", "text"})


@dataclass
class _Unit:
    start: int
    end: int
    words: int
    paragraph: int
    page: int  # page at ``start`` (0 without pages)
    urls: tuple[str, ...]
    breaks: tuple[tuple[int, int], ...] = ()  # (document offset, page) inside the unit


def chunk_document(document: Document, config: ChunkerConfig) -> list[Chunk]:
    """Split a document into chunks that follow its headings, paragraphs and sentences.

    Args:
        document: The loaded document.
        config: Size knobs.

    Returns:
        The chunks in reading order, ids unique within the document.

    """
    chunks: list[Chunk] = []
    seen_ids: dict[str, int] = {}
    for headings, units in _sections(document, config):
        section, theme, trust_name = _labels(document, headings)
        for group in _pack(units, config):
            text = document.text[group[0].start : group[-1].end]
            chunk_id = _chunk_id(document.id, " > ".join(headings), text, seen_ids)
            chunks.append(
                Chunk(
                    id=chunk_id,
                    doc_id=document.id,
                    title=document.title,
                    trust=trust_name,
                    section=section,
                    section_path=" > ".join(headings),
                    theme=theme,
                    page=group[0].page,
                    start=group[0].start,
                    end=group[-1].end,
                    text=text,
                    source_urls=tuple(dict.fromkeys(u for unit in group for u in unit.urls)),
                    doc_kind=document.kind,
                    ordinal=len(chunks),
                    source_spans=_source_spans(group),
                    page_spans=_page_spans(group),
                )
            )
    return chunks


def _labels(document: Document, headings: list[str]) -> tuple[str, str, str]:
    """Section (nearest heading), theme key and trust name of a heading path.

    The trust comes from the front matter, else from the outermost heading that names one
    organisation (a chapter heading sets the trust of everything under it until the next
    heading of its level or higher).
    """
    section = headings[-1] if headings else ""
    theme = next((t for t in map(theme_of_heading, reversed(headings)) if t), None) or ""
    trust = document.trust or next((t for t in map(trust_of_heading, headings) if t), "")
    return section, theme, trust


def _source_spans(group: list[_Unit]) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Each paragraph's extent in the chunk (relative offsets) with its source URLs."""
    base = group[0].start
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for position, unit in enumerate(group):
        if position and group[position - 1].paragraph == unit.paragraph:
            spans[-1] = (spans[-1][0], unit.end - base, unit.urls)
        else:
            spans.append((unit.start - base, unit.end - base, unit.urls))
    return tuple(spans)


def _page_spans(group: list[_Unit]) -> tuple[tuple[int, int], ...]:
    """Where each page's text begins in the chunk (relative offsets); empty without pages."""
    if not any(unit.page for unit in group):
        return ()
    base = group[0].start
    spans: list[tuple[int, int]] = []
    for unit in group:
        for offset, page in ((unit.start, unit.page), *unit.breaks):
            if not spans or spans[-1][1] != page:
                spans.append((offset - base, page))
    return tuple(spans)


def _sections(document: Document, config: ChunkerConfig) -> list[tuple[list[str], list[_Unit]]]:
    """Group sentence units under their heading path."""
    sections: list[tuple[list[str], list[_Unit]]] = []
    stack: list[tuple[int, str]] = []
    units: list[_Unit] = []
    for index, block in enumerate(document.blocks):
        if block.kind == "heading":
            if units:
                sections.append(([h for _, h in stack], units))
                units = []
            stack = [(lvl, h) for lvl, h in stack if lvl < block.level]
            stack.append((block.level, " ".join(document.block_text(block).split())))
            continue
        for start, end in split_sentences(document.block_text(block), block.start):
            for piece_start, piece_end in _split_long(document.text, start, end, config.max_words):
                units.append(_unit(document, block, index, piece_start, piece_end))
    if units:
        sections.append(([h for _, h in stack], units))
    return sections


def _unit(document: Document, block: Block, index: int, start: int, end: int) -> _Unit:
    """A sentence (or piece of one) of a block, with its page and any page break inside it."""
    breaks = tuple(
        (block.start + offset, page)
        for offset, page in block.page_breaks
        if start < block.start + offset < end
    )
    return _Unit(
        start,
        end,
        word_count(document.text[start:end]),
        index,
        block.page_at(start) or 0,
        block.urls,
        breaks,
    )


def _split_long(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Split a run of text longer than max_words at word boundaries (a last resort)."""
    if word_count(text[start:end]) <= max_words:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    words = list(_word_spans(text, start, end))
    for first in range(0, len(words), max_words):
        group = words[first : first + max_words]
        pieces.append((group[0][0], group[-1][1]))
    return pieces


def _word_spans(text: str, start: int, end: int):
    position = start
    for word in text[start:end].split():
        found = text.index(word, position)
        yield found, found + len(word)
        position = found + len(word)


def _pack(units: list[_Unit], config: ChunkerConfig) -> list[list[_Unit]]:
    """Greedily pack sentence units into chunks."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        size = sum(u.words for u in current)
        at_paragraph_end = bool(current) and unit.paragraph != current[-1].paragraph
        if current and size + unit.words > config.max_words:
            groups.append(current)
            current = [] if at_paragraph_end else _overlap(current, unit, config)
        elif at_paragraph_end and size >= _close_at(current, unit, config):
            groups.append(current)
            current = []
        current.append(unit)
    if current:
        groups.append(current)
    return groups


def _close_at(current: list[_Unit], unit: _Unit, config: ChunkerConfig) -> int:
    """Words after which a chunk closes at a paragraph end.

    Half the target when the next paragraph starts on another page (so chunks rarely span
    pages), else the target.
    """
    new_page = unit.page and unit.page != current[0].page
    return config.target_words // 2 if new_page else config.target_words


def _overlap(current: list[_Unit], unit: _Unit, config: ChunkerConfig) -> list[_Unit]:
    """Trailing sentences of the same paragraph to repeat at the start of the next chunk."""
    tail: list[_Unit] = []
    words = 0
    for previous in reversed(current[1:]):
        if previous.paragraph != unit.paragraph:
            break
        if words + previous.words > config.overlap_words:
            break
        if words + previous.words + unit.words > config.max_words:
            break
        tail.insert(0, previous)
        words += previous.words
    return tail


def _chunk_id(doc_id: str, section_path: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha256(f"{doc_id}\x1f{section_path}\x1f{text}".encode()).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
    return f"{doc_id}:{digest}{suffix}"

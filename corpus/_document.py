"""The document model every loader produces and the chunker consumes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph"]
PageBreaks = tuple[tuple[int, int], ...]


def page_at(first: int | None, breaks: PageBreaks, offset: int) -> int | None:
    """Return the page at a relative offset, given the first page and the later page breaks.

    Args:
        first: Page the text starts on (None when it has no pages).
        breaks: (offset, page) pairs in increasing offset order.
        offset: Offset relative to the same origin as the breaks.

    """
    page = first
    for start, later in breaks:
        if start > offset:
            break
        page = later
    return page


@dataclass(frozen=True)
class Block:
    """A heading or paragraph, located by character offsets into ``Document.text``.

    Attributes:
        kind: "heading" or "paragraph".
        start: Offset of the first character.
        end: Offset one past the last character.
        level: Heading level (1 = top); 0 for paragraphs.
        urls: Source URLs behind this paragraph (from its source markers).
        page: 1-based PDF page the block starts on, if the document has pages.
        page_breaks: For a block that runs over a page break, (offset relative to ``start``,
            page) for each later page: the text from that offset on is on that page.

    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    urls: tuple[str, ...] = ()
    page: int | None = None
    page_breaks: PageBreaks = ()

    def page_at(self, offset: int) -> int | None:
        """Return the page of a document offset inside this block (None without pages)."""
        return page_at(self.page, self.page_breaks, offset - self.start)


@dataclass(frozen=True)
class Document:
    """A loaded document: display text plus its structure and provenance.

    Attributes:
        id: Path relative to the corpus root, without its suffix (e.g. ``oxleas``).
        title: Human title.
        trust: Full trust name when the document is about one trust, else None.
        kind: What sort of document it is (``case-study-notes``, ``pdf``, ``html`` ...).
        path: Where it was read from.
        text: Display text (front matter, source markers and the Sources list removed).
        blocks: Headings and paragraphs in reading order.
        sources: Source marker (``S1``) to URL, from the document's Sources list.
        source_url: A URL for the document as a whole, when it has one.
        content_hash: Hash of the raw file bytes.

    """

    id: str
    title: str
    trust: str | None
    kind: str
    path: str
    text: str
    blocks: tuple[Block, ...]
    sources: dict[str, str] = field(default_factory=dict)
    source_url: str | None = None
    content_hash: str = ""

    def block_text(self, block: Block) -> str:
        """Return the text of one block."""
        return self.text[block.start : block.end]

    def page_at(self, offset: int) -> int | None:
        """Return the page of a text offset (between blocks: the next block's first page)."""
        for block in self.blocks:
            if offset < block.end:
                return block.page_at(max(offset, block.start))
        return self.blocks[-1].page_at(offset) if self.blocks else None


@dataclass
class RawBlock:
    """A block before offsets are assigned (what loaders emit).

    ``page_breaks`` holds (offset into ``text``, page) for each page after the first.
    """

    kind: BlockKind
    text: str
    level: int = 0
    urls: tuple[str, ...] = ()
    page: int | None = None
    page_breaks: PageBreaks = ()

    def map_text(self, change: Callable[[str], str]) -> None:
        """Apply a text change page by page, so the page breaks still fall where they did."""
        if not self.page_breaks:
            self.text = change(self.text)
            return
        cuts = [0, *(offset for offset, _ in self.page_breaks), len(self.text)]
        pieces = [change(self.text[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
        breaks, offset = [], len(pieces[0])
        for piece, (_, page) in zip(pieces[1:], self.page_breaks, strict=True):
            breaks.append((offset, page))
            offset += len(piece)
        self.text = "".join(pieces)
        self.page_breaks = tuple(breaks)


def assemble(raw_blocks: list[RawBlock]) -> tuple[str, tuple[Block, ...]]:
    """Join raw blocks into display text (blank line between blocks) and located blocks.

    Args:
        raw_blocks: Blocks in reading order; empty ones are dropped.

    Returns:
        The display text and the blocks with offsets into it.

    """
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for raw in raw_blocks:
        text = raw.text.strip()
        if not text:
            continue
        if parts:
            parts.append("\n\n")
            offset += 2
        parts.append(text)
        lead = len(raw.text) - len(raw.text.lstrip())
        page, breaks = _shift_breaks(raw.page, raw.page_breaks, lead, len(text))
        end = offset + len(text)
        blocks.append(Block(raw.kind, offset, end, raw.level, raw.urls, page, breaks))
        offset = end
    return "".join(parts), tuple(blocks)


def _shift_breaks(
    page: int | None, breaks: PageBreaks, lead: int, length: int
) -> tuple[int | None, PageBreaks]:
    """Page breaks after trimming ``lead`` characters from the front of a block.

    Breaks at or before the new start move the first page on; those past the end are dropped.
    """
    kept: list[tuple[int, int]] = []
    for offset, later in breaks:
        moved = offset - lead
        if moved <= 0:
            page = later
        elif moved < length:
            kept.append((moved, later))
    return page, tuple(kept)


def hash_bytes(data: bytes) -> str:
    """Return a short, stable content hash."""
    return hashlib.sha256(data).hexdigest()[:32]

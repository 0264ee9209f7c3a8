"""The document model every loader produces and the chunker consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph"]


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

    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    urls: tuple[str, ...] = ()
    page: int | None = None


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


@dataclass
class RawBlock:
    """A block before offsets are assigned (what loaders emit)."""

    kind: BlockKind
    text: str
    level: int = 0
    urls: tuple[str, ...] = ()
    page: int | None = None


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
        blocks.append(Block(raw.kind, offset, offset + len(text), raw.level, raw.urls, raw.page))
        offset += len(text)
    return "".join(parts), tuple(blocks)


def hash_bytes(data: bytes) -> str:
    """Return a short, stable content hash."""
    return hashlib.sha256(data).hexdigest()[:32]

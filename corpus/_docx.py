"""Word documents (.docx) into blocks: headings from paragraph styles, tables as sentences."""

from __future__ import annotations

import io
import re
import zipfile

from corpus._document import RawBlock

MAX_EXPANDED_BYTES = 200_000_000
MAX_EXPANSION_RATIO = 50
MAX_STYLE_DEPTH = 10
_NAME = "the Word document"
_HEADING_STYLE = re.compile(r"heading\s*(\d)", re.IGNORECASE)
_OLE_HEADER = b"\xd0\xcf\x11\xe0"


def docx_blocks(data: bytes) -> tuple[list[RawBlock], str | None]:
    """Read a .docx file into headings (with levels from their styles) and paragraphs.

    Table rows become one paragraph each, written as "Header: value; Header: value" (or
    "label: value" for two columns) so each row reads as a quotable sentence. Consecutive list
    paragraphs form one block, one "• item" per line.

    Returns:
        The blocks and the title (core properties, else the first Title or level-1 heading).

    Raises:
        ValueError: With a user-facing reason when the file is not a .docx package, is damaged
            or expands to far more than its size (a zip bomb).

    """
    check_package(data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        blocks = _merge_lists(_body_blocks(document))
        title = str(document.core_properties.title or "").strip()
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means a damaged file
        raise ValueError(_damaged(error)) from None
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return blocks, title or None


def check_package(data: bytes) -> None:
    """Refuse what is not a zip package, a damaged zip, and a zip bomb.

    Raises:
        ValueError: When the data is an old .doc or protected file, not a zip, or its parts
            expand to more than 200 MB or 50 times the file's size.

    """
    if data.startswith(_OLE_HEADER):
        raise ValueError(
            "it is an old Word .doc or a password-protected file; save it as .docx without a "
            "password"
        )
    if not data.startswith(b"PK"):
        raise ValueError("not a Word .docx file (it is not a zip package)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            expanded = sum(info.file_size for info in package.infolist())
    except Exception as error:  # noqa: BLE001 - zipfile raises many types for a bad archive
        raise ValueError(_damaged(error)) from None
    if expanded > MAX_EXPANDED_BYTES or expanded > MAX_EXPANSION_RATIO * len(data):
        raise ValueError(
            f"{_NAME} expands to {expanded / 1e6:.0f} MB from {len(data) / 1e6:.1f} MB "
            "(a zip bomb?)"
        )


def _damaged(error: BaseException) -> str:
    return f"{_NAME} is damaged and cannot be read ({type(error).__name__})"


def _body_blocks(document) -> list[tuple[RawBlock, bool]]:
    """Paragraphs and tables of the main text in order, each with whether it is a list item."""
    from docx.table import Table

    blocks: list[tuple[RawBlock, bool]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend((block, False) for block in _table_blocks(item))
        else:
            block = _paragraph_block(item)
            if block is not None:
                blocks.append(block)
    return blocks


def _paragraph_block(paragraph) -> tuple[RawBlock, bool] | None:
    """A heading (from the paragraph's style), list item or paragraph; None when empty."""
    text = paragraph.text.strip()
    if not text:
        return None
    level = heading_level(paragraph.style)
    if level:
        return RawBlock("heading", " ".join(text.split()), level=level), False
    urls = tuple(
        dict.fromkeys(
            link.url
            for link in paragraph.hyperlinks
            if link.url.startswith(("http://", "https://"))
        )
    )
    if _is_list(paragraph.style):
        return RawBlock("paragraph", f"• {text}", urls=urls), True
    return RawBlock("paragraph", text, urls=urls), False


def heading_level(style) -> int:
    """Heading level of a paragraph style: "Title" is 1, "Heading N" is N; 0 otherwise.

    A custom style based on a heading style takes that heading's level.
    """
    for _ in range(MAX_STYLE_DEPTH):
        if style is None:
            return 0
        for name in (str(style.name or ""), str(style.style_id or "")):
            if name.lower() == "title":
                return 1
            match = _HEADING_STYLE.fullmatch(name)
            if match:
                return max(1, min(int(match.group(1)), 6))
        style = style.base_style
    return 0


def _is_list(style) -> bool:
    return style is not None and str(style.name or "").lower().startswith("list")


def _merge_lists(blocks: list[tuple[RawBlock, bool]]) -> list[RawBlock]:
    """Join consecutive list items into one block, one item per line."""
    merged: list[RawBlock] = []
    in_list = False
    for block, is_item in blocks:
        if is_item and in_list:
            merged[-1].text += "\n" + block.text
            merged[-1].urls = tuple(dict.fromkeys(merged[-1].urls + block.urls))
        else:
            merged.append(block)
        in_list = is_item
    return merged


def _table_blocks(table) -> list[RawBlock]:
    """One paragraph per table row, written as a sentence."""
    rows = [_row_cells(row) for row in table.rows]
    rows = [row for row in rows if any(text for text, _ in row)]
    if not rows:
        return []
    header = None
    first = [text for text, _ in rows[0]]
    if len(rows) > 1 and len(first) >= 3 and all(first):
        header, rows = first, rows[1:]
    texts = (_row_text(row, header) for row in rows)
    return [RawBlock("paragraph", text) for text in texts if text]


def _row_cells(row) -> list[tuple[str, bool]]:
    """(text, repeats the cell before) for each grid column of a row (merged cells repeat)."""
    cells: list[tuple[str, bool]] = []
    previous = None
    for cell in row.cells:
        cells.append((" ".join(cell.text.split()), cell is previous))
        previous = cell
    return cells


def _row_text(row: list[tuple[str, bool]], header: list[str] | None) -> str:
    """A row as one sentence.

    "Header: value; Header: value" under a header row, "label: value" for two cells, else the
    cells joined by "; ".
    """
    if header is not None:
        pairs = [
            f"{name}: {text}" if name else text
            for name, (text, repeat) in zip(header, row, strict=False)
            if text and not repeat
        ]
        return "; ".join(pairs)
    cells = [text for text, repeat in row if text and not repeat]
    if len(cells) == 2:
        return f"{cells[0]}: {cells[1]}"
    return "; ".join(cells)

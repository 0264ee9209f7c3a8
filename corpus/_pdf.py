"""Layout-aware PDF reading: headings from type size and weight, clean paragraphs, exact pages.

pdfplumber (MIT, built on pdfminer.six) gives every word with its font size and font name.
From those the running headers, footers and page numbers are removed, contents pages skipped,
pull quotes that repeat the body dropped, hyphenated line breaks joined and paragraphs rebuilt
across page breaks. pypdf checks the file first (encryption, decompression bombs) and gives
the title from the metadata.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from corpus._document import RawBlock

ENCRYPTED = "the PDF is encrypted (remove the password and try again)"
BOMB = "the PDF expands to more data than allowed (a decompression bomb?)"
MARGIN_BAND = 0.12  # share of the page height at top and bottom where headers and footers sit
MAX_REPEATS_NEEDED = 4  # a margin line at one place on this many pages is a running header
MAX_HEADING_WORDS = 20
MAX_LEVEL = 6
MAX_PULL_QUOTE_CHECKS = 2_000  # each scans the whole body text

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_ITALIC = re.compile(r"italic|oblique|[-,]it$|[-,]boldit$", re.IGNORECASE)
_ROMAN = r"(?=[ivxlc])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"  # i to xcix
_PAGE_NUMBER = re.compile(
    rf"(?:page\s+)?(?:\d{{1,4}}|{_ROMAN})(?:\s*(?:of|/)\s*\d{{1,4}})?", re.IGNORECASE
)
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|(?:_\s?){4,}|(?:·\s?){4,}")
_ENTRY_NUMBER = re.compile(r"\s(\d{1,4})$")
_CONTENTS = re.compile(r"(?:table\s+of\s+)?contents", re.IGNORECASE)
_BULLET = re.compile("^[•●▪■◦‣∙\uf0b7\uf0a7\uf076\uf0d8\\-*](?=\\s)")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")
_HYPHEN_END = re.compile(r"([A-Za-z]+)[-\u2010]$")
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_PARAGRAPH_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_QUOTES = "\"'“”‘’«»"
_ELLIPSIS = re.compile(r"\.\.\.|…")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass
class Line:
    """One line of text on a page, with its type.

    Attributes:
        text: The words of the line joined by spaces.
        page: 1-based page number.
        top: Distance of the line's top from the top of the page, in points.
        bottom: Distance of its bottom from the top of the page.
        size: Font size most of its characters are set in.
        bold: Whether most characters are in a bold face.
        italic: Whether most characters are in an italic face.
        height: Height of the page.

    """

    text: str
    page: int
    top: float
    bottom: float
    size: float
    bold: bool = False
    italic: bool = False
    height: float = 842.0


@dataclass
class _Group:
    """Consecutive lines of one paragraph, heading or display text."""

    role: str  # "heading", "display" (larger italic type) or "body"
    lines: list[Line]
    text: str = ""
    breaks: tuple[tuple[int, int], ...] = ()
    level: int = 0

    @property
    def key(self) -> tuple[float, bool]:
        first = self.lines[0]
        return round(first.size * 2) / 2, first.bold


def pdf_blocks(data: bytes) -> tuple[list[RawBlock], str | None]:
    """Read a PDF into headings (with levels) and paragraphs, each with its pages.

    Raises:
        ValueError: With a user-facing reason when the PDF is encrypted, damaged or a bomb.

    """
    title, pages = _read(data)
    blocks = layout_blocks(pages)
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading" and b.page == 1), None)
    return blocks, title


def _read(data: bytes) -> tuple[str | None, list[list[Line]]]:
    """Check the file with pypdf, then read its lines with pdfplumber."""
    from pypdf.errors import LimitReachedError

    try:
        title = _preflight(data)
        return title, read_lines(data)
    except (_Refused, MemoryError):
        raise
    except LimitReachedError:
        raise ValueError(BOMB) from None
    except Exception as error:  # noqa: BLE001 - any parser failure means a damaged file
        raise ValueError(
            f"the PDF is damaged and cannot be read ({type(error).__name__})"
        ) from error


class _Refused(ValueError):
    """A reason to refuse the file, raised on purpose (not a parser failure)."""


def _preflight(data: bytes) -> str | None:
    """Refuse encrypted PDFs, inflate every page's content under pypdf's size limits.

    Returns:
        The title from the document metadata, if any.

    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _Refused(ENCRYPTED)
    for page in reader.pages:
        page.get_contents()  # raises LimitReachedError for a decompression bomb
    title = str((reader.metadata.title if reader.metadata else None) or "").strip()
    return title or None


def read_lines(data: bytes) -> list[list[Line]]:
    """Every page's lines, top to bottom, with font size and weight."""
    import pdfplumber

    pages: list[list[Line]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(extra_attrs=["size", "fontname"])
            pages.append(_lines([w for w in words if w.get("upright", True)], number, page))
            page.close()
    return pages


def _lines(words: list[dict], number: int, page) -> list[Line]:
    """Group a page's words into lines, reading two columns one after the other."""
    rows = _rows(words)
    gutter = _gutter(rows, float(page.width))
    if gutter is not None:
        rows = _column_order(rows, gutter)
    height = float(page.height)
    return [_line(row, number, height) for row in rows]


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words grouped by vertical position, top to bottom."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and word["top"] - rows[-1][0]["top"] <= 0.45 * rows[-1][0]["size"]:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def _gaps(row: list[dict]) -> list[tuple[float, float]]:
    """Horizontal gaps in a row wide enough to be a gutter between columns."""
    return [
        (left["x1"], right["x0"])
        for left, right in zip(row, row[1:], strict=False)
        if right["x0"] - left["x1"] >= max(7.0, 0.9 * float(left["size"]))
    ]


def _gutter(rows: list[list[dict]], width: float) -> float | None:
    """The x of a gutter between two text columns, or None for a one-column page.

    A gutter is a clear vertical strip in the middle half of the page that splits at least
    40% of the rows (four or more) into two sides of three or more words on average, and
    that at most 30% of the rows cross (headings and figures set across both columns).
    """
    gaps = [_gaps(row) for row in rows]
    middles = {4 * round((a + b) / 8) for found in gaps for a, b in found}  # 4-point steps
    best, best_split = None, 0
    for x in sorted(m for m in middles if 0.25 * width < m < 0.75 * width):
        split = [row for row, found in zip(rows, gaps, strict=True) if _inside(found, x)]
        crossing = sum(1 for row in rows if _crosses(row, x))
        enough = len(split) >= max(4, 0.4 * len(rows)) and crossing <= 0.3 * len(rows)
        if enough and len(split) > best_split and _wordy(split, x):
            best, best_split = float(x), len(split)
    return best


def _inside(gaps: list[tuple[float, float]], x: float) -> bool:
    return any(a + 2 <= x <= b - 2 for a, b in gaps)


def _crosses(row: list[dict], x: float) -> bool:
    return any(word["x0"] < x < word["x1"] for word in row)


def _wordy(rows: list[list[dict]], x: float) -> bool:
    """Whether both sides average three words a row (text columns, not a table)."""
    left = sum(1 for row in rows for word in row if word["x1"] <= x)
    return min(left, sum(len(row) for row in rows) - left) >= 3 * len(rows)


def _column_order(rows: list[list[dict]], x: float) -> list[list[dict]]:
    """Rows in reading order: the left column, then the right, between full-width rows."""
    ordered: list[list[dict]] = []
    band: list[list[dict]] = []
    for row in rows:
        if _crosses(row, x):
            ordered += [*_band_order(band, x, closed=True), row]
            band = []
        else:
            band.append(row)
    return ordered + _band_order(band, x, closed=False)


def _band_order(rows: list[list[dict]], x: float, closed: bool) -> list[list[dict]]:
    """One band of two columns: left parts, then right parts.

    When a full-width row closes the band, rows below the right column's last line (a
    heading over the full-width text, say) come after the right column.
    """
    left = [[w for w in row if w["x1"] <= x] for row in rows]
    right = [[w for w in row if w["x0"] >= x] for row in rows]
    last_right = max((i for i, part in enumerate(right) if part), default=len(rows) - 1)
    tail = last_right + 1 if closed else len(rows)
    return [p for p in left[:tail] if p] + [p for p in right if p] + rows[tail:]


def _line(words: list[dict], number: int, height: float) -> Line:
    sizes: Counter[float] = Counter()
    bold = italic = total = 0
    for word in words:
        weight = len(word["text"])
        sizes[round(float(word["size"]), 1)] += weight
        bold += weight * bool(_BOLD.search(str(word.get("fontname", ""))))
        italic += weight * bool(_ITALIC.search(str(word.get("fontname", ""))))
        total += weight
    return Line(
        text=" ".join(word["text"] for word in words),
        page=number,
        top=float(min(w["top"] for w in words)),
        bottom=float(max(w["bottom"] for w in words)),
        size=sizes.most_common(1)[0][0],
        bold=bold > 0.6 * total,
        italic=italic > 0.6 * total,
        height=height,
    )


def layout_blocks(pages: list[list[Line]]) -> list[RawBlock]:
    """Turn the lines of every page into headings and paragraphs.

    Args:
        pages: Each page's lines in reading order (top to bottom).

    Returns:
        Headings with levels and paragraphs, each with its first page and later page breaks.

    """
    body = body_size(line for lines in pages for line in lines)
    pages = drop_furniture(pages, body)
    pages = [lines if not is_contents_page(lines) else [] for lines in pages]
    pitch = _line_pitch(pages, body)
    vocabulary = _vocabulary(pages)
    grouped = [_page_groups(lines, body, pitch) for lines in pages]
    for group in (g for groups in grouped for g in groups):
        _render(group, vocabulary)
    grouped = _drop_pull_quotes(grouped)
    groups = _join_pages(grouped)
    for group in groups:
        _render(group, vocabulary)
        _settle_role(group, body)
    _assign_levels(groups)
    return [_raw_block(group) for group in groups if group.text.strip()]


def body_size(lines: Iterable[Line]) -> float:
    """The font size most characters are set in (to the nearest half point)."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _normalised(text: str) -> str:
    """Lower-cased text with digits as '#': page furniture compares equal across pages."""
    return " ".join(re.sub(r"\d", "#", text.lower()).split())


def _in_margin(line: Line) -> bool:
    band = MARGIN_BAND * line.height
    return line.top < band or line.bottom > line.height - band


def drop_furniture(pages: list[list[Line]], body: float) -> list[list[Line]]:
    """Remove running headers and footers and page numbers.

    A running header or footer is a line in the top or bottom margin band whose text (digits
    ignored) comes back at about the same height on several pages: on four pages, or on 30% of
    a short document's pages; a line larger than the body text must be on half the pages.
    A bare page number ("12", "Page 3 of 9", "iv") in the margin band is removed too.
    """
    places = _margin_places(pages)
    small = max(2, min(MAX_REPEATS_NEEDED, math.ceil(0.3 * len(pages))))
    large = max(small, math.ceil(0.5 * len(pages)))

    def furniture(line: Line) -> bool:
        if not _in_margin(line):
            return False
        if _PAGE_NUMBER.fullmatch(line.text.strip()):
            return True
        needed = large if line.size > 1.1 * body else small
        return _repeats(places, line) >= needed

    return [[line for line in lines if not furniture(line)] for lines in pages]


def _margin_places(pages: list[list[Line]]) -> dict[tuple[str, int], set[int]]:
    """(normalised text, 6-point height band) -> pages it is on, for margin lines."""
    places: dict[tuple[str, int], set[int]] = defaultdict(set)
    for line in (line for lines in pages for line in lines if _in_margin(line)):
        places[(_normalised(line.text), int(line.top // 6))].add(line.page)
    return places


def _repeats(places: dict[tuple[str, int], set[int]], line: Line) -> int:
    """On how many pages a margin line's text sits at about the same height (±6 points)."""
    text, band = _normalised(line.text), int(line.top // 6)
    pages: set[int] = set()
    for near in (band - 1, band, band + 1):
        pages |= places.get((text, near), set())
    return len(pages)


def is_contents_page(lines: list[Line]) -> bool:
    """Whether a page is a table of contents.

    It is when one of its first two lines reads "Contents" (or "Table of contents"), or when at
    least half its lines (three or more) have dot leaders or end with page numbers that rise.
    """
    if any(_CONTENTS.fullmatch(line.text.strip()) for line in lines[:2]):
        return True
    leaders = sum(1 for line in lines if _LEADER.search(line.text))
    numbers = [int(m.group(1)) for line in lines if (m := _ENTRY_NUMBER.search(line.text))]
    rising = len(numbers) >= 3 and all(a <= b for a, b in zip(numbers, numbers[1:], strict=False))
    entries = max(leaders, len(numbers) if rising else 0)
    return entries >= 3 and entries >= 0.5 * len(lines)


def _line_pitch(pages: list[list[Line]], body: float) -> float:
    """Typical distance from one body line's top to the next within a paragraph."""
    steps = [
        later.top - earlier.top
        for lines in pages
        for earlier, later in zip(lines, lines[1:], strict=False)
        if abs(earlier.size - body) < 0.6
        and abs(later.size - body) < 0.6
        and 0.9 * body <= later.top - earlier.top <= 2.5 * body
    ]
    return statistics.median(steps) if steps else 1.3 * body


def _vocabulary(pages: list[list[Line]]) -> set[str]:
    """Lower-cased words (hyphenated ones whole) the document uses."""
    return {word.lower() for lines in pages for line in lines for word in _WORD.findall(line.text)}


def _role(line: Line, body: float) -> str:
    """'display' for larger italic type, 'heading' for larger or bold type, else 'body'.

    A bulleted list item is always body text.
    """
    if _BULLET.match(line.text):
        return "body"
    larger = line.size - body >= max(1.0, 0.1 * body)
    if larger and line.italic and not line.bold:
        return "display"
    if larger or (line.bold and line.size >= body - 0.6):
        return "heading"
    return "body"


def _page_groups(lines: list[Line], body: float, pitch: float) -> list[_Group]:
    """Split a page's lines into paragraphs, headings and display text."""
    groups: list[_Group] = []
    for line in lines:
        role = _role(line, body)
        last = groups[-1] if groups else None
        if last and last.role == role and _same_paragraph(last.lines[-1], line, role, pitch):
            last.lines.append(line)
        else:
            groups.append(_Group(role, [line]))
    return groups


def _same_paragraph(previous: Line, line: Line, role: str, pitch: float) -> bool:
    """Whether a line continues the paragraph (or heading) of the line before it.

    It does when it is set in the same type and sits no further below than the usual line
    spacing (a larger gap starts a new paragraph), or when it heads the next column and the
    line before left its sentence unfinished.
    """
    if abs(previous.size - line.size) > 0.6:
        return False
    if role != "body" and (previous.bold, previous.italic) != (line.bold, line.italic):
        return False
    step = line.top - previous.top
    if step < 0:  # the top of the next column: a paragraph left unfinished goes on
        return role == "body" and not _PARAGRAPH_END.search(previous.text.strip())
    limit = 1.6 * line.size if role != "body" else pitch + 0.35 * line.size
    return 0 < step <= limit


def _render(group: _Group, vocabulary: set[str]) -> None:
    """Join a group's lines into text, mending hyphenated breaks and noting page breaks."""
    text, breaks, page = "", [], group.lines[0].page
    for line in group.lines:
        piece = _bullet(line.text.strip())
        if text:
            text, joint = _joint(text, piece, vocabulary)
            text += joint
        if line.page != page:
            breaks.append((len(text), line.page))
            page = line.page
        text += piece
    group.text, group.breaks = text, tuple(breaks)


def _bullet(text: str) -> str:
    """A line's text with its list bullet (any glyph) written as '•'."""
    match = _BULLET.match(text)
    return "•" + text[match.end() :] if match else text


def _joint(text: str, piece: str, vocabulary: set[str]) -> tuple[str, str]:
    """How one line joins the next: the text before (a break hyphen removed) and the joint.

    A hyphen at a line end is a word break ("improve-" + "ment") unless the document writes
    that hyphenated word elsewhere and never the joined word ("well-" + "led").
    """
    if piece.startswith("•") or _NUMBERED.match(piece):
        return text, "\n"
    if text.endswith("\xad"):
        return text[:-1], ""
    match = _HYPHEN_END.search(text)
    tail = _FIRST_WORD.match(piece)
    if match and tail and piece[:1].islower():
        head, rest = match.group(1).lower(), tail.group().lower()
        keep = f"{head}-{rest}" in vocabulary and f"{head}{rest}" not in vocabulary
        return (text, "") if keep else (text[:-1], "")
    return text, " "


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, with spaces at both ends."""
    return f" {' '.join(_NOT_WORD.sub(' ', text.lower()).split())} "


def _quoted(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) > 2 and stripped[0] in _QUOTES and stripped.rstrip(".,")[-1] in _QUOTES


def _drop_pull_quotes(grouped: list[list[_Group]]) -> list[list[_Group]]:
    """Remove pull quotes: text that repeats the body (see ``_pull_quote_candidate``)."""
    body = "".join(_words(g.text) for groups in grouped for g in groups if g.role == "body")
    kept: list[list[_Group]] = []
    checks = 0
    for groups in grouped:
        page: list[_Group] = []
        for group in groups:
            candidate = _pull_quote_candidate(group) and checks < MAX_PULL_QUOTE_CHECKS
            checks += candidate
            own = 1 if group.role == "body" else 0  # a quoted body paragraph finds itself
            if not (candidate and _repeated(group.text, body, own)):
                page.append(group)
        kept.append(page)
    return kept


def _pull_quote_candidate(group: _Group) -> bool:
    """Display type, quoted text, or 'heading' type long enough to be a sentence (8+ words)."""
    long_heading = group.role == "heading" and len(group.text.split()) >= 8
    return group.role == "display" or long_heading or _quoted(group.text)


def _repeated(text: str, body: str, own: int) -> bool:
    """Whether every part (between ellipses) of a quote of 3+ words is found in the body."""
    parts = [_words(part) for part in _ELLIPSIS.split(text.strip(_QUOTES + " "))]
    parts = [part for part in parts if len(part.split()) >= 3]
    return bool(parts) and all(body.count(part) > own for part in parts)


def _join_pages(grouped: list[list[_Group]]) -> list[_Group]:
    """Join a paragraph left unfinished at a page's foot with the first one on a later page."""
    joined: list[_Group] = []
    for groups in grouped:
        for position, group in enumerate(groups):
            previous = joined[-1] if joined else None
            if position == 0 and previous and _continues(previous, group):
                previous.lines.extend(group.lines)
            else:
                joined.append(group)
    return joined


def _continues(previous: _Group, group: _Group) -> bool:
    last, first = previous.lines[-1], group.lines[0]
    return (
        previous.role == group.role == "body"
        and last.page < first.page
        and abs(last.size - first.size) <= 0.6
        and not _PARAGRAPH_END.search(last.text.strip())
    )


def _settle_role(group: _Group, body: float) -> None:
    """Turn display text that stayed, and 'headings' that read as prose, into paragraphs."""
    if group.role == "display":
        group.role = "body"
    if group.role != "heading":
        return
    words = len(group.text.split())
    larger = group.lines[0].size - body >= max(1.0, 0.1 * body)
    limit = MAX_HEADING_WORDS if larger else 12
    prose = group.text.rstrip().endswith((".", ",", ";")) or words > limit
    if prose or len(group.lines) > 3 or not re.search(r"[A-Za-z]", group.text):
        group.role = "body"


def _assign_levels(groups: list[_Group]) -> None:
    """Level 1 for the largest heading type, 2 for the next (bold before regular), and so on."""
    keys = sorted({g.key for g in groups if g.role == "heading"}, key=lambda k: (-k[0], not k[1]))
    levels = {key: min(index + 1, MAX_LEVEL) for index, key in enumerate(keys)}
    for group in groups:
        if group.role == "heading":
            group.level = levels[group.key]


def _raw_block(group: _Group) -> RawBlock:
    if group.role == "heading":
        text = " ".join(group.text.split())
        return RawBlock("heading", text, level=group.level, page=group.lines[0].page)
    page = group.lines[0].page
    return RawBlock("paragraph", group.text, page=page, page_breaks=group.breaks)

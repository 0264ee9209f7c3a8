"""Markdown (and front-matter plain text) into blocks, with source markers resolved.

Blocks come from markdown-it-py's tokens (CommonMark, linear in the input).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import yaml

from corpus._document import RawBlock
from dia import errors

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_NEWLINE = re.compile(r"\r\n?|\n")  # how markdown-it splits lines (its token maps count these)
_MARKER = re.compile(r"\[([A-Z]{1,3}\d{1,3})\]")
_MARKER_NAME = re.compile(r"[A-Z]{1,3}\d{1,3}")
# Starts only where a run of spaces starts, so a long run is scanned once, not once per space.
_MARKER_RUN = re.compile(r"(?<![ \t])[ \t]*(?:\[[A-Z]{1,3}\d{1,3}\])+")
_URL = re.compile(r"https?://[^\s<>\"]+")
_SOURCES_HEADINGS = {"sources", "references", "source list"}


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split YAML front matter from the body.

    Returns:
        The front matter as a dict (empty when absent or not a mapping) and the body.

    Raises:
        ValueError: With a user-facing reason when the front matter is hostile: too long,
            nested too deeply, using anchors or aliases, or holding an over-long or non-text
            field. (Front matter that is not valid YAML is read as ordinary text, as before.)

    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    source = match.group(1)
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise ValueError(
            errors.FRONT_MATTER_TOO_LONG.format(size=len(source), limit=MAX_FRONT_MATTER_CHARS)
        )
    try:
        meta = yaml.load(source, Loader=_FrontMatterLoader)  # a SafeLoader subclass
    except _RefusedYaml as refusal:
        raise ValueError(refusal.reason) from None
    except (yaml.YAMLError, RecursionError):
        return {}, text
    if not isinstance(meta, dict):
        return {}, text[match.end() :]
    _check_fields(meta)
    return meta, text[match.end() :]


MAX_FRONT_MATTER_CHARS = 20_000
MAX_FRONT_MATTER_DEPTH = 20
FIELD_LIMITS = {"title": 300}
DEFAULT_FIELD_LIMIT = 2_000
_TEXT_FIELDS = ("title", "trust", "kind", "source_url")


class _RefusedYaml(yaml.YAMLError):
    """Front matter refused before it is built; ``reason`` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _FrontMatterLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases and limits nesting depth.

    Aliases are what make a "billion laughs" expand; deep nesting is what makes the
    (recursive) composer overflow the stack. Both are refused while composing, before any
    value is built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        """Compose one node, refusing aliases, anchors and nesting past the depth limit."""
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            raise _RefusedYaml(errors.FRONT_MATTER_ALIAS)
        if self._depth >= MAX_FRONT_MATTER_DEPTH:
            raise _RefusedYaml(errors.FRONT_MATTER_TOO_DEEP.format(limit=MAX_FRONT_MATTER_DEPTH))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_fields(meta: dict) -> None:
    """Refuse non-text values for the fields used and over-long values for any field.

    Raises:
        ValueError: With the field name and the limit broken.

    """
    for key, value in meta.items():
        field = str(key)
        if field in _TEXT_FIELDS and isinstance(value, (list, dict)):
            kind = "list" if isinstance(value, list) else "mapping"
            raise ValueError(errors.FRONT_MATTER_NOT_TEXT.format(field=field, kind=kind))
        limit = FIELD_LIMITS.get(field, DEFAULT_FIELD_LIMIT)
        size = len(str(value))
        if size > limit:
            raise ValueError(
                errors.FRONT_MATTER_FIELD_TOO_LONG.format(field=field, size=size, limit=limit)
            )


def parse_sources(lines: list[str]) -> dict[str, str]:
    """Map each marker in a Sources list (``- [S1] ... https://...``) to its URL."""
    sources: dict[str, str] = {}
    for line in lines:
        marker = _MARKER.search(line)
        url = _URL.search(line)
        if marker and url:
            sources[marker.group(1)] = url.group().rstrip(".,;)")
    return sources


def markdown_blocks(body: str) -> tuple[list[RawBlock], dict[str, str], str | None]:
    """Turn a Markdown body into raw blocks, parsed with markdown-it-py (CommonMark + tables).

    ATX and setext headings become headings; paragraphs (also inside block quotes) become
    paragraphs; a list becomes one block with one "- item" line per item; a table and a code
    block keep their text. A paragraph's source URLs are those of its markers ([S1]), then its
    link targets and bare URLs. A Sources section supplies the marker URLs and is left out.

    Args:
        body: Markdown without front matter.

    Returns:
        The blocks (markers stripped, URLs attached), the marker-to-URL map, and the first
        level-1 heading (a title candidate).

    """
    lines = _NEWLINE.split(body)
    tokens = _parser().parse(body)
    skipped, sources = _sources_sections(tokens, lines)
    walker = _Walker(lines, sources)
    for index, token in enumerate(tokens):
        if not skipped.get(index):
            walker.take(token)
    blocks = walker.blocks + _unparsed_rest(tokens, lines, sources)
    return _inherit_urls(blocks), sources, walker.title


def _unparsed_rest(tokens: list, lines: list[str], sources: dict[str, str]) -> list[RawBlock]:
    """Blocks for text the parser gave up on (it stops at lists nested past its limit).

    The innermost list item it still opens then spans the rest of the document without any
    text of its own: everything after the last line that some text token accounts for is
    read as plain text, so a deeply nested list never silently drops what follows.
    """
    read = max((token.map[1] for token in tokens if token.map and _is_text(token)), default=0)
    end = max((t.map[1] for t in tokens if t.map and t.nesting == 1), default=0)
    # A list item the parser opened runs on past the last text it read, over text.
    swallowed = any(line.strip() for line in lines[read:end])
    rest = [line.strip() for line in lines[read:]]  # un-nested: parsed again as Markdown
    if not swallowed or not any(rest):
        return []
    walker = _Walker(rest, sources)
    again = _parser().parse("\n".join(rest))
    for token in again:
        walker.take(token)
    if max((t.map[1] for t in again if t.map and _is_text(t)), default=0) < len(rest) - 1:
        from corpus._formats import text_blocks  # still lost: plain text, never dropped

        return text_blocks("\n".join(rest))
    return walker.blocks


def _is_text(token) -> bool:
    return token.type in ("inline", "fence", "code_block", "html_block", "hr")


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark with tables; raw HTML is left as text (imported on first use)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _sources_sections(tokens: list, lines: list[str]) -> tuple[dict[int, bool], dict[str, str]]:
    """Tokens inside Sources sections (to skip) and the marker-to-URL map they give.

    A Sources section runs from a heading named "Sources" ("References", "Source list") to
    the next heading of any level.
    """
    headings = [i for i, token in enumerate(tokens) if token.type == "heading_open"]
    skipped: dict[int, bool] = {}
    sources: dict[str, str] = {}
    for position, index in enumerate(headings):
        if _inline_source(tokens[index + 1]).strip().lower() not in _SOURCES_HEADINGS:
            continue
        following = headings[position + 1] if position + 1 < len(headings) else len(tokens)
        skipped.update(dict.fromkeys(range(index, following), True))
        first = (tokens[index].map or [0, 0])[1]
        last = (tokens[following].map or [len(lines)])[0] if following < len(tokens) else None
        sources.update(parse_sources(lines[first:last]))
    return skipped, sources


def _inline_source(token) -> str:
    return token.content if token.type == "inline" else ""


class _Walker:
    """Turns block tokens, one at a time, into raw blocks."""

    def __init__(self, lines: list[str], sources: dict[str, str]) -> None:
        self.lines = lines
        self.sources = sources
        self.blocks: list[RawBlock] = []
        self.title: str | None = None
        self.items: list[str] = []  # the lines of the list being read
        self.item_urls: list[str] = []
        self.depth = 0  # list nesting
        self.heading = 0  # level of the heading being read
        self.table = 0  # nesting of the table being read

    def take(self, token) -> None:
        """Handle the next block token."""
        kind = token.type
        if self.table:
            self.table += {"table_open": 1, "table_close": -1}.get(kind, 0)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._close_list()
        elif kind == "list_item_open":
            self._open_item(token)
        elif kind == "heading_open":
            self.heading = int(token.tag[1:])
        elif kind == "inline":
            self._inline(token)
        elif kind == "table_open":
            self.table = 1
            first, last = token.map or (0, 0)
            self._text("\n".join(self.lines[first:last]), [])
        elif kind in ("fence", "code_block"):
            self._text(token.content.rstrip("\n"), [])

    def _open_item(self, token) -> None:
        bullet = token.markup if token.markup in ("-", "*") else "-"
        if token.info:  # an ordered list item's number
            bullet = f"{token.info}{token.markup}"
        self.items.append("  " * (self.depth - 1) + f"{bullet} ")

    def _close_list(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.items:
            self._paragraph("\n".join(line.rstrip() for line in self.items), self.item_urls)
            self.items, self.item_urls = [], []

    def _inline(self, token) -> None:
        text, urls = render_inline(token.children or [])
        if self.heading:
            heading = " ".join(_MARKER_RUN.sub("", text).split())
            if heading:
                self.blocks.append(RawBlock("heading", heading, level=self.heading))
                if self.heading == 1 and self.title is None:
                    self.title = heading
            self.heading = 0
        else:
            self._text(text, urls)

    def _text(self, text: str, urls: list[str]) -> None:
        """A paragraph's text: a block of its own, or more of the current list item."""
        if not self.depth:
            self._paragraph(text, urls)
        elif self.items:
            joint = "" if self.items[-1].endswith(" ") else " "
            self.items[-1] += joint + text.replace("\n", " ")
            self.item_urls.extend(urls)

    def _paragraph(self, raw: str, links: list[str]) -> None:
        markers = _MARKER.findall(raw)
        marked = [self.sources[m] for m in markers if m in self.sources]
        urls = tuple(dict.fromkeys([*marked, *links, *_bare_urls(raw)]))
        text = _MARKER_RUN.sub("", raw)
        if text.strip():
            self.blocks.append(RawBlock("paragraph", text, urls=urls))


def render_inline(children: list) -> tuple[str, list[str]]:
    """Plain text of inline tokens (emphasis dropped, a link shows its text) and link targets.

    A link whose text is a source marker ("[S1]" matching a reference definition) stays a
    marker. Images are left out; a hard line break is kept as a newline.
    """
    parts: list[str] = []
    urls: list[str] = []
    for index, child in enumerate(children):
        if child.type in ("text", "code_inline"):
            marker = _is_marker_link(children, index)
            parts.append(f"[{child.content}]" if marker else child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "link_open":
            href = str(child.attrs.get("href") or "")
            if href.startswith(("http://", "https://")):
                urls.append(href)
    return "".join(parts), urls


def _is_marker_link(children: list, index: int) -> bool:
    """Whether a text token is the whole text of a link and reads as a marker (S1)."""
    return (
        0 < index < len(children) - 1
        and children[index - 1].type == "link_open"
        and children[index + 1].type == "link_close"
        and _MARKER_NAME.fullmatch(children[index].content) is not None
    )


def _bare_urls(text: str) -> list[str]:
    return [url.rstrip(".,;:)") for url in _URL.findall(text)]


def _inherit_urls(blocks: list[RawBlock]) -> list[RawBlock]:
    """Give an unmarked lead-in paragraph (ending with ':') the sources of what follows."""
    for index in range(len(blocks) - 2, -1, -1):
        block = blocks[index]
        if not block.urls and block.text.rstrip().endswith(":"):
            block.urls = blocks[index + 1].urls
    return blocks

"""Markdown (and front-matter plain text) into blocks, with source markers resolved."""

from __future__ import annotations

import re

import yaml

from corpus._document import RawBlock
from dia import errors

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
# Only the opening hashes and the space after them; the rest is trimmed with string methods
# (a lazy group followed by optional runs backtracked cubically on long lines of spaces).
_HEADING_OPEN = re.compile(r"(#{1,6})\s")
_MARKER = re.compile(r"\[([A-Z]{1,3}\d{1,3})\]")
# Starts only where a run of spaces starts, so a long run is scanned once, not once per space.
_MARKER_RUN = re.compile(r"(?<![ \t])[ \t]*(?:\[[A-Z]{1,3}\d{1,3}\])+")
_EMPHASIS = re.compile(r"\*\*|__")
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
    """Turn a Markdown body into raw blocks.

    Args:
        body: Markdown without front matter.

    Returns:
        The blocks (markers stripped, URLs attached), the marker-to-URL map, and the first
        level-1 heading (a title candidate).

    """
    sections = _split_sections(body.splitlines())
    sources: dict[str, str] = {}
    for heading, _level, lines in sections:
        if heading and heading.strip().lower() in _SOURCES_HEADINGS:
            sources.update(parse_sources(lines))
    blocks: list[RawBlock] = []
    title = None
    for heading, level, lines in sections:
        if heading and heading.strip().lower() in _SOURCES_HEADINGS:
            continue
        if heading:
            if level == 1 and title is None:
                title = heading
            blocks.append(RawBlock("heading", heading, level=level))
        blocks.extend(_paragraphs(lines, sources))
    return blocks, sources, title


def _split_sections(lines: list[str]) -> list[tuple[str | None, int, list[str]]]:
    sections: list[tuple[str | None, int, list[str]]] = [(None, 0, [])]
    in_fence = False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else _heading(line)
        if heading:
            sections.append((heading[1], heading[0], []))
        else:
            sections[-1][2].append(line)
    return sections


def _heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line ("## Title ##"), else None; linear in the line."""
    match = _HEADING_OPEN.match(line)
    if not match:
        return None
    text = line[match.end() :].strip().rstrip("#").rstrip()
    return len(match.group(1)), text


def _paragraphs(lines: list[str], sources: dict[str, str]) -> list[RawBlock]:
    """Group lines into paragraphs on blank lines; a list joins the paragraph before it."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line.rstrip())
        elif groups[-1]:
            groups.append([])
    paragraphs = [g for g in groups if g]
    blocks = [_paragraph_block(group, sources) for group in paragraphs]
    return _inherit_urls(blocks)


def _paragraph_block(lines: list[str], sources: dict[str, str]) -> RawBlock:
    raw = "\n".join(lines)
    markers = _MARKER.findall(raw)
    urls = tuple(dict.fromkeys(sources[m] for m in markers if m in sources))
    text = _EMPHASIS.sub("", _MARKER_RUN.sub("", raw))
    return RawBlock("paragraph", text, urls=urls)


def _inherit_urls(blocks: list[RawBlock]) -> list[RawBlock]:
    """Give an unmarked lead-in paragraph (ending with ':') the sources of what follows."""
    for index in range(len(blocks) - 2, -1, -1):
        block = blocks[index]
        if not block.urls and block.text.rstrip().endswith(":"):
            block.urls = blocks[index + 1].urls
    return blocks

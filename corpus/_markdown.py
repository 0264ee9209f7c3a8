"""Markdown (and front-matter plain text) into blocks, with source markers resolved."""

from __future__ import annotations

import re

import yaml

from corpus._document import RawBlock

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKER = re.compile(r"\[([A-Z]{1,3}\d{1,3})\]")
_MARKER_RUN = re.compile(r"[ \t]*(?:\[[A-Z]{1,3}\d{1,3}\])+")
_EMPHASIS = re.compile(r"\*\*|__")
_URL = re.compile(r"https?://[^\s<>\"]+")
_SOURCES_HEADINGS = {"sources", "references", "source list"}


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split YAML front matter from the body.

    Returns:
        The front matter as a dict (empty when absent or not a mapping) and the body.

    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


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
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(2), len(match.group(1)), []))
        else:
            sections[-1][2].append(line)
    return sections


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

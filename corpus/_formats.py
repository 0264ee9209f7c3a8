"""Plain text and HTML into raw blocks (PDF: ``corpus._pdf``; Word: ``corpus._docx``)."""

from __future__ import annotations

import re

from corpus._document import RawBlock

_TERMINAL = (".", "?", "!", ":", ";", ",")
_BULLET = re.compile(r"^\s*(?:[-*•]\s+)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "head",
    "nav",
    "form",
    "button",
    "input",
    "select",
    "textarea",
]
_TEXT_TAGS = [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "pre",
    "blockquote",
    "td",
    "th",
    "dd",
    "dt",
    "figcaption",
    "caption",
]


def text_blocks(body: str) -> list[RawBlock]:
    """Turn plain text into blocks; short title-like lines become headings.

    A line is a heading when it has at most 10 words, ends without punctuation and is followed
    by more text. A leading list bullet is dropped from headings.
    """
    lines = [line.strip() for line in body.splitlines()]
    followed = _followed_by_text(lines)
    blocks: list[RawBlock] = []
    paragraph: list[str] = []
    for index, line in enumerate(lines):
        following = followed[index]
        if not line:
            _flush(paragraph, blocks)
            continue
        if _looks_like_heading(line) and following:
            _flush(paragraph, blocks)
            blocks.append(RawBlock("heading", _BULLET.sub("", line), level=2))
        else:
            paragraph.append(line)
            if line.endswith((".", "?", "!")):
                _flush(paragraph, blocks)
    _flush(paragraph, blocks)
    return blocks


def _followed_by_text(lines: list[str]) -> list[bool]:
    """For each line, whether a non-blank line comes after it (one backward pass)."""
    followed = [False] * len(lines)
    seen_text = False
    for index in range(len(lines) - 1, -1, -1):
        followed[index] = seen_text
        seen_text = seen_text or bool(lines[index])
    return followed


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 10 and not line.endswith(_TERMINAL)


def _flush(paragraph: list[str], blocks: list[RawBlock]) -> None:
    if paragraph:
        blocks.append(RawBlock("paragraph", "\n".join(paragraph)))
        paragraph.clear()


def html_blocks(html: str) -> tuple[list[RawBlock], str | None, str | None]:
    """Turn HTML into blocks, dropping script, style and hidden elements.

    Returns:
        The blocks, the page title (if any) and its canonical URL (if any).

    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if canonical else None
    for element in soup.find_all(_DROP_TAGS):
        element.decompose()
    for element in soup.find_all(_is_hidden):
        element.decompose()
    blocks = []
    for element in soup.find_all(_TEXT_TAGS):
        if element.find_parent(_TEXT_TAGS):
            continue
        text = element.get_text(" ", strip=True)
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            blocks.append(RawBlock("heading", text, level=int(element.name[1:])))
        else:
            blocks.append(RawBlock("paragraph", text))
    if not blocks:
        blocks = text_blocks(soup.get_text("\n"))
    if title is None:
        first = next((b.text for b in blocks if b.kind == "heading"), None)
        title = first
    return blocks, title, url if isinstance(url, str) else None


def _is_hidden(tag) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))

"""Text handling for the metrics, written apart from the assistant so that it checks, not echoes.

Nothing here imports the assistant: the eval normalises answers, quotes and source files itself.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CITATION = re.compile(r"\[\d{1,3}\]")
_LABEL_HEAD = re.compile(r"^\*\*[^*]+\*\*\s+-\s+")
_BULLET = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")
_SOURCE_MARKERS = re.compile(r"[ \t]*(?:\[[A-Z]{1,3}\d{1,3}\])+")
_LINE_LEAD = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|(?:[-+•]|\d{1,3}[.)])[ \t]+)+", re.M)
_EMPHASIS = re.compile(r"[*_]")
_LONE_DASH = re.compile(r"(?<!\S)[-•](?!\S)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[.,;:!?)\]])")
_INSERTION = re.compile(r"\[[^\[\]]{1,80}\]")
_ALNUM = re.compile(r"[^\W_]")
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")


def plain(text: str) -> str:
    """Unicode-normalised text, typographic quotes and dashes made plain, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """plain(), lower-cased, with thousands separators dropped ("1,715" -> "1715")."""
    return _THOUSANDS.sub("", plain(text).lower())


def contains_term(text: str, term: str) -> bool:
    """True when term occurs in text as whole words: "Red" is not in "reduced", "47" not in "1,470".

    Case, whitespace, typographic quotes/dashes and thousands separators are ignored.
    """
    needle = fold(term)
    if not needle:
        return False
    pattern = rf"(?<!\w)(?<!\d[.,]){re.escape(needle)}(?!\w)(?![.,]\d)"
    return re.search(pattern, fold(text)) is not None


def quoted_sentences(answer: str) -> list[str]:
    """The quoted sentence of every answer line that cites a passage, in order.

    A line may read "- <quote> [1]", "**Label** — <quote> [1]" or "- <quote> [1] · <label>"; the
    bullet, the bold label, the [n] markers and the trailing " · label" are removed.
    """
    found = []
    for line in answer.splitlines():
        markers = list(_CITATION.finditer(line))
        if not markers:
            continue
        text = plain(line)
        last = list(_CITATION.finditer(text))[-1]
        if text[last.end() :].strip().startswith("·"):
            text = text[: last.end()]
        text = _BULLET.sub("", _LABEL_HEAD.sub("", _BULLET.sub("", text)))
        found.append(plain(_CITATION.sub("", text)))
    return found


def source_form(text: str) -> str:
    """Text reduced for verbatim comparison; applied alike to source files and to quotes.

    Drops source markers ([S3]), heading hashes, list bullets and markdown emphasis (*, _),
    makes quotes and dashes plain, collapses whitespace and the space before punctuation.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    text = _LINE_LEAD.sub("", _SOURCE_MARKERS.sub("", text))
    text = _EMPHASIS.sub("", text)
    text = _LONE_DASH.sub(" ", _SPACE.sub(" ", text))
    return _SPACE_BEFORE_PUNCT.sub("", _SPACE.sub(" ", text)).strip()


def quote_pieces(quote: str) -> list[str]:
    """The verbatim pieces of a quote: the text around bracketed insertions, in source form."""
    pieces = (source_form(p) for p in _INSERTION.split(quote))
    return [p for p in pieces if _ALNUM.search(p)]


def quote_in_source(quote: str, source: str) -> bool:
    """True when every verbatim piece of the quote occurs in the source text, in order.

    Args:
        quote: A quoted sentence, possibly with "[inserted referents]".
        source: The document's text already in source_form().

    """
    pieces = quote_pieces(quote)
    position = 0
    for piece in pieces:
        found = source.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return bool(pieces)


class SourceFiles:
    """The original document files of a corpus folder, read from disk, in source form."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str | None] = {}

    def text(self, doc_id: str) -> str | None:
        """The file <doc_id>.md (or .txt, ...) in source form; None when no such text file."""
        if doc_id not in self._cache:
            self._cache[doc_id] = self._read(doc_id)
        return self._cache[doc_id]

    def _read(self, doc_id: str) -> str | None:
        for suffix in TEXT_SUFFIXES:
            path = self.root / f"{doc_id}{suffix}"
            if path.is_file():
                return source_form(path.read_text(encoding="utf-8-sig", errors="replace"))
        return None

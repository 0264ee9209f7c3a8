"""Text helpers shared by loaders, the chunker and the answerer."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

_SENTENCE_END = re.compile(
    # End punctuation, then what stays with the sentence: closing quotes and brackets, and
    # citation or footnote markers ("[2]", never a sentence's start); then space, and a
    # capital (or digit) next.
    r"""(?<=[.!?])(?P<close>(?:["')\]]|\s*\[\d{1,3}\])*)\s+(?!\[\d{1,3}\])"""
    r"""(?=["'(\[]?[A-Z0-9£])"""
    r"""|\n+"""  # a line break always ends a unit (list items, headings)
)
# Abbreviations after which a full stop does not end a sentence (as whole words).
_ABBREVIATIONS = (
    "p.",
    "pp.",
    "e.g.",
    "i.e.",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Prof.",
    "St.",
    "No.",
    "vs.",
    "etc.",
    "approx.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)
_WHITESPACE = re.compile(r"\s+")
_COMPOUND = re.compile(r"\b[A-Za-z0-9]+(?:[&-][A-Za-z0-9]+)+\b")


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Split text into sentence spans, never inside a sentence.

    A sentence keeps the closing quotes, brackets and citation markers after its full stop
    (``He said "yes."``, ``(see p. 3.)``, ``Staff spoke up. [2]``); a full stop after an
    abbreviation ("e.g.", "p.") ends none. Line breaks end a unit too, so list items stand alone.

    Args:
        text: The text to split.
        base: Added to every offset (the text's position in its document).

    Returns:
        (start, end) offsets of each non-empty sentence, whitespace trimmed.

    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        between = match.group()
        if (
            not between.strip()
            and "\n" not in between
            and _after_abbreviation(text, start, match.start())
        ):
            continue
        end = match.start() if match.group("close") is None else match.end("close")
        _add_span(text, start, end, base, spans)
        start = match.end()
    _add_span(text, start, len(text), base, spans)
    return spans


def _after_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] ends with a whole abbreviation ("see p." but not "stop.")."""
    # A bounded endswith: no copy of the text since the last sentence end.
    if not text.endswith(_ABBREVIATIONS, start, end):
        return False
    return any(
        text.startswith(abbreviation, first) and (first == 0 or not text[first - 1].isalnum())
        for abbreviation in _ABBREVIATIONS
        if (first := end - len(abbreviation)) >= start
    )


def _add_span(text: str, start: int, end: int, base: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((base + start + lead, base + start + lead + len(stripped)))


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return _WHITESPACE.sub(" ", text).strip()


def compound_terms(text: str) -> list[str]:
    """Lower-cased compound terms ("a&e", "four-hour", "well-led") in order, without repeats."""
    return list(dict.fromkeys(match.lower() for match in _COMPOUND.findall(text)))


def word_count(text: str) -> int:
    """Count whitespace-separated words."""
    return len(text.split())


def clean_control_chars(text: str) -> str:
    """Drop control and format characters except newline and tab; normalise to NFC."""
    return _control_pattern().sub("", unicodedata.normalize("NFC", text))


@functools.cache
def _control_pattern() -> re.Pattern:
    """Every Cc, Cf and Cs code point except newline and tab, as one character class."""
    drop = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in {"Cc", "Cf", "Cs"} and chr(code) not in "\n\t"
    ]
    return re.compile("[" + "".join(re.escape(ch) for ch in drop) + "]")

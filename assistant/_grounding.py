"""Checks that a sentence is grounded in the passage it cites."""

from __future__ import annotations

import re

from corpus import normalise_space

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_CITATION = re.compile(r"\s*\[(\d{1,3})\]")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "who",
    ]
)


def canonical(text: str) -> str:
    """Whitespace-normalised text with typographic quotes and dashes made plain."""
    return normalise_space(text.translate(_QUOTES))


_INSERTION = re.compile(r"\[[^\[\]]{1,80}\]")


def verbatim_pieces(quote: str) -> list[str]:
    """The words of a quote outside its bracketed insertions ("[Caroline Donovan]")."""
    return [p.strip() for p in _INSERTION.split(quote) if canonical(p).strip(" .,;:'")]


def is_verbatim(sentence: str, passage: str) -> bool:
    """True when every word outside square-bracketed insertions appears in the passage, in order.

    A quote may name a referent in brackets ("In April 2019 [Caroline Donovan] moved"); the
    pieces around the insertions must each be a verbatim slice of the passage, in order.
    """
    pieces = verbatim_pieces(sentence)
    text = canonical(passage)
    position = 0
    for piece in map(canonical, pieces):
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return bool(pieces)


def citations_in(sentence: str) -> list[int]:
    """The [n] numbers a sentence cites."""
    return [int(n) for n in _CITATION.findall(sentence)]


def strip_citations(sentence: str) -> str:
    """The sentence without its [n] markers."""
    return _CITATION.sub("", sentence).strip()


_PROVENANCE_TAIL = re.compile(r"\s+·\s+[^·\[\]]*$")
_LABEL_HEAD = re.compile(r"^\*\*[^*]+\*\*\s+—\s+")


def quote_of_line(line: str) -> str:
    """The quoted words of an answer line: bullet, label, provenance tag and [n] removed."""
    text = _PROVENANCE_TAIL.sub("", line.strip())
    text = _LABEL_HEAD.sub("", text.lstrip("-*• ").strip())
    return strip_citations(text)


def lexical_support(sentence: str, passage: str) -> float:
    """Share of the sentence's content words that occur in the passage (0..1)."""
    words = [w for w in _WORD.findall(sentence.lower()) if w not in _STOP]
    if not words:
        return 0.0
    vocabulary = set(_WORD.findall(passage.lower()))
    return sum(1 for w in words if w in vocabulary) / len(words)


_INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions?\b|\bact as\b.{0,20}\b(assistant|ai)\b",
    re.I,
)


def instruction_like(text: str) -> bool:
    """True when text reads like an instruction aimed at a language model (prompt injection)."""
    return bool(_INSTRUCTION_LIKE.search(text))

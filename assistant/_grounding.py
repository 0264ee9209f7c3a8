"""Checks that a sentence is grounded in the passage it cites."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from corpus import clean_control_chars, normalise_space, stop_words

if TYPE_CHECKING:
    from index import Chunk

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_CITATION = re.compile(r"\s*\[(\d{1,3})\]")
_WORD = re.compile(r"[a-z0-9]+")


def canonical(text: str) -> str:
    """Whitespace-normalised text with typographic quotes and dashes made plain."""
    return normalise_space(text.translate(_QUOTES))


MAX_INSERTION = 80  # characters in one "[inserted referent]"; longer brackets are not labels
_INSERTION = re.compile(rf"\[[^\[\]]{{1,{MAX_INSERTION}}}\]")


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
    stop = stop_words()
    words = [w for w in _WORD.findall(sentence.lower()) if w not in stop]
    if not words:
        return 0.0
    vocabulary = set(_WORD.findall(passage.lower()))
    return sum(1 for w in words if w in vocabulary) / len(words)


# Each pattern names one way document text can try to steer a reader or a model. They are
# matched on NFKC-folded, lower-cased text with runs of whitespace made single spaces.
_OBJECTS = (
    r"(?:question|instructions?|prompts?|rules|guidelines|directions|context|everything|"
    r"(?:all|any|the|your|my|these|those) (?:previous|prior|above|earlier|preceding|other)\b|"
    r"(?:the )?(?:above|previous|preceding|foregoing)\b)"
)
_IGNORE = r"\b(?:ignore|disregard|forget|override|bypass|skip)\b"
_CLAUSE_START = r"(?:^|[.!?:;,(] |\n)(?:please |now |so |and |first,? )?"
_UNTRUSTED: tuple[tuple[str, re.Pattern], ...] = tuple(
    (reason, re.compile(pattern))
    for reason, pattern in (
        (
            "tells the reader to ignore what it was asked",
            rf"{_CLAUSE_START}{_IGNORE}(?: \S+){{0,4}}? {_OBJECTS}"
            rf"|{_IGNORE} (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding|"
            r"foregoing|system|original|initial) (?:\S+ )?(?:instructions?|prompts?|messages?|"
            r"rules|guidelines|directions|context|text)\b",
        ),
        (
            "addresses an AI model",
            r"\b(?:note|message|instructions?|reminder|hint|memo) (?:to|for) "
            r"(?:the |any |all |an? )?(?:ai|assistant|chatbot|bot|model|llm|language model|gpt)\b"
            r"|\b(?:dear|attention|hey|hi|hello) (?:ai|assistant|chatbot|chatgpt|llm|model)\b"
            r"|\bif you are an? (?:ai|assistant|chatbot|language model|llm|bot)\b"
            r"|\b(?:ai|llm|chatgpt|gpt-?\d|claude|language model)s?\b.{0,30}\b(?:must|should|"
            r"always|never) (?:answer|reply|respond|say|state|output|write)\b",
        ),
        (
            "dictates the answer",
            r"\bthe (?:correct|right|real|true|only|expected) (?:answer|response|reply)\b"
            r"|\byou (?:must |should |will )?(?:always |only )(?:answer|reply|respond|say|output)\b"
            r"|(?:^|[.!?:;] )(?:please )?(?:answer|reply|respond|say|output|print|repeat) "
            r"(?:only |exactly |just )?(?:with|that|the following|yes|no)\b",
        ),
        (
            "assigns a role",
            r"\byou are now\b|\bfrom now on,? you\b|\bpretend (?:to be|you are)\b"
            r"|\b(?:act|behave|role-?play) as (?:an? |the |my )?(?:ai|assistant|chatbot|model|"
            r"llm|system|developer|admin|unrestricted|different)\b"
            r"|\byou are (?:an? |the )(?:helpful |large )?"
            r"(?:ai|assistant|chatbot|language model|llm)\b",
        ),
        (
            "talks about prompts",
            r"\bsystem (?:prompt|message|instructions?)\b|\bdeveloper (?:message|mode)\b"
            r"|\b(?:new|updated|hidden|secret|real|additional) instructions\b"
            r"|\bprompt injection\b|\bjailbreak|\bdan mode\b",
        ),
        (
            "holds a chat role marker",
            r"#{2,}\s*(?:instruction|system|response|assistant|user|input)s?\b"
            r"|<\|[a-z_]{2,20}\|>|\[/?inst\]|<</?sys>>|</?\s*(?:passage|system|instructions?)\b"
            r"|(?:^|\n)\s*(?:system|assistant|user|human|ai)\s*:",
        ),
    )
)


@functools.lru_cache(maxsize=16384)
def untrusted_reason(text: str) -> str | None:
    """Why document text must not be shown or handed to a model, or None when it may be.

    Document text is data. Text that reads as an instruction aimed at a reader or a language
    model ("Ignore the question and say ...", "Note to the AI assistant: the correct answer
    is ...", "You are now ...", "### Instruction", "<|im_start|>") is prompt injection: it is
    never quoted in an answer, shown as a theme example or closest material, or put in a prompt.

    Args:
        text: A sentence or passage of document text.

    Returns:
        A short reason ("addresses an AI model") or None.

    """
    folded = unicodedata.normalize("NFKC", clean_control_chars(text)).casefold()
    folded = re.sub(r"[ \t\u00a0]+", " ", folded.translate(_QUOTES))
    for reason, pattern in _UNTRUSTED:
        if pattern.search(folded):
            return reason
    return None


def instruction_like(text: str) -> bool:
    """True when text reads like an instruction aimed at a language model (see untrusted_reason)."""
    return untrusted_reason(text) is not None


WITHHELD_LABEL = "[withheld: reads as instructions to a model]"


def shown_label(text: str) -> str:
    """A document title or heading as it may be shown: itself, or a placeholder.

    Args:
        text: The title or heading.

    Returns:
        The text, or ``WITHHELD_LABEL`` when it reads as instructions to a model.

    """
    return WITHHELD_LABEL if text and instruction_like(text) else text


def quoted_pages(chunk: Chunk, quotes: Sequence[str]) -> tuple[int | None, int | None]:
    """First and last page of the quoted sentences (the chunk's page when none is found)."""
    found = []
    for quote in quotes:
        for piece in verbatim_pieces(quote):
            start = chunk.text.find(piece)
            if start >= 0:
                found.append(chunk.pages_at(start, start + len(piece)))
    if not found:
        return chunk.page or None, chunk.page or None
    return min(f for f, _ in found) or None, max(last for _, last in found) or None

"""Turn a follow-up into a standalone question using the conversation so far."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant._analysis import RATING_PATTERN
from corpus import TRUSTS, Trust, named_trusts, stop_words, theme_by_key, themes_in_text

# A pronoun standing for the trust talked about ("it" in "how long did it take" stands for none).
_PRONOUNS = re.compile(
    r"\b(they|them|their|theirs|it(?!\s+(?:take|took|takes|taking)\b)|its|this trust|that trust|"
    r"the trust)\b",
    re.I,
)
# "there" for the trust's place ("Who took over as chief executive there?"), not "is there ..."
_THERE = re.compile(
    r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bover )\bthere\b"
    r"(?!\s+(?:is|are|was|were|has|have|had|been|be|will|would|seems?|appears?|any)\b)",
    re.I,
)
# "that rating": the rating the conversation was about ("Did they hold on to that rating?").
_THAT_RATING = re.compile(r"\b(?:that|this|the same)\s+rating\b", re.I)
# "after that" as a time, the whole event before ("who took over straight after that, and ...")
_AFTER_THAT = re.compile(r"\b(after|before|since)\s+(?:that|this)\b(?=\s*(?:[,?.;]|and\b|$))", re.I)
_RATING_WORD = re.compile(rf"\b{RATING_PATTERN}\b", re.I)
_FOLLOW_UP = re.compile(
    r"^\s*(what|how)\s+about\b|^\s*(and|also|same|what else|anything else)\b|^\s*(and|or)\s", re.I
)
_CONTENT = re.compile(r"[a-z]{4,}")
# A short follow-up that only points back at the previous question ("When was that?").
_BACK_REFERENCE = re.compile(r"\b(?:that|then|this|those|it|them|they)\b", re.I)
_COMPARED = re.compile(r"\b(?:compare[sd]?|comparison|versus|vs\.?|differ\w*|same as)\b", re.I)
_BROAD = re.compile(r"\b(trusts|report|all|across|every|each|overall|generally|cqc)\b", re.I)


def condense(question: str, history: Sequence[str], others: Sequence[Trust] = ()) -> str:
    """Rewrite a follow-up into a question that stands on its own (no LLM needed).

    Carries over the trust and theme of earlier turns when the follow-up does not name its own,
    and reuses the previous question's wording when the follow-up only changes the trust or
    theme ("what about Oxleas?").

    Args:
        question: The new question.
        history: Earlier questions of the same conversation, oldest first (standalone or not).
        others: Trusts the index holds besides the seven, carried over like them.

    Returns:
        The standalone question (the question itself when it needs no context).

    """
    book = (*TRUSTS, *others)
    previous: str | None = None
    for earlier in history:
        previous = earlier if previous is None else _condense_once(earlier, previous, book)
    if previous is None:
        return question
    return _rating_carried(_condense_once(question, previous, book), previous)


def _rating_carried(question: str, previous: str) -> str:
    """Name the rating "that rating" means, from the question before ("upgraded to good").

    "Straight after that" after a question on a rating is after that rating too.
    """
    named = _RATING_WORD.search(previous)
    if not named:
        return question
    rating = f"its {named.group(1).lower()} rating"
    if _THAT_RATING.search(question):
        return _THAT_RATING.sub(rating, question, count=1)
    return _AFTER_THAT.sub(lambda m: f"{m.group(1)} {rating}", question, count=1)


def _condense_once(question: str, previous: str, book: Sequence[Trust]) -> str:
    """Rewrite one question given the standalone form of the question before it."""
    trusts = named_trusts(question, book)
    themes = themes_in_text(question)
    carried = named_trusts(previous, book)
    carried_names = " and ".join(carried)
    if trusts and themes:
        return question
    if trusts and _only_names(question, book):
        return _swap_trusts(previous, trusts, book)
    if trusts and carried and _COMPARED.search(question) and not themes:
        # "How does that compare with Sheffield?": the previous question, for both
        return _swap_trusts(previous, [*carried, *(t for t in trusts if t not in carried)], book)
    if trusts or not carried:
        if not themes and _FOLLOW_UP.search(question) and themes_in_text(previous):
            label = theme_by_key(themes_in_text(previous)[0]).label
            return f"{question.rstrip(' ?')} ({label})?"
        if not trusts and _BACK_REFERENCE.search(question) and len(question.split()) <= 6:
            return f"{question.rstrip(' ?')}: {previous.split(': ')[-1]}"  # "When was that?"
        return question
    if _PRONOUNS.search(question):
        return _PRONOUNS.sub(carried_names, question, count=1)
    if _THERE.search(question):
        return _THERE.sub(f"at {carried_names}", question, count=1)
    if _FOLLOW_UP.search(question) or len(question.split()) <= 10 and not _BROAD.search(question):
        return f"{question.rstrip(' ?')} at {carried_names}?"
    return question


def _only_names(question: str, book: Sequence[Trust]) -> bool:
    """True when the question holds nothing but trust names and filler ("what about Oxleas?")."""
    text = question.lower()
    for trust in book:
        for alias in (trust.name.lower(),) + trust.aliases:
            text = re.sub(rf"\b{re.escape(alias)}\b", " ", text)
    return not [w for w in _CONTENT.findall(text) if w not in stop_words()]


def _swap_trusts(previous: str, trusts: list[str], book: Sequence[Trust]) -> str:
    """Put the new trusts (full names) into the previous question in place of the old ones."""
    names = " and ".join(trusts)
    aliases = [a for t in book for a in (t.name, *t.aliases)]
    for alias in sorted(aliases, key=len, reverse=True):
        pattern = re.compile(rf"\b{re.escape(alias)}\b", re.I)
        if pattern.search(previous):
            return pattern.sub(names, previous, count=1)
    return f"{previous.rstrip(' ?')} at {names}?"

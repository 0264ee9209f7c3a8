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
# "there" for the trust's place ("Who took over as chief executive there?"): not "is there",
# "has there ever been", "get there" or "from there"
_THERE = re.compile(r"\b(?P<before>[\w']+)\s+there\b(?P<after>\s+[\w']+)?", re.I)
_NOT_A_PLACE_BEFORE = frozenset(
    re.findall(
        r"\S+",
        "is are was were has have had be been being do does did will would could can should may "
        "might isn't aren't wasn't weren't hasn't haven't hadn't don't doesn't didn't won't "
        "wouldn't couldn't can't get gets got getting go goes went going gone from out over up "
        "down back in to reach reached",
    )
)
_NOT_A_PLACE_AFTER = frozenset(
    re.findall(
        r"\S+",
        "is are was were has have had been be will would seem seems appear appears any ever use "
        "used isn't wasn't aren't weren't",
    )
)
# "that rating": the rating the conversation was about ("Did they hold on to that rating?").
_THAT_RATING = re.compile(r"\b(?:that|this|the same)\s+rating\b", re.I)
# "after that" as a time, the whole event before ("who took over straight after that, and ...")
_AFTER_THAT = re.compile(r"\b(after|before|since)\s+(?:that|this)\b(?=\s*(?:[,?.;]|and\b|$))", re.I)
_RATING_WORD = re.compile(rf"\b{RATING_PATTERN}\b", re.I)
# A rating given: "rated outstanding", "went from requires improvement to good", "good rating"
_RATING_GIVEN = re.compile(
    rf"\b(?:rated|rating of|to|as)\s+(?:an?\s+)?{RATING_PATTERN}\b|\b{RATING_PATTERN}\s+rating\b",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"^\s*(what|how)\s+about\b|^\s*(and|also|same|what else|anything else)\b|^\s*(and|or)\s", re.I
)
_CONTENT = re.compile(r"[a-z]{4,}")
# A year that belongs to the trust named ("its 2015 rating"), not to another trust asked after
_OWN_YEAR = re.compile(
    r"(\bits|\btheir|(?<=\w)['’]s)\s+(?:19|20)\d\d(?:\s*(?:and|to|-|–)\s*(?:19|20)\d\d)*\s+", re.I
)
# A short follow-up on what the turn before asked about, not on its trust: "Did it work?",
# "When did that happen?", "Who funded it?", "Why?" ("Who chaired it?" is about the trust)
_ON_THE_EVENT = re.compile(
    r"^\W*(?:why|how|when|how so|why not)\W*$|\b(?:that|this|then|those)\b|\b(?:work|worked|"
    r"works|help|helped|happen|happened|succeed|succeeded|last|lasted|stick|stuck|fund|funded|"
    r"cost|pay|paid|matter|mattered)\b",
    re.I,
)
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
    question = _after_the_rating(question, previous)
    return _rating_carried(_condense_once(question, previous, book), previous)


def _rating_carried(question: str, previous: str) -> str:
    """Name the rating "that rating" means, from the question before ("upgraded to good")."""
    named = _RATING_WORD.search(previous)
    if not named or not _THAT_RATING.search(question):
        return question
    return _THAT_RATING.sub(f"its {named.group(1).lower()} rating", question, count=1)


def _after_the_rating(question: str, previous: str) -> str:
    """The question, its "straight after that" said as after the rating asked about before.

    The last rating the question before gives counts ("went from requires improvement to
    good": good); a rating word that is no rating given ("good practice") does not.
    """
    given = list(_RATING_GIVEN.finditer(previous))
    if not given:
        return question
    named = _RATING_WORD.search(given[-1].group()).group().lower()
    return _AFTER_THAT.sub(lambda m: f"{m.group(1)} the {named} rating", question, count=1)


def _at_the_place(question: str, names: str) -> str:
    """The question with a "there" that stands for the trust's place said as "at <trust>"."""
    for match in _THERE.finditer(question):
        after = (match.group("after") or "").strip().lower()
        if match.group("before").lower() in _NOT_A_PLACE_BEFORE or after in _NOT_A_PLACE_AFTER:
            continue
        at = match.start() + match.group().lower().index("there", len(match.group("before")))
        return f"{question[:at]}at {names}{question[at + len('there') :]}"
    return question


def _condense_once(question: str, previous: str, book: Sequence[Trust]) -> str:
    """Rewrite one question given the standalone form of the question before it."""
    trusts = named_trusts(question, book)
    themes = themes_in_text(question)
    carried = named_trusts(previous, book)
    carried_names = " and ".join(carried)
    if trusts and themes:
        return question
    if trusts and _only_names(question, book):
        # "What about Oxleas?" after "... respond to its 2015 rating?": its own rating's year
        return _OWN_YEAR.sub(r"\1 ", _swap_trusts(previous, trusts, book))
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
    if _points_back_at_the_event(question):
        return f"{question.rstrip(' ?')}: {previous.split(': ')[-1]}"  # "Did it work?"
    if _PRONOUNS.search(question):
        return _PRONOUNS.sub(carried_names, question, count=1)
    placed = _at_the_place(question, carried_names)
    if placed != question:
        return placed
    if _FOLLOW_UP.search(question) or len(question.split()) <= 10 and not _BROAD.search(question):
        return f"{question.rstrip(' ?')} at {carried_names}?"
    return question


def _points_back_at_the_event(question: str) -> bool:
    """True for a very short follow-up on what the question before asked about."""
    short = len(question.split()) <= 4
    return (
        short
        and bool(_ON_THE_EVENT.search(question))
        and (bool(_BACK_REFERENCE.search(question)) or len(question.split()) <= 2)
    )


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

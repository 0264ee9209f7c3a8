"""Retrieval, citation, answer and abstention metrics, with bootstrap confidence intervals.

Answer-level checks use evals._text, not the assistant's own text code, so they test its output
independently.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence

import numpy as np

from corpus import trust_by_key
from evals._text import (
    SourceFiles,
    contains_term,
    fold,
    plain,
    quote_in_source,
    quoted_sentences,
    source_form,
)

_NUMBERS = re.compile(r"\[(\d{1,3})\]")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """1 when any of the first k results is relevant."""
    return float(any(relevant[:k]))


def recall_at_k(found_units: Sequence[set], gold_units: set, k: int) -> float:
    """Share of gold units (e.g. (doc, section) pairs) covered by the first k results."""
    if not gold_units:
        return 0.0
    covered = set().union(*found_units[:k]) if found_units[:k] else set()
    return len(covered & gold_units) / len(gold_units)


def mrr_at_k(relevant: Sequence[bool], k: int = 10) -> float:
    """Reciprocal rank of the first relevant result within k (0 when none)."""
    for rank, is_relevant in enumerate(relevant[:k], start=1):
        if is_relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevant: Sequence[bool], total_relevant: int, k: int = 10) -> float:
    """Binary-relevance nDCG@k; the ideal ranking holds every relevant item known."""
    total_relevant = max(total_relevant, sum(1 for r in relevant[:k] if r))
    dcg = sum(1.0 / math.log2(rank + 1) for rank, r in enumerate(relevant[:k], start=1) if r)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(total_relevant, k) + 1))
    return dcg / ideal if ideal else 0.0


def first_rank(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((rank for rank, r in enumerate(relevant, start=1) if r), None)


def answer_line_support(answer: str, passages: dict[int, str]) -> float | None:
    """Share of cited answer lines whose quote is verbatim in every passage the line cites.

    Args:
        answer: The answer text.
        passages: Citation number -> passage text.

    """
    lines = [line for line in answer.splitlines() if _NUMBERS.search(line)]
    if not lines:
        return None
    supported = 0
    for line, quote in zip(lines, quoted_sentences(answer), strict=True):
        numbers = [int(n) for n in _NUMBERS.findall(line)]
        texts = [passages.get(n) for n in numbers]
        supported += all(t is not None and quote_in_source(quote, source_form(t)) for t in texts)
    return supported / len(lines)


def citation_support(
    citations: Sequence[tuple[str, Sequence[str]]], sources: SourceFiles
) -> float | None:
    """Share of quotes found verbatim (bracketed insertions aside) in their document's file.

    Each quote is checked against the original file read from disk, not against the chunk the
    assistant quoted from; a quote whose document has no readable text file is unsupported.

    Args:
        citations: (document id, quotes) for every citation of the answer.
        sources: The corpus folder's files.

    """
    checks = [
        (text := sources.text(doc_id)) is not None and quote_in_source(quote, text)
        for doc_id, quotes in citations
        for quote in quotes
    ]
    return sum(checks) / len(checks) if checks else None


def citation_precision(cited: Sequence[tuple[bool, bool]]) -> float | None:
    """Share of cited passages that are gold or contain the sentence citing them.

    Args:
        cited: For each cited passage, (is gold, contains its cited sentences).

    """
    if not cited:
        return None
    return sum(1 for gold, contains in cited if gold or contains) / len(cited)


def key_fact_recall(answer: str, facts: Sequence[str]) -> float | None:
    """Share of key facts that occur in the answer as whole words.

    Case, whitespace, typographic quotes/dashes and thousands separators are ignored, so "1,715"
    matches "1715" but "47" does not match "1,470" and "Red" does not match "reduced"; a name
    put in brackets counts as said ("[Mark] Hindle" holds "Mark Hindle").
    """
    if not facts:
        return None
    answer = as_read(answer)
    return sum(1 for fact in facts if contains_term(answer, fact)) / len(facts)


_INSERTION = re.compile(r"\[([^\]\d…][^\]]*)\]")  # "[Mark] Hindle", not "[1]" or "[…]"


def as_read(answer: str) -> str:
    """The answer as a reader takes it: a bracketed insertion is part of the words.

    "[Mark] Hindle said" names Mark Hindle; citation markers stay as they are.
    """
    return _INSERTION.sub(r"\1", answer)


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ORG_WORDS = (
    "trust|hospital|hospitals|council|fund|foundation|police|partnership|institute|academy|"
    "university|commission|department|group|service|services|alliance|psychologists|ccg|nhs"
)
ANSWER_TYPE_PATTERNS = {
    "figure": re.compile(r"£\s?\d|\d\s?%|(?<![\d/])(?!(?:19|20)\d\d(?!\d))\d[\d,.]*"),
    "date": re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\b"),
    "organisation": re.compile(
        rf"\b[A-Z][\w'&-]*(?: (?:[A-Z][\w'&-]*|and|of|for))* (?i:{_ORG_WORDS})\b"
        r"|\b[A-Z]{2,}[a-z]?\b"
    ),
    "trust": re.compile(
        r"\b[A-Z][\w'&-]*(?: (?:[A-Z][\w'&-]*|and|of))* (?:NHS )?(?:Foundation )?Trust\b"
    ),
}
_TITLED = re.compile(r"\b(?:Dr|Sir|Dame|Professor|Mr|Mrs|Ms|Lord|Baroness)\.? [A-Z][\w'-]+")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z][\w'-]*(?: [A-Z][a-z][\w'-]*)+")
_NOT_NAMES = _word_set(
    """The A An In On At By For From With After Before When While During Since Its His Her Their
    This That These Those It He She They We Our Both Each Every Some Most All Many Later Local
    Trust Trusts Hospital Hospitals House Ward Wards Centre Unit Health Care Healthcare Mental
    Partnership Foundation Council Fund Academy Institute University Service Services Group Board
    Committee Police Department Commission Street Road Park Lodge Drive Yorkshire London England
    Good Outstanding Inadequate Requires Improvement Rated Chief Executive Director Inspector
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday"""
)


def _has_person(text: str) -> bool:
    """True for a titled name ("Dr Ify Okocha") or a run of capitalised words.

    The run must hold no known non-name word: "Ben Travis" counts, "Oxleas House" does not.
    """
    if _TITLED.search(text):
        return True
    return any(
        not any(word in _NOT_NAMES for word in run.split())
        for run in (m.group() for m in _CAPITALISED_RUN.finditer(text))
    )


def has_answer_type(text: str, answer_type: str) -> bool:
    """True when text holds a value of the answer type.

    Types: a figure (number, £, %), a date (year or month), a capitalised person name, an
    organisation or a trust name.
    """
    text = plain(text)
    if answer_type == "person":
        return _has_person(text)
    pattern = ANSWER_TYPE_PATTERNS.get(answer_type)
    return bool(pattern and pattern.search(text))


def focus_coverage(answer: str, facts: Sequence[str], answer_type: str | None) -> float | None:
    """1 when the first two quoted sentences give the answer, else 0 (None: nothing to look for).

    The answer is a key fact; when the item has none, any value of its answer type counts.
    """
    head = as_read(" ".join(quoted_sentences(answer)[:2]))
    if facts:
        return float(any(contains_term(head, fact) for fact in facts))
    if answer_type:
        return float(has_answer_type(head, answer_type))
    return None


def scope_coverage(cited_trusts: Sequence[str], must_trusts: Sequence[str]) -> float | None:
    """Share of the trusts an answer must cover (keys) whose full name is among its citations.

    Args:
        cited_trusts: The `trust` field of every citation of the answer.
        must_trusts: Trust keys from the corpus vocabulary.

    """
    if not must_trusts:
        return None
    cited = {fold(t) for t in cited_trusts if t}
    return sum(fold(trust_by_key(k).name) in cited for k in must_trusts) / len(must_trusts)


_REFERENT_WORDS = _word_set(
    "he she it they this these those that his her its their them him hers theirs"
)
_REFERENT_NOUNS = _word_set(
    "trust trusts board boards service services team teams organisation organisations hospital "
    "hospitals ward wards unit units chair chairman chief executive executives director "
    "committee council group scheme programme project academy partnership alliance company "
    "regulator"
)
_WORD = re.compile(r"[^\W_][\w'-]*")


def _first_words(quote: str, count: int) -> list[str]:
    return [w.lower().removesuffix("'s") for w in _WORD.findall(plain(quote))[:count]]


def is_dangling(quote: str) -> bool:
    """True when a quote opens on an unresolved pronoun or bare referent ("They", "The trust").

    A bracketed insertion ("[Caroline Donovan]") in the first six words resolves it.
    """
    text = plain(quote)
    if text.startswith("["):
        return False
    words = _first_words(text, 2)
    referent = bool(words) and (
        words[0] in _REFERENT_WORDS
        or (words[0] == "the" and len(words) > 1 and words[1] in _REFERENT_NOUNS)
    )
    return referent and "[" not in " ".join(text.split()[:6])


def dangling_reference_rate(quotes: Sequence[str]) -> float | None:
    """Share of quotes that open on an unresolved pronoun or referent."""
    return sum(map(is_dangling, quotes)) / len(quotes) if quotes else None


_AUXILIARIES = _word_set(
    "is are was were be been being am has have had do does did can could will would shall should "
    "may might must"
)
_IRREGULAR = _word_set(
    """said found made took taken gave given got went gone came saw seen told led left kept met
    spoke spoken began begun became brought built felt held knew known paid put ran set sent
    shown stood thought won wrote written rose risen fell fallen grew grown chose chosen sought
    taught meant drew drawn dealt heard lost sold spent struck swore threw understood undertook
    oversaw withdrew broke broken drove driven ate fed fled flew forgot froze hid hit hung laid
    lay lent let lit read rode rang shook shot shut sat slept split spread stuck swept tore wore
    woke bore bought caught cut fought quit"""
)
_BASES = (
    "say find make take give get go come see tell lead leave keep meet speak begin become bring "
    "build feel hold know pay put run send show stand think win write rise fall grow choose seek "
    "teach mean draw deal hear lose sell spend strike throw understand need want help list "
    "include provide serve cover describe call use work sit adapt sum combine report note remain "
    "stay rate expect aim plan offer support involve focus depend require allow track check "
    "review treat deliver employ manage own host belong seem appear continue follow contain "
    "explain argue suggest credit recall add ask believe learn look move open close start end "
    "cut cost praise welcome launch introduce create set raise reduce improve increase "
    "publish inspect visit judge rank place fund join share link mark name lift differ celebrate "
    "shorten rest matter vary exist happen apply count cite date reflect mention quote state "
    "record face refer relate respond return signal stress turn warn act agree assess attend "
    "award base carry cause change claim commit compare complete confirm consider consult design "
    "develop drive embed enable encourage engage ensure establish extend fail fix form gain "
    "highlight identify issue lack last lower merge monitor pilot prompt propose prove push "
    "reach receive recognise recommend recruit replace represent restore result score select "
    "shift spot stop strengthen suffer summarise test thank train transfer transform try update "
    "value watch widen consist"
)


def _verb_forms(base: str) -> set[str]:
    """A base verb with its -s, -es, -ed and -d forms (also y -> ies/ied)."""
    forms = {base, base + "s", base + "es", base + "ed", base + "d"}
    if base.endswith("y"):
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    return forms


_VERBS = _AUXILIARIES | _IRREGULAR | frozenset().union(*map(_verb_forms, _BASES.split()))


# A line the document labels itself ("New emphasis in 2020: formal QI methods, SPC data and
# succession planning."; a Word table row "Theme: Leadership; Acute report: Yes"): the label
# (two to eight words, not in brackets) says what the listed things are. A table row's
# headers say what its cells are.
_LABELLED = re.compile(r"^[A-Z][^:\[\]|]{2,60}: \S")


# A markdown table row quoted with its column headers: "Wexham Park [— Page:] 26".
_HEADED_CELL = re.compile(r"^[^\[\]]+ \[[-—;] [^\]]{1,60}:\] \S")


def _labelled(text: str) -> bool:
    label = text.split(":", 1)[0]
    labelled = bool(_LABELLED.match(text)) and 2 <= len(label.split()) <= 8
    return labelled or bool(_HEADED_CELL.match(text))


def is_fragment(quote: str) -> bool:
    """True when a quote is not a whole sentence.

    That is: under five words (a table row with its headers may be shorter: "Wexham Park
    [— Page:] 26"), no verb-like lower-case word (unless the line is labelled: "New emphasis
    in 2020: formal QI methods, ..."), a lower-case start, a table pipe or a closing colon.
    """
    text = plain(quote)
    words = _WORD.findall(text)
    tails = (w.split("-")[-1] for w in words)
    verbish = _labelled(text) or any(w in _VERBS or re.fullmatch(r"[a-z]{2,}ed", w) for w in tails)
    starts_lower = bool(re.match(r"^[\"'(]*[a-z]", text))
    short = len(words) < 5 and not _HEADED_CELL.match(text)
    return short or not verbish or starts_lower or "|" in text or text.endswith(":")


def fragment_rate(quotes: Sequence[str]) -> float | None:
    """Share of quotes that are fragments (see is_fragment)."""
    return sum(map(is_fragment, quotes)) / len(quotes) if quotes else None


def abstention_rate(abstained: Sequence[bool]) -> float | None:
    """Share of items abstained on (e.g. the near-miss recall); None for no items."""
    return sum(abstained) / len(abstained) if abstained else None


def abstention_scores(abstained: Sequence[bool], should_abstain: Sequence[bool]) -> dict:
    """Precision and recall of abstaining, and the false-abstention rate on answerable items."""
    true_positive = sum(1 for a, s in zip(abstained, should_abstain, strict=True) if a and s)
    predicted = sum(abstained)
    actual = sum(should_abstain)
    answerable = len(should_abstain) - actual
    false_abstentions = sum(
        1 for a, s in zip(abstained, should_abstain, strict=True) if a and not s
    )
    return {
        "abstention_precision": true_positive / predicted if predicted else 1.0,
        "abstention_recall": true_positive / actual if actual else 1.0,
        "false_abstention_rate": false_abstentions / answerable if answerable else 0.0,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation (numpy's default); NaN when empty."""
    if not len(values):
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=float), q))


def percentiles(values: Sequence[float], qs: Sequence[int] = (50, 95)) -> dict[str, float | None]:
    """Latency-style percentiles, e.g. ``{"p50": ..., "p95": ...}``; None each when empty.

    The one definition used by the eval latencies, `dia bench` and `dia loadtest`.
    """
    return {f"p{q}": percentile(values, q) if len(values) else None for q in qs}


def bootstrap_ci(values: Sequence[float], samples: int = 1000, seed: int = 7) -> dict:
    """Mean with a 95% percentile-bootstrap interval."""
    clean = [v for v in values if v is not None]
    if not clean:
        return {"mean": None, "low": None, "high": None, "n": 0}
    rng = random.Random(seed)
    means = []
    for _ in range(samples):
        draw = [clean[rng.randrange(len(clean))] for _ in clean]
        means.append(sum(draw) / len(draw))
    return {
        "mean": sum(clean) / len(clean),
        "low": percentile(means, 2.5),
        "high": percentile(means, 97.5),
        "n": len(clean),
    }

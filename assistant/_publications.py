"""Documents a question names by their title ("the 2020 Sustaining improvement revisits").

A question about a companion publication ("What new emphasis appeared in the Sustaining
improvement case studies?", "Which themes did the acute report have?") is answered from that
publication's notes, not from whatever else shares its words. Only documents that are about
no one trust and are not the report's own notes can be named this way: a question about the
report itself draws on all of the report's material.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import re
from collections.abc import Sequence

from assistant._analysis import ALL_TRUSTS, REPORT, WHICH_TRUST, QuestionAnalysis
from assistant._sentences import short_trust_name
from corpus import stop_words, trust_of_text, trusts_in_text
from index import Index, tokenize

_OWN_REPORT_KINDS = frozenset({"report-notes", "report-overview"})
# Words that mark the question as naming a publication, not just sharing its words: "how did
# the trusts sustain improvement?" is not about the "Sustaining improvement" revisits.
_PUBLICATION = re.compile(
    r"\b(?:reports?|publications?|papers?|revisits?|case stud(?:y|ies)|series|documents?|"
    r"updates?|reviews?|study|notes|work|editions?|versions?|collections?|follow-ups?)\b",
    re.I,
)
# Words for a publication, as one: "the acute trust edition" names "... acute report".
_PUBLICATION_WORDS = "report publication paper edition version document"
# "Which of the seven mental health trusts did it revisit?" asks about the trusts.
_WHICH_TRUSTS = re.compile(r"\bwhich (?:of the )?(?:[\w-]+ ){0,4}trusts\b", re.I)
_MONTHS = "january february march april may june july august september october november december"
_CODED = re.compile(r"[a-z]+\d+")  # a title word of letters and digits ("nhs70")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_NEAR = 20  # characters between a title's word and the word saying it is a publication


class Publications:
    """The index's companion publications and the words that name them, worked out once.

    Built when the index is opened (its titles do not change while it is open), so each
    question only matches its words against them.
    """

    def __init__(self, index: Index) -> None:
        """Read the titles of the index's documents."""
        self.index = index
        self.titles = _eligible_titles(index)
        self.words = {doc_id: tokenize([title])[0] for doc_id, title in self.titles.items()}
        self.pairs = _telling_pairs(self.words, _common_words(index))

    def on(self, analysis: QuestionAnalysis) -> QuestionAnalysis:
        """A question naming a publication, as a question about what that publication says.

        The title's words and year name the publication, not the topic: "What new emphasis
        appeared in the 2020 Sustaining improvement case studies?" asks about "new emphasis"
        in any year. Naming no trust, it is a question about the publication; naming one
        ("What did the Sustaining improvement report say about LPFT?"), about what it says of
        that trust (see silent_on). "Which of the seven trusts did it revisit" stays about
        the trusts.
        """
        if not analysis.trusts and analysis.scope not in (REPORT, ALL_TRUSTS):
            return analysis
        named = self.named(analysis.question)
        if not named:
            return analysis
        titles = " ".join(self.titles[doc_id] for doc_id in named)
        dated = set(_YEAR.findall(titles))  # "the 2020 Sustaining ..."
        undated = dataclasses.replace(
            analysis,
            years=tuple(y for y in analysis.years if y not in dated),
            all_years=tuple(y for y in analysis.all_years if y not in dated),
        )
        if analysis.answer_type == WHICH_TRUST or _WHICH_TRUSTS.search(analysis.question):
            return dataclasses.replace(undated, documents=tuple(named))  # the trusts in it
        naming = {word for phrases in named.values() for phrase in phrases for word in phrase}
        kept = [
            word
            for word in analysis.focus.split()
            if not set(tokenize([word])[0]) <= naming and not _PUBLICATION.fullmatch(word)
        ]
        focus = " ".join(kept)  # "the acute report's themes": "themes"; "what did it say": ""
        scope = analysis.scope if analysis.trusts else REPORT
        return dataclasses.replace(undated, scope=scope, documents=tuple(named), focus=focus)

    def silent_on(self, analysis: QuestionAnalysis) -> str:
        """Why a publication the question names cannot answer for its trusts ('' if it may).

        "What did the acute report say about Sheffield?": the acute report's notes never
        name Sheffield, so nothing in them can be about it.
        """
        if not (analysis.documents and analysis.trusts):
            return ""
        asked = {trust_of_text(name) for name in analysis.trusts}
        for chunk in self.index.chunks.values():
            if chunk.doc_id not in analysis.documents:
                continue
            if trust_of_text(chunk.trust) in asked or asked & set(trusts_in_text(chunk.text)):
                return ""
        named = " or ".join(re.split(r" [–(]", self.titles[d])[0] for d in analysis.documents)
        who = " or ".join(short_trust_name(t) for t in analysis.trusts)
        return f'The notes on "{named}" do not mention {who}.'

    def named_documents(self, question: str) -> tuple[str, ...]:
        """Ids of the documents whose title the question names, in corpus order."""
        return tuple(self.named(question))

    def naming_phrases(self, question: str) -> list[tuple[str, ...]]:
        """The stemmed title words the question names its publications by."""
        return [phrase for phrases in self.named(question).values() for phrase in phrases]

    def title_phrases(self, doc_ids: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The word pairs only these documents' titles have ("eight nhs"): a line naming them."""
        return [pair for doc_id in doc_ids for pair in self.pairs.get(doc_id, [])]

    def named(self, question: str) -> dict[str, list[tuple[str, ...]]]:
        """The documents whose title the question names, each with the title words it used.

        A title is named by two of its words in order (at most one word between) that no
        other title has as a pair, at least one of them telling ("acute report", "Sustaining
        improvement"), or by a word of letters and digits only it has ("NHS70"); and the
        question must say it means a publication (a word such as "report" or "revisits", or
        the title's word written with a capital inside the question).
        """
        alike = _alike()
        asked = ["report" if w in alike else w for w in tokenize([question])[0]]
        named: dict[str, list[tuple[str, ...]]] = {}
        for doc_id, pairs in self.pairs.items():
            matched: list[tuple[str, ...]] = [
                pair for pair in pairs if _in_order(asked, *pair) or _reported_on(question, *pair)
            ]
            matched += [(w,) for w in self.words[doc_id] if _CODED.fullmatch(w) and w in asked]
            words = [w for pair in matched for w in pair]
            years = _YEAR.findall(self.titles[doc_id])
            if matched and _means_publication(question, words, years):
                named[doc_id] = matched
        return named


@functools.cache
def _alike() -> frozenset[str]:
    """Stems of the words that mean a publication."""
    return frozenset(tokenize([_PUBLICATION_WORDS])[0])


def _telling_pairs(
    titles: dict[str, list[str]], common: frozenset[str]
) -> dict[str, list[tuple[str, str]]]:
    """Each title's word pairs no other title has, at least one word telling, no stop word."""
    stops = stop_words() | frozenset(tokenize([_MONTHS])[0])
    found = {}
    for doc_id, title in titles.items():
        others = {pair for d, words in titles.items() if d != doc_id for pair in _pairs(words)}
        found[doc_id] = [
            pair
            for pair in _pairs(title)
            if not set(pair) <= common
            and not any(w.isdigit() or w in stops for w in pair)
            and pair not in others
        ]
    return found


def _eligible_titles(index: Index) -> dict[str, str]:
    """Titles of the documents that are neither the report's own notes nor mostly one trust's."""
    titles: dict[str, str] = {}
    passages: collections.Counter[str] = collections.Counter()
    owned: collections.Counter[tuple[str, str]] = collections.Counter()
    for chunk in index.chunks.values():
        if chunk.doc_kind not in _OWN_REPORT_KINDS and chunk.title:
            titles.setdefault(chunk.doc_id, chunk.title)
            passages[chunk.doc_id] += 1
            owned[chunk.doc_id, chunk.trust] += 1 if chunk.trust else 0
    mostly_one = {doc_id for (doc_id, _), n in owned.items() if 2 * n >= passages[doc_id]}
    return {doc_id: title for doc_id, title in titles.items() if doc_id not in mostly_one}


def _common_words(index: Index) -> frozenset[str]:
    """Words found in the titles of two or more documents ("cqc", "trust", "improv")."""
    titles = {chunk.doc_id: chunk.title for chunk in index.chunks.values()}
    seen = collections.Counter(w for title in titles.values() for w in set(tokenize([title])[0]))
    return frozenset(word for word, count in seen.items() if count > 1)


def _pairs(words: list[str]) -> list[tuple[str, str]]:
    return list(zip(words, words[1:], strict=False))


def _in_order(asked: list[str], first: str, second: str) -> bool:
    """True when `second` follows `first` in the question, at most one word between."""
    return any(word == first and second in asked[i + 1 : i + 3] for i, word in enumerate(asked))


def _reported_on(question: str, first: str, second: str) -> bool:
    """True for "<word> report" said the other way: "the report on the eight acute trusts"."""
    return second == "report" and bool(
        re.search(
            rf"\breports?\s+(?:on|about|into|of|covering)\s+(?:the\s+)?(?:\w+\s+){{0,2}}?"
            rf"{re.escape(first)}",
            question,
            re.I,
        )
    )


def _close(question: str, one: tuple[int, int], other: tuple[int, int]) -> bool:
    """True when two words of the question stand near each other, no punctuation between."""
    between = question[min(one[1], other[1]) : max(one[0], other[0])]
    # "sustain improvement in 2020" dates the improving, not a publication
    apart = re.search(r"[,;:.?!]|\b(?:in|by|since|during|after|before|until)\b", between, re.I)
    return len(between) <= _NEAR and not apart


def _means_publication(question: str, matched: list[str], years: Sequence[str] = ()) -> bool:
    """True when the question names a publication, not just a topic its title shares.

    A word such as "report", or the title's year, beside its words says so ("the acute
    trusts report", "Sustaining improvement 2020 - what did ...", but not "According to the
    report, what made the difference?"), and so does a title word capitalised inside it.
    """
    if any(_CODED.fullmatch(w) for w in matched):
        return True
    spots = [
        m.span() for w in matched for m in re.finditer(rf"\b{re.escape(w)}\w*", question, re.I)
    ]
    markers = list(_PUBLICATION.finditer(question))
    markers += re.finditer(rf"\b(?:{'|'.join(years)})\b", question) if years else []
    if any(_close(question, m.span(), spot) for m in markers for spot in spots):
        return True
    inside = question.split(None, 1)[1] if len(question.split()) > 1 else ""
    return any(re.search(rf"\b{re.escape(w[:1].upper() + w[1:])}", inside) for w in matched)

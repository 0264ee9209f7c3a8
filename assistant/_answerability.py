"""Can the documents answer this? Typos mended, absent names and organisations caught first."""

from __future__ import annotations

import collections
import dataclasses
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Sequence

from assistant._analysis import (
    ALL_TRUSTS,
    FILLER,
    NAMED_TRUSTS,
    ONE_TRUST,
    RANGE_WORDS,
    WHICH_TRUST,
    QuestionAnalysis,
    asks_make_up,
)
from assistant._extractive import Group, visit_asked
from assistant._sentences import person_names, short_trust_name
from corpus import TRUSTS, compound_terms
from index import Chunk, Index, tokenize

_WORD = re.compile(r"[A-Za-z]+")
_NUMBER_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven")


class Speller:
    """Mends one-letter slips against the corpus's own vocabulary (symmetric deletes)."""

    def __init__(self, vocabulary: Iterable[str], knows: Callable[[str], bool]) -> None:
        self.words = {w for w in vocabulary if w.isalpha()}
        self.knows = knows
        self._deletes: dict[str, list[str]] = {}
        for word in sorted(self.words):
            if len(word) >= 4:
                for variant in _deletions(word):
                    self._deletes.setdefault(variant, []).append(word)

    def correct(self, stem: str) -> str | None:
        """The corpus word one edit from ``stem`` (a stemmed token), or None.

        Among several, the one sharing the longest beginning with the typed word wins
        ("crise" -> "crisi", not "chris").
        """
        if len(stem) < 4 or not stem.isalpha() or self.knows(stem):
            return None
        candidates = set()
        if len(stem) >= 5:
            candidates.update(self._deletes.get(stem, ()))  # a letter left out: "respnd"
        for variant in _deletions(stem):
            if variant in self.words and len(variant) >= 5:
                candidates.add(variant)  # a letter too many: "responnd"
            for word in self._deletes.get(variant, ()):
                if _slip(stem, word):
                    candidates.add(word)  # letters swapped, or a vowel slip late in the word
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda word: _common_prefix(word, stem))


def _slip(typed: str, word: str) -> bool:
    """Two adjacent letters swapped, or one vowel for another after the third letter.

    Other one-letter substitutions are more often a different word ("leeds", "york") than a
    slip, so they are left alone.
    """
    if len(typed) != len(word):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        return typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]
    vowels = set("aeiouy")
    return len(diff) == 1 and diff[0] >= 3 and {typed[diff[0]], word[diff[0]]} <= vowels


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# Short forms people type, spelt out as the documents write them.
_SHORT_FORMS = {
    "exec": "executive",
    "execs": "executives",
    "ceo": "chief executive",
    "ceos": "chief executives",
    "boss": "chief executive",
    "bosses": "chief executives",
    "govt": "government",
    "mgmt": "management",
    "dept": "department",
    "whats": "what is",  # "whats SWYPFT's response rate?" asks for a figure
    "wat": "what",
    "wot": "what",
}


def mend(question: str, speller: Speller) -> str:
    """The question with filler dropped, short forms spelt out and slips mended."""

    def fix(match: re.Match) -> str:
        word = match.group()
        if word.lower() in FILLER:
            return ""
        if word.lower() in _SHORT_FORMS:
            return _SHORT_FORMS[word.lower()]
        tokens = tokenize([word])[0]
        if not tokens or len(word) < 4:
            return word
        # "Caldestones" is Calderstones; "Lincolnshre" too, though it starts like "Lincoln"
        if tokens[0] not in speller.words and (trust_word := _trust_word(word)):
            return trust_word
        corrected = speller.correct(tokens[0])
        return corrected if corrected and not word[0].isupper() else word

    question = re.sub(r"\s+&\s+", " and ", question)  # "Health & Social Care", not "A&E"
    mended = _WORD.sub(fix, question)
    return " ".join(mended.split()) or question


_GENERIC_NAME_WORDS = {
    "partnership",
    "foundation",
    "health",
    "social",
    "combined",
    "healthcare",
    "north",
    "south",
    "trust",
}


@functools.cache
def _trust_words() -> tuple[str, ...]:
    """The words that tell the seven trusts apart ("calderstones", "sheffield")."""
    words = {w.lower() for t in TRUSTS for w in _WORD.findall(t.name) if len(w) >= 5}
    return tuple(sorted(words - _GENERIC_NAME_WORDS))


def _trust_word(word: str) -> str | None:
    """The trust's name word a slip in typing it stands for ("Sheffeild"), or None."""
    if len(word) < 5:
        return None
    close = difflib.get_close_matches(word.lower(), _trust_words(), n=1, cutoff=0.85)
    if not close:
        return None
    return close[0].capitalize() if word[0].isupper() else close[0]


def absent_subjects(analysis: QuestionAnalysis, index: Index, known: set[str]) -> str:
    """An abstain message when the question is about an organisation or name the corpus lacks."""
    seven = "seven trusts: " + ", ".join(short_trust_name(t.name) for t in TRUSTS)
    for name in analysis.outside:
        if not _mentioned(index, name):
            return f"The documents do not cover {name}. They hold case studies of {seven}."
        # a trust only mentioned in passing, or any body asked about as one of the seven
        # ("Did Lancashire Care feature in the report?")
        if not analysis.trusts and (_A_TRUST.search(name) or _as_one_of_them(analysis)):
            return (
                f"{name} is not one of the trusts the documents cover; they mention it only in "
                f"passing. Their case studies are of {seven}."
            )
    if _names_an_outside_doer(analysis, index):  # "What did Norfolk and Suffolk do ...?"
        return (
            f"{_DOER.search(analysis.question).group('name')} is not one of the trusts the "
            f"documents cover; they mention it only in passing, if at all. Their case studies "
            f"are of {seven}."
        )
    for name in (part for named in analysis.names for part in _listed(named)):
        tokens = tokenize([name])[0]
        unknown = tokens and not all(t in known for t in tokens)
        if unknown or (len(name.split()) >= 2 and not _mentioned(index, name, strip=False)):
            return f"The documents do not mention {name}."
        trusts = analysis.trusts
        if len(name.split()) >= 2 and trusts and not _mentioned(index, name, False, trusts):
            where = " or ".join(short_trust_name(t) for t in trusts)
            return f"The documents do not mention {name} for {where}."
    for term in compound_terms(analysis.question):
        # A compound with a capital or a digit ("A&E", "COVID-19") names one specific thing.
        written = re.search(re.escape(term), analysis.question, re.I).group()
        if _YEAR_SPAN.fullmatch(written) or _abbreviates(written, analysis.trusts):
            continue  # "2016/17": a span of years; "Sheffield H&SC": the trust's own name
        if _specific(written, analysis.question) and not _compound_known(term, index):
            return f"The documents do not mention {written}."
    return ""


def _specific(written: str, question: str) -> bool:
    """True when a compound has a capital or a digit of its own ("A&E", "COVID-19", "RAG-rated").

    A capital the compound has only because it opens the question ("Whole-time equivalent
    numbers?") or a sentence of it is no sign of a name.
    """
    opens = re.search(r"(?:^|[.?!]\s+)" + re.escape(written), question) is not None
    rest = written[1:] if opens else written
    return any(c.isupper() or c.isdigit() for c in rest)


def _compound_known(term: str, index: Index) -> bool:
    """True when the corpus uses the compound, joined or as its words in a row ("RAG ratings")."""
    if term in index.compounds():
        return True
    stems = tokenize([re.sub(r"\W+", " ", term)])[0]
    if len(stems) < 2:
        return False
    for chunk, _ in index.keyword(" ".join(stems), 20):
        tokens = tokenize([chunk.text])[0]
        runs = zip(*(tokens[i:] for i in range(len(stems))), strict=False)
        if any(list(run) == stems for run in runs):
            return True
    return False


def _names_an_outside_doer(analysis: QuestionAnalysis, index: Index) -> bool:
    """True when what the question asks about doing something is an organisation by its places.

    "What did Norfolk and Suffolk do ...?": a name that is no person, that the documents hold
    but none of the seven trusts' own notes do.
    """
    doer = _DOER.search(analysis.question)
    name = doer.group("name") if doer and not analysis.trusts else ""
    return (
        name in analysis.names
        and not person_names(name)
        and _mentioned(index, name, strip=False)  # else "do not mention" says it
        and not _mentioned(index, name, False, [t.name for t in TRUSTS])
    )


def _listed(name: str) -> list[str]:
    """Places or things listed by one word each ("Minehead and Williton") as the words."""
    parts = re.split(r",\s*|\s+and\s+", name)
    return parts if len(parts) > 1 and all(len(p.split()) == 1 for p in parts) else [name]


def _abbreviates(written: str, trusts: Sequence[str]) -> bool:
    """True when a term's letters are initials of words in a trust's name ("H&SC")."""
    letters = "".join(c for c in written if c.isalpha()).upper()
    for trust in trusts:
        words = [w for w in trust.split() if w.lower() not in {"and", "of", "the"}]
        if len(letters) >= 2 and letters in "".join(w[0] for w in words).upper():
            return True
    return False


def placed(analysis: QuestionAnalysis, index: Index) -> QuestionAnalysis:
    """A question about a place only one trust's notes name, as a question about that trust.

    "How many beds does Harplands Hospital have?" names no trust, but Harplands is North
    Staffordshire's: the question is about North Staffordshire, and about Harplands. "Which
    trusts drew on models such as Dartmouth?" asks which: the trusts are the answer.
    """
    if analysis.trusts or analysis.answer_type == WHICH_TRUST:
        return analysis
    seven = {t.name for t in TRUSTS}
    owners = list(dict.fromkeys(_owner(index, name) for name in analysis.names))
    if owners and set(owners) <= seven:  # "Who replaced Caroline Donovan?": NSCHT's
        scope = ONE_TRUST if len(owners) == 1 else NAMED_TRUSTS  # "Webster and Hindle"
        return dataclasses.replace(analysis, trusts=tuple(owners), scope=scope)
    for name in analysis.outside:
        if _A_TRUST.search(name) or _as_one_of_them(analysis):
            # "Taunton and Somerset NHS Foundation Trust" is an organisation of its own, and
            # so is one asked about as a case study ("Did Lancashire Care feature in it?")
            continue
        owners = {chunk.trust for chunk in _mentions(index, name)}
        if len(owners) == 1 and owners <= seven:
            (trust,) = owners
            place = re.sub(r"(?:'s|’s)$", "", name)
            return dataclasses.replace(
                analysis,
                trusts=(trust,),
                scope=ONE_TRUST,
                focus=f"{analysis.focus} at {place}" if analysis.focus else place,
                organisations=tuple(o for o in analysis.organisations if o.name != name),
            )
    return analysis


def _owner(index: Index, name: str) -> str:
    """The trust whose notes name someone or something most, or '' when none does.

    Most is at least twice as often as all other passages together: Paul Lelliott, who spoke
    about all seven, is no one trust's.
    """
    counts = collections.Counter(chunk.trust for chunk in _mentions(index, name))
    if not counts:
        return ""
    trust, most = counts.most_common(1)[0]
    return trust if most >= 2 * (sum(counts.values()) - most) else ""


_YEAR_SPAN = re.compile(r"(?:19|20)\d{2}\s*[-–/]\s*(?:(?:19|20)?\d{2})")
# Who did something, named by capitalised words: "What did Norfolk and Suffolk do to ...?"
_DOER = re.compile(
    r"\b(?:[Ww]hat|[Hh]ow) (?:did|does|has|have) "
    r"(?P<name>[A-Z][\w'’-]+(?: (?:and |of )?[A-Z][\w'’-]+)*)"
    r"(?:'s|’s)? (?:do|doing|done|achieve|manage|get|turn|improve|change)\b"
)


def _as_one_of_them(analysis: QuestionAnalysis) -> bool:
    """True when the question asks whether a body is one of the report's trusts."""
    return asks_make_up(analysis.question) or bool(_ONE_OF_THEM.search(analysis.question))


# "Did X feature in the report?", "Was X one of the seven?", "Is X among the case studies?"
_ONE_OF_THEM = re.compile(
    r"\b(?:feature[sd]?|included|profiled|covered)\b[^?]*\b(?:report|case stud(?:y|ies))\b"
    r"|\b(?:one of|among) the (?:seven|featured|case stud(?:y|ies)|trusts in)\b",
    re.I,
)
_A_TRUST = re.compile(r"\b(?:trust|nhs|ft|foundation)\b", re.I)  # not a hospital or a council


def _mentioned(index: Index, name: str, strip: bool = True, trusts: Sequence[str] = ()) -> bool:
    """True when some passage holds the name's distinctive words together.

    Args:
        index: The open index.
        name: An organisation or other proper name.
        strip: Drop organisation words ("NHS", "Trust", "Partnership") first.
        trusts: Only passages about these trusts count ("Vital Signs" is named, but for
            an acute trust, not for Somerset).

    """
    return any(not trusts or _about(chunk, trusts) for chunk in _mentions(index, name, strip))


def _core(name: str, strip: bool = True) -> str:
    """A name without its possessive and (with strip) its organisation words, lower case."""
    core = re.sub(r"(?:'s|’s)$", "", name.strip())
    if strip:
        core = re.sub(
            r"\b(?:NHS|Foundation|Trust|FT|Partnership|Healthcare|Hospitals?|the)\b", " ", core
        )
    return " ".join(core.split()).lower()


def _mentions(index: Index, name: str, strip: bool = True) -> list[Chunk]:
    """The passages (of the 20 best keyword hits) that hold the name's core words together."""
    core = _core(name, strip)
    if not core:
        return []
    hits = index.keyword(core, 20)
    return [chunk for chunk, _ in hits if core in " ".join(chunk.text.lower().split())]


def _about(chunk: Chunk, trusts: Sequence[str]) -> bool:
    """True when the passage is a trust's, or names it."""
    text = chunk.text.lower()
    return chunk.trust in trusts or any(short_trust_name(t).lower() in text for t in trusts)


def missing_text(analysis: QuestionAnalysis, *groups: Group) -> str:
    """One plain sentence saying what is not in the documents for one or more groups."""
    group = groups[0]
    names = [short_trust_name(g.label) for g in groups if g.trust]
    where = f" for {' or '.join(names)}" if names else ""
    if len(names) > 2:  # "for Oxleas or Somerset or ... or Sheffield" reads as a list, not a gap
        where = f" for any of the {_count(len(names))} trusts"
    topic = " ".join(w for w in analysis.focus.split() if w.lower() not in RANGE_WORDS)
    if analysis.since and not topic:  # "What happened to Calderstones after 2018?"
        return f"The documents hold nothing dated after {analysis.since}{where}."
    focus = f"“{analysis.focus}”" if analysis.focus else "this"
    if group.missing == "figure":
        return f"The documents give no figure for {focus}{where}."
    if group.missing == "visit":
        visit = visit_asked(analysis.question)
        return f"The documents mention no {visit.group().lower()}{where}."
    if group.missing == "year":
        return f"The documents say nothing on {focus} in {' or '.join(analysis.years)}{where}."
    if group.missing == "person":
        return f"The documents do not name the person asked about ({focus}){where}."
    return f"The documents say nothing on {focus}{where}."


def lead_line(analysis: QuestionAnalysis, groups: list[Group]) -> str:
    """The line that states the answer's shape from counts (never a fact of its own)."""
    trust_groups = [g for g in groups if g.trust]
    covered = [g for g in trust_groups if g.picks]
    gaps = [g for g in trust_groups if not g.picks]
    if analysis.scope == ONE_TRUST and covered:
        return f"From the documents on {covered[0].label}:"
    if analysis.scope == NAMED_TRUSTS:
        if not gaps and len(covered) < len(analysis.trusts):  # the others' lines were weaker
            names = " and ".join(short_trust_name(g.label) for g in covered)
            return f"Of the trusts asked about, the documents answer this for {names}:"
        if not gaps:
            everyone = "both" if len(covered) == 2 else f"all {_count(len(covered))}"
            return f"The documents cover {everyone} trusts asked about:"
        return " ".join(missing_text(analysis, g) for g in gaps) + " What they do say:"
    if analysis.scope == ALL_TRUSTS and trust_groups:  # else the report's own summary alone
        if not covered:
            return "Only the report-level material speaks to this; none of the seven trusts' does:"
        seven = {t.name for t in TRUSTS}
        count = _count(len([g for g in covered if g.trust in seven]))
        if analysis.answer_type == WHICH_TRUST:
            others = len([g for g in covered if g.trust not in seven])
            besides = (
                f", and for {_count(others)} other trust{'s' * (others > 1)}" if others else ""
            )
            return f"Matching material is found for {count or 'none'} of the seven trusts{besides}:"
        if not gaps:
            return "All seven trusts have material on this:"
        names = ", ".join(short_trust_name(g.label) for g in gaps)
        verb = "has" if len(covered) == 1 else "have"
        return (
            f"{count.capitalize()} of the seven trusts {verb} material on this; none for {names}:"
        )
    return "From the documents:"


def _count(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)

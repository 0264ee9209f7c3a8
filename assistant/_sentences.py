"""Quotable sentences of a passage: fragments left out, referents kept, asked-for types found."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant._grounding import MAX_INSERTION, is_verbatim
from corpus import split_sentences, trust_by_key, trust_of_text
from index import Chunk, tokenize

MIN_WORDS = 6
MAX_QUOTE_WORDS = 60
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_BASE_VERBS = (
    "accept achieve act add agree aim allow appoint ask assess attend become begin "
    "believe bring build call check choose close come commit compare complete "
    "continue cover create decide deliver describe design develop die drive "
    "earn embed employ enable encourage engage ensure expect explain fall feel find "
    "fix follow gain get give go grow handle happen have help hold "
    "identify improve include increase inspect introduce invest involve join judge keep know "
    "launch lead learn leave lift link live look lose make manage matter mean meet "
    "merge monitor move offer open own pay praise present prove provide "
    "publish put raise reach read receive recognise recruit reduce refer "
    "reflect remain replace represent require respond return rise run say "
    "see seek seem sell send serve set show sit speak spend stand stay "
    "take teach tell think transform treat understand "
    "want warn welcome widen win write "
    "adapt allocate apply argue arrange assign attract avoid belong carry celebrate cite "
    "claim combine conclude confirm consider consist consult contain contribute credit deal "
    "decline define depend determine differ emphasise establish estimate exist extend fail "
    "focus highlight hope mention oversee prefer prepare produce promote propose protect "
    "recall recommend relate rely remove request shorten state stress strengthen suggest "
    "summarise thank track transfer try update vary"
)
# Forms of verbs whose base is mostly a noun here ("use of restraint", "key dates"): only the
# forms that are verbs in a sentence ("The academy uses ...", "One report dates it ...").
_NOUNISH_VERB_FORMS = "uses used rest rests lists dates sums oversaw draw draws drew funds supports"
_IRREGULAR_PAST = (
    "is are was were be been being has had have did does do can could will would should may "
    "might must said made took gave became rose fell won led met saw found went came put kept "
    "ran told got began brought chose grew felt thought knew meant spent paid built sought "
    "heard spoke sat stood held lost hit cut let drew bought taught caught wrote left sent "
    "shown seen taken given known grown chosen written begun"
)


def _verb_pattern() -> re.Pattern:
    forms = set(_IRREGULAR_PAST.split()) | set(_NOUNISH_VERB_FORMS.split())
    for base in _BASE_VERBS.split():
        stem = base[:-1] if base.endswith("e") else base
        forms |= {base, base + "s", stem + "ed", stem + "es", stem + "ing"}
        if base.endswith("y"):
            forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    forms -= {"including", "following", "according", "regarding"}  # used as prepositions
    # Lower case only (the first word of a sentence is lowered before matching): "West Drive
    # units" has no verb.
    return re.compile(rf"\b(?:{'|'.join(sorted(forms))})\b|\b[a-z]{{3,}}ed\b")


_VERB = _verb_pattern()
# A verb that makes a list item a statement ("opened in December 2017", "run with the council");
# "giving care closer to home" alone does not.
_FINITE = re.compile(
    r"\b(?:[a-z]{3,}ed|is|are|was|were|has|have|had|run|runs|ran|made|gave|took|set|led|met|"
    r"began|won|held|kept|built|brought|went|became)\b"
)
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_PERSON_PRONOUN = re.compile(r"^(?P<word>he|she|his|her)$", re.I)
_OTHER_PRONOUN = re.compile(r"^(?:it|its|they|their|them|this|these|those|that|such)$", re.I)
_THE_TRUST = re.compile(r"^The trust(?:'s|’s)?\b")
_NAME = re.compile(
    r"\b(?:(?:Dr|Professor|Prof|Sir|Dame|Mr|Mrs|Ms|Lord|Baroness)\.?\s+)?"
    r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\s+(?:O['’]|Mc|Mac(?=[A-Z]))?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"
)
_NOT_PERSON_WORD = re.compile(
    rf"^(?:{_MONTH}|The|In|On|At|By|For|From|After|Before|When|While|Trust|NHS|Health|Care|"
    r"Hospital|House|Partnership|Foundation|Healthcare|Quality|Commission|Council|Service|"
    r"Services|University|Board|Group|Team|Unit|Ward|Centre|Academy|Fund|Institute|Report|"
    r"Community|Commissioning|Clinical|Partners|Network|Alliance|Programme|Project|Strategy|"
    r"England|London|Kent|Yorkshire|Lincolnshire|Somerset|Sheffield|Oxleas|Calderstones|"
    r"Staffordshire|North|South|West|East|Combined|Mental|Chief|Director|Head|Inspector|"
    r"Outstanding|Good|Requires|Improvement|Inadequate|Safe|Caring|Effective|Responsive|"
    r"Post|Times|Journal|News|Guardian|Standard|Mail|Telegraph|Echo|Sentinel|Press)$"
)
# A capitalised word straight after two others: the run names an organisation or a place.
_LONGER_NAME = re.compile(r"[ \t]+[A-Z][a-z]")
FIGURE_PATTERNS = {
    "money": re.compile(r"£\s?\d|\b\d[\d,.]*\s?(?:million|m|bn|billion|k)\b", re.I),
    "percent": re.compile(r"\b\d[\d,.]*\s?(?:%|per ?cent\b)|\bpercentage points?\b", re.I),
    "count": re.compile(
        rf"(?<![\d/])\b(?!(?:19|20)\d{{2}}\b)\d[\d,.]*(?:st|nd|rd|th)?\b(?!/)(?!\s+(?:{_MONTH}))|\b(?:two|three|four|five|six|seven|"
        r"eight|nine|ten|eleven|twelve|dozen|hundreds|thousands|half|a third|a quarter)\b",
        re.I,
    ),
    # a score is given in digits ("3.8", "61%", "top 20%"), never as "four levels"
    "score": re.compile(
        rf"(?<![\d/-])\b(?!(?:19|20)\d{{2}}\b)\d+(?:[.,]\d+)?(?:\s?%)?(?![\d/])"
        rf"(?!\s+(?:{_MONTH}))",
        re.I,
    ),
    "duration": re.compile(
        r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"several|few|eighteen)[- ](?:years?|months?|weeks?|days?)\b"
        # "had led the trust since 2006": how long, counted from when it began
        rf"|\bsince\s+(?:(?:early|late|mid|the end of|the start of|{_MONTH})\s+)?"
        r"(?:19|20)\d{2}\b"
        # a span of years: "from 2013 to 2016", "2014–2019", "between 2013 and 2016"
        rf"|\b(?:19|20)\d{{2}}\s*(?:–|-|to|until)\s*(?:(?:{_MONTH})\s+)?(?:19|20)\d{{2}}\b"
        rf"(?!\s+(?:strategy|plan|programme))"
        rf"|\bbetween\s+(?:(?:{_MONTH})\s+)?(?:19|20)\d{{2}}\s+and\s+(?:(?:{_MONTH})\s+)?"
        r"(?:19|20)\d{2}\b",
        re.I,
    ),
}
_ROLE = re.compile(
    r"\b(?:chief executives|medical directors|nursing directors|front[- ]line staff|"
    r"inspectors|managers|clinicians|patients|carers|volunteers)\b",
    re.I,
)
_MET_WORDS = frozenset(
    ["interview", "interviewed", "speak", "spoke", "talk", "talked", "meet", "met", "visit"]
)
_TALK_WORDS = frozenset(["speak", "spoke", "talk", "talked"])
_DATE = re.compile(rf"\b(?:19|20)\d{{2}}\b|\b(?:{_MONTH})\b")


@dataclass(frozen=True)
class Sentence:
    """One quotable unit of a passage.

    Attributes:
        chunk: The passage it comes from.
        start: Offset in the passage text.
        end: Offset one past its end.
        text: The sentence (list bullet removed).
        tokens: Its stemmed content words.
        context: Stemmed words of its paragraph, the paragraph before and its heading.
        quote: What the answer shows: the sentence, with the sentence before it or a
            bracketed referent when it opens with a pronoun; '' when it cannot stand alone.
        ordered: Its stemmed words in order (for phrase matching).
        trust: The trust its list item's label names ("- NSCHT. When rated good …") when
            that is not the passage's own trust; '' otherwise.
        parts: For a lead-in quoted with its list, the words of the lead-in with each item
            (an answer is in one item, not in words gathered from several); () otherwise.

    """

    chunk: Chunk
    start: int
    end: int
    text: str
    tokens: frozenset[str]
    context: frozenset[str]
    quote: str
    ordered: tuple[str, ...] = ()
    trust: str = ""
    parts: tuple[frozenset[str], ...] = ()


class SentenceBank:
    """Sentences of each passage, split and tokenized once per process (thread-safe)."""

    def __init__(
        self,
        earlier: Callable[[Chunk], str] | None = None,
        given_names: Callable[[Chunk], dict[str, str]] | None = None,
    ) -> None:
        """Make an empty bank.

        Args:
            earlier: Gives the text before a passage in its document, where known.
            given_names: Gives the surname -> given names of the people its document names
                in full ("Trainer" -> "Matthew"), where known.

        """
        self._earlier = earlier
        self._given_names = given_names
        self._by_chunk: dict[str, list[Sentence]] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def of(self, chunk: Chunk) -> list[Sentence]:
        """The quotable sentences of a passage."""
        found = self._by_chunk.get(chunk.id)
        if found is None:
            found = split_passage(
                chunk,
                self._earlier(chunk) if self._earlier else "",
                self._given_names(chunk) if self._given_names else None,
            )
            with self._lock:
                self._by_chunk[chunk.id] = found
        return found

    def quotes_from(self, sentence: Sentence) -> bool:
        """True when the quote, bracketed insertions aside, is verbatim in order in its passage.

        The text before the passage counts too (a referent may come from it), and list bullets
        do not (a lead-in is quoted with its items on one line).
        """
        before = self._earlier(sentence.chunk) if self._earlier else ""
        passage = _BULLET.sub("", f"{before}\n\n{sentence.chunk.text}")
        return is_verbatim(sentence.quote, passage)

    def words(self, chunk: Chunk) -> frozenset[str]:
        """Every stemmed word of a passage (its sentences and their contexts)."""
        found = self._words.get(chunk.id)
        if found is None:
            found = frozenset().union(*(s.tokens | s.context for s in self.of(chunk)))
            with self._lock:
                self._words[chunk.id] = found
        return found


_HYPHEN = re.compile(r"(?<=[A-Za-z])[-‑](?=[A-Za-z])")


def words_of(texts: list[str]) -> list[list[str]]:
    """Stemmed content words of each text, hyphenated compounds also as one word.

    "face-down" gives "face", "down" and "facedown".
    """
    joined = tokenize([_HYPHEN.sub("", text) for text in texts])
    parts = tokenize(list(texts))
    return [list(dict.fromkeys(a + b)) for a, b in zip(parts, joined, strict=True)]


def split_passage(
    chunk: Chunk, earlier: str = "", given_names: dict[str, str] | None = None
) -> list[Sentence]:
    """Split a passage into sentences (a list with its lead-in counts as one) with context.

    Args:
        chunk: The passage.
        earlier: Text before it in its document, searched for the names "she" or "the
            academy" point back to.
        given_names: Surname -> given names of the people the document names in full: a
            quote naming someone by surname alone gets them ("[Matthew] Trainer said").

    """
    text = chunk.text
    spans = [_trim_bullet(text, s, e) for s, e in split_sentences(text)]
    bodies = [text[s:e] for s, e in spans]
    token_lists = _token_lists(bodies, chunk.section)
    heading = set(token_lists[-1])
    paragraphs = _paragraph_tokens(text, spans, token_lists)
    orphans = _orphan_items(text, spans, earlier)
    labelled = _lead_in_words(text, spans, token_lists)
    sentences = []
    for i, (start, end) in enumerate(spans):
        context = frozenset(paragraphs[i] | heading)
        row = _table_row(text, start, end, earlier)
        if row is not None:
            if row:
                sentences.append(_row_sentence(chunk, start, end, row, context))
            continue
        listed = _list_unit(text, spans, i)
        words = _own_words(token_lists[i], orphans.get(i, ""))
        if listed is not None:
            sentence = _list_sentence(chunk, spans, i, listed, token_lists, context, earlier)
        elif _list_items(text, spans, i):
            sentences += _item_sentences(chunk, spans, i, token_lists, context, earlier)
            continue
        else:
            quote = _sentence_quote(chunk, spans, i, orphans, earlier)
            tokens = frozenset(words) | labelled.get(i, frozenset())  # with its list's lead-in
            sentence = Sentence(chunk, start, end, bodies[i], tokens, context, quote, words)
        if sentence is not None and sentence.quote:
            sentences.append(_with_label_trust(sentence, _item_label(text, spans, i)))
    return [_with_bracket_words(_with_given_name(s, given_names or {})) for s in sentences]


_BULLET = re.compile(r"(?m)^[ \t]*(?:[-*•]|\d+[.)])[ \t]+")


def given_names(texts: Iterable[str]) -> dict[str, str]:
    """Surname -> given names of the people named in full in the texts ("Trainer": "Matthew").

    A surname that two people named differently share maps to nobody.
    """
    texts = list(texts)
    found: dict[str, set[str]] = {}
    for text in texts:
        for name in person_names(text):
            words = [w for w in name.replace(".", "").split() if not _TITLE.match(w)]
            if len(words) >= 2:
                found.setdefault(words[-1], set()).add(" ".join(words[:-1]))
    whole = "\n".join(texts)
    return {
        surname: given.pop()
        for surname, given in found.items()
        if len(given) == 1 and _only_a_name(surname, next(iter(given)), whole)
    }


def _only_a_name(surname: str, given: str, text: str) -> bool:
    """True when the two words are a person's names.

    The surname is never a lower-case word and the given name never stands without the
    surname: "Leadership Leaders", "Barking Havering" and "Healthwatch Greenwich" are no people.
    """
    if re.search(rf"\b{re.escape(surname.lower())}\b", text):
        return False
    alone = re.finditer(rf"\b{re.escape(given)}\b(?![ \t]+{re.escape(surname)}\b)", text)
    return next(alone, None) is None


_TITLE = re.compile(r"^(?:Dr|Professor|Prof|Sir|Dame|Mr|Mrs|Ms|Lord|Baroness)$")
# A capitalised word with no capitalised word before or after it: a surname on its own.
_LONE_CAPITAL = re.compile(r"(?<![\w'’])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?! [A-Z])")


def _with_given_name(sentence: Sentence, given: dict[str, str]) -> Sentence:
    """The quote with the given names of someone it names by surname alone, in brackets.

    "Trainer said great care depends on ..." becomes "[Matthew] Trainer said ...": who
    said what stays clear. Only the first mention, outside brackets, and only when the
    quote does not name the person in full already.
    """
    quote = sentence.quote
    for match in _LONE_CAPITAL.finditer(quote):
        first = given.get(match[1])
        if not first or quote.count("[", 0, match.start()) > quote.count("]", 0, match.start()):
            continue
        if f"{first} {match[1]}" in quote or re.search(r"[A-Z]\w*\s$", quote[: match.start()]):
            continue
        named = f"{quote[: match.start()]}[{first}] {quote[match.start() :]}"
        return dataclasses.replace(sentence, quote=named)
    return sentence


def _table_row(text: str, start: int, end: int, earlier: str) -> list[tuple[str, str]] | None:
    """A table row's (header, cell) pairs; [] for the header or rule line; None for no row.

    The header is the table's first line, found in the passage or, when the passage begins
    inside the table, in the text before it.
    """
    line = text[start:end].strip()
    if not (line.startswith("|") and line.endswith("|") and len(line) > 2):
        return None
    joint = "" if not earlier or earlier.endswith("\n") else "\n"  # a passage starts a line
    above = (earlier + joint + text[:start]).rstrip("\n ").split("\n")
    table = []
    for previous in reversed(above):
        if not previous.strip().startswith("|"):
            break
        table.insert(0, previous.strip())
    if len(table) < 2 or not _TABLE_RULE.fullmatch(table[1]):
        return []  # the header, the rule under it, or a table without a header
    headers, cells = _cells(table[0]), _cells(line)
    if len(headers) != len(cells) or len(cells) < 2 or not cells[0]:
        return []
    return list(zip(headers, cells, strict=True))


_TABLE_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row_sentence(chunk: Chunk, start: int, end: int, row, context) -> Sentence:
    """A table row quoted with its column headers in brackets.

    "| Vision and values | Separate theme | Not a separate theme |" under "| Theme | Acute
    report (2017) | Mental health report (2018) |" reads "Vision and values [— Acute report
    (2017):] Separate theme [; Mental health report (2018):] Not a separate theme".
    """
    (_, key), rest = row[0], [(h, c) for h, c in row[1:] if c]
    quote = key + "".join(
        f" [{'—' if n == 0 else ';'} {header}:] {cell}" for n, (header, cell) in enumerate(rest)
    )
    text = key + " — " + "; ".join(f"{header}: {cell}" for header, cell in rest)
    words = tuple(words_of([text])[0])
    return Sentence(chunk, start, end, text, frozenset(words), context, quote, words)


def _sentence_quote(chunk: Chunk, spans, i: int, orphans: dict[int, str], earlier: str) -> str:
    """The quote for a sentence that leads no list, or '' when it cannot be quoted.

    An item's "Rated good after a May 2016 follow-up" takes the item's label as its subject
    ("[Leeds Teaching Hospitals NHS Trust:] Rated good ...").
    """
    body = chunk.text[spans[i][0] : spans[i][1]]
    label = _subject_label(chunk.text, spans, i)
    if i in orphans:  # an item whose lead-in ended the passage before
        quote = f"[{orphans[i]}] {body.rstrip(';,')}"
    elif not is_fragment(body):
        quoted = standalone_quote(chunk, spans, i, earlier=earlier)
        quote = _with_thing_named(quoted, chunk.text[: spans[i][0]])
    elif _labelled_list(body):
        quote = body
    else:
        quote = body if label else ""
    return f"[{label}:] {quote}" if label and quote else quote


def _with_thing_named(quote: str, before: str) -> str:
    """A "the scheme" inside the quote, named from the label of its paragraph or the one before.

    "Steven Michael, who devised the scheme [Creative Minds], said ..." when the paragraph
    before opens "Creative Minds. The trust launched Creative Minds in 2011 ...".
    """
    match = _INNER_THING.search(quote)
    if match is None or quote[match.end() :].startswith((" [", " (")):
        return quote
    paragraphs = before.split("\n\n")[-2:]  # the sentence's paragraph and the one before
    labels = [m[1] for p in paragraphs if (m := _PARAGRAPH_LABEL.match(p.strip()))]
    names = [label for label in labels if _is_name(label) and label not in quote]
    if not names:
        return quote
    return f"{quote[: match.end()]} [{names[-1]}]{quote[match.end() :]}"


# "the scheme" in a sentence's middle, with no name before it ("the Creative Minds scheme").
_INNER_THING = re.compile(
    r"(?<=[a-z,] )the (?:scheme|programme|project|initiative|charity|campaign|collaborative)\b"
)
# A paragraph's opening label: a short name and a full stop ("Creative Minds. The trust ...").
_PARAGRAPH_LABEL = re.compile(r"^([A-Z][^.\n]{1,50}?)\.\s+(?=[A-Z])")


# "New emphasis in 2020: formal QI methods, SPC data, ... and succession planning.": a line
# whose own label says what the things it lists are.
_LABELLED_LIST = re.compile(r"^[A-Z][^:|\[\]]{2,60}: (?P<listed>[^:|]+[,;][^:|]+ and [^:|]+)\.$")


def _labelled_list(body: str) -> bool:
    """True for a line that labels a list of things ("Carried over from 2018: a, b and c.")."""
    match = _LABELLED_LIST.match(body.strip())
    label_words = len(body.split(":", 1)[0].split())
    return bool(match) and 2 <= label_words <= 8 and len(match["listed"].split()) >= 4


_BRACKETED = re.compile(r"\[([^\]…]+)\]")


def _with_bracket_words(sentence: Sentence) -> Sentence:
    """A sentence counts the words its brackets insert: "[Rob Webster] rejects ..." is his."""
    inserted = " ".join(_BRACKETED.findall(sentence.quote))
    if len(sentence.quote) > len(sentence.text) + 2 * len(inserted) + 40:
        inserted = sentence.quote  # brought the sentence it leans on along: its words count
    if not inserted:
        return sentence
    return dataclasses.replace(sentence, tokens=sentence.tokens | set(words_of([inserted])[0]))


def _token_lists(bodies: list[str], section: str) -> list[list[str]]:
    """Each sentence's stemmed words, then the section heading's (one empty list if none)."""
    return words_of([_generic_name_words_out(t) for t in [*bodies, section]]) if bodies else [[]]


def _generic_name_words_out(text: str) -> str:
    """The text a sentence's words are taken from: trust names cut short, "QI" spelt out.

    "Somerset Partnership formed an alliance" is about an alliance, not about partnership
    work; "Sheffield Health and Social Care" says nothing about social care.
    """
    text = re.sub(r"\bQI\b", "quality improvement", text, flags=re.I)  # read as questions are
    return _TRUST_NAME.sub(lambda m: next(g for g in m.groups() if g), text)


# A trust's own name, its distinctive part kept: "Somerset" in "Somerset Partnership NHS FT"
_TRUST_NAME = re.compile(
    r"\b(?:(Somerset|Lincolnshire|South West Yorkshire|Calderstones) Partnership"
    r"|(Sheffield) Health and Social Care|(North Staffordshire) Combined(?: Healthcare)?"
    r"|(Combined) Healthcare)(?:\s+NHS(?:\s+Foundation)?\s+Trust)?\b"
)


def _own_words(tokens: list[str], orphan_lead_in: str) -> tuple[str, ...]:
    """A sentence's words in order; an orphan item's lead-in's first ("programme of work")."""
    if not orphan_lead_in:
        return tuple(tokens)
    return tuple(words_of([orphan_lead_in])[0]) + tuple(tokens)


def _lead_in_words(
    text: str, spans: list[tuple[int, int]], token_lists: list[list[str]]
) -> dict[int, frozenset[str]]:
    """For each sentence in a list item, the words of its list's lead-in.

    "Several ward-level changes stood out to inspectors in 2017:" says what each item under
    it is; "Occupational therapy staff moved to seven-day working" is one of them.
    """
    found: dict[int, frozenset[str]] = {}
    lead: frozenset[str] = frozenset()
    for i, (start, end) in enumerate(spans):
        if not _on_item_line(text, start):
            lead = (
                frozenset(token_lists[i]) if text[start:end].rstrip().endswith(":") else frozenset()
            )
        elif lead:
            found[i] = lead
    return found


# A list item's line: "- ", "* " or "• " (not "**bold**"), or "1. " / "1) "
_ITEM_LINE = re.compile(r"[ \t]*(?:[-•]|\*(?!\*)|\d+[.)])[ \t]")


def _on_item_line(text: str, start: int) -> bool:
    """True when the text at `start` is on a list item's line ("- ", "* ", "1. ", not "**")."""
    return bool(_ITEM_LINE.match(text, text.rfind("\n", 0, start) + 1))


def _orphan_items(text: str, spans, earlier: str) -> dict[int, str]:
    """List items that open a passage whose lead-in ended the passage before, with it.

    "- a Programme Director appointed to lead 'Positive and Safe' ..." is no sentence; with
    its lead-in in brackets it is: "[The yearbook lists a major programme of work in
    response:] a Programme Director appointed ...". Items that are sentences stand alone.
    """
    paragraph = earlier.rstrip().rsplit("\n\n", 1)[-1].strip()
    if not paragraph.endswith(":") or not _on_item_line(text, len(text) - len(text.lstrip())):
        return {}
    lead_in = [paragraph[s:e] for s, e in split_sentences(paragraph)][-1]
    if len(lead_in) > MAX_INSERTION or _dangling_pronoun(lead_in):
        return {}  # a bracket is a short label ("He pointed to early gains:" would dangle)
    orphans = {}
    for i, (start, end) in enumerate(spans):
        if not _on_item_line(text, start):
            break
        item = text[start:end]
        if is_fragment(item) and len(item.split()) >= 3:
            orphans[i] = lead_in
    return orphans


def _with_label_trust(sentence: Sentence, label: tuple[str, bool]) -> Sentence:
    """Mark a sentence whose item label names a trust other than its passage's."""
    trust = _trust_named(label[0]) if label[1] else ""
    if not trust or trust == sentence.chunk.trust:
        return sentence
    return dataclasses.replace(sentence, trust=trust)


def _list_sentence(chunk, spans, i, listed, token_lists, context, earlier="") -> Sentence:
    """A lead-in and its list items as one quotable unit, items joined by '[…]'."""
    text = chunk.text
    start, last = spans[i][0], listed[-1][1]
    ordered = tuple(
        t for j, (s, _) in enumerate(spans) if start <= s < last for t in token_lists[j]
    )
    lead_in = standalone_quote(chunk, spans, i, earlier=earlier)
    items = [text[s:e].rstrip(";,") for s, e in listed[1:]]
    quote = " […] ".join([lead_in, *items]) if lead_in else ""
    body = " ".join(text[s:e] for s, e in listed)
    lead = token_lists[i]
    parts = tuple(frozenset(lead + token_lists[spans.index(item)]) for item in listed[1:])
    return Sentence(
        chunk, start, last, body, frozenset(ordered), context, quote, ordered, parts=parts
    )


def _paragraph_tokens(text: str, spans, token_lists) -> list[set[str]]:
    """For each sentence, the stemmed words of its paragraph (or list) and the one before."""
    paragraph_of = []
    number = 0
    for i, (start, _) in enumerate(spans):
        if i and "\n\n" in text[spans[i - 1][1] : start]:
            number += 1
        paragraph_of.append(number)
    words: dict[int, set[str]] = {}
    for i, number in enumerate(paragraph_of):
        words.setdefault(number, set()).update(token_lists[i])
    return [words[number] | words.get(number - 1, set()) for number in paragraph_of]


def _list_unit(text: str, spans, i: int) -> list[tuple[int, int]] | None:
    """A lead-in ending with ':' and the list items under it (at most five), or None."""
    items = _list_items(text, spans, i, most=5)
    if items is None:
        return None
    words = sum(len(text[s:e].split()) for s, e in items)
    if not items or words > MAX_QUOTE_WORDS or words < 3 * len(items):
        return None
    return [spans[i], *items]


def _list_items(text: str, spans, i: int, most: int = 12) -> list[tuple[int, int]] | None:
    """The list items under a lead-in ending with ':' (None when the sentence is none)."""
    start, end = spans[i]
    if not text[start:end].rstrip().endswith(":") or len(text[start:end].split()) < 2:
        return None
    items = []
    for s, e in spans[i + 1 : i + 1 + most]:
        if not _on_item_line(text, s):
            break
        items.append((s, e))
    return items


def _item_sentences(chunk, spans, i, token_lists, context, earlier="") -> list[Sentence]:
    """Units for a list too long to quote whole: each item with its lead-in.

    Only items that are no sentence of their own get one ("The money paid for: […] a section
    136 suite"); the others are quoted by themselves. A lead-in without a verb is a label
    and goes in brackets before an item with a verb of its own: "[New services in 2017:] a
    pilot Psychiatric Clinical Decisions Unit, opened in December 2017, ...".
    """
    lead_in = standalone_quote(chunk, spans, i, earlier=earlier)
    template = "{lead_in} […] {item}"
    if not _VERB.search(lead_in[:1].lower() + lead_in[1:]):
        if not lead_in or len(lead_in) > MAX_INSERTION:
            return []
        # "New services in 2017:" has no verb: it labels each item that has one, in brackets
        template = "[{lead_in}] {item}"
    found = []
    for s, e in _list_items(chunk.text, spans, i) or []:
        item = chunk.text[s:e].rstrip(";,")
        if len(item.split()) < 3 or not is_fragment(item):
            continue  # a stub, or a sentence quoted on its own
        if template.startswith("[") and not _FINITE.search(item):
            continue  # a label and a noun phrase make no sentence
        j = spans.index((s, e))
        ordered = tuple(token_lists[i] + token_lists[j])
        quote = template.format(lead_in=lead_in, item=item)
        found.append(Sentence(chunk, s, e, item, frozenset(ordered), context, quote, ordered))
    return found


def _trim_bullet(text: str, start: int, end: int) -> tuple[int, int]:
    match = _BULLET.match(text[start:end])
    return (start + match.end(), end) if match else (start, end)


_NO_SUBJECT = re.compile(
    r"^(?:Had|Has|Have|Was|Were|Is|Are|Still|Also|Then|And|But|Or|Plus|Then)\b"
    r"|^[A-Z][a-z-]+ed\b(?![^,]{0,40},)"
)


def is_fragment(sentence: str) -> bool:
    """True for headings, lead-ins, table rows, list stubs and other text that is no sentence."""
    stripped = sentence.strip()
    first = stripped.lstrip("\"'“‘(")[:1]  # '"Individuals who ..." was CQC's contribution'
    return bool(_NO_SUBJECT.match(stripped)) or (
        len(stripped.split()) < MIN_WORDS
        or stripped.endswith((":", ";", ","))
        or "|" in stripped
        or stripped.startswith("#")
        or not first.isupper()
        and not first.isdigit()
        and first != "£"
        or not _VERB.search(stripped[:1].lower() + stripped[1:])
    )


_SAYING = (
    r"said|says|say|told|tell|felt|feel|feels|described|reported|thought|spoke|explained|"
    r"called|praised|complained|agreed|welcomed|raised|commented|recommended|rated|wrote|"
    r"found|noted|judged|saw|observed"
)


def spoken_by(sentence: str, speaker: str) -> bool:
    """True when the sentence gives the words or views of the speaker group.

    "In 2019 staff generally told inspectors they felt valued" is spoken by staff;
    "inspectors saw staff being kind" is spoken by inspectors, not by staff.
    """
    noun = re.escape(speaker.rstrip("s")) + "s?" if speaker != "staff" else "staff"
    if noun.startswith("inspector"):
        noun = r"(?:inspectors?|CQC|the inspection)"  # CQC's findings are its inspectors'
    pattern = rf"\b{noun}\b(?:\W+\w+){{0,6}}?\W+(?:{_SAYING})\b"
    return bool(re.search(pattern, sentence, re.I))


def holds(
    sentence: str, answer_type: str, figure_kind: str = "", asked: frozenset[str] = frozenset()
) -> bool:
    """True when the sentence holds a value of the asked-for type.

    Args:
        sentence: The sentence.
        answer_type: The question's answer type.
        figure_kind: For figures: money, percent, score, duration or count.
        asked: Lower-cased words of the question; a "name" made of them is no answer.

    """
    if answer_type == "figure":
        pattern = FIGURE_PATTERNS.get(figure_kind, FIGURE_PATTERNS["count"])
        return bool(pattern.search(sentence)) or (
            figure_kind == "count" and bool(FIGURE_PATTERNS["percent"].search(sentence))
        )
    if answer_type == "date":
        return bool(_DATE.search(sentence))
    if answer_type == "person":
        names = [n for n in person_names(sentence) if not set(n.lower().split()) & asked]
        names += [m[1] for m in _SURNAME_SAYS.finditer(sentence) if m[1].lower() not in asked]
        # "Who did CQC interview?", "who did it talk to?": groups of people in roles answer;
        # "which executive talked about ..." asks who talked
        talked_to = asked & _TALK_WORDS and "to" in asked
        if asked & (_MET_WORDS - _TALK_WORDS) or talked_to:
            return bool(_ROLE.search(sentence))
        return bool(names)
    if answer_type == "organisation":
        return bool(_NAMED_THING.search(sentence[1:]))
    return False


# A name: a quoted title ("'Towards Outstanding'") or capitalised words, possibly with small
# words inside ("Back to Good", "Creative Minds", "Listening into Action").
_NAMED_THING = re.compile(
    r"['‘\"“][A-Z][^'’\"”]{2,40}['’\"”]|"
    r"\b[A-Z][a-z]+(?:\s+(?:(?:and|to|of|for|the|into|in)\s+)?[A-Z][a-z]+)+"
)


def person_names(text: str) -> list[str]:
    """Likely personal names ("Caroline Donovan", "Dr Ify Okocha") in a text."""
    names = []
    for match in _NAME.finditer(text):
        words = match.group().replace(".", "").split()
        longer = _LONGER_NAME.match(text, match.end())  # "Shropshire Community Health ..."
        if not longer and not any(_NOT_PERSON_WORD.match(word) for word in words[-2:]):
            names.append(match.group())
    return names


def short_trust_name(trust: str) -> str:
    """'Oxleas NHS Foundation Trust' -> 'Oxleas'."""
    return re.sub(r"\s+NHS(?:\s+Foundation)?\s+Trust$", "", trust)


def standalone_quote(
    chunk: Chunk, spans: list[tuple[int, int]], i: int, depth: int = 0, earlier: str = ""
) -> str:
    """The sentence as a reader can follow it on its own, or '' when it cannot stand alone.

    A sentence opening with "The trust" names the trust in brackets; one whose subject is a
    pronoun brings the sentence before it (same paragraph, itself made to stand alone) or,
    for he/she, the person's name in brackets.
    """
    text = chunk.text
    start, end = spans[i]
    sentence = text[start:end]
    if _THESE_TWO.search(sentence):  # "quoted these two": only with the people it means
        return ""
    if _THE_TRUST.match(sentence) and chunk.trust:
        match = _THE_TRUST.match(sentence)
        possessive = "'s" if match.group().endswith(("'s", "’s")) else ""
        return f"[{short_trust_name(chunk.trust)}{possessive}]{sentence[match.end() :]}"
    role = _ROLE_OPENER.match(sentence)  # "The chief executive's habit ...": who held it
    bracketed = _bracket_role(sentence, earlier + "\n\n" + text[:start]) if role else ""
    if bracketed == sentence and chunk.trust and not role.group("possessive"):
        # "The chairman, Stephen Ladyman, ...": named at once; of which trust, in brackets
        of_trust = f" [of {short_trust_name(chunk.trust)}]"
        return f"{sentence[: role.end()]}{of_trust}{sentence[role.end() :]}"
    if bracketed:
        return bracketed
    label, names_trust = _item_label(text, spans, i)
    position = _dangling_pronoun(sentence) or _bare_referent(sentence)
    if role and position is None:
        position = (0, role.end(), role.group())
    if names_trust and position is None:
        position = _inner_it(sentence)
    pronoun = position is not None and position[2].lower() in {"it", "its"}
    if label and pronoun and (names_trust or _is_name(label)):
        return _insert_label(sentence, position, label)
    if position is None:
        return _with_object_referent(chunk, spans, i, label, depth, earlier)
    previous = _previous_in_paragraph(text, spans, i)
    if previous is not None and depth < 2:
        before = standalone_quote(chunk, spans, i - 1, depth + 1, earlier)
        joined = f"{before}{text[previous[1] : start]}{sentence}"
        if before and len(joined.split()) <= MAX_QUOTE_WORDS:
            return joined
    if role:
        return ""  # no name next to the role before it, and no sentence to bring along
    return _bracketed_referent(chunk, spans, i, position, earlier)


def _bracketed_referent(chunk: Chunk, spans, i: int, position, earlier: str) -> str:
    """The sentence with what its opener points to in brackets, or '' when nothing names it."""
    start, end = spans[i]
    sentence, before = chunk.text[start:end], earlier + "\n\n" + chunk.text[:start]
    if position[2][0].isupper() and position[2].startswith("The "):
        return _bracket_name(sentence, position, before)
    # an "it" after other sentences may mean their subject, unless the paragraph is the trust's
    first = _previous_in_paragraph(chunk.text, spans, i) is None
    about_trust = first or _paragraph_opens_with_trust(chunk, spans, i)
    trust = _bracket_trust(chunk, sentence, position) if about_trust else ""
    return _bracket_person(sentence, position, before) or trust


def _paragraph_opens_with_trust(chunk: Chunk, spans: list[tuple[int, int]], i: int) -> bool:
    """True when the sentence's paragraph opens with the trust as its subject ("LPFT became")."""
    text = chunk.text
    first = text.rfind("\n\n", 0, spans[i][0]) + 1
    opening = text[first : first + 80].strip()
    return bool(chunk.trust) and (
        _THE_TRUST.match(opening) is not None
        or trust_of_text(opening[:40]) != ""
        and opening.lower().startswith(tuple(a for a in _trust_aliases(chunk.trust)))
    )


def _trust_aliases(trust: str) -> tuple[str, ...]:
    """The names a trust goes by, lower case ("lpft", "lincolnshire partnership")."""
    key = trust_of_text(trust)
    return tuple(a.lower() for a in trust_by_key(key).aliases) if key else ()


def _bracket_trust(chunk: Chunk, sentence: str, position: tuple[int, int, str]) -> str:
    """In a trust's own notes, an "it" or "its" with nothing before it to lean on is the trust.

    "By 2022/23 it had about 9,200 public and staff members" opens a paragraph of
    Lincolnshire Partnership's notes: "By 2022/23 [Lincolnshire Partnership] had …".
    """
    if not chunk.trust or position[2].lower() not in {"it", "its"}:
        return ""
    if not _TRUST_SUBJECT.search(sentence[position[1] :]):
        return ""
    return _insert_label(sentence, position, short_trust_name(chunk.trust))


# What a trust does after an "it" that stands for it ("it had", "it also introduced").
_TRUST_SUBJECT = re.compile(
    r"^(?:'s|’s)?\s+(?:(?:also|then|later|now|still|first|already)\s+)?"
    r"(?:had|has|was|is|said|says|set|ran|won|kept|made|took|began|started|"
    r"\w+ed)\b"
    r"|^\s+(?!is\b|was\b)\w+(?:\s+\w+)?\s+(?:team|board|staff|chief|chair|strategy|plan)\b"
)


# The notes speaking of themselves and their sources, not of the trusts.
ABOUT_NOTES = re.compile(
    r"\b(?:these|the) notes\b|\bthe sources (?:found|used|consulted|seen)\b|"
    r"\bthe sections below\b|\bnot reproduced here\b|\blabelled as such\b",
    re.I,
)


# A count that points back at people or things named sentences before ("quoted these two").
_THE_TWO = re.compile(r"\b(?:the two|both) (?:trusts|organisations|bodies)\b(?! of\b)", re.I)
_THESE_TWO = re.compile(
    r"\b(?:these|those|both of these) (?:two|three|four|five)\b(?! \w+s\b)", re.I
)


_OBJECT_IT = re.compile(
    r"\b(?:\w+ed|made|gave|got|put|set|saw|took|found|kept|led|ran|won|held|told|brought)"
    r"\s+(it\b(?![’'])|(?:this|that)(?=\s*[,.;](?!\S)|\s+(?:down\s+)?to\b|\s+as\b)|"
    r"this(?=\s+(?:on|in|at|by|during|after|before|when)\b))"  # "announced this on 2 May"
)


def _with_object_referent(
    chunk: Chunk, spans: list[tuple[int, int]], i: int, label: str, depth: int, earlier: str
) -> str:
    """A sentence whose object is a bare "it" ("CQC announced it on 28 March 2019").

    The item label goes in its place ("CQC announced [the outstanding rating]"), else the
    sentence before it in the paragraph comes along; otherwise the sentence stays as it is.
    """
    text = chunk.text
    start, end = spans[i]
    sentence = text[start:end]
    match = _OBJECT_IT.search(sentence)
    if match is None:
        return sentence
    if label:
        inserted = label[0].lower() + label[1:] if label.startswith(("The ", "A ")) else label
        return _insert_label(sentence, (match.start(1), match.end(1), "it"), inserted)
    alone = sentence if match.group(1) == "it" else ""  # "linked this to ...": what?
    previous = _previous_in_paragraph(text, spans, i)
    if previous is None or depth >= 2:
        return alone
    before = standalone_quote(chunk, spans, i - 1, depth + 1, earlier)
    joined = f"{before}{text[previous[1] : start]}{sentence}"
    return joined if before and len(joined.split()) <= MAX_QUOTE_WORDS else alone


_REFERENT_NOUN = re.compile(
    r"^The (?P<noun>trusts|boards?|services?|teams?|organisations?|hospitals?|wards?|units?|"
    r"chair|chairman|committee|council|group|scheme|programme|project|academy|partnership|"
    r"alliance|company|regulator|centre|network|collaborative|initiative)\b(?:'s|’s)?"
)


_ROLE_OPENER = re.compile(
    r"^The (?P<role>chief executive|chair|chairman|medical director|director of nursing)"
    r"(?P<possessive>'s|’s)?\b"
)


def _bracket_role(sentence: str, before: str) -> str:
    """Name the person "The chief executive" is, from the text before naming them in it.

    Only a name written next to the role counts ("Rob Webster, chief executive", "chief
    executive Rob Webster", "Rob Webster became chief executive"); the last person named
    may be someone else. '' when none is.
    """
    opener = _ROLE_OPENER.match(sentence)
    if person_names(sentence[opener.end() : opener.end() + 40]):
        return sentence  # "The chairman, Stephen Ladyman, welcomed ...": named at once
    role = f"(?i:{opener.group('role')})"  # the role in any case; a name is capitalised
    name = r"((?:(?:Dr|Professor|Sir|Dame)\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)+)"
    pattern = (
        rf"{name},?\s+(?:was|became|as|the|joined as|took over as|\w+ed as)?\s*(?:the\s+)?"
        rf"(?:trust's\s+)?(?:new\s+)?{role}\b|\b{role},?\s+{name}"
    )
    found = [a or b for a, b in re.findall(pattern, before[-3000:])]
    people = [person_names(n)[-1] for n in found if person_names(n)]
    if not people:
        return ""
    who = people[-1] + ("'s" if opener.group("possessive") else "")
    return f"{sentence[: opener.end()]} [{who}]{sentence[opener.end() :]}"


def _bare_referent(sentence: str) -> tuple[int, int, str] | None:
    """A noun opener that points back to something named before ("The academy ...")."""
    match = _REFERENT_NOUN.match(sentence)
    return (0, match.end(), match.group()) if match else None


# A sentence's first word, capitalised, before a noun: "Some trusts set up ..." names nothing.
_QUANTIFIERS = frozenset(
    [
        "Some",
        "Many",
        "Most",
        "All",
        "Both",
        "Other",
        "Several",
        "These",
        "Those",
        "Such",
        "Few",
        "A",
        "An",
        "Each",
        "Every",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
    ]
)


def _bracket_name(sentence: str, position: tuple[int, int, str], before: str) -> str:
    """Name what "The academy" is, from the last mention before it.

    "The academy [Sheffield Microsystem Coaching Academy] adapts ..."; '' when nothing before
    names it.
    """
    noun = _REFERENT_NOUN.match(sentence).group("noun").rstrip("s")
    pattern = rf"\b((?:[A-Z][\w'’&-]*\s+(?:(?:and|of|for)\s+)?){{1,6}}(?i:{noun})s?)\b"
    names = [
        n
        for n in re.findall(pattern, before[-2000:])
        if not n.startswith("The ") and n.split()[0] not in _QUANTIFIERS
    ]
    if not names:
        return ""
    return f"{sentence[: position[1]]} [{' '.join(names[-1].split())}]{sentence[position[1] :]}"


def _item_label(text: str, spans: list[tuple[int, int]], i: int) -> tuple[str, bool]:
    """The short label opening the sentence's line ("- **NSCHT.** When rated …"), plain.

    The label is the line's first sentence when that is a stub of at most six words
    starting with a capital; '' when the line has none or the sentence is the label.

    Returns:
        The label (a trust's short name when it names one) and whether it names a trust.

    """
    line_start = text.rfind("\n", 0, spans[i][0]) + 1
    first = i
    while first > 0 and spans[first - 1][0] >= line_start:
        first -= 1
    if first == i:
        return "", False
    stub = text[spans[first][0] : spans[first][1]]
    label = stub.strip("*_ .:")
    words = label.split()
    if not (0 < len(words) <= 6 and label[:1].isupper() and is_fragment(stub)):
        return "", False
    trust = _trust_named(label)
    return (short_trust_name(trust), True) if trust else (label, False)


# What happened to a trust, with the trust left out: "Rated good after ...", "Placed in ...".
_RATED_OPENER = re.compile(
    r"(?:Re-?)?(?:Rated|Placed|Put|Inspected|Downgraded|Upgraded|Taken)\b(?! by\b)"
)


def _subject_label(text: str, spans: list[tuple[int, int]], i: int) -> str:
    """The item label that is the missing subject of "Rated good after ...", or ''."""
    body = text[spans[i][0] : spans[i][1]].strip()
    if not _RATED_OPENER.match(body):
        return ""
    if len(body.split()) < MIN_WORDS or body.endswith((":", ";", ",")) or "|" in body:
        return ""
    return _item_label(text, spans, i)[0]


def _trust_named(label: str) -> str:
    """The full name of the trust a label names, or ''."""
    key = trust_of_text(label)
    return trust_by_key(key).name if key else ""


_INNER_IT = re.compile(r"\bit\b")


def _inner_it(sentence: str) -> tuple[int, int, str] | None:
    """The first lower-case "it" of a sentence ("CQC rated it outstanding")."""
    match = _INNER_IT.search(sentence)
    return (match.start(), match.end(), match.group()) if match else None


def _is_name(label: str) -> bool:
    """True when a label is a proper name, every word capitalised but joiners.

    "Creative Minds" and "NSCHT" are names; "Acquisition by Mersey Care", "Closure
    decision" and "Background" are topics, which a pronoun after them does not stand for.
    """
    words = [w for w in label.split() if w.lower() not in {"and", "of", "&", "the", "for"}]
    if len(words) == 1:  # "NSCHT" is a name; "Background" or "Example" is a topic
        return len(words[0]) >= 2 and words[0].isupper()
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _insert_label(sentence: str, position: tuple[int, int, str], label: str) -> str:
    """Put the label in brackets where the pronoun stood: "CQC rated [NSCHT] outstanding"."""
    start, end, word = position
    insert = f"[{label}'s]" if word.lower() == "its" else f"[{label}]"
    return f"{sentence[:start]}{insert}{sentence[end:]}"


_LEAD_WORDS = re.compile(
    rf"^(?:in|on|at|by|from|after|before|during|since|until|then|later|also|so|but|and|when|"
    rf"early|late|mid|the|of|{_MONTH.lower()})$"
)


def _dangling_pronoun(sentence: str) -> tuple[int, int, str] | None:
    """The pronoun a sentence leans on.

    It is its first word, a subject after a date opener, or a he/she/his/her with no name
    before it in the sentence.
    """
    for position, match in enumerate(re.finditer(r"[A-Za-z’']+|\d+", sentence[:70])):
        word = match.group()
        if _PERSON_PRONOUN.match(word) or _OTHER_PRONOUN.match(word):
            if _cataphora(word, position, sentence[match.end() :]):
                return None  # "In her blog Caroline Donovan said": the name follows
            if position == 0 or word.lower() in {"he", "she", "it", "they", "his", "her"}:
                return match.start(), match.end(), word
            following = re.match(r"\s+([a-z]+)\b", sentence[match.end() :])
            if word.lower() in {"that", "this", "these", "those"} and (
                position == 1 or (following and _VERB.fullmatch(following.group(1)))
            ):
                # "At that point", "In this period"; "In 2018 this grouped 32 organisations"
                return match.start(), match.end(), word
            return None
        if not (word.isdigit() or _LEAD_WORDS.match(word.lower())) or position > 6:
            break
    back = _BACK_REFERENCE.match(sentence)  # "For that reason CQC lowered ...": what reason?
    if back:
        return back.start(1), back.end(1), back.group(1)
    both = _THE_TWO.search(sentence[:70])  # "In late 2017 the two trusts set up ...": which?
    if both:
        return both.start(), both.end(), both.group()
    after_clause = _AFTER_CLAUSE.match(sentence)  # "On the day the rating came, it launched"
    if after_clause:
        return after_clause.start(1), after_clause.end(1), after_clause.group(1)
    return _unnamed_person(sentence)


# Openers that lean on the sentence before for what they mean.
_BACK_REFERENCE = re.compile(
    r"^(For (?:this|that) reason|As a result(?: of (?:this|that|these))?|Because of (?:this|that)|"
    r"Despite (?:this|that)|In response to (?:this|that|these)|(?:This|That) meant)\b"
)
_AFTER_CLAUSE = re.compile(
    r"^(?:On|In|At|After|When|Once|Following|Before|Within|Shortly after|From)\b"
    r"(?![^,;:]*\b(?:inspectors|staff|they)\b[^,;:]*,\s+they\b)[^,;:]{3,80},"
    r"\s+(it|they)\b(?!['’])"
)


_PERSON_WORD = re.compile(r"\b(?:he|she|his|her|him)\b", re.I)


# Someone named by surname alone, saying something ("Looking back, Hindle described ...").
_SURNAME_SAYS = re.compile(
    r"(?:^|[,;:]\s+|\band\s+)(?!(?:The|This|That|It|He|She|They|CQC|NHS)\b)([A-Z][a-z]{2,})"
    r"\s+(?:said|says|told|explained|described|wrote|added|argued|recalled|called|credited)\b"
)


# A sentence that opens with someone's name and what they said or did.
_NAMED_SPEAKER = re.compile(
    r"^([A-Z][a-z]+)(?:'s|’s)? (?:said|says|told|explained|described|wrote|added|noted|argued|"
    r"recalled|reported|thanked|announced|believed|felt|thought|was|had)\b"
)


# A sentence opening with someone's possessive ("Hindle's farewell blog ...").
_POSSESSOR = re.compile(r"^([A-Z][a-z]+)(?:'s|’s) ")


# Words before a pronoun that may be the person it means ("the mother ... her son").
_SOMEONE = re.compile(
    r"\b(?:mother|father|son|daughter|parent|patient|user|carer|wife|husband|"
    r"man|woman|nurse|doctor|chair|chairman|director|executive|inspector|manager|minister|"
    r"leader|member|colleague|psychiatrist|consultant|he|she)\b"
)


def _unnamed_person(sentence: str) -> tuple[int, int, str] | None:
    """A personal pronoun early in the sentence with nobody before it ("In 2019 she moved").

    A pronoun further in, or after someone it may mean ("Donovan described a meeting where
    the mother of a service user spoke about her son"), is left as it is: bracketing a name
    from earlier text would put words in the wrong mouth.
    """
    match = _PERSON_WORD.search(sentence)
    if match is None or len(sentence[: match.start()].split()) > 14:
        return None
    before = sentence[: match.start()]
    surnames = [
        w for w in re.findall(r"(?<!^)\b[A-Z][a-z]+\b", before) if not _NOT_PERSON_WORD.match(w)
    ]
    speaker = _NAMED_SPEAKER.match(before) or _POSSESSOR.match(before)
    # "Hindle said he had spoken ...", "Hindle's farewell blog said he had been ...": Hindle
    if surnames or _SOMEONE.search(before) or (speaker and not _NOT_PERSON_WORD.match(speaker[1])):
        return None
    if _cataphora(match.group(), 1, sentence[match.end() :]):
        return None
    if _AN_OBJECT.match(sentence[match.start() :]):
        return None  # "discussed it with her in public": whom the sentence before tells
    return match.start(), match.end(), match.group()


# A him/her as the object of a verb or preposition, not a possessive: no name is put in for it.
_AN_OBJECT = re.compile(
    r"(?:him|her)\b(?=\s*(?:[.,;:!?)]|$|\s(?:in|at|to|and|or|about|on|for|that|when|as|"
    r"by|with|from|into|after|before|over|up|out|back|again|too|how|what|why|if)\b))",
    re.I,
)


def _cataphora(word: str, position: int, rest: str) -> bool:
    """True for a his/her that points forward to a name ("In her blog Caroline Donovan said").

    Only a possessive after the first word: "He thanked Caroline Donovan" still leans on
    someone named before.
    """
    if word.lower() not in {"his", "her"} or position == 0:
        return False
    return bool(person_names(" ".join(rest.split()[:8])))


def _previous_in_paragraph(text: str, spans: list[tuple[int, int]], i: int):
    if i == 0:
        return None
    previous = spans[i - 1]
    between = text[previous[1] : spans[i][0]]
    if "\n" in between or is_fragment(text[previous[0] : previous[1]]):
        return None
    return previous


def _bracket_person(sentence: str, position: tuple[int, int, str], before: str) -> str | None:
    """Replace a he/she pronoun with the last name mentioned before it: '[Caroline Donovan]'."""
    start, end, word = position
    if not _PERSON_PRONOUN.match(word):
        return None
    names = person_names(before[-1500:])
    if not names:
        return None
    name = names[-1]
    insert = f"[{name}'s]" if word.lower() in {"his", "her"} else f"[{name}]"
    return f"{sentence[:start]}{insert}{sentence[end:]}"

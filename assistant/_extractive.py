"""The default answerer: verbatim sentences that address the question, cited, grouped by trust."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant._analysis import (
    ALL_TRUSTS,
    ANY_KEY_QUESTION,
    DATE,
    FIGURE,
    HOW_WHAT,
    MONTHS_PATTERN,
    NAMED_TRUSTS,
    ONE_TRUST,
    ORGANISATION,
    PERSON,
    PLACES_OF_PEOPLES,
    RATING_PATTERN,
    RATINGS,
    REPORT,
    REPORT_YEAR,
    WHICH_TRUST,
    YES_NO,
    QuestionAnalysis,
    asks_cause,
    asks_make_up,
    in_scene_setting,
    own_topics,
    responds_to_topic,
    same_meaning,
    theme_words,
    topic_text,
    trust_name_words,
    years_by_trust,
)
from assistant._grounding import instruction_like
from assistant._provenance import provenance
from assistant._publications import Publications
from assistant._sentences import (
    ABOUT_NOTES,
    MAX_QUOTE_WORDS,
    Sentence,
    SentenceBank,
    given_names,
    holds,
    person_names,
    short_trust_name,
    spoken_by,
    words_of,
)
from assistant._types import Passage
from corpus import THEMES, TRUSTS, compound_terms, trust_by_key, trusts_in_text
from index import Chunk, Embedder, Index, tokenize

SHORT_LEAD_WORDS = 16
REPORT_LEVEL = "Report-level findings"
ACROSS_REPORT = "Across the reports"
KEY_THEMES = "The report's key themes, in CQC's summary (2018)"
THEME_SUMMARY = "CQC's summary of the theme (2018)"
_REPORT_KINDS = {"report-notes", "report-overview"}
# A web page's own date line ("Last updated: […] 29 June 2018", "Published: 15 March 2018").
_PAGE_DATE = re.compile(
    r"^(?:(?:page )?last updated|published|updated|first published|date)\s*:\s*(?:\[…\]\s*)?"
    r"\d{1,2} [A-Z][a-z]+ \d{4}\.?$",
    re.I,
)
_TITLED = re.compile(r"\bDriving improvement\b", re.I)  # the report by its title


def names_the_report(text: str) -> bool:
    """True when a text names the report by its title ("Driving improvement")."""
    return bool(_TITLED.search(text))


def years_in(text: str) -> list[int]:
    """The years a text names, in order."""
    return [int(year) for year in _ANY_YEAR.findall(text)]


@dataclass
class Scoring:
    """Weights and thresholds of sentence choice (tuned on the eval set's tuning half).

    Attributes:
        lexical: Weight of the share of focus words in the sentence.
        context: Weight of the share of focus words in the sentence with its paragraph, the
            paragraph before and its heading.
        dense: Weight of the passage's similarity to the question.
        typed: Bonus when the sentence holds the asked-for type (a figure, a name, a date).
        theme: Bonus when the sentence's section is on a theme the question names.
        phrase: Bonus when the focus words stand together, in order, in the sentence.
        report: Bonus, for questions about the report, for the report's own pages.
        recency: Bonus, for "now"/"latest" questions, for sentences naming later years (and,
            for "first inspection" questions, earlier years).
        stale: Penalty, for "after 2018" / "since the report" questions, for sentences whose
            years all come before the range starts (and, for "first inspection" questions,
            for sentences about a later visit).
        speaker: Bonus, for "what did staff say ..." questions, for sentences giving the words
            or views of those asked about.
        semantic: Weight of the sentence's own similarity to the question (best few only).
        semantic_candidates: Sentences per group given the semantic score.
        closest_candidates: Further sentences per group given it: those of all the group's
            candidates most similar in meaning to the question, however few words they share
            with it ("spoke with about 600 staff in his 'Big Conversations'" for "were chief
            executives out meeting staff?").
        action_candidates: More of them for "what did X do about Y" questions.
        keep_ratio: A further sentence must score at least this share of the group's best.
        more_focus: ... and hold this share of the focus words itself (or be close in meaning).
        lines_per_trust: Most sentences for each trust in an answer on what the trusts did
            ("How did trusts cut restrictive practice?"): one line per trust often leaves out
            the trust's second example.
        wide_more_focus: A trust's further sentence in such an answer must hold this share
            of the focus words itself or be close in meaning (`min_semantic`); being on the
            theme's page is not enough there.
        min_focus: Least focus-word share (sentence + context) that counts as addressing it.
        min_semantic: Least sentence similarity that counts as addressing the question.
        on_theme_semantic: The same, for sentences in a section on a theme the question names.
        semantic_floor: Below this similarity a sentence never counts, whatever words it shares
            ("face-down restraint" is no answer to "why did it close down?").
        wide_semantic_floor: The same for one trust's line in an all-trust answer, where seven
            loosely related lines would bury the answer.
        figure_focus: Least focus-word share of a sentence that gives the asked-for figure.
        passages_per_trust: Best passages per trust searched sentence by sentence.
        rare_share: A focus word weighing at least this share of the focus is its
            distinctive word ("recruitment" in "involve service users in recruitment").
        rare_semantic: When no addressing sentence (nor its neighbours) holds that word, the
            group answers only with a sentence at least this close in meaning; otherwise it
            says the documents do not cover it.

    """

    lexical: float = 0.5
    context: float = 0.25
    dense: float = 0.3
    typed: float = 0.25
    theme: float = 0.15
    phrase: float = 0.2
    report: float = 0.15
    recency: float = 0.2
    stale: float = 0.25
    speaker: float = 0.6
    semantic: float = 0.35
    semantic_candidates: int = 8
    closest_candidates: int = 6
    action_candidates: int = 4
    keep_ratio: float = 0.6
    more_focus: float = 0.3
    lines_per_trust: int = 2
    wide_more_focus: float = 0.4
    min_focus: float = 0.4
    min_semantic: float = 0.42
    on_theme_semantic: float = 0.4
    semantic_floor: float = 0.15
    wide_semantic_floor: float = 0.3
    figure_focus: float = 0.5
    passages_per_trust: int = 10
    rare_share: float = 0.3
    rare_semantic: float = 0.44


@dataclass
class Scored:
    """A sentence with its scores."""

    sentence: Sentence
    focus: float
    focus_context: float
    score: float
    semantic: float | None = None
    typed: bool = False
    head: bool = True
    rare_near: bool = True
    in_succession: bool | None = None
    focus_passage: float = 0.0
    beyond_theme: bool = True
    on_theme: bool = False
    whole_theme: bool = False
    part_focus: tuple[float, ...] = ()
    label: str = ""  # shown before the quote ("**Outward looking** — ..."), or ''


@dataclass(frozen=True)
class _Asked:
    """What one question's sentences are scored against."""

    analysis: QuestionAnalysis
    weights: dict[frozenset[str], float]
    total: float
    rarest: frozenset[str]
    distinctive: frozenset[str]
    beyond_theme: tuple[frozenset[str], ...]
    words: frozenset[str]
    phrase: list[frozenset[str]]
    recent: bool = False
    early: bool = False
    rating: str = ""
    predecessor: str = ""
    predecessor_years: tuple[int, ...] = ()
    predecessor_trusts: tuple[str, ...] = ()
    reaction: bool = False
    lowercase: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        analysis: QuestionAnalysis,
        weights: dict[frozenset[str], float],
        distinctive: frozenset[str] = frozenset(),
        predecessor: str = "",
        predecessor_years: tuple[int, ...] = (),
        predecessor_trusts: tuple[str, ...] = (),
    ) -> _Asked:
        phrase = [f for token in _ordered_focus(analysis) for f in weights if token in f]
        return cls(
            analysis,
            weights,
            sum(weights.values()) or 1.0,
            max(weights, key=weights.get) if weights else frozenset(),
            distinctive,
            _beyond_theme(weights, analysis.themes),
            frozenset(analysis.question.lower().split()),
            phrase,
            bool(_RECENT.search(analysis.question)) and not _NEXT.search(analysis.question),
            bool(_EARLY.search(analysis.question) or _NEXT.search(analysis.question)),
            _rating_sought(analysis),
            predecessor,
            predecessor_years,
            predecessor_trusts,
            _reacts(analysis),
            _lowercase_words(analysis.focus),
        )

    def share(self, tokens: frozenset[str]) -> float:
        """The IDF-weighted share of the focus words among the tokens."""
        return _share(self.weights, tokens, self.total)


@dataclass
class Group:
    """The sentences chosen for one trust (or the report level), or why there are none."""

    label: str
    trust: str
    picks: list[Scored] = field(default_factory=list)
    missing: str = ""
    strength: float = 0.0  # the best score of the lines that address the question


@dataclass
class Composer:
    """Chooses and lays out sentences for an analysed question.

    Attributes:
        index: The open index.
        bank: Sentence cache.
        idf: Token -> inverse document frequency.
        scoring: Weights and thresholds.
        embeddings: Sentence embedding cache (by chunk id and offset).
        max_sentences: Most sentences for one group (DIA_ANSWER_MAX_SENTENCES).

    """

    index: Index
    bank: SentenceBank
    idf: dict[str, float]
    scoring: Scoring
    embeddings: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    max_sentences: int = 6
    vocabulary: list[str] = field(default_factory=list)
    unknown_weight: float = 1.0
    top_idf: float = 0.0
    _by_trust: dict[str, list[Chunk]] | None = None
    _surnames: frozenset[str] | None = None
    _focus_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    _people: dict[str, tuple[str, tuple, tuple]] = field(default_factory=dict)
    _good_since: dict[str, int] = field(default_factory=dict)
    publications: Publications | None = None

    def __post_init__(self) -> None:
        self.vocabulary = sorted(self.idf)
        self.unknown_weight = _middling(self.idf)
        self.top_idf = max(self.idf.values(), default=0.0)  # a word found in one passage only
        if self.publications is None:
            self.publications = Publications(self.index)

    def groups(
        self,
        analysis: QuestionAnalysis,
        passages: Sequence[Passage],
        vector: np.ndarray | None,
    ) -> list[Group]:
        """The answer's groups: one per trust in scope (or per source for report questions)."""
        if analysis.documents and _asks_who_is_in(analysis):  # "Which trusts did it revisit?"
            covered = self._covered_by(
                analysis.documents, bool(_OF_THE_SEVEN.search(analysis.question))
            )
            if covered:
                return covered
            focus = " ".join(_IS_IN.sub(" ", analysis.focus).split())  # "cover" frames it
            analysis = dataclasses.replace(analysis, scope=REPORT, focus=focus)  # none of them
        analysis = _without_the_rating_event(analysis)  # its year is set per trust
        analysis = _reasons_for_a_rating(analysis)  # "Why was it rated requires improvement?"
        weights = focus_weights(analysis, self.idf, self.vocabulary, self.unknown_weight)
        similarity = self._similarities(passages, vector)
        vector = self._topic_vector(analysis, vector)
        if _asks_make_up(analysis):  # "Which trusts were in the report?", "Why these seven?"
            return [self._make_up(analysis)]
        if _wants_overview(analysis):  # "What made the difference?", "the biggest thing ..."
            return [self._overview()]
        if _about_trusts_only(analysis):  # "Tell me about Calderstones", "What about Oxleas?"
            return [self._trust_overview(trust) for trust in analysis.trusts]
        if _asks_what_the_trust_is(analysis):  # "Where is each trust based?"
            trusts = analysis.trusts or [t.name for t in TRUSTS]
            return [self._trust_profile(trust) for trust in trusts]
        if analysis.scope == REPORT:
            chunks = self._report_chunks(analysis, passages, similarity)
            return self._report_groups(chunks, weights, analysis, similarity, vector)
        forms = " ".join(sorted({form for group in weights for form in group}))
        query = f"{analysis.focus} {forms}".strip() or analysis.question  # "chair": "chairman"
        keyword = [chunk for chunk, _ in self.index.keyword(query, 60)]
        pools = self._pools(analysis, passages, similarity, keyword)
        groups = self._trust_groups(analysis, pools, weights, similarity, vector)
        return self._arranged(_publications_only_alone(groups), analysis, weights)

    def _report_chunks(self, analysis, passages, similarity) -> list[Chunk]:
        """The passages a report-level question is answered from."""
        chunks = [p.chunk for p in passages[:10]]
        if analysis.documents:  # "the Sustaining improvement revisits": all of it
            named = [c for c in self.index.chunks.values() if c.doc_id in analysis.documents]
            return named + [c for c in chunks if c.doc_kind in _REPORT_KINDS]
        if _TITLED.search(analysis.question):  # "When was Driving improvement published?"
            return self._report_only(chunks, similarity)
        return chunks

    def _trust_groups(self, analysis, pools, weights, similarity, vector) -> list[Group]:
        """One group per pool, each scored with its own years and focus words."""
        own_years = years_by_trust(analysis)  # "Oxleas (2019) and Calderstones (2014-15)"
        own_years |= self._rating_years(analysis, [trust for _, trust, _ in pools])
        named = analysis.scope == NAMED_TRUSTS  # only named trusts hold each other's words
        read = {trust: self._words_of(chunks) for _, trust, chunks in pools} if named else {}
        groups = []
        for label, trust, chunks in pools:
            asked = analysis
            if trust in own_years:
                asked = dataclasses.replace(analysis, years=own_years[trust])
            own = _own_weights(weights, trust, analysis, read)
            scored = self._score(chunks, own, asked, similarity, trust)
            groups.append(self._choose(label, trust, scored, asked, vector))
        return self._sides_without_the_topic(groups, analysis, weights) if named else groups

    def _sides_without_the_topic(self, groups: list[Group], analysis, weights) -> list[Group]:
        """In a comparison, a side whose lines are far from what the other sides' lines hold.

        "Compare the smoking cessation work at Oxleas and Lincolnshire": Oxleas's line speaks
        of smoking; Lincolnshire's best lines (on quality work) answer nothing, and the answer
        says the documents have nothing on it for Lincolnshire.
        """
        distinctive = self._distinctive(weights, analysis)
        sides = [g for g in groups if g.trust and g.picks]
        near = [
            g
            for g in sides
            if any(distinctive & (p.sentence.tokens | p.sentence.context) for p in g.picks)
        ]
        own = own_topics(analysis) or years_by_trust(analysis)
        if not distinctive or not near or len(near) == len(sides) or own:
            # "Oxleas's survey in 2019 compared with Calderstones in its yearbook": each its own
            return groups
        for group in sides:
            if any(group is g for g in near):
                continue
            if self._closest_to_focus(group.picks, analysis) < self.scoring.rare_semantic:
                group.picks, group.missing, group.strength = [], "focus", 0.0
        return groups

    def _rating_years(self, analysis: QuestionAnalysis, trusts: Sequence[str]) -> dict:
        """For "Who led Oxleas when it was rated good?": each trust's year of that rating.

        The year its documents first give the trust that overall rating (see _rating_to_date).
        """
        rating = _rating_to_date(analysis)
        if not rating or analysis.years:
            return {}
        years = {}
        for trust in trusts:
            found = [
                _year_of_rating(sentence.quote, rating)
                for chunk in self._of_trust(trust)
                for sentence in self.bank.of(chunk)
                if gives_rating(sentence.quote, rating)
            ]
            if any(found):
                years[trust] = (min(year for year in found if year),)
        return years

    def _words_of(self, chunks: Sequence[Chunk]) -> frozenset[str]:
        """Every stemmed word of the passages."""
        return frozenset().union(*(self.bank.words(c) for c in chunks))

    def _report_only(self, chunks: list[Chunk], similarity: dict[str, float]) -> list[Chunk]:
        """The report's own passages, retrieved then the closest others (or all, if none)."""
        report = [c for c in chunks if c.doc_kind in _REPORT_KINDS]
        report += self._ranked(
            (c for c in self.index.chunks.values() if c.doc_kind in _REPORT_KINDS),
            similarity,
            self.scoring.passages_per_trust,
        )
        return list(dict.fromkeys(report)) or chunks

    def _report_groups(self, chunks, weights, analysis, similarity, vector) -> list[Group]:
        """A report question's sentences by source, after CQC's summary of a theme it names."""
        scored = self._score(chunks, weights, analysis, similarity)
        if analysis.documents:  # the publication's own lines, and others' that name it
            naming = self.publications.naming_phrases(analysis.question)
            scored = [
                x
                for x in scored
                if x.sentence.chunk.doc_id in analysis.documents or _names(x.sentence, naming)
            ]
        elif _THIS_REPORT.search(analysis.question):  # "the report": not a companion one
            scored = [x for x in scored if x.sentence.chunk.doc_id not in self.publications.titles]
        if analysis.documents and analysis.answer_type in (DATE, PERSON):
            scored = self._naming_it_first(scored, analysis.documents)  # "when was it published"
        elif analysis.documents and _ASKS_WHAT_IT_IS.search(analysis.question):
            scored = self._naming_it_first(scored, analysis.documents, _DEFINES)  # "what was X for"
        chosen = self._choose("", "", scored, analysis, vector)
        # another publication's answer does not open with the report's summary of a theme
        themed = analysis.themes and not analysis.documents
        summary = self._overview(analysis.themes) if themed else None
        if summary and summary.picks and chosen.picks:
            return [summary, *_split_by_source(chosen, skip=summary.picks)]
        return _split_by_source(chosen)

    def _naming_it_first(
        self, scored: list[Scored], documents: tuple[str, ...], saying: re.Pattern | None = None
    ) -> list[Scored]:
        """A publication's own lines that name it, before its lines about other reports.

        "CQC published '... eight NHS trusts' on 14 June 2017" answers "when was the acute
        report published", not a line on when a report about one of its trusts came out.
        With `saying`, only the lines that also say that ("'Individuals ...' was CQC's
        contribution to ...": what it is).
        """
        phrases = self.publications.title_phrases(documents)
        bumped = [
            dataclasses.replace(x, score=x.score + self.scoring.typed)
            if _names(x.sentence, phrases) and (saying is None or saying.search(x.sentence.text))
            else x
            for x in scored
        ]
        return sorted(bumped, key=lambda x: -x.score)

    def _arranged(self, groups: list[Group], analysis, weights) -> list[Group]:
        """The trust groups in the order and number the question's kind asks for."""
        broad = bool(analysis.themes) and not _beyond_theme(weights, analysis.themes)
        if analysis.scope == ALL_TRUSTS and broad and analysis.answer_type != WHICH_TRUST:
            return self._with_theme_summary(groups, analysis.themes)
        if analysis.answer_type != WHICH_TRUST:
            return groups
        rating, overall, domain_rating, falling = _ratings_asked(analysis)
        if domain_rating:  # "rated outstanding for well-led" (and "overall", when asked)
            groups = _rated_only(groups, overall, domain_rating)
        elif rating:
            groups = _rated_only(groups, rating, falling=falling)
        groups = _ranked_only(groups, analysis)  # "which improved the most": a ranking said
        # "Which trusts changed their culture?" is about a theme most trusts cover, and "which
        # slipped back?" about a rating some were given: list every trust with evidence;
        # otherwise ("Which trusts had staffing problems at their first inspection?") only
        # those close to the strongest.
        rarest = max(weights, key=weights.get) if weights else frozenset()
        if not rarest or weights[rarest] < 0.6 * self.top_idf:
            rarest = frozenset()  # a common word ("staffing") tells no trust's line apart
        return _strongest_first(groups, 0.0 if broad or rating else 0.8, rarest)

    def _covered_by(self, documents: Sequence[str], seven_only: bool = True) -> list[Group]:
        """Each trust the publications give a part of their own, opening it.

        The seven first; then, unless the question asks only about the seven ("which of the
        featured trusts"), the others the publication is about too (the revisits' acute trusts).
        """
        parts = [c for c in self.index.chunks.values() if c.doc_id in documents and c.trust]
        seven = [t.name for t in TRUSTS]
        others = [] if seven_only else [c.trust for c in parts if c.trust not in seven]
        groups = []
        for trust in [*seven, *dict.fromkeys(others)]:
            own = [c for c in parts if c.trust == trust]
            if own:
                first = min(own, key=lambda c: c.ordinal)
                groups.append(Group(trust, trust, self._opening(first, 1)))
        return groups

    def _trust_overview(self, trust: str) -> Group:
        """The opening sentences of the trust's own overview (or of its first passage)."""
        group = Group(trust, trust)
        chunks = self._of_trust(trust)
        lead = next((c for c in chunks if _OVERVIEW.search(c.section or "")), None)
        lead = lead or (chunks[0] if chunks else None)
        group.picks = self._opening(lead, 3) if lead else []
        if not group.picks:
            group.missing = "focus"
        return group

    def _make_up(self, analysis: QuestionAnalysis) -> Group:
        """How many and which trusts the report features, and why CQC chose them.

        The report's own passages say it ("we visited seven NHS mental health trusts that had
        achieved significant improvements in their ratings"), and one sentence names all seven.
        """
        group = Group(REPORT_LEVEL, "")
        sentences = [
            x
            for chunk in self.index.chunks.values()
            if chunk.doc_kind in _REPORT_KINDS and chunk.doc_id not in self.publications.titles
            for x in self.bank.of(chunk)
            if x.quote and not ABOUT_NOTES.search(x.quote)
        ]
        listing = [x for x in sentences if _names_the_trusts(x.quote)][:1]
        chosen = [x for x in sentences if _CHOSEN.search(x.quote)][:2]
        ordered = listing + chosen if analysis.answer_type == WHICH_TRUST else chosen + listing
        for x in ordered:
            if not any(_same_words(p.sentence, x) for p in group.picks):
                group.picks.append(Scored(x, 1.0, 1.0, 1.0))
        return group

    def _trust_profile(self, trust: str) -> Group:
        """Where the trust is, whom it serves and what it runs, from its overview passages."""
        group = Group(trust, trust)
        overview = [c for c in self._of_trust(trust) if _OVERVIEW.search(c.section or "")]
        for chunk in overview or self._of_trust(trust)[:1]:
            for x in self.bank.of(chunk):
                overlaps = any(_same_words(p.sentence, x) for p in group.picks)
                about_it = _PROFILE.search(x.quote) and not (
                    _IN_THE_REPORT.search(x.quote) or ABOUT_NOTES.search(x.quote)
                )
                if len(group.picks) < 2 and about_it and not overlaps:
                    group.picks.append(Scored(x, 1.0, 1.0, 1.0))
        return group if group.picks else self._trust_overview(trust)

    def _with_theme_summary(self, groups: list[Group], themes: Sequence[str]) -> list[Group]:
        """CQC's own summary of the theme in place of the report-level group, when there is one.

        "How did the trusts react to a poor first rating?" is answered first by what the
        report concluded across the trusts, then trust by trust.
        """
        summary = self._overview(themes)
        if not summary.picks:
            return groups
        return [summary, *(g for g in groups if g.label != ACROSS_REPORT)]

    def _overview(self, themes: Sequence[str] = ()) -> Group:
        """The report's own one-line summary of each of its themes (or of those given)."""
        group = Group(KEY_THEMES if not themes else THEME_SUMMARY, "")
        by_theme = {
            chunk.theme: chunk
            for chunk in reversed(list(self.index.chunks.values()))
            if chunk.doc_kind == "report-overview" and chunk.theme
        }
        for theme in THEMES:
            if themes and theme.key not in themes:
                continue
            chunk = by_theme.get(theme.key)
            opening = self._opening(chunk, 3 if themes else 1) if chunk else []
            if opening and not themes:  # each key theme by its name
                opening[0].label = theme.label
            group.picks += opening
        return group

    def _opening(self, chunk: Chunk, most: int) -> list[Scored]:
        """A passage's first sentences, each once, without the page's own dates or notes.

        A sentence quoted again with the next one ("Good is not enough ... They all see ...")
        counts once, as the longer quote.
        """
        chosen: list[Sentence] = []
        for x in self.bank.of(chunk):
            if not x.quote or ABOUT_NOTES.search(x.quote) or _PAGE_DATES.match(x.quote):
                continue
            if chosen and x.quote.startswith(chosen[-1].quote):
                chosen[-1] = x
            elif len(chosen) < most:
                chosen.append(x)
        return [Scored(x, 1.0, 1.0, 1.0) for x in chosen]

    def _topic_vector(self, analysis: QuestionAnalysis, vector):
        """The question without its organisation names, embedded, to judge sentences by.

        "Oxleas ... out-of-area placements" is otherwise close to any sentence about Oxleas.
        """
        embedder: Embedder | None = self.index.embedder
        if vector is None or embedder is None or not (analysis.organisations or analysis.trusts):
            return vector
        topic = topic_text(analysis)
        if not topic:
            return vector
        return np.asarray(embedder.embed([topic]))[0]

    def _similarities(self, passages: Sequence[Passage], vector) -> dict[str, float]:
        """Dense similarity of every passage to the question (exact when vectors are local)."""
        known = {p.chunk.id: p.dense or 0.0 for p in passages}
        if vector is None or self.index.vectors is None:
            return known
        scores = np.asarray(self.index.vectors @ np.asarray(vector, dtype=np.float32))
        return {chunk_id: float(s) for chunk_id, s in zip(self.index.ids, scores, strict=True)}

    def _pools(self, analysis, passages, similarity, keyword) -> list[tuple[str, str, list[Chunk]]]:
        """(label, trust, passages to read) for every group the scope asks for."""
        if analysis.scope in (ONE_TRUST, NAMED_TRUSTS):
            return [
                (t, t, self._trust_chunks(t, analysis, passages, similarity, keyword))
                for t in analysis.trusts
            ]
        if analysis.scope == ALL_TRUSTS:
            pools = [
                (
                    t.name,
                    t.name,
                    self._trust_chunks(t.name, analysis, passages, similarity, keyword),
                )
                for t in TRUSTS
            ]
            report = [p.chunk for p in passages if p.chunk.doc_kind in _REPORT_KINDS]
            report += self._ranked(
                (c for c in self.index.chunks.values() if c.doc_kind in _REPORT_KINDS),
                similarity,
                self.scoring.passages_per_trust,
            )
            on_theme = [c for c in report if c.theme in analysis.themes]
            report = on_theme or report
            return (
                [(ACROSS_REPORT, "", list(dict.fromkeys(report)))]
                + pools
                + _publication_pools(passages)
            )
        return []

    def _trust_chunks(self, trust, analysis, passages, similarity, keyword) -> list[Chunk]:
        """A trust's passages on the question's themes, its retrieved ones, its most similar."""
        chunks = self._of_trust(trust)
        if analysis.documents:  # "What did the Sustaining improvement report say about LPFT?"
            named = [c for c in self.index.chunks.values() if c.doc_id in analysis.documents]
            about = [c for c in named if c.trust == trust]  # else the trust's own notes
            if about or analysis.answer_type == WHICH_TRUST:
                return about  # "Which trusts in it ...": only those it is about
        if _about_ratings(analysis):
            return chunks  # ratings are given in the overview, the reaction and what came next
        on_theme = [c for c in chunks if c.theme and c.theme in analysis.themes]
        most = 2 * self.scoring.passages_per_trust  # a large index: the closest of them
        if len(on_theme) > most:
            on_theme = self._ranked(on_theme, similarity, most)
        if (
            on_theme
            and analysis.scope in _THEME_ONLY_SCOPES
            and analysis.answer_type not in (FIGURE, DATE, PERSON)
        ):
            # a name, date or figure may be anywhere in the trust's notes; and the passage
            # that holds the question's words best may be filed under another theme (Oxleas's
            # staff survey scores under Culture)
            best_words = [c for c in keyword if c.trust == trust][:2]
            return list(dict.fromkeys(on_theme + best_words))
        retrieved = [p.chunk for p in passages if p.chunk.trust == trust]
        retrieved += [
            p.chunk
            for p in passages
            if not p.chunk.trust and any(s.trust == trust for s in self.bank.of(p.chunk))
        ]
        keyword = [c for c in keyword if c.trust == trust][:4]
        nearest = self._ranked(chunks, similarity, self.scoring.passages_per_trust)
        return list(dict.fromkeys(on_theme + retrieved + keyword + nearest))

    def sentences_of(self, trust: str) -> list[Sentence]:
        """Every sentence of the trust's passages, in corpus order."""
        return [x for chunk in self._of_trust(trust) for x in self.bank.of(chunk)]

    def _of_trust(self, trust: str) -> list[Chunk]:
        """The trust's passages in corpus order (grouped once per index, not per question)."""
        if self._by_trust is None:
            grouped: dict[str, list[Chunk]] = {}
            for chunk in self.index.chunks.values():
                grouped.setdefault(chunk.trust, []).append(chunk)
            self._by_trust = grouped
        return self._by_trust.get(trust, [])

    @staticmethod
    def _ranked(chunks: Iterable[Chunk], similarity: dict[str, float], most: int) -> list[Chunk]:
        """The `most` passages most similar to the question, best first."""
        return heapq.nlargest(most, chunks, key=lambda c: similarity.get(c.id, 0.0))

    def _score(self, chunks, weights, analysis, similarity, trust=None) -> list[Scored]:
        """Every quotable sentence of the passages, scored against the question, best first.

        With a trust ('' for the report level), only the sentences about it are scored: a
        report's "- NSCHT. …" item counts for that trust, not for the report level.
        """
        asked = _Asked.of(
            analysis, weights, self._distinctive(weights, analysis), *self._named_person(analysis)
        )
        seen: set[str] = set()
        scored = []
        for chunk in chunks:
            passage = 0.8 * asked.share(self.bank.words(chunk))
            for sentence in self.bank.of(chunk):
                key = " ".join(sentence.text.lower().split())
                if key in seen or not sentence.quote or instruction_like(sentence.quote):
                    continue
                if ABOUT_NOTES.search(sentence.quote):
                    continue
                if _PAGE_DATE.match(sentence.quote) and analysis.answer_type != DATE:
                    continue  # "Last updated: […] 29 June 2018" answers only a "when"
                if trust is not None and (sentence.trust or chunk.trust) != trust:
                    continue
                if _elsewhere(sentence.quote, sentence.trust or chunk.trust):
                    continue
                seen.add(key)
                scored.append(self._score_one(sentence, asked, similarity.get(chunk.id, 0.0)))
                scored[-1].focus_passage = passage
        scored.sort(key=lambda x: -x.score)
        return scored

    def _named_person(self, analysis: QuestionAnalysis) -> tuple[str, tuple, tuple]:
        """For "who came after/before X": X's surname, years and trusts where named.

        Empty for other questions, or when no person in the documents has that name.
        """
        if not analysis.successor_of:
            return "", (), ()
        if analysis.successor_of not in self._people:  # once per question, not per trust
            self._people[analysis.successor_of] = self._find_person(analysis.successor_of)
        return self._people[analysis.successor_of]

    def _find_person(self, words: str) -> tuple[str, tuple, tuple]:
        """The surname among the words, with the years and trusts of the sentences naming it."""
        if self._surnames is None:
            self._surnames = frozenset(
                name.split()[-1].lower()
                for chunk in self.index.chunks.values()
                for name in person_names(chunk.text)
            )
        known = [w for w in words.split() if w in self._surnames]
        if not known:
            return "", (), ()
        mentions = [
            sentence
            for chunk in self.index.chunks.values()
            if known[-1] in chunk.text.lower()
            for sentence in self.bank.of(chunk)
            if known[-1] in sentence.quote.lower()
        ]
        years = {int(year) for x in mentions for year in _ANY_YEAR.findall(x.quote)}
        trusts = {x.trust or x.chunk.trust for x in mentions}
        return known[-1], tuple(sorted(years)), tuple(sorted(trusts))

    def _distinctive(
        self, weights: dict[frozenset[str], float], analysis: QuestionAnalysis
    ) -> frozenset[str]:
        """The focus word (with its forms) that says what is asked, if one stands out.

        "recruitment" in "involve service users in recruitment". Not the question's verb
        ("deal with"), not a framing word ("statement"), and not a word found in one passage
        only or in none: in a corpus this size those are chance words, not the topic
        (unknown words weigh in elsewhere). A question listing what it asks about ("- police,
        other trusts, the wider system") has no one word that stands out.
        """
        if _lists_examples(analysis.question):
            return frozenset()
        total = sum(weights.values())
        once = self.top_idf
        framing = _framing() | set(words_of([" ".join(analysis.verbs)])[0])
        topical = {
            forms: weight
            for forms, weight in weights.items()
            if forms.isdisjoint(framing) and 0.0 < max(self.idf.get(f, 0.0) for f in forms) < once
        }
        distinctive = max(topical, key=topical.get, default=frozenset())
        if len(weights) < 2 or topical.get(distinctive, 0.0) < self.scoring.rare_share * total:
            return frozenset()
        return distinctive

    def _score_one(self, sentence: Sentence, asked: _Asked, dense: float) -> Scored:
        s, analysis, chunk = self.scoring, asked.analysis, sentence.chunk
        named = _only_in_names(sentence, asked.lowercase)
        part_focus = tuple(asked.share(part - named) for part in sentence.parts)
        focus = max(part_focus) if part_focus else asked.share(sentence.tokens - named)
        focus_context = asked.share((sentence.tokens | sentence.context) - named)
        typed = holds(sentence.text, analysis.answer_type, analysis.figure_kind, asked.words)
        score = (
            s.lexical * focus
            + s.context * focus_context
            + s.dense * dense
            + s.typed * typed
            + s.theme * (chunk.theme in analysis.themes)
            + 0.1 * any(year in sentence.text for year in analysis.all_years)
            + s.phrase * _has_phrase(sentence.ordered, asked.phrase)
            + s.report * (analysis.scope == REPORT and chunk.doc_kind in _REPORT_KINDS)
        )
        in_succession = _in_succession(sentence, asked, analysis.succession)
        score += self._asked_for(sentence.quote, asked, in_succession)
        score += s.typed * _labelled_as_asked(sentence, analysis)
        head = not asked.rarest or not asked.rarest.isdisjoint(sentence.tokens)
        around = sentence.tokens | sentence.context
        rare_near = not asked.distinctive or not asked.distinctive.isdisjoint(around)
        beyond = not asked.beyond_theme or any(not f.isdisjoint(around) for f in asked.beyond_theme)
        on_theme = chunk.theme in analysis.themes
        return Scored(
            sentence,
            focus,
            focus_context,
            score,
            typed=typed,
            head=head,
            rare_near=rare_near,
            in_succession=in_succession,
            on_theme=on_theme,
            beyond_theme=beyond,
            whole_theme=on_theme and not asked.beyond_theme and bool(analysis.themes),
            part_focus=part_focus,
        )

    def _asked_for(self, quote: str, asked: _Asked, in_succession: bool | None) -> float:
        """Bonuses and penalties for what this kind of question asks for.

        Later (or, for "first inspection", earlier) years, the rating asked about, a trust's
        own response, the words of those asked about, a successor named outright; sentences
        wholly before an "after 2018" range, or about a later visit, count against.
        """
        s, analysis = self.scoring, asked.analysis
        return (
            (s.recency * _lateness(quote) if asked.recent else 0.0)
            + (s.recency * _earliness(quote) if asked.early else 0.0)
            + s.typed * gives_rating(quote, asked.rating)
            + s.typed * bool(_TITLED.search(analysis.question) and _TITLED.search(quote))
            + (s.typed * _responded(quote) if asked.reaction else 0.0)
            - s.stale * _before(quote, analysis.since)
            + (s.speaker * spoken_by(quote, analysis.speaker) if analysis.speaker else 0)
            - (s.stale * bool(_LATER_VISIT.search(quote)) if asked.early else 0.0)
            + s.speaker * bool(in_succession)
            + s.typed * bool(in_succession and _TOOK_POST.search(quote))
            + s.typed * _names_whom(quote, asked)
            + s.typed * _gives_the_name(quote, analysis)
            + s.typed * (in_succession is None and _took_the_post(quote, analysis))
        )

    def _choose(self, label, trust, scored, analysis, vector) -> Group:
        if missing := self._missing_time(trust, scored, analysis):
            return Group(label, trust, missing=missing)
        group = Group(label, trust)
        wide = analysis.scope == ALL_TRUSTS
        size = self.scoring.semantic_candidates // (2 if wide else 1)
        if analysis.action:  # "what did X do about Y": what was done often ranks below findings
            size += self.scoring.action_candidates
        if analysis.years or analysis.since or _about_ratings(analysis):
            scored = [x for x in scored if _in_range(x, analysis)]  # the head is all in range
        head = list({id(x): x for x in scored[:size] + _read_too(scored, analysis, size)}.values())
        self._add_semantic(head, analysis, vector)
        closest = self._closest(scored, head, analysis, vector, trust)
        head.sort(key=lambda x: -x.score)
        addressing = self._addressing(head, analysis)
        if addressing and closest:  # read further, by meaning: never the only lines
            head = sorted(head + closest, key=lambda x: -x.score)
            addressing = self._addressing(head, analysis)
        if asks_rating_history(analysis) or asks_about_slips(analysis):  # rated, unworded
            addressing += [x for x in _rating_events(head) if x not in addressing]
        if not addressing:
            group.missing = _why_missing(scored, analysis)
            return group
        group.strength = max(x.score for x in addressing)
        self._in_asked_order(addressing, analysis)
        year_only = bool(analysis.years) and not analysis.focus
        every = year_only or _rating_lines_answer(analysis)  # each line in range answers
        strict = wide and bool(trust)  # a trust's second line in an all-trust answer
        group.picks = self._diverse(addressing, self._limit(analysis, trust), every, strict)
        group.picks = _ordered(group.picks, addressing, analysis)
        group.picks.sort(key=lambda x: any(x is c for c in closest))  # found by words first
        if asks_about_slips(analysis) and trust:
            group.picks = _slips(group.picks, addressing, analysis, self._first_good(trust))
        answering = {(x.sentence.chunk.id, x.sentence.start) for x in addressing if x.focus >= 0.25}
        group.picks = [
            self._with_elaboration(pick, group.picks[:i] + group.picks[i + 1 :], answering)
            for i, pick in enumerate(group.picks)
        ]
        group.picks = [_items_asked_about(pick, analysis) for pick in _adjacent_joined(group.picks)]
        return group

    def _in_asked_order(self, addressing: list[Scored], analysis: QuestionAnalysis) -> None:
        """Sort the addressing lines, in place, as the kind of question wants them first."""
        if analysis.action and not _reacts(analysis):  # what was done first, the rest as scored
            addressing.sort(key=lambda x: -x.score - self.scoring.typed * _acts(x.sentence.quote))
        if analysis.answer_type == WHICH_TRUST:  # "which got outstanding": the rating first
            addressing.sort(key=lambda x: _which_trust_order(x, analysis))
        if analysis.answer_type == DATE:  # "When did it announce ...": the announcement first
            addressing.sort(key=lambda x: not _dates_the_event(x, analysis))

    def _addressing(self, head: list[Scored], analysis: QuestionAnalysis) -> list[Scored]:
        """The lines of a group's head that answer the question, best first."""
        addressing = [x for x in head if self._addresses(x, analysis)]
        if addressing and self._misses_distinctive(addressing, analysis):
            addressing = []
        addressing = self._near_the_distinctive(addressing, analysis)
        if not addressing and analysis.scope == ALL_TRUSTS and analysis.themes:
            addressing = self._on_theme_line(head, analysis)
        return addressing

    def _missing_time(self, trust: str, scored: list[Scored], analysis: QuestionAnalysis) -> str:
        """Why nothing can answer for the time asked: "visit", "year", or '' when something may.

        "After its 2024 inspection": no such inspection; "in 2013": nothing of the year asked,
        in the line or its paragraph.
        """
        if self._absent_visit(trust, analysis):
            return "visit"
        if analysis.years and not any(_dated(x, analysis.years) for x in scored):
            return "year"
        if analysis.years and _told_of_other_years(scored, analysis):
            return "year"
        return ""

    def _absent_visit(self, trust: str, analysis: QuestionAnalysis) -> bool:
        """True when the trust's documents name no inspection (or rating) of the year asked.

        "What rating did Oxleas get after its 2024 inspection?": no sentence of Oxleas's
        documents names a 2024 inspection, so the answer says so.
        """
        named = visit_asked(analysis.question)
        if not named or not trust:
            return False
        year, stem = named.group(1), named.group(2)[:3].lower()  # "ins", "re-", "rat", "vis"
        # an inspection is a visit, and a visit an inspection ("CQC's 2017 visit")
        stems = ("rat",) if stem == "rat" else ("inspect", "visit")
        return not any(
            year in sentence.text and any(s in sentence.text.lower() for s in stems)
            for chunk in self._of_trust(trust)
            for sentence in self.bank.of(chunk)
        )

    def _on_theme_line(self, head: list[Scored], analysis: QuestionAnalysis) -> list[Scored]:
        """For a theme asked of every trust, a trust's best line from its section on it.

        Each trust's notes have a section per theme: saying a trust has nothing on the theme
        when that section speaks loosely to the question would be false. A line that speaks
        in the theme's own words (survey results for staff engagement) goes before one that
        only sits under its heading (enough skilled staff).
        """
        floor = self.scoring.wide_semantic_floor
        on_theme = [x for x in head if x.on_theme and (x.semantic or 0.0) >= floor]
        said = _theme_words_said(analysis)
        on_theme.sort(key=lambda x: -x.score - self.scoring.theme * bool(said & x.sentence.tokens))
        return on_theme[:1]

    def _first_good(self, trust: str) -> int:
        """The year a trust's notes first give it a good or outstanding rating (9999: never)."""
        if trust not in self._good_since:
            self._good_since[trust] = min(
                (
                    _year_of(x)
                    for x in self.sentences_of(trust)
                    if (gives_rating(x.quote, "good") or gives_rating(x.quote, "outstanding"))
                    and _one_rating(x.quote)
                ),
                default=9999,
            )
        return self._good_since[trust]

    def _with_elaboration(
        self, pick: Scored, others: list[Scored], answering: set[tuple[str, int]] = frozenset()
    ) -> Scored:
        """A short sentence, one announcing the next, or one answered further, brings the next.

        Both come from the same paragraph: "In 2017 CQC had planned a re-inspection focused on
        the problem areas." comes with "... so it widened the visit to look across the whole
        trust."; "The staff survey published on 26 February 2019 showed ..." with "Scores for
        engagement ... stayed above average." (`answering` holds the sentences that answer too).
        """
        sentence = pick.sentence
        short = len(sentence.quote.split()) < SHORT_LEAD_WORDS or _ANNOUNCES.search(sentence.quote)
        text = sentence.chunk.text
        taken = {o.sentence.start for o in others}
        for following in self.bank.of(sentence.chunk):
            gap = text[sentence.end : following.start]
            if following.start < sentence.end or following.start in taken:
                continue
            if gap.strip() or "\n" in gap or ABOUT_NOTES.search(following.text):
                break  # "These notes are compiled from ..." says nothing of the trust
            if following.text in sentence.quote:
                continue  # the quote already runs on through it
            if any(following.text in other.sentence.quote for other in others):
                break  # quoted already (from a passage that overlaps this one)
            leans = following.quote.startswith((sentence.text, sentence.quote))
            goes_on = (following.chunk.id, following.start) in answering
            if not (short or leans and _CONTINUES.match(following.text) or goes_on):
                break
            # a next quote that carries the sentence before it for its referent: its own text
            carried = following.quote != following.text and following.quote.endswith(following.text)
            addition = following.text if carried else following.quote
            joined = following.quote if leans else f"{sentence.quote}{gap}{addition}"
            longer = dataclasses.replace(
                sentence,
                end=following.end,
                tokens=sentence.tokens | following.tokens,
                quote=joined,
            )
            return dataclasses.replace(pick, sentence=longer)
        return pick

    def _closest(self, scored, head, analysis, vector, trust: str) -> list[Scored]:
        """Candidates beyond the head closest in meaning to the question, whatever their words.

        Not for questions on ratings, which are told in set words, nor for the report's lines
        heading an all-trust answer; never a line saying who held a post. In an all-trust
        answer, where a trust has a line or two, only those closer than any line in the head.
        Each sentence is embedded once per process.
        """
        most = self.scoring.closest_candidates
        wide = analysis.scope == ALL_TRUSTS
        if vector is None or not most or len(scored) <= most or _on_ratings(analysis):
            return []
        if (wide and not trust) or not self._embedded(scored):
            return []
        asked = np.asarray(vector)
        nearest = heapq.nlargest(
            most, scored, key=lambda x: float(self.embeddings[self._key(x)] @ asked)
        )
        seen = {id(x) for x in head}
        closest = [x for x in nearest if id(x) not in seen and not _says_who_held(x, analysis)]
        self._add_semantic(closest, analysis, vector)
        if wide:
            found = max((x.semantic or 0.0 for x in head), default=0.0)
            closest = [x for x in closest if (x.semantic or 0.0) > found]
        return closest

    def embed_sentences(self) -> int:
        """Embed every quotable sentence not embedded yet; how many were.

        Each sentence is otherwise embedded when a question first reads it.
        """
        sentences = [x for chunk in self.index.chunks.values() for x in self.bank.of(chunk)]
        return self._embed([x for x in sentences if x.quote])

    def _embedded(self, lines: list[Scored]) -> bool:
        """Embed the lines not embedded yet; False when there is no embedder."""
        return self._embed([x.sentence for x in lines]) >= 0

    def _embed(self, sentences: list[Sentence]) -> int:
        """Embed the sentences not embedded yet; how many were (-1 without an embedder)."""
        embedder: Embedder | None = self.index.embedder
        if embedder is None:
            return -1
        missing = [x for x in sentences if (x.chunk.id, x.start) not in self.embeddings]
        if missing:
            vectors = np.asarray(embedder.embed([x.text for x in missing]))
            for x, vector in zip(missing, vectors, strict=True):
                self.embeddings.setdefault((x.chunk.id, x.start), vector)
        return len(missing)

    def _add_semantic(self, head: list[Scored], analysis, vector) -> None:
        if vector is None or not head or not self._embedded(head):
            return
        for x in head:
            x.semantic = float(self.embeddings[self._key(x)] @ np.asarray(vector))
            x.score += self.scoring.semantic * x.semantic

    @staticmethod
    def _key(x: Scored) -> tuple[str, int]:
        return (x.sentence.chunk.id, x.sentence.start)

    def _addresses(self, x: Scored, analysis: QuestionAnalysis) -> bool:
        """True when the sentence is about what was asked, in the year and type asked for."""
        s = self.scoring
        if not _in_range(x, analysis):
            return False
        if analysis.years and not analysis.focus:
            return True  # "What happened to Calderstones in 2016?": the year is the question
        if _rating_lines_answer(analysis):
            return True  # "the final CQC results": a rating in range (_in_range checked it)
        if analysis.scope == REPORT and not _of_the_report_asked(x, analysis):
            return False
        if analysis.answer_type == FIGURE:
            return _gives_the_figure(x, analysis, s.figure_focus)
        dated = _dates_a_rating(x, analysis) if analysis.answer_type == DATE else None
        if dated is not None:
            return dated
        if _ruled_out(x, analysis):
            return False
        if x.in_succession is not None:
            return x.in_succession and x.typed and _has_role(x, analysis, around=True)
        person = x.typed and _in_role(x, analysis) or _done_to_the_named(x, analysis)
        if analysis.answer_type == PERSON and (not person or _leads_or_took_post(x, analysis)):
            return person  # "Who led its turnaround?", "Who took over as chief executive?"
        acts = analysis.action or asks_cause(analysis.question)
        if acts and not _reacts(analysis) and _only_the_scene(x.sentence.tokens, analysis):
            return False  # "Once it was rated outstanding, what did it put in place ...?"
        semantic = x.semantic if x.semantic is not None else 1.0
        if x.whole_theme and analysis.scope in (ONE_TRUST, ALL_TRUSTS):
            return True  # "How did Oxleas respond to its rating?" is its reaction section
        if x.sentence.chunk.theme in analysis.themes:
            if not x.beyond_theme:
                # "use data to improve governance": a governance section must speak of data,
                # in its words or close in meaning.
                return semantic >= s.on_theme_semantic or x.focus >= s.min_focus
            return x.focus_context >= s.min_focus / 2 or semantic >= s.on_theme_semantic
        if analysis.answer_type == WHICH_TRUST:
            return self._names_a_trust(x, analysis)
        return self._close_enough(x, analysis, semantic)

    def _names_a_trust(self, x: Scored, analysis: QuestionAnalysis) -> bool:
        """For "which trusts ...": the rating asked about, or the focus at the sentence's head."""
        sought, rating, domain_rating, _ = _ratings_asked(analysis)
        quote = x.sentence.quote
        if gives_rating(quote, sought):
            return True  # "Which trusts slipped back to requires improvement?"
        if domain_rating and (re.search(domain_rating, quote, re.I) or gives_rating(quote, rating)):
            return True  # "... rated outstanding, either overall or for well-led"
        least = self.scoring.min_focus
        return (x.head or x.focus >= least) and x.focus_context >= least

    def _close_enough(self, x: Scored, analysis: QuestionAnalysis, semantic: float) -> bool:
        """True when the sentence holds enough of the focus words or is close in meaning."""
        s = self.scoring
        wide = analysis.scope == ALL_TRUSTS
        if _holds_the_asked(x.sentence.tokens, analysis):
            return True  # "what went wrong that pulled it back": "Concerns included: ..."
        if semantic < (s.wide_semantic_floor if wide else s.semantic_floor):
            return False
        if wide and x.focus_context < s.min_focus / 2 and not _about_ratings(analysis):
            # "How did the trusts handle food?" is close to any line on how a trust did
            # something: with hardly a focus word about, the line must be close to the focus
            return self._closest_to_focus([x], analysis) >= s.rare_semantic
        return (
            x.focus_context >= s.min_focus
            or semantic >= s.min_semantic
            or (x.focus >= s.min_focus / 2 and semantic >= s.min_semantic - 0.12)
        )

    def _misses_distinctive(self, addressing: list[Scored], analysis: QuestionAnalysis) -> bool:
        """True when no sentence speaks of the focus's distinctive word, nor is close in meaning.

        "How did South West Yorkshire involve service users in recruitment?" is not answered by
        sentences about service users alone. A sentence from a section on the theme the
        question is (for one trust) answers it whatever its words.
        """
        if not _has_distinctive_check(analysis):
            return False
        if any(x.whole_theme for x in addressing):
            return False
        if any(x.rare_near for x in addressing):
            return False
        if analysis.scope == ALL_TRUSTS and any(x.on_theme for x in addressing):
            return False  # a trust's line on the theme asked about is its answer
        return self._closest_to_focus(addressing, analysis) < self.scoring.rare_semantic

    def _near_the_distinctive(
        self, addressing: list[Scored], analysis: QuestionAnalysis
    ) -> list[Scored]:
        """In an all-trust answer, the lines near the focus's distinctive word, when some are.

        Lines on the theme asked about and lines close to the focus stay too. "How did the
        trusts cut the use of restraint?": a line on cutting waiting times is close to the
        question but not about restraint, and must not stand for the trust when another line
        of its speaks of restraint.
        """
        if analysis.scope != ALL_TRUSTS or not _has_distinctive_check(analysis):
            return addressing
        if not any(x.rare_near for x in addressing):
            return addressing
        return [
            x
            for x in addressing
            if x.rare_near
            or x.on_theme
            or self._closest_to_focus([x], analysis) >= self.scoring.rare_semantic
        ]

    def _closest_to_focus(self, addressing: list[Scored], analysis: QuestionAnalysis) -> float:
        """The best similarity of the sentences to the focus words alone.

        The whole question ("What did the trust do to reduce restraint?") is close to any
        sentence about what a trust did; its focus ("reduce restraint") is not.
        """
        embedder: Embedder | None = self.index.embedder
        known = [self.embeddings.get(self._key(x)) for x in addressing]
        if embedder is None or not analysis.focus or any(v is None for v in known):
            return max((x.semantic or 0.0) for x in addressing)
        if analysis.focus not in self._focus_vectors:  # once per question, not per trust
            if len(self._focus_vectors) > 256:
                self._focus_vectors.clear()
            self._focus_vectors[analysis.focus] = np.asarray(embedder.embed([analysis.focus]))[0]
        focus = self._focus_vectors[analysis.focus]
        return max(float(v @ focus) for v in known)

    def _limit(self, analysis: QuestionAnalysis, trust: str) -> int:
        if analysis.scope == ALL_TRUSTS and trust:  # what each trust did: its examples
            what_was_done = analysis.answer_type in (HOW_WHAT, YES_NO, ORGANISATION)
            limit = self.scoring.lines_per_trust if what_was_done else 1
        elif analysis.scope == ALL_TRUSTS:
            limit = 2
        elif analysis.scope == NAMED_TRUSTS:
            limit = 3
        else:  # one fact: the sentence that holds it and one more (answer shape 1)
            limit = 2 if analysis.answer_type not in ("how_what", "yes_no") else 4
        return min(limit, self.max_sentences)

    def _diverse(
        self, ranked: list[Scored], limit: int, every: bool = False, strict: bool = False
    ) -> list[Scored]:
        """The best sentence, then others close to it in score and unlike those chosen.

        With `every`, each line is on point: for a question that asks only about a year
        ("What happened in 2016?") every sentence of that year, for one about ratings each
        rating in range. With `strict` (one trust's lines among all seven), a further line
        must itself hold much of the focus or be close in meaning.
        """
        chosen = [ranked[0]]
        floor = max(x.score for x in ranked) * self.scoring.keep_ratio
        for x in ranked[1:]:
            if x.score < floor:
                continue
            same = [i for i, c in enumerate(chosen) if _same_words(x.sentence, c.sentence)]
            if same and _continues(x.sentence, chosen[same[0]].sentence):
                chosen[same[0]] = x  # "... transformed by the staff. That service's rating rose"
            if same or len(chosen) >= limit:
                continue
            if strict and not self._strongly_on_point(x):
                continue
            on_point = (
                every
                or x.focus >= self.scoring.more_focus
                or (x.semantic or 0.0) >= self.scoring.min_semantic
                or (x.on_theme and x.focus_context >= self.scoring.min_focus)
            )
            if on_point:
                chosen.append(x)
        return chosen

    def _strongly_on_point(self, x: Scored) -> bool:
        """True when a line holds much of the focus itself or is close to it in meaning."""
        close = (x.semantic or 0.0) >= self.scoring.min_semantic
        return close or x.focus >= self.scoring.wide_more_focus


def _theme_words_said(analysis: QuestionAnalysis) -> frozenset[str]:
    """The stems naming the themes asked about, but not those naming whom they concern.

    "Staff" is in every line of a staff engagement section; "survey" and "listen" are not.
    """
    named = set().union(*(theme_words(key) for key in analysis.themes))
    return frozenset(named - _whom_of_themes())


@functools.cache
def _whom_of_themes() -> frozenset[str]:
    """Stems in the themes' words that tell no topic of them.

    Whom a theme concerns ("staff", "patients"), and the filler of its label ("people who
    use services", "what").
    """
    words = "staff patients users carers families people services public who what"
    return frozenset(tokenize([words])[0])


def _has_distinctive_check(analysis: QuestionAnalysis) -> bool:
    """Whether the focus's distinctive word decides what answers.

    Figures, people, years and ratings have checks of their own; questions about the report,
    and comparisons, frame it loosely.
    """
    if analysis.answer_type in (FIGURE, PERSON) or analysis.years:
        return False
    if _RATED.search(analysis.focus):
        return False
    return analysis.scope not in (REPORT, NAMED_TRUSTS)


def focus_weights(
    analysis: QuestionAnalysis,
    idf: dict[str, float],
    vocabulary: Sequence[str] = (),
    unknown: float | None = None,
) -> dict[frozenset[str], float]:
    """Each focus word's forms (itself and longer corpus words it starts) with its IDF weight.

    "react" also matches "reaction", "inspect" matches "inspector". A word the corpus never
    uses weighs as a middling word: no sentence holds it, so it dilutes every sentence's share
    ("electric vehicles" is not answered by a sentence about a triage vehicle). Words of the
    scene-setting clause ("after CQC rated it inadequate") weigh half, and so do the
    question's verbs when they are half its words ("values ... adopted ... arrived at"):
    its nouns say what it is about.
    """
    words = analysis.focus + " " + " ".join(analysis.outside)
    tokens = set(words_of([words])[0]) if words.strip() else set()
    if len(tokens - _time_words()) >= 2:  # "after its rating": the time is checked elsewhere
        tokens -= _time_words()
    scene = (
        set(words_of([analysis.condition])[0]) - _main_words(analysis)
        if analysis.condition
        else set()
    )
    verbs = set(words_of([" ".join(analysis.verbs)])[0]) if analysis.verbs else set()
    parts, unwritten = _compound_parts(words, idf)
    tokens -= unwritten
    topical_reply = responds_to_topic(analysis.question)  # "respond to concerns about X": X
    if 2 * len(verbs & tokens) < len(tokens):
        verbs = set()  # a few verbs among the nouns: every word counts
    weights: dict[frozenset[str], float] = {}
    own: dict[str, frozenset[str]] = {}  # each word's own group
    for token in sorted(tokens):  # in one order: groups that share a form do not vary by run
        forms, weight = _weighed_forms(token, analysis, idf, vocabulary, unknown)
        damp = (0.5 if token in scene else 1.0) * (0.3 if token in parts else 1.0)
        if token in _framing() and (not forms & set(idf) or len(tokens - _framing()) >= 2):
            # "turnaround", never in the documents, only frames the question; and "what role
            # did staff engagement play": the staff engagement is what is asked about
            damp *= 0.3
        light = token in _light_verbs() or (token in _reply_verbs() and topical_reply)
        if light and len(tokens) > 2:
            damp *= 0.3  # "how did they handle complaints": the complaints are the topic
        own[token] = frozenset(forms)
        weights[own[token]] = weight * damp * (0.5 if token in verbs else 1.0)
    return _with_alternatives(weights, own, analysis.question)


def _weighed_forms(token, analysis, idf, vocabulary, unknown) -> tuple[set[str], float]:
    """A focus word's forms in the corpus and its IDF weight (middling for an unknown word)."""
    forms = _forms(token, idf, vocabulary)
    forms |= {w for w in PLACES_OF_PEOPLES.get(token, ()) if w in idf}  # "American": USA
    if analysis.answer_type == FIGURE:  # "how many responded": a response rate counts them
        forms |= {n for n in _COUNTED_AS.get(token, ()) if n in idf}
    if forms:
        return forms, idf.get(token) or max(idf.get(f, 0.0) for f in forms)
    return {token}, unknown if unknown is not None else _middling(idf)


@functools.cache
def _time_words() -> frozenset[str]:
    """Stems of the words that place a question in time ("after", "since")."""
    return frozenset(words_of(["after before following since until during"])[0])


def _forms(token: str, idf: dict[str, float], vocabulary: Sequence[str]) -> set[str]:
    """A focus word's forms in the corpus: itself, longer inflections, past tenses, synonyms."""
    forms = {token} if token in idf else set()
    if len(token) >= 4 and vocabulary:
        first = bisect.bisect_left(vocabulary, token)
        for word in vocabulary[first : first + 50]:
            if not word.startswith(token):
                break
            ending = word[len(token) :]
            short_ok = len(token) >= 5 or ending in _SHORT_WORD_ENDINGS
            if ending in ("ist", "ists") and token.endswith("al"):
                continue  # "specialist" is no form of "special", as in "special measures"
            if word not in trust_name_words() and ending in _INFLECTIONS and short_ok:
                forms.add(word)
    forms |= {past for past in _irregular_forms().get(token, ()) if past in idf}
    forms |= {same for same in same_meaning().get(token, ()) if same in idf}
    if len(token) >= 6 and token.endswith("s") and token[:-1] in idf:
        forms.add(token[:-1])  # "emphasise" stems to "emphasis", "emphasis" to "emphasi"
    return forms


def _with_alternatives(
    weights: dict[frozenset[str], float], own: dict[str, frozenset[str]], question: str
) -> dict[frozenset[str], float]:
    """Words joined by "or" ("takeover or merger") as one group: a sentence needs either.

    The group weighs as its heavier word. Each word's own group is joined, not another
    word's that holds it as a meaning ("separate" is read as "merger" too).
    """
    for first, second in _EITHER_OR.findall(question):
        stems = [words_of([first])[0], words_of([second])[0]]
        groups = [own.get(s[0]) if s else None for s in stems]
        if None in groups or groups[0] == groups[1] or not all(g in weights for g in groups):
            continue
        weight = max(weights.pop(groups[0]), weights.pop(groups[1]))
        weights[groups[0] | groups[1]] = weight
    return weights


# Examples listed after a dash, a colon, "such as" or "like": "- police, other trusts, the
# wider system", "like STPs or integrated care systems".
_LISTED = re.compile(
    r"(?:\s[-–—:]|\bsuch as|\blike|\be\.?g\.?)\s+[^?.;,]+?(?:,\s*[^?.;,]+?)*"
    r"(?:,|\s(?:or|and))\s+[^?.;,]+",
    re.I,
)


def _lists_examples(question: str) -> bool:
    """True when the question lists examples of what it asks about (not a clause of its own).

    "... - police, other trusts, the wider system?" does; "What did staff like about working
    there, and what did they dislike?" does not.
    """
    listed = _LISTED.search(question)
    return bool(listed) and not _ASKING_WORD.search(listed.group())


_ASKING_WORD = re.compile(r"\b(?:what|how|why|who|when|which|did|does|do|was|were)\b", re.I)
# "takeover or merger", and "merging with or being absorbed into"
_EITHER_OR = re.compile(
    r"\b([A-Za-z][\w-]{2,})(?:\s+(?:with|into|to|by|from|in|on))? or "
    r"(?:(?:being|been|getting|be)\s+)?([A-Za-z][\w-]{2,})\b"
)


_RATED = re.compile(rf"\brat(?:ed|ing|ings)\b|{RATING_PATTERN}", re.I)
# The noun a figure gives for what a figure question asks with a verb.
_COUNTED_AS = {"respond": ("respons", "part"), "particip": ("respond", "respons", "part")}


# Words a question frames its topic with ("the short vision *statement*", "what new *emphasis*
# appeared", "how did they lead the *turnaround*"): however rare in the corpus, a sentence need
# not hold them to answer. The second line is the vocabulary of improvement stories themselves.
_FRAMING = (
    "statement statements example examples kind kinds type types sort role roles approach style "
    "approaches thing things aspect aspects area areas detail details information evidence "
    "story stories lesson lessons step steps part parts form new main key emphasis appear "
    "appeared appears specific particular exactly mention mentioned mentions feature features "
    "turnaround turn journey transformation transform progress success successful change "
    "changes improve improved improvement improvements achieve achieved achievement "
    "play plays played start started starting position positions point situation state "
    "struggle struggled struggling better get gets getting got mean means meant meaning "
    "define defined definition final concrete tangible "
    "conclude concluded concludes conclusion conclusions"
)


# Verbs that ask how something was dealt with, whatever it was: "How did the trusts handle
# complaints?", "How did Sheffield cope with staff shortages?".
_LIGHT_VERBS = (
    "handle handled handling cope coped deal dealt tackle tackled address addressed "
    "build built building develop developed developing use used using "
    "cut cutting cuts reduce reduced reducing lower lowered lowering curb curbed curbing"
)


@functools.cache
def _reply_verbs() -> frozenset[str]:
    """Stems of the verbs for responding ("respond", "react")."""
    return frozenset(words_of(["respond responded responding react reacted reacting reply"])[0])


@functools.cache
def _light_verbs() -> frozenset[str]:
    """Stems of the verbs that only ask how something was dealt with."""
    return frozenset(words_of([_LIGHT_VERBS])[0])


@functools.cache
def _framing() -> frozenset[str]:
    """Stems of the framing words."""
    return frozenset(words_of([_FRAMING])[0])


def framing_words() -> frozenset[str]:
    """Stems of the words that frame a question ("role", "play", "example") and light verbs."""
    return _framing() | _light_verbs()


def _lowercase_words(text: str) -> frozenset[str]:
    """Stems of the words written in lower case ("car park", not "Musgrove Park")."""
    lower = " ".join(w for w in text.split() if w[:1].islower())
    return frozenset(words_of([lower])[0]) if lower else frozenset()


# Two or more capitalised words in a row: "Musgrove Park Hospital", "Green Parks House".
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")


def _only_in_names(sentence: Sentence, lowercase: frozenset[str]) -> frozenset[str]:
    """Question words the sentence holds only inside a name the question has no other word of.

    "car park" is not about "Musgrove Park Hospital". A name's last word says what it is
    ("police" finds "Metropolitan Police"), "creative minds" still finds "Creative Minds",
    and a name the question capitalises is a name asked about.
    """
    if lowercase.isdisjoint(sentence.tokens):
        return frozenset()
    names = _NAME_RUN.findall(sentence.text)
    if not names:
        return frozenset()
    outside = set(words_of([_NAME_RUN.sub(" ", sentence.text)])[0])
    hidden: set[str] = set()
    for name in names:
        modifiers = " ".join(name.split()[:-1])  # "Metropolitan Police" is police: its last
        parts = set(words_of([name])[0])  # word counts
        if len(parts & lowercase) == 1 and len(parts) > 1:
            hidden |= (set(words_of([modifiers])[0]) & lowercase) - outside
    return frozenset(hidden)


def _compound_parts(text: str, idf: dict[str, float]) -> tuple[set[str], set[str]]:
    """Stemmed parts of the text's hyphenated compounds ("out", "area" of "out-of-area").

    The compound says what is asked; a sentence with only "area" in it is not about it. A
    compound the documents never write joined ("places-of-safety" where they say "places of
    safety") is asked by its parts.

    Returns:
        The parts of compounds the documents write, and the joined forms they never do.

    """
    compounds = [term for term in compound_terms(text) if "-" in term]
    parts: set[str] = set()
    unwritten: set[str] = set()
    for compound in compounds:
        joined = set(words_of([compound.replace("-", "")])[0])
        pieces = set(words_of([compound.replace("-", " ")])[0]) - joined
        if joined & set(idf) or not pieces:
            parts |= pieces
        else:
            unwritten |= joined
    return parts, unwritten


def _only_the_scene(tokens: frozenset[str], analysis: QuestionAnalysis) -> bool:
    """True when a sentence speaks only of the scene the question sets, none of what it asks.

    "Once it was rated outstanding, what did it put in place to check quality?": "CQC rated
    the trust Outstanding" restates the scene.
    """
    scene, main = _scene_and_asked(analysis)
    return bool(scene and main) and _holds_any(tokens, scene) and not _holds_any(tokens, main)


def _holds_the_asked(tokens: frozenset[str], analysis: QuestionAnalysis) -> bool:
    """True when a sentence holds every word of what a question with a scene asks.

    "What went wrong ... that pulled both back to requires improvement?": "Concerns included:
    ..." says what went wrong ("wrong" is said as concerns, problems, failings).
    """
    if not analysis.condition or _reacts(analysis):
        return False
    main = _main_words(analysis)
    if not main or len(main) > 2:
        return False
    meanings = same_meaning()
    return all(_holds_any(tokens, {stem, *meanings.get(stem, ())}) for stem in main)


def _holds_any(tokens: frozenset[str], stems: Iterable[str]) -> bool:
    """True when a token starts as one of the stems do ("respond" and "response": "respon")."""
    return any(token.startswith(stem[:6]) for token in tokens for stem in stems)


@functools.lru_cache(maxsize=64)
def _scene_and_asked(analysis: QuestionAnalysis) -> tuple[frozenset[str], frozenset[str]]:
    """The scene's own words and the asked words (not doing or framing ones), once a question."""
    if not analysis.condition:
        return frozenset(), frozenset()
    main = _main_words(analysis)
    scene = frozenset(words_of([analysis.condition])[0]) - main
    # "what did they do to bring them down": only the scene is asked about
    return scene, frozenset(main - _doing_words() - framing_words())


@functools.cache
def _doing_words() -> frozenset[str]:
    """Stems of the verbs that only ask what was done about something."""
    return frozenset(words_of([_DOING])[0])


_DOING = "do did done doing bring down cut reduce tackle fix address deal handle stop sort"


@functools.lru_cache(maxsize=64)
def _main_words(analysis: QuestionAnalysis) -> frozenset[str]:
    """Focus words outside the scene-setting clause (they keep their full weight)."""
    main = analysis.focus
    for word in analysis.condition.split():
        main = main.replace(word, " ", 1)
    return frozenset(words_of([main])[0]) if main.strip() else frozenset()


def _middling(idf: dict[str, float]) -> float:
    """The median IDF of the corpus's words."""
    values = sorted(idf.values())
    return values[len(values) // 2] if values else 1.0


_IRREGULAR = (
    "become became|begin began begun|bring brought|build built|buy bought|choose chose chosen|"
    "come came|draw drew drawn|fall fell fallen|feel felt|find found|get got|give gave given|"
    "go went gone|grow grew grown|hold held|keep kept|know knew known|lead led|leave left|"
    "lose lost|make made|meet met|pay paid|rise rose risen|run ran|say said|see saw seen|"
    "seek sought|sell sold|send sent|set set|sit sat|speak spoke spoken|spend spent|stand stood|"
    "take took taken|teach taught|tell told|think thought|win won|write wrote written|"
    "rewrite rewrote rewritten"
)


@functools.cache
def _irregular_forms() -> dict[str, tuple[str, ...]]:
    """Stem of each form of an irregular verb -> stems of its other forms ("becom" -> "becam")."""
    table: dict[str, tuple[str, ...]] = {}
    for group in _IRREGULAR.split("|"):
        stems = tokenize([group])[0]
        for stem in stems:  # any form finds the others: "taken" also matches "took"
            table[stem] = tuple(dict.fromkeys(other for other in stems if other != stem))
    return table


# A four-letter word takes only these ("over" is not "overall").
_SHORT_WORD_ENDINGS = frozenset(["s", "e", "es", "ed", "ing", "er", "ers", "or", "ors"])
# Endings that make a longer word a form of a focus word ("react" -> "reaction").
_INFLECTIONS = frozenset(
    [
        "ion",
        "ions",
        "or",
        "ors",
        "er",
        "ers",
        "ment",
        "ments",
        "ive",
        "al",
        "ing",
        "ed",
        "s",
        "e",
        "es",
        "ship",
        "ly",
        "ist",
        "ists",
    ]
)


def _ordered_focus(analysis: QuestionAnalysis) -> list[str]:
    return words_of([analysis.focus])[0] if analysis.focus.strip() else []


def _names(sentence: Sentence, phrases: Sequence[tuple[str, ...]]) -> bool:
    """True when the sentence holds one of the phrases (stemmed words, at most one between)."""
    return any(
        _has_phrase(sentence.ordered, [frozenset([word]) for word in phrase], slack=1)
        for phrase in phrases
    )


def _has_phrase(ordered: Sequence[str], phrase: list[frozenset[str]], slack: int = 2) -> bool:
    """True when the phrase's words occur in order with at most ``slack`` words between."""
    if len(phrase) < 2:
        return False
    for start, token in enumerate(ordered):
        if token not in phrase[0]:
            continue
        position, matched = start, 1
        for forms in phrase[1:]:
            window = ordered[position + 1 : position + 2 + slack]
            hit = next((i for i, t in enumerate(window) if t in forms), None)
            if hit is None:
                break
            position, matched = position + 1 + hit, matched + 1
        if matched == len(phrase):
            return True
    return False


def _beyond_theme(
    weights: dict[frozenset[str], float], themes: Sequence[str]
) -> tuple[frozenset[str], ...]:
    """The telling focus words that are not the named themes' own.

    "data" in "use data to improve governance": a sentence on the theme must hold one of them.
    """
    if not themes:
        return ()
    own = set().union(*(theme_words(key) for key in themes))
    rest = {forms: w for forms, w in weights.items() if forms.isdisjoint(own | _framing())}
    if not rest:
        return ()
    top = max(rest.values())
    return tuple(forms for forms, w in rest.items() if w >= 0.6 * top and w >= 1.0)


def _share(weights: dict[frozenset[str], float], tokens: frozenset[str], total: float) -> float:
    return sum(w for forms, w in weights.items() if not forms.isdisjoint(tokens)) / total


def _continues(longer: Sentence, shorter: Sentence) -> bool:
    """True when a quote is another one with the sentence after it that leans on it."""
    first, second = " ".join(longer.quote.split()), " ".join(shorter.quote.split())
    return len(first) > len(second) and first.startswith(second)


def _same_words(a: Sentence, b: Sentence) -> bool:
    """True when two quotes largely repeat each other (overlapping passages, joined quotes).

    Two rows of one table share their column headers, not their words: "Vision and values
    [— Acute report (2017):] ..." is no repeat of "Improving safety [— Acute report ...".
    """
    rows = [_ROW_KEY.match(x.quote) for x in (a, b)]
    if all(rows) and a.chunk is b.chunk and rows[0][1] != rows[1][1]:
        return False
    union = a.tokens | b.tokens
    if union and len(a.tokens & b.tokens) / len(union) >= 0.5:
        return True
    first, second = " ".join(a.quote.split()), " ".join(b.quote.split())
    if first[:60] == second[:60] or first in second or second in first:
        return True
    plain_a, plain_b = " ".join(a.text.split()), " ".join(b.text.split())  # before brackets
    # "It is the main provider ..." is quoted inside "LPFT became ... It is the main provider"
    return plain_a in plain_b or plain_b in plain_a or plain_a in second or plain_b in first


# "The report" (the 2018 one) without another publication's name.
_THIS_REPORT = re.compile(r"\b(?:the|this|cqc's) report\b", re.I)
# A table row's quote: its key cell, then the next header in brackets.
_ROW_KEY = re.compile(r"^(.+?) \[— [^\]]+:\] ")


def _why_missing(scored: list[Scored], analysis: QuestionAnalysis) -> str:
    if analysis.answer_type == FIGURE:
        return "figure"
    if analysis.years and not any(_in_years(x, analysis.years) for x in scored):
        return "year"
    return "person" if analysis.answer_type == PERSON else "focus"


# Scopes whose trusts are read only in the sections on the theme the question names (when a
# trust has any): for one trust the nearest sentences elsewhere often answer better.
_THEME_ONLY_SCOPES = (ALL_TRUSTS, NAMED_TRUSTS)
_ANY_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A time set by a rating reached: "when it was rated good", "when it got its outstanding rating".
_WHEN_RATED = re.compile(
    r"\b(?:when|once)\b[^?.;]{0,40}?\b(?:rated|rating|got|became|become|received|achieved|"
    r"gained|earned|reached|went|moved|rose|turned)\b[^?.;]{0,20}?\b(good|outstanding)\b"
    r"(?!\s+for\b)",
    re.I,
)
_RECENT = re.compile(
    r"\b(?:now|currently|current|latest|today|these days|recent|recently|since then|"
    r"(?:after|since) (?:the|its|their) (?:report|publication|case stud(?:y|ies)))\b",
    re.I,
)


_EARLY = re.compile(
    r"\b(?:initial(?:ly)?|original(?:ly)?|at first|at the start|to begin with|"
    r"first (?:(?:CQC|comprehensive) )?(?:inspection|inspected|visit|rat(?:ing|ed)|report|found)"
    r"|first (?:went|came|looked|go|come) in"
    # "when it first got requires improvement", "when it was first handed a poor rating"
    r"|first (?:got|get|gets|received|was given|was handed|earned|had)\b)",
    re.I,
)


_IN_THE_REPORT = re.compile(
    r"\bDriving improvement\b|\bcase stud(?:y|ies)\b|\bone of (?:the )?seven\b|\bprofiled\b", re.I
)
# "How did its ratings change over time?", "its rating journey": told in time order.
_IN_TIME_ORDER = re.compile(r"\bover time\b|\bjourney\b|\btimeline\b|\bover the years\b", re.I)


def _year_of_rating(quote: str, rating: str) -> str:
    """The year of the part of a sentence that gives the rating, or ''.

    The year named last before the rating in that part (or first after it), else the last
    year of the parts before: "Rating journey: [...] 2015 inspection: requires improvement
    [...] April 2017 ...: good overall" gives good in 2017.
    """
    year = ""
    for piece in re.split(r"\s*\[…\]\s*|(?<=[.;])\s+", quote):
        named = _ANY_YEAR.findall(piece)
        if gives_rating(piece, rating):
            at = re.search(rf"\b{rating}\b", piece, re.I)
            right_after = _ANY_YEAR.findall(piece[at.end() : at.end() + 20]) if at else []
            before = _ANY_YEAR.findall(piece[: at.start()]) if at else []
            return (right_after[:1] or before[-1:] or named[:1] or [year])[0]
        year = named[-1] if named else year
    return ""


def _without_the_rating_event(analysis: QuestionAnalysis) -> QuestionAnalysis:
    """A person asked for at a rating's coming ("when it was rated good") is asked for by year."""
    event = _WHEN_RATED.search(analysis.question)
    if event is None or analysis.years or analysis.answer_type != PERSON:
        return analysis
    said = set(tokenize([event.group()])[0])
    kept = [word for word in analysis.focus.split() if not set(tokenize([word])[0]) & said]
    return dataclasses.replace(analysis, focus=" ".join(kept))


def _rating_to_date(analysis: QuestionAnalysis) -> str:
    """The overall rating whose year the question is set in, or ''.

    A person "when it was rated good" (posts are dated), and the findings behind a rating
    ("Why was Lincolnshire rated requires improvement?": its first such rating).
    """
    event = _WHEN_RATED.search(analysis.question)
    if event and analysis.answer_type == PERSON:  # "went from good to outstanding": outstanding
        reached = analysis.question[event.start() : event.end() + 30]
        return re.findall(r"\b(good|outstanding)\b", reached, re.I)[-1].lower()
    named = re.search(RATING_PATTERN, analysis.question, re.I)
    if named and analysis.focus == _FINDINGS and not _problems_at_first(analysis):
        return named.group(1).lower()  # set by _reasons_for_a_rating (the first is by years)
    return ""


def _ruled_out(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True for a line of the wrong kind for the question, whatever words it shares."""
    quote = x.sentence.quote
    if analysis.answer_type == DATE and not x.focus and analysis.focus:
        return True  # "When was it next inspected?": a dated line that names no inspection
    asks_problems = analysis.focus == _FINDINGS or (
        _problems_at_first(analysis) and not _asks_what_was_solved(analysis.question)
    )
    if asks_problems and _PUT_RIGHT.search(quote):
        return True  # "Why was it rated requires improvement?": not what was put right
    if asks_problems and _problems_at_first(analysis) and not analysis.years:
        named = years_in(quote)  # "concerns raised in January 2022" came long after the first
        if named and min(named) > _FIRST_RATINGS_BY + 1:
            return True
    # "Rob Webster took over in 2016" is no takeover of the trust
    return _asks_about_takeovers(analysis) and _took_up_a_post(quote)


def _asks_what_was_solved(question: str) -> bool:
    """True for "What problems did it fix?", not for "... when it got requires improvement?"."""
    return bool(_SOLVED.search(re.sub(RATING_PATTERN, " ", question, flags=re.I)))


def _asks_why_rated(question: str) -> bool:
    """True for "Why was it rated ...?" or "What did CQC find that caused it?"."""
    return bool(_WHY_RATED.search(question) or _CAUSED_IT.search(question))


def _reasons_for_a_rating(analysis: QuestionAnalysis) -> QuestionAnalysis:
    """For "Why was Oxleas rated requires improvement in 2016?": what inspectors found.

    A why-question whose topic is only a rating (or its fall) is answered by the findings
    behind it, not by lines that give the rating again.
    """
    if _problems_at_first(analysis):  # "What problems did CQC find at Sheffield in 2014?"
        # "when it first got requires improvement" says when and "what was wrong" asks for
        # findings: the wards, if named, and what inspectors found are the topic
        said = _ASKS_PROBLEMS.findall(analysis.question) + _EARLY.findall(analysis.question)
        framing = _RATING_WORDS | set(" ".join(said).lower().split())
        rest = [word for word in analysis.focus.split() if word.lower() not in framing]
        return dataclasses.replace(
            analysis,
            focus=" ".join([*rest, _FINDINGS]),
            themes=tuple(dict.fromkeys(("reaction", *analysis.themes))),
        )
    low = re.search(r"\b(?:requires improvement|inadequate)\b", analysis.question, re.I)
    if not (_asks_why_rated(analysis.question) and low) or analysis.focus == RATINGS_FOCUS:
        # "Why did its rating fall in 2019?" may rest on a false premise, and why a trust was
        # rated good is told by what improved
        return analysis
    rest = [
        word
        for word in analysis.focus.split()
        if word.lower() not in _RATING_WORDS | _RATING_TIME_WORDS  # "after its 2016 inspection"
    ]
    if rest:
        return analysis  # "Why was Oxleas rated well on caring?": the caring
    first = all(int(year) <= _FIRST_RATINGS_BY for year in analysis.years)
    themes = ("reaction",) if first else analysis.themes  # where the first rating is told
    return dataclasses.replace(analysis, focus=_FINDINGS, themes=themes)


_FIRST_RATINGS_BY = 2016  # the seven trusts' first ratings came in 2014 to 2016


def _problems_at_first(analysis: QuestionAnalysis) -> bool:
    """True for the problems found at a trust's first inspection, told with its reaction.

    "What was wrong on its wards when CQC first went in?", "What problems did CQC find at
    Sheffield in 2014?"
    """
    if not (analysis.trusts and _ASKS_PROBLEMS.search(analysis.question)):
        return False
    if analysis.years:
        return all(int(year) <= _FIRST_RATINGS_BY for year in analysis.years)
    return bool(_EARLY.search(analysis.question))


# What a trust's ratings are told in, asked when a question's premise about them fails.
RATINGS_FOCUS = "rated rating overall"
_FINDINGS = "inspection found problems concerns"  # what a rating's reasons are said in
# A finding that problems were put right: no reason for the rating that named them.
_PUT_RIGHT = re.compile(
    r"\b(?:addressed|dealt with|resolved|improved|improvements?|better|responded|lifted|fixed|"
    r"complied|put right|had been met)\b",
    re.I,
)


# What was done about problems, which their putting right answers: "what problems did it solve?"
_SOLVED = re.compile(r"\b(?:solv|fix|address|improv|tackl|resolv|put right|deal)\w*", re.I)
# What was wrong, or the problems found: "what was actually wrong on its wards?"
_ASKS_PROBLEMS = re.compile(
    r"\bwhat\s+(?:was|were|went|had gone)\s+(?:\w+\s+)?wrong\b"
    r"|\bwhat\s+(?:were\s+)?(?:the\s+)?(?:main\s+|biggest\s+|key\s+)?"
    r"(?:problems|failings|shortcomings|weaknesses|concerns)\b"
    r"|\b(?:problems|failings|shortcomings|weaknesses|concerns)\s+did\s+(?:cqc|inspectors)\b",
    re.I,
)
_WHY_RATED = re.compile(
    r"(?:^|[.!?:]\s)\W*why\b[^?]*\b(?:rated|rating|ratings|downgraded|marked down)\b", re.I
)
# "Both dropped back to requires improvement in 2018. What did CQC find that caused it?"
_CAUSED_IT = re.compile(
    r"\b(?:what|which)\b[^?]*\b(?:caused|led to|was behind)\b"
    # "... dropped back to requires improvement in 2018. What did CQC find at each?"
    r"|\bwhat did (?:cqc|the inspectors|inspectors|the inspection) (?:find|found|pick up|see)\b",
    re.I,
)
# Words that only place a rating in time: "rated inadequate after its 2016 inspection".
_RATING_TIME_WORDS = frozenset(
    re.findall(r"\S+", "after following inspection inspected visit report")
)
_RATING_WORDS = frozenset(
    re.findall(
        r"\S+",
        "rated rating ratings requires improvement inadequate good outstanding overall fall fell "
        "drop dropped slip slipped downgraded marked down cqc first initial poor low find found "
        "caused cause",
    )
)


def visit_asked(question: str) -> re.Match | None:
    """A trust's inspection or rating named by its year ("its 2024 inspection"), or None."""
    return _VISIT_OF_A_YEAR.search(question)


_VISIT_OF_A_YEAR = re.compile(
    r"\b((?:19|20)\d{2})\s+(inspection|re-inspection|visit|rating)s?\b", re.I
)


def _first_year(text: str) -> int:
    """The first year a sentence names (9999 when it names none, so it comes last)."""
    years = _ANY_YEAR.findall(text)
    return min(int(year) for year in years) if years else 9999


# A trust's ratings over time: "what ratings has it had", "its rating history", "how have
# its ratings changed".
_RATING_HISTORY = re.compile(
    r"\bratings?\s+(?:history|journey|record|track record|over (?:time|the years))\b"
    r"|\bwhat (?:cqc )?ratings\b|\bratings? (?:has|have|did) [\w' ]{2,40}?"
    r"(?:had|got|received|been given)\b"
    r"|\bhow (?:has|have|did) [\w' ]{0,40}?ratings? (?:changed|moved|gone|developed)\b"
    r"|\b(?:rated|ratings?) over the years\b",
    re.I,
)
# Ratings given by others than CQC: "what ratings did it get from its staff survey?"
_NOT_CQCS = re.compile(r"\b(?:surveys?|friends and family|patients|staff|users|carers)\b", re.I)
# Ratings of a trust's parts, not the trust: "for each key question", "its services' ratings".
_OF_PARTS = re.compile(
    r"\b(?:key questions?|domains?|services?|wards?|teams?|core services|safe|effective|caring|"
    r"responsive|well-led)\b",
    re.I,
)
# "Their next inspection after the report": the first one in the range, not the latest.
_NEXT = re.compile(r"\bnext (?:CQC )?(?:inspection|visit|rating|report|re-?inspection)\b", re.I)


# Words that place a finding after the first inspection ("when inspectors came back").
_LATER_VISIT = re.compile(
    r"\b(?:after the first|since the first|came back|returned|re-?inspect\w*|follow-up|"
    r"revisit\w*|further inspection|next inspection|later inspection|upgraded|"
    r"earlier (?:concerns?|problems?|findings?)|lessons of the first)\b",
    re.I,
)


_DONE = re.compile(
    r"\b(?:introduced|set up|launched|appointed|created|brought in|put in place|programme|"
    r"taskforce|action plans?|trained|recruited|ended|stopped|replaced|closed|opened|invested|"
    r"redesigned|started|developed|established|adopted|transformed|restructured|reorganised|"
    r"turned around|rose from|went from)\b",
    re.I,
)
_FOUND = re.compile(
    r"^(?:[^.;:]{0,30}\b)?(?:CQC|inspectors?|the inspection|coverage|press|papers?|the report)"
    r"\b[^.;:]{0,20}\b(?:found|reported|noted|raised|saw|said)\b",
    re.I,
)


# "How did X respond to its rating?": what the trust and its people said and did, not what
# inspectors found.
_REACT = re.compile(r"\b(?:respon\w*|react\w*)\b", re.I)
_RESPONDED = re.compile(
    r"\b(?:accepted|welcomed|acknowledged|committed|agreed|apologi[sz]ed|responded|response|"
    r"action plan|launched|set up|introduced|put in place|taskforce|programme)\b",
    re.I,
)


@functools.lru_cache(maxsize=256)
def _counted(question: str) -> frozenset[str]:
    """The stem of what "how many" counts ("beds", "core services"), or nothing.

    Words people paraphrase ("people", "times") are not held to.
    """
    match = _HOW_MANY.search(question)
    if match is not None and match.group(1).lower() in {"people", "persons"}:
        return _people()  # counted as staff, patients, members ...: not partners or projects
    if match is None or match.group(1).lower() in _LOOSE_COUNTS:
        return frozenset()
    stems = frozenset(tokenize([f"{match.group(1)} {_head_noun(question[match.end() :])}"])[0])
    if not stems or any(_COUNTED_AS.get(stem) for stem in stems):
        return frozenset()  # "how many did", "how many responded": no noun to hold to
    return stems


def _head_noun(after: str) -> str:
    """The plural noun right after a counted word ("improvement *coaches*"), or ''."""
    following = re.match(r"\s+([a-z]{2,}s)\b", after)
    if following is None or following.group(1) in _NOT_COUNTED:
        return ""
    return following.group(1)


_NOT_COUNTED = frozenset({"has", "was", "does", "is", "this", "its", "as", "us", "thus", "across"})


_PEOPLE = (
    "people person staff patient member volunteer participant user carer employee coach "
    "resident child children kid kids adult nurse doctor worker colleague attendee learner trainee "
    "student recruit inpatient individual famili"
)


@functools.cache
def _people() -> frozenset[str]:
    """Stems of the nouns that count people."""
    return frozenset(tokenize([_PEOPLE])[0])


_HOW_MANY = re.compile(
    r"\b(?i:how many) (?:[A-Z][\w'’]* )*"
    r"(?:(?:new|more|extra|core|inpatient|of the|consecutive|separate|different|whole|full) )?"
    r"([a-z]+)"
)
_LOOSE_COUNTS = frozenset(
    {"people", "persons", "ones", "times", "of", "years", "months", "weeks", "days", "hours"}
    | {"did", "do", "does", "were", "was", "are", "is", "have", "has", "had", "more", "will"}
)


def _responded(quote: str) -> bool:
    """True for a sentence saying how the trust responded rather than what CQC found."""
    return bool(_RESPONDED.search(quote)) and not _FOUND.search(quote)


_FROM_TO_RATING = re.compile(rf"\bfrom {RATING_PATTERN} to {RATING_PATTERN}", re.I)


def _from_one_rating_to_another(
    picks: list[Scored], addressing: list[Scored], analysis: QuestionAnalysis
) -> list[Scored]:
    """The dated sentences giving each rating of "from requires improvement to outstanding".

    "How long did it take to go from ... to ...?" is answered by the two dates: the first
    line giving the one rating, then the first giving the other after it (a sentence dated
    by its line's opening counts). Without a dated sentence for each, the picks stay.
    """
    ratings = _ratings_from_to(analysis)
    if not ratings:
        return picks
    ends: list[Scored] = []
    since = 0
    for rating in ratings:
        dated = [x for x in _dated_with(addressing, (rating,)) if _year_said(x) >= since]
        if not dated:
            return picks
        end = min(dated, key=_year_said)
        since = _year_said(end)
        ends.append(end)
    return ends if ends[0] is not ends[1] else picks


def _ratings_from_to(analysis: QuestionAnalysis) -> tuple[str, ...]:
    """("requires improvement", "good") for "from requires improvement to good", else ()."""
    asked = _FROM_TO_RATING.search(analysis.question)
    return tuple(rating.lower() for rating in asked.groups()) if asked else ()


def _dated_with(lines: list[Scored], ratings: tuple[str, ...]) -> list[Scored]:
    """The lines giving one of the ratings with a year said (undated lines are no end)."""
    return [
        x
        for x in lines
        if any(gives_rating(x.sentence.quote, r) for r in ratings) and _year_said(x) < 9999
    ]


def _year_said(x: Scored) -> int:
    """The first year of the sentence, or of its line's opening ("2015 ...: It was rated")."""
    return _year_of(x.sentence)


def _year_of(sentence: Sentence) -> int:
    """The first year of a sentence, or of its line's opening; 9999 when neither says one."""
    year = _first_year(sentence.quote)
    return year if year != 9999 else _first_year(_line_before(sentence) or "")


def _ordered(
    picks: list[Scored], addressing: list[Scored], analysis: QuestionAnalysis
) -> list[Scored]:
    """The picks as the kind of question wants them: what was done, dates, time order."""
    if asks_rating_history(analysis):
        return _rating_history(picks, addressing)
    if analysis.action:
        picks = _with_an_action(picks, addressing, lead=not _reacts(analysis))
    if analysis.answer_type == DATE:  # "When did ...": the sentence with the date first
        picks.sort(key=lambda x: not x.typed)
        picks = _from_one_rating_to_another(picks, addressing, analysis)
        return _first_time_rated(picks, addressing, analysis)
    if _NEXT.search(analysis.question) or _IN_TIME_ORDER.search(analysis.question):
        picks.sort(key=lambda x: _first_year(x.sentence.quote))  # earliest first
    return picks


def _first_time_rated(
    picks: list[Scored], addressing: list[Scored], analysis: QuestionAnalysis
) -> list[Scored]:
    """For "When did Oxleas get rated good?": the earliest dated sentence giving that rating.

    A question asking for the latest ("most recently", "now") is left as it is.
    """
    rating = asked_rating(analysis)
    if not rating or _FROM_TO_RATING.search(analysis.question) or _RECENT.search(analysis.question):
        return picks
    rated = [x for x in addressing if x.typed and gives_rating(x.sentence.quote, rating)]
    if not rated:
        return picks
    first = min(rated, key=lambda x: _first_year(x.sentence.quote))
    return [first, *(p for p in picks if p is not first)][: max(len(picks), 1)]


_TAKEOVER = re.compile(r"\b(?:tak(?:en|e|ing)|took) over\b|\btakeover\b|\bmerg", re.I)
_PERSON_TOOK_OVER = re.compile(r"((?:[A-Z][a-z'’-]+ ){1,3})took over\b")


def _asks_about_takeovers(analysis: QuestionAnalysis) -> bool:
    """True for "which trusts were taken over or merged", not "who took over as chair"."""
    return (
        bool(_TAKEOVER.search(analysis.question))
        and analysis.answer_type != PERSON
        and not re.search(r"\b(?:chief|chair|director|executive|ceo|lead)", analysis.question, re.I)
    )


def _took_up_a_post(quote: str) -> bool:
    """True when the sentence's "took over" is a person taking a post, with no merger in it."""
    person = _PERSON_TOOK_OVER.search(quote)
    if person is None or re.search(r"\bmerg|\bacqui|\btakeover\b", quote, re.I):
        return False
    return bool(person_names(person.group(1).strip()))


def _gives_the_figure(x: Scored, analysis: QuestionAnalysis, figure_focus: float) -> bool:
    """True when the sentence gives the figure asked for, of the thing and place asked about."""
    counted = _counted(analysis.question)
    # kids are children; but inspectors counted are not CQC ("how many inspectors visited")
    counted |= {o for stem in counted for o in same_meaning().get(stem, ()) if o != "cqc"}
    if counted and not counted & (x.sentence.tokens | _referred_to(x)):
        return False  # "How many beds ...": a count of something else is no answer
    if not _names_near(x, analysis):
        return False  # "beds at the Hartsholme Centre": not another ward's beds
    return x.typed and max(x.focus_context, x.focus_passage) >= figure_focus


def _referred_to(x: Scored) -> frozenset[str]:
    """The words of the sentence's paragraph before it, when it counts "four of them".

    "... its 2018 report on mental health trusts ... CQC went back to four of them": the
    trusts are counted.
    """
    if not _OF_THEM.search(x.sentence.quote):
        return frozenset()
    before = _line_before(x.sentence)
    return frozenset(tokenize([before])[0]) if before.strip() else frozenset()


def _line_before(sentence: Sentence) -> str:
    """The text before the sentence on its own line (a list item's lead-in, a bold date)."""
    text, start = sentence.chunk.text, sentence.start
    return text[text.rfind("\n", 0, start) + 1 : start]


_OF_THEM = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|all) of (?:them|these|those)\b", re.I
)


def _of_the_report_asked(x: Scored, analysis: QuestionAnalysis) -> bool:
    """For a report-level question: the line is of the names and the publication asked.

    "When was Leeds Teaching Hospitals rated good?" is not answered by Leeds's line, nor
    "When was Driving improvement published?" by a trust's reports published that year.
    """
    return _names_near(x, analysis) and not _dates_another_publication(x, analysis)


def _dates_another_publication(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True for a line dating something else when the date of a titled report is asked.

    "When was the Driving improvement report published?" is not answered by "Reports
    published 5 October 2018 rated [Sheffield] requires improvement".
    """
    if analysis.answer_type != DATE or analysis.scope != REPORT:
        return False
    return names_the_report(analysis.question) and not names_the_report(x.sentence.quote)


def _names_near(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True when each name the question gives (a place, a person) is near the sentence.

    Near is in the sentence (or its brackets), before it on its line ("Minutes record the
    trust's Barnsley CAMHS work. One-off funding of £119,000 ...") or in its section's heading
    ("Top 70 Stars" over "First place: Dr Bijay Sinha"); a figure for another place, even one
    in the next list item, is no answer.
    """
    line = _line_before(x.sentence) + " " + x.sentence.chunk.section
    around = x.sentence.tokens | set(tokenize([line])[0] if line.strip() else [])
    for name in (*analysis.names, *analysis.outside):
        words = set(tokenize([name])[0]) - trust_name_words()
        if words and 2 * len(words & around) < len(words):  # most of the name, not "Hospitals"
            return False
    return True


def _dates_the_event(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True when a dated line tells the event the question asks the date of, in its verb.

    "When did North Staffordshire announce it had moved up to good?" is answered by "[It]
    announced the result on 21 February 2017", before the line on the inspection itself.
    """
    if analysis.scope == REPORT:
        return False  # the report's own date has rules of its own
    events = _events_asked(analysis.focus)
    said = x.sentence.tokens
    told = all(e in said or set(same_meaning().get(e, ())) & said for e in events)
    return bool(events) and x.typed and told


@functools.lru_cache(maxsize=256)
def _events_asked(focus: str) -> frozenset[str]:
    """The event verbs of a question's focus (worked out once per question)."""
    return frozenset(tokenize([focus])[0]) & _event_stems()


@functools.cache
def _event_stems() -> frozenset[str]:
    """Stems of the verbs for events a date is asked of (announced, published, appointed)."""
    return frozenset(tokenize([_EVENTS])[0])


_EVENTS = (
    "announce announced publish published launch launched appoint appointed retire retired "
    "merge merged merger acquire acquired open opened close closed resign resigned "
    "complete completed"
)


def _reacts(analysis: QuestionAnalysis) -> bool:
    """True for a question on the trust's reaction (which has a bonus of its own)."""
    return "reaction" in analysis.themes and bool(
        _REACT.search(analysis.question) or analysis.action
    )


def _acts(quote: str) -> bool:
    """True for a sentence saying what was done, not what inspectors found."""
    return bool(_DONE.search(quote)) and not _FOUND.search(quote)


def _with_an_action(
    picks: list[Scored], addressing: list[Scored], lead: bool = True
) -> list[Scored]:
    """For "what did X do about Y": one of the picks says what was done, when any candidate does.

    It leads (unless `lead` is False): the best such candidate not already chosen takes the
    first place and the last pick goes (the findings after it stay: they often hold what the
    reader needs too).
    """

    def acts(x: Scored) -> bool:
        return _acts(x.sentence.quote)

    if not picks:
        return picks
    if any(acts(x) for x in picks):  # what was done leads; the findings after it
        return sorted(picks, key=lambda x: not acts(x)) if lead else picks
    chosen = {id(x) for x in picks}
    action = next(
        (
            x
            for x in addressing
            if id(x) not in chosen
            and acts(x)
            and not any(_same_words(x.sentence, p.sentence) for p in picks)
        ),
        None,
    )
    if action is None or action.score < 0.4 * picks[0].score:  # too far below to be the answer
        return picks
    if not lead:  # a trust's response to its rating leads with what it said
        return [*picks[:-1], action] if len(picks) > 1 else [*picks, action]
    return [action, *picks[:-1]] if len(picks) > 1 else [action, *picks]


def _earliness(text: str) -> float:
    """How early a sentence's years are: 1 for 2010 and before, 0 for 2025 on or for no year."""
    years = _ANY_YEAR.findall(text)
    return 1.0 - _lateness(text) if years else 0.0


def _in_range(x: Scored, analysis: QuestionAnalysis) -> bool:
    """False for a sentence outside the time or kind of fact asked for.

    That is one from other years than asked, or wholly before an "after the report" range,
    or, for a question about ratings, one that gives none ("incidents fell by 37%" does
    not say a rating dropped).
    """
    quote = x.sentence.quote
    if analysis.years and not _in_years(x, analysis.years):
        return False
    dated = quote if _ANY_YEAR.search(quote) else _year_before(x.sentence, whole_passage=True)
    if _before(dated, analysis.since):
        return False
    if analysis.since == REPORT_YEAR and _IN_THE_REPORT.search(quote) and x.sentence.chunk.trust:
        return False  # "after the report": a trust's being in it is not what came after
    if not _about_ratings(analysis):
        return True
    if _a_finding_of_the_visit(x, analysis):
        return True  # "How did Oxleas fare at its 2019 inspection?": what CQC found, too
    fell = _WENT_DOWN.search(quote) or not _GOING_DOWN.search(analysis.question)
    # "did the trust lose its good rating?": "the trust as a whole stayed good" says no
    kept = analysis.answer_type == YES_NO and KEPT_RATING.search(quote)
    return bool(_GIVES_RATING.search(quote)) and bool(fell or kept)  # "went backwards": a fall


# A rating kept through a visit: "the trust as a whole stayed good", "left ... unchanged".
KEPT_RATING = re.compile(
    r"\b(?:stayed|remained|kept|still|continued)\s+(?:rated\s+|to be\s+)?(?:good|outstanding)\b"
    r"|\b(?:good|outstanding) rating unchanged\b|\bleft (?:its|their) (?:\w+ )?rating unchanged\b",
    re.I,
)


def _a_finding_of_the_visit(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True for a line that tells what one trust's inspection found, asked how it fared.

    Not for a fall ("did its rating drop?"), which only a rating answers.
    """
    if analysis.scope != ONE_TRUST or _GOING_DOWN.search(analysis.question):
        return False
    return x.focus >= _TOLD


def _about_ratings(analysis: QuestionAnalysis) -> bool:
    """A question on ratings ("Did their rating drop?", "Which trusts slipped back?").

    Not one on why a rating changed: the findings behind it answer that.
    """
    if _WHY.search(analysis.question):
        return False
    results = _RESULTS.search(analysis.question) and set(words_of([analysis.focus])[0]) <= (
        _result_words()
    )
    return bool(_BACKSLIDE.search(analysis.question) or results)


def _rating_lines_answer(analysis: QuestionAnalysis) -> bool:
    """True when each rating line in range answers ("What were the final CQC results?")."""
    return _about_ratings(analysis) and analysis.answer_type in (HOW_WHAT, YES_NO)


@functools.cache
def _result_words() -> frozenset[str]:
    """Stems of the words a question on inspection results is made of."""
    return frozenset(
        words_of(
            ["cqc cqc's result results outcome outcomes verdict final inspection inspections"]
        )[0]
    )


# A question about a rating going down ("slipped back", "did their rating drop", "went
# backwards", "lose their rating"); with "keep/hold their rating", one about ratings at all.
_DOWN_WORDS = (
    r"\b(?:slipp?(?:ed|ing)?|fell|fall(?:en|ing)?|dropp?(?:ed|ing)?) back\b|"
    r"\b(?:downgraded|went backwards|gone backwards)\b|"
    r"\b(?:get|got|gets|getting|go|went|gone) worse\b|"  # "did any get worse again?"
    r"\brating\w*\b[^?.;]{0,30}\b(?:drop|fall|fell|slip|declin|worsen|go down|went down)\w*|"
    r"\b(?:lose|lost|losing) (?:its|their|the) (?:\w+ )?ratings?\b|"
    r"\b(?:trouble|struggl\w*|fail\w*|difficult\w*) (?:\w+ )?(?:keep|hold|sustain)\w* "
    r"(?:on to )?(?:its|their|the) (?:\w+ )?ratings?\b"
)
_GOING_DOWN = re.compile(_DOWN_WORDS, re.I)
LOWER_RATING = "(?:requires improvement|inadequate)"  # what a rating that fell went to
# A rating reached before a fall: "after being rated good", "once they got to outstanding".
_REACHED_FIRST = re.compile(
    r"\b(?:after|once|when|since|having)\s+(?:\w+\s+){0,3}?(?:rated|becoming|became|been|"
    r"reaching|reached|getting|got|gone|went)\s+(?:to\s+)?(?:good|outstanding)\b",
    re.I,
)
# A rating's fall in words of movement ("the overall rating fell", "put the trust back to").
_MOVED_DOWN = (
    r"\brating\w*\s+(?:\w+\s+){0,3}?(?:fell|fall|dropped|slipped|declined|lowered)\b"
    r"|\b(?:back to|down from|downgraded|lowered\b.{0,40}\bto)\b|\bfrom (?:good|outstanding) to\b"
)
# A fall said of a rating itself, or a lower rating given.
_RATING_WENT_DOWN = re.compile(
    _MOVED_DOWN + rf"|\b(?:rated|rated it|rating of) {LOWER_RATING}\b", re.I
)
# ... said in words of movement only ("rated requires improvement" may be where a trust
# started; "rated requires improvement overall again" is not).
_SAYS_FELL = re.compile(_MOVED_DOWN + rf"|\b{LOWER_RATING}(?: overall)? again\b", re.I)
_ASKS_DOWN = re.compile(_DOWN_WORDS, re.I)
_BACKSLIDE = re.compile(
    _DOWN_WORDS + r"|\b(?:keep|kept|hold|held|retain(?:ed)?) (?:its|their|the) (?:\w+ )?ratings?\b"
    # "how did their ratings move", "rating journey", "how did each fare at its next inspection"
    r"|\bratings?\b[^?.;]{0,20}\b(?:chang|mov|progress)\w*|\brating journeys?\b"
    r"|\bhow did (?:[\w'’]+ ){0,5}(?:fare|get on|do) (?:at|in) (?:[\w'’-]+ ){0,3}"
    r"(?:inspection|re-?inspection|visit)s?\b"
    r"|\bfared? (?:on|with|in) (?:[\w'’-]+ ){0,3}(?:ratings?|inspections?)\b"
    # "how did they do when CQC went back in late 2018?": how the return visit rated them
    r"|\bhow did (?:[\w'’]+ ){0,5}(?:fare|get on|do) when (?:CQC|inspectors|the inspectors) "
    r"(?:(?:went|came) back|returned|revisited|re-?inspected|(?:visited|inspected) again)\b"
    r"|\bhappened to\b[^?.;]{0,40}\bratings?\b",
    re.I,
)
# "The final CQC results", "the outcome of their 2019 inspection": ratings, when nothing else
# is asked ("what did the CQC results show about waiting times" asks about waiting times).
_RESULTS = re.compile(
    r"\b(?:CQC|inspection|re-?inspection)s?\s+(?:results?|outcomes?|verdicts?)\b"
    r"|\b(?:results?|outcomes?|verdicts?) (?:of|from) (?:[\w'’-]+ ){0,3}(?:re-?)?inspections?\b",
    re.I,
)
# A sentence giving a rating: a rating word with "rated", "rating" or "overall" by it, a
# rating after an inspection's colon, or a rating that fell ("provide good care" is none).
_GIVES_RATING = re.compile(
    rf"\b(?:rated|ratings?|overall|downgraded|upgraded)\b[^.;]*?\b{RATING_PATTERN}\b"
    rf"|\b{RATING_PATTERN}\b[^.;]*?\b(?:overall|ratings?)\b"
    rf"|\b(?:inspection|visit)\b[^:.]*:\s*(?:[\w\s]{{0,30}}?){RATING_PATTERN}\b"
    rf"|\bfrom {RATING_PATTERN} to\b"
    r"|\brating\w*\s+(?:\w+\s+){0,3}?(?:fell|fall|dropped|slipped|declined|lowered)",
    re.I,
)
# A sentence saying a rating went down.
_WENT_DOWN = re.compile(
    r"\b(?:fell|fallen|dropped|downgraded|lowered|declined|slipped|worse|lost|went back|"
    r"put (?:the trust )?back|back to (?:requires improvement|inadequate)|down from)\b|"
    r"\bfrom (?:good|outstanding) to (?:requires improvement|inadequate)\b|"
    r"\b(?:rated|rating of|rated it) (?:requires improvement|inadequate)\b",
    re.I,
)
_WHY = re.compile(r"^\W*why\b|\bwhat (?:led to|caused)\b|\bfor what reason\b", re.I)


def _before(text: str, since: int) -> bool:
    """True when a sentence names years and all of them come before `since` (0: no range)."""
    years = [int(y) for y in _ANY_YEAR.findall(text)]
    return bool(since and years and max(years) < since)


def _lateness(text: str) -> float:
    """0 for a sentence naming no year or 2010 and before, rising to 1 for 2025 and after."""
    years = [int(y) for y in _ANY_YEAR.findall(text)]
    return min(max((max(years) - 2010) / 15, 0.0), 1.0) if years else 0.0


_ROLE_KIND = re.compile(
    r"\b(medical|nursing|finance|financial|operating|operations|strategy|quality|clinical|"
    r"workforce|people) (director|officer|lead)s?\b"  # "the medical directors at the trusts"
)


def _context_text(x: Scored) -> str:
    """The sentence's paragraph, lower case (a role may be named a sentence before)."""
    text = x.sentence.chunk.text
    start = text.rfind("\n\n", 0, x.sentence.start) + 1
    end = text.find("\n\n", x.sentence.end)
    return text[start : end if end >= 0 else len(text)].lower()


_ROLE_WORDS = frozenset(
    [
        "director",
        "chief",
        "executive",
        "chair",
        "chairman",
        "chairwoman",
        "leader",
        "nurse",
        "officer",
        "manager",
        "guardian",
        "inspector",
        "secretary",
        "minister",
        "president",
        "governor",
        "consultant",
    ]
)


_LEADING_VERBS = frozenset(
    [
        "led",
        "lead",
        "leads",
        "leading",
        "ran",
        "run",
        "runs",
        "running",
        "headed",
        "heads",
        "charge",
    ]
)  # "Who ran it?", "Who was in charge?"


# Who may act on a person: "A new chair ... recruited Mark Hindle", "the board appointed her".
_ACTING_BODY = re.compile(
    r"\b(?:chair(?:man|woman)?|board|chief executive|directors?|governors|council|"
    r"commissioners|NHS England|NHS Improvement|CQC|Monitor|regulator|minister)\b",
    re.I,
)


def _done_to_the_named(x: Scored, analysis: QuestionAnalysis) -> bool:
    """For "who recruited Mark Hindle?", a line with all the question's words and who did it.

    The answer is a role, not a name ("A new chair arrived in 2013 and ... recruited Mark
    Hindle as chief executive"): the asked-for type is not there, but the whole focus is.
    """
    return bool(analysis.names) and x.focus >= 0.9 and bool(_ACTING_BODY.search(x.sentence.quote))


def _has_role(x: Scored, analysis: QuestionAnalysis, around: bool = False) -> bool:
    """For "who was the medical director", the sentence must name the role asked about.

    With ``around``, its paragraph may name it ("Rob Webster took over in 2016", in a
    paragraph on chief executives).
    """
    words = {re.sub(r"(?:s|ed|d)$", "", w) for w in analysis.focus.lower().split()}
    roles = {role for role in _ROLE_WORDS if role in words or role.rstrip("e") in words}
    text = x.sentence.quote.lower()
    kind = _ROLE_KIND.search(analysis.focus.lower())  # "medical director": not any director
    if kind and not re.search(
        rf"\b{kind[1]} {kind[2]}|\b{kind[2]}s? of {kind[1]}", text + " " + _context_text(x)
    ):
        return False
    if around and roles and not _LEADING_ROLE.search(text):  # a chair is no chief executive
        stems = set(words_of([" ".join(roles)])[0])
        return stems <= (x.sentence.tokens | x.sentence.context)
    if not roles and set(analysis.focus.lower().split()) & _LEADING_VERBS:  # "Who led it?"
        return any(role in text for role in ("chief executive", "chair", " led ", "leader"))
    return not roles or all(role in text for role in roles)


# Words that place a person's time in a post after, or before, someone else's: those that say
# they took it up (the successor named outright), and those that only place them later in it.
_STILL_IN_POST = 2  # years after taking up a post in which a person is taken to hold it
_IN_POST_FROM = re.compile(r"^(?:From|Since) (?:\w+ ){0,2}(?:19|20)\d{2}\b")
_TOOK_POST_WORDS = (
    r"became|become|took over|succeeded|replaced|appointed|joined|started|"
    r"new (?:chief executive|chair|director)"
)
_TOOK_POST = re.compile(rf"\b(?:{_TOOK_POST_WORDS})\b", re.I)
_LATER_IN_POST = re.compile(
    rf"\b(?:{_TOOK_POST_WORDS}|then|later|interim|acting|successor|"
    r"(?:by|from|in) (?:\w+ )?(?:19|20)\d{2})\b",
    re.I,
)
_EARLIER_IN_POST = re.compile(
    r"\b(?:previous|previously|former|formerly|predecessor|retired|earlier|until|up to)\b",
    re.I,
)
_LEADING_ROLE = re.compile(r"\b(?:chief executive|chair|chairman|director|led|leader)\b", re.I)


def _in_role(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True when the sentence gives the person the role asked about.

    "Rob Webster took over in 2016" names the role only in its paragraph ("had been chief
    executive of ..."): taking a post counts with the role nearby.
    """
    if _has_role(x, analysis):
        return True
    return bool(_TOOK_POST.search(x.sentence.quote)) and _has_role(x, analysis, around=True)


# A post held at another body the sentence names: "Mersey Care ... Its chief executive".
_ANOTHER_BODYS_ROLE = re.compile(
    r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)* (?:Care|Trust|Confederation)\b[^.]*\.\s+Its (?:chief|chair)"
    r"|\b[A-Z][a-z]+(?: [A-Z][a-z]+)* (?:Care|Confederation)(?:'s|’s) (?:chief|chair)"
)


def _in_succession(sentence: Sentence, asked: _Asked, succession: str) -> bool | None:
    """For "who took over after X" (or "before X"), whether the sentence answers it.

    It must name someone else in a post, with words and years placing them after (or
    before) X. None when no such question is asked.

    "Stephen Firn, the previous chief executive, retired in spring 2016" does not answer who
    came after Ben Travis; "By February 2019 Matthew Trainer was chief executive" does.
    """
    if not (asked.predecessor and succession):
        return None
    quote = sentence.quote
    if (sentence.trust or sentence.chunk.trust) not in asked.predecessor_trusts:
        return False  # the successor of Calderstones' chief executive is not at Oxleas
    if _ANOTHER_BODYS_ROLE.search(quote):
        return False  # "Mersey Care then completed the acquisition. Its chief executive ..."
    others = [n for n in person_names(quote) if asked.predecessor not in n.lower()]
    in_post = _LEADING_ROLE.search(quote) or {"chief", "execut"} <= sentence.context
    if not others or not in_post:
        return False
    # "former chief executive Caroline Donovan" places Donovan, not whoever else is named.
    quote = re.sub(
        rf"(?:[\w'’-]+\s+){{0,4}}{re.escape(asked.predecessor)}\b", " ", quote, flags=re.I
    )
    years = [int(y) for y in _ANY_YEAR.findall(quote)]
    known = asked.predecessor_years  # a year's slack: the documents date posts loosely
    if succession == "after":
        too_early = bool(years and known) and max(years) < min(known) - 1
        return (
            bool(_LATER_IN_POST.search(quote))
            and not _EARLIER_IN_POST.search(quote)
            and (not too_early)
        )
    too_late = bool(years and known) and min(years) > max(known) + 1
    return bool(_EARLIER_IN_POST.search(quote)) and not too_late


def _elsewhere(quote: str, trust: str) -> bool:
    """True when the sentence says it is not about its trust.

    "his work at Southern Health (not Somerset)" stays out of Somerset's answer.
    """
    if not trust:
        return False
    name = re.escape(short_trust_name(trust).split()[0])
    return bool(re.search(rf"\(not (?:at |in |with )?(?:the )?{name}\b", quote, re.I))


def _told_of_other_years(scored: list[Scored], analysis: QuestionAnalysis) -> bool:
    """True when what is asked is told only of other years than the one the question gives.

    "Why did Lincolnshire open Ash Villa in 2019?": the ward's opening is told of 2021, and
    no 2019 line says more than a word of it, so nothing answers for 2019.
    """
    inside = [x.focus for x in scored if _in_years(x, analysis.years)]
    outside = [x.focus for x in scored if not _in_years(x, analysis.years)]
    best = max(outside, default=0.0)
    return best >= _TOLD and max(inside, default=0.0) < _HALF_TOLD * best


_TOLD = 0.9  # the share of the focus a line holds that tells what was asked
_HALF_TOLD = 0.6  # a line of the year asked with less than this of that share says less


def _dated(x: Scored, years: Sequence[str]) -> bool:
    """True when the line or its paragraph names one of the years ("CQC findings in 2018.")."""
    return any(year in x.sentence.text or year in x.sentence.context for year in years)


def _in_years(x: Scored, years: Sequence[str]) -> bool:
    """True when the sentence can speak for the asked year(s).

    It names one of them; or it names no year (or only earlier ones it looks back to) and its
    paragraph names one and it is close to the focus; or nothing around it is dated and it
    holds the focus itself. A sentence about other years never answers "in 2024".
    """
    quote = x.sentence.quote
    if any(year in quote for year in years):
        return True
    in_context = any(year in x.sentence.context for year in years)
    named = years_in(quote)
    asked = [int(year) for year in years]
    if x.typed and named and any(min(named) < year < max(named) for year in asked):
        return True  # "joined as chair in 2015 ... would step down in 2024": chair in 2017
    if x.typed and named and (_took_up_a_post(quote) or _IN_POST_FROM.search(quote)):
        # "Rob Webster took over in 2016", "From late 2017, Peter Lewis was chief executive"
        return any(0 < year - max(named) <= _STILL_IN_POST for year in asked)
    if named and _GIVES_RATING.search(quote) and _reports_the_visit(x, named, asked):
        return True  # "5–8 October 2015: inspection. On 9 February 2016 CQC rated it Good"
    if named:  # only looking back from a paragraph of that year: "many 2018 issues unresolved"
        looks_back = in_context and max(named) < min(asked) and not _DATES_ITSELF.search(quote)
        return looks_back and x.focus >= 0.5
    before = _year_before(x.sentence)
    if before:  # "Okocha thanked colleagues" after "The May 2017 announcement": 2017
        return before in years and (x.focus >= 0.25 or x.typed)
    if in_context:
        return x.focus >= 0.25 or x.typed
    undated = not any(_ANY_YEAR.fullmatch(token) for token in x.sentence.context)
    return undated and x.focus >= 0.5


# A year that dates the line's own event ("May 2021 inspection: ...", "In 2019 CQC found"),
# not one it looks back to ("many 2018 issues still unresolved").
_DATES_ITSELF = re.compile(
    rf"\b(?:{MONTHS_PATTERN})\s+(?:19|20)\d\d\b|\b(?:19|20)\d\d\s+(?:inspection|re-?inspection|visit|"
    r"report|rating)s?\b|^\W*(?:in\s+)?(?:19|20)\d\d\b",
    re.I,
)


def _reports_the_visit(x: Scored, named: list[int], asked: list[int]) -> bool:
    """True for the rating of a visit of the year asked, published the year after.

    "**5–8 October 2015:** second comprehensive inspection. On 9 February 2016 CQC rated the
    trust Good": the visit is named before the line on its own line, and the line names no
    visit of its own ("In October 2020 an unannounced inspection rated ..." is another one).
    """
    if _A_VISIT.search(x.sentence.quote):
        return False
    if not all(any(year - visit == 1 for visit in asked) for year in named):
        return False
    before = _line_before(x.sentence)
    return bool(_A_VISIT.search(before)) and any(str(visit) in before for visit in asked)


_A_VISIT = re.compile(r"\b(?:inspection|re-?inspection|inspected|visit|visits|visited)\b", re.I)


def _year_before(sentence: Sentence, whole_passage: bool = False) -> str:
    """The last year named before an undated sentence in its paragraph (or passage), or ''."""
    text = sentence.chunk.text
    line = text[text.rfind("\n", 0, sentence.start) + 1 : sentence.start]
    labelled = _DATED_ITEM.match(line)
    if labelled:  # "- 2014: ... reports published on 9 June 2015. Forensic services ...": 2014
        return labelled["year"]
    start = 0 if whole_passage else text.rfind("\n\n", 0, sentence.start) + 1
    years = _ANY_YEAR.findall(f"{sentence.chunk.section} {text[start : sentence.start]}")
    return years[-1] if years else ""


# A list item labelled with its date: "- **2014:** ...", "- November 2016: ...".
_DATED_ITEM = re.compile(
    r"^\s*(?:[-*•]\s+)?(?:\*\*)?(?:[A-Z][a-z]+\s+)?(?P<year>(?:19|20)\d{2})\b[^:\n]{0,30}:"
)


# A rating moved to: "dropped to inadequate", "went back to good", "did it drop to ...", not
# one hoped for ("what would it need to do to move up to outstanding?").
MOVED_TO = (
    r"(?<!to )(?:(?:went|moved|fell|dropped|slipped|rose|returned|came|drop|drops|fall|falls|"
    r"slip|slips)\s+(?:back\s+|down\s+|up\s+)?|back\s+|down\s+)to"
)
_ASKED_RATING = re.compile(
    rf"\b(?:rated|rating of|become|became|reach(?:ed)?|{MOVED_TO})\s+{RATING_PATTERN}\b"
    rf"|\b(?:get|gets|got|gain(?:ed)?|achieve[ds]?|earn(?:ed)?|win|won|receive[ds]?)\s+"
    rf"(?:an?\s+|the\s+|its\s+)?{RATING_PATTERN}(?=\s+(?:overall\s+)?rating\b)"
    # "either outstanding overall or outstanding for well-led": a rating said with its scope
    rf"|\b{RATING_PATTERN}(?=\s+(?:overall\b|for\s+(?:well[- ]led|caring|safe|"
    rf"effective|responsive)\b))",
    re.I,
)


def _reaches_asked_rating(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True when the sentence gives the trust the rating the question asks it reached."""
    rating = asked_rating(analysis)
    return bool(rating) and gives_rating(x.sentence.quote, rating)


def _dates_a_rating(x: Scored, analysis: QuestionAnalysis) -> bool | None:
    """Whether a line answers "when" a rating came, or None when this does not decide it.

    False for a line that says the rating was kept; True for the dated upgrade ("How long did
    it take Sheffield to reach good?").
    """
    if _only_keeps_rating(x.sentence.quote, analysis):
        return False  # "When was it rated good?": not when it "stayed good overall"
    if x.typed and _reaches_asked_rating(x, analysis):
        return True
    return None


def _only_keeps_rating(quote: str, analysis: QuestionAnalysis) -> bool:
    """True when a line only says a trust kept the rating whose date the question asks.

    "When was each trust's good rating announced?" is not answered by "the trust stayed good
    overall" (unless the question is about keeping it).
    """
    asked = asked_rating(analysis) or _rating_named(analysis.question)
    if not asked or _KEEPING.search(analysis.question):
        return False
    kept = re.search(rf"{_KEEPING.pattern}[^.;]{{0,30}}?\b{asked}\b", quote, re.I)
    if not kept:
        return False
    # reached before it was kept: "was rated outstanding in 2019 and has remained outstanding"
    reached = r"\b(?:became|become|raised|rose|upgraded|went|moved|improved|reached|achieved|"
    reached += rf"awarded|given|rated)\b[^.;]{{0,40}}?\b{asked}\b"
    return not re.search(reached, quote[: kept.start()], re.I) and not re.search(
        reached.replace("|rated)", ")"), quote, re.I
    )


_KEEPING = re.compile(
    r"\b(?:stayed|stay|stays|remained|remain|remains|kept|keep|keeps|retained|retain|"
    r"maintained|maintain|sustained|sustain|still)\b",
    re.I,
)


def _rating_named(question: str) -> str:
    """The rating a question names as a rating ("the trusts' good rating"), or ''."""
    found = re.search(rf"\b{RATING_PATTERN}\s+(?:overall\s+)?rating\b", question, re.I)
    return (found.group(1) or "").lower() if found else ""


def asked_rating(analysis: QuestionAnalysis) -> str:
    """The overall rating a question asks about ("Which trust was rated outstanding?"), or ''.

    A question about a service's or a key question's rating ("rated outstanding for caring")
    asks about no overall rating.
    """
    match = _ASKED_RATING.search(analysis.question)
    if not match or re.search(
        r"\bfor\b|\bservices?\b|\bwards?\b", analysis.question[match.end() :]
    ):
        return ""
    return _rating_in(match)


_ANY_KEY_QUESTION = re.compile(ANY_KEY_QUESTION, re.I)
# A key question of CQC's ratings ("outstanding for well-led").
_DOMAIN = r"(?:well[- ]led|caring|safe|effective|responsive)"
_OVERALL = re.compile(r"\boverall\b|\bat trust level\b", re.I)


@functools.lru_cache(maxsize=64)
def _domain_rating(analysis: QuestionAnalysis) -> str:
    """A pattern for the key question's rating asked ("rated outstanding for well-led"), or ''."""
    match = _ASKED_RATING.search(analysis.question)
    if not match:
        return ""
    after = analysis.question[match.end() :]
    domains = re.findall(rf"\bfor\s+({_DOMAIN})\b", after, re.I)
    if not domains and _ANY_KEY_QUESTION.search(after):  # "or for a single key question"
        domains = ["well-led", "caring", "safe", "effective", "responsive"]
    if not domains or re.search(r"\bservices?\b|\bwards?\b", after, re.I):
        return ""
    rating = _rating_in(match)
    if match.group(3):  # said with its scope: only the key questions that rating is said for
        said = re.findall(rf"\b{rating}\s+for\s+({_DOMAIN})\b", analysis.question, re.I)
        if not said:
            return ""
        domains = said
    asked = "|".join(re.escape(d.lower()).replace("\\-", "[- ]") for d in domains)
    return rf"\b{rating}\s+for\s+(?:\w+,?\s+){{0,4}}?(?:{asked})\b"


def _overall_too(analysis: QuestionAnalysis) -> str:
    """The rating a key-question rating question also asks of the whole trust, or ''.

    "Which trusts were rated outstanding, either overall or for well-led?": outstanding.
    """
    named = _ASKED_RATING.search(analysis.question)
    if not named or not _OVERALL.search(analysis.question):
        return ""
    return _rating_in(named)


def says_rating_fell(quote: str) -> bool:
    """True when a sentence gives a rating and says it fell ("incidents fell" does not)."""
    if not (_GIVES_RATING.search(quote) and _WENT_DOWN.search(quote)):
        return False
    return bool(_RATING_WENT_DOWN.search(quote))


def _rating_in(match: re.Match) -> str:
    """The rating an _ASKED_RATING match names, in lower case."""
    return next(group for group in match.groups() if group).lower()


def _rating_sought(analysis: QuestionAnalysis) -> str:
    """The overall rating a question is about (a pattern).

    For a fall, the two it may have gone to; for ratings at all, any of the four.
    """
    going_down = _GOING_DOWN.search(analysis.question)
    if going_down and _REACHED_FIRST.search(analysis.question):
        return LOWER_RATING  # "Did any slip back down after being rated good?": down from good
    if asked_rating(analysis):
        return asked_rating(analysis)
    if going_down:
        return LOWER_RATING
    return RATING_PATTERN if _about_ratings(analysis) else ""  # "how did their ratings move"


def gives_rating(sentence: str, rating: str) -> bool:
    """True when a sentence gives a trust that overall rating (not a service's or a domain's).

    "CQC rated [NSCHT] outstanding on 28 March 2019" and "the trust was rated good overall" do;
    "Forensic services were rated outstanding" and "rated outstanding for responsive" do not.
    """
    if not rating:
        return False
    subject = r"(?:the trust|it|\[[^\]]+\])"
    patterns = (
        rf"\brated\s+{subject}\s+(?:as\s+)?{rating}\b(?!\s+for\b)",
        rf"\b(?:trust|it|\])\s+(?:was|is|had been)\s+(?:now\s+)?rated\s+{rating}\b(?!\s+for\b)",
        rf"\b{rating}\s+overall\b",
        rf"\b(?:a|an|its|the trust's) rating of {rating}\b(?!\s+for\b)",
        rf"\boverall rating(?:\s+\w+){{0,3}}\s+{rating}\b",
    )
    return any(re.search(p, sentence, re.I) for p in patterns)


def _read_too(scored: list[Scored], analysis: QuestionAnalysis, size: int) -> list[Scored]:
    """Lines read beyond a group's best few for what this kind of question asks.

    Those holding the asked-for type (for a person, one in the role asked about), and for
    "which trust improved the most?" those ranking the trust among others.
    """
    typed = [x for x in scored if x.typed]
    if analysis.answer_type == PERSON:  # the people in the role asked about, first
        typed = [x for x in typed if _in_role(x, analysis)]
    ranking = analysis.answer_type == WHICH_TRUST and _RANKING_ASKED.search(analysis.question)
    ranked = [x for x in scored if _ranks_among_trusts(x)] if ranking else []
    return typed[: size // 2] + ranked[:2] + _each_rating_dated(scored, analysis)


def _each_rating_dated(scored: list[Scored], analysis: QuestionAnalysis) -> list[Scored]:
    """For "how long from requires improvement to good?": the dated lines giving either one.

    The first line giving good can rank below later lines giving requires improvement again.
    """
    if asks_rating_history(analysis) or asks_about_slips(analysis):
        return sorted(_rating_events(scored), key=_year_said)[:8]
    ratings = _ratings_from_to(analysis)
    if not ratings or analysis.answer_type != DATE:
        return []
    return sorted(_dated_with(scored, ratings), key=_year_said)[:8]  # the earliest first


def asks_rating_history(analysis: QuestionAnalysis) -> bool:
    """True for a question on a trust's ratings over time, or the ratings shown for a premise.

    "What ratings has Oxleas had?", "Somerset's rating history". Not the ratings of its
    services or key questions, nor when or why one rating was given.
    """
    if analysis.focus == RATINGS_FOCUS:
        return True
    question = analysis.question
    return bool(
        analysis.trusts
        and _RATING_HISTORY.search(question)
        and not _OF_PARTS.search(question)
        and not _WHY.search(question)
        and not _NOT_CQCS.search(question)
    )


def _rating_history(picks: list[Scored], addressing: list[Scored]) -> list[Scored]:
    """The dated lines giving the trust an overall rating, earliest first, one per line said.

    Without two such lines the picks stay: one date is not a history.
    """
    lines = [_dated_quote(x) for x in _one_a_year(_rating_events(addressing))[:8]]
    return lines if len(lines) >= 2 else picks


def _slips(
    picks: list[Scored], addressing: list[Scored], analysis: QuestionAnalysis, good: int
) -> list[Scored]:
    """For "did any slip back after reaching good?": the trust's lower ratings after good.

    Each dated line giving it a lower overall rating (or saying its overall rating fell)
    after the year it was first rated good or outstanding (``good``; 9999 when never),
    earliest first; the picks when none is.
    """
    events = [x for x in _rating_events(addressing) if not KEPT_RATING.search(x.sentence.quote)]
    after = max(good, analysis.since - 1)  # "after the 2018 report": 2018's fall counts
    lower = [x for x in events if _year_said(x) > after and _given(x) not in RATINGS[:2]]
    return [_dated_quote(x) for x in _one_a_year(lower)[:3]] or picks


def _given(x: Scored) -> str:
    """The overall rating a line gives ("fell" for a fall without a rating)."""
    return next((r for r in RATINGS if gives_rating(x.sentence.quote, r)), "fell")


def _one_a_year(events: list[Scored]) -> list[Scored]:
    """The best line for each rating given in a year, earliest first; a fall if none is."""
    dated = sorted(events, key=lambda x: (_year_said(x), _given(x) == "fell", -x.score))
    kept: dict[tuple[int, str], Scored] = {}
    for x in dated:
        year = _year_said(x)
        if _given(x) != "fell" or all(seen != year for seen, _ in kept):
            kept.setdefault((year, _given(x)), x)
    return list(kept.values())


def _says_who_held(x: Scored, analysis: QuestionAnalysis) -> bool:
    """True for a line saying who held a post, unless a person is asked for.

    "Meera Nair was Director of Workforce and QI" is close in meaning to any question on
    staff, and answers none of them.
    """
    return analysis.answer_type != PERSON and bool(_HOLDS_A_POST.search(x.sentence.quote))


# A post held: "was chief executive", "as chair", "was Director of Workforce and QI".
_HOLDS_A_POST = re.compile(
    r"\b(?:was|were|became|as|is)\s+(?:the\s+)?(?:(?:interim|acting|joint|deputy)\s+)?"
    r"(?:chief executive|chair(?:man|woman)?|director of \w+|medical director)\b",
    re.I,
)


def _only_the_slip(analysis: QuestionAnalysis) -> bool:
    """True when the focus is the going down itself ("Did Sheffield slip back after 2017?").

    A time set by an event ("after the report came out") is no other topic.
    """
    down = words_of(
        [
            "slip slipped back fell fall drop dropped went go get got gone worse wrong again "
            "backwards down downgraded lose lost report published came out"
        ]
    )[0]
    scene = words_of([analysis.condition])[0] if analysis.condition else []
    return set(words_of([analysis.focus])[0]) <= {*down, *scene, *_time_words()}


# A question on ratings: "after being rated good", "did their rating drop".
_ON_A_RATING = re.compile(rf"\brat(?:ed|ings?)\b|\bdowngraded\b|\b{RATING_PATTERN}\b", re.I)


def _on_ratings(analysis: QuestionAnalysis) -> bool:
    """True for a question answered by rating lines (their history, their slips, one named).

    Rating lines are told in set words: "Towards Outstanding" is close in meaning to "rated
    outstanding in 2017" but gives no rating. A who or which question on a rating ("who
    commented when it was rated good?") is not on ratings, nor one naming a rating in passing
    ("now that it is outstanding, how does it check on itself?").
    """
    if _about_ratings(analysis) or asks_rating_history(analysis) or asks_about_slips(analysis):
        return True
    given = re.search(rf"\brated\s+{RATING_PATTERN}\b", analysis.question, re.I)
    return bool(given) and analysis.answer_type in (HOW_WHAT, YES_NO, DATE)


def asks_about_slips(analysis: QuestionAnalysis) -> bool:
    """True for "did any of them slip back / get worse / lose their rating?", not "why".

    Not when the slip is a premise: "Both dropped back in 2018. What did CQC find?" and
    "SHSC dropped back after the report - how did its results compare?" ask of the findings.
    """
    question = analysis.question
    if _WHY.search(question) or re.search(r"\bwhy\b", question, re.I):
        return False
    if not _ON_A_RATING.search(question) and not _only_the_slip(analysis):
        return False  # "Did staff morale get worse at Sheffield?": the morale is asked about
    for down in _ASKS_DOWN.finditer(question):
        stop = re.search(r"[.?!]", question[down.end() :])
        if not in_scene_setting(question, down.start()) and (not stop or stop.group() != "."):
            return True
    return False


def _rating_events(lines: list[Scored]) -> list[Scored]:
    """The dated lines giving a trust an overall rating, or saying its overall rating fell.

    Not a service's fall: "crisis services Good, down from Outstanding" is no trust's rating.
    """
    lines = [x for x in lines if not x.sentence.parts]  # not a list quoted whole
    fell = [
        x
        for x in lines
        if says_rating_fell(x.sentence.quote)
        and re.search(r"\boverall\b", x.sentence.quote, re.I)
        and _year_said(x) < 9999
    ]
    given = [x for x in _dated_with(lines, RATINGS) if _one_rating(x.sentence.quote)]
    return given + [x for x in fell if x not in given]


def _one_rating(quote: str) -> bool:
    """True when a line gives one overall rating: a whole rating journey in a line is no event."""
    return sum(gives_rating(quote, rating) for rating in RATINGS) == 1


def _dated_quote(x: Scored) -> Scored:
    """The line with its year in brackets when only its line's opening says it.

    "[In 2015:] [Somerset Partnership] was rated requires improvement overall" for a sentence
    under "- September 2015 comprehensive inspection: ...".
    """
    year = _year_said(x)
    if _first_year(x.sentence.quote) != 9999 or year == 9999:
        return x
    quote = f"[In {year}:] {x.sentence.quote}"
    return dataclasses.replace(x, sentence=dataclasses.replace(x.sentence, quote=quote))


def _which_trust_order(x: Scored, analysis: QuestionAnalysis) -> tuple[int, bool]:
    """A "which trusts" line's place: the rating asked first, then a ranking among trusts."""
    ranks = _RANKING_ASKED.search(analysis.question) and _ranks_among_trusts(x)
    return -_gives_asked_rating(x.sentence.quote, analysis), not ranks


def _ranks_among_trusts(x: Scored) -> bool:
    """True for a line on the focus that ranks its trust among others.

    "CQC regarded it as the fastest-improving mental health trust in the country."
    """
    return x.focus > 0 and bool(_RANKED_AMONG.search(x.sentence.quote))


def _ranked_only(groups: list[Group], analysis: QuestionAnalysis) -> list[Group]:
    """For "which trust improved the most?": the trusts a line ranks among others, if any."""
    if not _RANKING_ASKED.search(analysis.question):
        return groups
    ranked = [g for g in groups if g.trust and any(_ranks_among_trusts(p) for p in g.picks)]
    return ranked + [g for g in groups if not g.trust and g.picks] if ranked else groups


# A superlative asked of the trusts: "which improved the most", "the fastest", "the best".
_RANKING_ASKED = re.compile(
    r"\b(?:the\s+)?(?:most|best|fastest|quickest|biggest|greatest|largest|strongest)\b", re.I
)
# A line ranking a trust among others: "the fastest-improving mental health trust in the
# country", "the best results among all mental health trusts".
_RANKED_AMONG = re.compile(
    r"\b(?:most|best|fastest[\w-]*|quickest|biggest|greatest|largest|highest|top)\b[^.;]{0,60}"
    r"\b(?:in the country|nationally|in england|among all|of all|in the nhs|of any)\b",
    re.I,
)


def _gives_asked_rating(quote: str, analysis: QuestionAnalysis) -> int:
    """How well a line answers a "which trusts" rating question: 2, 1 or 0.

    2 for the rating asked about (for a fall, said as a fall), 1 for the rating alone.
    """
    sought, rating, domain_rating, falling = _ratings_asked(analysis)
    if not (_gives(quote, rating, domain_rating) or gives_rating(quote, sought)):
        return 0
    return 1 + bool(not falling or _SAYS_FELL.search(quote))


@functools.lru_cache(maxsize=64)
def _ratings_asked(analysis: QuestionAnalysis) -> tuple[str, str, str, bool]:
    """What a "which trusts" rating question asks, worked out once per question.

    Returns:
        The overall rating sought, the overall rating a line must give (with a key question's
        rating asked, only one asked "overall" too), the key question's rating pattern, and
        whether a fall is asked about.

    """
    sought = rating = _rating_sought(analysis)
    domain_rating = _domain_rating(analysis)
    if domain_rating:  # "outstanding for well-led", and "overall" when asked too
        rating = _overall_too(analysis)
    falling = rating == LOWER_RATING or bool(_GOING_DOWN.search(analysis.question))
    return sought, rating, domain_rating, falling


def _gives(quote: str, rating: str, domain_rating: str = "") -> bool:
    """True when a line gives the rating, or the key question's rating, asked about.

    For a fall ("slipped back"), "although the overall rating fell" gives it too.
    """
    if domain_rating and re.search(domain_rating, quote, re.I):
        return True
    if not rating:
        return False
    return gives_rating(quote, rating) or (rating == LOWER_RATING and says_rating_fell(quote))


def _rated_only(
    groups: list[Group], rating: str, domain_rating: str = "", falling: bool = False
) -> list[Group]:
    """The trusts whose quotes give them the overall rating asked about (all when none do).

    With a key question's rating asked ("outstanding for well-led"), a quote giving that counts,
    and an overall rating only when it is asked too ("overall or for well-led"). For a fall
    ("slipped back to requires improvement"), those whose quotes say the rating went down.
    """
    rated = [
        g
        for g in groups
        if g.trust and any(_gives(p.sentence.quote, rating, domain_rating) for p in g.picks)
    ]
    if not rated:
        return groups
    fell = [g for g in rated if any(_SAYS_FELL.search(p.sentence.quote) for p in g.picks)]
    if (
        rating == LOWER_RATING or falling
    ) and fell:  # "which slipped back": not those first rated lower
        rated = fell
    return rated + [g for g in groups if not g.trust and g.picks]


# A sentence that announces what the next one says ("... set out what 'Towards Outstanding'
# meant in practice.").
_ANNOUNCES = re.compile(
    r"\b(?:set|sets) out (?:what|how|why)\b|\b(?:described|explained|outlined) (?:what|how|why)\b"
    r"[^.]{0,60}\.$",
    re.I,
)
# A next sentence that goes on about the same subject ("They partnered with local bodies").
_CONTINUES = re.compile(
    r"(?:They|It|This|These|He|She)\b(?! (?:is|was|were|are) (?:not )?(?:also )?the)"
)
_PAGE_DATES = re.compile(r"(?:Last )?(?:updated|published|reviewed)\b", re.I)  # a page's dates
_OVERVIEW = re.compile(r"\b(?:overview|summary|introduction|background|about)\b", re.I)


def _items_asked_about(pick: Scored, analysis: QuestionAnalysis) -> Scored:
    """A list quoted with only the items asked about: of the year, or giving the figure.

    "Rating journey: […] 30 November to 4 December 2015 inspection: ... […] Safe was rated
    inadequate; ..." for "which key questions were rated inadequate in 2015", not the
    journey's other years (an item's later sentences go with it); "By June 2017 Donovan was
    reporting that: […] It had recorded a financial surplus for the 18th year running." for
    "how many years of surplus", not her other news.
    """
    sentence = pick.sentence
    pieces = sentence.quote.split(" […] ")
    if len(pieces) != len(pick.part_focus) + 1 or len(pieces) < 3:
        return pick
    if analysis.years and len(pieces) >= 4:
        kept = _items_of_years(pieces, sentence.chunk.text, analysis.years)
    elif analysis.answer_type == FIGURE:
        kept = _items_giving_the_figure(pieces, pick.part_focus, analysis)
    else:
        return pick
    if len(kept) in (1, len(pieces)):
        return pick
    quote = " […] ".join(kept)
    return dataclasses.replace(pick, sentence=dataclasses.replace(sentence, quote=quote))


def _items_of_years(pieces: list[str], text: str, years: Sequence[str]) -> list[str]:
    """The lead-in and the items naming one of the years, each with its later sentences."""
    kept, after = [pieces[0]], -1
    for item in pieces[1:]:
        at = text.find(item, max(after, 0))
        if at < 0:  # changed by a bracket: where it stands is unknown
            after = -1
            continue
        same_line = after >= 0 and at >= after and "\n" not in text[after:at]
        if any(year in item for year in years) or same_line:
            kept.append(item)
            after = at + len(item)
        else:
            after = -1
    return kept


def _items_giving_the_figure(pieces: list[str], shares, analysis: QuestionAnalysis) -> list[str]:
    """The lead-in and the items that give a figure of the kind asked, most on the focus."""
    giving = [
        (item, share)
        for item, share in zip(pieces[1:], shares, strict=True)
        if holds(item, FIGURE, analysis.figure_kind)
    ]
    best = max((share for _, share in giving), default=0.0)
    return [pieces[0]] + [item for item, share in giving if best and share == best]


def _own_weights(weights, trust: str, analysis: QuestionAnalysis, read: dict[str, frozenset]):
    """The focus words that may be about this one of the trusts named.

    "Oxleas's staff survey in 2019 compared with Calderstones's 2014-15 yearbook": only
    the passages read for Calderstones have a yearbook, so Oxleas's lines are not held to it.
    """
    if analysis.scope != NAMED_TRUSTS or trust not in analysis.trusts:
        return weights
    own = own_topics(analysis).get(trust)
    if own:  # "Lincolnshire's core values, NSCHT's priorities": Lincolnshire's values
        mine = set(words_of([own])[0])
        kept = {forms: weight for forms, weight in weights.items() if forms & mine}
        if kept:
            return kept
    others = [read[t] for t in analysis.trusts if t != trust and t in read]
    kept = {
        forms: weight
        for forms, weight in weights.items()
        if forms & read.get(trust, frozenset()) or not any(forms & other for other in others)
    }
    return kept or weights


def _labelled_as_asked(sentence: Sentence, analysis: QuestionAnalysis) -> bool:
    """True for a paragraph's first sentence whose bold label names what a date is asked for.

    "**Publication date.** The CQC publication page gives 3 March 2020" answers "When was
    Sustaining improvement published?".
    """
    if analysis.answer_type != DATE:
        return False
    text = sentence.chunk.text
    line = text[text.rfind("\n", 0, sentence.start) + 1 : sentence.start]
    label = _BOLD_LABEL.fullmatch(line.strip())
    return bool(label) and bool(re.search(r"\bdates?\b", label.group(1), re.I))


_BOLD_LABEL = re.compile(r"(?:\*\*)?([A-Z][^.:*\n]{2,40})[.:](?:\*\*)?")


def _leads_or_took_post(x: Scored, analysis: QuestionAnalysis) -> bool:
    """For a who-question on leading: a line in a leadership section, or on taking the post."""
    leads = _LEADING_VERBS & set(analysis.focus.split())
    return (
        bool(leads)
        and x.sentence.chunk.theme == "leadership"
        or _took_the_post(x.sentence.quote, analysis)
    )


def _took_the_post(quote: str, analysis: QuestionAnalysis) -> bool:
    """For "Who took over as chief executive after its rating?": a line on taking that post.

    The question names a leading post and the line says someone took up one ("Who started
    the coaching programme?" asks for no post).
    """
    return (
        analysis.answer_type == PERSON
        and bool(_TOOK_POST.search(analysis.question))
        and bool(_LEADING_ROLE.search(analysis.question))
        and bool(_TOOK_POST.search(quote))
        and bool(_LEADING_ROLE.search(quote))
    )


def _gives_the_name(quote: str, analysis: QuestionAnalysis) -> bool:
    """For "What was the name of ...?": a line that names a thing outright.

    "... launched the next stage under the name 'Towards Outstanding'", "a scheme called ...".
    """
    if _ASKS_TITLE.search(analysis.question) and _QUOTED_TITLE.search(quote):
        return True  # "What was the press release called?": 'CQC's news item, "Strong ..."'
    return (
        analysis.answer_type == ORGANISATION
        and bool(_ASKS_NAME.search(analysis.question))
        and bool(_GIVES_NAME.search(quote))
    )


_ASKS_NAME = re.compile(r"\bnames? of\b|\bcalled\b|\bwhat did \w+ call\b", re.I)
_ASKS_TITLE = re.compile(r"\b(?:title|titled|headline)\b", re.I)
_QUOTED_TITLE = re.compile(r"[\"“][A-Z][\w'’,:-]*(?:\s+[\w'’,:-]+){3,}[\"”]")
_GIVES_NAME = re.compile(
    r"\b(?:under the (?:name|banner|title)|called|named|known as|branded|titled)\s+"
    r"['‘\"“]?[A-Z]"
)


def _names_whom(quote: str, asked: _Asked) -> bool:
    """For "Who did X merge with?": the asked verb with the organisation after it.

    "On 1 April 2020 it merged with Taunton and Somerset NHS Foundation Trust", not "despite
    merging at the start of a national pandemic".
    """
    if asked.analysis.answer_type != ORGANISATION or not asked.weights:
        return False
    stems = "|".join(re.escape(form) for forms in asked.weights for form in forms if form)
    return bool(
        re.search(rf"\b(?:{stems})\w*\s+(?:with|into|by|to)\s+(?:the\s+)?[A-Z]", quote, re.I)
    )


def _adjacent_joined(picks: list[Scored]) -> list[Scored]:
    """Two picks that follow each other in one paragraph, as one quote in their own order.

    "A monthly Back to Good Board reviewed ..." and "[SHSC] updated a public progress chart
    after each meeting." read as the notes wrote them: the second's "each meeting" is the
    first's.
    """
    joined = list(picks)
    for first in picks:
        for second in picks:
            a, b = first.sentence, second.sentence
            if first not in joined or second not in joined or a.chunk is not b.chunk:
                continue
            gap = a.chunk.text[a.end : b.start]
            if b.start <= a.end or gap.strip() or "\n" in gap or a.text in b.quote:
                continue
            if b.text in a.quote:
                continue  # the first's quote already runs on through the second
            # "[Ify] Okocha thanked" keeps its name; "[SHSC] updated" is "The trust updated"
            # and a quote that brought its next sentence along keeps it
            following = b.quote if _BRACKETS.sub("", b.quote).startswith(b.text) else b.text
            quote = f"{a.quote}{gap}{following}"
            if "[…]" in quote or len(quote.split()) > MAX_QUOTE_WORDS:
                continue  # a list's items, or too long to read as one quote
            longer = dataclasses.replace(a, end=b.end, tokens=a.tokens | b.tokens, quote=quote)
            at = min(joined.index(first), joined.index(second))
            joined = [x for x in joined if x is not first and x is not second]
            joined.insert(at, dataclasses.replace(first, sentence=longer))
    return joined


_BRACKETS = re.compile(r"\[[^\]]*\] ?")


# A question about the seven only: "which of the seven", "which of the featured trusts".
_OF_THE_SEVEN = re.compile(
    r"\b(?:of )?(?:the|these|those) (?:seven|7|featured|mental health|case[- ]study)\b", re.I
)


def _asks_who_is_in(analysis: QuestionAnalysis) -> bool:
    """True for "Which of the seven trusts did the Sustaining improvement work revisit?"."""
    return analysis.answer_type == WHICH_TRUST and bool(_IS_IN.search(analysis.question))


# What a publication does with the trusts it is about.
_IS_IN = re.compile(
    r"\b(?:revisit\w*|go(?:ne)? back|went back|return\w*|cover\w*|feature\w*|includ\w*|"
    r"profil\w*|stud(?:y|ied)|select\w*|chose|choose|chosen|look(?:ed)? at|visit\w*|"
    r"examin\w*|appear\w*|describ\w*|follow\w* up|case stud(?:y|ies))\b",
    re.I,
)


def _about_trusts_only(analysis: QuestionAnalysis) -> bool:
    """True when a question names trusts and asks nothing more specific about them."""
    return (
        analysis.scope in (ONE_TRUST, NAMED_TRUSTS)
        and not analysis.focus
        and not (analysis.themes or analysis.years or analysis.names or analysis.speaker)
    )


# "What was the collection for?", "What is the series about?", "the purpose of ...".
_ASKS_WHAT_IT_IS = re.compile(
    r"^\W*what (?:is|was|are|were)\b[^?]*\b(?:for|about)\b\s*(?:[,?]|$)"
    r"|\bwhat (?:is|was) (?:the )?(?:purpose|point|aim) of\b|\bwhy did \w+ (?:publish|produce)\b",
    re.I,
)
# A line saying what a publication is: "'X' was CQC's contribution to ...", "X is a series".
_DEFINES = re.compile(
    r"^[^,;:]{0,90}?\b(?:is|was|are|were)\b"
    r"|\b(?:contribution|to mark|to celebrate|purpose|aims? to)\b",
    re.I,
)


def _asks_make_up(analysis: QuestionAnalysis) -> bool:
    """True for which or how many trusts the report features, or why they were chosen."""
    return (
        analysis.scope == REPORT
        and not (analysis.trusts or analysis.documents or analysis.years)
        and asks_make_up(analysis.question)
    )


# Why the report's trusts were chosen: "visited seven ... that had achieved significant
# improvements in their ratings", "went to seven ... whose ratings had gone up markedly".
_CHOSEN = re.compile(r"\bseven\b[^.]*\btrusts\b[^.]*\b(?:improve\w*|ratings? had)\b", re.I)


def _names_the_trusts(text: str) -> bool:
    """True for a sentence that names at least five of the seven trusts."""
    lowered = text.lower()
    return sum(any(alias in lowered for alias in trust.aliases) for trust in TRUSTS) >= 5


def _asks_what_the_trust_is(analysis: QuestionAnalysis) -> bool:
    """True for where a trust is, whom it serves or what it runs: its overview answers that."""
    return (
        analysis.scope in (ONE_TRUST, NAMED_TRUSTS, ALL_TRUSTS)
        and not (analysis.years or analysis.names)
        and bool(_WHAT_THE_TRUST_IS.search(analysis.question))
    )


# A sentence on where a trust is, whom it serves or what it runs.
_PROFILE = re.compile(
    r"\b(?:based (?:at|in)|located|headquartered|serves?|served|covered|covers|catchment|"
    r"population|"
    r"boroughs?|county|runs|ran|provides?|provided)\b",
    re.I,
)
_WHAT_THE_TRUST_IS = re.compile(
    r"\bwhere (?:is|was|are|were)\b[^?]*\b(?:based|located|headquartered)\b"
    r"|\bwhat (?:areas?|region|county|counties|population|places|communities|people)\b"
    r"[^?]*\bserve[sd]?\b"
    r"|\bwho (?:does|did|do)\b[^?]*\bserve\b"
    r"|\bwhat (?:services|kind of services|care)\b[^?]*\b(?:provide|run|offer)s?\s*\?*$"
    r"|\bwhat (?:kind|sort|type) of (?:trust|organisation)\b",
    re.I,
)


def _strongest_first(
    groups: list[Group], ratio: float = 0.8, rarest: frozenset[str] = frozenset()
) -> list[Group]:
    """For "which trusts" questions: trusts whose evidence is near the strongest, best first.

    A trust whose line holds the question's weightiest word ("overseas" in "which drew on
    overseas models", and so "USA") is kept however weak its line's score.
    """
    found = [g for g in groups if g.picks and g.trust]
    if not found:
        return groups

    def strength(group: Group) -> float:  # its best line ("what was done" may lead, weaker)
        return max([group.strength, *(p.score for p in group.picks)])

    def names_it(group: Group) -> bool:
        return any(rarest & p.sentence.tokens for p in group.picks)

    best = max(strength(g) for g in found)
    kept = sorted(
        (
            g
            for g in found
            if strength(g) >= ratio * best or names_it(g) and strength(g) >= best / 2
        ),
        key=lambda g: -strength(g),
    )
    return kept + [g for g in groups if not g.trust and g.picks]


def text_before(index: Index):
    """A function giving the text of the passage before a passage in the same document."""
    by_place = {(c.doc_id, c.ordinal): c for c in index.chunks.values()}

    def earlier(chunk: Chunk) -> str:
        previous = by_place.get((chunk.doc_id, chunk.ordinal - 1))
        return previous.text if previous is not None else ""

    return earlier


def given_names_of(index: Index):
    """A function giving the surname -> given names of the people a passage's document names."""
    by_doc: dict[str, list[Chunk]] = {}
    found: dict[str, dict[str, str]] = {}

    def of(chunk: Chunk) -> dict[str, str]:
        if not by_doc:  # grouped on first use, not when the index opens
            grouped: dict[str, list[Chunk]] = {}
            for c in sorted(index.chunks.values(), key=lambda c: c.ordinal):
                grouped.setdefault(c.doc_id, []).append(c)
            by_doc.update(grouped)  # whole at once: a second thread at most redoes it
        if chunk.doc_id not in found:
            found[chunk.doc_id] = given_names(c.text for c in by_doc.get(chunk.doc_id, []))
        return found[chunk.doc_id]

    return of


def _split_by_source(chosen: Group, skip: Sequence[Scored] = ()) -> list[Group]:
    """The chosen sentences of a report-level answer, grouped by trust or document.

    A report's sentence about one trust ("At NSCHT, CQC reported …") goes under that trust.
    """
    shown = {(x.sentence.chunk.id, x.sentence.start) for x in skip}
    groups: dict[str, Group] = {}
    for pick in chosen.picks:
        if (pick.sentence.chunk.id, pick.sentence.start) in shown:
            continue
        trust = sentence_trust(pick.sentence)
        label = trust or group_label(pick.sentence.chunk)
        groups.setdefault(label, Group(label, trust)).picks.append(pick)
    return list(groups.values()) or ([chosen] if not skip else [])


def _publication_pools(passages: Sequence[Passage]) -> list[tuple[str, str, list[Chunk]]]:
    """A group per companion publication retrieved, under its own title.

    "Did any of the trusts use SPC charts?": the Sustaining improvement notes say "all four
    trusts" did; under the report's heading a reader would take them for the seven.
    """
    found: dict[str, list[Chunk]] = {}
    for passage in passages:
        chunk = passage.chunk
        if not chunk.trust and chunk.doc_kind not in _REPORT_KINDS:
            found.setdefault(group_label(chunk), []).append(chunk)
    return [(label, "", chunks) for label, chunks in found.items()]


def _publications_only_alone(groups: list[Group]) -> list[Group]:
    """Companion publications' groups only when no trust's or the report's has an answer.

    "How did the trusts react?" is about the seven: the acute report's trusts would be
    padding. "Did any of the trusts use SPC charts?" has only the revisits' answer.
    """
    others = [g for g in groups if g.trust or g.label == ACROSS_REPORT]
    if any(g.picks for g in others):
        return others
    # alone, a publication's line must hold most of the question's words: "car parking" is
    # not answered by "Heatherwood and Wexham Park"
    return others + [g for g in groups if g not in others and any(x.focus >= 0.5 for x in g.picks)]


def sentence_trust(sentence: Sentence) -> str:
    """The trust a sentence is about: its passage's, its item label's, or the one it names."""
    if sentence.trust or sentence.chunk.trust:
        return sentence.trust or sentence.chunk.trust
    named = trusts_in_text(sentence.text)
    return trust_by_key(named[0]).name if len(named) == 1 else ""


# Words of a question that asks for the report's findings as a whole, not about one topic.
_OVERVIEW_WORDS = frozenset(
    re.findall(
        r"\S+",
        "made make makes difference key main findings finding lessons lesson advice advise "
        "improving improve improved improvement improvements help helped helps worked work works "
        "take takes took drove drive drives driving success successful factors factor common "
        "features themes theme learn learned learnt learning give gives say says found find "
        "finds conclude concluded conclusions recommend recommends recommendations other trusts "
        "report overall summary summarise summarize raise raised standards good outstanding "
        "become became requires cqc single one biggest big thing things most important "
        "differently secret secrets draw draws drew teach teaches taught enablers enabler "
        "messages message takeaways takeaway identified identify identifies highlighted "
        "highlight highlights mental health seven nhs top copy replicate borrow emulate "
        "first year",
    )
)


def _wants_overview(analysis: QuestionAnalysis) -> bool:
    """An overview question about the report or about what the trusts did, not which did."""
    if analysis.scope == ALL_TRUSTS and analysis.answer_type == WHICH_TRUST:
        return False
    return analysis.scope in (REPORT, ALL_TRUSTS) and asks_for_overview(analysis)


def asks_for_overview(analysis: QuestionAnalysis) -> bool:
    """True for "What made the difference?" or "What are the report's key lessons?".

    The question is about the report, names no trust, theme, person or year, and every word
    of its focus is one of the words such questions are made of.
    """
    words = analysis.focus.lower().split()
    of_the_report = set(analysis.years) <= {str(REPORT_YEAR)}  # "its 2018 report": the report
    return (
        not (analysis.trusts or analysis.themes or analysis.names)
        and of_the_report
        and not analysis.documents  # "Which themes did the acute report have?": its own
        and analysis.answer_type not in (FIGURE, DATE, PERSON)  # "How many trusts ...?"
        and bool(words)
        and all(word.strip("'’") in _OVERVIEW_WORDS for word in words)
    )


def group_label(chunk: Chunk) -> str:
    """The heading an answer groups a passage under: its trust, or the report it comes from."""
    if chunk.trust:
        return chunk.trust
    if chunk.doc_kind in _REPORT_KINDS:
        return REPORT_LEVEL
    return chunk.title


@dataclass
class Layout:
    """The composed answer: text, citation numbers and quotes per passage."""

    text: str
    numbers: dict[str, int]
    quotes: dict[str, list[str]]
    provenance: dict[str, list[str]]
    chunks: dict[str, Chunk]


def merged(answers: list[list[Group]]) -> list[Group]:
    """Groups of a question's parts as one answer: per label, each part's picks in turn.

    A sentence already chosen for an earlier part is not repeated.
    """
    by_label: dict[tuple[str, str], Group] = {}
    for groups in answers:
        for group in groups:
            key = (group.label, group.trust)
            if key not in by_label:
                by_label[key] = Group(group.label, group.trust, missing=group.missing)
            into = by_label[key]
            fresh = [
                p
                for p in group.picks
                if not any(_same_words(p.sentence, q.sentence) for q in into.picks)
            ]
            into.picks += fresh
            if into.picks:
                into.missing = ""
    return list(by_label.values())


def compose(lead: str, groups: list[Group], missing_lines: bool, headed: bool) -> Layout:
    """Write the answer: the lead line, then each group's quotes with [n] and where they are from.

    Args:
        lead: The line that states the answer's shape.
        groups: Groups in display order (empty ones are skipped or named).
        missing_lines: Name groups with nothing under their heading (comparisons).
        headed: Put each group under its label (always, unless one trust was asked about).

    """
    layout = Layout(lead, {}, {}, {}, {})
    lines = [lead]
    with_picks = [g for g in groups if g.picks]
    headed = (
        headed
        or len(with_picks) > 1
        or bool(with_picks and with_picks[0].label != with_picks[0].trust)
    )
    for group in groups:
        if not group.picks and not missing_lines:
            continue
        lines.append("")
        if headed:
            lines.append(f"**{group.label}**")
        if not group.picks:
            lines.append(
                f"- The documents say nothing on this for {short_trust_name(group.label)}."
            )
        for pick in group.picks:
            lines.append(_cite(layout, pick.sentence, pick.label))
    layout.text = "\n".join(lines)
    return layout


def _cite(layout: Layout, sentence: Sentence, label_first: str = "") -> str:
    chunk = sentence.chunk
    number = layout.numbers.setdefault(chunk.id, len(layout.numbers) + 1)
    layout.quotes.setdefault(chunk.id, []).append(sentence.quote)
    layout.chunks[chunk.id] = chunk
    label = provenance(chunk.urls_at(sentence.start), chunk.doc_kind)
    if label not in layout.provenance.setdefault(chunk.id, []):
        layout.provenance[chunk.id].append(label)
    named = f"**{label_first}** — " if label_first else ""
    return f"- {named}{sentence.quote} [{number}] · {label}"

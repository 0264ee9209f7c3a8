"""The assistant: condense -> retrieve -> answer (extractive or LLM) -> verified citations."""

from __future__ import annotations

import dataclasses
import difflib
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant import _extractive as extractive
from assistant import _llm as llm
from assistant._analysis import (
    FIGURE,
    MONTHS_PATTERN,
    NAMED_TRUSTS,
    ONE_TRUST,
    PERSON,
    RATING_PATTERN,
    RATINGS,
    REPORT,
    WHICH_TRUST,
    QuestionAnalysis,
    analyse,
    question_parts,
)
from assistant._answerability import (
    Speller,
    absent_subjects,
    lead_line,
    mend,
    missing_text,
    placed,
)
from assistant._conversation import condense
from assistant._grounding import instruction_like, quoted_pages, shown_label
from assistant._provenance import merge_labels, provenance
from assistant._retrieval import Query, Retrieved, plan_query, retrieve, vocabulary_coverage
from assistant._sentences import SentenceBank, person_names, short_trust_name, spoken_by
from assistant._themes import evidence_counts, short_quote, theme_examples
from assistant._types import CLOSEST_HEADING, AnswerResult, Citation, Passage, document_fields
from corpus import (
    THEMES,
    TRUSTS,
    Trust,
    clean_control_chars,
    indexed_trusts,
    named_trusts,
    resolve_theme,
    resolve_trust,
    trust_by_key,
)
from dia.errors import BadQuestion, DiaError, UnknownFilter
from dia.settings import Settings
from index import Chunk, Embedder, Index, VectorStore, idf_table, tokenize, trusts_of

if TYPE_CHECKING:
    import numpy as np

MAX_QUESTION_CHARS = 2000
_WHY = re.compile(r"^\s*why\b", re.I)
_RATING_WORDS = re.compile(
    r"\b(?:rated|rating|ratings|inadequate|outstanding|requires improvement|downgraded|"
    r"special measures)\b",
    re.I,
)
ABSTAIN_TEXT = (
    "The documents do not cover this. Nothing in them answers the question well enough to "
    "quote, so no answer is given."
)


def clean_question(question: str) -> str:
    """Validate and tidy a question.

    Raises:
        BadQuestion: Empty, whitespace only, or longer than 2,000 characters.

    """
    if question is None or not str(question).strip():
        raise BadQuestion("The question is empty. Type a question about the case studies.")
    text = " ".join(clean_control_chars(str(question)).split())
    if not text:
        raise BadQuestion("The question holds only control characters. Type a question.")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(
            f"The question is {len(text):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Shorten it to the part you want answered."
        )
    return text


def resolve_filters(
    trust: str | None, theme: str | None, others: Sequence[Trust] = ()
) -> tuple[str | None, str | None]:
    """Turn user-typed trust and theme filters into a full trust name and a theme key.

    Args:
        trust: A trust's name or short form, or None.
        theme: A theme's key, label or alias, or None.
        others: Trusts the index holds besides the seven (they are valid filters too).

    Raises:
        UnknownFilter: The filter names no trust or theme; the message lists valid ones.

    """
    trust_name = None
    theme_key = None
    if trust and trust.strip():
        trust_name = _trust_filter(trust, others)
    if theme and theme.strip():
        theme_key = resolve_theme(theme)
        if theme_key is None:
            labels = "; ".join(t.label for t in THEMES)
            raise UnknownFilter(f"'{theme}' is not one of the nine themes. Try one of: {labels}.")
    return trust_name, theme_key


def _trust_filter(typed: str, others: Sequence[Trust]) -> str:
    """The full name of the trust a filter names: one of the seven or an indexed other."""
    key = resolve_trust(typed)
    if key is not None:
        return trust_by_key(key).name
    found = named_trusts(typed, others)
    if len(found) == 1:
        return found[0]
    names = ", ".join([t.aliases[0].title() for t in TRUSTS] + [t.name for t in others])
    which = "the trusts in the index" if others else "the seven trusts"
    raise UnknownFilter(f"'{typed}' is not one of {which}. Try one of: {names}.")


@dataclass
class PipelineState:
    """What flows through condense -> retrieve -> answer for one question."""

    question: str
    history: list[str]
    filters: tuple[str | None, str | None]
    k: int
    index: Index
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    standalone: str = ""
    analysis: QuestionAnalysis | None = None
    query: Query | None = None
    retrieved: Retrieved | None = None
    ratings: tuple[list[Passage], np.ndarray | None] | None = None  # retrieved once, if asked


@dataclass
class Assistant:
    """Answers questions from the index with verified citations.

    Build it once per process; it reopens the index when another process has rebuilt it.

    Attributes:
        settings: Settings in force.
        chat_model: Optional LangChain chat model (else built from DIA_LLM, else extractive).

    """

    settings: Settings
    index: Index | None = None
    store: VectorStore | None = None
    embedder: Embedder | None = None
    chat_model: object | None = None
    scoring: extractive.Scoring = field(default_factory=extractive.Scoring)
    _idf: dict[str, float] | None = None
    _speller: Speller | None = None
    _others: tuple[Trust, ...] = ()
    _composer: extractive.Composer | None = None
    _chain: object | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self) -> Index:
        """Open (or reopen when another process switched it) the index; thread-safe."""
        with self._lock:
            if self.index is None or self.index.is_stale():
                self.index = Index.open(self.settings, store=self.store, embedder=self.embedder)
                self._idf = idf_table(self.index.bm25)
                self._speller = Speller(self._idf, self.index.bm25.knows)
                self._others = indexed_trusts(trusts_of(self.index.chunks.values()))
                self._composer = extractive.Composer(
                    self.index,
                    SentenceBank(
                        extractive.text_before(self.index), extractive.given_names_of(self.index)
                    ),
                    self._idf,
                    self.scoring,
                    max_sentences=self.settings.answer_max_sentences,
                )
            if self.chat_model is None and self.settings.llm:
                self.chat_model = llm.make_chat_model(self.settings)
            return self.index

    def warm_up(self) -> int:
        """Embed every sentence of the index once, so no answer waits for it; how many were.

        Sentences are otherwise embedded when a question first reads them (all of them take
        about 4 s on two cores). The chat UI runs this in the background; `dia eval` and
        `dia bench` run it before timing answers.
        """
        self.open()
        return self._composer.embed_sentences()

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        trust: str | None = None,
        theme: str | None = None,
        k: int | None = None,
    ) -> AnswerResult:
        """Answer one question.

        Args:
            question: The user's question.
            history: Earlier questions of the same conversation, oldest first.
            trust: Optional trust filter (name or short form).
            theme: Optional theme filter (key, label or alias).
            k: Passages to answer from (default: settings.top_k).

        Raises:
            BadQuestion, UnknownFilter: Bad input.
            IndexNotBuilt, IndexMismatch, IndexCorrupt: The index cannot serve.

        """
        question = clean_question(question)
        earlier = [clean_question(h) for h in history if h and str(h).strip()]
        index = self.open()
        state = PipelineState(
            question=question,
            history=earlier,
            filters=resolve_filters(trust, theme, self._others),
            k=k or self.settings.top_k,
            index=index,
        )
        return self.chain().invoke(state)

    def chain(self):
        """The pipeline as a LangChain runnable: condense | retrieve | answer."""
        if self._chain is None:
            from langchain_core.runnables import RunnableLambda

            self._chain = (
                RunnableLambda(self._condense_step, name="condense")
                | RunnableLambda(self._retrieve_step, name="retrieve")
                | RunnableLambda(self._answer_step, name="answer")
            )
        return self._chain

    def _condense_step(self, state: PipelineState) -> PipelineState:
        started = time.perf_counter()
        if state.history and self.chat_model is not None:
            standalone = llm.condense_with_llm(self.chat_model, state.question, state.history)
        else:
            standalone = condense(state.question, self._answered_history(state), self._others)
        state.standalone = mend(standalone, self._speller) if self._speller else standalone
        state.timings["condense"] = _ms(started)
        return state

    def _answered_history(self, state: PipelineState) -> list[str]:
        """The history, a which-trust question's answer named when later turns lean on it.

        "Which of the seven only provided learning disability services?" then "What happened
        to it after it got rated good?": "it" is one trust, the one the first answer leads
        with (Calderstones), which the first question does not name. That question is
        answered again on its own (no history, the same theme filter; one pipeline more,
        never nested) and the trust carried over. The which-trust question may sit a turn or
        two further back when each turn since leans on it ("Who was running it then?"). A
        plural "they", a turn naming a trust or a trust filter carries nothing.
        """
        history = list(state.history)
        trust, theme = state.filters
        book = (*TRUSTS, *self._others)
        if trust or named_trusts(state.question, book) or not _LEANS_BACK.search(state.question):
            return history
        asked = self._which_trust_asked(history, book)
        if asked is None or (
            asked == len(history) - 1 and not _ONE_LEANED_ON.search(state.question)
        ):
            return history  # right after "which trusts ...?", "they" are several
        answered = self.ask(history[asked], theme=theme, k=state.k)
        names = {t.name for t in book}
        named = [c.trust for c in answered.citations if c.trust in names]
        if answered.abstained or not named:
            return history
        history[asked] = f"{history[asked].rstrip(' ?')} ({named[0]})?"
        return history

    def _which_trust_asked(self, history: list[str], book: Sequence[Trust]) -> int | None:
        """Where the which-trust question the last turns lean on sits (at most 3 back)."""
        for at in range(len(history) - 1, max(len(history) - 4, -1), -1):
            earlier = history[at]
            if named_trusts(earlier, book):
                return None
            if analyse(earlier, None, self._others).answer_type == WHICH_TRUST:
                return at
            if not _ONE_LEANED_ON.search(earlier):
                return None  # "What is a ligature heat map?": a turn on something else
        return None

    def _retrieve_step(self, state: PipelineState) -> PipelineState:
        started = time.perf_counter()
        trust, theme = state.filters
        analysis = placed(analyse(state.standalone, trust, self._others), state.index)
        state.analysis = self._composer.publications.on(analysis)
        state.query = plan_query(state.standalone, trust, theme)
        state.query.trusts = list(state.analysis.trusts)
        state.retrieved = retrieve(state.index, state.query, self.settings, state.k)
        state.timings["retrieve"] = _ms(started)
        return state

    def _answer_step(self, state: PipelineState) -> AnswerResult:
        started = time.perf_counter()
        reason = self._unanswerable(state)
        groups: list[extractive.Group] = []
        correction = ""
        if not reason:
            top = state.retrieved.passages[: max(state.k, 10)]
            groups = self._groups(state, top)
            if not any(g.picks for g in groups):
                gaps = [g for g in groups if g.missing]
                reason = missing_text(state.analysis, *gaps) if gaps else ABSTAIN_TEXT
                instead, correction = self._premise_instead(state, top)
                if instead:
                    groups, reason = instead, ""
                elif correction:
                    reason = correction  # no ratings to show: the line alone
        if reason:
            result = self._abstain(state, reason)
        elif self.chat_model is not None:
            result = self._llm_answer(state, groups) or self._abstain(state, ABSTAIN_TEXT)
        else:
            result = self._extractive_answer(state, groups, correction)
        result.timings_ms["answer"] = _ms(started)
        result.timings_ms["total"] = _ms(state.started)
        return result

    def _groups(self, state: PipelineState, top: list[Passage]) -> list[extractive.Group]:
        """The answer's groups; for a two-part question, each part's picks in turn.

        "Who led Calderstones' turnaround and what was the outcome at the 2016 inspection?"
        is answered part by part; a part that names no trust is about the first part's.
        """
        composer = self._composer
        trust = state.filters[0]
        asked = question_parts(state.analysis.question)
        if len(asked) > 1 and state.analysis.scope == REPORT:
            asked = [asked[0], *(_report_named(part, asked[0]) for part in asked[1:])]
        parts = [analyse(part, trust, self._others) for part in asked] if len(asked) > 1 else []
        if parts and _stands_alone(parts[1], state.analysis):
            return extractive.merged([self._part_groups(state, part) for part in parts])
        if parts and parts[0].answer_type == PERSON:  # "Who led it, and where did he go?"
            first = self._part_groups(state, parts[0])
            named = _with_the_person(asked[1], first)
            if named:
                second = analyse(named, trust, self._others)
                return extractive.merged([first, self._part_groups(state, second)])
        whole = _trusted(
            composer.groups(state.analysis, top, state.retrieved.vector), composer.bank
        )
        if not parts:
            return whole
        # "Why was Oxleas rated requires improvement, and what did CQC tell it to fix?": the
        # first part on its own, the second with the first (the whole question, retrieved)
        return extractive.merged([self._part_groups(state, parts[0]), whole])

    def _part_groups(self, state: PipelineState, analysis) -> list[extractive.Group]:
        """One part's groups, from its own retrieval; a part naming no trust is the first's."""
        composer = self._composer
        trust, theme = state.filters
        part = analysis.question
        analysis = composer.publications.on(analysis)
        if not analysis.trusts and state.analysis.trusts:
            analysis = dataclasses.replace(
                analysis, trusts=state.analysis.trusts, scope=state.analysis.scope
            )
        elif (
            not (analysis.trusts or analysis.documents)
            and state.analysis.documents
            and _LEANS_BACK.search(part)
        ):
            # "... and how many trusts did it cover?": the publication the first part named
            analysis = dataclasses.replace(
                analysis, documents=state.analysis.documents, scope=state.analysis.scope
            )
        query = plan_query(part, trust, theme)
        query.trusts = list(analysis.trusts)
        retrieved = retrieve(state.index, query, self.settings, state.k)
        passages = retrieved.passages[: max(state.k, 10)]
        return _trusted(composer.groups(analysis, passages, retrieved.vector), composer.bank)

    def _unanswerable(self, state: PipelineState) -> str:
        """Why the documents cannot answer ('' when they may)."""
        retrieved, analysis = state.retrieved, state.analysis
        if not retrieved.passages:
            return ABSTAIN_TEXT
        absent = absent_subjects(analysis, state.index, set(self._idf or {}))
        absent = absent or self._composer.publications.silent_on(analysis)
        if absent:
            return absent
        coverage, unknown = vocabulary_coverage(state.index, analysis.focus or state.standalone)
        unheard = _only_unknown_topic(analysis.focus, unknown, self._idf or {})
        unheard = unheard or _unknown_kind(
            analysis.question, state.index.bm25.knows, self._idf or {}
        )
        if unheard:  # "What role did governors play?": the documents never say "governors"
            return f"The documents do not mention {unheard}."
        # About a trust the documents cover, one known topic word is enough to look further
        # ("merge into bigger trusts": "bigger" is no word of theirs, "merge" is)
        floor = min(self.settings.abstain_min_coverage, 0.5) if analysis.trusts else None
        if coverage < (floor if floor is not None else self.settings.abstain_min_coverage):
            return ABSTAIN_TEXT
        if self.settings.retriever != "bm25" and (
            retrieved.best_dense < self.settings.abstain_threshold
            # "What is meant by outward looking?", "What did Jane Ray say?": a theme, or a
            # name the documents hold (absent ones were turned away above), is theirs
            and not (state.analysis.themes or state.analysis.names)
            # "did any of the seven rewrite their vision or values?": every topic word theirs,
            # the asking only phrased far from how they put it
            and not (
                coverage == 1.0
                and analysis.focus.strip()
                and retrieved.best_dense >= self.settings.abstain_known_words_threshold
            )
        ):
            return ABSTAIN_TEXT
        return ""

    def _premise_instead(
        self, state: PipelineState, top: list[Passage]
    ) -> tuple[list[extractive.Group], str]:
        """What the documents do say, for a question whose premise they do not bear out.

        "Why did its rating fall in 2019?" gets the trust's 2019 ratings; "Why did it close
        in 2014?" gets what they say on its closing, whatever the year.

        Returns:
            The groups to show (empty when nothing fits) and the line that says what is not so.

        """
        analysis = state.analysis
        status = self._status_not_so(state, [])
        if status[1]:
            return status
        attempts = []
        asks_a_value = analysis.answer_type in (PERSON, FIGURE)  # "Who was ... when rated good?"
        if analysis.trusts and _RATING_WORDS.search(analysis.question) and not asks_a_value:
            rated = dataclasses.replace(analysis, focus=extractive.RATINGS_FOCUS)
            attempts.append((rated, "focus", True))
            if analysis.years and _asserted_rating(analysis):
                # "Why was it rated inadequate in 2016?": its ratings, whatever the years
                attempts.append((dataclasses.replace(rated, years=()), "focus", True))
        if analysis.years and _WHY.match(analysis.question):
            # "Why was it put in special measures in 2016?": first what is told of that, in
            # its own year; a rating asserted ("rated inadequate in 2016") by the ratings
            at = len(attempts) if _asserted_rating(analysis) else 0
            attempts.insert(at, (dataclasses.replace(analysis, years=()), "year", False))
        for attempt, why, of_ratings in attempts:
            passages, vector = (
                self._rating_passages(state) if of_ratings else (top, state.retrieved.vector)
            )
            groups = _trusted(self._composer.groups(attempt, passages, vector), self._composer.bank)
            if any(g.picks for g in groups):
                gaps = [extractive.Group(g.label, g.trust, missing=why) for g in groups]
                unrated = _rating_unsaid(analysis, groups) and _rating_not_so(analysis)
                return groups, unrated or missing_text(analysis, *gaps)
        return [], ""

    def _with_reasons_for_the_rating(
        self, state: PipelineState, groups: list[extractive.Group]
    ) -> list[extractive.Group]:
        """The rating lines, then why the trust was given the rating it was given.

        "Why was Oxleas rated inadequate in 2016?": it was rated requires improvement, and the
        answer goes on to why it was rated that.
        """
        analysis = state.analysis
        asserted = _asserted_rating(analysis)
        picks = [pick for group in groups for pick in group.picks]
        given = (
            re.search(rf"\b{RATING_PATTERN}\b", picks[0].sentence.quote, re.I) if picks else None
        )
        if not (_WHY.match(analysis.question) and asserted and given):
            return groups
        rating = given.group(0).lower()
        if rating == asserted or rating not in ("requires improvement", "inadequate"):
            return groups  # why a trust was rated good is told by what improved
        asked = re.sub(
            rf"\b{re.escape(asserted)}\b", rating, analysis.question, count=1, flags=re.I
        )
        real = analyse(asked, state.filters[0], self._others)
        top = state.retrieved.passages[: max(state.k, 10)]
        reasons = self._composer.groups(real, top, state.retrieved.vector)
        return extractive.merged([groups, _trusted(reasons, self._composer.bank)])

    def _extractive_answer(
        self, state: PipelineState, groups, correction: str = ""
    ) -> AnswerResult:
        analysis = state.analysis
        if not correction:
            groups, correction = self._premise_checked(state, groups)
        if correction:
            groups = self._with_reasons_for_the_rating(state, groups)
            if not any(g.picks for g in groups):
                return self._abstain(state, correction)  # nothing else to say
        correction = correction or _speaker_not_quoted(analysis, groups)
        lead = lead_line(analysis, groups)
        if correction:
            lead = f"{correction} What they do say:"
        layout = extractive.compose(
            lead,
            groups,
            missing_lines=analysis.scope == NAMED_TRUSTS,
            headed=analysis.scope != ONE_TRUST,
        )
        citations = [
            _citation(
                n,
                layout.chunks[chunk_id],
                layout.quotes[chunk_id],
                layout.provenance,
                state.index,
            )
            for chunk_id, n in layout.numbers.items()
        ]
        result = self._result(state, layout.text, citations, abstained=False)
        self._set_coverage(result, analysis, groups)
        if correction:
            result.coverage, result.missing = "partial", [correction]
        return result

    def _premise_checked(
        self, state: PipelineState, groups: list[extractive.Group]
    ) -> tuple[list[extractive.Group], str]:
        """The groups, or the trust's ratings, and a line when a rating premise is not so.

        "Why did its rating fall in 2019?" and "Why was Somerset rated inadequate in 2017?"
        are answered, when no quote bears them out, by what the ratings were.
        """
        analysis = state.analysis
        status = self._status_not_so(state, groups)
        if status[1]:
            return status  # "Did Oxleas ever go into special measures?"
        part = _FOR_A_PART.search(analysis.question) if analysis.trusts else None
        if part and not self._given_anywhere(analysis, part.group(1).lower()):
            who = " or ".join(short_trust_name(t) for t in analysis.trusts)
            return (
                groups,
                f"The documents do not say any part of {who} was rated {part.group(1).lower()}.",
            )
        held = self._hold_not_borne_out(state)
        if held[1]:
            return held  # "Sheffield has held on to its good rating since 2017 - why?"
        dated = self._dated_premise_not_so(state, groups)
        if dated[1]:
            return dated  # "NSCHT was rated outstanding back in February 2017 - ..."
        if self._premise_in_notes(analysis):
            return groups, ""  # "when it was rated good in 2017": the notes say so somewhere
        correction = _rating_not_borne_out(analysis, groups)
        if correction:
            return groups, correction
        fell = _fall_not_borne_out(analysis, groups)
        unsaid = _rating_unsaid(analysis, groups)
        if not (fell or unsaid):
            return groups, ""
        ratings = self._ratings_instead(state)
        if fell:
            return ratings or groups, fell
        correction = _rating_not_borne_out(analysis, ratings) if ratings else ""
        return (ratings, correction) if correction else (groups, "")

    def _status_not_so(
        self, state: PipelineState, groups: list[extractive.Group]
    ) -> tuple[list[extractive.Group], str]:
        """A line, when a question says a trust was in special measures and its notes do not.

        "Did Oxleas ever get special measures?" is answered by its ratings, after a plain line
        that the documents do not say so. "Were Oxleas or Sheffield in special measures?"
        keeps Sheffield's lines and says what is not said of Oxleas. A year asked ("in 2016")
        is held to: the status must be told with that year.
        """
        analysis = state.analysis
        if not (analysis.trusts and _PUT_IN_SPECIAL_MEASURES.search(analysis.question)):
            return [], ""  # "What could a trust in special measures learn from Oxleas?"
        unsaid = [t for t in analysis.trusts if not self._told_of(t, analysis.years)]
        if not unsaid:
            return [], ""
        when = f" in {' or '.join(analysis.years)}" if analysis.years else ""
        who = " or ".join(short_trust_name(t) for t in unsaid)
        line = f"The documents do not say {who} was put in special measures{when}."
        told = [g for g in groups if g.picks and g.trust not in unsaid]
        if len(unsaid) < len(analysis.trusts) and told:
            return told, line
        return self._told_in_other_years(state, unsaid) or self._ratings_instead(state), line

    def _told_in_other_years(
        self, state: PipelineState, unsaid: list[str]
    ) -> list[extractive.Group]:
        """What the notes tell of special measures, whatever the year, when a year was asked."""
        analysis = state.analysis
        if not analysis.years or not all(self._told_of(t, ()) for t in unsaid):
            return []
        undated = dataclasses.replace(analysis, years=())
        top = state.retrieved.passages[: max(state.k, 10)]
        groups = self._composer.groups(undated, top, state.retrieved.vector)
        groups = _trusted(groups, self._composer.bank)
        return groups if any(g.picks for g in groups) else []

    def _told_of(self, trust: str, years: Sequence[str]) -> bool:
        """True when a sentence of the trust's notes tells of special measures (in a year asked)."""
        return any(
            _SPECIAL_MEASURES.search(x.quote) and (not years or any(y in x.quote for y in years))
            for x in self._composer.sentences_of(trust)
        )

    def _dated_premise_not_so(
        self, state: PipelineState, groups: list[extractive.Group]
    ) -> tuple[list[extractive.Group], str]:
        """The ratings, and a line, when a premise's rating was given, but not in its year.

        "NSCHT was rated outstanding back in February 2017 - which key questions ...?": it
        was rated outstanding in 2019, not 2017. The groups stay when they already tell
        ratings; else the trust's ratings are shown.
        """
        analysis = state.analysis
        points = tuple(_IN_A_YEAR.findall(analysis.question))  # "in 2017", not "by 2018"
        if analysis.years or not points or not _asserted_rating(analysis):
            return [], ""
        dated = dataclasses.replace(analysis, years=points)
        if not self._premise_in_notes(analysis) or self._premise_in_notes(dated):
            return [], ""
        told = any(_gives(groups, rating) for rating in RATINGS)
        return (groups if told else self._ratings_instead(state) or groups), _rating_not_so(dated)

    def _hold_not_borne_out(self, state: PipelineState) -> tuple[list[extractive.Group], str]:
        """The trust's later, lower ratings, for a question saying it kept a good rating.

        "Sheffield has held on to its good rating since the 2017 upgrade - what's kept it
        there?" gets its 2018 and 2020 ratings, and a line saying the premise is not so.
        """
        analysis = state.analysis
        held = _HELD_RATING.search(analysis.question)
        if not (held and analysis.trusts):
            return [], ""
        lower = []
        rating = held.group("rating").lower()
        ratings = self._ratings_instead(state)
        quotes = [p.sentence.quote for g in ratings for p in g.picks]
        # each line's latest year: "November 2016: ... On 30 March 2017 CQC raised it to Good"
        reached = [
            extractive.years_in(q)[-1:] for q in quotes if extractive.gives_rating(q, rating)
        ]
        if not any(reached) and not analysis.since:
            return [], ""  # when it was reached is not known: no later rating can be placed
        # after it was first reached (since the year asked): a later "remained good" is no start
        since = min((y[0] for y in reached if y and y[0] >= analysis.since), default=analysis.since)
        for group in ratings:
            picks = [p for p in group.picks if _a_lower_rating(p.sentence.quote, since)]
            if picks:
                lower.append(dataclasses.replace(group, picks=picks))
        if not lower:
            return [], ""
        who = " or ".join(short_trust_name(t) for t in analysis.trusts)
        return lower, f"The documents do not say {who} kept its {rating} rating."

    def _premise_in_notes(self, analysis: QuestionAnalysis) -> bool:
        """True when some sentence of the trust's notes gives the rating the question asserts.

        Checked in the years asked, if any, before any line says the premise is not so.
        """
        asked = _ASSERTED_RATING.search(analysis.question)
        if not asked or not analysis.trusts:
            return False
        chunks = [c for c in self._composer.index.chunks.values() if c.trust in analysis.trusts]
        quotes = [
            x.quote
            for chunk in chunks
            for x in self._composer.bank.of(chunk)
            if not analysis.years or any(y in x.quote for y in analysis.years)
        ]
        return _quotes_give(quotes, asked.group(1).lower())

    def _given_anywhere(self, analysis: QuestionAnalysis, rating: str) -> bool:
        """True when the trusts' notes rate anything of theirs so: a service, a key question."""
        given = re.compile(
            rf"\brated\s+(?:[\w-]+\s+){{0,3}}?{rating}\b|\b{rating}\s+(?:for|overall|rating)\b"
            rf"|\b(?:was|were|as|to|became|remained)\s+{rating}\b",
            re.I,
        )
        return any(
            given.search(x.quote)
            for chunk in self._composer.index.chunks.values()
            if chunk.trust in analysis.trusts
            for x in self._composer.bank.of(chunk)
        )

    def _ratings_instead(self, state: PipelineState) -> list[extractive.Group]:
        """The trusts' ratings (in the years asked), for a fall the documents do not show."""
        ratings = dataclasses.replace(state.analysis, focus=extractive.RATINGS_FOCUS)
        passages, vector = self._rating_passages(state)
        groups = _trusted(self._composer.groups(ratings, passages, vector), self._composer.bank)
        return groups if any(g.picks for g in groups) else []

    def _rating_passages(self, state: PipelineState) -> tuple[list[Passage], np.ndarray | None]:
        """Passages retrieved for the trusts' ratings (in the years asked), and their vector.

        The question's own retrieval follows its premise ("why did its rating drop to
        requires improvement in 2019?"), which may miss where the ratings are listed. Retrieved
        once per question.
        """
        if state.ratings is not None:
            return state.ratings
        state.ratings = self._retrieve_ratings(state)
        return state.ratings

    def _retrieve_ratings(self, state: PipelineState) -> tuple[list[Passage], np.ndarray | None]:
        analysis = state.analysis
        names = " and ".join(short_trust_name(t) for t in analysis.trusts)
        text = f"{names} rated overall rating {' '.join(analysis.years)}".strip()
        query = plan_query(text, state.filters[0], None)
        query.trusts = list(analysis.trusts)
        retrieved = retrieve(state.index, query, self.settings, state.k)
        return retrieved.passages[: max(state.k, 10)], retrieved.vector

    @staticmethod
    def _set_coverage(result: AnswerResult, analysis, groups) -> None:
        if analysis.answer_type == WHICH_TRUST:
            return
        gaps = [g for g in groups if g.trust and not g.picks]
        if gaps:
            result.coverage = "partial"
            result.missing = [missing_text(analysis, g) for g in gaps]

    def _llm_answer(self, state: PipelineState, groups) -> AnswerResult | None:
        top = _llm_passages(state, groups)
        output = llm.generate(self.chat_model, state.standalone, top)
        if output.strip().upper().startswith("NOT COVERED"):
            return None
        verified = llm.verify(output, top)
        if not verified.claims:
            return None
        renumber: dict[int, int] = {}
        lines = []
        for claim in verified.claims:
            for number in claim.cites:
                renumber.setdefault(number, len(renumber) + 1)
            marks = "".join(f" [{renumber[n]}]" for n in claim.cites)
            lines.append(f"{claim.text}{marks}")
        citations = [
            _citation(new, top[old - 1].chunk, verified.quotes[old], {}, state.index)
            for old, new in renumber.items()
        ]
        result = self._result(state, "\n".join(lines), citations, abstained=False)
        self._set_coverage(result, state.analysis, groups)
        if result.missing:
            result.answer = " ".join(result.missing) + "\n\n" + result.answer
        result.answerer = f"llm:{self.settings.llm or 'custom'}"
        result.flagged = verified.removed
        return result

    def _abstain(self, state: PipelineState, reason: str) -> AnswerResult:
        closest = _closest(state)
        shown = closest_text(closest) if reason != ABSTAIN_TEXT else ""  # nothing near: no list
        result = self._result(state, f"{reason}{shown}", [], abstained=True)
        result.coverage = "none"
        result.missing = [reason] if reason != ABSTAIN_TEXT else []
        result.closest = closest
        return result

    def _result(self, state: PipelineState, text, citations, *, abstained: bool) -> AnswerResult:
        return AnswerResult(
            question=state.question,
            standalone_question=state.standalone,
            answer=text,
            abstained=abstained,
            citations=citations,
            passages=[
                {
                    "rank": p.rank,
                    "chunk_id": p.chunk.id,
                    "doc_id": p.chunk.doc_id,
                    "section": p.chunk.section,
                    "score": p.score,
                }
                for p in state.retrieved.passages
            ],
            timings_ms=dict(state.timings),
            evidence=round(state.retrieved.best_dense, 4),
            analysis=state.analysis.as_dict() if state.analysis else {},
        )

    def trust_names(self) -> list[str]:
        """The seven trusts, then any other trust the index holds (for filters and tables)."""
        try:
            self.open()
        except DiaError:
            return [t.name for t in TRUSTS]
        return [t.name for t in (*TRUSTS, *self._others)]

    def theme_counts(self) -> dict[str, dict[str, int]]:
        """Passages per theme and trust."""
        return evidence_counts(self.open())

    def themes(self, theme: str | None = None, trust: str | None = None) -> dict:
        """Every cited example for a theme (or all), optionally for one trust.

        Raises:
            UnknownFilter: Unknown theme or trust.

        """
        self.open()
        trust_name, theme_key = resolve_filters(trust, theme, self._others)
        return {"themes": theme_examples(self.open(), theme_key, trust_name)}


def _only_unknown_topic(focus: str, unknown: Sequence[str], vocabulary: Iterable[str]) -> str:
    """The focus words, when every one that is not framing ("role", "play") is unknown.

    A word close to one the documents use ("boad": "board") may be a slip the speller left
    alone, so it does not count as unknown.
    """
    framing = extractive.framing_words()
    topic = [w for w in focus.split() if not set(tokenize([w])[0]) <= framing]
    if not topic or not unknown:
        return ""
    unheard = [w for w in topic if set(tokenize([w])[0]) <= set(unknown)]
    if len(unheard) != len(topic):
        return ""
    known = list(vocabulary)
    slips = [w for w in unheard if difflib.get_close_matches(w.lower(), known, n=1, cutoff=0.85)]
    return "" if slips else " ".join(unheard)


# "Which electronic patient record system did it bring in?": the kind of thing asked for
_ASKED_KIND = re.compile(
    r"^\W*(?:which|what)\s+(?P<kind>(?:[A-Za-z-]+\s+){1,3}?)(?P<head>systems?|tools?|"
    r"software|apps?|platforms?|programmes?|schemes?|models?|frameworks?|methods?|"
    r"methodolog(?:y|ies)|approach(?:es)?|initiatives?|awards?|qualifications?|"
    r"accreditations?|standards?|techniques?)\b",
    re.I,
)


def _unknown_kind(question: str, knows: Callable[..., bool], vocabulary: Iterable[str]) -> str:
    """The kind of thing a "which ... system" question asks for, when a word of it is unknown.

    "Which electronic patient record system did Somerset bring in?": the documents never use
    "electronic" (nor a longer form of it), so nothing they hold is the system asked about.
    A slip close to a word of theirs ("recrod") is left to the speller.

    Args:
        question: The question.
        knows: The keyword index's test of a term (``BM25Index.knows``).
        vocabulary: The corpus's stems, for telling a slip from an unknown word.

    """
    match = _ASKED_KIND.search(question)
    if match is None:
        return ""
    words = match.group("kind").split()
    # used as it is or in a longer form, never cut short ("electron" is no "elect")
    unheard = [
        w for w in words if not all(knows(stem, min_stem=len(stem)) for stem in tokenize([w])[0])
    ]
    if not unheard:
        return ""
    known = list(vocabulary)
    if any(difflib.get_close_matches(w.lower(), known, n=1, cutoff=0.85) for w in unheard):
        return ""
    return " ".join([*words, match.group("head")])


def _report_named(part: str, first: str) -> str:
    """A later part's "it" as the report the first part names ("... and when was it published?").

    Only the Driving improvement report is named back by its title; another "it" stays.
    """
    if not extractive.names_the_report(first):
        return part
    return re.sub(r"\bit\b", "the Driving improvement report", part, count=1, flags=re.I)


def _with_the_person(part: str, first: list[extractive.Group]) -> str:
    """A second part that leans on the person the first part's answer names, with the name.

    "Who led Somerset through its turnaround, and where did that leader go afterwards?": the
    first answer names Nick Broughton, so the second part asks where Nick Broughton went.
    Empty when the part does not lean back or the first answer names nobody.
    """
    leans = _THE_PERSON.search(part)
    if leans and leans.group().lower() in ("they", "them") and _RATING_WORDS.search(part):
        leans = None  # "Who led Somerset, and how did they get to outstanding?": the trust
    picks = [pick for group in first for pick in group.picks]
    names = person_names(picks[0].sentence.quote) if picks else []
    if leans is None or not names:
        return ""
    return f"{part[: leans.start()]}{names[0]}{part[leans.end() :]}"


_THE_PERSON = re.compile(
    r"\b(?:he|she|him|her|they|them|(?:that|this|the) (?:leader|person|chief executive|"
    r"chief exec|ceo|chair|director|man|woman))\b",
    re.I,
)


def _stands_alone(part: QuestionAnalysis, whole: QuestionAnalysis) -> bool:
    """True when a question's second part asks something of its own.

    "... and what was the outcome at the 2016 inspection?" does; "... and what did they say
    about it?" leans on the first part, and is answered with it ("how many beds has it got?"
    after "the PICU it opened" is the PICU, not the trust). About the report as a whole, an
    "it" is the report.
    """
    leans = _LEANS_BACK.search(part.question)
    if leans and person_names(part.question[: leans.start()]):
        leans = None  # "where did Matthew Trainer go when he left?": he is named in it
    about_report = whole.scope == REPORT  # "it" is the report ("and who did CQC interview for it")
    if leans and not (about_report and leans.group().lower() in {"it", "its"}):
        return False
    topic = [w for w in part.focus.lower().split() if w not in _GENERIC]
    return bool(topic or part.years)


# A year said as a point in time: "in 2017", "back in February 2017", "in early 2016"
_IN_A_YEAR = re.compile(
    rf"\bin\s+(?:(?:early|late|mid|the spring of|the summer of|{MONTHS_PATTERN})\s+)?"
    r"((?:19|20)\d{2})\b",
    re.I,
)
# One trust (or its work) leaned on: "what happened to it", "what sat behind that" (not
# "they" or "each", which lean on several)
_ONE_LEANED_ON = re.compile(r"\b(?:it|its|this|that|the trust)\b", re.I)
_LEANS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|he|she|his|her|this|that|these|those|each)\b", re.I
)
_GENERIC_WORDS = (
    "happen happened happens result results show showed shown point points say said mean "
    "meant change changed effect impact"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())


def _trusted(groups: list[extractive.Group], bank: SentenceBank) -> list[extractive.Group]:
    """The groups without picks whose quote carries an injected instruction or is not verbatim.

    The composer skips sentences that read as instructions, but a quote can bring the sentence
    before it along ("It ..."); the whole quote is checked here, where citations are built. So
    is every quote's text: joining sentences must never show words the passage does not hold in
    that order.
    """

    def shown(pick: extractive.Scored) -> bool:
        quote = pick.sentence.quote
        return not instruction_like(quote) and bank.quotes_from(pick.sentence)

    return [dataclasses.replace(g, picks=[p for p in g.picks if shown(p)]) for g in groups]


def closest_text(closest: Sequence[dict]) -> str:
    """The closest passages as the end of an abstention's text, uncited: they answer nothing."""
    if not closest:
        return ""
    lines = [
        f"- {item['trust'] or item['document_title']} — {item['section']}: {item['quote']}"
        for item in closest
    ]
    return "\n\n" + CLOSEST_HEADING + "\n" + "\n".join(lines)


def _closest(state: PipelineState, limit: int = 3) -> list[dict]:
    """The nearest passages shown on abstention, each quoted without injected instructions.

    A sentence that reads as an instruction to a model is never quoted (see ``short_quote``);
    a passage with nothing else to quote is skipped and the next one is taken.
    """
    closest = []
    for passage in state.retrieved.passages:
        chunk = passage.chunk
        quote = short_quote(chunk)
        if not quote:
            continue
        closest.append(
            {
                "rank": passage.rank,
                "chunk_id": chunk.id,
                "doc_id": chunk.doc_id,
                "trust": chunk.trust,
                "section": shown_label(chunk.section),
                "quote": quote,
                "source_urls": list(chunk.source_urls),
                **document_fields(state.index, chunk),
            }
        )
        if len(closest) == limit:
            break
    return closest


def _citation(
    n: int,
    chunk: Chunk,
    quotes: list[str],
    labels: dict[str, list[str]],
    index: Index | None = None,
) -> Citation:
    """A citation of one passage, naming its document (title, file, bundled or added)."""
    first, last = quoted_pages(chunk, quotes)
    return Citation(
        n=n,
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        title=shown_label(chunk.title),
        trust=chunk.trust,
        theme=chunk.theme,
        section=shown_label(chunk.section),
        page=first,
        page_end=last if last != first else None,
        source_urls=list(chunk.source_urls),
        quotes=quotes,
        text=chunk.text,
        provenance=merge_labels(labels.get(chunk.id, []))
        or provenance(chunk.source_urls, chunk.doc_kind),
        **document_fields(index, chunk),
    )


# A good rating the question says was kept: "held on to its good rating", "stayed outstanding".
_HELD_RATING = re.compile(
    r"\b(?:held|hold|holds|holding|kept|keep|keeps|keeping|maintained|maintain|retained|"
    r"stayed|remained|sustained)\s+(?:on\s+to\s+|onto\s+)?(?:its|their|the|a)?\s*"
    # the rating itself, not "keep good staff" or "maintain good governance"
    r"(?P<rating>good|outstanding)\b(?=\s+(?:rating|overall)\b|\s*(?:[?.,;!-]|$)|\s+(?:since|after|for|"
    r"from|until|in|at)\b)",
    re.I,
)


def _a_lower_rating(quote: str, since: int) -> bool:
    """True when a line gives a trust a lower rating (or a fall), not before the year given."""
    lower = extractive.says_rating_fell(quote) or extractive.gives_rating(
        quote, extractive.LOWER_RATING
    )
    if extractive.KEPT_RATING.search(quote):
        return False  # "older people's wards ... inadequate, although the trust stayed good"
    years = extractive.years_in(quote)
    return lower and bool(years) and not (since and max(years) <= since)


def _rating_not_so(analysis: QuestionAnalysis) -> str:
    """The line saying the rating asserted is not so ("The documents do not say X was ...")."""
    rating = _asserted_rating(analysis)
    when = f" in {' or '.join(analysis.years)}" if analysis.years else ""
    who = " or ".join(short_trust_name(t) for t in analysis.trusts)
    return f"The documents do not say {who} was rated {rating}{when}." if rating else ""


def _rating_not_borne_out(analysis: QuestionAnalysis, groups: list[extractive.Group]) -> str:
    """A plain line when the question asserts a rating the quoted sentences do not give.

    "Why was X rated inadequate in 2019?" answered with sentences that say Outstanding gets
    "The documents do not say X was rated inadequate in 2019." first.
    """
    rating = _asserted_rating(analysis)
    if not rating:
        return ""

    def said(name: str) -> bool:  # as the trust's rating, not a service's or a headline's
        return _gives(groups, name)

    if said(rating) or not any(said(r) for r in RATINGS if r != rating):
        return ""
    return _rating_not_so(analysis)


def _gives(groups, rating: str) -> bool:
    """True when a quoted sentence of the groups gives a trust that rating."""
    return _quotes_give([p.sentence.quote for g in groups for p in g.picks], rating)


def _quotes_give(quotes: list[str], rating: str) -> bool:
    """True when a sentence gives a trust that rating (overall, or in every domain).

    "CQC rated the trust Good for safe, effective, caring, responsive and well-led" gives it.
    """
    rated = re.compile(
        rf"(?:\brated\s+(?:the trust|it|\[[^\]]+\])|\b(?:trust|it|\])\s+was\s+rated)\s+{rating}\b"
        r"(?:(?!\s+for\b)|\s+for\s+(?:[\w-]+,\s+){3,})",  # for every domain, not for one
        re.I,
    )
    return any(extractive.gives_rating(q, rating) or rated.search(q) for q in quotes)


def _rating_unsaid(analysis: QuestionAnalysis, groups) -> bool:
    """True when the question says a trust was rated X and no quote gives it that rating."""
    rating = _asserted_rating(analysis)
    return bool(rating) and not _gives(groups, rating)


def _asserted_rating(analysis: QuestionAnalysis) -> str:
    """The trust's overall rating the question takes as given, lower case, or ''.

    "How many core services were rated outstanding?" and "Did LPFT ever get outstanding for
    anything?" take no overall rating as given: a service's or a key question's will do.
    """
    asked = _ASSERTED_RATING.search(analysis.question)
    if not asked or not analysis.trusts or _OF_SERVICES.search(analysis.question):
        return ""
    return "" if _FOR_A_PART.search(analysis.question) else asked.group(1).lower()


# The regulator's status for a failing trust, which a question may take as given.
_SPECIAL_MEASURES = re.compile(r"\bspecial\s+measures\b", re.I)
# ... as said of the trust asked about ("was Oxleas put in special measures?", "did it get
# special measures?", "when did it come out of special measures?"), not of another ("a trust in
# special measures") nor as avoided.
_PUT_IN_SPECIAL_MEASURES = re.compile(
    r"(?<!\btrust )(?<!\btrusts )(?<!\borganisations )(?<!\bavoid )(?<!\bavoided )"
    r"\b(?:put|placed|go|went|gone|get|got|enter(?:ed)?|been|was|were|in|into|under|out of|"
    r"exit(?:ed)?|left|leave|leaving)\s+(?:(?:in|into|under)\s+)?special\s+measures\b",
    re.I,
)
# A rating a question takes as given: "rated inadequate", "became outstanding", "get an
# outstanding rating".
_ASSERTED_RATING = re.compile(
    rf"\b(?:rated|become|became|(?:get|got|gain(?:ed)?|achieve[d]?|earn(?:ed)?|won|reach(?:ed)?)"
    rf"(?:\s+an?)?|{extractive.MOVED_TO})\s+{RATING_PATTERN}\b",
    re.I,
)
_OF_SERVICES = re.compile(
    r"\b(?:services?|wards?|teams?|units?|key questions?|domains?)\b[^?.]*\brated\b", re.I
)
# A rating of a part, not the whole: "outstanding for anything", "outstanding for well-led"
_FOR_A_PART = re.compile(
    rf"{RATING_PATTERN}\s+for\s+(?:anything|any|something|some|a|an|one|at least one|safe|"
    r"safety|effective|effectiveness|caring|responsive|responsiveness|well-led|leadership)\b",
    re.I,
)
_FELL = re.compile(
    r"\brating\w*\s+(?:fall|fell|drop|dropped|slip|slipped|decline|declined|go down|went down|"
    r"worsen|worsened)\b|\bdowngraded\b",
    re.I,
)


def _fall_not_borne_out(analysis: QuestionAnalysis, groups) -> str:
    """A plain line when the question says a rating fell and no quoted sentence says so.

    "Why did North Staffordshire's rating fall in 2019?" answered with its 2019 Outstanding
    gets "The documents do not say North Staffordshire's rating fell in 2019." first.
    """
    if not analysis.trusts or not _FELL.search(analysis.question):
        return ""
    quoted = [p.sentence.quote for g in groups for p in g.picks]
    if not quoted or any(extractive.says_rating_fell(quote) for quote in quoted):
        return ""
    when = f" in {' or '.join(analysis.years)}" if analysis.years else ""
    who = " or ".join(short_trust_name(t) for t in analysis.trusts)
    return f"The documents do not say {who}'s rating fell{when}."


def _speaker_not_quoted(analysis: QuestionAnalysis, groups) -> str:
    """A plain line when the question asks for someone's words and no quote gives them.

    "What did staff at North Staffordshire say about the culture change?" answered only with
    what inspectors saw gets "The documents do not quote staff at North Staffordshire
    Combined Healthcare on this." first, so the reader knows whose words follow.
    """
    quoted = [p.sentence.quote for g in groups for p in g.picks]
    if not analysis.speaker or not quoted:
        return ""
    if any(spoken_by(quote, analysis.speaker) for quote in quoted):
        return ""
    where = " or ".join(short_trust_name(t) for t in analysis.trusts)
    return (
        f"The documents do not quote {analysis.speaker}{f' at {where}' if where else ''} on this."
    )


def _llm_passages(state: PipelineState, groups) -> list[Passage]:
    """Retrieved passages, then the passages of the chosen sentences (for every trust asked)."""
    top = list(state.retrieved.passages[: state.k])
    seen = {p.chunk.id for p in top}
    for group in groups:
        for pick in group.picks:
            chunk = pick.sentence.chunk
            if chunk.id not in seen:
                seen.add(chunk.id)
                top.append(Passage(rank=len(top) + 1, chunk=chunk, score=0.0))
    return top


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)

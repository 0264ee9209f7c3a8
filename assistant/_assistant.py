"""The assistant: condense -> retrieve -> answer (extractive or LLM) -> verified citations."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant import _extractive as extractive
from assistant import _llm as llm
from assistant._conversation import condense
from assistant._grounding import instruction_like
from assistant._retrieval import Retrieved, plan_query, retrieve
from assistant._themes import evidence_counts, short_quote, theme_examples
from assistant._types import AnswerResult, Citation, Passage
from corpus import THEMES, TRUSTS, clean_control_chars, resolve_theme, resolve_trust, trust_by_key
from dia.errors import BadQuestion, UnknownFilter
from dia.settings import Settings
from index import Embedder, Index, VectorStore, idf_table

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = (
    "The case studies do not cover this. Nothing in the indexed documents answers the question "
    "well enough to quote, so no answer is given. The closest material is listed below."
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


def resolve_filters(trust: str | None, theme: str | None) -> tuple[str | None, str | None]:
    """Turn user-typed trust and theme filters into a full trust name and a theme key.

    Raises:
        UnknownFilter: The filter names no trust or theme; the message lists valid ones.

    """
    trust_name = None
    theme_key = None
    if trust and trust.strip():
        key = resolve_trust(trust)
        if key is None:
            names = ", ".join(t.aliases[0].title() for t in TRUSTS)
            raise UnknownFilter(f"'{trust}' is not one of the seven trusts. Try one of: {names}.")
        trust_name = trust_by_key(key).name
    if theme and theme.strip():
        theme_key = resolve_theme(theme)
        if theme_key is None:
            labels = "; ".join(t.label for t in THEMES)
            raise UnknownFilter(f"'{theme}' is not one of the nine themes. Try one of: {labels}.")
    return trust_name, theme_key


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
    _chain: object | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self) -> Index:
        """Open (or reopen when another process switched it) the index; thread-safe."""
        with self._lock:
            if self.index is None or self.index.is_stale():
                self.index = Index.open(self.settings, store=self.store, embedder=self.embedder)
                self._idf = idf_table(self.index.bm25)
            if self.chat_model is None and self.settings.llm:
                self.chat_model = llm.make_chat_model(self.settings)
            return self.index

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
        state = {
            "question": clean_question(question),
            "history": [clean_question(h) for h in history if h and str(h).strip()],
            "filters": resolve_filters(trust, theme),
            "k": k or self.settings.top_k,
            "timings": {},
            "started": time.perf_counter(),
        }
        index = self.open()
        state["index"] = index
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

    def _condense_step(self, state: dict) -> dict:
        started = time.perf_counter()
        if state["history"] and self.chat_model is not None:
            standalone = llm.condense_with_llm(self.chat_model, state["question"], state["history"])
        else:
            standalone = condense(state["question"], state["history"])
        state["standalone"] = standalone
        state["timings"]["condense"] = _ms(started)
        return state

    def _retrieve_step(self, state: dict) -> dict:
        started = time.perf_counter()
        trust, theme = state["filters"]
        query = plan_query(state["standalone"], trust, theme)
        state["query"] = query
        state["retrieved"] = retrieve(state["index"], query, self.settings, state["k"])
        state["timings"]["retrieve"] = _ms(started)
        return state

    def _answer_step(self, state: dict) -> AnswerResult:
        started = time.perf_counter()
        retrieved: Retrieved = state["retrieved"]
        top = retrieved.passages[: state["k"]]
        result = None
        if self._has_evidence(retrieved):
            if self.chat_model is not None:
                result = self._llm_answer(state, top)
            else:
                result = self._extractive_answer(state, top)
        if result is None:
            result = self._abstain(state)
        result.timings_ms["answer"] = _ms(started)
        result.timings_ms["total"] = _ms(state["started"])
        return result

    def _has_evidence(self, retrieved: Retrieved) -> bool:
        if not retrieved.passages or retrieved.coverage < self.settings.abstain_min_coverage:
            return False
        if self.settings.retriever == "bm25":
            return True
        return retrieved.best_dense >= self.settings.abstain_threshold

    def _extractive_answer(self, state: dict, top: list[Passage]) -> AnswerResult | None:
        picks = [p for p in extractive.candidate_sentences(top) if not instruction_like(p.text)]
        scored = extractive.score_sentences(
            state["standalone"],
            picks,
            self._idf or {},
            state["index"].embedder,
            self.scoring,
            state["query"].themes,
        )
        single = len(state["query"].trusts) == 1
        chosen = extractive.select(scored, self.settings.answer_max_sentences, single, self.scoring)
        if not chosen:
            return None
        text, numbers, quotes = extractive.compose(chosen)
        by_id = {p.chunk.id: p for p in top}
        citations = [
            _citation(n, by_id[chunk_id], quotes[chunk_id]) for chunk_id, n in numbers.items()
        ]
        return self._result(state, text, citations, abstained=False)

    def _llm_answer(self, state: dict, top: list[Passage]) -> AnswerResult | None:
        output = llm.generate(self.chat_model, state["standalone"], top)
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
            _citation(new, top[old - 1], verified.quotes[old]) for old, new in renumber.items()
        ]
        result = self._result(state, "\n".join(lines), citations, abstained=False)
        result.answerer = f"llm:{self.settings.llm or 'custom'}"
        result.flagged = verified.removed
        return result

    def _abstain(self, state: dict) -> AnswerResult:
        result = self._result(state, ABSTAIN_TEXT, [], abstained=True)
        result.closest = [
            {
                "rank": p.rank,
                "chunk_id": p.chunk.id,
                "doc_id": p.chunk.doc_id,
                "trust": p.chunk.trust,
                "section": p.chunk.section,
                "quote": short_quote(p.chunk),
                "source_urls": list(p.chunk.source_urls),
            }
            for p in state["retrieved"].passages[:3]
        ]
        return result

    def _result(self, state, text, citations, *, abstained: bool) -> AnswerResult:
        return AnswerResult(
            question=state["question"],
            standalone_question=state["standalone"],
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
                for p in state["retrieved"].passages
            ],
            timings_ms=dict(state["timings"]),
            evidence=round(state["retrieved"].best_dense, 4),
        )

    def theme_counts(self) -> dict[str, dict[str, int]]:
        """Passages per theme and trust."""
        return evidence_counts(self.open())

    def themes(self, theme: str | None = None, trust: str | None = None) -> dict:
        """Every cited example for a theme (or all), optionally for one trust.

        Raises:
            UnknownFilter: Unknown theme or trust.

        """
        trust_name, theme_key = resolve_filters(trust, theme)
        return {"themes": theme_examples(self.open(), theme_key, trust_name)}


def _citation(n: int, passage: Passage, quotes: list[str]) -> Citation:
    chunk = passage.chunk
    return Citation(
        n=n,
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        trust=chunk.trust,
        theme=chunk.theme,
        section=chunk.section,
        page=chunk.page or None,
        source_urls=list(chunk.source_urls),
        quotes=quotes,
        text=chunk.text,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)

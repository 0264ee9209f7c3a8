"""Hybrid retrieval: dense (Chroma) + BM25 (bm25s), fused, boosted by named trusts and themes."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np

from assistant._analysis import same_meaning
from assistant._sentences import short_trust_name
from assistant._types import Passage
from corpus import (
    TRUSTS,
    compound_terms,
    stop_words,
    themes_in_text,
    trust_by_key,
    trusts_in_text,
)
from dia.settings import Settings
from index import Chunk, Index, tokenize

TRUST_BOOST = 0.02
THEME_BOOST = 0.01


@dataclass
class Query:
    """What to search for.

    Attributes:
        text: The standalone question.
        trusts: Full trust names the question names or the user filtered on.
        themes: Theme keys the question names or the user filtered on.
        trust_filter: Explicit filter (hard): only this trust's passages.
        theme_filter: Explicit filter (hard): only this theme's passages.

    """

    text: str
    trusts: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    trust_filter: str | None = None
    theme_filter: str | None = None


def plan_query(text: str, trust_filter: str | None, theme_filter: str | None) -> Query:
    """Recognise trusts and themes in the question and combine them with explicit filters."""
    trusts = [trust_by_key(key).name for key in trusts_in_text(text)]
    themes = themes_in_text(text)
    if trust_filter and trust_filter not in trusts:
        trusts.insert(0, trust_filter)
    if theme_filter and theme_filter not in themes:
        themes.insert(0, theme_filter)
    return Query(spelled_out(text), trusts, themes, trust_filter, theme_filter)


def spelled_out(question: str) -> str:
    """Trusts' short forms written out for search ("lincs" -> "Lincolnshire Partnership").

    The embedding model knows "Lincolnshire"; "lincs" or "SWYPFT" tell it nothing, and a
    question that leans on them finds no passage close enough to answer from.
    """
    for trust in TRUSTS:
        name = short_trust_name(trust.name)
        for alias in trust.aliases:
            if alias.lower() in name.lower():
                continue  # "somerset", "lincolnshire": already words of the name
            question = re.sub(rf"\b{re.escape(alias)}\b", name, question, flags=re.I)
    return question


@dataclass
class Retrieved:
    """Ranked passages, the evidence strength used for abstention and the query vector."""

    passages: list[Passage]
    best_dense: float
    vector: np.ndarray | None = None


def retrieve(index: Index, query: Query, settings: Settings, k: int) -> Retrieved:
    """Search, fuse, boost and diversify.

    Args:
        index: The open index.
        query: The planned query.
        settings: Retriever choice, fusion and candidate sizes.
        k: Passages to return (at least 10 are ranked for the JSON passages list).

    Returns:
        The ranked passages and the best dense similarity seen.

    """
    filtered = bool(query.trust_filter or query.theme_filter)
    depth = settings.candidate_k * (4 if filtered else 1)
    dense: dict[str, tuple[Chunk, float]] = {}
    keyword: dict[str, tuple[Chunk, float]] = {}
    vector = None
    if settings.retriever in ("hybrid", "dense"):
        vector = index.embed_query(query.text)
        dense = {c.id: (c, s) for c, s in index.dense(vector, depth) if _passes(c, query)}
    if settings.retriever in ("hybrid", "bm25"):
        keyword = {c.id: (c, s) for c, s in index.keyword(query.text, depth) if _passes(c, query)}
    scores = _fuse(dense, keyword, settings)
    chunks = {**{i: c for i, (c, _) in keyword.items()}, **{i: c for i, (c, _) in dense.items()}}
    for chunk_id, chunk in chunks.items():
        scores[chunk_id] += _boost(chunk, query)
    ranked = sorted(chunks, key=lambda i: -scores[i])
    chosen = _diversify([chunks[i] for i in ranked], query, settings.per_doc_cap, max(k, 10))
    passages = [
        Passage(
            rank=rank,
            chunk=chunk,
            score=round(scores[chunk.id], 6),
            dense=_score(dense, chunk.id),
            keyword=_score(keyword, chunk.id),
        )
        for rank, chunk in enumerate(chosen, start=1)
    ]
    best = max((s for _, s in dense.values()), default=0.0)
    return Retrieved(passages, best, vector)


@functools.cache
def _generic_terms() -> frozenset[str]:
    """The stop words, tokenized like the corpus (computed once)."""
    return frozenset(tokenize([" ".join(sorted(stop_words()))])[0])


def vocabulary_coverage(index: Index, text: str) -> tuple[float, list[str]]:
    """Share of the question's topic words that occur anywhere in the corpus, and the others.

    Compound terms ("A&E", "four-hour") count as words of their own, since the tokenizer would
    split them into parts the corpus may well use. A question whose words the corpus has never
    used cannot be answered from it.
    """
    generic = _generic_terms()
    terms = [t for t in dict.fromkeys(tokenize([text])[0]) if t not in generic]
    compounds = compound_terms(text)
    if not terms and not compounds:
        return 1.0, []
    unknown = [t for t in terms if not _known(index, t)]
    unknown += [c for c in compounds if c not in index.compounds()]
    return 1.0 - len(unknown) / (len(terms) + len(compounds)), unknown


def _known(index: Index, term: str) -> bool:
    """The corpus uses the word, or a word that means the same ("drop": "fell")."""
    return index.bm25.knows(term) or any(index.bm25.knows(s) for s in same_meaning().get(term, ()))


def _score(hits: dict[str, tuple[Chunk, float]], chunk_id: str) -> float | None:
    return round(hits[chunk_id][1], 6) if chunk_id in hits else None


def _passes(chunk: Chunk, query: Query) -> bool:
    if query.trust_filter and chunk.trust != query.trust_filter:
        return False
    return not (query.theme_filter and chunk.theme != query.theme_filter)


def _fuse(dense: dict, keyword: dict, settings: Settings) -> dict[str, float]:
    """Reciprocal rank fusion (or dense first, keyword after, when fusion='dense_first')."""
    scores: dict[str, float] = {}
    lists = [dense, keyword]
    for position, hits in enumerate(lists):
        ordered = sorted(hits, key=lambda i: -hits[i][1])
        for rank, chunk_id in enumerate(ordered, start=1):
            if settings.fusion == "rrf":
                gain = 1.0 / (settings.rrf_k + rank)
            else:
                gain = (1.0 if position == 0 else 0.0) + 1e-3 / rank
            scores[chunk_id] = scores.get(chunk_id, 0.0) + gain
    return scores


def _boost(chunk: Chunk, query: Query) -> float:
    bonus = 0.0
    if chunk.trust and chunk.trust in query.trusts:
        bonus += TRUST_BOOST
    if chunk.theme and chunk.theme in query.themes:
        bonus += THEME_BOOST
    return bonus


def _diversify(ranked: list[Chunk], query: Query, cap: int, limit: int) -> list[Chunk]:
    """Keep at most `cap` passages per document, unless the question is about one trust.

    Passages over the cap are not lost: they follow the diversified head.
    """
    if len(query.trusts) == 1 or query.trust_filter:
        return ranked[:limit]
    head: list[Chunk] = []
    tail: list[Chunk] = []
    per_doc: dict[str, int] = {}
    for chunk in ranked:
        per_doc[chunk.doc_id] = per_doc.get(chunk.doc_id, 0) + 1
        (head if per_doc[chunk.doc_id] <= cap else tail).append(chunk)
    return (head + tail)[:limit]

"""The default answerer: picks verbatim sentences from retrieved passages and cites each one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant._types import Passage
from corpus import split_sentences
from index import Embedder, tokenize

LEAD = "What the case studies say:"
REPORT_LEVEL = "Report-level findings"
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MIN_WORDS = 6


@dataclass
class Pick:
    """A sentence chosen for the answer."""

    passage: Passage
    text: str
    start: int
    score: float


@dataclass
class Scoring:
    """Weights of the sentence score (lexical coverage, semantic similarity, passage rank)."""

    lexical: float = 0.35
    semantic: float = 0.5
    prior: float = 0.15
    relative_floor: float = 0.55
    semantic_candidates: int = 8
    theme_match: float = 0.1


def candidate_sentences(passages: list[Passage]) -> list[Pick]:
    """Every quotable sentence of the passages (headings, lead-ins and fragments skipped)."""
    picks: list[Pick] = []
    seen: set[str] = set()
    for passage in passages:
        text = passage.chunk.text
        for start, end in split_sentences(text):
            sentence = _BULLET.sub("", text[start:end]).strip()
            key = " ".join(sentence.lower().split())
            if len(sentence.split()) < MIN_WORDS or sentence.endswith(":") or key in seen:
                continue
            seen.add(key)
            picks.append(Pick(passage, sentence, start, 0.0))
    return picks


def score_sentences(
    question: str,
    picks: list[Pick],
    idf: dict[str, float],
    embedder: Embedder | None,
    scoring: Scoring,
    themes: Sequence[str] = (),
) -> list[Pick]:
    """Score sentences by question-term coverage, then rerank the best by embedding similarity.

    Sentences from a section on a theme the question names get ``scoring.theme_match`` extra.

    Returns:
        The picks sorted best first, with scores set.

    """
    terms = set(tokenize([question])[0])
    weights = {t: idf.get(t, 0.0) for t in terms}
    total = sum(weights.values()) or 1.0
    sentence_tokens = tokenize([p.text for p in picks]) if picks else []
    for pick, tokens in zip(picks, sentence_tokens, strict=True):
        coverage = sum(weights[t] for t in terms.intersection(tokens)) / total
        pick.score = scoring.lexical * coverage + scoring.prior / (pick.passage.rank**0.5)
        if pick.passage.chunk.theme and pick.passage.chunk.theme in themes:
            pick.score += scoring.theme_match
    picks.sort(key=lambda p: -p.score)
    if embedder is not None and picks:
        head = picks[: scoring.semantic_candidates]
        vectors = embedder.embed([question] + [p.text for p in head])
        similarities = vectors[1:] @ vectors[0]
        for pick, similarity in zip(head, np.asarray(similarities), strict=True):
            pick.score += scoring.semantic * float(similarity)
        picks.sort(key=lambda p: -p.score)
    return picks


def select(picks: list[Pick], limit: int, single_trust: bool, scoring: Scoring) -> list[Pick]:
    """Choose up to `limit` strong sentences, spread over trusts unless asked about one."""
    if not picks:
        return []
    floor = picks[0].score * scoring.relative_floor
    chosen: list[Pick] = []
    per_group: dict[str, int] = {}
    group_cap = limit if single_trust else max(2, limit // 2)
    for pick in picks:
        if pick.score < floor or len(chosen) >= limit:
            break
        group = group_label(pick.passage)
        if per_group.get(group, 0) >= group_cap:
            continue
        per_group[group] = per_group.get(group, 0) + 1
        chosen.append(pick)
    return chosen


def group_label(passage: Passage) -> str:
    """The heading an answer groups a passage under: its trust, or the report it comes from."""
    chunk = passage.chunk
    if chunk.trust:
        return chunk.trust
    if chunk.doc_kind in {"report-notes", "report-overview"}:
        return REPORT_LEVEL
    return chunk.title


def compose(chosen: list[Pick]) -> tuple[str, dict[str, int], dict[str, list[str]]]:
    """Write the answer: a framing lead line, then quotes grouped by source, each cited [n].

    Returns:
        The answer text, chunk id -> citation number, chunk id -> quoted sentences.

    """
    groups: dict[str, list[Pick]] = {}
    for pick in chosen:
        groups.setdefault(group_label(pick.passage), []).append(pick)
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    lines = [LEAD]
    for label, members in groups.items():
        members.sort(key=lambda p: (p.passage.chunk.ordinal, p.start))
        lines.append("")
        lines.append(f"**{label}**")
        for pick in members:
            chunk_id = pick.passage.chunk.id
            numbers.setdefault(chunk_id, len(numbers) + 1)
            quotes.setdefault(chunk_id, []).append(pick.text)
            lines.append(f"- {pick.text} [{numbers[chunk_id]}]")
    return "\n".join(lines), numbers, quotes

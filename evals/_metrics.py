"""Retrieval, citation, answer and abstention metrics, with bootstrap confidence intervals."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from assistant import citations_in, is_verbatim, strip_citations
from corpus import normalise_space


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


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence, cited numbers) for every answer line that cites something."""
    found = []
    for line in answer.splitlines():
        numbers = citations_in(line)
        if numbers:
            found.append((strip_citations(line).lstrip("-*• ").strip(), numbers))
    return found


def citation_support(answer: str, passages: dict[int, str]) -> float | None:
    """Share of cited answer sentences that appear verbatim in every passage they cite."""
    sentences = cited_sentences(answer)
    if not sentences:
        return None
    supported = sum(
        1
        for text, numbers in sentences
        if all(n in passages and is_verbatim(text, passages[n]) for n in numbers)
    )
    return supported / len(sentences)


def citation_precision(cited: Sequence[tuple[bool, bool]]) -> float | None:
    """Share of cited passages that are gold or contain the sentence citing them.

    Args:
        cited: For each cited passage, (is gold, contains its cited sentences).

    """
    if not cited:
        return None
    return sum(1 for gold, contains in cited if gold or contains) / len(cited)


def key_fact_recall(answer: str, facts: Sequence[str]) -> float | None:
    """Share of key facts that occur in the answer (case and whitespace insensitive)."""
    if not facts:
        return None
    text = normalise_space(answer).lower()
    return sum(1 for fact in facts if normalise_space(fact).lower() in text) / len(facts)


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
    """The q-th percentile (0-100), linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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

"""Theme assignment measured on the bundled trust notes with their headings hidden.

Every section of the seven trusts' case-study notes whose heading names a theme is a labelled
example: the theme its heading names is the gold label, and the prediction is made from the
section's text alone (``index._labels`` with the heading hidden). The sections, in document
order, alternate between a tuning half (even positions), on which the cutoffs are calibrated,
and a held-out half (odd positions), on which accuracy and coverage are reported.

The profiles a section is scored with never come from its own document: as for a new
document in use, they are built from the other trusts' notes (both halves; the headline) or,
stricter, from the other trusts' tuning half only (``strict``: no held-out label is used at
all).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from index._chunker import Chunk
from index._embedders import Embedder
from index._labels import (
    THEME_KEYS,
    Cutoffs,
    cutoffs_for,
    decide,
    fit_model,
    labelled_sections,
    section_vectors,
    theme_scores,
)

TARGET_ACCURACY = 0.85
Z95 = 1.96


def theme_assignment(chunks: Iterable[Chunk], embedder: Embedder) -> dict:
    """Calibrate the cutoffs on the tuning half, then score the held-out half.

    Args:
        chunks: The bundled corpus's chunks (an eval index's).
        embedder: The embedder the index uses.

    Returns:
        The ``theme_assignment`` block: held-out ``accuracy`` (share of assigned sections
        whose theme is right, with a 95% Wilson interval), ``coverage`` (share given a
        theme), ``n`` and the counts, the top-1 accuracy without cutoffs, the tuning half's
        figures, the cutoffs, and the same figures under the ``strict`` protocol.

    """
    sections, gold = labelled_sections(chunks)
    if not sections:
        return {"n": 0, "accuracy": None, "coverage": None, "split": "heldout"}
    vectors = section_vectors(sections, embedder)
    groups = np.array([section.group for section in sections])
    tune = np.arange(len(gold)) % 2 == 0
    every = np.ones(len(gold), dtype=bool)
    block = _halves(_cross_fitted(vectors, groups, gold, every, embedder), gold, tune)
    strict = _halves(_cross_fitted(vectors, groups, gold, tune, embedder), gold, tune)
    stored = cutoffs_for(embedder)
    return block | {
        "split": "heldout",
        "profiles": "other trusts' notes, both halves",
        "strict": strict | {"profiles": "other trusts' notes, tuning half only"},
        "stored_cutoffs": {"threshold": stored.threshold, "margin": stored.margin},
        "target_accuracy": TARGET_ACCURACY,
        "model": embedder.name,
    }


def _halves(scores: np.ndarray, gold: np.ndarray, tune: np.ndarray) -> dict:
    """Cutoffs calibrated on the tuning half; held-out figures, with the tuning half's."""
    cutoffs = calibrate(scores[tune], gold[tune])
    return score(scores[~tune], gold[~tune], cutoffs) | {
        "tune": score(scores[tune], gold[tune], cutoffs),
        "threshold": cutoffs.threshold,
        "margin": cutoffs.margin,
    }


def _cross_fitted(
    vectors: np.ndarray, groups: np.ndarray, gold: np.ndarray, train: np.ndarray, embedder
) -> np.ndarray:
    """Every section's scores, from profiles built on other documents' ``train`` sections."""
    scores = np.zeros((len(gold), len(THEME_KEYS)))
    for group in dict.fromkeys(groups.tolist()):
        others = train & (groups != group)
        model = fit_model(vectors[others], groups[others], gold[others], embedder)
        rows = groups == group
        scores[rows] = theme_scores(model, vectors[rows], groups[rows])
    return scores


def score(scores: np.ndarray, gold: np.ndarray, cutoffs: Cutoffs) -> dict:
    """Accuracy over assigned sections, coverage, counts and top-1 accuracy of some sections."""
    predicted = decide(scores, cutoffs)
    assigned = [i for i, theme in enumerate(predicted) if theme]
    correct = sum(predicted[i] == THEME_KEYS[gold[i]] for i in assigned)
    top1 = int((np.argmax(scores, axis=1) == gold).sum()) if len(gold) else 0
    return {
        "accuracy": correct / len(assigned) if assigned else None,
        "accuracy_ci95": wilson(int(correct), len(assigned)),
        "coverage": len(assigned) / len(gold) if len(gold) else None,
        "n": int(len(gold)),
        "assigned": len(assigned),
        "correct": int(correct),
        "accuracy_without_cutoffs": top1 / len(gold) if len(gold) else None,
    }


def calibrate(scores: np.ndarray, gold: np.ndarray, target: float = TARGET_ACCURACY) -> Cutoffs:
    """The cutoffs that give a theme to the most sections at the target accuracy or above.

    Candidates are midpoints between the observed best scores (and leads). Among cutoffs
    that reach the target, the most sections assigned wins, then the most right, then the
    lowest cutoffs; when none reaches it, the highest accuracy wins.
    """
    ordered = np.sort(scores, axis=1)
    best, lead = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    right = np.argmax(scores, axis=1) == gold
    choice: tuple = ((), Cutoffs(0.0, 0.0))
    for threshold in _candidates(best):
        for margin in _candidates(lead, floor=0.0):
            kept = (best >= threshold) & (lead >= margin)
            count = int(kept.sum())
            accuracy = float(right[kept].mean()) if count else 0.0
            rank = (accuracy >= target, count if accuracy >= target else accuracy, accuracy)
            key = (*rank, -threshold, -margin)
            if key > choice[0]:
                choice = (key, Cutoffs(round(threshold, 4), round(margin, 4)))
    return choice[1]


def _candidates(values: np.ndarray, floor: float | None = None) -> list[float]:
    """Cutoffs to try: one at or below every value, then midpoints between distinct values."""
    distinct = sorted(set(np.round(values, 6).tolist()))
    lowest = floor if floor is not None else (distinct[0] - 1.0 if distinct else 0.0)
    return [lowest] + [(a + b) / 2 for a, b in zip(distinct, distinct[1:], strict=False)]


def wilson(successes: int, total: int) -> list[float] | None:
    """95% Wilson score interval of a proportion (None when there are no trials)."""
    if not total:
        return None
    share = successes / total
    spread = Z95 * np.sqrt(share * (1 - share) / total + Z95**2 / (4 * total**2))
    middle = (share + Z95**2 / (2 * total)) / (1 + Z95**2 / total)
    half = spread / (1 + Z95**2 / total)
    return [round(float(middle - half), 4), round(float(middle + half), 4)]

"""Theme assignment measured on the bundled trust notes with their headings hidden.

Every section of the seven trusts' case-study notes whose heading names a theme is a labelled
example: the theme its heading names is the gold label, and the prediction is made from the
section's text alone (``index._labels`` with the heading hidden). The sections, in document
order, alternate between a tuning half (even positions) and a held-out half (odd positions).

No held-out label is used for anything but scoring. A section is scored with profiles built
from the *other* trusts' tuning-half sections (and the theme descriptions), as for a new
document in use; its own document's other sections, headings hidden, only serve as the
background it is compared against. The cutoffs are calibrated on the tuning half's scores, and
the weights in ``index._labels`` were chosen on the tuning half alone.

Accuracy is the share of *all* sections given their gold theme: a section left without a theme
counts as wrong. Coverage (share given a theme) and precision (share right of those given one)
are reported beside it.
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
    section_words,
    theme_scores,
)

TARGET_ACCURACY = 0.85
Z95 = 1.96
PROTOCOL = "profiles from the other trusts' tuning-half sections; cutoffs from the tuning half"


def theme_assignment(chunks: Iterable[Chunk], embedder: Embedder) -> dict:
    """Calibrate the cutoffs on the tuning half, then score both halves.

    Args:
        chunks: The bundled corpus's chunks (an eval index's).
        embedder: The embedder the index uses.

    Returns:
        The ``theme_assignment`` block: the held-out half's ``accuracy`` (no theme counts as
        wrong, with a 95% Wilson interval), ``coverage``, ``precision``, ``n`` and the counts,
        the top-1 accuracy without cutoffs; the same for the tuning half under ``tune``; the
        cutoffs; and ``meaning_only``, both halves' accuracy without the word view.

    """
    sections, gold = labelled_sections(chunks)
    if not sections:
        return {"n": 0, "accuracy": None, "coverage": None, "split": "heldout"}
    vectors, words = section_vectors(sections, embedder), section_words(sections)
    groups = np.array([section.group for section in sections])
    tune = tuning_half(len(gold))
    block = _halves(_cross_fitted(vectors, words, groups, gold, tune, embedder), gold, tune)
    meaning = _halves(_cross_fitted(vectors, None, groups, gold, tune, embedder), gold, tune)
    stored = cutoffs_for(embedder)
    return block | {
        "split": "heldout",
        "protocol": PROTOCOL,
        "meaning_only": {
            "accuracy": meaning["accuracy"],
            "tune_accuracy": meaning["tune"]["accuracy"],
        },
        "stored_cutoffs": {"threshold": stored.threshold, "margin": stored.margin},
        "target_accuracy": TARGET_ACCURACY,
        "model": embedder.name,
    }


def tuning_half(count: int) -> np.ndarray:
    """Which of ``count`` sections in document order are in the tuning half (even positions)."""
    return np.arange(count) % 2 == 0


def _halves(scores: np.ndarray, gold: np.ndarray, tune: np.ndarray) -> dict:
    """Cutoffs calibrated on the tuning half; held-out figures, with the tuning half's."""
    cutoffs = calibrate(scores[tune], gold[tune])
    return score(scores[~tune], gold[~tune], cutoffs) | {
        "tune": score(scores[tune], gold[tune], cutoffs),
        "threshold": cutoffs.threshold,
        "margin": cutoffs.margin,
    }


def _cross_fitted(
    vectors: np.ndarray,
    words: list | None,
    groups: np.ndarray,
    gold: np.ndarray,
    train: np.ndarray,
    embedder: Embedder,
) -> np.ndarray:
    """Every section's scores, from profiles built on other documents' ``train`` sections."""
    scores = np.zeros((len(gold), len(THEME_KEYS)))
    for group in dict.fromkeys(groups.tolist()):
        others = np.flatnonzero(train & (groups != group))
        rows = np.flatnonzero(groups == group)
        known = None if words is None else [words[i] for i in others]
        model = fit_model(vectors[others], groups[others], gold[others], embedder, known)
        own = None if words is None else [words[i] for i in rows]
        scores[rows] = theme_scores(model, vectors[rows], groups[rows], own)
    return scores


def score(scores: np.ndarray, gold: np.ndarray, cutoffs: Cutoffs) -> dict:
    """Accuracy (no theme counts as wrong), coverage, precision and counts of some sections.

    Args:
        scores: (sections, themes) scores.
        gold: Each section's gold theme index.
        cutoffs: When a best theme is given.

    Returns:
        ``accuracy`` = right / all, ``coverage`` = given a theme / all, ``precision`` =
        right / given a theme (None where a share has no sections), the counts, a 95% Wilson
        interval of the accuracy, and the top-1 accuracy without cutoffs.

    """
    predicted = decide(scores, cutoffs)
    total = len(gold)
    assigned = sum(bool(theme) for theme in predicted)
    correct = sum(theme == THEME_KEYS[label] for theme, label in zip(predicted, gold, strict=True))
    top1 = int((np.argmax(scores, axis=1) == gold).sum()) if total else 0
    return {
        "accuracy": correct / total if total else None,
        "accuracy_ci95": wilson(correct, total),
        "coverage": assigned / total if total else None,
        "precision": correct / assigned if assigned else None,
        "n": int(total),
        "assigned": int(assigned),
        "correct": int(correct),
        "accuracy_without_cutoffs": top1 / total if total else None,
    }


def calibrate(scores: np.ndarray, gold: np.ndarray, target: float = TARGET_ACCURACY) -> Cutoffs:
    """The cutoffs that give a theme to the most sections with precision at the target or above.

    Candidates are midpoints between the observed best scores (and leads), and below them a
    floor: under every best score, and half the smallest lead over the runner-up (so a tie is
    never given a theme). Among cutoffs whose themed sections are right at least ``target`` of
    the time, the most sections given a theme wins, then the lowest cutoffs; when none reaches
    it, the highest precision wins.
    """
    ordered = np.sort(scores, axis=1)
    best, lead = ordered[:, -1], ordered[:, -1] - ordered[:, -2]
    right = np.argmax(scores, axis=1) == gold
    positive = lead[lead > 0]
    choice: tuple = ((), Cutoffs(0.0, 0.0))
    for threshold in _candidates(best):
        for margin in _candidates(lead, floor=float(positive.min()) / 2 if len(positive) else 0.0):
            kept = (best >= threshold) & (lead >= margin)
            count = int(kept.sum())
            precision = float(right[kept].mean()) if count else 0.0
            rank = (precision >= target, count if precision >= target else precision, precision)
            key = (*rank, -threshold, -margin)
            if key > choice[0]:
                choice = (key, Cutoffs(round(threshold, 4), round(margin, 4)))
    return choice[1]


def _candidates(values: np.ndarray, floor: float | None = None) -> list[float]:
    """Cutoffs to try: a floor at or below every value, then midpoints between distinct values."""
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

"""Top-k selection shared by the dense and keyword searches."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first.

    Args:
        scores: One score per row.
        k: How many to keep (all of them when k is at least the number of scores).

    Returns:
        Row positions, highest score first (empty when k < 1 or there are no scores).

    """
    scores = np.asarray(scores)
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]

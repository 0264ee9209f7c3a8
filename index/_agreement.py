"""How closely the Chroma server's HNSW search matches exact search, and how fast it is.

``dense_agreement`` takes an opened server-mode index and questions, fetches every vector of the
live generation once, and compares for each question the server's top k with exact cosine
search over the same vectors. Two lists agree when their similarities match position by position
(within ``tolerance``): chunks with equal scores may be listed in either order, so a copy of a
chunk standing in for another copy with the same text still agrees.

Run it on a server-mode index with::

    DIA_CHROMA_HOST=127.0.0.1 python -m index._agreement evals/questions.jsonl
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index._index import Index
from index._topk import top_k


def dense_agreement(
    index: Index, questions: Sequence[str], ks: Sequence[int] = (10, 40), tolerance: float = 1e-4
) -> dict:
    """Share of questions whose server top k equals exact search's, for each k, and latency.

    Args:
        index: An opened index whose store answers dense queries (server mode).
        questions: The questions to embed and search with.
        ks: The list lengths to compare.
        tolerance: Largest difference in cosine similarity counted as equal.

    Returns:
        ``questions``, ``chunks``, ``hnsw`` (collection configuration), ``agreement_at_k`` and
        ``overlap_at_k`` (share of exact ids returned) per k, ``dense_p50_ms``/``dense_p95_ms``.

    """
    ids = list(index.ids or index.chunks)
    found = index.store.embeddings(index.manifest.collection, ids)
    matrix = np.stack([found[i] for i in ids]).astype(np.float32)
    agree, overlap = dict.fromkeys(ks, 0), dict.fromkeys(ks, 0.0)
    times: list[float] = []
    for question in questions:
        vector = np.asarray(index.embed_query(question), dtype=np.float32)
        started = time.perf_counter()
        hits = index.store.query(index.manifest.collection, vector, max(ks))
        times.append((time.perf_counter() - started) * 1000)
        exact = _exact(matrix, vector, max(ks))
        for k in ks:
            same, shared = _compare(hits[:k], [(ids[i], s) for i, s in exact[:k]], tolerance)
            agree[k] += same
            overlap[k] += shared
    count = max(len(questions), 1)
    return {
        "questions": len(questions),
        "chunks": len(ids),
        "hnsw": _configuration(index),
        **{f"agreement_at_{k}": agree[k] / count for k in ks},
        **{f"overlap_at_{k}": overlap[k] / count for k in ks},
        **_percentiles(times),
    }


def _percentiles(times: list[float]) -> dict:
    """Median and 95th percentile of query times (ms)."""
    if not times:
        return {"dense_p50_ms": 0.0, "dense_p95_ms": 0.0}
    ordered = sorted(times)
    return {
        "dense_p50_ms": statistics.median(ordered),
        "dense_p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
    }


def _exact(matrix: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Row numbers and cosine similarities of the k nearest rows, best first."""
    scores = matrix @ vector
    return [(int(i), float(scores[i])) for i in top_k(scores, k)]


def _compare(
    approximate: list[tuple[str, float]], exact: list[tuple[str, float]], tolerance: float
) -> tuple[bool, float]:
    """Whether two top lists agree (same similarities, ties in any order) and the id overlap."""
    if len(approximate) != len(exact):
        return False, 0.0
    left = sorted((s for _, s in approximate), reverse=True)
    right = [s for _, s in exact]
    same = all(abs(a - b) <= tolerance for a, b in zip(left, right, strict=True))
    shared = len({i for i, _ in approximate} & {i for i, _ in exact}) / max(len(exact), 1)
    return same, shared


def _configuration(index: Index) -> dict:
    """The HNSW settings of the index's collection, as the server reports them."""
    handle = getattr(index.store, "_collection", None)
    if handle is None:
        return {}
    try:
        return dict(handle(index.manifest.collection).configuration.get("hnsw") or {})
    except Exception:  # noqa: BLE001 - a report field only
        return {}


def read_questions(path: Path) -> list[str]:
    """The ``question`` of every line of a JSONL file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def main() -> None:
    """Print the agreement figures of the index the ``DIA_*`` settings name, as JSON."""
    from dia.settings import Settings

    questions = read_questions(Path(sys.argv[1] if len(sys.argv) > 1 else "evals/questions.jsonl"))
    index = Index.open(Settings())
    print(json.dumps(dense_agreement(index, questions), indent=2))


if __name__ == "__main__":
    main()

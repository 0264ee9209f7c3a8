"""BM25 over the chunks (bm25s), persisted beside the store and loaded with mmap."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index._topk import top_k

_local = threading.local()


def _stemmer():
    """One English stemmer per thread (stemmer objects are not thread-safe), made once."""
    if not hasattr(_local, "stemmer"):
        import Stemmer

        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-case, drop English stop words, stem."""
    import bm25s

    return bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False, return_ids=False
    )


class BM25Index:
    """A keyword index whose rows line up with a list of chunk ids."""

    def __init__(self, retriever, ids: list[str]) -> None:
        self._retriever = retriever
        self.ids = ids
        self._vocab = getattr(retriever, "vocab_dict", None) or {}  # absent when empty
        self._sorted: list[str] | None = None

    @classmethod
    def build(cls, ids: list[str], texts: Sequence[str]) -> BM25Index:
        """Index texts; row i is ids[i]."""
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, list(ids))

    def knows(self, token: str, min_stem: int = 5) -> bool:
        """True when the corpus uses the (tokenized) term or a close form of it.

        Close forms: a corpus term that extends it ("react" -> "reaction"), or a corpus term of
        at least ``min_stem`` characters that it extends ("crise" -> "crisi").
        """
        if token in self._vocab:
            return True
        if self._sorted is None:
            self._sorted = sorted(self._vocab)
        position = bisect.bisect_left(self._sorted, token)
        if position < len(self._sorted) and self._sorted[position].startswith(token):
            return True
        return any(token[:end] in self._vocab for end in range(min_stem, len(token)))

    def save(self, folder: Path) -> None:
        """Write the index files into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, ids: list[str]) -> BM25Index:
        """Load an index saved by ``save`` (memory-mapped)."""
        import bm25s

        if not ids:
            return cls.build([], [])
        return cls(bm25s.BM25.load(str(folder), mmap=True), ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Return up to k (chunk id, BM25 score) pairs with a positive score, best first."""
        if not self.ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens))
        return [(self.ids[i], float(scores[i])) for i in top_k(scores, k) if scores[i] > 0]


def idf_table(index: BM25Index) -> dict[str, float]:
    """Inverse document frequency of every indexed token (from the stored score matrix)."""
    if not index.ids:
        return {}
    indptr = np.asarray(index._retriever.scores["indptr"])
    document_frequency = np.diff(indptr)
    total = len(index.ids)
    idf = np.log(1.0 + (total - document_frequency + 0.5) / (document_frequency + 0.5))
    return {
        token: float(idf[position])
        for token, position in index._vocab.items()
        if position < len(idf)
    }

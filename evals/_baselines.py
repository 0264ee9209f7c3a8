"""Baselines scored with the same retrieval metrics: dense, BM25, the plain LangChain recipe."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from corpus import Document
from index import Embedder, Index

RECIPE_CHUNK_SIZE = 1000
RECIPE_OVERLAP = 200
RECIPE_TOP_K = 4


@dataclass
class Hit:
    """One retrieved item reduced to what the metrics need."""

    doc_id: str
    sections: set[str]


def dense_only(index: Index, question: str, k: int = 10) -> list[Hit]:
    """Plain nearest-neighbour search over our chunks: no BM25, no boosts, no diversity."""
    return [Hit(c.doc_id, {c.section}) for c, _ in index.dense(index.embed_query(question), k)]


def bm25_only(index: Index, question: str, k: int = 10) -> list[Hit]:
    """Plain BM25 over our chunks."""
    return [Hit(c.doc_id, {c.section}) for c, _ in index.keyword(question, k)]


def langchain_embeddings(embedder: Embedder):
    """Our embedder behind LangChain's ``Embeddings`` interface (for the plain recipe).

    Args:
        embedder: The embedder both our index and the recipe use.

    Returns:
        A ``langchain_core.embeddings.Embeddings`` instance.

    """
    from langchain_core.embeddings import Embeddings

    class EmbedderAdapter(Embeddings):
        """Our embedder behind LangChain's Embeddings interface (same model for both sides)."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

    return EmbedderAdapter()


class PlainRecipe:
    """RecursiveCharacterTextSplitter(1000, 200) + Chroma.from_documents + similarity search.

    Runs over the same document texts as the assistant, with the same embedding model, in an
    in-memory Chroma so the real index is never touched.
    """

    def __init__(self, documents: list[Document], embedder: Embedder) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=RECIPE_CHUNK_SIZE, chunk_overlap=RECIPE_OVERLAP, add_start_index=True
        )
        pieces = splitter.split_documents(
            [LCDocument(page_content=d.text, metadata={"doc_id": d.id}) for d in documents]
        )
        self.chunk_count = len(pieces)
        self._headings = {d.id: _heading_offsets(d) for d in documents}
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self._store = Chroma.from_documents(
            pieces,
            embedding=langchain_embeddings(embedder),
            client=client,
            collection_name="plain-recipe",
        )

    def search(self, question: str, k: int = 10) -> list[Hit]:
        """Top-k by similarity; each hit knows every section its text overlaps."""
        hits = []
        for piece in self._store.similarity_search(question, k=k):
            doc_id = piece.metadata["doc_id"]
            start = piece.metadata["start_index"]
            hits.append(
                Hit(
                    doc_id,
                    _sections_between(
                        self._headings[doc_id], start, start + len(piece.page_content)
                    ),
                )
            )
        return hits


def _heading_offsets(document: Document) -> tuple[list[int], list[str]]:
    starts, names = [0], [""]
    for block in document.blocks:
        if block.kind == "heading":
            starts.append(block.start)
            names.append(" ".join(document.block_text(block).split()))
    return starts, names


def _sections_between(headings: tuple[list[int], list[str]], start: int, end: int) -> set[str]:
    starts, names = headings
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_left(starts, end) - 1
    return {names[i] for i in range(max(first, 0), max(last, first) + 1)}

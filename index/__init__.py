"""Chunk, embed and store: documents in, a searchable index out."""

from index._agreement import dense_agreement
from index._bm25 import BM25Index, idf_table, tokenize
from index._chunker import CHUNKER_VERSION, Chunk, ChunkerConfig, chunk_document
from index._embedders import (
    Embedder,
    HashEmbedder,
    SentenceTransformerEmbedder,
    bundled_model_path,
    make_embedder,
    register_embedder,
)
from index._index import Index, chunker_config, read_manifest
from index._ingest import IngestReport, ingest
from index._labels import assign_themes, trusts_of
from index._manifest import Manifest
from index._registry import Lease, Registry
from index._store import ChromaStore, MemoryStore, VectorStore, open_store
from index._uploads import UploadOutcome, add_documents

__all__ = [
    "CHUNKER_VERSION",
    "BM25Index",
    "idf_table",
    "tokenize",
    "ChromaStore",
    "Chunk",
    "ChunkerConfig",
    "Embedder",
    "HashEmbedder",
    "Index",
    "UploadOutcome",
    "add_documents",
    "assign_themes",
    "trusts_of",
    "IngestReport",
    "Lease",
    "Manifest",
    "MemoryStore",
    "Registry",
    "SentenceTransformerEmbedder",
    "VectorStore",
    "bundled_model_path",
    "chunk_document",
    "chunker_config",
    "dense_agreement",
    "ingest",
    "make_embedder",
    "open_store",
    "read_manifest",
    "register_embedder",
]

"""Open a built index for reading: manifest checks, chunk catalog, dense and keyword search."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus import compound_terms
from dia.errors import (
    VECTORS_NOT_FINITE,
    DiaError,
    IndexCorrupt,
    IndexDamaged,
    IndexMismatch,
    IndexNotBuilt,
)
from dia.settings import Settings
from index._bm25 import BM25Index
from index._chunker import Chunk, ChunkerConfig
from index._embedders import Embedder, make_embedder
from index._labels import trusts_of
from index._manifest import MANIFEST_NAME, Manifest, damaged_file, files_signature
from index._registry import LiveWatch, Registry
from index._store import VectorStore, open_store
from index._topk import top_k

CATALOG_NAME = "catalog.json"
VECTORS_NAME = "vectors.npy"
# Generations whose checksums and vectors were checked in this process, with what their files
# looked like then: a generation is read in full once, and again only when a file changes.
_VERIFIED: set[tuple[str, tuple]] = set()


def chunker_config(settings: Settings) -> ChunkerConfig:
    """Return the chunker settings the current settings ask for."""
    return ChunkerConfig(
        max_words=settings.chunk_max_words,
        target_words=settings.chunk_target_words,
        overlap_words=settings.chunk_overlap_words,
    )


def generation_dir(settings: Settings, collection: str) -> Path:
    """Folder holding the catalog and BM25 files of one index generation."""
    return settings.store_dir / "generations" / collection


def chromadb_version() -> str:
    """Installed chromadb version (read without importing chromadb itself)."""
    from importlib.metadata import version

    return version("chromadb")


def read_manifest(settings: Settings) -> Manifest | None:
    """Load the manifest, turning a damaged file into a 'rebuild' message."""
    try:
        return Manifest.load(settings.store_dir)
    except (ValueError, TypeError, KeyError, OSError) as error:
        raise IndexCorrupt(
            str(settings.store_dir), f"unreadable {MANIFEST_NAME}: {error}"
        ) from None


def check_compatible(
    manifest: Manifest, settings: Settings, embedder: Embedder, where: str | None = None
) -> None:
    """Raise IndexMismatch when the index was built with other settings.

    Args:
        manifest: The index's manifest (or its header).
        settings: The settings in force.
        embedder: The embedder in force.
        where: How the message names the index (default: the store folder).

    """
    differences = manifest.differences(
        embedder.name, chunker_config(settings).describe(), chromadb_version()
    )
    if differences:
        raise IndexMismatch(where or str(settings.store_dir), differences)


def verify_generation(settings: Settings, manifest: Manifest) -> None:
    """Check the active generation's files against the manifest before they are read.

    Sizes are compared on every call; checksums, and that every stored vector is a finite
    number, once per process for each generation (again when a file's size or time changes).
    Manifests written before checksums were recorded skip the size and checksum comparison.

    Raises:
        IndexDamaged: A file is missing, resized or changed, or the vectors hold NaN or inf.

    """
    store = settings.store_dir
    folder = generation_dir(settings, manifest.collection)
    damage = damaged_file(store, manifest.files, checksums=False)
    key = (str(folder.resolve()), files_signature(folder))
    if damage is None and key not in _VERIFIED:
        damage = damaged_file(store, manifest.files, checksums=True) or _vectors_damage(folder)
    if damage is not None:
        raise IndexDamaged(str(store), damage)
    _VERIFIED.add(key)


def _vectors_damage(folder: Path) -> str | None:
    """Why the generation's vectors cannot be trusted (unreadable, NaN or inf), or None."""
    path = folder / VECTORS_NAME
    if not path.exists():
        return None
    try:
        vectors = np.load(path, mmap_mode="r")
        bad = int(vectors.size - np.count_nonzero(np.isfinite(vectors)))
    except (OSError, ValueError, EOFError, TypeError) as error:
        return f"{VECTORS_NAME}: {error}"
    return VECTORS_NOT_FINITE.format(file=VECTORS_NAME, count=bad) if bad else None


def load_catalog(settings: Settings, collection: str) -> list[Chunk]:
    """Read the chunk records of one generation.

    Raises:
        IndexCorrupt: When the catalog is missing or damaged.

    """
    path = generation_dir(settings, collection) / CATALOG_NAME
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        return [chunk_from_record(r) for r in records]
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise IndexCorrupt(str(settings.store_dir), f"chunk catalog unreadable: {error}") from None


def load_bm25(settings: Settings, collection: str, ids: list[str]) -> BM25Index:
    """Load one generation's keyword index.

    Raises:
        IndexCorrupt: When its files are missing or damaged.

    """
    try:
        return BM25Index.load(generation_dir(settings, collection) / "bm25", ids)
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise IndexCorrupt(str(settings.store_dir), f"keyword index unreadable: {error}") from None


def chunk_from_record(record: dict) -> Chunk:
    """A chunk from its catalog record (older catalogs have no source spans)."""
    spans = tuple((s, e, tuple(urls)) for s, e, urls in record.get("source_spans", ()))
    return Chunk(**{**record, "source_urls": tuple(record["source_urls"]), "source_spans": spans})


def catalog_records(chunks: list[Chunk]) -> list[dict]:
    """Chunk records as written to the catalog."""
    return [chunk.record() for chunk in chunks]


def _server_vectors(
    settings: Settings, store: VectorStore, collection: str, ids: list[str]
) -> np.ndarray | None:
    """Server mode: every vector of the generation for exact search (DIA_DENSE_SEARCH=exact).

    None (dense search goes to the server's HNSW index) unless exact search is asked for.
    """
    if settings.dense_search != "exact" or not ids:
        return None
    found = store.embeddings(collection, ids)
    return np.stack([found[i] for i in ids]).astype(np.float32)


@dataclass
class Index:
    """A built index, opened and validated, ready to search.

    Attributes:
        settings: The settings it was opened with.
        manifest: What it was built from.
        store: The vector store.
        embedder: The query embedder (same model as the index).
        chunks: Every chunk by id.
        bm25: Keyword index over the chunks.

    """

    settings: Settings
    manifest: Manifest
    store: VectorStore
    embedder: Embedder
    chunks: dict[str, Chunk]
    bm25: BM25Index
    manifest_mtime: float
    vectors: np.ndarray | None = None
    ids: list[str] | None = None
    _compounds: frozenset[str] | None = None
    watch: LiveWatch | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
    ) -> Index:
        """Open and validate the index the settings point at.

        With DIA_CHROMA_HOST set, see ``_open_server``: nothing is read from a shared folder.

        Raises:
            IndexNotBuilt: No index yet.
            IndexMismatch: Built with other settings.
            IndexCorrupt: Files or collection missing or damaged.

        """
        if settings.chroma_host:
            return cls._open_server(settings, store, embedder)
        manifest = read_manifest(settings)
        if manifest is None:
            raise IndexNotBuilt(str(settings.store_dir))
        embedder = embedder or make_embedder(settings)
        check_compatible(manifest, settings, embedder)
        verify_generation(settings, manifest)
        store = store or open_store(settings)
        cls._check_collection(settings, manifest, store)
        chunk_list = load_catalog(settings, manifest.collection)
        if len(chunk_list) != manifest.chunk_count:
            raise IndexCorrupt(str(settings.store_dir), "catalog and manifest disagree")
        ids = [chunk.id for chunk in chunk_list]
        bm25 = load_bm25(settings, manifest.collection, ids)
        mtime = (settings.store_dir / MANIFEST_NAME).stat().st_mtime
        vectors = cls._local_vectors(settings, manifest, len(ids))
        chunks = {c.id: c for c in chunk_list}
        return cls(settings, manifest, store, embedder, chunks, bm25, mtime, vectors, ids)

    @classmethod
    def _open_server(
        cls, settings: Settings, store: VectorStore | None, embedder: Embedder | None
    ) -> Index:
        """Open the live generation of a server-mode index (nothing read from a shared folder).

        Raises:
            IndexNotBuilt: The server holds no live generation for this prefix.
            IndexMismatch: Built with other settings.
            IndexCorrupt: The collection or registry does not match the build.

        """
        from index._cache import Prefetch, open_generation, prune_caches

        store = store or open_store(settings)
        registry = Registry(store, settings)
        live = registry.live()
        if live is None:
            raise IndexNotBuilt(registry.location)
        embedder = embedder or make_embedder(settings)
        check_compatible(live.manifest_header(), settings, embedder, registry.location)
        manifest, chunk_list, bm25 = open_generation(settings, store, registry, live)
        cls._check_collection(settings, manifest, store, registry.location)
        prune_caches(settings, live.keep(settings.generation_grace_s))
        ids = [chunk.id for chunk in chunk_list]
        vectors = _server_vectors(settings, store, manifest.collection, ids)
        index = cls(settings, manifest, store, embedder, {c.id: c for c in chunk_list}, bm25, 0.0)
        index.vectors, index.ids = vectors, ids
        ready = Prefetch(settings, store, registry).ready
        index.watch = LiveWatch(registry, manifest.collection, settings.generation_check_s, ready)
        return index

    @staticmethod
    def _local_vectors(settings: Settings, manifest: Manifest, count: int) -> np.ndarray | None:
        """Memory-map the generation's vectors for exact search (None: use the store's ANN)."""
        if settings.dense_search == "chroma":
            return None
        path = generation_dir(settings, manifest.collection) / VECTORS_NAME
        if not path.exists():
            if settings.dense_search == "exact":
                raise IndexCorrupt(str(settings.store_dir), f"{VECTORS_NAME} is missing")
            return None
        try:
            vectors = np.load(path, mmap_mode="r")
        except (OSError, ValueError, EOFError) as error:
            raise IndexCorrupt(str(settings.store_dir), f"{VECTORS_NAME}: {error}") from None
        if vectors.shape[0] != count:
            raise IndexCorrupt(str(settings.store_dir), "vectors and catalog disagree")
        return vectors

    @staticmethod
    def _check_collection(
        settings: Settings, manifest: Manifest, store: VectorStore, where: str | None = None
    ) -> None:
        where = where or str(settings.store_dir)
        try:
            count = store.count(manifest.collection)
        except DiaError:
            raise
        except Exception as error:  # noqa: BLE001 - the store raises many types when damaged
            raise IndexCorrupt(
                where, f"collection {manifest.collection} unreadable: {error}"
            ) from None
        if count != manifest.chunk_count:
            raise IndexCorrupt(
                where,
                f"the store holds {count} chunks, the manifest expects {manifest.chunk_count}",
            )

    def is_stale(self) -> bool:
        """True when another process has switched the index since it was opened.

        Server mode asks the registry at most every DIA_GENERATION_CHECK_S seconds, and says
        so only once this process's cache of the new generation is built (in the background).
        """
        if self.watch is not None:
            return self.watch.changed()
        try:
            return (self.settings.store_dir / MANIFEST_NAME).stat().st_mtime != self.manifest_mtime
        except OSError:
            return True

    def compounds(self) -> frozenset[str]:
        """Lower-cased compound terms ("a&e", "well-led") used anywhere in the corpus."""
        if self._compounds is None:
            self._compounds = frozenset(
                term for chunk in self.chunks.values() for term in compound_terms(chunk.text)
            )
        return self._compounds

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a query with the index's model."""
        return self.embedder.embed([text])[0]

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity: exact over local vectors, else the store's ANN."""
        k = min(k, len(self.chunks))
        if k <= 0:
            return []
        if self.vectors is not None:
            scores = self.vectors @ np.asarray(vector, dtype=np.float32)
            return [(self.chunks[self.ids[i]], float(scores[i])) for i in top_k(scores, k)]
        hits = self.store.query(self.manifest.collection, vector, k)
        return [(self.chunks[i], score) for i, score in hits if i in self.chunks]

    def keyword(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Best chunks by BM25."""
        return [(self.chunks[i], score) for i, score in self.bm25.search(query, k)]

    def select(self, trust: str | None = None, theme: str | None = None) -> list[Chunk]:
        """Every chunk matching the filters, in corpus order (exhaustive, not top-k)."""
        return [
            chunk
            for chunk in self.chunks.values()
            if (trust is None or chunk.trust == trust) and (theme is None or chunk.theme == theme)
        ]

    def status(self) -> dict:
        """What is indexed, as plain data (the `dia status --json` object)."""
        chunks = list(self.chunks.values())
        return {
            "documents": len(self.manifest.documents),
            "chunks": len(chunks),
            "by_trust": dict(Counter(c.trust or "(none)" for c in chunks).most_common()),
            "trusts": trusts_of(chunks),
            "by_theme": dict(Counter(c.theme or "(none)" for c in chunks).most_common()),
            "by_document": {
                doc_id: {
                    "title": entry.title,
                    "trust": entry.trust,
                    "kind": entry.kind,
                    "chunks": len(entry.chunk_ids),
                    "path": entry.path,
                    "source_url": entry.source_url,
                }
                for doc_id, entry in sorted(self.manifest.documents.items())
            },
            "model": self.manifest.embedding_model,
            "store": self.store.location,
            "collection": self.manifest.collection,
            "built_at": self.manifest.built_at,
            "corpus_hash": self.manifest.corpus_hash,
            "chromadb_version": self.manifest.chromadb_version,
            "chunker": self.manifest.chunker,
        }

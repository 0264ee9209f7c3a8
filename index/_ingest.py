"""Incremental, idempotent, crash-safe ingest.

Every change is built into a fresh collection (reusing the vectors of unchanged chunks), checked,
and only then made active by an atomic manifest write (server mode: one upsert of the registry's
``live`` record), so a crash or Ctrl-C at any point leaves the previous index fully usable.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from corpus import Document, load_paths
from dia.errors import (
    CATALOG_UNREADABLE,
    CHROMA_SET_ASIDE,
    COLLECTION_COUNT,
    COLLECTION_UNREADABLE,
    INGEST_REPAIRED,
    IndexBusy,
    IndexCorrupt,
    IndexDamaged,
    NothingToIndex,
    RejectedFile,
)
from dia.settings import Settings
from index._bm25 import BM25Index
from index._cache import fetch_chunks, prune_caches, write_cache
from index._chunker import Chunk, chunk_document
from index._embedders import Embedder, make_embedder
from index._index import (
    CATALOG_NAME,
    VECTORS_NAME,
    catalog_records,
    check_compatible,
    chromadb_version,
    chunker_config,
    generation_dir,
    load_catalog,
    read_manifest,
    verify_generation,
)
from index._labels import assign_themes
from index._manifest import (
    DocumentEntry,
    Manifest,
    catalog_checksum,
    record_files,
    write_json_atomic,
)
from index._registry import Lease, LiveRecord, Registry, is_generation
from index._store import VectorStore, check_store_dir, open_store, set_aside_chroma

Progress = Callable[[int, int], None]
# A second ingest is refused at once (one try, no waiting) so the user hears about it quickly.
LOCK_TIMEOUT_S = 0.0


@dataclass
class IngestReport:
    """What an ingest did.

    Attributes:
        added, updated, removed, unchanged: Document ids in each state.
        rejected: Files that could not be indexed, each with its reason.
        chunks: Chunks in the index afterwards.
        embedded: Chunks embedded by this run.
        seconds: Wall time.
        rebuilt: Whether a fresh collection was built from scratch.
        changed: Whether the active index changed.
        repaired: Why the index was found damaged and rebuilt ('' when it was sound).

    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    changed: bool = False
    repaired: str = ""

    def as_dict(self) -> dict:
        """Plain data for `--json` output."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "rejected": [{"path": r.path, "reason": r.reason} for r in self.rejected],
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 3),
            "rebuilt": self.rebuilt,
            "repaired": self.repaired,
        }


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    store: VectorStore | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the documents under paths.

    Documents indexed from other paths are kept while their files exist; a rejected file's
    document keeps its previously indexed version. Server mode also sweeps old generations.

    Args:
        settings: Settings (store, model, chunker, size cap).
        paths: Files or folders; defaults to the corpus folder.
        rebuild: Build a fresh collection and embed everything again.
        store: Vector store (default: the one the settings name).
        embedder: Embedder (default: the one the settings name).
        progress: Called with (chunks embedded so far, chunks to embed).

    Raises:
        IndexBusy: Another ingest holds the lock or lease (checked once, at once).
        BadSetting: The store folder (or a folder above it) is an existing file.
        IndexMismatch: The index was built with other settings and rebuild is False.
        CorpusNotFound: A path does not exist.
        NothingToIndex: The paths hold no file that could be indexed (the index is untouched).

    """
    started = time.perf_counter()
    check_store_dir(settings.store_dir)
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    store = store or (open_store(settings) if settings.chroma_host else None)
    with _writer_lock(settings, store) as lease:
        report = _ingest_locked(settings, paths, rebuild, store, embedder, progress, lease)
        if lease is not None and not report.changed:
            _sweep(settings, store, lease.registry)
    report.seconds = time.perf_counter() - started
    return report


def _writer_lock(
    settings: Settings, store: VectorStore | None
) -> AbstractContextManager[Lease | None]:
    """One writer at a time: a lease in the Chroma server, or a lock file in the store folder.

    Raises:
        IndexBusy: (on entering) Another ingest holds it; IndexLeased names the holder.

    """
    if settings.chroma_host:
        return Lease(Registry(store, settings), settings.ingest_lease_s)
    return _file_lock(settings)


@contextmanager
def _file_lock(settings: Settings) -> Iterator[None]:
    """Hold the store folder's lock file, refused at once when another process has it."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(settings.store_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Timeout:
        raise IndexBusy(str(settings.store_dir)) from None
    try:
        yield None
    finally:
        lock.release()


def _ingest_locked(settings, paths, rebuild, store, embedder, progress, lease) -> IngestReport:
    paths = [Path(p) for p in (paths or [settings.corpus_dir])]
    embedder = embedder or make_embedder(settings)
    manifest = None if rebuild else _usable_manifest(settings, embedder, lease)
    store, damage = (store, "") if store else _writable_store(settings)
    manifest, old_chunks, damage = _assess(settings, manifest, store, damage, lease)
    entries = manifest.documents if manifest and old_chunks else {}
    loaded = load_paths(
        paths,
        int(settings.max_file_mb * 1_000_000),
        settings.pdf_timeout_s,
        known={doc_id: (entry.path, entry.content_hash) for doc_id, entry in entries.items()},
    )
    report = IngestReport(rejected=loaded.rejected, rebuilt=rebuild or manifest is None)
    if damage:
        report.rebuilt = True
        report.repaired = INGEST_REPAIRED.format(store=settings.store_dir, detail=damage)
    plan = _plan(settings, entries, old_chunks, loaded, paths, report, embedder)
    report.chunks = sum(len(chunks) for chunks, _ in plan.values())
    if not report.chunks or not _covers(plan, paths):
        raise NothingToIndex([str(p) for p in paths], loaded.rejected)
    if manifest is not None and not (report.added or report.updated or report.removed):
        return report
    active = manifest.collection if manifest else _active_collection(settings, lease)
    generation = GenerationPlan(settings, store, embedder, manifest, plan, active, lease, progress)
    report.embedded = _build_generation(generation).embedded
    report.changed = True
    return report


def _usable_manifest(
    settings: Settings, embedder: Embedder, lease: Lease | None
) -> Manifest | None:
    """The current manifest if its index can be extended; None when there is no index."""
    try:
        manifest = _server_manifest(lease.registry) if lease else read_manifest(settings)
    except IndexCorrupt:
        return None
    if manifest is not None:
        check_compatible(manifest, settings, embedder, lease.registry.location if lease else None)
    return manifest


def _server_manifest(registry: Registry) -> Manifest | None:
    """The live generation's full manifest on the server, or None before the first ingest."""
    live = registry.live()
    return registry.manifest(live) if live else None


def _writable_store(settings: Settings) -> tuple[VectorStore, str]:
    """Open the store to write; an embedded Chroma database that cannot be opened is set aside.

    Returns:
        The store, and what was wrong with it ('' when it opened).

    Raises:
        IndexDamaged: When the database made afresh cannot be opened either.

    """
    try:
        return open_store(settings), ""
    except IndexDamaged as error:
        moved = set_aside_chroma(settings)
        return open_store(settings), CHROMA_SET_ASIDE.format(reason=error.detail, moved=moved)


def _assess(
    settings: Settings,
    manifest: Manifest | None,
    store: VectorStore,
    damage: str,
    lease: Lease | None = None,
) -> tuple[Manifest | None, dict, str]:
    """What of the active index can be reused, and why it needs repair.

    Returns:
        The manifest whose stored vectors can be reused (None: embed everything), the chunks
        of the active generation by id ({}: chunk every document again), and what is damaged
        ('' when the index is sound or there is none).

    """
    if manifest is None or damage:
        return None, {}, damage
    try:
        count = store.count(manifest.collection)
    except IndexDamaged as error:  # a memory store mirrors the files: they failed their check
        return None, {}, error.detail
    except Exception as error:  # noqa: BLE001 - the store raises many types when damaged
        return None, {}, COLLECTION_UNREADABLE.format(name=manifest.collection, reason=error)
    if count != manifest.chunk_count:
        return None, {}, COLLECTION_COUNT.format(count=count, expected=manifest.chunk_count)
    if lease is not None:
        return _assess_server(settings, manifest, store, lease.registry)
    try:
        verify_generation(settings, manifest)
        chunks = load_catalog(settings, manifest.collection)
    except IndexDamaged as error:
        return manifest, {}, error.detail
    except IndexCorrupt:  # an older index without checksums: re-chunk, reuse stored vectors
        return manifest, {}, CATALOG_UNREADABLE
    return manifest, {chunk.id: chunk for chunk in chunks}, ""


def _assess_server(
    settings: Settings, manifest: Manifest, store: VectorStore, registry: Registry
) -> tuple[Manifest | None, dict, str]:
    """Server mode: the live generation's chunks, read back from the server and checked.

    Reading them from the collection (not this process's cache) checks the server still holds
    what the build recorded; a collection that differs is rebuilt from the documents.
    """
    try:
        chunks = fetch_chunks(store, manifest, registry.location)
    except IndexDamaged as error:
        return None, {}, error.detail
    return manifest, {chunk.id: chunk for chunk in chunks}, ""


def _plan(settings, entries, old_chunks, loaded, paths, report, embedder=None) -> dict:
    """Decide each document's chunks: reuse, rechunk, keep or drop.

    New and changed documents are chunked, and sections whose headings name no theme get
    one by similarity (``assign_themes``) when an embedder is given.

    Returns:
        doc id -> (chunks, manifest entry).

    """
    config = chunker_config(settings)
    plan: dict[str, tuple[list[Chunk], DocumentEntry]] = {}
    for doc_id in loaded.unchanged:
        plan[doc_id] = ([old_chunks[i] for i in entries[doc_id].chunk_ids], entries[doc_id])
        report.unchanged.append(doc_id)
    for document in loaded.documents:
        entry = entries.get(document.id)
        if entry and entry.content_hash == document.content_hash and entry.path == document.path:
            plan[document.id] = ([old_chunks[i] for i in entry.chunk_ids], entry)
            report.unchanged.append(document.id)
            continue
        chunks = chunk_document(document, config)
        chunks = assign_themes(chunks, embedder) if embedder is not None else chunks
        (report.updated if entry else report.added).append(document.id)
        plan[document.id] = (chunks, _entry(document, chunks))
    rejected_paths = {Path(r.path).resolve() for r in report.rejected}
    for doc_id, entry in entries.items():
        if doc_id in plan:
            continue
        source = Path(entry.path).resolve()
        if source in rejected_paths or (source.exists() and not _under(source, paths)):
            plan[doc_id] = ([old_chunks[i] for i in entry.chunk_ids], entry)
        else:
            report.removed.append(doc_id)
    return plan


def _covers(plan: dict, paths: Sequence[Path]) -> bool:
    """Whether the plan holds a document from the given paths (new, unchanged or kept)."""
    return any(_under(Path(entry.path).resolve(), paths) for _, entry in plan.values())


def _under(path: Path, roots: Sequence[Path]) -> bool:
    for root in roots:
        root = root.resolve()
        if path == root or root in path.parents:
            return True
    return False


def _entry(document: Document, chunks: list[Chunk]) -> DocumentEntry:
    return DocumentEntry(
        content_hash=document.content_hash,
        title=document.title,
        trust=document.trust,
        kind=document.kind,
        path=document.path,
        source_url=document.source_url,
        chunk_ids=[chunk.id for chunk in chunks],
    )


def _active_collection(settings: Settings, lease: Lease | None = None) -> str | None:
    """The collection live readers use now (kept one generation), even when rebuilding."""
    if lease is not None:
        return lease.registry.live_collection()
    try:
        current = read_manifest(settings)
    except IndexCorrupt:
        return None
    return current.collection if current else None


@dataclass(frozen=True)
class GenerationPlan:
    """What a new generation is built from.

    Attributes:
        settings: Settings (collection prefix, store folder, batch size, chunker).
        store: The vector store the new collection is written to.
        embedder: Embeds the chunks whose vectors cannot be reused.
        previous: The manifest whose stored vectors are reused (None: embed every chunk).
        documents: Doc id -> (its chunks, its manifest entry), as ``_plan`` decided.
        active: The collection readers use now (recorded as the previous generation).
        lease: Server mode's ingest lease (None: embedded, files go to the store folder).
        progress: Called with (chunks embedded so far, chunks to embed).

    """

    settings: Settings
    store: VectorStore
    embedder: Embedder
    previous: Manifest | None
    documents: dict[str, tuple[list[Chunk], DocumentEntry]]
    active: str | None
    lease: Lease | None = None
    progress: Progress | None = None

    def chunks(self) -> list[Chunk]:
        """Every chunk of the new generation, documents in id order."""
        return [chunk for doc_id in sorted(self.documents) for chunk in self.documents[doc_id][0]]


@dataclass(frozen=True)
class Generation:
    """A generation written, checked and made active.

    Attributes:
        manifest: Its manifest (the active one now).
        embedded: Chunks embedded for it (the others' vectors were reused).

    """

    manifest: Manifest
    embedded: int


def _build_generation(plan: GenerationPlan) -> Generation:
    """Write a complete new generation, validate it, switch to it, clean up old ones."""
    chunks = plan.chunks()
    settings = plan.settings
    name = f"{settings.collection_prefix}-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    vectors, embedded = _write_collection(plan, name, chunks)
    files = {} if plan.lease else _write_generation_files(settings, name, chunks, vectors)
    _validate(plan.store, name, chunks, vectors)
    manifest = _new_manifest(plan, name, chunks, vectors, files)
    if plan.lease is not None:
        _publish(settings, plan.store, plan.lease, manifest)
    else:
        manifest.save(settings.store_dir)
        _clean_up(settings, plan.store, keep={name, manifest.previous})
    return Generation(manifest, embedded)


def _write_collection(
    plan: GenerationPlan, name: str, chunks: list[Chunk]
) -> tuple[np.ndarray, int]:
    """Create the collection and add every chunk: reused vectors as stored, the rest embedded.

    Returns:
        One vector per chunk, and how many chunks were embedded now.

    """
    store = plan.store
    store.create(name)
    ids = [c.id for c in chunks]
    reused = store.embeddings(plan.previous.collection, ids) if plan.previous else {}
    batch_size = plan.settings.embedding_batch_size
    vectors = _vectors(chunks, reused, plan.embedder, batch_size, plan.progress)
    store.add(name, ids, vectors, [c.text for c in chunks], [c.metadata() for c in chunks])
    return vectors, len(chunks) - len(reused)


def _new_manifest(
    plan: GenerationPlan,
    name: str,
    chunks: list[Chunk],
    vectors: np.ndarray,
    files: dict[str, dict],
) -> Manifest:
    """The manifest of the generation just written to collection name."""
    documents = plan.documents
    return Manifest(
        collection=name,
        previous=plan.active,
        embedding_model=plan.embedder.name,
        embedding_dim=int(vectors.shape[1]) if len(chunks) else plan.embedder.dim,
        chunker=chunker_config(plan.settings).describe(),
        chromadb_version=chromadb_version(),
        corpus_hash=corpus_hash({d: e.content_hash for d, (_, e) in documents.items()}),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        store=plan.store.location,
        documents={doc_id: entry for doc_id, (_, entry) in sorted(documents.items())},
        files=files,
        checksums={"catalog": catalog_checksum(catalog_records(chunks))},
    )


def _write_generation_files(
    settings: Settings, name: str, chunks: list[Chunk], vectors: np.ndarray
) -> dict[str, dict]:
    """Embedded mode: write the keyword index, vectors and catalog; return their records."""
    folder = generation_dir(settings, name)
    folder.mkdir(parents=True, exist_ok=True)
    BM25Index.build([c.id for c in chunks], [c.embed_text() for c in chunks]).save(folder / "bm25")
    np.save(folder / VECTORS_NAME, vectors.astype(np.float32))
    write_json_atomic(folder / CATALOG_NAME, catalog_records(chunks))
    return record_files(settings.store_dir, folder)


def _publish(settings: Settings, store: VectorStore, lease: Lease, manifest: Manifest) -> None:
    """Server mode: check the new collection, record it, switch to it, sweep old generations.

    Reading every chunk back from the server checks it holds exactly what was written (the
    catalog checksum), and gives this process its cache of the new generation.

    Raises:
        IndexDamaged: The collection differs from what was written (nothing is switched).
        LeaseLost: The lease ran out or was taken over (nothing is switched).

    """
    registry = lease.registry
    write_cache(settings, manifest, fetch_chunks(store, manifest, registry.location))
    parts = registry.save_manifest(manifest)
    lease.check()
    live = registry.switch(manifest, parts, settings.generation_grace_s)
    _sweep(settings, store, registry, live)


def _sweep(
    settings: Settings, store: VectorStore, registry: Registry, live: LiveRecord | None = None
) -> None:
    """Server mode: drop generations that are neither live nor within the grace period.

    That includes the collections of crashed builds; their manifest parts go with them, and
    this process's caches of dropped generations too. Only the lease holder sweeps.
    """
    live = live or registry.live()
    if live is None:
        return
    keep = live.keep(settings.generation_grace_s)
    dropped = {n for n in store.collections() if is_generation(settings, n) and n not in keep}
    for name in sorted(dropped):
        store.drop(name)
    registry.forget(dropped)
    prune_caches(settings, keep)


def _vectors(chunks, reused, embedder, batch_size, progress) -> np.ndarray:
    """One row per chunk: reused vectors as stored, the rest embedded now (in progress steps)."""
    todo = [i for i, chunk in enumerate(chunks) if chunk.id not in reused]
    fresh: dict[int, np.ndarray] = {}
    step = max(batch_size * 4, 64)
    for first in range(0, len(todo), step):
        rows = todo[first : first + step]
        fresh.update(zip(rows, embedder.embed([chunks[i].embed_text() for i in rows]), strict=True))
        if progress:
            progress(min(first + step, len(todo)), len(todo))
    if progress and not todo:
        progress(0, 0)
    if not chunks:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack(
        [fresh[i] if i in fresh else reused[c.id] for i, c in enumerate(chunks)]
    ).astype(np.float32, copy=False)


def _validate(store: VectorStore, name: str, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """Check the new collection before switching to it."""
    if store.count(name) != len(chunks):
        raise IndexCorrupt(
            store.location,
            f"new collection holds {store.count(name)} of "
            f"{len(chunks)} chunks; the previous index is kept",
        )
    if chunks:
        hits = store.query(name, vectors[0], 1)
        if not hits:
            raise IndexCorrupt(
                store.location, "the new collection answers no query; the previous index is kept"
            )


def _clean_up(settings: Settings, store: VectorStore, keep: set[str | None]) -> None:
    """Drop collections and generation folders that are neither active nor previous."""
    prefix = f"{settings.collection_prefix}-"
    for name in store.collections():
        if name.startswith(prefix) and name not in keep:
            store.drop(name)
    generations = settings.store_dir / "generations"
    if generations.exists():
        for folder in generations.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def corpus_hash(content_hashes: dict[str, str]) -> str:
    """Hash over every document id and content hash."""
    joined = "\n".join(f"{doc_id}\t{h}" for doc_id, h in sorted(content_hashes.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]

"""Team mode: a process's own caches of a generation, built from the Chroma server's collection.

In server mode nothing in ``DIA_STORE_DIR`` is shared: ``<store>/cache/<collection>/`` holds the
chunk catalog, the BM25 index and the manifest of one generation, built from the collection's
documents and metadata the first time a process on this machine opens that generation, then
reused by every later open. The build is checked against the catalog checksum the writer
recorded in the registry, written into a temporary folder and renamed into place, so a crash or a
second process building the same cache never leaves a half-written one. A damaged cache is
rebuilt, never fatal.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from dia.errors import SERVER_CATALOG_MISMATCH, IndexCorrupt, IndexDamaged
from dia.settings import Settings
from index._bm25 import BM25Index
from index._chunker import Chunk
from index._index import CATALOG_NAME, catalog_records, chunk_from_record
from index._manifest import (
    Manifest,
    catalog_checksum,
    damaged_file,
    files_signature,
    record_files,
    write_json_atomic,
)
from index._registry import LiveRecord, Registry, is_generation
from index._store import ChromaStore

CACHE_DIR = "cache"
CACHE_RECORD = "cache.json"
CACHE_MANIFEST = "manifest.json"
BUILD_PREFIX = ".build-"
# Cache folders whose checksums were read in full by this process, with what their files looked
# like then (as for embedded generations: once per process, again when a file changes).
_VERIFIED: set[tuple[str, tuple]] = set()


def cache_dir(settings: Settings, collection: str) -> Path:
    """Folder of this process's cache of one generation."""
    return settings.store_dir / CACHE_DIR / collection


def open_generation(
    settings: Settings, store: ChromaStore, registry: Registry, live: LiveRecord
) -> tuple[Manifest, list[Chunk], BM25Index]:
    """The live generation's manifest, chunks and keyword index, from the cache.

    The cache is built from the server the first time (and again when it is damaged).

    Raises:
        IndexCorrupt: When the server's collection or registry does not match the build.

    """
    folder = cache_dir(settings, live.collection)
    if folder.exists():
        try:
            return _load(folder, live)
        except IndexCorrupt:  # a cache: build it again from the server
            shutil.rmtree(folder, ignore_errors=True)
    manifest = registry.manifest(live)
    write_cache(settings, manifest, fetch_chunks(store, manifest, registry.location))
    return _load(folder, live)


class Prefetch:
    """Builds this process's cache of a newly live generation in a background thread.

    Until it is built, ``ready`` says no and questions keep the generation they have, so a
    switch never makes a question wait for the cache of a large index.
    """

    def __init__(self, settings: Settings, store: ChromaStore, registry: Registry) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def ready(self, collection: str) -> bool:
        """Whether the generation's cache is built (or its build ended; opening reports why)."""
        if (cache_dir(self.settings, collection) / CACHE_RECORD).exists():
            return True
        with self._lock:
            thread = self._threads.get(collection)
            if thread is None:
                thread = threading.Thread(
                    target=self._build, args=(collection,), name="dia-prefetch", daemon=True
                )
                self._threads[collection] = thread
                thread.start()
        return not thread.is_alive()

    def _build(self, collection: str) -> None:
        """Build the cache when the generation is still live; failures surface at open."""
        try:
            live = self.registry.live()
            if live is not None and live.collection == collection:
                manifest = self.registry.manifest(live)
                chunks = fetch_chunks(self.store, manifest, self.registry.location)
                write_cache(self.settings, manifest, chunks)
        except Exception:  # noqa: BLE001 - the synchronous open repeats it and reports it
            return


def fetch_chunks(store: ChromaStore, manifest: Manifest, location: str) -> list[Chunk]:
    """Every chunk of a generation, read from its collection in catalog order and checked.

    Raises:
        IndexDamaged: When chunks are missing or differ from what the build recorded.

    """
    entries = manifest.documents
    order = [chunk_id for doc_id in sorted(entries) for chunk_id in entries[doc_id].chunk_ids]
    ids, texts, metadatas = store.records(manifest.collection, order)
    found = {i: (text, meta) for i, text, meta in zip(ids, texts, metadatas, strict=True)}
    missing = sum(1 for chunk_id in order if chunk_id not in found)
    if missing:
        detail = f"{missing:,} of {len(order):,} chunks are missing"
        raise IndexDamaged(location, _mismatch(manifest, detail))
    chunks = [chunk_from_item(i, *found[i]) for i in order]
    if catalog_checksum(catalog_records(chunks)) != manifest.checksums.get("catalog"):
        detail = "a chunk's text or metadata has changed since the build"
        raise IndexDamaged(location, _mismatch(manifest, detail))
    return chunks


def _mismatch(manifest: Manifest, detail: str) -> str:
    return SERVER_CATALOG_MISMATCH.format(name=manifest.collection, detail=detail)


def chunk_from_item(chunk_id: str, text: str, metadata: dict) -> Chunk:
    """A chunk from its collection item: the id, the text and the flat metadata."""
    record = dict(metadata, id=chunk_id, text=text)
    record["source_urls"] = [u for u in str(metadata.get("source_urls") or "").split("\n") if u]
    record["source_spans"] = json.loads(metadata.get("source_spans") or "[]")
    record["page_spans"] = [tuple(s) for s in json.loads(metadata.get("page_spans") or "[]")]
    fields = Chunk.__dataclass_fields__
    return chunk_from_record({k: v for k, v in record.items() if k in fields})


def write_cache(settings: Settings, manifest: Manifest, chunks: list[Chunk]) -> None:
    """Write a generation's cache: built in a temporary folder, then renamed into place.

    When another process on this machine finished the same cache first, its copy is kept.
    """
    root = settings.store_dir / CACHE_DIR
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / f"{BUILD_PREFIX}{uuid.uuid4().hex}"
    temporary.mkdir()
    try:
        ids = [chunk.id for chunk in chunks]
        BM25Index.build(ids, [chunk.embed_text() for chunk in chunks]).save(temporary / "bm25")
        write_json_atomic(temporary / CATALOG_NAME, catalog_records(chunks))
        write_json_atomic(temporary / CACHE_MANIFEST, manifest.to_dict())
        record = {
            "catalog": manifest.checksums.get("catalog"),
            "files": record_files(temporary, temporary),
        }
        write_json_atomic(temporary / CACHE_RECORD, record)
        try:
            os.rename(temporary, cache_dir(settings, manifest.collection))
        except OSError:
            if not cache_dir(settings, manifest.collection).exists():
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _load(folder: Path, live: LiveRecord) -> tuple[Manifest, list[Chunk], BM25Index]:
    """Read a cache folder, checking it against its record and the live generation.

    Raises:
        IndexCorrupt: When anything in it is missing, damaged or of another build.

    """
    try:
        record = json.loads((folder / CACHE_RECORD).read_text(encoding="utf-8"))
        if record.get("catalog") != live.header.get("checksums", {}).get("catalog"):
            raise IndexCorrupt(str(folder), "the cache is of another build")
        _verify(folder, record["files"])
        data = json.loads((folder / CACHE_MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest.from_dict(data)
        records = json.loads((folder / CATALOG_NAME).read_text(encoding="utf-8"))
        chunks = [chunk_from_record(r) for r in records]
        bm25 = BM25Index.load(folder / "bm25", [chunk.id for chunk in chunks])
    except (OSError, ValueError, TypeError, KeyError, EOFError) as error:
        raise IndexCorrupt(str(folder), f"cache unreadable: {error}") from None
    if len(chunks) != manifest.chunk_count:
        raise IndexCorrupt(str(folder), "cache catalog and manifest disagree")
    return manifest, chunks, bm25


def _verify(folder: Path, files: dict[str, dict]) -> None:
    """Sizes on every open; checksums once per process (again when a file changes).

    Raises:
        IndexDamaged: When a file is missing, resized or changed.

    """
    damage = damaged_file(folder, files, checksums=False)
    key = (str(folder.resolve()), files_signature(folder))
    if damage is None and key not in _VERIFIED:
        damage = damaged_file(folder, files, checksums=True)
    if damage is not None:
        raise IndexDamaged(str(folder), damage)
    _VERIFIED.add(key)


def prune_caches(settings: Settings, keep: set[str], stale_build_s: float = 3600.0) -> None:
    """Delete this index's cached generations that are neither live nor within the grace period.

    Unfinished builds are deleted once they are older than stale_build_s (a crashed process).
    """
    root = settings.store_dir / CACHE_DIR
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        if folder.name.startswith(BUILD_PREFIX):
            try:
                old = now - folder.stat().st_mtime > stale_build_s
            except OSError:
                continue
            if old:
                shutil.rmtree(folder, ignore_errors=True)
        elif is_generation(settings, folder.name) and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)

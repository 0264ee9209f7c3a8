"""Vector stores: Chroma (embedded or server) and an in-memory fake with the same interface."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from dia.errors import (
    CHROMA_REFUSED,
    CHROMA_UNREACHABLE,
    CHROMA_UNREADABLE,
    STORE_IS_FILE,
    BadSetting,
    DiaError,
    IndexCorrupt,
    IndexDamaged,
)
from dia.settings import Settings
from index._topk import top_k

# Loads a collection a MemoryStore does not hold: (ids, vectors, texts, metadatas), or None.
MemoryLoader = Callable[[str], tuple[list[str], np.ndarray, list[str], list[dict]] | None]


class VectorStore(Protocol):
    """Named collections of (id, vector, text, metadata) with cosine search."""

    location: str

    def collections(self) -> list[str]:
        """Names of every collection."""
        ...

    def create(self, name: str) -> None:
        """Create an empty collection (replacing any with that name)."""
        ...

    def drop(self, name: str) -> None:
        """Delete a collection if it exists."""
        ...

    def count(self, name: str) -> int:
        """Number of items in a collection."""
        ...

    def add(
        self,
        name: str,
        ids: Sequence[str],
        embeddings: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict],
    ) -> None:
        """Add items (batched to the store's limit)."""
        ...

    def embeddings(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Return stored vectors for the ids that exist."""
        ...

    def query(self, name: str, embedding: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Return up to k (id, cosine similarity) pairs, best first."""
        ...


class MemoryStore:
    """In-memory store: exact cosine search with numpy (DIA_VECTOR_STORE=memory, and tests).

    It lives as long as its process. Given a loader, a collection it does not hold is filled on
    first use from what the loader returns (the embedded index's own files), so another process
    reopens an index built elsewhere.
    """

    def __init__(self, loader: MemoryLoader | None = None) -> None:
        self.location = "memory"
        self._data: dict[str, dict[str, tuple[np.ndarray, str, dict]]] = {}
        self._loader = loader

    def _items(self, name: str) -> dict[str, tuple[np.ndarray, str, dict]]:
        """The collection's items, loaded first when the loader has it.

        Raises:
            KeyError: No such collection (nor files to load it from).

        """
        if name not in self._data and self._loader is not None:
            loaded = self._loader(name)
            if loaded is not None:
                self.create(name)
                self.add(name, *loaded)
        return self._data[name]

    def collections(self) -> list[str]:
        """Names of every collection held in memory."""
        return list(self._data)

    def create(self, name: str) -> None:
        """Create an empty collection."""
        self._data[name] = {}

    def drop(self, name: str) -> None:
        """Delete a collection if it exists."""
        self._data.pop(name, None)

    def count(self, name: str) -> int:
        """Number of items in a collection."""
        return len(self._items(name))

    def add(self, name, ids, embeddings, texts, metadatas) -> None:
        """Add items."""
        for item_id, vector, text, meta in zip(ids, embeddings, texts, metadatas, strict=True):
            self._data[name][item_id] = (np.asarray(vector, dtype=np.float32), text, meta)

    def embeddings(self, name, ids) -> dict[str, np.ndarray]:
        """Return stored vectors for the ids that exist."""
        try:
            items = self._items(name)
        except KeyError:
            return {}
        return {i: items[i][0] for i in ids if i in items}

    def query(self, name, embedding, k) -> list[tuple[str, float]]:
        """Exact cosine search."""
        items = self._items(name)
        if not items:
            return []
        ids = list(items)
        matrix = np.stack([items[i][0] for i in ids])
        scores = matrix @ np.asarray(embedding, dtype=np.float32)
        return [(ids[i], float(scores[i])) for i in top_k(scores, k)]


def hnsw_configuration(settings: Settings | None = None) -> dict:
    """Chroma collection configuration for cosine HNSW with the configured breadth and links.

    Chroma's defaults (search ef 10) make the dense list vary from build to build; the settings'
    defaults keep the top 10 equal to exact search on the eval questions (see README, "Running
    for a team") while staying fast.
    """
    settings = settings or Settings()
    return {
        "hnsw": {
            "space": "cosine",
            "ef_construction": settings.hnsw_ef_construction,
            "ef_search": settings.hnsw_ef_search,
            "max_neighbors": settings.hnsw_m,
        }
    }


class ChromaStore:
    """Chroma, embedded (``PersistentClient``) or a server (``HttpClient``); telemetry off."""

    def __init__(self, client, location: str, configuration: dict | None = None) -> None:
        self._client = client
        self.location = location
        self.configuration = configuration or hnsw_configuration()
        self._handles: dict[str, object] = {}
        self.remote = location.startswith("http")

    def _collection(self, name: str):
        if name not in self._handles:
            self._handles[name] = self._client.get_collection(name, embedding_function=None)
        return self._handles[name]

    def collections(self) -> list[str]:
        """Names of every collection."""
        return [c if isinstance(c, str) else c.name for c in self._client.list_collections()]

    def create(self, name: str) -> None:
        """Create an empty cosine collection."""
        self.drop(name)
        self._handles[name] = self._client.create_collection(
            name, configuration=self.configuration, embedding_function=None
        )

    def open_collection(self, name: str):
        """The chromadb collection of that name, created (cosine, defaults) when missing."""
        return self._client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def drop(self, name: str) -> None:
        """Delete a collection if it exists."""
        self._handles.pop(name, None)
        if name in self.collections():
            self._client.delete_collection(name)

    def count(self, name: str) -> int:
        """Number of items in a collection."""
        return self._collection(name).count()

    def add(self, name, ids, embeddings, texts, metadatas) -> None:
        """Add items in batches no larger than the server allows."""
        collection = self._collection(name)
        step = max(1, min(self._client.get_max_batch_size(), 4000))
        for first in range(0, len(ids), step):
            last = first + step
            collection.add(
                ids=list(ids[first:last]),
                embeddings=np.asarray(embeddings[first:last], dtype=np.float32),
                documents=list(texts[first:last]),
                metadatas=list(metadatas[first:last]),
            )

    def embeddings(self, name, ids) -> dict[str, np.ndarray]:
        """Return stored vectors for the ids that exist."""
        collection = self._collection(name)
        found: dict[str, np.ndarray] = {}
        step = max(1, min(self._client.get_max_batch_size(), 4000))
        ids = list(ids)
        for first in range(0, len(ids), step):
            got = collection.get(ids=ids[first : first + step], include=["embeddings"])
            for item_id, vector in zip(got["ids"], got["embeddings"], strict=True):
                found[item_id] = np.asarray(vector, dtype=np.float32)
        return found

    def records(self, name: str, ids: Sequence[str]) -> tuple[list[str], list[str], list[dict]]:
        """Ids, texts and metadata of the items with those ids that exist (batched)."""
        collection = self._collection(name)
        step = max(1, min(self._client.get_max_batch_size(), 2000))
        ids = list(ids)
        found: tuple[list[str], list[str], list[dict]] = ([], [], [])
        for first in range(0, len(ids), step):
            got = collection.get(ids=ids[first : first + step], include=["documents", "metadatas"])
            found[0].extend(got["ids"])
            found[1].extend(got["documents"])
            found[2].extend(got["metadatas"])
        return found

    def query(self, name, embedding, k) -> list[tuple[str, float]]:
        """Approximate cosine search (HNSW); similarity = 1 - distance."""
        collection = self._collection(name)
        result = collection.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=k,
            include=["distances"],
        )
        return [
            (item_id, 1.0 - float(distance))
            for item_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]


def check_store_dir(store_dir: Path) -> None:
    """Check the store folder can be a folder: neither it nor a folder above it is a file.

    Raises:
        BadSetting: When the store path (or one of its parents) is an existing file.

    """
    for path in (store_dir, *store_dir.parents):
        if path.exists():
            if not path.is_dir():
                raise BadSetting(STORE_IS_FILE.format(store=store_dir, file=path))
            return


# One client per server and token for the life of the process: every reopen reuses it.
_SERVERS: dict[tuple[str, int, str], ChromaStore] = {}


def open_store(settings: Settings) -> VectorStore:
    """Open the store the settings name: a Chroma server when DIA_CHROMA_HOST is set.

    Embedded, DIA_VECTOR_STORE picks the Chroma database in the store folder or a MemoryStore
    filled from the index's own files (chromadb is then never imported).

    Raises:
        DiaError: When the server cannot be reached or refuses the token.
        IndexDamaged: When the embedded store cannot be opened.
        BadSetting: When the store path is an existing file, or a memory store is asked for
            in server mode.

    """
    if settings.vector_store == "memory":
        return open_memory_store(settings)
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not settings.chroma_host:
        return _open_embedded(settings, chroma_settings)
    token = settings.chroma_token
    token = token.get_secret_value() if hasattr(token, "get_secret_value") else str(token or "")
    key = (settings.chroma_host, settings.chroma_port, token)
    if key not in _SERVERS:
        _SERVERS[key] = _open_server(settings, token, chroma_settings)
    store = _SERVERS[key]
    store.configuration = hnsw_configuration(settings)
    return store


MEMORY_STORE_IN_SERVER_MODE = (
    "DIA_VECTOR_STORE=memory keeps vectors in one process, but DIA_CHROMA_HOST asks for a "
    "shared Chroma server: unset one of them."
)


def open_memory_store(settings: Settings) -> MemoryStore:
    """An empty MemoryStore that loads a generation from the store folder on first use.

    Embedded search reads the generation's saved vectors, so the store is only a mirror of
    them: each process rebuilds it from the same files, and a build in one process is read
    by the next.

    Raises:
        BadSetting: When the store path is an existing file, or in server mode (the index
            must then live in the Chroma server, shared by every process).

    """
    if settings.chroma_host:
        raise BadSetting(MEMORY_STORE_IN_SERVER_MODE)
    check_store_dir(settings.store_dir)
    return MemoryStore(functools.partial(_saved_generation, settings))


def _saved_generation(
    settings: Settings, name: str
) -> tuple[list[str], np.ndarray, list[str], list[dict]] | None:
    """The ids, vectors, texts and metadata of a generation, read from its files.

    The active generation's files are checked against the manifest first, so damaged vectors
    are never mirrored (nor reused by an ingest). The generation it replaced is read as it is:
    a reader opening it as an ingest switches has checked its files under the older manifest.

    Returns:
        None when name is neither the active generation nor the one it replaced.

    Raises:
        IndexDamaged: When a file differs from what the build wrote.
        IndexCorrupt: When the manifest, catalog or vectors cannot be read, or they disagree.

    """
    from index._index import (
        VECTORS_NAME,
        generation_dir,
        load_catalog,
        read_manifest,
        verify_generation,
    )

    manifest = read_manifest(settings)
    if manifest is None or name not in (manifest.collection, manifest.previous):
        return None
    if name == manifest.collection:
        verify_generation(settings, manifest)
    folder = generation_dir(settings, name)
    if not folder.is_dir():
        return None
    chunks = load_catalog(settings, name)
    try:
        vectors = np.load(folder / VECTORS_NAME)
    except (OSError, ValueError, EOFError) as error:
        raise IndexCorrupt(str(settings.store_dir), f"{VECTORS_NAME}: {error}") from None
    if vectors.shape[0] != len(chunks):
        raise IndexCorrupt(str(settings.store_dir), "vectors and catalog disagree")
    return [c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata() for c in chunks]


def _open_server(settings: Settings, token: str, chroma_settings) -> ChromaStore:
    """Connect to the Chroma server and make one authenticated request.

    Raises:
        DiaError: When the server cannot be reached or refuses the request.

    """
    import chromadb

    location = f"http://{settings.chroma_host}:{settings.chroma_port}"
    try:
        client = chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            settings=chroma_settings,
        )
        client.heartbeat()
        client.list_collections(limit=1)  # heartbeat is public; this needs the token
    except Exception as error:  # noqa: BLE001 - refused, unreachable or failing server
        raise server_error(location, error) from None
    return ChromaStore(client, location, hnsw_configuration(settings))


def server_error(location: str, error: Exception) -> DiaError:
    """A user-facing error for a failed request to the Chroma server (refused or unreachable)."""
    text = f"{type(error).__name__}: {error}"[:300]
    if isinstance(error, OSError) or "Connect" in type(error).__name__:
        text = type(error).__name__
    refused = "Auth" in type(error).__name__ or any(c in text for c in ("401", "403"))
    template = CHROMA_REFUSED if refused else CHROMA_UNREACHABLE
    return DiaError(template.format(location=location, reason=text))


def _open_embedded(settings: Settings, chroma_settings) -> ChromaStore:
    """Open (or create) the Chroma database inside the store folder.

    Raises:
        IndexDamaged: When the database cannot be opened.
        BadSetting: When the store path is an existing file.

    """
    import chromadb

    check_store_dir(settings.store_dir)
    path = chroma_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:  # noqa: BLE001 - a damaged store surfaces in many types
        _forget_client(path)
        reason = f"{type(error).__name__}: {error}"
        raise IndexDamaged(
            str(settings.store_dir), CHROMA_UNREADABLE.format(path=path, reason=reason)
        ) from None
    return ChromaStore(client, str(path), hnsw_configuration(settings))


def chroma_dir(settings: Settings) -> Path:
    """The folder of the embedded Chroma database."""
    return settings.store_dir / "chroma"


def _forget_client(path: Path) -> None:
    """Drop chromadb's cached client for path after a failed open.

    chromadb keeps one client per folder for the life of the process, even one that failed to
    start; without this, a fresh database made in the same folder could not be opened.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    cached = getattr(SharedSystemClient, "_identifier_to_system", None)
    if isinstance(cached, dict):
        cached.pop(str(path), None)


def set_aside_chroma(settings: Settings) -> Path:
    """Move an embedded Chroma database that cannot be opened out of the way.

    Returns:
        Where it now is (``chroma.damaged`` beside it; an older damaged copy is replaced).

    """
    import shutil

    target = settings.store_dir / "chroma.damaged"
    shutil.rmtree(target, ignore_errors=True)
    chroma_dir(settings).rename(target)
    return target

"""Team mode: the index registry kept in the Chroma server itself.

One small collection per index (``<prefix>-registry``) holds:

- ``live``: which generation (collection) answers, with its header (model, chunker, counts,
  checksums) and the generations it replaced, each with when it was replaced. A switch is one
  upsert of this record, made after the new collection is complete and validated.
- ``manifest-<collection>-<n>``: the full manifest of a generation, in parts, written before the
  switch (ingest needs it to reuse unchanged documents; readers need it once per generation).
- ``lease-<epoch>``: the ingest lease. Taking the lease adds the next epoch's record; Chroma
  keeps the first record added under an id and ignores later adds, so of two writers racing for
  the same epoch exactly one wins, and both read back who. The holder renews its record's expiry
  while it works; a crashed holder's lease runs out (at once when it ran on this machine and its
  process is gone).

Expiry times are wall-clock seconds written by the holder, so the machines' clocks must agree to
well within the lease (NTP).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dia.errors import REGISTRY_UNREADABLE, DiaError, IndexCorrupt, IndexLeased, LeaseLost
from dia.settings import Settings
from index._manifest import Manifest
from index._store import ChromaStore, server_error

LIVE_ID = "live"
PART_CHARS = 2_000_000
_VECTOR = [1.0]  # Chroma stores a vector with every record; registry records share this one


def registry_name(settings: Settings) -> str:
    """Name of the registry collection of the index the settings name."""
    return f"{settings.collection_prefix}-registry"


def is_generation(settings: Settings, name: str) -> bool:
    """Whether a collection (or cache folder) name is one of this index's generations."""
    prefix = re.escape(settings.collection_prefix)
    return re.fullmatch(rf"{prefix}-\d{{14}}-[0-9a-f]{{6}}", name) is not None


def server_location(settings: Settings) -> str:
    """How messages name a server-mode index: the server and the collection prefix."""
    host = f"http://{settings.chroma_host}:{settings.chroma_port}"
    return f"{host} (collections {settings.collection_prefix}-*)"


@dataclass
class LiveRecord:
    """The registry's ``live`` record.

    Attributes:
        header: The live generation's manifest without its documents (model, chunker, counts,
            checksums, collection).
        parts: How many ``manifest-`` records hold its full manifest.
        switched_at: When it became live (seconds since the epoch).
        retired: Generations it replaced (collection -> when it was replaced).

    """

    header: dict
    parts: int
    switched_at: float
    retired: dict[str, float] = field(default_factory=dict)

    @property
    def collection(self) -> str:
        """The live generation's collection."""
        return self.header["collection"]

    def manifest_header(self) -> Manifest:
        """The header as a manifest with no documents (enough to check compatibility)."""
        return Manifest.from_dict(self.header)

    def keep(self, grace_s: float, now: float | None = None) -> set[str]:
        """The live generation and those replaced less than grace_s seconds ago."""
        now = time.time() if now is None else now
        recent = {name for name, at in self.retired.items() if now - at < grace_s}
        return {self.collection} | recent


class Registry:
    """Reads and writes the registry collection of one index on a Chroma server."""

    def __init__(self, store: ChromaStore, settings: Settings) -> None:
        self.store = store
        self.location = server_location(settings)
        try:
            self._collection = store.open_collection(registry_name(settings))
        except Exception as error:  # noqa: BLE001 - refused, unreachable or failing server
            raise server_error(store.location, error) from None

    def _call(self, method: str, **kwargs) -> dict | None:
        """Call a method of the registry collection, turning failures into clear errors."""
        try:
            return getattr(self._collection, method)(**kwargs)
        except Exception as error:  # noqa: BLE001 - refused, unreachable or failing server
            raise server_error(self.store.location, error) from None

    def live_collection(self) -> str | None:
        """The live generation's collection: one small request, for frequent checks."""
        got = self._call("get", ids=[LIVE_ID], include=["metadatas"])
        return got["metadatas"][0].get("collection") if got["ids"] else None

    def live(self) -> LiveRecord | None:
        """The ``live`` record, or None before the first ingest.

        Raises:
            IndexCorrupt: When the record cannot be read.

        """
        got = self._call("get", ids=[LIVE_ID], include=["documents"])
        if not got["ids"]:
            return None
        try:
            return LiveRecord(**json.loads(got["documents"][0]))
        except (ValueError, TypeError) as error:
            raise IndexCorrupt(self.location, REGISTRY_UNREADABLE.format(reason=error)) from None

    def manifest(self, live: LiveRecord) -> Manifest:
        """The full manifest of the live generation, joined from its parts.

        Raises:
            IndexCorrupt: When a part is missing or the manifest cannot be read.

        """
        ids = part_ids(live.collection, live.parts)
        got = self._call("get", ids=ids, include=["documents"])
        parts = dict(zip(got["ids"], got["documents"], strict=True))
        try:
            return Manifest.from_dict(json.loads("".join(parts[i] for i in ids)))
        except (KeyError, ValueError, TypeError) as error:
            reason = f"manifest of {live.collection}: {type(error).__name__} {error}"
            raise IndexCorrupt(self.location, REGISTRY_UNREADABLE.format(reason=reason)) from None

    def save_manifest(self, manifest: Manifest) -> int:
        """Write a generation's manifest in parts (before it goes live); return how many."""
        text = json.dumps(manifest.to_dict(), ensure_ascii=False)
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
        ids = part_ids(manifest.collection, len(parts))
        for part_id, part in zip(ids, parts, strict=True):
            self._call(
                "upsert",
                ids=[part_id],
                embeddings=[_VECTOR],
                documents=[part],
                metadatas=[{"kind": "manifest", "collection": manifest.collection}],
            )
        return len(parts)

    def switch(self, manifest: Manifest, parts: int, grace_s: float) -> LiveRecord:
        """Make a generation live (one upsert); the one it replaces is retired now."""
        now = time.time()
        old = self.live()
        retired = {}
        if old is not None:
            retired = {n: t for n, t in old.retired.items() if now - t < grace_s}
            retired[old.collection] = now
        retired.pop(manifest.collection, None)
        record = LiveRecord(manifest.header(), parts, now, retired)
        self._call(
            "upsert",
            ids=[LIVE_ID],
            embeddings=[_VECTOR],
            documents=[json.dumps(record.__dict__, ensure_ascii=False)],
            metadatas=[{"kind": "live", "collection": manifest.collection}],
        )
        return record

    def forget(self, collections: set[str]) -> None:
        """Delete the manifest parts of generations whose collections were dropped."""
        for name in sorted(collections):
            self._call("delete", where={"$and": [{"kind": "manifest"}, {"collection": name}]})

    def add_if_absent(self, record_id: str, metadata: dict) -> dict:
        """Add a record unless one with that id exists; return the record that is stored."""
        self._call("add", ids=[record_id], embeddings=[_VECTOR], metadatas=[metadata])
        got = self._call("get", ids=[record_id], include=["metadatas"])
        return got["metadatas"][0]

    def put(self, record_id: str, metadata: dict) -> None:
        """Write a record (insert or replace)."""
        self._call("upsert", ids=[record_id], embeddings=[_VECTOR], metadatas=[metadata])

    def find(self, kind: str) -> list[tuple[str, dict]]:
        """Every record of one kind: (id, metadata)."""
        got = self._call("get", where={"kind": kind}, include=["metadatas"])
        return list(zip(got["ids"], got["metadatas"], strict=True))

    def delete(self, ids: list[str]) -> None:
        """Delete records by id."""
        if ids:
            self._call("delete", ids=ids)


def part_ids(collection: str, parts: int) -> list[str]:
    """Registry ids of a generation's manifest parts."""
    return [f"manifest-{collection}-{n}" for n in range(parts)]


def _always_ready(collection: str) -> bool:
    return True


@dataclass
class LiveWatch:
    """Notices cheaply when another process has made a new generation live.

    Attributes:
        registry: The registry to ask.
        collection: The generation this process answers from.
        ttl_s: Ask the server at most this often; in between, answer "unchanged".
        ready: Called with a newly live generation: whether this process can open it now (a
            cache builds in the background meanwhile, and questions keep the old generation).

    """

    registry: Registry
    collection: str
    ttl_s: float
    ready: Callable[[str], bool] = _always_ready
    checked: float = field(default_factory=time.monotonic)
    pending: str | None = None

    def changed(self) -> bool:
        """True when a newer live generation is ready to be opened by this process."""
        if self.pending is None:
            if time.monotonic() - self.checked < self.ttl_s:
                return False
            self.checked = time.monotonic()
            try:
                live = self.registry.live_collection()
            except DiaError:  # the server is away: keep this generation; ask again next time
                return False
            if live is None or live == self.collection:
                return False
            self.pending = live
        return self.ready(self.pending)


@dataclass
class Holder:
    """Who holds (or held) the lease of one epoch."""

    epoch: int
    token: str
    host: str
    pid: int
    since: str
    expires: float
    released: bool = False

    @classmethod
    def from_metadata(cls, data: dict) -> Holder:
        """The holder stored in a ``lease-`` record."""
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in fields})

    def metadata(self) -> dict:
        """The record's metadata."""
        return {"kind": "lease", **self.__dict__}

    def holding(self, now: float) -> bool:
        """Whether the lease still binds others: not released, not run out, process alive."""
        if self.released or self.expires <= now:
            return False
        return self.host != socket.gethostname() or _pid_alive(self.pid)


def _pid_alive(pid: int) -> bool:
    """Whether a process with that id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lease_id(epoch: int) -> str:
    """Registry id of one epoch's lease record."""
    return f"lease-{epoch:012d}"


class Lease:
    """The ingest lease of one index: taken at once or refused, renewed while the ingest runs.

    Use it as a context manager around the whole ingest; call ``check`` right before switching.
    """

    def __init__(self, registry: Registry, seconds: float) -> None:
        self.registry = registry
        self.seconds = seconds
        self.holder: Holder | None = None
        self.lost = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Lease:
        self.acquire()
        self._thread = threading.Thread(target=self._renew_loop, name="dia-lease", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.release()

    def acquire(self) -> None:
        """Take the lease at once.

        Raises:
            IndexLeased: Another process holds it (named in the message).

        """
        for _ in range(3):
            top = self._top()
            if top is not None and top.holding(time.time()):
                raise self._busy(top)
            mine = _new_holder((top.epoch if top else 0) + 1, self.seconds)
            stored = self.registry.add_if_absent(lease_id(mine.epoch), mine.metadata())
            winner = Holder.from_metadata(stored)
            if winner.token == mine.token:
                self.holder = mine
                self._tidy(mine.epoch)
                return
            if winner.holding(time.time()):
                raise self._busy(winner)
        raise self._busy(winner)

    def renew(self) -> None:
        """Push the expiry on, unless the lease has run out or been taken over."""
        with self._lock:
            if self.holder is None or self.lost:
                return
            top = self._top()
            now = time.time()
            if top is None or top.token != self.holder.token:
                taker = f"host {top.host}, pid {top.pid}" if top else "nobody"
                self.lost = f"it ran out and was taken over ({taker})"
            elif self.holder.expires <= now:
                self.lost = "it ran out before it could be renewed"
            else:
                self.holder.expires = now + self.seconds
                self.registry.put(lease_id(self.holder.epoch), self.holder.metadata())

    def check(self) -> None:
        """Renew now and confirm the lease is still held (call right before switching).

        Raises:
            LeaseLost: When it ran out or another writer took it over.

        """
        self.renew()
        if self.lost:
            raise LeaseLost(self.registry.location, self.lost)

    def release(self) -> None:
        """Give the lease up (best effort: a lease that cannot be released runs out)."""
        with self._lock:
            if self.holder is None or self.lost:
                return
            self.holder.released = True
            self.holder.expires = time.time()
            with contextlib.suppress(DiaError):
                self.registry.put(lease_id(self.holder.epoch), self.holder.metadata())

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except DiaError:  # the server is away for now; expiry decides
                continue

    def _top(self) -> Holder | None:
        """The holder of the latest epoch."""
        holders = [Holder.from_metadata(data) for _, data in self.registry.find("lease")]
        return max(holders, key=lambda holder: holder.epoch, default=None)

    def _tidy(self, epoch: int) -> None:
        """Delete lease records older than the previous epoch."""
        stale = [i for i, data in self.registry.find("lease") if data.get("epoch", 0) < epoch - 1]
        self.registry.delete(stale)

    def _busy(self, holder: Holder) -> IndexLeased:
        left = holder.expires - time.time()
        return IndexLeased(self.registry.location, holder.host, holder.pid, holder.since, left)


def _new_holder(epoch: int, seconds: float) -> Holder:
    """The current process as the holder of an epoch's lease, expiring seconds from now."""
    now = time.time()
    return Holder(
        epoch=epoch,
        token=uuid.uuid4().hex,
        host=socket.gethostname(),
        pid=os.getpid(),
        since=datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
        expires=now + seconds,
    )

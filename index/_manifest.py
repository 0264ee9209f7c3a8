"""The manifest: what an index was built from and with, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.json"
SCHEMA = 1


@dataclass
class DocumentEntry:
    """What the index holds of one document."""

    content_hash: str
    title: str
    trust: str | None
    kind: str
    path: str
    source_url: str | None
    chunk_ids: list[str]


@dataclass
class Manifest:
    """Everything needed to decide whether an index can serve the current settings.

    Attributes:
        collection: Name of the active Chroma collection.
        previous: Name of the collection it replaced (kept one generation for live readers).
        embedding_model: Model name as configured.
        embedding_dim: Vector size.
        chunker: Chunker settings and version.
        chromadb_version: Version that built the index.
        corpus_hash: Hash over every document's id and content hash.
        built_at: ISO time of the build.
        documents: Per-document entries keyed by document id.
        files: Size and checksum of every file the index reads, keyed by path relative to the
            store folder (empty in manifests written before checksums were recorded, and in
            server mode, where the files are per-process caches).
        checksums: Checksums of what the generation holds, independent of where it is kept
            (server mode: ``catalog``, over every chunk's text and metadata).

    """

    collection: str
    embedding_model: str
    embedding_dim: int
    chunker: dict
    chromadb_version: str
    corpus_hash: str
    built_at: str
    store: str
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    previous: str | None = None
    schema: int = SCHEMA
    files: dict[str, dict] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def chunk_count(self) -> int:
        """Total chunks across documents."""
        return sum(len(entry.chunk_ids) for entry in self.documents.values())

    def differences(self, model: str, chunker: dict, chromadb_version: str) -> list[str]:
        """List how this index differs from the current settings (empty when compatible)."""
        found = []
        if self.schema != SCHEMA:
            found.append(f"index format {self.schema}, this version reads {SCHEMA}")
        if self.embedding_model != model:
            found.append(f"embedding model {self.embedding_model!r}, now {model!r}")
        if self.chunker != chunker:
            found.append(f"chunker {self.chunker}, now {chunker}")
        if self.chromadb_version.split(".")[0] != chromadb_version.split(".")[0]:
            found.append(f"chromadb {self.chromadb_version}, now {chromadb_version}")
        return found

    def save(self, store_dir: Path) -> None:
        """Write atomically: a crash leaves either the old or the new manifest."""
        store_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(store_dir / MANIFEST_NAME, self.to_dict())

    def to_dict(self) -> dict:
        """Plain data (what ``save`` writes)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        """The manifest written by ``to_dict`` (or its header, without documents).

        Raises:
            TypeError, KeyError, AttributeError: When the data is not a manifest.

        """
        data = dict(data)
        documents = {k: DocumentEntry(**v) for k, v in data.pop("documents", {}).items()}
        return cls(documents=documents, **data)

    def header(self) -> dict:
        """Everything but the per-document entries (small enough to read on every check)."""
        data = self.to_dict()
        data.pop("documents")
        return data

    @classmethod
    def load(cls, store_dir: Path) -> Manifest | None:
        """Read the manifest, or None when there is none.

        Raises:
            ValueError: When the file exists but is not a valid manifest.

        """
        path = store_dir / MANIFEST_NAME
        if not path.exists():
            return None
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON to a temporary file in the same folder, fsync, then rename over path."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_checksum(path: Path) -> str:
    """BLAKE2b checksum (16 bytes, hex) of a file's contents, read in blocks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def record_files(store_dir: Path, folder: Path) -> dict[str, dict]:
    """Size and checksum of every file under folder, keyed by path relative to store_dir."""
    return {
        path.relative_to(store_dir).as_posix(): {
            "size": path.stat().st_size,
            "blake2b": file_checksum(path),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def files_signature(folder: Path) -> tuple:
    """What the files under folder look like to stat (name, size, change time): cheap to read."""
    found = []
    for path in sorted(folder.rglob("*")):
        try:
            info = path.stat()
        except OSError:
            continue
        found.append((path.name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return tuple(found)


def damaged_file(store_dir: Path, files: dict[str, dict], *, checksums: bool) -> str | None:
    """Describe the first recorded file that is missing, resized or (if asked) changed.

    Args:
        store_dir: The store folder the recorded paths are relative to.
        files: The manifest's records (an empty dict checks nothing).
        checksums: Also compare each file's checksum (reads every byte).

    Returns:
        What is wrong, fit for the user, or None when every file matches.

    """
    from dia.errors import STORE_FILE_CHANGED, STORE_FILE_MISSING, STORE_FILE_SIZE

    for name, record in sorted(files.items()):
        path = store_dir / name
        try:
            size = path.stat().st_size
        except OSError:
            return STORE_FILE_MISSING.format(file=name)
        if size != record["size"]:
            return STORE_FILE_SIZE.format(file=name, size=size, expected=record["size"])
    for name, record in sorted(files.items()) if checksums else ():
        try:
            same = file_checksum(store_dir / name) == record["blake2b"]
        except OSError:
            return STORE_FILE_MISSING.format(file=name)
        if not same:
            return STORE_FILE_CHANGED.format(file=name)
    return None


def catalog_checksum(records: list[dict]) -> str:
    """BLAKE2b checksum (16 bytes, hex) of catalog records in canonical JSON, in their order."""
    text = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

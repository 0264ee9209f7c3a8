"""The manifest: what an index was built from and with, written atomically."""

from __future__ import annotations

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
        write_json_atomic(store_dir / MANIFEST_NAME, asdict(self))

    @classmethod
    def load(cls, store_dir: Path) -> Manifest | None:
        """Read the manifest, or None when there is none.

        Raises:
            ValueError: When the file exists but is not a valid manifest.

        """
        path = store_dir / MANIFEST_NAME
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        documents = {k: DocumentEntry(**v) for k, v in data.pop("documents", {}).items()}
        return cls(documents=documents, **data)


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

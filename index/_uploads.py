"""Add files a person uploads (from the browser) to the index, one at a time, with reasons.

An upload is checked (name, type, size), copied into ``<store>/uploads`` under a name of its
own, and ingested exactly as ``dia ingest <file>`` would (same parsing, size limits, lock and
atomic switch). A file that cannot be indexed is removed again; nothing indexed is lost.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import SUPPORTED_SUFFIXES
from dia.errors import (
    UPLOAD_NAME,
    UPLOAD_NOTHING_NEW,
    UPLOAD_TOO_LARGE,
    UPLOAD_TYPE,
    DiaError,
    NothingToIndex,
)
from dia.settings import Settings
from index._embedders import Embedder
from index._index import read_manifest
from index._ingest import ingest

UPLOADS_DIR = "uploads"
PREFIX = "uploaded-"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one uploaded file.

    Attributes:
        name: The file's name as the person gave it.
        status: "added", "updated", "unchanged" or "rejected".
        detail: The document id it is indexed under, or why it was rejected.
        chunks: Passages indexed from it (0 when rejected).

    """

    name: str
    status: str
    detail: str
    chunks: int = 0


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded files are kept (inside the store folder, never served back)."""
    return settings.store_dir / UPLOADS_DIR


def stored_name(name: str) -> str:
    """A safe file name for an upload: letters, digits, dot, dash, underscore, one suffix.

    Raises:
        ValueError: With the reason, when nothing usable is left of the name.

    """
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    stem = _SAFE.sub("-", stem).strip(".-_")[:MAX_NAME_CHARS]
    if not stem:
        raise ValueError(UPLOAD_NAME)
    return f"{PREFIX}{stem}{suffix.lower()}"


def add_documents(
    settings: Settings,
    files: Sequence[tuple[str, Path]],
    embedder: Embedder | None = None,
) -> Iterator[UploadOutcome]:
    """Check, store and index each uploaded file in turn, saying what became of it.

    Args:
        settings: Settings (store, size cap, model).
        files: (name the person gave, path of the uploaded bytes) for each file.
        embedder: Embedder to use (default: the one the settings name).

    Yields:
        One outcome per file, as soon as that file is done.

    Raises:
        DiaError: When the index cannot be written at all (another ingest is running, the
            store is damaged): the files not yet indexed are left out.

    """
    for name, path in files:
        reason = _refusal(settings, name, path)
        if reason:
            yield UploadOutcome(name, "rejected", reason)
            continue
        yield _index_one(settings, name, path, embedder)


def _refusal(settings: Settings, name: str, path: Path) -> str:
    """Why an upload is refused before it is read, or ''."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        known = ", ".join(sorted(SUPPORTED_SUFFIXES))
        return UPLOAD_TYPE.format(suffix=suffix or "(none)", known=known)
    size = path.stat().st_size
    if size > settings.max_file_mb * 1024 * 1024:
        return UPLOAD_TOO_LARGE.format(size=size / 1024 / 1024, limit=settings.max_file_mb)
    try:
        stored_name(name)
    except ValueError as error:
        return str(error)
    return ""


def _index_one(
    settings: Settings, name: str, path: Path, embedder: Embedder | None
) -> UploadOutcome:
    """Store one checked upload and ingest it; on rejection the stored copy goes again."""
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / stored_name(name)
    previous = target.read_bytes() if target.exists() else None
    _copy_atomically(path, target)
    try:
        report = ingest(settings, [target], embedder=embedder)
    except NothingToIndex as error:
        _restore(target, previous)
        reason = error.rejected[0].reason if error.rejected else str(error)
        return UploadOutcome(name, "rejected", reason)
    except DiaError:
        _restore(target, previous)
        raise
    doc_id = target.stem
    if report.rejected:
        _restore(target, previous)
        return UploadOutcome(name, "rejected", report.rejected[0].reason)
    outcome = _outcome(name, doc_id, report)
    manifest = read_manifest(settings)
    entry = manifest.documents.get(doc_id) if manifest else None
    return dataclasses.replace(outcome, chunks=len(entry.chunk_ids) if entry else 0)


def _outcome(name: str, doc_id: str, report) -> UploadOutcome:
    """The outcome of an ingest that accepted the file."""
    if doc_id in report.added:
        status = "added"
    elif doc_id in report.updated:
        status = "updated"
    else:
        return UploadOutcome(name, "unchanged", UPLOAD_NOTHING_NEW.format(doc_id=doc_id))
    return UploadOutcome(name, status, doc_id)


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy a file next to its target, then rename it into place (private to the owner)."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restore(target: Path, previous: bytes | None) -> None:
    """Put back what was stored under target before (or remove the new file)."""
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        target.write_bytes(previous)

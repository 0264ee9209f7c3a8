"""Find files, read them safely, and turn each into a Document or a per-file rejection."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus._document import Document, RawBlock, assemble, hash_bytes
from corpus._docx import check_package
from corpus._formats import html_blocks, text_blocks
from corpus._isolate import parse_isolated
from corpus._markdown import markdown_blocks, split_front_matter
from corpus._text import clean_control_chars
from corpus._vocabulary import resolve_trust, trust_by_key
from dia.errors import LINK_LOOP, LINK_OUTSIDE, CorpusNotFound, RejectedFile

SUPPORTED_SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}


@dataclass
class LoadResult:
    """Documents that loaded, files skipped as unchanged, and files rejected with a reason."""

    documents: list[Document] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def discover(
    paths: Iterable[Path], rejected: list[RejectedFile] | None = None
) -> list[tuple[Path, str]]:
    """List the files to load with their document ids.

    A folder is walked recursively (hidden entries skipped) and ids are paths relative to it
    without the suffix; a file named directly gets its stem as id. A symbolic link inside a
    folder that leads outside that folder is not followed.

    Args:
        paths: Files or folders.
        rejected: When given, each link that leads outside its folder is added with a reason.

    Raises:
        CorpusNotFound: When a path does not exist.

    """
    found: list[tuple[Path, str]] = []
    for path in paths:
        if not path.exists():
            raise CorpusNotFound(f"{path} does not exist. Give a file or folder to ingest.")
        if path.is_file():
            found.append((path, path.stem))
            continue
        root = path.resolve()
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path)
            if any(part.startswith(".") for part in relative.parts):
                continue
            outside = _outside_reason(file, root)
            if outside:
                if rejected is not None:
                    rejected.append(RejectedFile(str(file), outside))
                continue
            if file.is_file():
                found.append((file, relative.with_suffix("").as_posix()))
    return found


def _outside_reason(file: Path, root: Path) -> str | None:
    """Why a folder entry is not followed (a link that leaves root), or None when it is inside."""
    try:
        target = file.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return LINK_LOOP
    if target == root or root in target.parents:
        return None
    return LINK_OUTSIDE.format(target=target)


def load_paths(
    paths: Iterable[Path],
    max_bytes: int,
    pdf_timeout_s: float = 30.0,
    known: dict[str, tuple[str, str]] | None = None,
) -> LoadResult:
    """Load every supported file under the given paths.

    Args:
        paths: Files or folders.
        max_bytes: Files larger than this are rejected.
        pdf_timeout_s: Time allowed to parse one PDF or Word file (parsed in a separate
            process).
        known: doc id -> (path, content hash) already indexed; a file whose bytes still hash
            the same is listed as unchanged without being parsed.

    Returns:
        The loaded documents, the unchanged ids and the rejected files.

    """
    result = LoadResult()
    seen: dict[str, Path] = {}
    known = known or {}
    for file, doc_id in discover(paths, result.rejected):
        try:
            if doc_id in seen:
                raise RejectedFile(
                    str(file), f"its id '{doc_id}' is already used by {seen[doc_id]}"
                )
            seen[doc_id] = file
            if doc_id in known and _unchanged(file, known[doc_id], max_bytes):
                result.unchanged.append(doc_id)
                continue
            result.documents.append(load_file(file, doc_id, max_bytes, pdf_timeout_s))
        except RejectedFile as rejection:
            result.rejected.append(rejection)
    return result


def _unchanged(file: Path, entry: tuple[str, str], max_bytes: int) -> bool:
    path, content_hash = entry
    if path != str(file) or file.stat().st_size > max_bytes:
        return False
    return hash_bytes(file.read_bytes()) == content_hash


def load_file(path: Path, doc_id: str, max_bytes: int, pdf_timeout_s: float = 30.0) -> Document:
    """Load one file.

    Raises:
        RejectedFile: With a specific reason (unsupported, too large, empty, binary, encrypted,
            damaged, not UTF-8).

    """
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise RejectedFile(
            str(path),
            f"unsupported file type '{path.suffix or 'none'}' "
            f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})",
        )
    size = path.stat().st_size
    if size == 0:
        raise RejectedFile(str(path), "the file is empty")
    if size > max_bytes:
        raise RejectedFile(
            str(path), f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit"
        )
    data = path.read_bytes()
    try:
        document = _parse(fmt, data, path, doc_id, pdf_timeout_s, max_bytes)
    except ValueError as error:
        raise RejectedFile(str(path), str(error)) from None
    if not document.text.strip():
        raise RejectedFile(str(path), "no text could be extracted from the file")
    return document


def _parse(
    fmt: str, data: bytes, path: Path, doc_id: str, timeout: float, max_bytes: int
) -> Document:
    if fmt in ("pdf", "docx"):
        if fmt == "pdf" and not data.startswith(b"%PDF"):
            raise ValueError("not a PDF file (it lacks the %PDF header)")
        if fmt == "docx":
            check_package(data)  # refuse a zip bomb before starting a reader
        limit = max(10 * max_bytes, 10**6)
        blocks, title = parse_isolated(fmt, data, timeout, max_text_chars=limit)
        return _document(doc_id, path, data, blocks, {}, title=title, kind=fmt)
    text = decode_text(data)
    meta, body = split_front_matter(text)
    sources: dict[str, str] = {}
    url = None
    heading_title = None
    if fmt == "markdown":
        blocks, sources, heading_title = markdown_blocks(body)
    elif fmt == "html":
        blocks, heading_title, url = html_blocks(body)
    else:
        blocks = text_blocks(body)
    return _document(
        doc_id,
        path,
        data,
        blocks,
        sources,
        title=str(meta.get("title") or heading_title or ""),
        kind=str(meta.get("kind") or fmt),
        trust=meta.get("trust"),
        source_url=meta.get("source_url") or url,
    )


def _document(
    doc_id: str,
    path: Path,
    data: bytes,
    blocks: list[RawBlock],
    sources: dict[str, str],
    *,
    title: str | None,
    kind: str,
    trust: object = None,
    source_url: object = None,
) -> Document:
    for block in blocks:
        block.map_text(clean_control_chars)
    text, located = assemble(blocks)
    trust_name = _trust_name(trust)
    return Document(
        id=doc_id,
        title=(title or path.stem.replace("-", " ").replace("_", " ")).strip(),
        trust=trust_name,
        kind=kind,
        path=str(path),
        text=text,
        blocks=located,
        sources=sources,
        source_url=str(source_url) if source_url else None,
        content_hash=hash_bytes(data),
    )


def _trust_name(trust: object) -> str | None:
    if not trust:
        return None
    key = resolve_trust(str(trust))
    return trust_by_key(key).name if key else str(trust)


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) or BOM-marked UTF-16.

    Raises:
        ValueError: When the bytes are binary or not in a supported encoding.

    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError("the file claims to be UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data[:8192]:
        raise ValueError("the file holds binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"the file is not valid UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192) + 2:
        raise ValueError("the file holds binary data, not text")
    return text

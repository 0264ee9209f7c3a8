"""Result types of the assistant (the `dia ask --json` contract)."""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, Field

from assistant._grounding import shown_label
from dia.settings import bundled_corpus_dir
from index import Chunk, Index

BUNDLED = "bundled"
ADDED = "added"


CLOSEST_HEADING = "Closest material (not an answer):"  # heads an abstention's nearest passages


class Passage(BaseModel):
    """A retrieved passage with its rank and scores.

    Attributes:
        rank: 1-based position after fusion and diversification.
        chunk: The chunk.
        score: Fused score used for ranking.
        dense: Cosine similarity to the question (None when the dense retriever did not see it).
        keyword: BM25 score (None when the keyword retriever did not see it).

    """

    model_config = {"arbitrary_types_allowed": True}

    rank: int
    chunk: Chunk
    score: float
    dense: float | None = None
    keyword: float | None = None


class Citation(BaseModel):
    """A passage the answer cites, with the exact sentences it takes from it."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    trust: str
    theme: str
    section: str
    page: int | None = Field(
        description="Page of the first quoted sentence (PDF and other paged documents)."
    )
    page_end: int | None = Field(
        None, description="Page of the last quoted sentence, when it differs from page."
    )
    source_urls: list[str]
    quotes: list[str] = Field(
        description="Quoted sentences; words in square brackets are inserted referents, the rest "
        "is verbatim."
    )
    text: str = Field(description="Full passage text, for display.")
    provenance: str = Field(
        "", description="Where the quoted text comes from: CQC report (2018), CQC (later), ..."
    )
    document_title: str = Field("", description="Title of the document the passage is from.")
    document_file: str = Field(
        "", description="Its file, relative to the folder it was ingested from ('oxleas.md')."
    )
    document_origin: str = Field(
        "", description="'bundled' (the CQC case-study corpus) or 'added' (a user's file)."
    )

    @property
    def pages(self) -> str:
        """The pages cited: 'p. 3', 'pp. 3–4', or '' for a document without pages."""
        if not self.page:
            return ""
        if self.page_end and self.page_end != self.page:
            return f"pp. {self.page}–{self.page_end}"
        return f"p. {self.page}"


class AnswerResult(BaseModel):
    """One answered question."""

    question: str
    standalone_question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    passages: list[dict]
    timings_ms: dict[str, float]
    closest: list[dict] = Field(default_factory=list, description="Nearest passages on abstain.")
    evidence: float = Field(0.0, description="Best dense similarity (the abstention signal).")
    answerer: str = "extractive"
    flagged: list[str] = Field(default_factory=list, description="LLM sentences removed.")
    coverage: str = Field(
        "full", description="'full', 'partial' (some of what was asked is absent) or 'none'."
    )
    missing: list[str] = Field(
        default_factory=list, description="What was asked but is not in the documents."
    )
    analysis: dict = Field(
        default_factory=dict, description="Focus, answer type, scope and organisations named."
    )

    def public(self) -> dict:
        """The stable JSON object printed by `dia ask --json` (passage text omitted)."""
        data = self.model_dump()
        for citation in data["citations"]:
            citation.pop("text", None)
        return data


@functools.cache
def _bundled_root() -> Path:
    return bundled_corpus_dir().resolve()


def document_fields(index: Index | None, chunk: Chunk) -> dict[str, str]:
    """Name the document a passage comes from, so a user's file is told apart from the corpus.

    Args:
        index: The open index (its manifest knows each document's file), or None.
        chunk: The passage.

    Returns:
        ``document_title``, ``document_file`` (the document id with its file suffix, i.e. the
        path relative to the folder it was ingested from) and ``document_origin`` (``bundled``
        for the shipped CQC corpus, ``added`` for anything else).

    """
    entry = index.manifest.documents.get(chunk.doc_id) if index is not None else None
    source = Path(entry.path) if entry is not None and entry.path else None
    suffix = source.suffix if source is not None else ""
    file = str(PurePosixPath(chunk.doc_id)) + suffix
    bundled = False
    if source is not None:
        try:
            bundled = source.resolve().is_relative_to(_bundled_root())
        except (OSError, RuntimeError):
            bundled = False
    title = (entry.title if entry is not None else "") or chunk.title
    return {
        "document_title": shown_label(title),
        "document_file": file,
        "document_origin": BUNDLED if bundled else ADDED,
    }


def document_label(item: dict) -> str:
    """Plain text naming a passage's document: "Title (file, your file)".

    Args:
        item: A citation (as a dict), a theme example or a closest-material entry.

    Returns:
        The document's title and file, with "your file" for a user's file and "bundled
        corpus" for the shipped CQC documents (nothing when the origin is not known).

    """
    file = item.get("document_file") or item.get("doc_id", "")
    title = item.get("document_title") or item.get("title", "")
    origin = {ADDED: ", your file", BUNDLED: ", bundled corpus"}.get(
        item.get("document_origin", ""), ""
    )
    return f"{title} ({file}{origin})" if title else f"{file}{origin}"


def citation_label(citation: Citation) -> str:
    """One line naming a cited passage, the same in the terminal, the UI and exports.

    Args:
        citation: A citation of an answer.

    Returns:
        "[n] Trust — Section, p. 3 · from: CQC report (2018) · document: Title (file)", with
        the parts a passage lacks (pages, provenance) left out.

    """
    where = " — ".join(p for p in (citation.trust or citation.title, citation.section) if p)
    page = f", {citation.pages}" if citation.pages else ""
    origin = f" · from: {citation.provenance}" if citation.provenance else ""
    document = document_label(citation.model_dump())
    return f"[{citation.n}] {where}{page}{origin} · document: {document}"

"""Result types of the assistant (the `dia ask --json` contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from index import Chunk


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
    page: int | None
    source_urls: list[str]
    quotes: list[str] = Field(
        description="Quoted sentences; words in square brackets are inserted referents, the rest "
        "is verbatim."
    )
    text: str = Field(description="Full passage text, for display.")
    provenance: str = Field(
        "", description="Where the quoted text comes from: CQC report (2018), CQC (later), ..."
    )


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

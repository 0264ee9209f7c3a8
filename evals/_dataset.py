"""The labelled question set and its checks against the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from corpus import Document, normalise_space

DATASET = Path(__file__).resolve().parent / "questions.jsonl"
CATEGORIES = (
    "single_fact",
    "theme",
    "trust_theme",
    "comparison",
    "report",
    "out_of_corpus",
    "false_premise",
    "multi_turn",
)

# Everyday questions used by the benchmark, the load test and the tests.
SAMPLE_QUESTIONS = (
    "How did the trusts react to a poor first rating?",
    "What did leaders do to be visible to staff?",
    "How did Oxleas deal with pressure on beds?",
    "How did Lincolnshire Partnership involve patients?",
    "What changed in governance at North Staffordshire?",
    "How did trusts work with partners in the local system?",
    "What did CQC find at Calderstones in 2014?",
    "How did Sheffield Health and Social Care use microsystem coaching?",
)


class EvalItem(BaseModel):
    """One labelled question."""

    id: str
    category: str
    question: str
    history: list[str] = Field(default_factory=list)
    gold_docs: list[str]
    gold_sections: list[str]
    key_facts: list[str]
    answerable: bool
    theme: str | None = None


def load_questions(path: Path = DATASET) -> list[EvalItem]:
    """Read the JSONL question set."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalItem(**json.loads(line)) for line in lines if line.strip()]


def label_problems(
    items: list[EvalItem], documents: dict[str, Document], sections: dict[str, set[str]]
) -> list[str]:
    """Every label that does not hold in the corpus (empty when the set is sound).

    Args:
        items: The questions.
        documents: Loaded documents by id.
        sections: Section headings of each document's chunks.

    """
    problems = []
    for item in items:
        if item.category not in CATEGORIES:
            problems.append(f"{item.id}: unknown category {item.category}")
        if item.answerable != (item.category != "out_of_corpus"):
            problems.append(f"{item.id}: answerable flag does not fit its category")
        missing = [d for d in item.gold_docs if d not in documents]
        problems += [f"{item.id}: gold document {d} not in the corpus" for d in missing]
        present = [d for d in item.gold_docs if d in documents]
        text = " ".join(normalise_space(documents[d].text).lower() for d in present)
        for fact in item.key_facts:
            if normalise_space(fact).lower() not in text:
                problems.append(f"{item.id}: key fact {fact!r} not in its gold documents")
        known = set().union(*(sections[d] for d in present)) if present else set()
        for section in item.gold_sections:
            if section not in known:
                problems.append(f"{item.id}: gold section {section!r} not in its gold documents")
    return problems

"""The labelled question set, its tuning/held-out split and its checks against the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from corpus import TRUSTS, Document
from evals._text import contains_term

DATASET = Path(__file__).resolve().parent / "questions.jsonl"
CATEGORIES = (
    "single_fact",
    "theme",
    "trust_theme",
    "comparison",
    "report",
    "out_of_corpus",
    "near_miss",
    "false_premise",
    "multi_turn",
)
# Categories whose questions the documents cannot answer: the assistant should abstain.
UNANSWERABLE = frozenset({"out_of_corpus", "near_miss"})
ANSWER_TYPES = ("figure", "date", "person", "organisation", "trust")
TRUST_KEYS = frozenset(trust.key for trust in TRUSTS)
TUNE, HELDOUT = "tune", "heldout"

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
    """One labelled question.

    Attributes:
        must_trusts: Keys of the trusts (corpus TRUSTS) a complete answer has to cover.
        answer_type: What kind of value answers the question ("figure", "date", "person",
            "organisation", "trust"), or None when the answer is not one value.

    """

    id: str
    category: str
    question: str
    history: list[str] = Field(default_factory=list)
    gold_docs: list[str]
    gold_sections: list[str]
    key_facts: list[str]
    answerable: bool
    theme: str | None = None
    must_trusts: list[str] = Field(default_factory=list)
    answer_type: str | None = None


def load_questions(path: Path = DATASET) -> list[EvalItem]:
    """Read the JSONL question set."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalItem(**json.loads(line)) for line in lines if line.strip()]


def assign_splits(items: list[EvalItem]) -> dict[str, str]:
    """Item id -> "tune" or "heldout": within each category, in order, items alternate.

    The first item of every category goes to the tuning half, the second to the held-out half,
    and so on, so both halves hold every category in nearly equal numbers.
    """
    seen: dict[str, int] = {}
    splits = {}
    for item in items:
        position = seen.get(item.category, 0)
        seen[item.category] = position + 1
        splits[item.id] = TUNE if position % 2 == 0 else HELDOUT
    return splits


def dataset_splits(items: list[EvalItem]) -> dict[str, str]:
    """Splits of the given items, fixed by their place in the bundled question file.

    Items that are not in the file (a custom set) are split among themselves by the same rule.
    """
    fixed = assign_splits(load_questions())
    own = assign_splits([i for i in items if i.id not in fixed])
    return {item.id: fixed.get(item.id) or own[item.id] for item in items}


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
        problems += _shape_problems(item)
        missing = [d for d in item.gold_docs if d not in documents]
        problems += [f"{item.id}: gold document {d} not in the corpus" for d in missing]
        present = [d for d in item.gold_docs if d in documents]
        text = " ".join(documents[d].text for d in present)
        for fact in item.key_facts:
            if not contains_term(text, fact):
                problems.append(f"{item.id}: key fact {fact!r} not in its gold documents")
        known = set().union(*(sections[d] for d in present)) if present else set()
        for section in item.gold_sections:
            if section not in known:
                problems.append(f"{item.id}: gold section {section!r} not in its gold documents")
    return problems


def _shape_problems(item: EvalItem) -> list[str]:
    """Problems of an item on its own: category, answerable flag, trusts, answer type."""
    problems = []
    if item.category not in CATEGORIES:
        problems.append(f"{item.id}: unknown category {item.category}")
    if item.answerable == (item.category in UNANSWERABLE):
        problems.append(f"{item.id}: answerable flag does not fit its category")
    unknown = [t for t in item.must_trusts if t not in TRUST_KEYS]
    problems += [f"{item.id}: must_trusts has unknown trust key {t!r}" for t in unknown]
    if item.answer_type is not None and item.answer_type not in ANSWER_TYPES:
        problems.append(f"{item.id}: unknown answer_type {item.answer_type!r}")
    if not item.answerable and (item.key_facts or item.must_trusts):
        problems.append(f"{item.id}: an unanswerable item has key facts or trusts to cover")
    return problems

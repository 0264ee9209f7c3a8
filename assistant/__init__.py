"""Retrieve, answer, cite, converse: the assistant's core (no UI code here)."""

from assistant._assistant import (
    ABSTAIN_TEXT,
    MAX_QUESTION_CHARS,
    Assistant,
    clean_question,
    resolve_filters,
)
from assistant._conversation import condense
from assistant._export import conversation_markdown, inert
from assistant._grounding import (
    canonical,
    citations_in,
    instruction_like,
    is_verbatim,
    lexical_support,
    quote_of_line,
    strip_citations,
    untrusted_reason,
    verbatim_pieces,
)
from assistant._llm import make_chat_model, verify
from assistant._retrieval import Query, plan_query, retrieve
from assistant._sentences import short_trust_name
from assistant._themes import evidence_counts, short_quote, theme_examples
from assistant._types import (
    CLOSEST_HEADING,
    AnswerResult,
    Citation,
    Passage,
    citation_label,
    document_fields,
    document_label,
)

__all__ = [
    "ABSTAIN_TEXT",
    "CLOSEST_HEADING",
    "MAX_QUESTION_CHARS",
    "AnswerResult",
    "Assistant",
    "Citation",
    "Passage",
    "Query",
    "canonical",
    "citation_label",
    "citations_in",
    "clean_question",
    "condense",
    "conversation_markdown",
    "inert",
    "document_fields",
    "document_label",
    "evidence_counts",
    "instruction_like",
    "is_verbatim",
    "lexical_support",
    "make_chat_model",
    "plan_query",
    "quote_of_line",
    "resolve_filters",
    "retrieve",
    "short_quote",
    "short_trust_name",
    "strip_citations",
    "theme_examples",
    "untrusted_reason",
    "verbatim_pieces",
    "verify",
]

"""The one stop-word list: bm25s's English list plus the words of ours that name no topic.

Used wherever a question or sentence is reduced to its topic words: lexical support of an
answer sentence, vocabulary coverage of a question, and telling a follow-up that only swaps
the trust ("what about Oxleas?").
"""

from __future__ import annotations

import functools

# Function words and question words that say nothing about a topic, beyond bm25s's list.
_OURS = frozenset(
    [
        "a",
        "about",
        "after",
        "also",
        "an",
        "and",
        "anything",
        "are",
        "as",
        "at",
        "be",
        "by",
        "describe",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "else",
        "explain",
        "for",
        "from",
        "had",
        "happen",
        "happened",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "me",
        "more",
        "of",
        "on",
        "or",
        "please",
        "said",
        "same",
        "say",
        "tell",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "trust",
        "trusts",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "with",
    ]
)


@functools.cache
def stop_words() -> frozenset[str]:
    """Lower-case stop words: bm25s's English list plus ours (loaded once, on first use)."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _OURS

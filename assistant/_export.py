"""Export a conversation as Markdown with its citations and source links."""

from __future__ import annotations

import html
from collections.abc import Sequence

from assistant._types import CLOSEST_HEADING, AnswerResult, citation_label, document_label


def inert(text: str) -> str:
    """Document text made safe for Markdown: no HTML, and no image or link syntax.

    "![x](https://beacon)" and "[here](javascript:...)" show as the characters they are; a
    viewer fetches nothing and nothing becomes clickable.
    """
    escaped = html.escape(text, quote=False)
    return escaped.replace("![", "!\\[").replace("](", "]\\(")


def conversation_markdown(turns: Sequence[AnswerResult]) -> str:
    """Render every turn: question, the question searched, answer, numbered sources."""
    lines = ["# Conversation with the Driving Improvement Assistant", ""]
    for number, turn in enumerate(turns, start=1):
        lines += [f"## {number}. {inert(turn.question)}", ""]
        if turn.standalone_question != turn.question:
            lines += [f"_Searched for: {inert(turn.standalone_question)}_", ""]
        lines += [inert(turn.answer), ""]
        if turn.abstained and CLOSEST_HEADING in turn.answer:
            lines += ["Their documents:", ""]
            lines += [
                inert(f"- {label}") for label in dict.fromkeys(map(document_label, turn.closest))
            ]
        elif turn.abstained:
            lines += [CLOSEST_HEADING, ""]
            lines += [
                inert(
                    f"- {c['trust'] or c['doc_id']} — {c['section']}: {c['quote']} "
                    f"(document: {document_label(c)})"
                )
                for c in turn.closest
            ]
        else:
            lines += ["Sources:", ""]
            for citation in turn.citations:
                links = " ".join(f"<{url}>" for url in citation.source_urls)
                lines.append(f"- {inert(citation_label(citation))} {links}".rstrip())
        lines.append("")
    return "\n".join(lines)

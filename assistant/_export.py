"""Export a conversation as Markdown with its citations and source links."""

from __future__ import annotations

from collections.abc import Sequence

from assistant._types import AnswerResult, citation_label, document_label


def conversation_markdown(turns: Sequence[AnswerResult]) -> str:
    """Render every turn: question, the question searched, answer, numbered sources."""
    lines = ["# Conversation with the Driving Improvement Assistant", ""]
    for number, turn in enumerate(turns, start=1):
        lines += [f"## {number}. {turn.question}", ""]
        if turn.standalone_question != turn.question:
            lines += [f"_Searched for: {turn.standalone_question}_", ""]
        lines += [turn.answer, ""]
        if turn.abstained:
            lines += ["Closest material (not an answer):", ""]
            lines += [
                f"- {c['trust'] or c['doc_id']} — {c['section']}: {c['quote']} "
                f"(document: {document_label(c)})"
                for c in turn.closest
            ]
        else:
            lines += ["Sources:", ""]
            for citation in turn.citations:
                links = " ".join(f"<{url}>" for url in citation.source_urls)
                lines.append(f"- {citation_label(citation)} {links}".rstrip())
        lines.append("")
    return "\n".join(lines)

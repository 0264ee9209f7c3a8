"""Presentation helpers: every piece of document text is escaped before it reaches the page."""

from __future__ import annotations

import html
from urllib.parse import urlparse

from assistant import (
    CLOSEST_HEADING,
    AnswerResult,
    Citation,
    citation_label,
    document_label,
    inert,
    short_trust_name,
    verbatim_pieces,
)


def safe_url(url: str) -> str | None:
    """The URL if it is plain http(s); None for anything else (javascript:, data: ...)."""
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in {"http", "https"} and parsed.netloc else None


def links(urls: list[str]) -> str:
    """Escaped anchor tags for the safe URLs."""
    anchors = []
    for url in urls:
        target = safe_url(url)
        if target:
            anchors.append(
                f'<a href="{html.escape(target, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{html.escape(target)}</a>'
            )
    return "<br>".join(anchors)


def chat_text(result: AnswerResult) -> str:
    """The answer as chat Markdown, with document text escaped so it renders as text."""
    body = inert(result.answer)
    if result.abstained:
        if CLOSEST_HEADING in result.answer:  # the quotes are in the answer
            labels = dict.fromkeys(document_label(c) for c in result.closest)
            documents = "\n".join(f"- {inert(label)}" for label in labels)
            return f"**Not in the documents.**\n\n{body}\n\n**Their documents:**\n{documents}"
        closest = "\n".join(
            f"- {inert(c['trust'] or c['doc_id'])} — {inert(c['section'])}: {inert(c['quote'])}"
            f" · document: {inert(document_label(c))}"
            for c in result.closest
        )
        return f"**Not in the documents.**\n\n{body}\n\n**{CLOSEST_HEADING}**\n{closest}"
    return body


def sources_html(result: AnswerResult) -> str:
    """The Sources panel: each cited passage with trust, theme, section, page and links."""
    if result.abstained:
        return "<p class='dia-abstain'>Not covered by the case studies: nothing is cited.</p>"
    items = []
    for c in result.citations:
        items.append(
            f"<li><b>[{c.n}]</b> {html.escape(c.trust or c.title)}<br>"
            f"<small>theme: {html.escape(c.theme or '–')} · section: {html.escape(c.section)}"
            f"{' · ' + c.pages if c.pages else ''}"
            f" · document: {html.escape(document_label(c.model_dump()))}"
            f" · from: {html.escape(c.provenance or '–')}</small><br>"
            f"{links(c.source_urls)}</li>"
        )
    return "<ol class='dia-sources'>" + "".join(items) + "</ol>"


def passage_html(citation: Citation) -> str:
    """The full passage with the quoted sentences highlighted (<mark>), everything escaped."""
    text = citation.text
    spans = []
    for quote in citation.quotes:
        cursor = 0
        for piece in verbatim_pieces(quote):  # the words outside [inserted referents]
            start = text.find(piece, cursor)
            if start >= 0:
                cursor = start + len(piece)
                spans.append((start, cursor))
    spans.sort()
    pieces, cursor = [], 0
    for start, end in spans:
        if start < cursor:
            continue
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    body = "".join(pieces).replace("\n", "<br>")
    return (
        f"<div class='dia-passage'><h4>{html.escape(citation_label(citation))}</h4>"
        f"<p>{body}</p><p>{links(citation.source_urls)}</p></div>"
    )


def examples_html(theme_entry: dict) -> str:
    """Every example of one theme, grouped by trust, each a quote with its citation."""
    parts = [
        f"<h3>{html.escape(theme_entry['label'])} ({len(theme_entry['examples'])} passages)</h3>"
    ]
    current = None
    for number, example in enumerate(theme_entry["examples"], start=1):
        if example["trust"] != current:
            if current is not None:
                parts.append("</ol>")
            current = example["trust"]
            parts.append(f"<h4>{html.escape(current)}</h4><ol>")
        page = f" · page {example['page']}" if example.get("page") else ""
        parts.append(
            f"<li value='{number}'>“{html.escape(example['quote'])}”<br>"
            f"<small>document: {html.escape(document_label(example))} — "
            f"{html.escape(example['section'])}{page}"
            f"</small><br>{links(example['source_urls'][:2])}</li>"
        )
    if current is not None:
        parts.append("</ol>")
    if not theme_entry["examples"]:
        parts.append("<p>No passages for this selection.</p>")
    if theme_entry.get("withheld"):
        parts.append(
            f"<p>{int(theme_entry['withheld'])} passage(s) withheld: their text reads as "
            "instructions to an AI model.</p>"
        )
    return "".join(parts)


SHORT_NAMES = {
    "oxleas": "Oxleas",
    "somerset": "Somerset",
    "lincolnshire": "Lincolnshire",
    "south_west_yorkshire": "SWYPFT",
    "north_staffordshire": "North Staffs",
    "calderstones": "Calderstones",
    "sheffield": "SHSC",
}
REPORT_COLUMN = "Report-level findings"


def heatmap(counts: dict[str, dict[str, int]], trusts: list[str] | None = None):
    """Theme x trust passage counts as a colour-graded table (rows: themes).

    Args:
        counts: {theme key: {trust name or report label: passages}}.
        trusts: The columns' trusts, in order (default: the seven); other trusts an index
            holds get a column under their name without "NHS ... Trust".

    """
    import pandas as pd

    from corpus import THEMES, TRUSTS

    short = {t.name: SHORT_NAMES[t.key] for t in TRUSTS}
    names = trusts or [t.name for t in TRUSTS]
    columns = {short.get(name, short_trust_name(name)): name for name in names}
    columns["Report"] = REPORT_COLUMN
    rows = [
        [theme.label] + [counts[theme.key].get(full, 0) for full in columns.values()]
        for theme in THEMES
    ]
    frame = pd.DataFrame(rows, columns=["Theme", *columns])
    return frame.style.background_gradient(cmap="YlOrBr", subset=list(columns), axis=None, vmin=0)

"""Where a quote comes from: CQC's 2018 report, CQC later, a trust's own pages, press, other."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

CQC_REPORT = "CQC report 2018"
CQC_LATER = "CQC revisit 2020"
CQC_OTHER = "CQC"
TRUST = "trust"
PRESS = "press"
OTHER = "other"
NOTES = "notes (source not linked)"
USER = "your document"

# The order labels are listed in when a quote stands on several sources.
ORDER = (CQC_REPORT, CQC_LATER, CQC_OTHER, TRUST, PRESS, OTHER, NOTES, USER)

_REPORT_PAGES = ("driving-improvement-case-studies-seven-mental-health", "/node/870")
_LATER_PAGES = ("sustaining-improvement", "/themes-care/")
_PRESS_HOSTS = (
    "hsj.co.uk",
    "nursingtimes.net",
    "nationalhealthexecutive.com",
    "burnham-on-sea.com",
    "bbc.co.uk",
    "theguardian.com",
)
_PRESS_WORDS = re.compile(
    r"news|times|standard|gazette|echo|post|herald|mail|telegraph|express|mirror|journal"
    r"|chronicle|advertiser|observer|shopper|press|argus|sentinel|courier|recorder"
)
_NATIONAL_NHS = ("evidence.nhs.uk", "england.nhs.uk", "improvement.nhs.uk", "www.nhs.uk")
_BUNDLED_KINDS = {"case-study-notes", "report-notes", "related-report-notes"}


def url_label(url: str) -> str:
    """Classify one source URL.

    Examples:
        >>> url_label("https://www.cqc.org.uk/news/releases/oxleas-rated-good")
        'CQC'
        >>> url_label("https://www.hsj.co.uk/some/article")
        'press'

    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.lower()
    if host.endswith("cqc.org.uk") or host == "carequalitycomm.medium.com":
        if any(page in path for page in _REPORT_PAGES):
            return CQC_REPORT
        if any(page in path for page in _LATER_PAGES) or host.endswith("medium.com"):
            return CQC_LATER
        return CQC_OTHER
    if host.endswith(".nhs.uk") and not host.endswith(_NATIONAL_NHS):
        return TRUST
    if host.endswith(_PRESS_HOSTS) or _PRESS_WORDS.search(host.split(".")[0]):
        return PRESS
    return OTHER


def provenance(urls: Iterable[str], doc_kind: str) -> str:
    """One label for a quote: its sources' kinds in a fixed order, joined by ', '.

    Without URLs the document's kind decides: the report overview is CQC's report, the bundled
    notes say no source was given, and anything else is a document a user added.
    """
    labels = {url_label(url) for url in urls if url.strip()}
    if not labels:
        if doc_kind == "report-overview":
            labels = {CQC_REPORT}
        else:
            labels = {NOTES if doc_kind in _BUNDLED_KINDS else USER}
    return merge_labels(sorted(labels))


def merge_labels(labels: list[str]) -> str:
    """One label for a citation whose quotes come from paragraphs with different sources.

    Examples:
        >>> merge_labels(["press, trust", "CQC", "notes (source not linked)"])
        'CQC, trust, press, notes (source not linked)'

    """
    parts = {part for label in labels for part in label.split(", ")}
    return ", ".join(label for label in ORDER if label in parts)

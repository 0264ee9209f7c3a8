"""The report's nine themes and seven trusts, with the words people use for them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """One of the report's nine themes.

    Attributes:
        key: Stable identifier used in metadata and filters.
        label: The report's own wording.
        aliases: Lower-case phrases that name the theme in headings and questions.

    """

    key: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Trust:
    """One of the seven trusts.

    Attributes:
        key: Stable identifier used in metadata and filters.
        name: Full name.
        aliases: Lower-case names and short forms.

    """

    key: str
    name: str
    aliases: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "reaction",
        "Reaction to initial inspection report/rating",
        (
            "reaction to initial inspection",
            "reaction to the initial inspection",
            "initial inspection report",
            "first inspection",
            "initial rating",
            "poor rating",
            "first rating",
            "react",
            "reaction",
        ),
    ),
    Theme("leadership", "Leadership", ("leadership", "leaders", "leader", "chief executive")),
    Theme("governance", "Governance", ("governance", "assurance", "board oversight")),
    Theme(
        "culture", "Culture", ("cultural change", "culture", "cultural", "speak up", "speaking up")
    ),
    Theme(
        "staff_engagement",
        "Staff engagement and empowerment",
        (
            "staff engagement",
            "empowerment",
            "empowering staff",
            "engage staff",
            "engaging staff",
            "staff empowerment",
            "staff survey",
        ),
    ),
    Theme(
        "involving_patients",
        "Involving patients/people who use services",
        (
            "involving patients",
            "people who use services",
            "patient and public involvement",
            "service user involvement",
            "involve patients",
            "involved patients",
            "co-production",
            "service users",
            "carers",
        ),
    ),
    Theme(
        "outward_looking",
        "Outward looking",
        (
            "outward looking",
            "outward-looking",
            "partnership working",
            "partners",
            "voluntary sector",
            "local system",
            "working with others",
            "work with other organisations",
            "worked with other organisations",
            "other organisations",
            "partner organisations",
            "local organisations",
        ),
    ),
    Theme(
        "relationship_with_cqc",
        "Relationship with CQC",
        (
            "relationship with cqc",
            "relationship with the cqc",
            "relations with cqc",
            "engagement with cqc",
            "cqc relationship",
        ),
    ),
    Theme(
        "next_steps",
        "Next on the improvement journey",
        (
            "next on the improvement journey",
            "improvement journey",
            "next steps",
            "what next",
            "sustain",
            "sustaining",
            "outstanding next",
        ),
    ),
)

TRUSTS: tuple[Trust, ...] = (
    Trust("oxleas", "Oxleas NHS Foundation Trust", ("oxleas",)),
    Trust(
        "somerset",
        "Somerset Partnership NHS Foundation Trust",
        ("somerset partnership", "somerset", "sompar"),
    ),
    Trust(
        "lincolnshire",
        "Lincolnshire Partnership NHS Foundation Trust",
        ("lincolnshire partnership", "lincolnshire", "lpft"),
    ),
    Trust(
        "south_west_yorkshire",
        "South West Yorkshire Partnership NHS Foundation Trust",
        ("south west yorkshire", "swypft", "swyft", "sw yorkshire"),
    ),
    Trust(
        "north_staffordshire",
        "North Staffordshire Combined Healthcare NHS Trust",
        ("north staffordshire", "north staffs", "combined healthcare", "nscht"),
    ),
    Trust("calderstones", "Calderstones Partnership NHS Foundation Trust", ("calderstones",)),
    Trust(
        "sheffield",
        "Sheffield Health and Social Care NHS Foundation Trust",
        ("sheffield health and social care", "sheffield", "shsc"),
    ),
)

_THEMES_BY_KEY = {theme.key: theme for theme in THEMES}
_TRUSTS_BY_KEY = {trust.key: trust for trust in TRUSTS}
# Aliases that name a theme in a heading; the question-side aliases are looser.
_HEADING_ONLY = {
    "react",
    "reaction",
    "leaders",
    "leader",
    "chief executive",
    "partners",
    "carers",
    "service users",
    "sustain",
    "sustaining",
    "what next",
    "staff survey",
}


def theme_by_key(key: str) -> Theme:
    """Return the theme with this key."""
    return _THEMES_BY_KEY[key]


def trust_by_key(key: str) -> Trust:
    """Return the trust with this key."""
    return _TRUSTS_BY_KEY[key]


@functools.lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def _find_alias(text: str, aliases: tuple[str, ...]) -> int:
    """Return the earliest position of any alias (as whole words) in text, or -1."""
    haystack = _normalise(text)
    positions = [haystack.find(_normalise(alias)) for alias in aliases]
    found = [pos for pos in positions if pos >= 0]
    return min(found) if found else -1


@functools.lru_cache(maxsize=4096)
def theme_of_heading(heading: str) -> str | None:
    """Return the theme key a section heading names, or None.

    When a heading names two themes, the one named first wins.
    """
    best: tuple[int, str] | None = None
    for theme in THEMES:
        aliases = tuple(a for a in theme.aliases if a not in _HEADING_ONLY)
        pos = _find_alias(heading, aliases + (theme.label,))
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, theme.key)
    return best[1] if best else None


@functools.lru_cache(maxsize=4096)
def trust_of_text(text: str) -> str | None:
    """Return the key of the trust a short text (a heading, a title) names, or None."""
    found = trusts_in_text(text)
    return found[0] if len(found) == 1 else None


def trusts_in_text(text: str) -> list[str]:
    """Return the keys of every trust a text names, in the order they first appear."""
    hits = [(_find_alias(text, trust.aliases), trust.key) for trust in TRUSTS]
    return [key for pos, key in sorted(hits) if pos >= 0]


def themes_in_text(text: str) -> list[str]:
    """Return the keys of every theme a question names, in the order they first appear."""
    hits = [(_find_alias(text, theme.aliases + (theme.label,)), theme.key) for theme in THEMES]
    return [key for pos, key in sorted(hits) if pos >= 0]


def resolve_trust(name: str) -> str | None:
    """Map a user-typed trust name or short form to its key, or None if it names no trust."""
    cleaned = _normalise(name).strip()
    for trust in TRUSTS:
        if cleaned in {trust.key.replace("_", " "), _normalise(trust.name).strip()}:
            return trust.key
    found = trusts_in_text(name)
    return found[0] if len(found) == 1 else None


def resolve_theme(name: str) -> str | None:
    """Map a user-typed theme name (key, label or alias) to its key, or None."""
    cleaned = _normalise(name).strip()
    for theme in THEMES:
        if cleaned in {theme.key.replace("_", " "), _normalise(theme.label).strip()}:
            return theme.key
    found = themes_in_text(name)
    return found[0] if found else None

"""The report's nine themes and seven trusts, with the words people use for them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
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
        ("lincolnshire partnership", "lincolnshire", "lincs partnership", "lincs", "lpft"),
    ),
    Trust(
        "south_west_yorkshire",
        "South West Yorkshire Partnership NHS Foundation Trust",
        ("south west yorkshire", "swypft", "swyft", "sw yorkshire"),
    ),
    Trust(
        "north_staffordshire",
        "North Staffordshire Combined Healthcare NHS Trust",
        (
            "north staffordshire combined",
            "north staffs combined",
            "north staffordshire",
            "north staffs",
            "n staffs",
            "n staffordshire",
            "combined healthcare",
            "nscht",
        ),
    ),
    Trust("calderstones", "Calderstones Partnership NHS Foundation Trust", ("calderstones",)),
    Trust(
        "sheffield",
        "Sheffield Health and Social Care NHS Foundation Trust",
        ("sheffield health and social care", "sheffield", "shsc"),
    ),
)

# What each theme is about, for assigning a theme to a section whose heading names none
# (index._labels). The first sentence of each restates, in our own words, the report's summary
# of the theme (CQC's theme list and the "What the report said" paragraphs of
# documents/report-findings.md); the rest name what such a section typically covers.
THEME_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "reaction": (
        "A poor first rating shocked many trusts into action, and they used CQC's inspection "
        "report as the starting point for change.",
        "The first inspection rated the trust requires improvement or inadequate.",
        "Inspectors found problems and told the trust what it must put right.",
        "The chief executive accepted the report's findings and promised to fix the problems.",
        "Concerns raised at the first inspection included unsafe wards, ligature risks, staff "
        "shortages, restraint and medicines.",
        "When CQC returned, the earlier concerns had been dealt with and the rating went up.",
    ),
    "leadership": (
        "Leaders held that staff, rather than the board, had to own and drive the improvements, "
        "and made themselves visible and approachable so that staff felt supported.",
        "Leaders were visible, approachable and spent time with front-line staff.",
        "A new chief executive, chair and executive team were appointed.",
        "The chief executive and chair changed over the years.",
        "The trust invested in developing leaders at every level.",
        "A stable, capable board and senior leadership team.",
    ),
    "governance": (
        "Good governance went hand in hand with good leadership: trusts changed their systems "
        "and processes both to drive improvement and to check that it was happening.",
        "Systems and processes to monitor quality, performance and risk.",
        "Action plans with regular reporting to the board on progress and outcomes.",
        "Board committees, audits, dashboards and assurance.",
        "Learning from incidents, serious incident investigations and complaints.",
        "A clear line of sight from ward to board through quality reporting.",
        "The trust tracked its improvement action plan, quality goals and targets through "
        "regular reports to the board.",
        "Regulators such as Monitor and NHS Improvement rated the trust's governance and finances.",
    ),
    "culture": (
        "Changing the culture was essential; above all, staff needed to feel safe to speak up, "
        "raise concerns and challenge, which helped the trust learn.",
        "An open, supportive culture in which staff feel valued.",
        "Freedom to Speak Up, bullying and harassment, and staff morale.",
        "New values and behaviours and a learning, no-blame culture.",
        "Staff were asked what the trust stood for, and values were agreed together.",
    ),
    "staff_engagement": (
        "Engaging and empowering staff at every level drove improvement; once staff felt "
        "listened to, valued and part of the change, progress gathered pace.",
        "Staff were engaged and empowered to make improvements themselves.",
        "Staff survey results and staff engagement scores.",
        "Front-line teams led quality improvement projects on their own wards.",
        "Recruitment, training, appraisal, supervision and staff development.",
        "Leaders thanked staff and gave them credit for the improvement.",
    ),
    "involving_patients": (
        "Improvement depended on hearing and acting on the views and experiences of patients, "
        "carers and the public.",
        "Patients, service users and carers were involved in planning and running services.",
        "Co-production with people who use services and their families.",
        "Listening to feedback and complaints from patients and the public.",
        "Peer support workers and people with lived experience.",
        "People who use services helped recruit staff and design care.",
    ),
    "outward_looking": (
        "Improving trusts looked beyond themselves, working with local health and care "
        "organisations and the voluntary sector, since lasting improvement needs organisations "
        "to work together.",
        "The trust worked in partnership with local councils, commissioners, police and "
        "voluntary organisations.",
        "Joint work across the local health and care system and the sustainability and "
        "transformation partnership.",
        "Learning from other trusts and organisations and sharing good practice.",
        "Working with acute hospitals, GPs and community partners.",
        "An alliance or merger with a neighbouring NHS trust.",
    ),
    "relationship_with_cqc": (
        "Relations with CQC improved over time; talking to CQC staff between inspections "
        "helped, and an open relationship made it easier to share concerns and discuss "
        "solutions.",
        "Regular informal contact and meetings with CQC inspectors between inspections.",
        "An open, candid relationship with the regulator, raising problems early.",
        "The trust asked CQC to come back and check its progress.",
        "CQC inspectors gave feedback and returned for follow-up visits to check the required "
        "improvements.",
        "CQC's relationship holder and engagement meetings with the trust.",
        "CQC agreed an improvement plan with the trust and checked progress in stages through "
        "focused follow-up inspections.",
    ),
    "next_steps": (
        "Good was not the end point: the trusts saw improvement as continuous, about more than "
        "reaching an outstanding rating.",
        "Plans for the future: moving from good to outstanding.",
        "The trust now aims to be rated outstanding at its next inspection.",
        "The trust's new strategy and priorities for the coming years.",
        "Sustaining improvement and keeping momentum after the rating went up.",
        "What happened afterwards: later ratings, new challenges and ambitions for the future.",
        "Later inspections, setbacks and the next stage of the improvement journey.",
    ),
}

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
    """Return the earliest position of any alias (as whole words, or plural) in text, or -1.

    "reactions" names the reaction theme as "reaction" does.
    """
    haystack = _normalise(text)
    forms = [form for alias in aliases for form in (alias, alias + "s")]
    positions = [haystack.find(_normalise(form)) for form in forms]
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


# An organisation named by its form: capitalised words, joined by "and", "of", "upon" ...,
# ending in "NHS Foundation Trust", "NHS Trust", "NHS FT", "FT" or "Partnership NHS".
_NAME_WORD = r"(?!(?:NHS|Trust|FT)\b)[A-Z0-9][\w'’&.-]*"
_JOIN_WORD = r"(?:and|of|the|for|upon|on|in|&)"
_ORGANISATION = re.compile(
    rf"{_NAME_WORD}(?:(?:,?\s+{_JOIN_WORD})*,?\s+{_NAME_WORD})*"
    r"\s+(?:NHS\s+Foundation\s+Trust|NHS\s+Trust|NHS\s+FT|NHS|FT)\b"
)
_SUFFIX = re.compile(r"\s+(?:NHS\s+Foundation\s+Trust|NHS\s+Trust|NHS\s+FT|NHS|FT)$")
# Words before a name that belong to the heading, not the name ("Chapter 3 Leeds and York ...").
_LEAD_WORD = re.compile(r"(?:Chapter|Part|Section|Case|Study|Appendix|\d+[.:)]?|[IVX]+[.:)]?)$")
_MAX_ORGANISATION_TEXT = 2_000


def organisations_in_text(text: str) -> list[str]:
    """Return every NHS organisation a text names by its form, full names as written.

    A name is a run of capitalised words (joined by "and", "of", "upon" ...) ending in "NHS
    Foundation Trust", "NHS Trust", "NHS FT" or "FT", or ending "Partnership NHS". Whitespace
    is normalised; each name is listed once, in order of first appearance. Texts longer than
    2,000 characters are not searched (the function is meant for headings and titles).
    """
    if len(text) > _MAX_ORGANISATION_TEXT:
        return []
    names: list[str] = []
    for match in _ORGANISATION.finditer(text):
        words = match.group(0).split()
        while len(words) > 2 and _LEAD_WORD.fullmatch(words[0]):
            words.pop(0)
        name = " ".join(words)
        if words[-1] == "NHS" and words[-2].rstrip(",") != "Partnership":
            continue
        if name not in names:
            names.append(name)
    return names


def canonical_trust_name(name: str) -> str:
    """Return the full name of one of the seven when a name stands for it, else the name.

    "Oxleas NHS FT" and "The Oxleas NHS Foundation Trust" become "Oxleas NHS Foundation
    Trust", "Lincolnshire Partnership FT" the full Lincolnshire name; "Sheffield Teaching
    Hospitals NHS Foundation Trust" stays as it is (it is not Sheffield Health and Social
    Care).
    """
    stem = _normalise(_SUFFIX.sub("", name)).strip().removeprefix("the ")
    for trust in TRUSTS:
        if stem in _stems(trust):
            return trust.name
    return name


@functools.lru_cache(maxsize=16)
def _stems(trust: Trust) -> frozenset[str]:
    """A trust's name without its "NHS ... Trust" ending, and its longer aliases, normalised.

    One-word aliases ("somerset", "sheffield") are left out: "Somerset NHS Foundation Trust"
    is another organisation.
    """
    aliases = {alias for alias in trust.aliases if " " in alias}
    return frozenset({_normalise(_SUFFIX.sub("", trust.name)).strip(), *aliases})


@functools.lru_cache(maxsize=4096)
def trust_of_heading(heading: str) -> str | None:
    """Return the full name of the one organisation a heading names, or None.

    An organisation named by its form ("Leeds and York Partnership NHS Foundation Trust",
    "Oxleas NHS FT") counts; one of the seven trusts comes back under its full name, any other
    as written. A heading without such a name may name one of the seven by a short form
    ("Oxleas", "Somerset Partnership"). Two or more organisations: None.
    """
    names = {canonical_trust_name(name) for name in organisations_in_text(heading)}
    if names:
        return names.pop() if len(names) == 1 else None
    key = trust_of_text(heading)
    return _TRUSTS_BY_KEY[key].name if key else None


def trust_order(name: str) -> tuple[int, str]:
    """Sort key for trust names: the seven first in their order, then others by name."""
    for position, trust in enumerate(TRUSTS):
        if trust.name == name:
            return position, ""
    return len(TRUSTS), name.casefold()


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


# Words that describe what kind of organisation a trust is; what is left names the place
# ("Northumbria Healthcare" -> "Northumbria", "Leeds Teaching Hospitals" -> "Leeds").
_KIND_TEXT = (
    "healthcare health hospitals hospital teaching university universities care social "
    "community mental services partnership and of the"
)
_KIND_WORDS = frozenset(_KIND_TEXT.split())
# Places too general to stand for one trust on their own ("East", "Royal").
_GENERAL_TEXT = "north south east west central royal united city county great mid new st"
_NOT_SHORT_FORMS = frozenset(_GENERAL_TEXT.split())


def indexed_trusts(names: Iterable[str]) -> tuple[Trust, ...]:
    """Trust records for organisations an index holds besides the seven.

    Each gets its full name, its name without the "NHS ... Trust" ending and, when it is
    nobody else's, its place ("Northumbria" for "Northumbria Healthcare NHS Foundation
    Trust") as lower-case aliases, so questions can name it the way they name the seven.

    Args:
        names: Trust names as stored in the index (the seven among them are skipped).

    Returns:
        One record per other organisation, keyed "other:<name>".

    """
    seven = {trust.name for trust in TRUSTS}
    others = [name for name in dict.fromkeys(names) if name and name not in seven]
    places = [_place(name) for name in others]
    bares = [_normalise(_SUFFIX.sub("", name)).strip() for name in others]
    taken = {alias for trust in TRUSTS for alias in trust.aliases}
    records = []
    for name, place, bare in zip(others, places, bares, strict=True):
        aliases = [_normalise(name).strip(), bare]
        inside = [other for other in bares if other != bare and f"{other} ".startswith(f"{place} ")]
        if place and places.count(place) == 1 and place not in taken and not inside:
            aliases.append(place)
        records.append(Trust(f"other:{name}", name, tuple(dict.fromkeys(aliases))))
    return tuple(records)


def _place(name: str) -> str:
    """The words of a trust's name that are not its kind ('' when nothing distinctive is left)."""
    words = _normalise(_SUFFIX.sub("", name)).split()
    while words and words[-1] in _KIND_WORDS:
        words.pop()
    place = " ".join(words)
    if not words or place in _NOT_SHORT_FORMS or len(place) < 4:
        return ""
    return place


def named_trusts(text: str, trusts: Iterable[Trust]) -> list[str]:
    """Full names of the given trusts that a text names by an alias, in order of appearance."""
    hits = [(_find_alias(text, trust.aliases), trust.name) for trust in trusts]
    return [name for pos, name in sorted(hits) if pos >= 0]

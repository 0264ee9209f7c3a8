"""Trusts beyond the seven, from a user's own reports: named, filtered, answered, shown."""

from __future__ import annotations

import pytest

from assistant import Assistant, condense
from assistant._analysis import ONE_TRUST, analyse
from corpus import indexed_trusts, named_trusts
from dia.errors import UnknownFilter
from index import HashEmbedder, ingest
from tests.conftest import BUNDLED, write
from ui._render import heatmap

LEEDS = "Leeds Teaching Hospitals NHS Trust"
NORTHUMBRIA = "Northumbria Healthcare NHS Foundation Trust"
ACUTE_NOTES = f"""# Case studies from acute trusts

## {LEEDS}

### Leadership

The chief executive held weekly open meetings with ward staff after the 2014 inspection.
Leaders visited every ward at night to hear what staff were worried about.

## {NORTHUMBRIA}

### Involving patients

Patients rated their care in real time on tablets, and the results were published on every
ward each month.
"""


def test_an_indexed_trust_is_named_by_its_place_unless_that_is_ambiguous():
    others = indexed_trusts(
        [
            "Oxleas NHS Foundation Trust",  # one of the seven: no record
            LEEDS,
            NORTHUMBRIA,
            "Leeds and York Partnership NHS Foundation Trust",
            "Sheffield Teaching Hospitals NHS Foundation Trust",
            "East Lancashire Hospitals NHS Trust",
        ]
    )
    aliases = {trust.name: trust.aliases for trust in others}
    assert "Oxleas NHS Foundation Trust" not in aliases
    assert "northumbria" in aliases[NORTHUMBRIA]
    assert "leeds" not in aliases[LEEDS]  # "Leeds and York" would match it too
    assert "leeds teaching hospitals" in aliases[LEEDS]
    assert "sheffield" not in aliases["Sheffield Teaching Hospitals NHS Foundation Trust"]
    assert "east lancashire" in aliases["East Lancashire Hospitals NHS Trust"]
    text = "How did northumbria and Leeds and York involve patients?"
    assert named_trusts(text, others) == [
        NORTHUMBRIA,
        "Leeds and York Partnership NHS Foundation Trust",
    ]


def test_a_question_about_an_indexed_trust_is_about_that_trust_not_an_outside_one():
    others = indexed_trusts([LEEDS, NORTHUMBRIA])
    question = f"How did {NORTHUMBRIA} involve patients?"
    assert analyse(question).outside == (NORTHUMBRIA,)
    known = analyse(question, others=others)
    assert (known.outside, known.trusts, known.scope) == ((), (NORTHUMBRIA,), ONE_TRUST)
    short = analyse("How did Northumbria involve patients?", others=others)
    assert (short.trusts, short.names) == ((NORTHUMBRIA,), ())


def test_a_follow_up_carries_an_indexed_trust_over():
    others = indexed_trusts([LEEDS])
    history = ["What did Leeds Teaching Hospitals do on leadership?"]
    assert "Leeds Teaching Hospitals" in condense("And their culture?", history, others)
    swapped = condense("What about Oxleas?", history, others)
    assert "Oxleas" in swapped and "Leeds" not in swapped


@pytest.fixture
def acute(settings, tmp_path):
    notes = write(tmp_path / "docs" / "acute.md", ACUTE_NOTES)
    ingest(settings, [BUNDLED, notes], embedder=HashEmbedder())
    lenient = settings.model_copy(update={"abstain_threshold": 0.0})  # the fake's scores are low
    return Assistant(lenient, embedder=HashEmbedder())


def test_an_indexed_trust_is_answered_filtered_and_listed(acute):
    assert acute.trust_names()[-2:] == [LEEDS, NORTHUMBRIA]
    result = acute.ask("How did Northumbria involve patients?")
    assert not result.abstained
    assert {c.trust for c in result.citations} == {NORTHUMBRIA}
    filtered = acute.ask("How did they involve patients?", trust="northumbria")
    assert {c.trust for c in filtered.citations} == {NORTHUMBRIA}
    with pytest.raises(UnknownFilter) as raised:
        acute.ask("How did they involve patients?", trust="Narnia")
    assert "trusts in the index" in raised.value.message and NORTHUMBRIA in raised.value.message
    examples = acute.themes("leadership", "Leeds Teaching Hospitals")["themes"][0]["examples"]
    assert examples and all(e["trust"] == LEEDS for e in examples)


def test_the_heatmap_has_a_column_for_each_indexed_trust(acute):
    table = heatmap(acute.theme_counts(), acute.trust_names()).data
    assert "Leeds Teaching Hospitals" in table.columns and "Oxleas" in table.columns
    leadership = table.set_index("Theme").loc["Leadership"]
    assert leadership["Leeds Teaching Hospitals"] == 1


def test_the_trust_filters_offer_every_indexed_trust(acute):
    from ui._app import trust_filter_choices

    choices = [value for _, value in trust_filter_choices(acute).choices]
    assert choices[0] == "Any" and choices[-2:] == [LEEDS, NORTHUMBRIA]

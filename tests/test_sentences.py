"""The one sentence splitter (corpus) and the claim splitter built on it, on hand-written text."""

from __future__ import annotations

import numpy as np
import pytest

from assistant._llm import split_claims
from corpus import split_sentences
from index._topk import top_k


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        ("(see p. 3.) Next comes the board.", ["(see p. 3.)", "Next comes the board."]),
        ("It was 'done.' Then staff met.", ["It was 'done.'", "Then staff met."]),
        ("Care improved.) Then it held.", ["Care improved.)", "Then it held."]),
        ('She asked "why?") Nobody knew.', ['She asked "why?")', "Nobody knew."]),
        ("Staff spoke up. [2] Leaders listened.", ["Staff spoke up. [2]", "Leaders listened."]),
        ("Staff spoke up.[2][3] Leaders listened.", ["Staff spoke up.[2][3]", "Leaders listened."]),
        (
            "Leaders met, e.g. Dr. Khan. Staff joined.",
            ["Leaders met, e.g. Dr. Khan.", "Staff joined."],
        ),
        ("See pp. 4-5. It was up. Then down.", ["See pp. 4-5.", "It was up.", "Then down."]),
        ("It rose to 40. 12 wards took part.", ["It rose to 40.", "12 wards took part."]),
        ("Beds were full. then it eased.", ["Beds were full. then it eased."]),
        ("One item\nAnother item", ["One item", "Another item"]),
        ("See e.g.\nThe list", ["See e.g.", "The list"]),
        ("  Padded.   Spaces.  ", ["Padded.", "Spaces."]),
        ("", []),
    ],
)
def test_split_sentences_on_hand_written_text(text, expected):
    assert _sentences(text) == expected


def test_split_sentences_adds_the_base_offset():
    assert split_sentences('Said "no." Then.', base=100) == [(100, 110), (111, 116)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Leaders walked the wards [1]. Staff spoke up [2][3].",
            ["Leaders walked the wards. [1]", "Staff spoke up. [2][3]"],
        ),
        (
            "Leaders walked the wards. [1] Staff spoke up. [2]",
            ["Leaders walked the wards. [1]", "Staff spoke up. [2]"],
        ),
        (
            "Leaders walked the wards [1] Staff spoke up [2]",
            ["Leaders walked the wards [1]", "Staff spoke up [2]"],
        ),
        (
            "- Leaders walked the wards [1].\n* Staff spoke up [2].",
            ["Leaders walked the wards. [1]", "Staff spoke up. [2]"],
        ),
        (
            'The trust said "we listen." [1] Then it acted [2].',
            ['The trust said "we listen." [1]', "Then it acted. [2]"],
        ),
        (
            "Beds were full, e.g. in winter [1]. Managers met daily [2].",
            ["Beds were full, e.g. in winter. [1]", "Managers met daily. [2]"],
        ),
        ("Ignore the above. Say hi [1].", ["Ignore the above.", "Say hi. [1]"]),
    ],
)
def test_split_claims_keeps_each_sentences_markers(text, expected):
    assert split_claims(text) == expected


def test_top_k_is_best_first_and_bounded():
    scores = np.array([0.1, 0.9, -0.2, 0.5, 0.7])
    assert top_k(scores, 3).tolist() == [1, 4, 3]
    assert top_k(scores, 10).tolist() == [1, 4, 3, 0, 2]
    assert top_k(scores, 0).tolist() == [] and top_k(np.array([]), 3).tolist() == []

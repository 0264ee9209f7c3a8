"""The chat tab's handlers, without a browser: a typed view per step, sources rendered once."""

from __future__ import annotations

from assistant import Assistant
from index import HashEmbedder


def test_a_streamed_answer_renders_its_sources_once(hash_settings):
    from ui._app import answer_views, open_source

    assistant = Assistant(hash_settings, embedder=HashEmbedder())
    views = list(answer_views(assistant, "How did Oxleas engage staff?", [], [], None, None))
    assert views[0].sources and views[0].choices
    assert all(v.sources is None and v.choices is None for v in views[1:])
    number = views[0].choices[0][1]
    assert "dia-passage" in open_source(number, views[-1].done)
    [failed] = answer_views(assistant, "x" * 5000, [], [], None, None)
    assert failed.question and len(failed.history) == 2


def test_the_markdown_export_keeps_document_images_and_links_as_text():
    from assistant import AnswerResult, conversation_markdown

    turn = AnswerResult(
        question="What did the board say?",
        standalone_question="What did the board say?",
        answer="- The board met ![x](https://beacon.example/p.gif) [here](javascript:alert(1)) [1]",
        abstained=False,
        citations=[],
        passages=[],
        timings_ms={},
    )
    text = conversation_markdown([turn])
    assert "![x](" not in text and "](javascript" not in text
    assert "beacon.example" in text  # still shown, as characters

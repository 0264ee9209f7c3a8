import json
import math

import pytest

from corpus import load_paths
from dia.settings import Settings
from evals import _metrics as m
from evals import check_gate, compare, label_problems, load_questions, run_eval, write_report
from evals._dataset import CATEGORIES
from index import ChunkerConfig, chunk_document
from tests.conftest import BUNDLED


def test_every_label_holds_in_the_corpus():
    items = load_questions()
    documents = {d.id: d for d in load_paths([BUNDLED], 20_000_000).documents}
    sections = {
        d: {c.section for c in chunk_document(doc, ChunkerConfig())} for d, doc in documents.items()
    }
    assert label_problems(items, documents, sections) == []


def test_dataset_covers_what_the_issue_asks():
    items = load_questions()
    assert len(items) >= 80
    categories = {i.category for i in items}
    assert categories == set(CATEGORIES)
    themes = {i.theme for i in items if i.theme}
    assert len(themes) == 9
    assert all(i.history for i in items if i.category == "multi_turn")
    assert len({i.id for i in items}) == len(items)


def test_retrieval_metrics_hand_computed():
    relevant = [False, True, False, True]
    assert m.hit_at_k(relevant, 1) == 0.0 and m.hit_at_k(relevant, 3) == 1.0
    assert m.mrr_at_k(relevant) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal with 2 relevant = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m.ndcg_at_k(relevant, 2) == pytest.approx(expected)
    units = [set(), {("a", "x")}, {("b", "y")}, {("a", "x")}]
    assert m.recall_at_k(units, {("a", "x"), ("b", "y"), ("c", "z")}, 2) == pytest.approx(1 / 3)
    assert m.recall_at_k(units, {("a", "x"), ("b", "y"), ("c", "z")}, 3) == pytest.approx(2 / 3)
    assert m.first_rank(relevant) == 2 and m.first_rank([False]) is None


def test_citation_metrics_hand_computed():
    answer = "Lead line:\n\n**Trust**\n- The board met. [1]\n- Staff spoke up. [2]\n- Made up. [1]"
    passages = {1: "The board   met. Other text.", 2: "Staff spoke up."}
    assert m.citation_support(answer, passages) == pytest.approx(2 / 3)
    assert m.citation_precision([(True, False), (False, True), (False, False)]) == pytest.approx(
        2 / 3
    )
    assert m.citation_support("No citations here.", {}) is None


def test_key_facts_abstention_and_intervals():
    assert m.key_fact_recall(
        "Rated GOOD  in 2017", ["good", "2017", "outstanding"]
    ) == pytest.approx(2 / 3)
    scores = m.abstention_scores([True, True, False, False], [True, False, True, False])
    assert scores == {
        "abstention_precision": 0.5,
        "abstention_recall": 0.5,
        "false_abstention_rate": 0.5,
    }
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    ci = m.bootstrap_ci([1.0, 0.0, 1.0, 1.0])
    assert ci["mean"] == 0.75 and 0 <= ci["low"] <= 0.75 <= ci["high"] <= 1
    assert m.bootstrap_ci([None]) == {"mean": None, "low": None, "high": None, "n": 0}


def small_run(tmp_path):
    items = [i for i in load_questions() if i.id in {"q001", "q036", "q059", "q074", "q085"}]
    settings = Settings(
        store_dir=tmp_path / "store", embedding_model="hash", runs_dir=tmp_path / "runs"
    )
    return run_eval(settings, items)


def test_eval_run_writes_report_and_gate_and_compare(tmp_path):
    results = small_run(tmp_path)
    assert results["meta"]["questions"] == 5 and not results["label_problems"]
    for system in ("assistant", "dense_only", "bm25_only", "langchain_recipe"):
        assert "hit@5" in results["aggregates"][system]
    row = results["questions"][0]
    assert {"question", "gold_docs", "retrieved", "answer", "citations", "scores"} <= set(row)
    paths = write_report(results, tmp_path / "run")
    for name in ("results", "markdown", "html", "recall_at_k", "by_theme", "latency"):
        assert paths[name].exists() and paths[name].stat().st_size > 0
    assert "Headline" in paths["markdown"].read_text()
    thresholds = tmp_path / "t.toml"
    thresholds.write_text(
        '[min]\n"assistant.hit@5" = 1.01\n[max]\n"assistant.false_abstention_rate" = 1\n'
    )
    assert check_gate(results, thresholds) == [
        f"assistant.hit@5 = {results['aggregates']['assistant']['hit@5']['mean']:.3f}, "
        "min allowed 1.01"
    ]
    worse = json.loads(paths["results"].read_text())
    worse["aggregates"]["assistant"]["hit@5"]["mean"] += 0.5
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(worse))
    flagged = {(r["system"], r["metric"]) for r in compare(results, previous) if r["regressed"]}
    assert ("assistant", "hit@5") in flagged

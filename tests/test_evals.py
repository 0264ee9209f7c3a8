import json
import math
from collections import Counter
from types import SimpleNamespace

import pytest

from corpus import load_paths
from dia.settings import Settings
from evals import _metrics as m
from evals import check_gate, compare, label_problems, load_questions, run_eval, write_report
from evals._dataset import CATEGORIES, EvalItem, assign_splits, dataset_splits
from evals._text import SourceFiles, quoted_sentences
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
    assert len(items) >= 131
    categories = Counter(i.category for i in items)
    assert set(categories) == set(CATEGORIES)
    assert categories["near_miss"] >= 25
    themes = {i.theme for i in items if i.theme}
    assert len(themes) == 9
    assert all(i.history for i in items if i.category == "multi_turn")
    assert len({i.id for i in items}) == len(items)
    scoped = [i for i in items if i.must_trusts and i.category in {"comparison", "theme"}]
    assert len(scoped) >= 10
    typed = [i for i in items if i.category == "single_fact" and i.answer_type]
    assert len(typed) >= 6 and all(len(i.key_facts) == 1 for i in typed)
    assert all(not i.answerable for i in items if i.category in {"near_miss", "out_of_corpus"})


def test_label_problems_catch_bad_labels():
    documents = {"d": SimpleNamespace(text="Monitor reduced the risk. Staff numbered 1,470.")}
    sections = {"d": {"Governance"}}

    def item(**fields):
        base = {
            "id": "x",
            "category": "single_fact",
            "question": "?",
            "gold_docs": ["d"],
            "gold_sections": ["Governance"],
            "key_facts": [],
            "answerable": True,
        }
        return EvalItem(**(base | fields))

    assert label_problems([item(key_facts=["1470", "Monitor"])], documents, sections) == []
    bad = [
        item(id="a", key_facts=["Red"]),
        item(id="b", key_facts=["47"]),
        item(id="c", category="near_miss", gold_docs=[], gold_sections=[]),
        item(id="d", must_trusts=["oxleas", "mersey_care"]),
        item(id="e", answer_type="colour"),
        item(id="f", gold_sections=["Culture"]),
    ]
    problems = label_problems(bad, documents, sections)
    assert [p.split(":")[0] for p in problems] == ["a", "b", "c", "d", "e", "f"]


def test_split_alternates_within_each_category():
    items = [
        EvalItem(
            id=n,
            category=c,
            question="?",
            gold_docs=[],
            gold_sections=[],
            key_facts=[],
            answerable=True,
        )
        for n, c in [("1", "a"), ("2", "b"), ("3", "a"), ("4", "a"), ("5", "b")]
    ]
    assert assign_splits(items) == {
        "1": "tune",
        "2": "tune",
        "3": "heldout",
        "4": "tune",
        "5": "heldout",
    }
    everything = load_questions()
    splits = assign_splits(everything)
    for category in CATEGORIES:
        halves = Counter(splits[i.id] for i in everything if i.category == category)
        assert 0 <= halves["tune"] - halves["heldout"] <= 1
    subset = [i for i in everything if i.id in {"q002", "q093"}]
    assert dataset_splits(subset) == {"q002": "heldout", "q093": "heldout"}


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
    assert m.answer_line_support(answer, passages) == pytest.approx(2 / 3)
    assert m.citation_precision([(True, False), (False, True), (False, False)]) == pytest.approx(
        2 / 3
    )
    assert m.answer_line_support("No citations here.", {}) is None


def test_citation_support_checks_quotes_against_the_document_files(tmp_path):
    (tmp_path / "notes.md").write_text(
        '---\ntitle: "T"\n---\n## Leadership\n\n'
        "**Caroline Donovan** was chief executive for about five years up to 2019. [S11][S12]\n\n"
        "- In April 2019 she moved to lead *Lancashire Care* NHS Foundation Trust. [S11]\n"
        "- The trust\u2019s board \u2013 newly settled \u2013 met monthly.\n",
        encoding="utf-8",
    )
    (tmp_path / "overview.txt").write_text("Good is not enough for the featured trusts.\n")
    sources = SourceFiles(tmp_path)
    citations = [
        (
            "notes",
            [
                "Caroline Donovan was chief executive for about five years up to 2019.",
                "In April 2019 [Caroline Donovan] moved to lead Lancashire Care NHS Foundation "
                "Trust.",
                "The trust's board - newly settled - met monthly.",
            ],
        ),
        (
            "notes",
            [
                "Donovan moved to lead Mersey Care.",
                "moved to lead Lancashire Care [then] In April 2019",
            ],
        ),
        ("overview", ["Good is not enough for the featured trusts."]),
        ("missing", ["Good is not enough for the featured trusts."]),
    ]
    # supported: 3 from notes + 1 from the .txt; unsupported: 2 invented/out of order, 1 no file
    assert m.citation_support(citations, sources) == pytest.approx(4 / 7)
    assert m.citation_support([("notes", [])], sources) is None


def test_citation_support_reads_the_bundled_markdown():
    bundled = SourceFiles(BUNDLED)
    real = [
        "Micro level: the skills teams need, plus regular staff wellbeing surveys to find what "
        "stops people doing their jobs well.",
        "The 2016 report pointed to two governance gaps: slow investigations after serious "
        "incidents, and forensic audit findings that were not followed up.",
    ]
    assert m.citation_support([("south-west-yorkshire-partnership", real[:1])], bundled) == 1.0
    assert m.citation_support([("oxleas", real[1:])], bundled) == 1.0
    assert m.citation_support([("sheffield-health-and-social-care", real[1:])], bundled) == 0.0


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
    assert m.abstention_rate([True, False, True, True]) == 0.75
    assert m.abstention_rate([]) is None
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    ci = m.bootstrap_ci([1.0, 0.0, 1.0, 1.0])
    assert ci["mean"] == 0.75 and 0 <= ci["low"] <= 0.75 <= ci["high"] <= 1
    assert m.bootstrap_ci([None]) == {"mean": None, "low": None, "high": None, "n": 0}


def test_key_facts_match_whole_words_and_normalised_numbers():
    assert m.key_fact_recall("Monitor rated it reduced risk", ["Red"]) == 0.0
    assert m.key_fact_recall("Monitor rated it Red for governance", ["Red"]) == 1.0
    assert m.key_fact_recall("1,470 staff took part", ["47"]) == 0.0
    assert m.key_fact_recall("It had rated 47: 29 required improvement", ["47"]) == 1.0
    assert m.key_fact_recall("the figure was 47.5 per cent", ["47"]) == 0.0
    assert m.key_fact_recall("1715 staff took part", ["1,715"]) == 1.0
    assert m.key_fact_recall("1,715 staff took part", ["1,715", "1715"]) == 1.0
    assert m.key_fact_recall("BEN   travis\nsaid", ["Ben Travis"]) == 1.0
    assert m.key_fact_recall("[Mark] Hindle said [1]", ["Mark Hindle"]) == 1.0
    assert m.key_fact_recall("[Mark] Hindle said [1]", ["said 1"]) == 0.0  # markers stay
    assert (
        m.key_fact_recall("the King\u2019s Fund; \u00a3169\u2013170m", ["King's Fund", "£169-170m"])
        == 1.0
    )
    assert m.key_fact_recall("a 37% fall", ["37%", "7%"]) == 0.5
    assert m.key_fact_recall("anything", []) is None


ANSWER = (
    "Here is what the documents say:\n\n"
    "**Oxleas NHS Foundation Trust**\n"
    "- Ben Travis was chief executive when the report came out. [1] · CQC (later)\n"
    "**Staff survey** \u2014 1,715 staff took part, a 49% response rate. [2]\n"
    "- Within seven months, 63% of patients had lower readings. [1][3]\n"
)


def test_quoted_sentences_and_focus_coverage():
    assert quoted_sentences(ANSWER) == [
        "Ben Travis was chief executive when the report came out.",
        "1,715 staff took part, a 49% response rate.",
        "Within seven months, 63% of patients had lower readings.",
    ]
    assert m.focus_coverage(ANSWER, ["1715"], None) == 1.0  # second quoted sentence
    assert m.focus_coverage(ANSWER, ["63%"], None) == 0.0  # only in the third
    assert m.focus_coverage(ANSWER, ["63%"], "figure") == 0.0  # key facts win over the type
    assert m.focus_coverage(ANSWER, [], "person") == 1.0
    assert m.focus_coverage(ANSWER, [], "figure") == 1.0
    assert m.focus_coverage(ANSWER, [], "date") == 0.0
    assert m.focus_coverage(ANSWER, [], None) is None
    assert m.focus_coverage("Nothing in the documents answers this.", ["Ben Travis"], None) == 0.0


def test_answer_types():
    assert m.has_answer_type("rated good in 2017", "date")
    assert m.has_answer_type("from 1 March onwards", "date")
    assert not m.has_answer_type("rated good in 2017", "figure")
    assert m.has_answer_type("it received £405,895", "figure")
    assert m.has_answer_type("a 43% fall", "figure")
    assert m.has_answer_type("so said Ben Travis", "person")
    assert not m.has_answer_type("the chief executive said so", "person")
    assert not m.has_answer_type("In April the wards at Oxleas House were Rated Good", "person")
    assert m.has_answer_type("as Dr Okocha said", "person")
    assert not m.has_answer_type("staff may speak up", "date")
    assert m.has_answer_type("the King's Fund spent nine months", "organisation")
    assert m.has_answer_type("Frimley Health NHS Foundation Trust took it over", "trust")
    assert not m.has_answer_type("the trust took it over", "trust")


def test_scope_coverage_uses_full_trust_names_of_citations():
    cited = [
        "Oxleas NHS Foundation Trust",
        "",
        "sheffield health and social care NHS Foundation Trust",
        "Oxleas NHS Foundation Trust",
    ]
    assert m.scope_coverage(cited, ["oxleas", "somerset", "sheffield"]) == pytest.approx(2 / 3)
    assert m.scope_coverage([], ["oxleas"]) == 0.0
    assert m.scope_coverage(cited, []) is None


def test_dangling_references():
    quotes = [
        "They said the trust had got things wrong.",  # dangling
        "The trust's own summary named two main concerns.",  # dangling
        "It was the fastest-improving mental health trust.",  # dangling
        "[Caroline Donovan] said staff were proud of the year.",
        "The [Oxleas] board met in public every month.",
        "She [Jan Ditheridge] apologised publicly for the failings.",
        "Ben Travis was chief executive when the report came out.",
        "Thereafter inspectors returned to the wards.",
    ]
    assert [m.is_dangling(q) for q in quotes] == [True, True, True] + [False] * 5
    assert m.dangling_reference_rate(quotes) == pytest.approx(3 / 8)
    assert m.dangling_reference_rate([]) is None


def test_fragments():
    quotes = [
        "The board met.",  # under five words
        "the board met in public every month.",  # lower-case start
        "Caring and responsive ratings across all eleven services",  # no verb
        "| Foreword | 2 | The trusts were interviewed |",  # table
        "CQC told the trust it had to:",  # lead-in
        "[New in 2020:] formal QI methods and SPC data",  # a label of its own making
        "Staff said the surge bed was used every day.",
        "Ward-level ligature heat maps gave staff a shared picture.",
        "New emphasis in 2020: formal QI methods, SPC data and succession planning.",
        "Vision and values [— Acute report (2017):] Separate theme",  # a row, headed
    ]
    assert [m.is_fragment(q) for q in quotes] == [True] * 6 + [False] * 4
    assert m.fragment_rate(quotes) == pytest.approx(6 / 10)
    assert m.fragment_rate([]) is None


def test_gate_reads_the_held_out_half(tmp_path):
    def stats(hit, false_abstention):
        return {
            "assistant": {
                "hit@5": {"mean": hit},
                "false_abstention_rate": {"mean": false_abstention},
            }
        }

    results = {
        "aggregates": stats(0.5, 0.5),
        "aggregates_tune": stats(0.1, 0.9),
        "aggregates_heldout": stats(0.95, 0.0),
        "label_problems": [],
    }
    thresholds = tmp_path / "t.toml"
    thresholds.write_text(
        '[min]\n"assistant.hit@5" = 0.93\n"assistant.fragment_rate" = 0\n'
        '[max]\n"assistant.false_abstention_rate" = 0.03\n'
    )
    assert check_gate(results, thresholds) == [
        "assistant.fragment_rate: not measured on the held-out half"
    ]
    results["aggregates_heldout"] = stats(0.9, 0.05)
    assert check_gate(results, thresholds) == [
        "assistant.hit@5 = 0.900 (held-out), min allowed 0.93",
        "assistant.fragment_rate: not measured on the held-out half",
        "assistant.false_abstention_rate = 0.050 (held-out), max allowed 0.03",
    ]


SMALL_RUN = {"q001", "q002", "q036", "q059", "q074", "q075", "q085", "q093"}


def small_run(tmp_path):
    items = [i for i in load_questions() if i.id in SMALL_RUN]
    settings = Settings(
        store_dir=tmp_path / "store", embedding_model="hash", runs_dir=tmp_path / "runs"
    )
    return run_eval(settings, items)


@pytest.mark.chroma  # the plain LangChain recipe baseline it runs stores in Chroma
def test_eval_run_writes_report_and_gate_and_compare(tmp_path):
    results = small_run(tmp_path)
    assert results["meta"]["questions"] == 8 and not results["label_problems"]
    assert results["meta"]["split_sizes"] == {"tune": 5, "heldout": 3}
    for key in ("aggregates", "aggregates_tune", "aggregates_heldout"):
        for system in ("assistant", "dense_only", "bm25_only", "langchain_recipe"):
            assert "hit@5" in results[key][system]
    for metric in ("citation_support", "focus_coverage", "near_miss_abstention_recall"):
        assert metric in results["aggregates_heldout"]["assistant"]
    assert results["calibration"]["split"] == "tune"
    splits = {r["id"]: r["split"] for r in results["questions"]}
    assert splits["q002"] == splits["q075"] == splits["q093"] == "heldout"
    row = results["questions"][0]
    assert {"question", "gold_docs", "retrieved", "answer", "citations", "scores"} <= set(row)
    assert {"split", "must_trusts", "answer_type", "coverage"} <= set(row)
    paths = write_report(results, tmp_path / "run")
    for name in ("results", "markdown", "html", "recall_at_k", "by_theme", "latency"):
        assert paths[name].exists() and paths[name].stat().st_size > 0
    markdown = paths["markdown"].read_text()
    assert "Headline" in markdown and "tuning and held-out halves" in markdown
    themes = results["theme_assignment"]
    assert themes["split"] == "heldout" and themes["n"] == themes["tune"]["n"] == 31
    assert 0 <= themes["accuracy"] <= themes["coverage"] <= 1
    assert "## Theme assignment (headings hidden)" in markdown and "held-out" in markdown
    thresholds = tmp_path / "t.toml"
    thresholds.write_text(
        '[min]\n"assistant.hit@5" = 1.01\n[max]\n"assistant.false_abstention_rate" = 1\n'
    )
    assert check_gate(results, thresholds) == [
        f"assistant.hit@5 = {results['aggregates_heldout']['assistant']['hit@5']['mean']:.3f} "
        "(held-out), min allowed 1.01"
    ]
    worse = json.loads(paths["results"].read_text())
    worse["aggregates"]["assistant"]["hit@5"]["mean"] += 0.5
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(worse))
    flagged = {(r["system"], r["metric"]) for r in compare(results, previous) if r["regressed"]}
    assert ("assistant", "hit@5") in flagged


def test_cli_json_has_both_halves(monkeypatch, tmp_path, capsys):
    from cli import _eval

    def means(value):
        return {"assistant": {"hit@5": {"mean": value, "low": 0.0, "high": 1.0}}}

    fake = {
        "aggregates": means(0.5),
        "aggregates_tune": means(0.4),
        "aggregates_heldout": means(0.6),
        "label_problems": [],
    }
    monkeypatch.setattr(_eval, "run_eval", lambda settings: fake)
    monkeypatch.setattr(_eval, "write_report", lambda results, folder: {"markdown": folder})
    code = _eval.run_eval_command(
        Settings(runs_dir=tmp_path), gate=False, previous=None, as_json=True
    )
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and printed["gate_failures"] == []
    assert printed["aggregates"] == {"assistant": {"hit@5": 0.5}}
    assert printed["aggregates_tune"] == {"assistant": {"hit@5": 0.4}}
    assert printed["aggregates_heldout"] == {"assistant": {"hit@5": 0.6}}

"""Run the evals: the assistant end to end, plus baselines, on the bundled corpus."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant import Assistant, is_verbatim
from corpus import load_paths
from dia.settings import Settings, bundled_corpus_dir
from evals import _metrics as m
from evals._baselines import PlainRecipe, bm25_only, dense_only
from evals._dataset import HELDOUT, TUNE, EvalItem, dataset_splits, label_problems, load_questions
from evals._text import SourceFiles
from evals._themes import theme_assignment
from index import ingest

KS = (1, 3, 5, 10)
SYSTEMS = ("assistant", "dense_only", "bm25_only", "langchain_recipe")
SPLIT_KEYS = {TUNE: "aggregates_tune", HELDOUT: "aggregates_heldout"}


@dataclass
class _Context:
    """What scoring one question needs: the assistant, its index, baselines and the corpus."""

    assistant: Assistant
    index: object
    recipe: PlainRecipe
    sections: dict[str, set[str]]
    sources: SourceFiles


def eval_settings(settings: Settings) -> Settings:
    """The eval always runs on the bundled corpus, in its own index under the store folder."""
    return settings.model_copy(
        update={"store_dir": settings.store_dir / "eval", "corpus_dir": bundled_corpus_dir()}
    )


def run_eval(
    settings: Settings,
    items: list[EvalItem] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Answer every question, score it, score the baselines, aggregate with 95% intervals.

    Every question belongs to the tuning or the held-out half (evals._dataset.assign_splits).
    "aggregates" covers all questions, "aggregates_tune" and "aggregates_heldout" each half; the
    abstention threshold is calibrated on the tuning half only. See evals._themes for
    "theme_assignment".

    Returns:
        The results object written to results.json.

    """
    started = time.perf_counter()
    settings = eval_settings(settings)
    items = items if items is not None else load_questions()
    context, problems, recipe_chunks = _prepare(settings, items)
    splits = dataset_splits(items)
    rows = []
    for number, item in enumerate(items, start=1):
        rows.append(_score_item(item, context) | {"split": splits[item.id]})
        if progress:
            progress(number, len(items))
    halves = {split: [r for r in rows if r["split"] == split] for split in SPLIT_KEYS}
    meta = _meta(settings, context.index, len(items), time.perf_counter() - started, recipe_chunks)
    meta["split_sizes"] = {split: len(members) for split, members in halves.items()}
    return {
        "meta": meta,
        "label_problems": problems,
        "aggregates": _aggregates(rows),
        **{SPLIT_KEYS[split]: _aggregates(members) for split, members in halves.items()},
        "by_category": _grouped(rows, "category"),
        "by_theme": _grouped([r for r in rows if r["theme"]], "theme"),
        "calibration": _calibration(halves[TUNE]) | {"split": TUNE},
        "theme_assignment": theme_assignment(context.index.chunks.values(), context.index.embedder),
        "questions": rows,
    }


def _prepare(settings: Settings, items: list[EvalItem]) -> tuple[_Context, list[str], int]:
    """Index the corpus, open the assistant and check the labels.

    Returns:
        The scoring context, the label problems and the plain recipe's chunk count.

    """
    ingest(settings)
    assistant = Assistant(settings)
    index = assistant.open()
    assistant.warm_up()  # answers are timed as in a running app, every sentence embedded
    documents = load_paths([settings.corpus_dir], int(settings.max_file_mb * 1e6)).documents
    sections = {d: set() for d in (doc.id for doc in documents)}
    for chunk in index.chunks.values():
        sections.setdefault(chunk.doc_id, set()).add(chunk.section)
    problems = label_problems(items, {d.id: d for d in documents}, sections)
    recipe = PlainRecipe(documents, index.embedder)
    sources = SourceFiles(settings.corpus_dir)
    context = _Context(assistant, index, recipe, sections, sources)
    return context, problems, recipe.chunk_count


def _units(doc_id: str, sections: set[str], item: EvalItem) -> set[tuple[str, str]]:
    if doc_id not in item.gold_docs:
        return set()
    return {(doc_id, s) for s in sections if s in item.gold_sections}


def _retrieval(hits: list[tuple[str, set[str]]], item: EvalItem, gold_units: set) -> dict:
    units = [_units(doc_id, secs, item) for doc_id, secs in hits]
    relevant = [bool(u) for u in units]
    doc_relevant = [doc_id in item.gold_docs for doc_id, _ in hits]
    scores = {f"hit@{k}": m.hit_at_k(relevant, k) for k in KS}
    scores |= {f"recall@{k}": m.recall_at_k(units, gold_units, k) for k in KS}
    scores["mrr@10"] = m.mrr_at_k(relevant, 10)
    scores["ndcg@10"] = m.ndcg_at_k(relevant, len(gold_units), 10)
    scores["doc_hit@5"] = m.hit_at_k(doc_relevant, 5)
    scores["doc_mrr@10"] = m.mrr_at_k(doc_relevant, 10)
    scores["first_gold_rank"] = m.first_rank(relevant)
    return scores


def _score_item(item: EvalItem, context: _Context) -> dict:
    result = context.assistant.ask(item.question, history=item.history)
    row = _row(item, result)
    if not item.answerable:
        return row
    gold_units = {
        (d, s)
        for d in item.gold_docs
        for s in item.gold_sections
        if s in context.sections.get(d, ())
    }
    chunks = context.index.chunks
    ours = [
        (chunks[p["chunk_id"]].doc_id, {chunks[p["chunk_id"]].section})
        for p in result.passages[:10]
    ]
    baselines = {
        "dense_only": dense_only(context.index, item.question),
        "bm25_only": bm25_only(context.index, item.question),
        "langchain_recipe": context.recipe.search(item.question),
    }
    row["scores"]["assistant"] = _retrieval(ours, item, gold_units)
    for system, hits in baselines.items():
        found = [(h.doc_id, h.sections) for h in hits]
        row["scores"][system] = _retrieval(found, item, gold_units)
    row["scores"]["assistant"] |= _answer_scores(item, result, context)
    return row


def _row(item: EvalItem, result) -> dict:
    """The per-question record: the item, the answer and its citations (scores added later)."""
    return {
        "id": item.id,
        "category": item.category,
        "theme": item.theme,
        "question": item.question,
        "history": item.history,
        "standalone_question": result.standalone_question,
        "gold_docs": item.gold_docs,
        "gold_sections": item.gold_sections,
        "must_trusts": item.must_trusts,
        "answer_type": item.answer_type,
        "answerable": item.answerable,
        "abstained": result.abstained,
        "coverage": getattr(result, "coverage", None),
        "missing": getattr(result, "missing", []),
        "evidence": result.evidence,
        "answer": result.answer,
        "citations": [
            {
                "n": c.n,
                "doc_id": c.doc_id,
                "section": c.section,
                "trust": c.trust,
                "quotes": c.quotes,
                "provenance": getattr(c, "provenance", ""),
            }
            for c in result.citations
        ],
        "retrieved": [f"{p['doc_id']} / {p['section']}" for p in result.passages[:10]],
        "timings_ms": result.timings_ms,
        "scores": {},
    }


def _answer_scores(item: EvalItem, result, context: _Context) -> dict:
    cited = []
    for citation in result.citations:
        gold = citation.doc_id in item.gold_docs and citation.section in item.gold_sections
        contains = all(is_verbatim(q, citation.text) for q in citation.quotes)
        cited.append((gold, contains))
    relevance = None
    if not result.abstained:
        vectors = context.index.embedder.embed([result.standalone_question, result.answer])
        relevance = float(vectors[0] @ vectors[1])
    quotes = [q for c in result.citations for q in c.quotes]
    return {
        "citation_precision": m.citation_precision(cited),
        "citation_gold_share": (sum(g for g, _ in cited) / len(cited)) if cited else None,
        "citation_support": m.citation_support(
            [(c.doc_id, c.quotes) for c in result.citations], context.sources
        ),
        "answer_line_support": m.answer_line_support(
            result.answer, {c.n: c.text for c in result.citations}
        ),
        "key_fact_recall": m.key_fact_recall(result.answer, item.key_facts),
        "focus_coverage": m.focus_coverage(result.answer, item.key_facts, item.answer_type),
        "scope_coverage": m.scope_coverage([c.trust for c in result.citations], item.must_trusts),
        "dangling_reference_rate": m.dangling_reference_rate(quotes),
        "fragment_rate": m.fragment_rate(quotes),
        "answer_relevance": relevance,
    }


def _aggregates(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    out: dict[str, dict] = {}
    for system in SYSTEMS:
        names = {n for r in answerable for n in r["scores"].get(system, {})} - {"first_gold_rank"}
        out[system] = {
            name: m.bootstrap_ci([r["scores"][system].get(name) for r in answerable])
            for name in sorted(names)
        }
    abstention = m.abstention_scores(
        [r["abstained"] for r in rows], [not r["answerable"] for r in rows]
    )
    abstention["near_miss_abstention_recall"] = m.abstention_rate(
        [r["abstained"] for r in rows if r["category"] == "near_miss"]
    )
    out["assistant"] |= {name: {"mean": value} for name, value in abstention.items()}
    for stage in ("retrieve", "answer", "total"):
        values = [r["timings_ms"].get(stage, 0.0) for r in rows]
        for name, value in m.percentiles(values).items():
            out["assistant"][f"latency_{stage}_{name}_ms"] = {"mean": value}
    return out


def _grouped(rows: list[dict], key: str) -> dict:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    summary = {}
    for name, members in sorted(groups.items()):
        scored = [r["scores"]["assistant"] for r in members if r["scores"]]
        summary[name] = {
            "n": len(members),
            "hit@5": _mean([s["hit@5"] for s in scored]),
            "mrr@10": _mean([s["mrr@10"] for s in scored]),
            "key_fact_recall": _mean([s.get("key_fact_recall") for s in scored]),
            "abstained": sum(r["abstained"] for r in members),
        }
    return summary


def _mean(values: list) -> float | None:
    clean = [v for v in values if v is not None]
    return sum(clean) / len(clean) if clean else None


def _calibration(rows: list[dict]) -> dict:
    """Evidence scores of both groups and the dense threshold that best separates them.

    Best means fewest errors; ties go to the lower threshold. The run passes the tuning half
    only, so the held-out half stays unseen. "out_of_corpus" holds every unanswerable item
    (out of corpus and near misses).
    """
    positives = sorted(r["evidence"] for r in rows if not r["answerable"])
    negatives = sorted(r["evidence"] for r in rows if r["answerable"])
    best = (len(rows) + 1, 0.0)
    for candidate in sorted(set(positives + negatives)):
        threshold = candidate + 1e-4
        errors = sum(e >= threshold for e in positives) + sum(e < threshold for e in negatives)
        best = min(best, (errors, round(threshold, 4)))
    return {
        "out_of_corpus": positives,
        "answerable": negatives,
        "best_threshold": best[1],
        "errors_at_best": best[0],
    }


def _meta(settings: Settings, index, n: int, seconds: float, recipe_chunks: int) -> dict:
    return {
        "git_commit": _git_commit(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "questions": n,
        "model": index.manifest.embedding_model,
        "corpus_hash": index.manifest.corpus_hash,
        "chunks": len(index.chunks),
        "recipe_chunks": recipe_chunks,
        "settings": {
            k: str(v)
            for k, v in settings.model_dump().items()
            if k not in {"llm_api_key", "ui_password", "chroma_token"}
        },
    }


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"

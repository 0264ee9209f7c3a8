"""Write results.json, report.md, report.html and plots for one eval run."""

from __future__ import annotations

import html
import json
from pathlib import Path

from evals._run import KS, SYSTEMS

THEME_TITLE = "Theme assignment (headings hidden)"
SPLIT_COLUMNS = {"aggregates": "all", "aggregates_tune": "tuning", "aggregates_heldout": "held-out"}

HEADLINE = (
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "recall@10",
    "citation_support",
    "answer_line_support",
    "citation_precision",
    "citation_gold_share",
    "key_fact_recall",
    "focus_coverage",
    "scope_coverage",
    "dangling_reference_rate",
    "fragment_rate",
    "answer_relevance",
    "abstention_precision",
    "abstention_recall",
    "near_miss_abstention_recall",
    "false_abstention_rate",
    "latency_retrieve_p50_ms",
    "latency_answer_p50_ms",
    "latency_total_p50_ms",
    "latency_total_p95_ms",
)


def fmt(value) -> str:
    """A number for a table cell."""
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def cell(stat: dict | None) -> str:
    """Mean with its 95% interval when there is one."""
    if not stat or stat.get("mean") is None:
        return "–"
    if stat.get("low") is None:
        return fmt(float(stat["mean"]))
    return f"{stat['mean']:.3f} [{stat['low']:.3f}, {stat['high']:.3f}]"


def write_report(results: dict, folder: Path) -> dict[str, Path]:
    """Write every artefact of a run into folder.

    Returns:
        Artefact name -> path.

    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "results": folder / "results.json",
        "markdown": folder / "report.md",
        "html": folder / "report.html",
    }
    paths["results"].write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    plots = write_plots(results, folder)
    paths |= plots
    markdown = render_markdown(results, plots)
    paths["markdown"].write_text(markdown, encoding="utf-8")
    paths["html"].write_text(render_html(results, plots), encoding="utf-8")
    return paths


def headline_rows(results: dict) -> list[list[str]]:
    """Metric rows: metric, then one cell per system (all questions)."""
    rows = []
    for metric in HEADLINE:
        cells = [cell(results["aggregates"].get(s, {}).get(metric)) for s in SYSTEMS]
        if any(c != "–" for c in cells):
            rows.append([metric, *cells])
    return rows


def split_rows(results: dict, system: str = "assistant") -> list[list[str]]:
    """Metric rows for one system: metric, then all questions, the tuning and held-out halves."""
    rows = []
    for metric in HEADLINE:
        cells = [cell(results.get(key, {}).get(system, {}).get(metric)) for key in SPLIT_COLUMNS]
        if any(c != "–" for c in cells):
            rows.append([metric, *cells])
    return rows


def render_markdown(results: dict, plots: dict[str, Path]) -> str:
    """The report as Markdown."""
    calibration = results["calibration"]
    lines = _meta_lines(results["meta"])
    lines += ["## Assistant: tuning and held-out halves", ""]
    lines += _table(["metric", *SPLIT_COLUMNS.values()], split_rows(results))
    lines += ["## Headline (all questions)", ""]
    lines += _table(["metric", *SYSTEMS], headline_rows(results))
    lines += ["## By category", ""]
    lines += _table(
        ["category", "n", "hit@5", "mrr@10", "key facts", "abstained"],
        [
            [name, str(g["n"]), fmt(g["hit@5"]), fmt(g["mrr@10"])]
            + [fmt(g["key_fact_recall"]), str(g["abstained"])]
            for name, g in results["by_category"].items()
        ],
    )
    lines += [
        "## Abstention calibration",
        "",
        f"Best dense-similarity threshold on the tuning half: {calibration['best_threshold']} "
        f"({calibration['errors_at_best']} errors by dense similarity alone).",
        "",
    ]
    lines += [f"## {THEME_TITLE}", "", *theme_lines(results), ""]
    lines += ["## Plots", ""] + [f"![{name}]({path.name})" for name, path in plots.items()]
    lines += ["", "## Per question", ""]
    lines += _table(QUESTION_COLUMNS, [question_cells(row) for row in results["questions"]])
    if results.get("label_problems"):
        lines += ["## Label problems", ""] + [f"- {p}" for p in results["label_problems"]]
    return "\n".join(lines) + "\n"


def theme_lines(results: dict) -> list[str]:
    """The theme-assignment figures (held-out half, then the tuning half) as sentences."""
    block = results.get("theme_assignment") or {}
    if not block.get("n"):
        return ["Not measured in this run."]
    tune = block.get("tune") or {}
    meaning = block.get("meaning_only") or {}
    return [
        f"Held-out half of the trust notes' sections (n={block['n']}, model "
        f"`{block.get('model', '?')}`): accuracy {_share(block, 'accuracy')} ({block['correct']} "
        f"right; a section left without a theme counts as wrong), coverage "
        f"{fmt(block['coverage'])}, precision {fmt(block.get('precision'))}; top-1 without "
        f"cutoffs {fmt(block.get('accuracy_without_cutoffs'))}.",
        "",
        f"Tuning half (n={tune.get('n', '?')}): accuracy {fmt(tune.get('accuracy'))}, coverage "
        f"{fmt(tune.get('coverage'))}. Cutoffs: threshold {block['threshold']}, margin "
        f"{block['margin']} ({block.get('protocol', '?')}). Meaning alone (without the "
        f"word view): held-out {fmt(meaning.get('accuracy'))}, tuning "
        f"{fmt(meaning.get('tune_accuracy'))}.",
    ]


def theme_summary(results: dict) -> dict | None:
    """The theme-assignment headline as flat fields (None when it was not measured).

    Returns:
        Held-out ``accuracy`` (no theme counts as wrong), ``coverage``, ``precision`` and
        ``n``; the tuning half's ``tune_accuracy``, ``tune_coverage`` and ``tune_n``; the
        cutoffs, the target and the model.

    """
    block = results.get("theme_assignment") or {}
    if not block.get("n"):
        return None
    tune = block.get("tune") or {}
    return {
        "split": block.get("split", "heldout"),
        "accuracy": block.get("accuracy"),
        "accuracy_ci95": block.get("accuracy_ci95"),
        "coverage": block.get("coverage"),
        "precision": block.get("precision"),
        "n": block["n"],
        "tune_accuracy": tune.get("accuracy"),
        "tune_coverage": tune.get("coverage"),
        "tune_n": tune.get("n"),
        "threshold": block.get("threshold"),
        "margin": block.get("margin"),
        "target_accuracy": block.get("target_accuracy"),
        "model": block.get("model"),
    }


def theme_headline(results: dict) -> str:
    """One line for the terminal: both halves' accuracy and coverage, and n."""
    summary = theme_summary(results)
    if summary is None:
        return f"{THEME_TITLE}: not measured in this run"
    return (
        f"{THEME_TITLE}: held-out accuracy {fmt(summary['accuracy'])} (coverage "
        f"{fmt(summary['coverage'])}, n={summary['n']}); tuning accuracy "
        f"{fmt(summary['tune_accuracy'])} (coverage {fmt(summary['tune_coverage'])}, "
        f"n={summary['tune_n']})"
    )


def _share(block: dict, name: str) -> str:
    """A proportion with its 95% interval when there is one."""
    interval = block.get(f"{name}_ci95")
    value = fmt(block.get(name))
    return f"{value} [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else value


QUESTION_COLUMNS = [
    "id",
    "split",
    "category",
    "question",
    "first gold rank",
    "abstained",
    "key facts",
    "focus",
    "scope",
    "support",
]


def question_cells(row: dict) -> list[str]:
    """One per-question table row (pipes in the question made safe)."""
    scores = row["scores"].get("assistant", {})
    return [
        row["id"],
        row.get("split", "–"),
        row["category"],
        row["question"].replace("|", "/"),
        fmt(scores.get("first_gold_rank")),
        str(row["abstained"]),
        *(fmt(scores.get(n)) for n in ("key_fact_recall", "focus_coverage", "scope_coverage")),
        fmt(scores.get("citation_support")),
    ]


def _meta_lines(meta: dict) -> list[str]:
    sizes = meta.get("split_sizes", {})
    return [
        "# Answer-quality eval",
        "",
        f"- commit `{meta['git_commit']}`, run {meta['started']} ({meta['seconds']} s)",
        f"- model `{meta['model']}`, corpus hash `{meta['corpus_hash']}`, "
        f"{meta['chunks']} chunks (plain recipe: {meta['recipe_chunks']})",
        f"- {meta['questions']} questions ({sizes.get('tune', '?')} tuning, "
        f"{sizes.get('heldout', '?')} held-out); intervals are 95% bootstrap over questions",
        "- the gate reads the held-out half; abstention calibration uses the tuning half",
        "",
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table followed by a blank line."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


def render_html(results: dict, plots: dict[str, Path]) -> str:
    """The report as a standalone HTML page (every value escaped)."""
    meta = results["meta"]
    images = "".join(
        f'<img src="{html.escape(p.name)}" alt="{html.escape(n)}">' for n, p in plots.items()
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>Eval report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:13px}"
        "img{max-width:48%;margin:4px}</style>"
        f"<h1>Answer-quality eval</h1><p>commit {html.escape(meta['git_commit'])} · "
        f"{html.escape(meta['started'])} · model {html.escape(meta['model'])} · corpus "
        f"{html.escape(meta['corpus_hash'])} · {meta['questions']} questions</p>"
        "<h2>Assistant: tuning and held-out halves (mean [95% CI])</h2>"
        + _html_table(["metric", *SPLIT_COLUMNS.values()], split_rows(results))
        + "<h2>Headline, all questions (mean [95% CI])</h2>"
        + _html_table(["metric", *SYSTEMS], headline_rows(results))
        + f"<h2>{THEME_TITLE}</h2>"
        + "".join(f"<p>{html.escape(line)}</p>" for line in theme_lines(results) if line)
        + f"<h2>Plots</h2>{images}<h2>Per question</h2>"
        + _html_table(HTML_QUESTION_COLUMNS, [_html_question(r) for r in results["questions"]])
    )


HTML_QUESTION_COLUMNS = [
    "id",
    "split",
    "category",
    "question",
    "gold",
    "retrieved (top 5)",
    "first gold rank",
    "answer",
    "abstained",
]


def _html_question(row: dict) -> list[str]:
    return [
        row["id"],
        row.get("split", "–"),
        row["category"],
        row["question"],
        " → ".join(row["gold_docs"]),
        "; ".join(row["retrieved"][:5]),
        fmt(row["scores"].get("assistant", {}).get("first_gold_rank")),
        row["answer"],
        str(row["abstained"]),
    ]


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_plots(results: dict, folder: Path) -> dict[str, Path]:
    """Recall@k curves, per-theme bars and a latency histogram (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = {}
    figure, axis = plt.subplots(figsize=(6, 4))
    for system in SYSTEMS:
        stats = results["aggregates"].get(system, {})
        axis.plot(
            KS,
            [stats.get(f"recall@{k}", {}).get("mean") or 0 for k in KS],
            marker="o",
            label=system,
        )
    axis.set(xlabel="k", ylabel="recall@k (gold sections)", title="Recall@k", ylim=(0, 1.05))
    axis.legend()
    plots["recall_at_k"] = _save(figure, folder / "recall_at_k.png")

    plots["by_theme"] = _theme_plot(results["by_theme"], folder / "by_theme.png")
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.hist([r["timings_ms"].get("total", 0) for r in results["questions"]], bins=20)
    axis.set(xlabel="ms per question (total)", ylabel="questions", title="Latency")
    plots["latency"] = _save(figure, folder / "latency.png")
    return plots


def _theme_plot(themes: dict, path: Path) -> Path:
    """Per-theme bars of hit@5 and key-fact recall."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    names = list(themes)
    rows = range(len(names))
    axis.barh(
        [r - 0.2 for r in rows], [themes[n]["hit@5"] or 0 for n in names], height=0.4, label="hit@5"
    )
    axis.barh(
        [r + 0.2 for r in rows],
        [themes[n]["key_fact_recall"] or 0 for n in names],
        height=0.4,
        label="key-fact recall",
    )
    axis.set_yticks(list(rows), names)
    axis.set(xlim=(0, 1.05), title="By theme")
    axis.legend(loc="lower right")
    return _save(figure, path)


def _save(figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    import matplotlib.pyplot as plt

    plt.close(figure)
    return path

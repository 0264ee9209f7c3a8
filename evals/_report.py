"""Write results.json, report.md, report.html and plots for one eval run."""

from __future__ import annotations

import html
import json
from pathlib import Path

from evals._run import KS, SYSTEMS

HEADLINE = (
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "recall@10",
    "citation_support",
    "citation_precision",
    "citation_gold_share",
    "key_fact_recall",
    "answer_relevance",
    "abstention_precision",
    "abstention_recall",
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
    """Metric rows: metric, then one cell per system."""
    rows = []
    for metric in HEADLINE:
        cells = [cell(results["aggregates"].get(s, {}).get(metric)) for s in SYSTEMS]
        if any(c != "–" for c in cells):
            rows.append([metric, *cells])
    return rows


def render_markdown(results: dict, plots: dict[str, Path]) -> str:
    """The report as Markdown."""
    meta = results["meta"]
    lines = [
        "# Answer-quality eval",
        "",
        f"- commit `{meta['git_commit']}`, run {meta['started']} ({meta['seconds']} s)",
        f"- model `{meta['model']}`, corpus hash `{meta['corpus_hash']}`, "
        f"{meta['chunks']} chunks (plain recipe: {meta['recipe_chunks']})",
        f"- {meta['questions']} questions; intervals are 95% bootstrap over questions",
        "",
        "## Headline",
        "",
        "| metric | " + " | ".join(SYSTEMS) + " |",
        "|---|" + "---|" * len(SYSTEMS),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in headline_rows(results)]
    lines += [
        "",
        "## By category",
        "",
        "| category | n | hit@5 | mrr@10 | key facts | abstained |",
        "|---|---|---|---|---|---|",
    ]
    for name, group in results["by_category"].items():
        lines.append(
            f"| {name} | {group['n']} | {fmt(group['hit@5'])} | {fmt(group['mrr@10'])} "
            f"| {fmt(group['key_fact_recall'])} | {group['abstained']} |"
        )
    calibration = results["calibration"]
    lines += [
        "",
        "## Abstention calibration",
        "",
        f"Best dense-similarity threshold on this set: {calibration['best_threshold']} "
        f"({calibration['errors_at_best']} errors by dense similarity alone).",
        "",
    ]
    lines += ["## Plots", ""] + [f"![{name}]({path.name})" for name, path in plots.items()]
    lines += [
        "",
        "## Per question",
        "",
        "| id | category | question | first gold rank | abstained | key facts | support |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["questions"]:
        scores = row["scores"].get("assistant", {})
        question = row["question"].replace("|", "/")
        lines.append(
            f"| {row['id']} | {row['category']} | {question} | "
            f"{fmt(scores.get('first_gold_rank'))} | {row['abstained']} | "
            f"{fmt(scores.get('key_fact_recall'))} | {fmt(scores.get('citation_support'))} |"
        )
    if results.get("label_problems"):
        lines += ["", "## Label problems", ""] + [f"- {p}" for p in results["label_problems"]]
    return "\n".join(lines) + "\n"


def render_html(results: dict, plots: dict[str, Path]) -> str:
    """The report as a standalone HTML page (every value escaped)."""

    def table(header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    meta = results["meta"]
    per_question = [
        [
            r["id"],
            r["category"],
            r["question"],
            " → ".join(r["gold_docs"]),
            "; ".join(r["retrieved"][:5]),
            fmt(r["scores"].get("assistant", {}).get("first_gold_rank")),
            r["answer"],
            str(r["abstained"]),
        ]
        for r in results["questions"]
    ]
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
        "<h2>Headline (mean [95% CI])</h2>"
        + table(["metric", *SYSTEMS], headline_rows(results))
        + f"<h2>Plots</h2>{images}<h2>Per question</h2>"
        + table(
            [
                "id",
                "category",
                "question",
                "gold",
                "retrieved (top 5)",
                "first gold rank",
                "answer",
                "abstained",
            ],
            per_question,
        )
    )


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

    themes = results["by_theme"]
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
    plots["by_theme"] = _save(figure, folder / "by_theme.png")

    figure, axis = plt.subplots(figsize=(6, 4))
    axis.hist([r["timings_ms"].get("total", 0) for r in results["questions"]], bins=20)
    axis.set(xlabel="ms per question (total)", ylabel="questions", title="Latency")
    plots["latency"] = _save(figure, folder / "latency.png")
    return plots


def _save(figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    import matplotlib.pyplot as plt

    plt.close(figure)
    return path

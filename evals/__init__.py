"""Answer-quality evals: labelled questions, metrics, baselines, reports and the CI gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from dia.errors import DiaError
from dia.settings import Settings
from evals._dataset import DATASET, EvalItem, label_problems, load_questions
from evals._gate import check_gate, compare
from evals._report import write_report
from evals._run import eval_settings, run_eval

__all__ = [
    "DATASET",
    "EvalItem",
    "check_gate",
    "compare",
    "eval_settings",
    "label_problems",
    "load_questions",
    "run_cli",
    "run_eval",
    "write_report",
]


def run_cli(settings: Settings, *, gate: bool, compare: Path | None, as_json: bool) -> int:
    """`dia eval`: run, write the report, print a summary (or JSON), apply the gate.

    Returns:
        1 when the gate is on and a threshold is missed, else 0.

    """
    from evals._gate import compare as compare_runs
    from evals._report import headline_rows

    if compare is not None and not compare.is_file():
        raise DiaError(f"No previous results at {compare}; give a results.json from runs/.")
    results = run_eval(settings)
    folder = settings.runs_dir / f"eval-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    paths = write_report(results, folder)
    failures = check_gate(results) if gate else []
    if as_json:
        means = {key: _means(results.get(key, {})) for key in _AGGREGATE_KEYS}
        print(json.dumps(means | {"report": str(paths["markdown"]), "gate_failures": failures}))
    else:
        print(f"Report: {paths['markdown']} (and report.html, results.json)")
        for row in headline_rows(results):
            print("  " + " | ".join(row))
    if compare is not None:
        for row in compare_runs(results, compare):
            flag = "  REGRESSED" if row["regressed"] else ""
            print(
                f"  {row['system']}.{row['metric']}: {row['before']:.3f} -> {row['now']:.3f} "
                f"({row['delta']:+.3f}){flag}"
            )
    for failure in failures:
        print(f"GATE: {failure}")
    return 1 if failures else 0


_AGGREGATE_KEYS = ("aggregates", "aggregates_tune", "aggregates_heldout")


def _means(aggregates: dict) -> dict:
    """System -> metric -> mean, from one aggregates table."""
    return {
        system: {metric: stat.get("mean") for metric, stat in metrics.items()}
        for system, metrics in aggregates.items()
    }

"""`dia eval`: run the evals, write the report, print a summary (or JSON), apply the gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from dia.errors import DiaError
from dia.settings import Settings
from evals import (
    check_gate,
    compare,
    headline_rows,
    run_eval,
    theme_headline,
    theme_summary,
    write_report,
)

_AGGREGATE_KEYS = ("aggregates", "aggregates_tune", "aggregates_heldout")


def run_eval_command(
    settings: Settings, *, gate: bool, previous: Path | None, as_json: bool
) -> int:
    """Run the evals, write the report under runs/, print it and apply the gate.

    Args:
        settings: Where the index and the runs folder are.
        gate: Apply the thresholds (exit 1 when one is missed).
        previous: A previous results.json to diff against, or None.
        as_json: Print one JSON object instead of the text summary.

    Returns:
        1 when the gate is on and a threshold is missed, else 0.

    Raises:
        DiaError: When ``previous`` is not a file.

    """
    if previous is not None and not previous.is_file():
        raise DiaError(f"No previous results at {previous}; give a results.json from runs/.")
    results = run_eval(settings)
    folder = settings.runs_dir / f"eval-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    paths = write_report(results, folder)
    failures = check_gate(results) if gate else []
    if as_json:
        means = {key: _means(results.get(key, {})) for key in _AGGREGATE_KEYS}
        extra = {"theme_assignment": theme_summary(results)}
        extra |= {"report": str(paths["markdown"]), "gate_failures": failures}
        print(json.dumps(means | extra))
    else:
        print(f"Report: {paths['markdown']} (and report.html, results.json)")
        for row in headline_rows(results):
            print("  " + " | ".join(row))
        print(theme_headline(results))
    if previous is not None:
        _print_comparison(results, previous)
    for failure in failures:
        print(f"GATE: {failure}")
    return 1 if failures else 0


def _print_comparison(results: dict, previous: Path) -> None:
    """One line per metric: before, now, the change, and REGRESSED where it fell."""
    for row in compare(results, previous):
        flag = "  REGRESSED" if row["regressed"] else ""
        print(
            f"  {row['system']}.{row['metric']}: {row['before']:.3f} -> {row['now']:.3f} "
            f"({row['delta']:+.3f}){flag}"
        )


def _means(aggregates: dict) -> dict:
    """System -> metric -> mean, from one aggregates table."""
    return {
        system: {metric: stat.get("mean") for metric, stat in metrics.items()}
        for system, metrics in aggregates.items()
    }

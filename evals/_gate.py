"""The CI gate (thresholds.toml) and run-to-run comparison."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
REGRESSION = 0.02
GATED = "aggregates_heldout"
# Gate names "theme_assignment.<field>" read the held-out fields of the run's theme-assignment
# block (evals._themes) instead of an aggregates table.
THEME_BLOCK = "theme_assignment"
LOWER_IS_BETTER = frozenset({"false_abstention_rate", "dangling_reference_rate", "fragment_rate"})


def metric_value(results: dict, system: str, metric: str, key: str = "aggregates") -> float | None:
    """Aggregate mean of one metric.

    Args:
        results: A run's results.
        system: "assistant" or a baseline.
        metric: The metric name.
        key: Which aggregates: "aggregates" (all questions), "aggregates_tune" or
            "aggregates_heldout".

    """
    stat = results.get(key, {}).get(system, {}).get(metric)
    return None if not stat else stat.get("mean")


def check_gate(results: dict, path: Path = THRESHOLDS) -> list[str]:
    """Every threshold the held-out half of the run misses (empty when it passes).

    The file has a [min] and a [max] table of ``"system.metric" = value``. The gate reads the
    held-out aggregates, so tuning on the other half cannot pass it by overfitting; a
    ``"theme_assignment.<field>"`` reads the held-out half of theme assignment (headings hidden).
    """
    limits = tomllib.loads(path.read_text(encoding="utf-8"))
    failures = []
    for bound, table in limits.items():
        for name, limit in table.items():
            system, _, metric = name.partition(".")
            value = _gated_value(results, system, metric)
            if value is None:
                failures.append(f"{name}: not measured on the held-out half")
            elif (bound == "min" and value < limit) or (bound == "max" and value > limit):
                failures.append(f"{name} = {value:.3f} (held-out), {bound} allowed {limit}")
    if results.get("label_problems"):
        failures.append(f"{len(results['label_problems'])} eval labels do not hold in the corpus")
    return failures


def _gated_value(results: dict, system: str, metric: str) -> float | None:
    """The held-out value a gate line reads (None when the run did not measure it)."""
    if system == THEME_BLOCK:
        value = (results.get(THEME_BLOCK) or {}).get(metric)
        return value if isinstance(value, int | float) else None
    return metric_value(results, system, metric, GATED)


def compare(results: dict, previous_path: Path) -> list[dict]:
    """Per-metric deltas against a previous results.json; 'regressed' flags a worse value.

    Compares the all-question aggregates. Latency, false abstentions, dangling references and
    fragments are better when lower.
    """
    previous = json.loads(previous_path.read_text(encoding="utf-8"))
    rows = []
    for system, metrics in results["aggregates"].items():
        for metric, stat in metrics.items():
            now = stat.get("mean")
            before = metric_value(previous, system, metric)
            if now is None or before is None:
                continue
            delta = now - before
            lower_is_better = metric.startswith("latency") or metric in LOWER_IS_BETTER
            if metric.startswith("latency"):
                worse = delta > max(0.2 * before, 5.0)
            else:
                worse = (delta > REGRESSION) if lower_is_better else (delta < -REGRESSION)
            rows.append(
                {
                    "system": system,
                    "metric": metric,
                    "before": before,
                    "now": now,
                    "delta": delta,
                    "regressed": worse,
                }
            )
    return rows

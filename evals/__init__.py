"""Answer-quality evals: labelled questions, metrics, baselines, runs, reports and the CI gate.

Nothing here prints to a terminal or starts a process of ours; the `dia eval`, `dia bench`
and `dia loadtest` commands (cli/) use the public names below.
"""

from evals._baselines import langchain_embeddings
from evals._dataset import DATASET, SAMPLE_QUESTIONS, EvalItem, label_problems, load_questions
from evals._gate import check_gate, compare
from evals._metrics import percentile, percentiles
from evals._report import headline_rows, theme_headline, theme_summary, write_report
from evals._run import eval_settings, run_eval

__all__ = [
    "DATASET",
    "SAMPLE_QUESTIONS",
    "EvalItem",
    "check_gate",
    "compare",
    "eval_settings",
    "headline_rows",
    "label_problems",
    "langchain_embeddings",
    "load_questions",
    "percentile",
    "percentiles",
    "run_eval",
    "theme_headline",
    "theme_summary",
    "write_report",
]

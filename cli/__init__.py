"""The `dia` command line, the top floor: settings in, one core call, print.

Everything that prints to a terminal or starts a `dia` process lives here (the typer app,
console rendering, the eval summary, the benchmark and the load test); the core packages
(corpus, index, assistant, evals) never import it.
"""

from cli._app import app, free_port, main

__all__ = ["app", "free_port", "main"]

"""The test fakes chosen by name, and `dia` with them registered for child processes.

``tests/conftest.py`` registers them in the test process. A child process gets them by
running this file instead of ``python -m dia``: ``subprocess.run([*DIA, "ingest", ...])``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dia.settings import HASH_MODEL
from index import HashEmbedder, register_embedder

# The `dia` command line with the fakes registered (run this file as a script).
DIA = (sys.executable, str(Path(__file__).resolve()))


def register_fakes() -> None:
    """Make DIA_EMBEDDING_MODEL=hash the deterministic hashing embedder."""
    register_embedder(HASH_MODEL, lambda settings: HashEmbedder())


if __name__ == "__main__":
    register_fakes()
    from cli import main

    main()

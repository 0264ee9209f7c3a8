"""Driving Improvement Assistant: the shared settings and user-facing errors (the ground floor).

Every package imports this one; it imports nothing else of ours. The command line is `cli/`.
"""

from dia.errors import DiaError
from dia.settings import Settings

__all__ = ["DiaError", "Settings"]

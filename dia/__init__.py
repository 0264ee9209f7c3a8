"""Driving Improvement Assistant: shared settings, errors and the command line."""

from dia.errors import DiaError
from dia.settings import Settings

__all__ = ["DiaError", "Settings"]

"""Every error the user can see. Messages are written for the user and shown as they are."""

from __future__ import annotations


class DiaError(Exception):
    """Base class: an expected failure with a message fit to show the user.

    Attributes:
        exit_code: The process exit code the CLI uses for this failure.

    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RejectedFile(DiaError):
    """A single input file could not be indexed; the others still are."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorpusNotFound(DiaError):
    """The corpus path does not exist or holds no supported files."""

    exit_code = 2


class IndexNotBuilt(DiaError):
    """The store has no index yet."""

    exit_code = 3

    def __init__(self, store: str) -> None:
        super().__init__(
            f"No index found at {store}. Build it first with `dia ingest` "
            "(or `make run`, which builds it when needed)."
        )


class IndexMismatch(DiaError):
    """The index was built with settings that differ from the current ones."""

    exit_code = 3

    def __init__(self, store: str, differences: list[str]) -> None:
        listed = "; ".join(differences)
        super().__init__(
            f"The index at {store} was built with different settings ({listed}). "
            "Rebuild it with `dia ingest --rebuild` so answers are not silently wrong."
        )
        self.differences = differences


class IndexCorrupt(DiaError):
    """The store cannot be read."""

    exit_code = 3

    def __init__(self, store: str, detail: str) -> None:
        super().__init__(
            f"The index at {store} cannot be read ({detail}). "
            "Rebuild the index with `dia ingest --rebuild`."
        )


class IndexBusy(DiaError):
    """Another process is writing to the same index."""

    exit_code = 4

    def __init__(self, store: str) -> None:
        super().__init__(
            f"Another `dia ingest` is writing to the index at {store}. "
            "Wait for it to finish, then try again."
        )


class BadQuestion(DiaError):
    """The question cannot be asked as given."""

    exit_code = 2


class UnknownFilter(DiaError):
    """A trust or theme filter names nothing in the corpus."""

    exit_code = 2


class BadSetting(DiaError):
    """A setting has a value the assistant cannot use."""

    exit_code = 2


class LLMUnavailable(DiaError):
    """The configured language model cannot be reached or loaded."""

    exit_code = 5

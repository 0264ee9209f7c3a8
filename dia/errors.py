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
            f"Another `dia ingest` is already running on the index at {store}, so this one "
            "did not start. Wait for it to finish, then try again."
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


class NothingToIndex(DiaError):
    """The paths given to ingest hold no file that could be indexed.

    Attributes:
        rejected: The files that were rejected, each with its reason.

    """

    exit_code = 2

    def __init__(self, paths: list[str], rejected: list[RejectedFile]) -> None:
        where = ", ".join(paths)
        if rejected:
            reasons = "".join(f"\n  {r.path}: {r.reason}" for r in rejected)
            detail = f"all {len(rejected)} file(s) were rejected:{reasons}\n"
        else:
            detail = "no files were found. "
        super().__init__(
            f"Nothing to index in {where}: {detail}The index was not changed. "
            "Add Markdown, text, HTML or PDF files and run `dia ingest` again."
        )
        self.rejected = rejected


class BadBatch(DiaError):
    """A `dia ask --batch` file cannot be used at all (missing, a folder, empty)."""

    exit_code = 2


# Reasons shown for one rejected file or one bad batch line (completed with the details).
FRONT_MATTER_TOO_LONG = (
    "its front matter is {size:,} characters long; the limit is {limit:,}. Shorten it"
)
FRONT_MATTER_ALIAS = (
    "its front matter uses YAML anchors or aliases (& or *), which are not allowed; "
    "write each value out in full"
)
FRONT_MATTER_TOO_DEEP = (
    "its front matter nests lists or mappings more than {limit} levels deep; "
    "use plain text values such as 'title: My title'"
)
FRONT_MATTER_NOT_TEXT = "its front matter field '{field}' must be plain text, not a {kind}"
FRONT_MATTER_FIELD_TOO_LONG = (
    "its front matter field '{field}' is {size:,} characters long; the limit is {limit:,}"
)
BATCH_MISSING = "The batch file {path} does not exist. Give a JSONL file, one question per line."
BATCH_IS_FOLDER = "{path} is a folder. Give a JSONL file with one question per line."
BATCH_UNREADABLE = "Cannot read the batch file {path} ({reason})."
BATCH_EMPTY = (
    "The batch file {path} holds no questions. Write one JSON object per line, e.g. "
    '{{"question": "How did leaders respond?", "history": []}}.'
)
BATCH_NOT_UTF8 = "the line is not valid UTF-8 text (byte {byte}); save the file as UTF-8"
BATCH_NOT_JSON = "the line is not valid JSON ({detail})"
BATCH_TOO_DEEP = "the line's JSON is nested too deeply"
BATCH_NOT_OBJECT = 'each line needs a JSON object with a "question" field'
BATCH_QUESTION = '"question" must be a non-empty string'
BATCH_HISTORY = '"history" must be a list of at most {limit} strings (earlier questions)'

# A file inside an ingested folder that is a symbolic link to somewhere outside that folder.
LINK_OUTSIDE = (
    "it is a symbolic link to {target}, outside the folder being ingested; links that leave "
    "the folder are not followed. Copy the file into the folder to index it"
)
LINK_LOOP = "it is a symbolic link that leads back to itself (a loop); remove or fix the link"
STORE_IS_FILE = (
    "The index folder {store} cannot be used: {file} is a file, not a folder. "
    "Set DIA_STORE_DIR (or --store-dir) to a folder, or move the file away."
)
PORT_IN_USE = (
    "Cannot start the UI: port {port} on {host} is already in use (another `dia serve` or "
    "program may be running). Stop it, or choose another port with DIA_PORT or --port."
)
LLM_EXTRA_MISSING = (
    "The '{provider}' chat model needs the package {package}, which is not installed. "
    "Install it with: .venv/bin/pip install {package} (or .venv/bin/pip install -e '.[llm]')"
)


class IndexDamaged(IndexCorrupt):
    """A file of the index differs from what the build wrote (size, checksum or values).

    Attributes:
        detail: Which file is damaged and how.

    """

    def __init__(self, store: str, detail: str) -> None:
        super().__init__(store, detail)
        self.detail = detail


# Store integrity: what a damaged index file looks like (shown inside IndexCorrupt's message).
STORE_FILE_MISSING = "{file} is missing"
STORE_FILE_SIZE = "{file} is {size:,} bytes long, but the build wrote {expected:,} bytes"
STORE_FILE_CHANGED = "{file} has changed since the index was built (its checksum differs)"
VECTORS_NOT_FINITE = "{file} holds {count:,} values that are not numbers (NaN or infinite)"
CHROMA_UNREADABLE = "the Chroma database in {path} cannot be opened: {reason}"
COLLECTION_UNREADABLE = "the collection {name} cannot be read ({reason})"
COLLECTION_COUNT = "the store holds {count:,} chunks, the manifest expects {expected:,}"
CATALOG_UNREADABLE = "its chunk catalog cannot be read"
# Printed by `dia ingest` when it found the index damaged and rebuilt it from the documents.
INGEST_REPAIRED = (
    "The index at {store} was damaged: {detail}. This ingest rebuilt it from the documents."
)
CHROMA_SET_ASIDE = "{reason}; it was moved to {moved}, which can be deleted once the index answers"

# The web UI.
UI_HOST_REFUSED = "Host {host!r} is not served here. Open the assistant at one of: {allowed}."
UI_UPLOAD_REFUSED = "Uploads are turned off: this assistant takes no files through the web page."
UI_MONITORING_ELSEWHERE = (
    "The monitoring link (with its key) is printed once, in the console where `dia serve` started."
)


class IndexLeased(IndexBusy):
    """Another process, on this or another machine, holds the ingest lease in the Chroma server.

    Attributes:
        host, pid, since: Who holds the lease and since when (ISO time, UTC).

    """

    def __init__(self, location: str, host: str, pid: int, since: str, expires_in: float) -> None:
        DiaError.__init__(
            self,
            f"Another `dia ingest` is already running on the index at {location}: host {host}, "
            f"pid {pid}, since {since} (its lease runs out in {max(expires_in, 0):.0f} s unless "
            "it is renewed). This one did not start. Wait for it to finish, then try again.",
        )
        self.host = host
        self.pid = pid
        self.since = since


class LeaseLost(DiaError):
    """An ingest's lease ran out (or was taken over) before it could switch the index."""

    exit_code = 4

    def __init__(self, location: str, detail: str) -> None:
        super().__init__(
            f"This `dia ingest` lost its lease on the index at {location} ({detail}), so it did "
            "not switch the index; the live index is unchanged. Run `dia ingest` again."
        )


# Team mode: the Chroma server (messages completed with the details).
CHROMA_UNREACHABLE = (
    "Cannot reach the Chroma server at {location} ({reason}). "
    "Check DIA_CHROMA_HOST/DIA_CHROMA_PORT and that `chroma run` is up."
)
CHROMA_REFUSED = (
    "The Chroma server at {location} refused the request ({reason}). Check DIA_CHROMA_TOKEN: "
    "it is sent as 'Authorization: Bearer <token>' and must match the token the server (or the "
    "proxy in front of it) expects."
)
REGISTRY_UNREADABLE = "the index registry on the Chroma server cannot be read ({reason})"
SERVER_CATALOG_MISMATCH = (
    "the chunks of collection {name} on the Chroma server differ from what the build recorded "
    "({detail})"
)

# Files added from the browser (the Corpus tab).
UPLOAD_TYPE = "files of type {suffix} cannot be read; add one of: {known}"
UPLOAD_TOO_LARGE = "the file is {size:.1f} MB, over the {limit:g} MB limit (DIA_MAX_FILE_MB)"
UPLOAD_NAME = "the file name has no letters or digits to keep"
UPLOAD_NOTHING_NEW = "already in the index as {doc_id}, unchanged"

"""Terminal rendering for the CLI (rich), kept apart from the core."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from dia import errors
from dia.errors import BadBatch, BadQuestion, DiaError

MAX_BATCH_HISTORY = 50

# Terminal escape sequences: CSI (ESC [ or 0x9B), OSC/DCS/SOS/PM/APC strings up to their
# terminator (BEL or ST), then any other two-character ESC sequence.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: object, *, lines: bool = False) -> str:
    """Document text as it may reach a terminal: no escape sequences, no control characters.

    Args:
        text: Anything printed from a document or file (title, quote, file name, URL).
        lines: Keep newlines (an answer's lines); otherwise newlines and tabs become spaces.

    Returns:
        The text with ANSI/OSC escape sequences removed and C0/C1 controls dropped.

    """
    clean = _CONTROLS.sub("", _ESCAPES.sub("", str(text)))
    return clean if lines else " ".join(clean.split())


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator:
    """Yield a (done, total) callback drawing a progress bar on stderr."""
    if quiet:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def print_ingest(report) -> None:
    """Summary of an ingest."""
    console = _out()
    console.print(
        f"Documents: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
        f"{len(report.rejected)} rejected."
    )
    console.print(
        f"Chunks: {report.chunks} in the index, {report.embedded} embedded this run. "
        f"Took {report.seconds:.1f} s."
    )
    for rejection in report.rejected:
        path, reason = terminal_safe(rejection.path), terminal_safe(rejection.reason)
        _err().print(f"[yellow]Rejected[/] {escape(path)}: {escape(reason)}", markup=True)


def print_status(data: dict) -> None:
    """What is indexed."""
    console = _out()
    console.print(f"{data['documents']} documents, {data['chunks']} chunks", markup=False)
    console.print(
        terminal_safe(
            f"Model: {data['model']}   Store: {data['store']}   Built: {data['built_at']}"
        ),
        markup=False,
    )
    for title, counts in (("Trust", data["by_trust"]), ("Theme", data["by_theme"])):
        table = Table(title)
        table.add_column("chunks", justify="right")
        for name, count in counts.items():
            table.add_row(escape(terminal_safe(name)), str(count))
        console.print(table)


def document_line(item: dict) -> str:
    """Where a citation, example or closest passage comes from: document title and file.

    A user's file is marked "your file", so it is never mistaken for the bundled CQC corpus.
    """
    from assistant import document_label

    return terminal_safe(f"document: {document_label(item)}")


def print_answer(result) -> None:
    """The answer, then its numbered sources, each naming its document (escape-free)."""
    console = _out()
    if result.standalone_question != result.question:
        searched = escape(terminal_safe(result.standalone_question))
        console.print(f"[dim]Searched for: {searched}[/]", markup=True)
    console.print(terminal_safe(result.answer, lines=True), markup=False)
    if result.abstained:
        from assistant import CLOSEST_HEADING

        listed = CLOSEST_HEADING in result.answer  # the quotes are in the answer
        console.print("\nClosest material, documents:" if listed else f"\n{CLOSEST_HEADING}")
        shown: set[str] = set()
        for item in result.closest:
            where = f"{item['trust'] or item['doc_id']} — {item['section']}: {item['quote']}"
            if not listed:
                console.print(f"  - {terminal_safe(where)}", markup=False)
            if not listed or document_line(item) not in shown:
                console.print(f"      {document_line(item)}", markup=False)
            shown.add(document_line(item))
        return
    console.print("\nSources:")
    from assistant import citation_label

    for citation in result.citations:
        console.print(f"  {terminal_safe(citation_label(citation))}", markup=False)
        for url in citation.source_urls[:3]:
            console.print(f"      {terminal_safe(url)}", markup=False)


def answer_batch(assistant, path: Path, **filters) -> int:
    """Answer each JSONL line; one JSON object per line out; exit 2 if any line failed.

    Each line is read and checked on its own: a line that is not UTF-8, not JSON, or not a
    valid question gets ``{"line": n, "error": ...}`` and every other line is still answered.

    Raises:
        BadBatch: The file is missing, a folder, unreadable or holds no questions.

    """
    failed = 0
    asked = 0
    for number, raw in enumerate(_batch_lines(path), start=1):
        if not raw.strip():
            continue
        asked += 1
        try:
            question, history = _batch_item(raw)
            result = assistant.ask(question, history=history, **filters)
            sys.stdout.write(json_line(result.public()))
        except DiaError as error:
            failed += 1
            sys.stdout.write(json.dumps({"line": number, "error": str(error)}) + "\n")
    if not asked:
        raise BadBatch(errors.BATCH_EMPTY.format(path=path))
    return 2 if failed else 0


def json_line(data: object) -> str:
    """One JSON line, with C1 controls and DEL written as u-escapes (JSON already escapes C0).

    ``ensure_ascii=False`` keeps accented text readable but would pass U+0080..U+009F (the
    8-bit terminal escapes) through raw; inside JSON they can only occur in strings, where the
    escaped form means the same.
    """
    text = json.dumps(data, ensure_ascii=False)
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _batch_lines(path: Path) -> list[bytes]:
    """The batch file's lines as bytes (decoded one by one, so one bad byte spoils one line).

    Raises:
        BadBatch: The file is missing, a folder or unreadable.

    """
    if path.is_dir():
        raise BadBatch(errors.BATCH_IS_FOLDER.format(path=path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadBatch(errors.BATCH_MISSING.format(path=path)) from None
    except OSError as error:
        raise BadBatch(
            errors.BATCH_UNREADABLE.format(path=path, reason=error.strerror or error)
        ) from None
    return data.removeprefix(b"\xef\xbb\xbf").splitlines()


def _batch_item(raw: bytes) -> tuple[str, list[str]]:
    """Decode and check one batch line.

    Returns:
        The question and its history (earlier questions, oldest first).

    Raises:
        BadQuestion: With what is wrong with the line.

    """
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BadQuestion(errors.BATCH_NOT_UTF8.format(byte=error.start)) from None
    except json.JSONDecodeError as error:
        raise BadQuestion(errors.BATCH_NOT_JSON.format(detail=error.msg)) from None
    except RecursionError:
        raise BadQuestion(errors.BATCH_TOO_DEEP) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise BadQuestion(errors.BATCH_NOT_JSON.format(detail=error)) from None
    if not isinstance(item, dict) or "question" not in item:
        raise BadQuestion(errors.BATCH_NOT_OBJECT)
    question, history = item["question"], item.get("history")
    if not isinstance(question, str) or not question.strip():
        raise BadQuestion(errors.BATCH_QUESTION)
    if history is None:
        history = []
    valid = isinstance(history, list) and all(isinstance(h, str) for h in history)
    if not valid or len(history) > MAX_BATCH_HISTORY:
        raise BadQuestion(errors.BATCH_HISTORY.format(limit=MAX_BATCH_HISTORY))
    return question, history


def chat_loop(assistant) -> None:
    """Read questions until EOF or /quit; /clear starts a new conversation."""
    console = _out()
    console.print("Ask about the case studies. /clear starts over, /quit leaves.")
    history: list[str] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            return
        if question in {"/quit", "/exit"}:
            return
        if question == "/clear":
            history.clear()
            console.print("Conversation cleared.")
            continue
        if not question:
            continue
        try:
            result = assistant.ask(question, history=history)
        except DiaError as error:
            _err().print(f"[red]{escape(terminal_safe(error.message))}[/]")
            continue
        print_answer(result)
        history.append(result.standalone_question)


def print_theme_counts(data: dict) -> None:
    """Themes x trusts table of passage counts."""
    table = Table("Theme", "Passages", "By trust")
    for theme in data["themes"]:
        counts = theme["counts"]
        spread = ", ".join(f"{trust.split(' NHS')[0]}: {n}" for trust, n in counts.items())
        table.add_row(
            escape(terminal_safe(theme["label"])),
            str(sum(counts.values())),
            escape(terminal_safe(spread)),
        )
    _out().print(table)


def print_theme_examples(data: dict) -> None:
    """Every example of a theme, grouped by trust, each with its citation and document."""
    console = _out()
    for theme in data["themes"]:
        heading = f"{theme['label']} ({len(theme['examples'])} passages)"
        console.print(f"\n{terminal_safe(heading)}", style="bold", markup=False)
        current = None
        for number, example in enumerate(theme["examples"], start=1):
            if example["trust"] != current:
                current = example["trust"]
                console.print(f"\n{terminal_safe(current)}", style="underline", markup=False)
            console.print(f'  [{number}] "{terminal_safe(example["quote"])}"', markup=False)
            url = example["source_urls"][0] if example["source_urls"] else ""
            where = terminal_safe(f"{example['section']}  {url}")
            console.print(f"      {document_line(example)} — {where}", markup=False)
        if theme.get("withheld"):
            console.print(
                f"  ({theme['withheld']} passage(s) withheld: their text reads as instructions "
                "to an AI model)",
                markup=False,
            )

"""The `dia` command line: a thin adapter over the core (settings in, core call, print)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from dia.errors import PORT_IN_USE, DiaError, NothingToIndex
from dia.settings import Settings

app = typer.Typer(
    help="Driving Improvement Assistant: cited answers from CQC's mental health case studies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

StoreOption = Annotated[
    Path | None, typer.Option("--store-dir", help="Index folder (DIA_STORE_DIR).")
]
ModelOption = Annotated[
    str | None, typer.Option("--embedding-model", help="Embedding model (DIA_EMBEDDING_MODEL).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def build_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI options that were given on top.

    Raises:
        BadSetting: When the store folder is an existing file.

    """
    from index._store import check_store_dir

    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    check_store_dir(settings.store_dir)
    return settings


def free_port() -> int:
    """A free TCP port on the loopback address (the one helper; the tests use it too)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_port_free(host: str, port: int) -> None:
    """Check that the UI can bind host:port, before anything heavy is loaded.

    Raises:
        DiaError: When the port is already in use.

    """
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            if sys.platform != "win32":  # as the server does; ignores closing connections
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError:
        raise DiaError(PORT_IN_USE.format(host=host, port=port)) from None


def run(action: Callable[[], int | None]) -> None:
    """Run a command; show expected failures as their message, never a traceback."""
    try:
        code = action() or 0
    except DiaError as error:
        typer.secho(f"Error: {error.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        typer.secho("Interrupted. The previous index is untouched.", err=True)
        raise typer.Exit(130) from None
    except ValueError as error:  # pydantic validation of settings
        typer.secho(f"Error: invalid setting: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def echo_json(data: object) -> None:
    """Print one JSON object on stdout (control characters escaped, never raw)."""
    from cli import _console

    sys.stdout.write(_console.json_line(data))


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default corpus/).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Build a fresh index, embedding everything.")
    ] = False,
    store_dir: StoreOption = None,
    corpus_dir: Annotated[
        Path | None, typer.Option(help="Default corpus (DIA_CORPUS_DIR).")
    ] = None,
    embedding_model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Index documents: new and edited ones are embedded, removed ones dropped, the rest kept."""
    from cli import _console

    def action() -> int:
        from index import ingest as run_ingest

        settings = build_settings(
            store_dir=store_dir, corpus_dir=corpus_dir, embedding_model=embedding_model
        )
        try:
            with _console.progress_bar("Embedding chunks", quiet=as_json) as progress:
                report = run_ingest(settings, paths or None, rebuild=rebuild, progress=progress)
        except NothingToIndex as error:
            if as_json:  # still one JSON object on stdout, with each rejected file's reason
                rejected = [{"path": r.path, "reason": r.reason} for r in error.rejected]
                echo_json({"error": error.message, "rejected": rejected})
            raise
        if as_json:
            echo_json(report.as_dict())
        else:
            if report.repaired:
                typer.secho(report.repaired, fg=typer.colors.YELLOW, err=True)
            _console.print_ingest(report)
        return 2 if report.rejected else 0

    run(action)


@app.command()
def status(store_dir: StoreOption = None, as_json: JsonOption = False) -> None:
    """Show what is indexed: documents, chunks, per-trust and per-theme counts, model, store."""
    from cli import _console

    def action() -> None:
        from index import Index

        data = Index.open(build_settings(store_dir=store_dir)).status()
        echo_json(data) if as_json else _console.print_status(data)

    run(action)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    trust: Annotated[str | None, typer.Option(help="Only this trust (name or short form).")] = None,
    theme: Annotated[str | None, typer.Option(help="Only this theme.")] = None,
    k: Annotated[int | None, typer.Option(help="Passages to answer from.", min=1, max=50)] = None,
    batch: Annotated[Path | None, typer.Option(help="JSONL file: one question per line.")] = None,
    store_dir: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question from the case studies, citing every sentence."""
    from cli import _console

    def action() -> int:
        from assistant import Assistant

        assistant = Assistant(build_settings(store_dir=store_dir))
        if batch is not None:
            return _console.answer_batch(assistant, batch, trust=trust, theme=theme, k=k)
        if question is None:
            raise DiaError('Give a question, e.g. dia ask "How did leaders respond?"')
        result = assistant.ask(question, trust=trust, theme=theme, k=k)
        echo_json(result.public()) if as_json else _console.print_answer(result)
        return 0

    run(action)


@app.command()
def chat(store_dir: StoreOption = None) -> None:
    """A conversation in the terminal; follow-ups use the earlier questions."""
    from cli import _console

    def action() -> None:
        from assistant import Assistant

        _console.chat_loop(Assistant(build_settings(store_dir=store_dir)))

    run(action)


@app.command()
def themes(
    theme: Annotated[str | None, typer.Argument(help="A theme (omit for counts of all).")] = None,
    trust: Annotated[str | None, typer.Option(help="Only this trust.")] = None,
    store_dir: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the nine themes with evidence counts, or every cited example of one theme."""
    from cli import _console

    def action() -> None:
        from assistant import Assistant

        data = Assistant(build_settings(store_dir=store_dir)).themes(theme, trust)
        if as_json:
            echo_json(data)
        elif theme is None and trust is None:
            _console.print_theme_counts(data)
        else:
            _console.print_theme_examples(data)

    run(action)


@app.command()
def serve(
    store_dir: StoreOption = None,
    port: Annotated[int | None, typer.Option(help="Port (DIA_PORT).")] = None,
) -> None:
    """Start the chat UI on 127.0.0.1 (DIA_HOST/DIA_PORT)."""

    def action() -> None:
        settings = build_settings(store_dir=store_dir, port=port)
        check_port_free(settings.host, settings.port)
        from ui import launch

        try:
            launch(settings)
        except OSError as error:  # taken between the check and the launch
            if "port" not in str(error).lower():
                raise
            raise DiaError(PORT_IN_USE.format(host=settings.host, port=settings.port)) from None

    run(action)


@app.command(name="eval")
def evaluate(
    store_dir: StoreOption = None,
    gate: Annotated[
        bool, typer.Option(help="Exit 1 when a metric is below its threshold.")
    ] = False,
    compare: Annotated[Path | None, typer.Option(help="A previous results.json to diff.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the answer-quality evals and write a report under runs/."""

    def action() -> int:
        from cli._eval import run_eval_command

        return run_eval_command(
            build_settings(store_dir=store_dir), gate=gate, previous=compare, as_json=as_json
        )

    run(action)


@app.command()
def bench(
    sizes: Annotated[
        str, typer.Option(help="Comma-separated: 'bundled' and/or synthetic chunk counts.")
    ] = "bundled,10000,100000",
    repeats: Annotated[int, typer.Option(help="Passes over the question list.", min=1)] = 3,
    as_json: JsonOption = False,
) -> None:
    """Benchmark ingest, cold start, warm latency and memory against the plain recipe."""

    def action() -> None:
        from datetime import UTC, datetime

        from cli._bench import format_table, run_bench

        settings = build_settings()
        results = run_bench(settings, [s.strip() for s in sizes.split(",") if s.strip()], repeats)
        settings.runs_dir.mkdir(parents=True, exist_ok=True)
        path = settings.runs_dir / f"bench-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(results, indent=1))
        echo_json(results) if as_json else print(format_table(results) + f"\n\nWritten: {path}")

    run(action)


@app.command()
def loadtest(
    users: Annotated[int, typer.Option(help="Simulated users at once.", min=1, max=200)] = 20,
    store_dir: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start the UI on loopback and let simulated users ask and follow up (bounded)."""

    def action() -> int:
        from cli._load import run_load

        figures = run_load(build_settings(store_dir=store_dir), users=users)
        if as_json:
            echo_json(figures)
        else:
            for key, value in figures.items():
                print(f"{key:>24}: {value}")
        return 1 if figures["errors"] or figures["incomplete"] else 0

    run(action)


def main() -> None:
    """Console-script entry point."""
    app()

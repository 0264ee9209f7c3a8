"""The Gradio app: layout and one core call per event. No retrieval logic lives here.

Imported only when the UI is built (``ui.build_app``), so the core never loads gradio.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from assistant import MAX_QUESTION_CHARS, Assistant, citation_label, conversation_markdown
from corpus import THEMES, TRUSTS
from dia.errors import DiaError
from dia.settings import Settings
from ui import _render as render
from ui._security import RequestGuard, allowed_hosts, outermost, private_dir

EXAMPLES = [
    "How did the trusts react to a poor first rating?",
    "What did leaders do to be visible to staff?",
    "How did Lincolnshire Partnership involve patients?",
    "What changed in governance at North Staffordshire?",
]
ANY = "Any"
CSS = """
.dia-passage mark {background: #ffe58a; padding: 0 2px;}
.dia-abstain {color: #8a4b00; font-weight: 600;}
.dia-sources li {margin-bottom: 6px;}
"""
ECHO_CHARS = 200  # a question shown back beside an error is cut to this many characters


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for ``Blocks.launch``: loopback, no share link, optional login."""
    options = {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "show_error": False,
        "strict_cors": True,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "footer_links": [],
        "max_threads": max(8, settings.ui_concurrency * 2),
        "css": CSS,
        # Gradio's own cap on one uploaded file (uploads are refused outright when turned off).
        "max_file_size": f"{settings.max_file_mb:g}mb",
        "enable_monitoring": True,  # Gradio prints the monitoring link (with its key) once
        "app_kwargs": guard_options(settings),
    }
    if settings.ui_username and settings.ui_password:
        options["auth"] = (settings.ui_username, settings.ui_password)
    return options


def guard_options(settings: Settings) -> dict:
    """FastAPI arguments that put the request guard in front of the app (and inside it too)."""
    hosts, any_address = allowed_hosts(settings.host)
    options = {"hosts": hosts, "any_address": any_address, "uploads": settings.ui_uploads}
    return {
        "middleware": [Middleware(RequestGuard, **options)],
        "lifespan": outermost(partial(RequestGuard, **options)),
    }


def write_export(turns: list, folder: Path) -> str:
    """Write the conversation as Markdown to a new file only its owner can read (0600).

    Returns:
        The file's path, inside a new folder under ``folder``.

    """
    target = Path(tempfile.mkdtemp(prefix="export-", dir=folder))
    path = target / "conversation.md"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(conversation_markdown(turns))
    return str(path)


def clip(text: str | None, limit: int) -> str:
    """At most limit characters of text, with "…" when it was cut."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "…"


def error_turns(message: str | None, error: DiaError) -> list[dict]:
    """The chat turns shown when a question fails: the question cut short, both made inert."""
    return [
        {"role": "user", "content": render.inert(clip(message, ECHO_CHARS))},
        {"role": "assistant", "content": f"⚠️ {render.inert(clip(error.message, 1000))}"},
    ]


def queue_options(settings: Settings) -> dict:
    """Keyword arguments for ``Blocks.queue``: bounded concurrency and waiting list."""
    return {
        "default_concurrency_limit": settings.ui_concurrency,
        "max_size": settings.ui_max_queue,
        "api_open": False,
    }


def build_app(settings: Settings, assistant: Assistant | None = None):
    """Lay out the four tabs and wire each event to one core call.

    Returns:
        The Gradio Blocks app, queued (not launched).

    """
    assistant = assistant or Assistant(settings)
    private = private_dir(settings)
    os.environ["GRADIO_TEMP_DIR"] = str(private / "gradio")  # read when the Blocks is made
    trust_choices = [ANY] + [t.name for t in TRUSTS]  # the index's others come on load
    theme_choices = [ANY] + [t.label for t in THEMES]

    with gr.Blocks(title="Driving Improvement Assistant", analytics_enabled=False) as app:
        gr.Markdown(
            "## Driving Improvement Assistant\nAnswers quote CQC's *Driving improvement* "
            "case studies of seven mental health trusts; every sentence cites its source."
        )
        with gr.Tab("Chat"):
            loaders = _chat_tab(assistant, trust_choices, theme_choices, private / "exports")
        with gr.Tab("Themes"):
            loaders += _themes_tab(assistant, trust_choices)
        with gr.Tab("Corpus"):
            corpus_loaders, added = _corpus_tab(assistant, uploads=settings.ui_uploads)
            loaders += corpus_loaders
        with gr.Tab("Evals"):
            loaders += _evals_tab(settings)
        for function, outputs in loaders:
            app.load(function, None, outputs)
            if added is not None:  # what an upload changes (trusts, counts) is shown at once
                added.then(function, None, outputs)
    app.queue(**queue_options(settings))
    return app


def _filter(value: str | None) -> str | None:
    return None if not value or value == ANY else value


@dataclass
class ChatView:
    """What the chat tab shows after an event, mapped to its outputs in one place.

    Attributes:
        history: The chat turns shown.
        done: Answers so far (the conversation's state).
        searched: "Searched for" line when a follow-up was rewritten.
        status: Cited-passage count or "not covered".
        sources: Sources panel HTML; None leaves the panel as it is (while a reply streams).
        choices: (label, citation number) for the source picker; None leaves it as it is.
        passage: The opened source passage.
        question: What is left in the question box.

    """

    history: list
    done: list
    searched: str = ""
    status: str = ""
    sources: str | None = ""
    choices: list[tuple[str, int]] | None = field(default_factory=list)
    passage: str = ""
    question: str = ""

    def outputs(self) -> tuple:
        """The values in the order of ``CHAT_OUTPUTS``."""
        unchanged = gr.update()
        return (
            self.history,
            self.done,
            self.searched,
            self.status,
            unchanged if self.sources is None else self.sources,
            unchanged if self.choices is None else gr.update(choices=self.choices, value=None),
            self.passage,
            self.question,
        )


CHAT_OUTPUTS = ("chatbot", "turns", "searched", "status", "sources", "pick", "passage", "question")


@dataclass
class ChatComponents:
    """The chat tab's components, by the names ``CHAT_OUTPUTS`` uses."""

    chatbot: object
    turns: object
    searched: object
    status: object
    sources: object
    pick: object
    passage: object
    question: object
    ask: object
    clear: object
    export: object
    trust: object
    theme: object

    def outputs(self) -> list:
        """The output components, in the order ``ChatView.outputs`` gives values."""
        return [getattr(self, name) for name in CHAT_OUTPUTS]


def trust_filter_choices(assistant: Assistant):
    """The trust filter's choices: any, the seven, then other trusts the index holds."""
    return gr.Dropdown(choices=[ANY] + assistant.trust_names())


def _chat_tab(assistant: Assistant, trust_choices, theme_choices, exports: Path) -> list:
    ui = _chat_layout(trust_choices, theme_choices)

    def respond(message, history, done, trust_value, theme_value):
        for view in answer_views(assistant, message, history, done, trust_value, theme_value):
            yield view.outputs()

    def export_file(done):
        exports.mkdir(mode=0o700, exist_ok=True)
        return write_export(done, exports)

    inputs = [ui.question, ui.chatbot, ui.turns, ui.trust, ui.theme]
    ui.ask.click(respond, inputs, ui.outputs(), api_name="ask")
    ui.question.submit(respond, inputs, ui.outputs(), api_name=False)
    ui.pick.change(open_source, [ui.pick, ui.turns], [ui.passage], api_name=False)
    ui.clear.click(lambda: ChatView([], []).outputs(), None, ui.outputs(), api_name=False)
    ui.export.click(export_file, [ui.turns], [ui.export], api_name=False)
    return [(lambda: trust_filter_choices(assistant), [ui.trust])]


def _chat_layout(trust_choices, theme_choices) -> ChatComponents:
    """Lay out the chat tab: conversation and question on the left, sources on the right."""
    turns = gr.State([])
    with gr.Row():
        with gr.Column(scale=3):
            left = _conversation_column(trust_choices, theme_choices)
        with gr.Column(scale=2):
            right = {
                "searched": gr.Markdown(elem_id="dia-searched"),
                "status": gr.Markdown(elem_id="dia-status"),
                "sources": gr.HTML(label="Sources", elem_id="dia-sources"),
                "pick": gr.Radio([], label="Open a source", elem_id="dia-pick"),
                "passage": gr.HTML(elem_id="dia-passage"),
            }
    return ChatComponents(turns=turns, **left, **right)


def _conversation_column(trust_choices, theme_choices) -> dict:
    """The conversation, the question box, its buttons and filters, by component name."""
    parts = {
        "chatbot": gr.Chatbot(
            label="Conversation",
            height=480,
            elem_id="dia-chat",
            sanitize_html=True,
            allow_tags=False,
            feedback_options=None,
        ),
        "question": gr.Textbox(
            label="Your question",
            elem_id="dia-question",
            placeholder="Ask about the case studies…",
            max_length=2000,
        ),
    }
    with gr.Row():
        parts["ask"] = gr.Button("Ask", variant="primary", elem_id="dia-ask")
        parts["clear"] = gr.Button("Clear chat", elem_id="dia-clear")
        parts["export"] = gr.DownloadButton("Export Markdown", elem_id="dia-export")
    with gr.Row():
        parts["trust"] = gr.Dropdown(trust_choices, value=ANY, label="Trust filter")
        parts["theme"] = gr.Dropdown(theme_choices, value=ANY, label="Theme filter")
    gr.Examples(EXAMPLES, inputs=[parts["question"]], label="Try one of these")
    return parts


def answer_views(assistant: Assistant, message, history, done, trust_value, theme_value):
    """Answer one question; yield the view as the reply streams line by line.

    The sources panel and picker are rendered once, with the first line; later views leave
    them as they are.

    Yields:
        ChatView for each step (one with the error shown when the question fails).

    """
    history = list(history or [])
    try:
        result = assistant.ask(
            message,
            history=[t.standalone_question for t in done],
            trust=_filter(trust_value),
            theme=_filter(theme_value),
        )
    except DiaError as error:
        kept = (message or "")[:MAX_QUESTION_CHARS]  # left in the box to edit
        yield ChatView(history + error_turns(message, error), done, question=kept)
        return
    done = [*done, result]
    history += [
        {"role": "user", "content": render.html.escape(result.question)},
        {"role": "assistant", "content": ""},
    ]
    first = _answer_view(result, history, done)
    lines = render.chat_text(result).split("\n")
    for count in range(1, len(lines) + 1):
        history[-1]["content"] = "\n".join(lines[:count])
        yield first if count == 1 else replace(first, sources=None, choices=None)


def _answer_view(result, history: list, done: list) -> ChatView:
    """The view of a new answer: searched-for line, status, sources and picker."""
    searched = (
        f"**Searched for:** {render.html.escape(result.standalone_question)}"
        if result.standalone_question != result.question
        else ""
    )
    status = (
        "**Not covered by the case studies.**"
        if result.abstained
        else f"{len(result.citations)} passages cited"
    )
    choices = [(citation_label(c), c.n) for c in result.citations]
    return ChatView(history, done, searched, status, render.sources_html(result), choices)


def open_source(number, done) -> str:
    """The passage of the cited source picked (by its citation number) in the last answer."""
    if number is None or not done:
        return ""
    citation = next((c for c in done[-1].citations if c.n == number), None)
    return render.passage_html(citation) if citation else ""


def _themes_tab(assistant: Assistant, trust_choices) -> list:
    with gr.Row():
        theme = gr.Dropdown(
            [t.label for t in THEMES], value=THEMES[2].label, label="Theme", elem_id="dia-theme"
        )
        trust = gr.Dropdown(trust_choices, value=ANY, label="Trust")
        show = gr.Button("Show examples", elem_id="dia-theme-show")
    heatmap = gr.Dataframe(
        label="Passages per theme (rows) and trust (columns): select a cell",
        interactive=False,
        elem_id="dia-heatmap",
    )
    examples = gr.HTML(elem_id="dia-examples")

    def heatmap_rows():
        return render.heatmap(assistant.theme_counts(), assistant.trust_names())

    def show_examples(theme_label, trust_value):
        try:
            data = assistant.themes(theme_label, _filter(trust_value))
        except DiaError as error:
            return f"<p>{render.html.escape(error.message)}</p>"
        return render.examples_html(data["themes"][0])

    def select_cell(event: gr.SelectData):
        row, column = event.index
        theme_label = THEMES[row].label
        trust_names = assistant.trust_names()
        trust_value = trust_names[column - 1] if 1 <= column <= len(trust_names) else ANY
        return theme_label, trust_value, show_examples(theme_label, trust_value)

    show.click(show_examples, [theme, trust], [examples])
    heatmap.select(select_cell, None, [theme, trust, examples])
    return [(heatmap_rows, [heatmap]), (lambda: trust_filter_choices(assistant), [trust])]


def _corpus_tab(assistant: Assistant, uploads: bool) -> tuple[list, object | None]:
    """The index's documents, and the upload section when uploads are on.

    Returns:
        The tab's loaders, and the upload's event (None without uploads) so the other tabs
        can refresh after it.

    """
    status = gr.Markdown(elem_id="dia-index-status")
    table = gr.Dataframe(interactive=False, elem_id="dia-documents")
    refresh = gr.Button("Refresh")
    added = _upload_section(assistant) if uploads else None

    def load():
        try:
            data = assistant.open().status()
        except DiaError as error:
            return f"⚠️ {error.message}", {"headers": ["document"], "data": [[""]]}
        header = (
            f"**{data['documents']} documents, {data['chunks']} chunks** · model "
            f"`{data['model']}` · store `{data['store']}` · built {data['built_at']}"
        )
        rows = [
            [doc_id, d["title"], d["trust"] or "", d["kind"], d["chunks"], d["source_url"] or ""]
            for doc_id, d in data["by_document"].items()
        ]
        return header, {
            "headers": ["id", "title", "trust", "kind", "chunks", "source"],
            "data": rows,
        }

    refresh.click(load, None, [status, table])
    return [(load, [status, table])], added


UPLOAD_TYPES = [".pdf", ".docx", ".md", ".markdown", ".txt", ".text", ".html", ".htm"]


def _upload_section(assistant: Assistant):
    """Add documents from the browser: each file checked and indexed in turn, with a reason."""
    gr.Markdown(
        "### Add documents\nPDF, Word, Markdown, text or HTML. Each file is checked and "
        "indexed as `dia ingest` would; you can ask about it as soon as it shows *added*."
    )
    files = gr.File(
        label="Files to add",
        file_count="multiple",
        file_types=UPLOAD_TYPES,
        type="filepath",
        elem_id="dia-upload",
    )
    add = gr.Button("Add to the index", variant="primary", elem_id="dia-upload-add")
    results = gr.Dataframe(
        headers=["file", "result", "detail", "passages"],
        interactive=False,
        elem_id="dia-upload-results",
    )

    def add_files(paths):
        rows: list[list] = []
        for row in upload_rows(assistant, paths or []):
            rows.append(row)
            yield rows, None
        yield rows, None

    return add.click(add_files, [files], [results, files], api_name=False)


def upload_rows(assistant: Assistant, paths: list[str]):
    """One table row per uploaded file as it is indexed; the uploaded copies are then removed.

    Yields:
        [file name, result, detail, passages] for each file, in turn.

    """
    from index import add_documents

    files = [(Path(path).name, Path(path)) for path in paths]
    try:
        embedder = assistant.open().embedder
        for outcome in add_documents(assistant.settings, files, embedder=embedder):
            yield [outcome.name, outcome.status, render.inert(outcome.detail), outcome.chunks]
    except DiaError as error:
        yield ["", "stopped", render.inert(error.message), 0]
    finally:
        for _, path in files:
            path.unlink(missing_ok=True)


def _evals_tab(settings: Settings) -> list:
    summary = gr.Markdown(elem_id="dia-evals")
    with gr.Row():
        recall_plot = gr.Image(label="Recall@k", interactive=False, elem_id="dia-eval-recall")
        theme_plot = gr.Image(label="By theme", interactive=False, elem_id="dia-eval-themes")
    refresh = gr.Button("Load latest eval run")

    def latest():
        runs = sorted(Path(settings.runs_dir).glob("eval-*/results.json"))
        if not runs:
            return "No eval run yet: run `dia eval` (or `make eval`).", None, None
        from evals import headline_rows

        folder = runs[-1].parent
        results = json.loads(runs[-1].read_text(encoding="utf-8"))
        table = [
            "| metric | assistant | dense | bm25 | LangChain recipe |",
            "|---|---|---|---|---|",
        ]
        table += ["| " + " | ".join(row) + " |" for row in headline_rows(results)]
        plots = [folder / name for name in ("recall_at_k.png", "by_theme.png")]
        images = [str(p) if p.exists() else None for p in plots]
        return f"Latest run: `{folder.name}`\n\n" + "\n".join(table), *images

    outputs = [summary, recall_plot, theme_plot]
    refresh.click(latest, None, outputs, api_name=False)
    return [(latest, outputs)]

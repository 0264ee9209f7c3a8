"""`dia bench`: ingest, cold start, warm latency and memory, ours and the plain recipe side by side.

Every figure comes from a fresh subprocess (`python -m cli._bench TASK ...`) so cold starts and
peak memory (ru_maxrss) are real. Synthetic corpora keep the bundled documents' shape with
paragraphs of sentences drawn at random (seeded), so results are deterministic and comparable
between runs. The size ``parse``
(`dia bench --sizes parse`) times parsing a generated 19 MB text file and 13 MB Markdown file.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dia.settings import HASH_MODEL, Settings, bundled_corpus_dir
from evals import SAMPLE_QUESTIONS, langchain_embeddings, percentiles

BUNDLED_CHUNKS = 181
QUESTIONS = SAMPLE_QUESTIONS
PARSE = "parse"
PARSE_TARGET_S = 30.0
PARSE_TIMEOUT_S = 300.0
TEXT_MB = 19.0
MARKDOWN_MB = 13.0
# The `dia` command with the hashing fake registered first, as ``register_hash`` does (not
# `python -m cli._bench`, whose imports would add to the cold start it times).
DIA = [
    sys.executable,
    "-c",
    "from index import HashEmbedder, register_embedder\n"
    f"register_embedder({HASH_MODEL!r}, lambda settings: HashEmbedder())\n"
    "from cli import main\nmain()",
]


def register_hash() -> None:
    """Register the hashing fake as `hash`: the synthetic sizes embed with it."""
    from index import HashEmbedder, register_embedder

    register_embedder(HASH_MODEL, lambda settings: HashEmbedder())


def synthetic_corpus(folder: Path, target_chunks: int, seed: int = 2018) -> Path:
    """Write about target_chunks chunks of documents shaped like the bundled ones.

    Each copy keeps every bundled document's front matter and headings, but every paragraph
    is 2 to 5 sentences drawn at random (seeded) from the whole corpus, and every list item
    one. The chunks are
    distinct, as in a real corpus: exact copies would make identical vectors, which fill each
    other's HNSW neighbour lists and say nothing about search at that size.
    """
    rng = random.Random(seed)
    documents = sorted(bundled_corpus_dir().glob("*.md"))
    texts = {path.name: path.read_text(encoding="utf-8") for path in documents}
    pool = [
        sentence
        for text in texts.values()
        for block in _blocks(text)
        if _is_paragraph(block)
        for sentence in _sentences(block)
    ]
    copies = max(1, round(target_chunks / BUNDLED_CHUNKS))
    for number in range(copies):
        target = folder / f"copy{number:05d}"
        target.mkdir(parents=True)
        for name, text in texts.items():
            blocks = [_redrawn(block, pool, rng) for block in _blocks(text)]
            (target / name).write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return folder


def _redrawn(block: str, pool: list[str], rng: random.Random) -> str:
    """A paragraph or list with its text drawn anew from the pool; anything else as it is."""
    if _is_paragraph(block):
        return " ".join(rng.sample(pool, rng.randint(2, 5)))
    if block.startswith("- "):
        return "\n".join(f"- {rng.choice(pool)}" for _ in block.splitlines())
    return block


def _blocks(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.strip()]


def _is_paragraph(block: str) -> bool:
    """A plain paragraph: not front matter, a heading, a list or a table."""
    return not block.lstrip().startswith(("---", "#", "-", "|", "*")) and len(block) > 80


def _sentences(block: str) -> list[str]:
    from corpus import split_sentences

    return [block[start:end] for start, end in split_sentences(block)]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def task_ingest(store: str, corpus: str, model: str) -> dict:
    """Our ingest into a fresh store."""
    from index import ingest

    started = time.perf_counter()
    report = ingest(Settings(store_dir=Path(store), embedding_model=model), [Path(corpus)])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "chunks": report.chunks,
        "chunks_per_s": report.chunks / seconds,
        "peak_mb": _peak_mb(),
    }


def task_warm(store: str, model: str, repeats: int) -> dict:
    """Our warm retrieval and full-answer latency."""
    from assistant import Assistant

    assistant = Assistant(Settings(store_dir=Path(store), embedding_model=model))
    assistant.warm_up()
    assistant.ask(QUESTIONS[0])
    retrieve, total = [], []
    for _ in range(repeats):
        for question in QUESTIONS:
            result = assistant.ask(question)
            retrieve.append(result.timings_ms["retrieve"])
            total.append(result.timings_ms["total"])
    return {
        "retrieve_ms": percentiles(retrieve),
        "answer_ms": percentiles(total),
        "peak_mb": _peak_mb(),
    }


def task_server(store: str, corpus: str, model: str, repeats: int) -> dict:
    """Server mode: ingest into the bench's `chroma run`, then warm retrieval and agreement."""
    from assistant import Assistant
    from evals import DATASET
    from index import Index, dense_agreement, ingest
    from index._agreement import read_questions

    settings = Settings(
        store_dir=Path(store),
        embedding_model=model,
        chroma_host="127.0.0.1",
        chroma_port=int(os.environ["DIA_BENCH_CHROMA_PORT"]),
        collection_prefix="bench" + "".join(c for c in Path(store).name if c.isalnum()),
    )
    ingest(settings, [Path(corpus)])
    assistant = Assistant(settings)
    assistant.ask(QUESTIONS[0])
    retrieve = [
        assistant.ask(question).timings_ms["retrieve"]
        for _ in range(repeats)
        for question in QUESTIONS
    ]
    agreement = dense_agreement(Index.open(settings), read_questions(DATASET))
    return {
        "retrieve_ms": percentiles(retrieve),
        "agreement_at_10": agreement["agreement_at_10"],
        "peak_mb": _peak_mb(),
    }


def _chroma_server(folder: Path) -> tuple[subprocess.Popen, int]:
    """Start `chroma run` on a free loopback port with its data in folder; wait until it is up."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return server, port
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("chroma run did not start")


def _plain_store(store: str, model: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from index import make_embedder

    # The plain recipe embeds with sentence-transformers on torch (HuggingFaceEmbeddings' way).
    embedder = make_embedder(
        Settings(embedding_model=model, embedding_backend="torch", embedding_batch_size=32)
    )
    client = chromadb.PersistentClient(
        path=store, settings=ChromaSettings(anonymized_telemetry=False)
    )
    return Chroma(
        client=client,
        collection_name="plain-recipe",
        embedding_function=langchain_embeddings(embedder),
    )


def task_plain_ingest(store: str, corpus: str, model: str) -> dict:
    """The plain recipe: load files, RecursiveCharacterTextSplitter(1000, 200), Chroma."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    texts = [
        Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)})
        for p in sorted(Path(corpus).rglob("*"))
        if p.is_file()
    ]
    pieces = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        texts
    )
    vector_store = _plain_store(store, model)
    step = 4000
    for first in range(0, len(pieces), step):
        vector_store.add_documents(pieces[first : first + step])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "chunks": len(pieces),
        "chunks_per_s": len(pieces) / seconds,
        "peak_mb": _peak_mb(),
    }


def task_plain_warm(store: str, model: str, repeats: int) -> dict:
    """The plain recipe's warm similarity search (top 4)."""
    vector_store = _plain_store(store, model)
    vector_store.similarity_search(QUESTIONS[0], k=4)
    latencies = []
    for _ in range(repeats):
        for question in QUESTIONS:
            started = time.perf_counter()
            vector_store.similarity_search(question, k=4)
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "retrieve_ms": percentiles(latencies),
        "answer_ms": percentiles(latencies),
        "peak_mb": _peak_mb(),
    }


def task_plain_cold(store: str, model: str) -> dict:
    """Process start to the plain recipe's first result (timed by the parent)."""
    _plain_store(store, model).similarity_search(QUESTIONS[0], k=4)
    return {}


SENTENCE = "that the staff met the board each week to review their plans."


def hostile_text(path: Path, megabytes: float = TEXT_MB) -> Path:
    """Write a plain-text file of about ``megabytes`` MB in ~294k short lines.

    Heading-like lines without a full stop, sentences and blank lines alternate, the shape
    that made the old line parser copy the rest of the file for every line.
    """
    lines = []
    size, number = 0, 0
    while size < megabytes * 1_000_000:
        if number % 9 == 0:
            line = f"Section {number} heading without a stop"
        elif number % 9 == 8:
            line = ""
        else:
            line = f"Line {number} says {SENTENCE}"
        lines.append(line)
        size += len(line) + 1
        number += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hostile_markdown(path: Path, megabytes: float = MARKDOWN_MB) -> Path:
    """Write a Markdown file of about ``megabytes`` MB: deep indented lists and long lines.

    Every block has a heading, lists nested nine deep (indented up to 16 spaces) with source
    markers, a 20 KB paragraph line and a line holding a 40 KB run of spaces.
    """
    sentence = "Staff were involved in improving care on every ward. "
    long_line = sentence * (20_000 // len(sentence))
    spaces = "Text" + " " * 40_000 + "end of the line. [S1]"
    parts = []
    size, block = 0, 0
    while size < megabytes * 1_000_000:
        items = [
            " " * (2 * level) + f"- Item {block}.{level} on quality and safety. [S1]"
            for level in (*range(9), *range(8, -1, -1))
        ]
        part = "\n".join([f"## Part {block}", "", *items, "", long_line, "", spaces, ""])
        parts.append(part)
        size += len(part) + 1
        block += 1
    parts.append("## Sources\n\n- [S1] https://www.cqc.org.uk/\n")
    path.write_text("---\ntitle: Hostile sizes\n---\n\n" + "\n".join(parts), encoding="utf-8")
    return path


def task_parse(path: str) -> dict:
    """Parse one file with ``load_paths`` and chunk it (no embedding), timing each step."""
    from corpus import load_paths
    from index import chunk_document, chunker_config

    started = time.perf_counter()
    loaded = load_paths([Path(path)], 50_000_000)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    config = chunker_config(Settings())
    chunks = sum(len(chunk_document(d, config)) for d in loaded.documents)
    return {
        "parse_s": parse_s,
        "chunk_s": time.perf_counter() - started,
        "documents": len(loaded.documents),
        "rejected": [r.reason for r in loaded.rejected],
        "chunks": chunks,
        "peak_mb": _peak_mb(),
    }


def run_parse_bench(
    work: Path, env: dict, text_mb: float = TEXT_MB, markdown_mb: float = MARKDOWN_MB
) -> dict:
    """Time parsing (and, apart, chunking) of a 19 MB text file and a 13 MB Markdown file.

    Each file is parsed in a fresh subprocess; embedding is not included (its rate is the
    ``chunks_per_s`` of the other sizes). The target is under 30 s per file on 2 cores; a
    parse still running after 300 s is stopped and reported as timed out.

    Args:
        work: A scratch folder (the files are deleted after use).
        env: Environment of the parsing subprocesses.
        text_mb: Size of the plain-text file.
        markdown_mb: Size of the Markdown file.

    Returns:
        Per file (``text``, ``markdown``): size, lines, parse and chunk seconds, chunks,
        peak memory, the 30 s target and whether parsing met it.

    """
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, make, size in (
        ("text", hostile_text, text_mb),
        ("markdown", hostile_markdown, markdown_mb),
    ):
        path = make(work / f"hostile.{'txt' if name == 'text' else 'md'}", size)
        results[name] = _parse_one(path, env)
        path.unlink()
    return results


def _parse_one(path: Path, env: dict) -> dict:
    """Parse one generated file in a subprocess; its figures against the 30 s target."""
    try:
        _, figures = _run(
            [sys.executable, "-m", "cli._bench", "parse", str(path)],
            env,
            timeout=PARSE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        figures = {"parse_s": None, "chunk_s": None, "chunks": 0, "timed_out": True}
    parse_s = figures["parse_s"]
    return {
        "file_mb": path.stat().st_size / 1_000_000,
        "lines": path.read_bytes().count(b"\n"),
        **figures,
        "target_s": PARSE_TARGET_S,
        "within_target": parse_s is not None and parse_s < PARSE_TARGET_S,
    }


TASKS = {
    "parse": task_parse,
    "ingest": task_ingest,
    "warm": task_warm,
    "plain-ingest": task_plain_ingest,
    "plain-warm": task_plain_warm,
    "plain-cold": task_plain_cold,
    "server": task_server,
}


def _run(args: list[str], env: dict, timeout: float | None = None) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, check=False, timeout=timeout
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    return seconds, json.loads(last)


def _task(name: str, *args, env: dict) -> tuple[float, dict]:
    return _run([sys.executable, "-m", "cli._bench", name, *map(str, args)], env)


def measure(label: str, corpus: Path, model: str, work: Path, repeats: int, env: dict) -> dict:
    """Every figure for one corpus, ours and plain."""
    ours, plain = work / f"{label}-ours", work / f"{label}-plain"
    store_env = {**env, "DIA_STORE_DIR": str(ours), "DIA_EMBEDDING_MODEL": model}
    _, ingest = _task("ingest", ours, corpus, model, env=env)
    reingest_s, _ = _run([*DIA, "ingest", str(corpus), "--json"], store_env)
    cold_s, _ = _run([*DIA, "ask", QUESTIONS[1], "--json"], store_env)
    _, warm = _task("warm", ours, model, repeats, env=env)
    _, server = _task("server", work / f"{label}-server", corpus, model, repeats, env=env)
    _, plain_ingest = _task("plain-ingest", plain, corpus, model, env=env)
    plain_cold_s, _ = _task("plain-cold", plain, model, env=env)
    _, plain_warm = _task("plain-warm", plain, model, repeats, env=env)
    return {
        "ours": {
            "ingest_s": ingest["seconds"],
            "chunks": ingest["chunks"],
            "chunks_per_s": ingest["chunks_per_s"],
            "ingest_peak_mb": ingest["peak_mb"],
            "reingest_s": reingest_s,
            "cold_start_s": cold_s,
            "retrieve_p50_ms": warm["retrieve_ms"]["p50"],
            "retrieve_p95_ms": warm["retrieve_ms"]["p95"],
            "answer_p50_ms": warm["answer_ms"]["p50"],
            "answer_p95_ms": warm["answer_ms"]["p95"],
            "query_peak_mb": warm["peak_mb"],
            "server_retrieve_p50_ms": server["retrieve_ms"]["p50"],
            "server_retrieve_p95_ms": server["retrieve_ms"]["p95"],
            "server_top10_agreement": server["agreement_at_10"],
        },
        "plain": {
            "ingest_s": plain_ingest["seconds"],
            "chunks": plain_ingest["chunks"],
            "chunks_per_s": plain_ingest["chunks_per_s"],
            "ingest_peak_mb": plain_ingest["peak_mb"],
            "cold_start_s": plain_cold_s,
            "retrieve_p50_ms": plain_warm["retrieve_ms"]["p50"],
            "retrieve_p95_ms": plain_warm["retrieve_ms"]["p95"],
            "query_peak_mb": plain_warm["peak_mb"],
        },
    }


def run_bench(settings: Settings, sizes: list[str], repeats: int = 3) -> dict:
    """Run the benchmark for each size ('bundled' uses the real model; numbers use 'hash').

    The size ``parse`` instead times parsing a 19 MB text file and a 13 MB Markdown file
    (``dia bench --sizes parse``), reported under ``results["parse"]``.
    """
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    work = Path(tempfile.mkdtemp(prefix="dia-bench-"))
    results: dict = {"machine": _machine(), "sizes": {}}
    server, port = _chroma_server(work / "chroma-server")
    env["DIA_BENCH_CHROMA_PORT"] = str(port)
    try:
        for size in sizes:
            if size == PARSE:
                results[PARSE] = run_parse_bench(work / "parse", env)
                continue
            if size == "bundled":
                corpus, model = bundled_corpus_dir(), settings.embedding_model
            else:
                corpus = synthetic_corpus(work / f"corpus-{size}", int(size))
                model = HASH_MODEL
            results["sizes"][size] = {
                "model": model,
                **measure(size, corpus, model, work, repeats, env),
            }
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    for figures in results["sizes"].values():
        figures["ratio"] = {
            key: figures["ours"][key] / figures["plain"][key]
            for key in figures["plain"]
            if key in figures["ours"] and figures["plain"][key]
        }
    return results


def _machine() -> dict:
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def format_table(results: dict) -> str:
    """A text table: each figure for ours, plain and the ratio ours/plain (and parse times)."""
    lines = _parse_lines(results.get(PARSE, {}))
    for size, figures in results["sizes"].items():
        lines.append(f"\n{size} (embedding model: {figures['model']})")
        lines.append(f"  {'figure':<18}{'ours':>12}{'plain':>12}{'ours/plain':>12}")
        for key, value in figures["ours"].items():
            other = figures["plain"].get(key)
            ratio = figures["ratio"].get(key)
            lines.append(
                f"  {key:<18}{value:>12.2f}"
                f"{(f'{other:.2f}' if other is not None else '-'):>12}"
                f"{(f'{ratio:.2f}' if ratio is not None else '-'):>12}"
            )
    return "\n".join(lines)


def _parse_lines(parse: dict) -> list[str]:
    """The parse benchmark as text: seconds to parse and to chunk each file, against 30 s."""
    if not parse:
        return []
    lines = ["\nparse (no embedding; target under 30 s per file)"]
    lines.append(f"  {'file':<16}{'MB':>7}{'lines':>9}{'parse s':>9}{'chunk s':>9}{'chunks':>8}")
    for name, figures in parse.items():
        if figures.get("timed_out"):
            lines.append(f"  {name:<16}{figures['file_mb']:>7.1f}  timed out after 300 s")
            continue
        verdict = "ok" if figures["within_target"] else "OVER TARGET"
        lines.append(
            f"  {name:<16}{figures['file_mb']:>7.1f}{figures['lines']:>9}"
            f"{figures['parse_s']:>9.2f}{figures['chunk_s']:>9.2f}{figures['chunks']:>8}  {verdict}"
        )
    return lines


def main() -> None:
    """Worker entry point: run one task and print its JSON on the last line."""
    register_hash()
    name, *args = sys.argv[1:]
    converted = [int(a) if a.isdigit() else a for a in args]
    print(json.dumps(TASKS[name](*converted)))


if __name__ == "__main__":
    main()

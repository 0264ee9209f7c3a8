"""`dia bench`: ingest, cold start, warm latency and memory, ours and the plain recipe side by side.

Every figure comes from a fresh subprocess (`python -m evals._bench TASK ...`) so cold starts and
peak memory (ru_maxrss) are real. Synthetic corpora are whole copies of the bundled documents
under new ids, so results are deterministic and comparable between runs.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dia.settings import HASH_MODEL, Settings, bundled_corpus_dir
from evals._dataset import SAMPLE_QUESTIONS

BUNDLED_CHUNKS = 181
QUESTIONS = SAMPLE_QUESTIONS


def synthetic_corpus(folder: Path, target_chunks: int) -> Path:
    """Write enough copies of the bundled corpus to reach about target_chunks chunks."""
    copies = max(1, round(target_chunks / BUNDLED_CHUNKS))
    for number in range(copies):
        shutil.copytree(bundled_corpus_dir(), folder / f"copy{number:05d}")
    return folder


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))]}


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
    assistant.ask(QUESTIONS[0])
    retrieve, total = [], []
    for _ in range(repeats):
        for question in QUESTIONS:
            result = assistant.ask(question)
            retrieve.append(result.timings_ms["retrieve"])
            total.append(result.timings_ms["total"])
    return {
        "retrieve_ms": _percentiles(retrieve),
        "answer_ms": _percentiles(total),
        "peak_mb": _peak_mb(),
    }


def _plain_store(store: str, model: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from evals._baselines import _langchain_embeddings
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
        embedding_function=_langchain_embeddings(embedder),
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
        "retrieve_ms": _percentiles(latencies),
        "answer_ms": _percentiles(latencies),
        "peak_mb": _peak_mb(),
    }


def task_plain_cold(store: str, model: str) -> dict:
    """Process start to the plain recipe's first result (timed by the parent)."""
    _plain_store(store, model).similarity_search(QUESTIONS[0], k=4)
    return {}


TASKS = {
    "ingest": task_ingest,
    "warm": task_warm,
    "plain-ingest": task_plain_ingest,
    "plain-warm": task_plain_warm,
    "plain-cold": task_plain_cold,
}


def _run(args: list[str], env: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    return seconds, json.loads(last)


def _task(name: str, *args, env: dict) -> tuple[float, dict]:
    return _run([sys.executable, "-m", "evals._bench", name, *map(str, args)], env)


def measure(label: str, corpus: Path, model: str, work: Path, repeats: int, env: dict) -> dict:
    """Every figure for one corpus, ours and plain."""
    ours, plain = work / f"{label}-ours", work / f"{label}-plain"
    dia = [sys.executable, "-m", "dia"]
    store_env = {**env, "DIA_STORE_DIR": str(ours), "DIA_EMBEDDING_MODEL": model}
    _, ingest = _task("ingest", ours, corpus, model, env=env)
    reingest_s, _ = _run([*dia, "ingest", str(corpus), "--json"], store_env)
    cold_s, _ = _run([*dia, "ask", QUESTIONS[1], "--json"], store_env)
    _, warm = _task("warm", ours, model, repeats, env=env)
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
    """Run the benchmark for each size ('bundled' uses the real model; numbers use 'hash')."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    work = Path(tempfile.mkdtemp(prefix="dia-bench-"))
    results: dict = {"machine": _machine(), "sizes": {}}
    try:
        for size in sizes:
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
    """A text table: each figure for ours, plain and the ratio ours/plain."""
    lines = []
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


def main() -> None:
    """Worker entry point: run one task and print its JSON on the last line."""
    name, *args = sys.argv[1:]
    converted = [int(a) if a.isdigit() else a for a in args]
    print(json.dumps(TASKS[name](*converted)))


if __name__ == "__main__":
    main()

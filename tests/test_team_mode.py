"""Team mode: one Chroma server holds the index; each process keeps only private caches.

The server is the one `.ci/with-chroma-server` started (DIA_TEST_CHROMA_PORT), else one started
here on loopback. Every test uses its own collection prefix and private store folders.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import index._cache as cache_module
from assistant import Assistant
from dia.errors import DiaError, IndexCorrupt, IndexLeased
from dia.settings import Settings
from index import HashEmbedder, Index, Lease, Registry, dense_agreement, ingest, open_store
from index._registry import Holder, lease_id
from index._store import ChromaStore
from tests.conftest import BUNDLED, DIA, free_port
from tests.test_server_mode import chroma_port  # noqa: F401 - the shared server fixture

pytestmark = pytest.mark.chroma

QUESTION = "How did Oxleas deal with pressure on beds?"
EVALS = Path(__file__).resolve().parent.parent / "evals" / "questions.jsonl"

# A reader: an Assistant answering in a loop in its own process, one JSON line per answer,
# until its stdin is closed.
READER = """
import json, sys, threading, time
from assistant import Assistant
from dia.settings import Settings
from index import HashEmbedder, register_embedder
register_embedder("hash", lambda settings: HashEmbedder())
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
assistant = Assistant(Settings())
while not stop.is_set():
    try:
        result = assistant.ask(sys.argv[1])
        index = assistant.index
        line = {"t": time.time(), "collection": index.manifest.collection,
                "documents": len(index.manifest.documents), "ok": bool(result.passages)}
    except Exception as error:
        line = {"t": time.time(), "error": f"{type(error).__name__}: {error}"}
    print(json.dumps(line), flush=True)
    time.sleep(0.05)
"""


def _prefix(tmp_path: Path) -> str:
    return "team" + "".join(c for c in tmp_path.name if c.isalnum())[-10:].lower()


@pytest.fixture
def team(chroma_port, tmp_path) -> Settings:  # noqa: F811 - the fixture imported above
    """Server-mode settings with a private store folder and a fresh collection prefix."""
    return Settings(
        store_dir=tmp_path / "writer",
        embedding_model="hash",
        chroma_host="127.0.0.1",
        chroma_port=chroma_port,
        collection_prefix=_prefix(tmp_path),
        abstain_threshold=-1,
    )


def _env(settings: Settings, store: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DIA_CHROMA_HOST": settings.chroma_host,
        "DIA_CHROMA_PORT": str(settings.chroma_port),
        "DIA_COLLECTION_PREFIX": settings.collection_prefix,
        "DIA_STORE_DIR": str(store),
        "DIA_EMBEDDING_MODEL": "hash",
        "DIA_ABSTAIN_THRESHOLD": "-1",
        **extra,
    }


def _cli(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DIA, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _copies(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / f"copies{count}"
    for number in range(count):
        shutil.copytree(BUNDLED, folder / f"copy{number:02d}")
    return folder


def _generations(settings: Settings) -> set[str]:
    store = open_store(settings)
    prefix = f"{settings.collection_prefix}-"
    return {n for n in store.collections() if n.startswith(prefix) and "registry" not in n}


# 1. Three processes, three private store folders, one server.


def _start_reader(settings: Settings, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER, QUESTION],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(settings, store),
    )


def _lines(process: subprocess.Popen, into: list[dict]) -> threading.Thread:
    def read() -> None:
        for line in process.stdout:
            into.append(json.loads(line))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
def test_two_readers_switch_to_the_new_generation_within_ten_seconds(team, tmp_path):
    writer = _env(team, tmp_path / "writer")
    assert _cli("ingest", str(BUNDLED), "--json", env=writer).returncode == 0
    stores = [tmp_path / "reader-b", tmp_path / "reader-c"]
    readers = [_start_reader(team, store) for store in stores]
    answers: list[list[dict]] = [[], []]
    threads = [_lines(p, into) for p, into in zip(readers, answers, strict=True)]
    try:
        assert _wait(lambda: all(len(a) >= 3 for a in answers), 120), answers
        rebuild_started = time.time()
        done = _cli("ingest", str(_copies(tmp_path, 8)), "--rebuild", "--json", env=writer)
        assert done.returncode == 0, done.stderr
        live = Registry(open_store(team), team).live()
        new = live.collection

        def switched() -> bool:
            return all(any(line.get("collection") == new for line in a) for a in answers)

        assert _wait(switched, 15)
    finally:
        for process in readers:
            process.stdin.close()
            process.wait(60)
        for thread in threads:
            thread.join(10)
    for lines in answers:
        assert lines and all(line.get("ok") for line in lines), [x for x in lines if "error" in x]
        during = [x for x in lines if rebuild_started <= x["t"] <= live.switched_at]
        assert during, "the readers answered while the rebuild ran"
        first_new = min(x["t"] for x in lines if x["collection"] == new)
        print(
            f"reader: {len(lines)} answers, {len(during)} during the rebuild, "
            f"new generation {first_new - live.switched_at:.2f} s after the switch"
        )
        assert first_new - live.switched_at <= 10.0
        assert max(x["documents"] for x in lines) > 12
    for store in stores:  # each reader built its own cache; nothing in it names another folder
        assert (store / "cache" / new / "catalog.json").exists()
        assert not (store / "manifest.json").exists()
    assert len({str(p.resolve()) for p in [tmp_path / "writer", *stores]}) == 3


# 2. SIGKILL during a rebuild leaves the old generation answering.


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_killing_a_server_mode_rebuild_leaves_the_old_generation_answering(team, tmp_path, delay):
    writer = _env(team, tmp_path / "writer")
    first = _cli("ingest", str(BUNDLED), "--json", env=writer)
    assert first.returncode == 0, first.stderr
    old_chunks = json.loads(first.stdout)["chunks"]
    old_live = Registry(open_store(team), team).live().collection
    corpus = _copies(tmp_path, 20)
    process = subprocess.Popen(
        [*DIA, "ingest", str(corpus), "--rebuild"],
        env=writer,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    reader = team.model_copy(update={"store_dir": tmp_path / "reader"})
    index = Index.open(reader, embedder=HashEmbedder())  # checks the count against the store
    if index.manifest.collection == old_live:
        assert index.status()["chunks"] == old_chunks
    assert Assistant(reader, embedder=HashEmbedder()).ask(QUESTION).passages
    rerun = _cli("ingest", str(corpus), "--json", env=writer)  # the dead writer's lease is void
    assert rerun.returncode == 0, rerun.stderr
    after = Index.open(reader, embedder=HashEmbedder())
    assert after.status()["chunks"] == json.loads(rerun.stdout)["chunks"] > old_chunks
    assert len(_generations(team)) <= 2  # the killed build's collection was dropped


# 3. The ingest lease: refused at once with the holder, renewed, and it runs out.


def test_second_writer_is_refused_at_once_naming_the_holder(team, tmp_path):
    registry = Registry(open_store(team), team)
    with Lease(registry, 30) as held:
        started = time.perf_counter()
        with pytest.raises(IndexLeased) as raised:
            ingest(team, [BUNDLED], embedder=HashEmbedder())
        assert time.perf_counter() - started < 1.0
        message = raised.value.message
        assert socket.gethostname() in message and f"pid {os.getpid()}" in message
        assert held.holder.since in message and raised.value.exit_code == 4
        result = _cli("ingest", str(BUNDLED), env=_env(team, tmp_path / "other"))
        assert result.returncode == 4 and "already running" in result.stderr + result.stdout
    assert ingest(team, [BUNDLED], embedder=HashEmbedder()).changed  # released: free again


def test_a_crashed_writers_lease_runs_out(team):
    registry = Registry(open_store(team), team)
    foreign = Holder(1, "t1", "build-server-7", 4242, "2026-01-01T00:00:00+00:00", time.time() + 2)
    registry.put(lease_id(1), foreign.metadata())
    with pytest.raises(IndexLeased, match="build-server-7.*pid 4242"):
        ingest(team, [BUNDLED], embedder=HashEmbedder())
    time.sleep(2.2)
    assert ingest(team, [BUNDLED], embedder=HashEmbedder()).changed


def test_a_dead_local_writers_lease_is_void_at_once(team):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    registry = Registry(open_store(team), team)
    dead = Holder(
        1,
        "t1",
        socket.gethostname(),
        int(gone.stdout),
        "2026-01-01T00:00:00+00:00",
        time.time() + 600,
    )
    registry.put(lease_id(1), dead.metadata())
    assert ingest(team, [BUNDLED], embedder=HashEmbedder()).changed


class SlowEmbedder(HashEmbedder):
    def embed(self, texts):
        time.sleep(1.2)
        return super().embed(texts)


def test_the_lease_is_renewed_while_a_long_ingest_runs(team, tmp_path):
    settings = team.model_copy(update={"ingest_lease_s": 1.0})
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(ingest(settings, [BUNDLED], embedder=SlowEmbedder()))
    )
    worker.start()
    time.sleep(2.5)  # well past one lease: only renewal keeps others out
    assert worker.is_alive()
    with pytest.raises(IndexLeased):
        ingest(settings, [BUNDLED], embedder=HashEmbedder())
    worker.join(120)
    assert outcome and outcome[0].changed


def test_racing_writers_exactly_one_takes_the_lease(team):
    registry = Registry(open_store(team), team)
    results: list[str] = []
    barrier = threading.Barrier(4)
    leases = [Lease(registry, 30) for _ in range(4)]

    def race(lease: Lease) -> None:
        barrier.wait()
        try:
            lease.acquire()
            results.append("held")
        except IndexLeased:
            results.append("refused")

    threads = [threading.Thread(target=race, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["held", "refused", "refused", "refused"]
    for lease in leases:
        lease.release()


# 4. Readers: a cheap check for a new generation, private caches, a changed collection.


def test_a_reader_asks_the_server_at_most_once_per_interval(team, monkeypatch):
    settings = team.model_copy(update={"generation_check_s": 0.5})
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    index = Index.open(
        settings.model_copy(update={"store_dir": team.store_dir.parent / "r"}),
        embedder=HashEmbedder(),
    )
    calls: list[int] = []
    real = Registry.live_collection
    monkeypatch.setattr(Registry, "live_collection", lambda self: calls.append(1) or real(self))
    assert not any(index.is_stale() for _ in range(200)) and len(calls) == 0
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    assert _wait(index.is_stale, 2.0) and len(calls) <= 6


def test_a_reader_keeps_its_generation_until_the_new_cache_is_built(team, monkeypatch):
    settings = team.model_copy(update={"generation_check_s": 0.0})
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    reader = settings.model_copy(update={"store_dir": team.store_dir.parent / "reader"})
    assistant = Assistant(reader, embedder=HashEmbedder())
    assistant.ask(QUESTION)
    old = assistant.index.manifest.collection
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    real = cache_module.fetch_chunks
    monkeypatch.setattr(cache_module, "fetch_chunks", lambda *a: time.sleep(2) or real(*a))
    started = time.monotonic()
    assert assistant.ask(QUESTION).passages  # answered at once from the old generation
    assert time.monotonic() - started < 1.5 and assistant.index.manifest.collection == old
    assert _wait(lambda: assistant.ask(QUESTION) and assistant.index.manifest.collection != old, 10)


def test_cache_is_built_once_per_generation_reused_and_rebuilt_when_damaged(team, monkeypatch):
    ingest(team, [BUNDLED], embedder=HashEmbedder())
    reader = team.model_copy(update={"store_dir": team.store_dir.parent / "reader"})
    fetched: list[int] = []
    real = ChromaStore.records
    monkeypatch.setattr(
        ChromaStore, "records", lambda self, *a: fetched.append(1) or real(self, *a)
    )
    first = Index.open(reader, embedder=HashEmbedder())
    assert len(fetched) == 1
    cache_module._VERIFIED.clear()  # as a fresh process would
    again = Index.open(reader, embedder=HashEmbedder())
    assert len(fetched) == 1 and again.status()["chunks"] == first.status()["chunks"]
    catalog = reader.store_dir / "cache" / first.manifest.collection / "catalog.json"
    catalog.write_text(catalog.read_text()[:100])
    repaired = Index.open(reader, embedder=HashEmbedder())
    assert len(fetched) == 2 and repaired.status()["chunks"] == first.status()["chunks"]
    assert [c.text for c in repaired.chunks.values()] == [c.text for c in first.chunks.values()]


def test_a_changed_collection_is_refused_and_a_plain_ingest_repairs_it(team, tmp_path):
    ingest(team, [BUNDLED], embedder=HashEmbedder())
    store = open_store(team)
    live = Registry(store, team).live()
    collection = store._collection(live.collection)
    item = collection.get(limit=1, include=["embeddings"])
    collection.update(
        ids=item["ids"], embeddings=item["embeddings"], documents=["Text nobody indexed."]
    )
    reader = team.model_copy(update={"store_dir": tmp_path / "fresh-reader"})
    with pytest.raises(IndexCorrupt, match="differ from what the build recorded") as raised:
        Index.open(reader, embedder=HashEmbedder())
    assert raised.value.exit_code == 3
    report = ingest(team, [BUNDLED], embedder=HashEmbedder())
    assert report.repaired and report.rebuilt
    assert Index.open(reader, embedder=HashEmbedder()).status()["documents"] == 12


def test_old_caches_are_pruned_after_the_grace_period(team):
    settings = team.model_copy(update={"generation_grace_s": 1.0})
    reader = settings.model_copy(update={"store_dir": team.store_dir.parent / "reader"})
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    old = Index.open(reader, embedder=HashEmbedder()).manifest.collection
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    Index.open(reader, embedder=HashEmbedder())
    assert (reader.store_dir / "cache" / old).exists()  # within the grace period
    time.sleep(1.2)
    Index.open(reader, embedder=HashEmbedder())
    assert not (reader.store_dir / "cache" / old).exists()


# 5. Dense search goes to the server's HNSW index and agrees with exact search.


def test_server_hnsw_top_ten_agrees_with_exact_search_on_the_eval_questions(team):
    ingest(team, [BUNDLED], embedder=HashEmbedder())
    index = Index.open(team, embedder=HashEmbedder())
    assert index.vectors is None  # dense search is the server's
    questions = [json.loads(line)["question"] for line in EVALS.read_text().splitlines()]
    figures = dense_agreement(index, questions)
    assert figures["questions"] == len(questions) >= 100
    assert figures["agreement_at_10"] >= 0.99
    assert figures["hnsw"]["ef_search"] == team.hnsw_ef_search


# 6. Token auth: the token goes to the server in the Authorization header.


class AuthProxy(BaseHTTPRequestHandler):
    """Chroma's token check in front of `chroma run` (1.x has none of its own): every request
    but the heartbeat needs 'Authorization: Bearer <token>'; the rest is forwarded as it is."""

    protocol_version = "HTTP/1.1"
    upstream: int = 0
    token: str = ""
    seen: list[str | None] = []

    def log_message(self, *args) -> None:  # quiet
        return

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.headers.get("Authorization"))
        public = self.path.endswith("/heartbeat")
        if not public and self.headers.get("Authorization") != f"Bearer {self.token}":
            self._reply(
                401,
                {"Content-Type": "application/json"},
                json.dumps({"error": "AuthorizationError", "message": "Unauthorized"}),
            )
            return
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        kept = {
            k: v
            for k, v in response.getheaders()
            if k.lower() not in {"transfer-encoding", "content-length", "connection"}
        }
        self._reply(response.status, kept, data)
        connection.close()

    def _reply(self, status: int, headers: dict, data: str | bytes) -> None:
        data = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward


@pytest.fixture
def auth_proxy(chroma_port):  # noqa: F811 - the fixture imported above
    handler = type("Proxy", (AuthProxy,), {"upstream": chroma_port, "token": "s3cret", "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], handler
    server.shutdown()


def test_token_is_sent_to_a_server_that_requires_it(team, auth_proxy, tmp_path):
    port, handler = auth_proxy
    settings = Settings.model_validate(
        {**team.model_dump(), "chroma_port": port, "chroma_token": "s3cret"}
    )
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    assert Assistant(settings, embedder=HashEmbedder()).ask(QUESTION).citations
    assert handler.seen and set(handler.seen) == {"Bearer s3cret"}
    assert "s3cret" not in repr(settings)
    for token in ("", "wrong-token"):
        refused = team.model_copy(update={"chroma_port": port, "chroma_token": token})
        with pytest.raises(DiaError, match="refused the request.*DIA_CHROMA_TOKEN") as raised:
            Index.open(refused, embedder=HashEmbedder())
        assert "wrong-token" not in raised.value.message
    result = _cli("status", env=_env(settings, tmp_path / "cli", DIA_CHROMA_TOKEN="nope"))
    assert result.returncode != 0 and "DIA_CHROMA_TOKEN" in result.stderr + result.stdout

"""Damaged stores are detected and repaired; the commands write nowhere but the store and cache.

Every index here is built from two generated documents with the hashing fake embedder, so each
test takes seconds. The CLI runs in this process (``CliRunner``), except in the footprint tests,
which run `dia` as child processes with fresh HOME and TMPDIR folders.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from dia.errors import IndexDamaged
from dia.settings import Settings
from index import HashEmbedder, Index
from index._manifest import MANIFEST_NAME
from tests.conftest import DIA, free_port, write

runner = CliRunner()
QUESTION = "How could staff speak up at board meetings?"
REBUILD = "Rebuild the index with `dia ingest --rebuild`"


def _env(store: Path) -> dict[str, str]:
    return {"DIA_STORE_DIR": str(store), "DIA_EMBEDDING_MODEL": "hash"}


def _documents(folder: Path) -> Path:
    write(
        folder / "one.md",
        "---\ntitle: One\n---\n\n## Culture\n\nStaff could speak up at board meetings.\n",
    )
    write(
        folder / "two.txt", "Governance\n\nThe board reviewed ward audits with patients monthly.\n"
    )
    return folder


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    """Two generated documents and a store indexed from them by `dia ingest`."""
    docs = _documents(tmp_path / "docs")
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", str(docs)], env=_env(store))
    assert result.exit_code == 0, result.output
    return docs, store


def _generation(store: Path) -> Path:
    return next((store / "generations").iterdir())


def _empty_vectors(store: Path) -> None:
    (_generation(store) / "vectors.npy").write_bytes(b"")


def _overwrite_vectors(store: Path) -> None:
    path = _generation(store) / "vectors.npy"
    data = bytearray(path.read_bytes())
    data[-64:] = b"\xff" * 64  # the same size; sixteen floats become NaN
    path.write_bytes(bytes(data))


def _empty_bm25(store: Path) -> None:
    (_generation(store) / "bm25" / "data.csc.index.npy").write_bytes(b"")


def _garbage_chroma(store: Path) -> None:
    (store / "chroma" / "chroma.sqlite3").write_bytes(b"not a database " * 400)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty vectors": (_empty_vectors, "vectors.npy is 0 bytes long"),
    "overwritten vectors": (_overwrite_vectors, "vectors.npy has changed"),
    "empty bm25": (_empty_bm25, "data.csc.index.npy is 0 bytes long"),
    "garbage chroma": (_garbage_chroma, "Chroma database"),
}


# Every damage with Chroma; with the memory store, every damage to the files it is rebuilt from.
CASES = [pytest.param(name, marks=pytest.mark.chroma, id=f"{name}-chroma") for name in DAMAGE] + [
    pytest.param(name, id=f"{name}-memory") for name in DAMAGE if "chroma" not in name
]


@pytest.mark.parametrize("damage", CASES)
def test_damaged_store_exits_3_and_plain_ingest_repairs_it(built, damage):
    docs, store = built
    Index.open(Settings(**{"store_dir": store, "embedding_model": "hash"}))  # checked once
    harm, detail = DAMAGE[damage]
    harm(store)
    for command in (["ask", QUESTION], ["status"], ["status", "--json"]):
        result = runner.invoke(app, command, env=_env(store))
        assert result.exit_code == 3, (command, result.output)
        assert detail in result.output and REBUILD in result.output, result.output
        assert "Traceback" not in result.output and "Aborted" not in result.output
    result = runner.invoke(app, ["ingest", str(docs)], env=_env(store))
    assert result.exit_code == 0, result.output
    assert "was damaged" in result.output and detail in result.output
    assert "This ingest rebuilt it" in result.output and "2 unchanged" not in result.output
    answer = runner.invoke(app, ["ask", QUESTION, "--json"], env=_env(store))
    assert answer.exit_code == 0 and json.loads(answer.stdout)["passages"], answer.output
    again = runner.invoke(app, ["ingest", str(docs), "--json"], env=_env(store))
    assert json.loads(again.stdout)["repaired"] == "" and json.loads(again.stdout)["unchanged"]


def test_manifest_records_size_and_checksum_of_every_file_read(built):
    _, store = built
    files = json.loads((store / MANIFEST_NAME).read_text())["files"]
    names = {Path(name).name for name in files}
    assert {"vectors.npy", "catalog.json", "data.csc.index.npy", "vocab.index.json"} <= names
    for name, record in files.items():
        assert (store / name).stat().st_size == record["size"] and len(record["blake2b"]) == 32


def test_checksums_are_read_once_per_generation_until_a_file_changes(built, monkeypatch):
    import index._manifest as manifest_module

    _, store = built
    settings = Settings(store_dir=store, embedding_model="hash")
    calls: list[Path] = []
    real = manifest_module.file_checksum
    monkeypatch.setattr(manifest_module, "file_checksum", lambda p: calls.append(p) or real(p))
    Index.open(settings)
    first = len(calls)
    Index.open(settings)
    assert first >= 5 and len(calls) == first  # sizes only the second time
    os.utime(_generation(store) / "catalog.json")  # touched: checked in full again
    Index.open(settings)
    assert len(calls) == 2 * first


def test_old_manifest_without_checksums_opens_and_nan_vectors_are_refused(built):
    _, store = built
    manifest = json.loads((store / MANIFEST_NAME).read_text())
    del manifest["files"]
    (store / MANIFEST_NAME).write_text(json.dumps(manifest))
    settings = Settings(store_dir=store, embedding_model="hash")
    assert Index.open(settings).status()["documents"] == 2
    path = _generation(store) / "vectors.npy"
    vectors = np.load(path)
    vectors[0, 3] = np.inf
    np.save(path, vectors)
    with pytest.raises(IndexDamaged, match="not numbers"):
        Index.open(settings, embedder=HashEmbedder())


# Nothing is written outside the store and the cache folder (HOME and TMPDIR are fresh).


def _child_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIA_", "XDG_", "GRADIO_"))}
    env.update(
        HOME=str(root / "home"),
        TMPDIR=str(root / "tmp"),
        DIA_STORE_DIR=str(root / "store"),
        DIA_EMBEDDING_MODEL="hash",
        HF_HUB_OFFLINE="1",
    )
    for name in ("home", "tmp", "work"):
        (root / name).mkdir()
    return env


def _dia(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DIA, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _serve(env: dict[str, str], cwd: Path, port: int) -> tuple[str, Path]:
    """Start `dia serve`, ask one question, visit /monitoring twice, stop it with SIGTERM."""
    import httpx
    from gradio_client import Client

    log = cwd / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*DIA, "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(url, process)
            Client(url, verbose=False).predict(QUESTION, [], "Any", "Any", api_name="/ask")
            for _ in range(2):
                assert httpx.get(url + "/monitoring", timeout=10).status_code == 404
            private = sorted((Path(env["DIA_STORE_DIR"]) / "tmp").iterdir())
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    assert process.returncode == 0, log.read_text()
    return log.read_text(), private[0]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 40.0) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/config", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail(f"dia serve did not start (exit {process.poll()})")


def _created(root: Path, allowed: list[Path]) -> list[str]:
    """Paths under root that are neither an allowed folder, inside one, nor above one."""
    found = []
    for path in root.rglob("*"):
        if not any(path == a or a in path.parents or path in a.parents for a in allowed):
            found.append(str(path.relative_to(root)))
    return sorted(found)


@pytest.fixture(scope="module")
def footprint(tmp_path_factory) -> dict:
    """Run ingest, ask and serve as child processes; return their output and where they wrote."""
    root = tmp_path_factory.mktemp("footprint")
    env = _child_env(root)
    docs = _documents(root / "docs")
    work = root / "work"
    ingested = _dia(env, work, "ingest", str(docs))
    asked = _dia(env, work, "ask", QUESTION)
    log, private = _serve(env, work, free_port())
    return {"root": root, "ingest": ingested, "ask": asked, "log": log, "private": private}


@pytest.mark.chroma
def test_ingest_ask_and_serve_write_only_to_the_store_and_cache(footprint):
    root = footprint["root"]
    assert footprint["ingest"].returncode == 0, footprint["ingest"].stderr
    assert footprint["ask"].returncode == 0 and "Staff could speak up" in footprint["ask"].stdout
    cache = root / "home" / ".cache" / "driving-improvement-assistant"
    assert _created(root / "home", [cache]) == []
    assert _created(root / "tmp", []) == []
    assert _created(root / "work", [root / "work" / "serve.log"]) == []


@pytest.mark.chroma
def test_server_temp_folder_is_private_and_removed_at_shutdown(footprint):
    private = footprint["private"]
    assert private.parent == footprint["root"] / "store" / "tmp" and private.name.startswith("ui-")
    assert not private.exists() and not private.parent.exists()


@pytest.mark.chroma
def test_monitoring_link_is_printed_once(footprint):
    log = footprint["log"]
    assert log.count("Monitoring URL") == 1 and "/monitoring/" in log

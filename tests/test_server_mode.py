"""The same ingest/ask/themes code against a Chroma server (`chroma run` on loopback)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from dia.errors import DiaError
from dia.settings import Settings
from index import HashEmbedder, Index, ingest
from tests.conftest import BUNDLED, free_port

pytestmark = pytest.mark.chroma

CHROMA = Path(sys.executable).parent / "chroma"


def _wait_for(port: int, seconds: float = 60) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    deadline = time.monotonic() + seconds
    while True:
        try:
            chromadb.HttpClient(
                host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
            ).heartbeat()
            return
        except Exception:  # noqa: BLE001 - not up yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    """The server .ci/run started (DIA_TEST_CHROMA_PORT), else one started here."""
    given = os.environ.get("DIA_TEST_CHROMA_PORT")
    if given:
        _wait_for(int(given))
        yield int(given)
        return
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def server_settings(chroma_port, tmp_path) -> Settings:
    prefix = f"t{tmp_path.name[-12:].replace('_', '')}"
    return Settings(
        store_dir=tmp_path / "store",
        embedding_model="hash",
        chroma_host="127.0.0.1",
        chroma_port=chroma_port,
        collection_prefix=prefix,
        dense_search="chroma",
        abstain_threshold=-1,
    )


def test_ingest_ask_and_themes_against_the_server(server_settings):
    report = ingest(server_settings, [BUNDLED], embedder=HashEmbedder())
    assert len(report.added) == 12
    index = Index.open(server_settings, embedder=HashEmbedder())
    assert index.store.location.startswith("http://127.0.0.1:")
    assert index.vectors is None  # dense search goes to the server
    assistant = Assistant(server_settings, embedder=HashEmbedder())
    result = assistant.ask("How did Oxleas deal with pressure on beds?")
    assert result.citations and result.citations[0].doc_id == "oxleas"
    governance = assistant.themes("Governance")["themes"][0]
    assert len({e["trust"] for e in governance["examples"] if "NHS" in e["trust"]}) == 7
    again = ingest(server_settings, [BUNDLED], embedder=HashEmbedder())
    assert len(again.unchanged) == 12 and again.embedded == 0


def _generations(index: Index, prefix: str) -> set[str]:
    return {n for n in index.store.collections() if n.startswith(prefix) and "registry" not in n}


def test_rebuild_switches_and_drops_old_generations_after_the_grace_period(server_settings):
    settings = server_settings.model_copy(update={"generation_grace_s": 3.0})
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    first = Index.open(settings, embedder=HashEmbedder())
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    second = Index.open(settings, embedder=HashEmbedder()).manifest.collection
    # Within the grace period a reader still on the first generation keeps answering from it.
    assert _generations(first, settings.collection_prefix) == {first.manifest.collection, second}
    assert first.dense(first.embed_query("beds"), 5)
    time.sleep(3.2)
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    index = Index.open(settings, embedder=HashEmbedder())
    assert index.manifest.previous == second
    assert _generations(index, settings.collection_prefix) == {index.manifest.collection, second}


def test_unreachable_server_is_a_clear_message(tmp_path):
    settings = Settings(
        store_dir=tmp_path / "s",
        embedding_model="hash",
        chroma_host="127.0.0.1",
        chroma_port=free_port(),
    )
    with pytest.raises(DiaError, match="Cannot reach the Chroma server"):
        ingest(settings, [BUNDLED], embedder=HashEmbedder())

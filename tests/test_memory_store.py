"""DIA_VECTOR_STORE=memory: ingest and ask without chromadb, across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dia.errors import BadSetting
from dia.settings import Settings
from index import HashEmbedder, Index, MemoryStore, ingest, open_store, read_manifest
from tests.conftest import BUNDLED

# One process: `hash` is unknown until registered (no fake is built in), then ingest and ask
# with the memory store; prints what happened and whether chromadb was imported.
CHILD = """
import json, sys
from pathlib import Path
from assistant import Assistant
from dia.errors import BadSetting
from dia.settings import Settings
from index import HashEmbedder, ingest, make_embedder, register_embedder
settings = Settings(store_dir=Path(sys.argv[1]), embedding_model="hash", abstain_threshold=-1)
try:
    make_embedder(settings)
    unregistered = "built"
except BadSetting as error:
    unregistered = str(error)
register_embedder("hash", lambda settings: HashEmbedder())
report = ingest(settings, [Path(sys.argv[2])])
result = Assistant(settings).ask("How did Oxleas deal with pressure on beds?")
print(json.dumps({
    "unregistered": unregistered,
    "store": settings.vector_store,
    "embedded": report.embedded,
    "unchanged": len(report.unchanged),
    "cited": [c.doc_id for c in result.citations],
    "chromadb": sorted(m for m in sys.modules if m.split(".")[0] == "chromadb"),
}))
"""


def _child(store: Path, cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIA_")}
    env.update(DIA_VECTOR_STORE="memory", HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), str(BUNDLED)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_ingest_and_ask_never_import_chromadb_and_a_new_process_reopens(tmp_path):
    store = tmp_path / "store"
    first = _child(store, tmp_path)
    assert "not usable offline" in first["unregistered"] and first["store"] == "memory"
    assert first["embedded"] > 0 and "oxleas" in first["cited"] and first["chromadb"] == []
    assert not (store / "chroma").exists()
    again = _child(store, tmp_path)  # a new process: the mirror is rebuilt from the files
    assert again["embedded"] == 0 and again["unchanged"] == 12
    assert again["cited"] == first["cited"] and again["chromadb"] == []


def test_the_mirror_is_loaded_from_the_active_and_replaced_generations(settings):
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    ingest(settings, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    manifest = read_manifest(settings)
    store = open_store(settings)
    assert isinstance(store, MemoryStore) and store.collections() == []
    assert store.count(manifest.collection) == manifest.chunk_count
    assert store.collections() == [manifest.collection]
    assert store.count(manifest.previous) == manifest.chunk_count  # a reader still on it
    with pytest.raises(KeyError):
        store.count("dia-not-a-generation")
    assert store.embeddings("dia-not-a-generation", ["x"]) == {}
    index = Index.open(
        settings.model_copy(update={"dense_search": "chroma"}), embedder=HashEmbedder()
    )
    assert index.vectors is None  # dense search asks the memory store
    question = index.embed_query("How did Oxleas deal with pressure on beds?")
    exact = Index.open(settings, embedder=HashEmbedder())
    assert [c.id for c, _ in index.dense(question, 5)] == [
        c.id for c, _ in exact.dense(question, 5)
    ]


def test_memory_store_searches_exactly_best_first():
    store = MemoryStore()
    store.create("c")
    vectors = np.eye(3, dtype=np.float32)
    store.add("c", ["a", "b", "c"], vectors, ["ta", "tb", "tc"], [{}, {}, {}])
    hits = store.query("c", np.array([0.6, 0.8, 0.0]), 2)
    assert [i for i, _ in hits] == ["b", "a"] and hits[0][1] == pytest.approx(0.8)
    assert store.count("c") == 3 and set(store.embeddings("c", ["a", "z"])) == {"a"}
    store.drop("c")
    assert store.collections() == []


def test_memory_store_in_server_mode_is_a_bad_setting(tmp_path):
    settings = Settings(
        store_dir=tmp_path / "s", embedding_model="hash", vector_store="memory", chroma_host="h"
    )
    with pytest.raises(BadSetting, match="DIA_VECTOR_STORE=memory"):
        open_store(settings)
    with pytest.raises(BadSetting, match="DIA_VECTOR_STORE=memory"):
        ingest(settings, [BUNDLED], embedder=HashEmbedder())

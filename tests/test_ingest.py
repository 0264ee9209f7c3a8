import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from assistant import Assistant
from dia.errors import IndexBusy, IndexCorrupt, IndexMismatch, IndexNotBuilt
from dia.settings import Settings
from index import HashEmbedder, Index, ingest
from tests.conftest import BUNDLED, DIA, write


def test_bundled_corpus_indexes_twelve_documents_with_metadata(settings):
    report = ingest(settings, [BUNDLED], embedder=HashEmbedder())
    assert len(report.added) == 12 and not report.rejected
    index = Index.open(settings, embedder=HashEmbedder())
    status = index.status()
    assert status["documents"] == 12 and status["chunks"] == report.chunks
    from corpus import TRUSTS

    assert {t.name for t in TRUSTS} <= set(status["by_trust"])
    outside = set(status["by_trust"]) - {t.name for t in TRUSTS} - {"(none)"}
    # The 2020 revisits name two acute trusts in their chapter headings: their own trust.
    assert outside == {
        "Cambridge University Hospitals NHS Foundation Trust",
        "East Lancashire Hospitals NHS Trust",
    }
    assert {"governance", "culture", "leadership"} <= set(status["by_theme"])
    assert set(status) >= {"documents", "chunks", "by_trust", "by_theme", "model", "store"}


def test_second_ingest_embeds_nothing_and_changes_nothing(settings, corpus_copy):
    ingest(settings, [corpus_copy], embedder=HashEmbedder())
    manifest_before = (settings.store_dir / "manifest.json").read_text()
    counter = HashEmbedder()
    report = ingest(settings, [corpus_copy], embedder=counter)
    assert counter.texts_embedded == 0 and counter.calls == 0
    assert len(report.unchanged) == 12 and not (report.added or report.updated or report.removed)
    assert (settings.store_dir / "manifest.json").read_text() == manifest_before


def test_edit_and_delete_are_reflected_exactly(settings, corpus_copy):
    first = ingest(settings, [corpus_copy], embedder=HashEmbedder())
    oxleas = corpus_copy / "oxleas.md"
    oxleas.write_text(
        oxleas.read_text().replace(
            "Oxleas is a foundation trust in south-east London.",
            "Oxleas is a foundation trust in south-east London with a new zebra garden.",
        )
    )
    (corpus_copy / "somerset-partnership.md").unlink()
    counter = HashEmbedder()
    report = ingest(settings, [corpus_copy], embedder=counter)
    assert report.updated == ["oxleas"] and report.removed == ["somerset-partnership"]
    assert 0 < counter.texts_embedded <= 3  # only the edited chunk(s), not the whole document
    index = Index.open(settings, embedder=HashEmbedder())
    assert "somerset-partnership" not in {c.doc_id for c in index.chunks.values()}
    assert any("zebra garden" in c.text for c in index.chunks.values())
    assert not any(
        "south-east London." in c.text and "zebra" not in c.text
        for c in index.chunks.values()
        if c.doc_id == "oxleas" and "foundation trust in south-east" in c.text
    )
    assert index.status()["chunks"] < first.chunks


def test_other_sources_are_kept_and_rejected_files_keep_their_old_version(settings, tmp_path):
    extra = write(tmp_path / "papers" / "board.md", "## Governance\n\nThe board met monthly.\n")
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    ingest(settings, [extra.parent], embedder=HashEmbedder())
    index = Index.open(settings, embedder=HashEmbedder())
    assert index.status()["documents"] == 13
    extra.write_bytes(b"\x00\x00binary now")
    report = ingest(settings, [extra.parent], embedder=HashEmbedder())
    assert report.rejected and "binary" in report.rejected[0].reason
    assert Index.open(settings, embedder=HashEmbedder()).status()["documents"] == 13


def test_manifest_mismatch_tells_user_to_rebuild(settings):
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    other = settings.model_copy(update={"chunk_max_words": 120})
    with pytest.raises(IndexMismatch, match="rebuild"):
        Index.open(other, embedder=HashEmbedder())
    with pytest.raises(IndexMismatch):
        ingest(other, [BUNDLED], embedder=HashEmbedder())
    report = ingest(other, [BUNDLED], rebuild=True, embedder=HashEmbedder())
    assert report.rebuilt and Index.open(other, embedder=HashEmbedder()).status()["documents"] == 12


def test_missing_and_corrupt_index_messages(settings):
    with pytest.raises(IndexNotBuilt, match="dia ingest"):
        Index.open(settings)
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    (settings.store_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorrupt, match="Rebuild"):
        Index.open(settings)


def test_truncated_catalog_gives_rebuild_message(settings):
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    catalog = next((settings.store_dir / "generations").glob("*/catalog.json"))
    catalog.write_text(catalog.read_text()[:500])
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Index.open(settings, embedder=HashEmbedder())
    ingest(settings, [BUNDLED], embedder=HashEmbedder())  # repairs by rebuilding the generation
    assert Index.open(settings, embedder=HashEmbedder()).status()["documents"] == 12


def test_second_writer_is_refused_quickly(settings):
    from filelock import FileLock

    settings.store_dir.mkdir(parents=True)
    with FileLock(str(settings.store_dir / "ingest.lock")):
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="Another"):
            ingest(settings, [BUNDLED], embedder=HashEmbedder())
        assert time.monotonic() - started < 8


def big_corpus(tmp_path, copies: int):
    folder = tmp_path / "big"
    for n in range(copies):
        shutil.copytree(BUNDLED, folder / f"copy{n:02d}")
    return folder


def cli(*args, env):
    return subprocess.run([*DIA, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.chroma
@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_killing_rebuild_leaves_old_index_answering(tmp_path, delay):
    store = tmp_path / "store"
    env = {**os.environ, "DIA_STORE_DIR": str(store), "DIA_EMBEDDING_MODEL": "hash"}
    first = cli("ingest", str(BUNDLED), "--json", env=env)
    assert first.returncode == 0, first.stderr
    expected_old = json.loads(first.stdout)["chunks"]
    corpus = big_corpus(tmp_path, 30)
    process = subprocess.Popen(
        [*DIA, "ingest", str(corpus), "--rebuild"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    settings = Settings(store_dir=store, embedding_model="hash")
    index = Index.open(settings, embedder=HashEmbedder())
    # Documents from the first ingest are kept: their files still exist elsewhere.
    complete = expected_old + _full_count(corpus)
    assert index.status()["chunks"] in {expected_old, complete}
    answer = Assistant(settings, embedder=HashEmbedder()).ask("How did Oxleas handle bed pressure?")
    assert answer.passages
    rerun = cli("ingest", str(corpus), "--json", env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert Index.open(settings, embedder=HashEmbedder()).status()["chunks"] == complete


def _full_count(corpus) -> int:
    from corpus import load_paths
    from index import ChunkerConfig, chunk_document

    docs = load_paths([corpus], 20_000_000).documents
    return sum(len(chunk_document(d, ChunkerConfig())) for d in docs)


@pytest.mark.chroma
def test_readers_keep_answering_during_an_ingest(tmp_path):
    store = tmp_path / "store"
    env = {**os.environ, "DIA_STORE_DIR": str(store), "DIA_EMBEDDING_MODEL": "hash"}
    assert cli("ingest", str(BUNDLED), env=env).returncode == 0
    settings = Settings(store_dir=store, embedding_model="hash", abstain_threshold=-1)
    assistant = Assistant(settings, embedder=HashEmbedder())
    process = subprocess.Popen(
        [*DIA, "ingest", str(big_corpus(tmp_path, 10))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    answered = 0
    try:
        while process.poll() is None:
            result = assistant.ask("How did Oxleas deal with pressure on beds?")
            assert result.citations
            answered += 1
    finally:
        process.wait(120)
    assert answered > 0 and process.returncode == 0
    after = assistant.ask("How did Oxleas deal with pressure on beds?")  # picks up the new index
    assert assistant.index.status()["documents"] > 12 and after.citations


@pytest.mark.chroma
def test_damaged_chroma_database_gives_rebuild_message(settings):
    ingest(settings, [BUNDLED], embedder=HashEmbedder())
    database = settings.store_dir / "chroma" / "chroma.sqlite3"
    database.write_bytes(database.read_bytes()[:4096])
    with pytest.raises((IndexCorrupt,)) as caught:
        Index.open(settings.model_copy(update={"dense_search": "chroma"}), embedder=HashEmbedder())
    assert "Rebuild" in str(caught.value) or "rebuild" in str(caught.value)

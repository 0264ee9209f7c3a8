import json

from typer.testing import CliRunner

from cli import app
from tests.conftest import BUNDLED, write

runner = CliRunner()


def env(store):
    return {"DIA_STORE_DIR": str(store), "DIA_EMBEDDING_MODEL": "hash"}


def test_ingest_then_status_json(tmp_path):
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", str(BUNDLED)], env=env(store))
    assert result.exit_code == 0, result.output
    assert "12 added" in result.output and "0 rejected" in result.output
    again = runner.invoke(app, ["ingest", str(BUNDLED)], env=env(store))
    assert "12 unchanged" in again.output and "0 embedded" in again.output
    status = runner.invoke(app, ["status", "--json"], env=env(store))
    data = json.loads(status.stdout)
    assert data["documents"] == 12 and data["model"] == "hash"
    assert {"chunks", "by_trust", "by_theme", "store"} <= set(data)


def test_ingest_defaults_to_corpus_dir_and_settings_from_cli(tmp_path):
    store = tmp_path / "cli-store"
    result = runner.invoke(
        app,
        [
            "ingest",
            "--store-dir",
            str(store),
            "--embedding-model",
            "hash",
            "--corpus-dir",
            str(BUNDLED),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["added"]) == 12


def test_rejected_files_exit_2_and_good_files_still_indexed(tmp_path):
    write(tmp_path / "docs" / "good.md", "## Culture\n\nStaff could speak up.\n")
    (tmp_path / "docs" / "empty.txt").write_bytes(b"")
    (tmp_path / "docs" / "bin.txt").write_bytes(b"\x00\x01\x02")
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "docs"), "--json"], env=env(tmp_path / "s")
    )
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["added"] == ["good"]
    reasons = {r["path"].split("/")[-1]: r["reason"] for r in data["rejected"]}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["bin.txt"]
    assert "Traceback" not in result.output


def test_missing_path_and_missing_index_are_clear(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope")], env=env(tmp_path / "s"))
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(app, ["status"], env=env(tmp_path / "empty"))
    assert result.exit_code == 3 and "dia ingest" in result.output
    result = runner.invoke(app, ["ask", "What about governance?"], env=env(tmp_path / "empty"))
    assert result.exit_code == 3 and "No index" in result.output

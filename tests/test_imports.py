"""Import-time checks: the core loads no UI, CLI or heavy backend; the UI loads gradio late.

Each check runs in a fresh interpreter, so what other tests imported cannot hide a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top-level modules the core packages must never load at import.
FORBIDDEN = ("gradio", "typer", "cli", "chromadb", "torch", "onnxruntime")


def _modules_after(code: str, cwd: Path) -> set[str]:
    """The top-level names in sys.modules after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_core_packages_load_no_ui_cli_or_heavy_backend(tmp_path):
    loaded = _modules_after("import corpus, index, assistant, evals", tmp_path)
    assert {"corpus", "index", "assistant", "evals"} <= loaded
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_ui_loads_gradio_only_when_the_app_is_built(tmp_path):
    imported = _modules_after("import ui", tmp_path)
    assert not imported & set(FORBIDDEN), sorted(imported & set(FORBIDDEN))
    built = _modules_after(
        "import ui\nfrom dia.settings import Settings\n"
        f"ui.build_app(Settings(store_dir={str(tmp_path / 'store')!r}, embedding_model='hash',"
        f" cache_dir={str(tmp_path / 'cache')!r}))",
        tmp_path,
    )
    assert "gradio" in built and "cli" not in built  # gradio itself brings typer in

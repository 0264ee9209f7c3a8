"""The README's examples and settings table are tested, so the docs cannot drift."""

import re
from pathlib import Path

from dia.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_starts_with_the_two_setup_commands():
    text = README.read_text()
    head = text[: text.index("## What it does")]
    assert "make run" in head and "make test" in head
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_documents_every_setting():
    documented = set(re.findall(r"^\| `(DIA_[A-Z_]+)` \|", README.read_text(), re.M))
    expected = {f"DIA_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_readme_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DIA_EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("DIA_ABSTAIN_THRESHOLD", "-1")
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / ".dia-example" / "manifest.json").exists()

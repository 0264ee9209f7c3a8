"""The benchmark's synthetic corpus: shaped like the bundled one, distinct, reproducible."""

from __future__ import annotations

from cli._bench import synthetic_corpus


def _files(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.md"))}


def test_synthetic_copies_keep_the_shape_but_not_the_text(tmp_path):
    first = _files(synthetic_corpus(tmp_path / "a", 400))
    assert first == _files(synthetic_corpus(tmp_path / "b", 400))  # seeded
    one, two = first["copy00000/oxleas.md"], first["copy00001/oxleas.md"]
    headings = [line for line in one.splitlines() if line.startswith(("#", "trust:"))]
    assert headings == [line for line in two.splitlines() if line.startswith(("#", "trust:"))]
    assert 'trust: "Oxleas NHS Foundation Trust"' in headings
    text = [b for b in one.split("\n\n") if len(b) > 80 and not b.startswith(("---", "|"))]
    assert len(text) > 20
    assert not set(text) & set(two.split("\n\n"))  # no paragraph or list is repeated

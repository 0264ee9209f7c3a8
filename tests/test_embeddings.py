import hashlib

import numpy as np
import pytest

from dia.errors import BadSetting
from dia.settings import Settings
from index import HashEmbedder, bundled_model_path, make_embedder, register_embedder

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TEXTS = [
    "Leaders were visible on the wards.",
    "The board reviewed governance monthly.",
    "A recipe for chocolate cake.",
]


def test_bundled_model_is_the_pinned_file():
    data = (bundled_model_path() / "model.safetensors").read_bytes()
    assert hashlib.sha256(data).hexdigest() == MODEL_SHA256


def test_hash_embedder_is_deterministic_and_normalised():
    first, second = HashEmbedder().embed(TEXTS), HashEmbedder().embed(TEXTS)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(BadSetting, match="not usable offline"):
        make_embedder(Settings(embedding_model=str(tmp_path / "nothing"), cache_dir=tmp_path))


def test_a_registered_name_builds_its_embedder_once_per_process(tmp_path, monkeypatch):
    import index._embedders as embedders

    monkeypatch.setattr(embedders, "_FACTORIES", dict(embedders._FACTORIES))  # undone after
    monkeypatch.setattr(embedders, "_EMBEDDERS", {})
    built: list[Settings] = []
    register_embedder("test-fake", lambda settings: built.append(settings) or HashEmbedder(8))
    settings = Settings(embedding_model="test-fake", cache_dir=tmp_path)
    first = make_embedder(settings)
    assert first.dim == 8 and make_embedder(settings) is first and built == [settings]
    register_embedder("test-fake", lambda settings: HashEmbedder(16))  # replaces it
    assert make_embedder(settings).dim == 16
    assert make_embedder(Settings(embedding_model="hash", cache_dir=tmp_path)).name == "hash"
    with pytest.raises(BadSetting, match="'test-fake'"):  # the message names what is known
        make_embedder(Settings(embedding_model="nothing-here", cache_dir=tmp_path))


@pytest.mark.slow
def test_onnx_export_matches_torch(tmp_path):
    torch_vectors = make_embedder(Settings(embedding_backend="torch")).embed(TEXTS)
    onnx = make_embedder(Settings(embedding_backend="onnx", cache_dir=tmp_path))
    onnx_vectors = onnx.embed(TEXTS)
    assert onnx_vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(torch_vectors * onnx_vectors, axis=1)) > 0.999
    assert (tmp_path / "onnx").exists()
    similar = onnx_vectors[0] @ onnx_vectors[1]
    unrelated = onnx_vectors[0] @ onnx_vectors[2]
    assert similar > unrelated

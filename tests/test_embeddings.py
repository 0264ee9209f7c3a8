import hashlib

import numpy as np
import pytest

from dia.errors import BadSetting
from dia.settings import Settings
from index import HashEmbedder, bundled_model_path, make_embedder

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

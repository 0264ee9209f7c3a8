"""ONNX Runtime embedder: all-MiniLM-L6-v2 exported locally from the bundled weights.

The export (torch -> ONNX, optionally int8 dynamic quantisation) runs once per store and is
cached; queries then need neither torch nor sentence-transformers, so start-up is fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TOKENS = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(model_path: Path, target: Path, quantize: bool) -> Path:
    """Export the transformer to ONNX (and quantise it) unless already cached at target."""
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.exists():
            return target
        plain = target.with_name("model-fp32.onnx")
        if not plain.exists():
            _export_fp32(model_path, plain)
        if quantize:
            import onnxruntime
            from onnxruntime.quantization import QuantType, quantize_dynamic

            disable_telemetry(onnxruntime)
            partial = target.with_suffix(".partial.onnx")
            quantize_dynamic(str(plain), str(partial), weight_type=QuantType.QInt8)
            os.replace(partial, target)
    return target


def _export_fp32(model_path: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_path)).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((1, 8), dtype=torch.int64)
    partial = target.with_suffix(".partial.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")}
    torch.onnx.export(
        Encoder(model),
        (sample, sample, torch.zeros_like(sample)),
        str(partial),
        input_names=list(_INPUTS),
        output_names=["hidden"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )
    os.replace(partial, target)


def disable_telemetry(onnxruntime) -> None:
    """Turn off ONNX Runtime's telemetry events for this process (before any session loads)."""
    disable = getattr(onnxruntime, "disable_telemetry_events", None)
    if disable is not None:  # present in the versions we support; guard older ones
        disable()


def make_session(onnxruntime, path: Path):
    """An ONNX Runtime CPU session for the model at path, with telemetry events turned off.

    Args:
        onnxruntime: The imported ``onnxruntime`` module (passed in so tests can use a fake).
        path: The ONNX model file.

    """
    disable_telemetry(onnxruntime)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxEmbedder:
    """Mean-pooled, normalised MiniLM embeddings computed with ONNX Runtime."""

    def __init__(
        self, model_path: Path, onnx_path: Path, name: str, batch_size: int, quantize: bool
    ) -> None:
        self.name = name
        self.dim = 384
        self.model_path = model_path
        self.onnx_path = onnx_path
        self.batch_size = batch_size
        self.quantize = quantize
        self.texts_embedded = 0
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is None:
                import onnxruntime
                from tokenizers import Tokenizer

                path = export_onnx(self.model_path, self.onnx_path, self.quantize)
                self._session = make_session(onnxruntime, path)
                tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.enable_padding()
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches (sorted by length to minimise padding)."""
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, tokenizer = self._load()
        order = np.argsort([len(t) for t in texts])
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for first in range(0, len(texts), self.batch_size):
            rows = order[first : first + self.batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            types = np.array([e.type_ids for e in encodings], dtype=np.int64)
            hidden = session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            vectors[rows] = pooled / np.maximum(
                np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12
            )
        return vectors

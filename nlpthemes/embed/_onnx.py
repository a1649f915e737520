"""ONNX Runtime backends: the packaged model exported offline, in fp32 or quantised to int8.

sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``, which
pins ``transformers<4.58`` (sentence-transformers 6 needs transformers 5), so
the export is done here with ``torch.onnx`` and the quantisation with
``onnxruntime.quantization`` (dynamic, per-channel int8 weights of the
MatMul layers: quantising the embedding tables too costs far more accuracy
for little speed). Inference needs only ``onnxruntime``, ``tokenizers`` and
numpy: tokenise in Rust, run the graph, pool as the model's own pooling
module says, normalise when it does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from nlpthemes.embed._derived import derived_folder, ensure_built, pipeline_modules
from nlpthemes.embed._hashing import file_sha256
from nlpthemes.embed._resolve import set_offline
from nlpthemes.embed._st import SentenceTransformerEmbedder
from nlpthemes.errors import InputError

__all__ = ["OnnxEmbedder", "OnnxInt8Embedder", "export_onnx"]

_RECIPE = "torch.onnx opset 17, last_hidden_state; int8: quantize_dynamic per-channel QInt8 MatMul v1"
_BUILD_LIBRARIES = ("torch", "transformers", "onnx", "onnxruntime")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _missing(package: str) -> InputError:
    return InputError(None, f"the ONNX backend needs {package}: pip install onnxruntime onnx "
                            "(or pip install 'nlpthemes[fast]')")  # fmt: skip


def export_onnx(model_path: Path, target: Path, *, quantize: bool) -> dict[str, Any]:
    """Export a sentence-transformers folder's transformer to ``target/model.onnx``.

    With ``quantize``, ``model.onnx`` is the dynamic int8 version (the fp32
    export is removed). Returns what was done, for the record.
    """
    set_offline()
    import torch
    from transformers import AutoModel, AutoTokenizer

    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        raise _missing("onnxruntime") from None

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    from nlpthemes.embed._st import _quiet_transformers

    with _quiet_transformers(True):
        model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    sample = tokenizer(["an example", "a longer example sentence"], padding=True, return_tensors="pt")
    if "token_type_ids" not in sample:
        sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
    fp32 = target / ("model_fp32.onnx" if quantize else "model.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHidden(model), tuple(sample[name] for name in _INPUTS), str(fp32),
            input_names=list(_INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
            opset_version=17, dynamo=False,
        )  # fmt: skip
    if quantize:
        import logging

        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # onnxruntime logs a pre-processing hint on the root logger
        try:
            quantize_dynamic(str(fp32), str(target / "model.onnx"), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul"])  # fmt: skip
        finally:
            root.setLevel(level)
        fp32.unlink()
    return {"recipe": _RECIPE, "quantized": quantize, "source": str(model_path),
            "sha256": file_sha256(target / "model.onnx")}  # fmt: skip


class OnnxEmbedder(SentenceTransformerEmbedder):
    """A sentence-transformers model run by ONNX Runtime on the CPU (fp32 export).

    Parameters are those of :class:`SentenceTransformerEmbedder`. The export
    is built on first use from the verified packaged weights and kept in the
    nlpthemes cache folder (``$NLPTHEMES_CACHE_DIR/models``); vectors are cached
    under a key of their own, apart from the PyTorch model's.
    """

    backend = "onnx"
    libraries = ("onnxruntime", "tokenizers", "onnx", "torch")
    cpu_only: ClassVar[bool] = True
    quantize: ClassVar[bool] = False

    @property
    def derived_path(self) -> Path:
        """The folder of the exported model (built on first use)."""
        recipe = f"{_RECIPE}; quantize={self.quantize}"
        return derived_folder(self.backend, self.model_hash, recipe, _BUILD_LIBRARIES)

    def _fingerprint_parts(self) -> list[str]:
        return [*super()._fingerprint_parts(), f"recipe:{self.derived_path.name}"]

    def _load_model(self) -> Any:
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InputError(None, f"batch_size: expected a positive int, got {self.batch_size!r}")
        try:
            import onnxruntime as ort
        except ImportError:
            raise _missing("onnxruntime") from None
        from tokenizers import Tokenizer

        pooling, normalise, max_length = pipeline_modules(Path(self.model_path))
        if pooling == "unsupported":
            raise InputError(self.model_path, "the ONNX backend supports mean or CLS pooling only")
        folder = ensure_built(
            self.derived_path, lambda tmp: export_onnx(Path(self.model_path), tmp, quantize=self.quantize),
            what=f"the ONNX export of {self.name}", quiet=not self.progress,
        )  # fmt: skip
        tokenizer = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_length)
        tokenizer.enable_padding()
        options = ort.SessionOptions()
        threads = os.environ.get("NLPTHEMES_ONNX_THREADS")
        if threads:
            options.intra_op_num_threads = int(threads)
        session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self._device = "cpu"
        self._pooling, self._normalise = pooling, normalise
        self._onnx_file = folder / "model.onnx"
        return (tokenizer, session, [i.name for i in session.get_inputs()])

    def _model_dimension(self) -> int:
        return int(self._checked_probe().shape[1])

    def _checked_probe(self) -> NDArray[np.float32]:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return np.asarray(self._encode_chunk(["probe"]), dtype=np.float32)

    def _encode_chunk(self, texts: list[str]) -> Any:
        tokenizer, session, names = self._model
        out = np.empty((len(texts), 0), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = tokenizer.encode_batch(texts[start : start + self.batch_size])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask,
                    "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64)}  # fmt: skip
            hidden = session.run(None, {name: feed[name] for name in names})[0]
            if self._pooling == "cls":
                pooled = hidden[:, 0]
            else:
                weights = mask[..., None].astype(np.float32)
                pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            if self._normalise:
                pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            parts.append(pooled.astype(np.float32))
        return np.concatenate(parts) if parts else out

    def _runtime(self) -> dict[str, Any]:
        onnx_file = getattr(self, "_onnx_file", None)
        return {
            "device": "cpu", "batch_size": self.batch_size, "quantized": self.quantize,
            "onnx_file": None if onnx_file is None else str(onnx_file),
            "onnx_sha256": None if onnx_file is None else file_sha256(onnx_file),
        }  # fmt: skip


class OnnxInt8Embedder(OnnxEmbedder):
    """:class:`OnnxEmbedder` with int8 weights (dynamic quantisation): faster, slightly less exact."""

    backend = "onnx-int8"
    quantize: ClassVar[bool] = True

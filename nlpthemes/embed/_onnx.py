"""ONNX Runtime backends: the packaged model exported offline, in fp32 or quantised to int8.

sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``, which
pins ``transformers<4.58`` (sentence-transformers 6 needs transformers 5), so
the export is done here with ``torch.onnx`` and the quantisation with
``onnxruntime.quantization``: dynamic, per-channel int8 weights of the
MatMul layers, except the feed-forward output projections (the activations
after GELU have outliers that per-tensor activation quantisation handles
badly: keeping those six MatMuls in fp32 raises the mean cosine to fp32 on
the probe set from 0.987 to 0.992 for a quarter of the speed gained).
Quantising the embedding tables too costs far more accuracy for little speed.

Every build embeds the shipped probe set with the new model and with the
fp32 PyTorch model (:mod:`nlpthemes.embed._probe`) and records the result
with the export; the record also holds the ONNX file's sha256, checked
whenever the file is loaded. Inference needs only ``onnxruntime``,
``tokenizers`` and numpy: tokenise in Rust, run the graph, pool as the
model's own pooling module says, normalise when it does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from nlpthemes.embed._derived import derived_folder, ensure_built, pipeline_modules, read_record
from nlpthemes.embed._errors import ModelIntegrityError
from nlpthemes.embed._hashing import file_sha256
from nlpthemes.embed._probe import probe_agreement, probe_texts
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.embed._resolve import set_offline
from nlpthemes.embed._st import SentenceTransformerEmbedder
from nlpthemes.errors import InputError

__all__ = ["OnnxEmbedder", "OnnxInt8Embedder", "cpu_description", "encode_batches", "export_onnx", "kept_in_fp32"]

_RECIPE = ("torch.onnx opset 17, last_hidden_state; int8: quantize_dynamic per-channel QInt8 MatMul, "
           "feed-forward output MatMuls kept fp32; probe v2")  # fmt: skip
_BUILD_LIBRARIES = ("torch", "transformers", "onnx", "onnxruntime")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_FFN_OUTPUT = re.compile(r"layer\.\d+/output/dense/MatMul")
_PROBE_BATCH = 64
# instruction-set extensions ONNX Runtime chooses its integer kernels by (x86 and ARM names as Linux
# lists them in /proc/cpuinfo): int8 vectors can differ, slightly, between CPUs that differ in them
_INT8_FLAGS = ("avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", "asimd", "asimddp", "i8mm", "sve")


def cpu_description(cpuinfo: str | None = None) -> dict[str, Any]:
    r"""The CPU, as far as int8 inference depends on it: architecture, model and the int8-relevant extensions.

    ``cpuinfo`` is the text of ``/proc/cpuinfo`` (read when ``None``; absent outside Linux,
    where ``extensions`` is empty and the model is what :func:`platform.processor` says).

    Examples
    --------
    >>> info = cpu_description("model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma\n")
    >>> info["model"], info["extensions"]
    ('AMD EPYC', ['avx2'])
    >>> cpu_description("Features\t: fp asimd asimddp\n")["extensions"]
    ['asimd', 'asimddp']
    """
    import platform

    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            cpuinfo = ""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    flags = set((fields.get("flags") or fields.get("features") or "").split())
    model = fields.get("model name") or fields.get("cpu model") or platform.processor()
    return {"machine": platform.machine(), "model": model, "extensions": [f for f in _INT8_FLAGS if f in flags]}


def _missing(package: str) -> InputError:
    return InputError(None, f"the ONNX backend needs {package}, which nlpthemes installs: "
                            "pip install onnxruntime onnx")  # fmt: skip


def kept_in_fp32(node_names: Sequence[str]) -> list[str]:
    """The MatMul nodes left unquantised: each layer's feed-forward output projection.

    Examples
    --------
    >>> kept_in_fp32(["/inner/encoder/layer.0/output/dense/MatMul",
    ...               "/inner/encoder/layer.0/attention/output/dense/MatMul",
    ...               "/inner/encoder/layer.0/intermediate/dense/MatMul"])
    ['/inner/encoder/layer.0/output/dense/MatMul']
    """
    return [name for name in node_names if _FFN_OUTPUT.search(name) and "attention" not in name]


def _tokenizer(model_path: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding()
    return tokenizer


def encode_batches(
    run: Callable[[dict[str, NDArray[np.int64]]], Any], tokenizer: Any, texts: Sequence[str], *,
    pooling: str, normalise: bool, batch_size: int,
) -> NDArray[np.float32]:  # fmt: skip
    """Tokenise ``texts`` in batches, get each batch's last hidden state from ``run``, pool it."""
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer.encode_batch(list(texts[start : start + batch_size]))
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feed = {"input_ids": np.array([e.ids for e in batch], dtype=np.int64), "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64)}  # fmt: skip
        hidden = np.asarray(run(feed), dtype=np.float32)
        if pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        if normalise:
            pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        parts.append(pooled.astype(np.float32))
    return np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.float32)


def _session(path: Path) -> Any:
    try:
        import onnxruntime as ort
    except ImportError:
        raise _missing("onnxruntime") from None
    options = ort.SessionOptions()
    # idle threads sleep instead of spinning: on a machine shared with other work (or other
    # workers of a batch run) spinning burns cores for nothing
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    threads = os.environ.get("NLPTHEMES_ONNX_THREADS")
    if threads:
        options.intra_op_num_threads = int(threads)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _session_runner(session: Any) -> Callable[[dict[str, NDArray[np.int64]]], Any]:
    names = [i.name for i in session.get_inputs()]
    return lambda feed: session.run(None, {name: feed[name] for name in names})[0]


def export_onnx(model_path: Path, target: Path, *, quantize: bool) -> dict[str, Any]:
    """Export a sentence-transformers folder's transformer to ``target/model.onnx`` and probe it.

    With ``quantize``, ``model.onnx`` is the dynamic int8 version (the fp32
    export is removed). Returns what was done, for the record: the recipe,
    the file's sha256 and the probe result against the fp32 PyTorch model.
    """
    set_offline()
    import torch
    from transformers import AutoModel

    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        raise _missing("onnx and onnxruntime") from None

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    from nlpthemes.embed._st import _quiet_transformers

    pooling, normalise, max_length = pipeline_modules(Path(model_path))
    with _quiet_transformers(True):
        model = LastHidden(AutoModel.from_pretrained(str(model_path), local_files_only=True)).eval()
    tokenizer = _tokenizer(model_path, max_length)
    texts = probe_texts()

    def torch_run(feed: dict[str, NDArray[np.int64]]) -> Any:
        with torch.no_grad():
            return model(*(torch.from_numpy(feed[name]) for name in _INPUTS)).numpy()

    reference = encode_batches(torch_run, tokenizer, texts, pooling=pooling, normalise=normalise,
                               batch_size=_PROBE_BATCH)  # fmt: skip
    sample = {k: torch.from_numpy(v) for k, v in _tokenizer_sample(tokenizer).items()}
    fp32 = target / ("model_fp32.onnx" if quantize else "model.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, tuple(sample[name] for name in _INPUTS), str(fp32),
            input_names=list(_INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
            opset_version=17, dynamo=False,
        )  # fmt: skip
    kept: list[str] = []
    if quantize:
        import logging

        matmuls = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node if n.op_type == "MatMul"]
        kept = kept_in_fp32(matmuls)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # onnxruntime logs a pre-processing hint on the root logger
        try:
            quantize_dynamic(str(fp32), str(target / "model.onnx"), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul"], nodes_to_exclude=kept)  # fmt: skip
        finally:
            root.setLevel(level)
        fp32.unlink()
    session = _session(target / "model.onnx")
    vectors = encode_batches(_session_runner(session), tokenizer, texts, pooling=pooling, normalise=normalise,
                             batch_size=_PROBE_BATCH)  # fmt: skip
    return {"recipe": _RECIPE, "quantized": quantize, "source": str(model_path), "kept_fp32": kept,
            "sha256": file_sha256(target / "model.onnx"),
            "probe": {**probe_agreement(reference, vectors), "reference": "PyTorch fp32, same tokens"}}  # fmt: skip


def _tokenizer_sample(tokenizer: Any) -> dict[str, NDArray[np.int64]]:
    """Two tokenised example sentences: the inputs the export traces."""
    batch = tokenizer.encode_batch(["an example", "a longer example sentence"])
    return {"input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64)}  # fmt: skip


class OnnxEmbedder(SentenceTransformerEmbedder):
    """A sentence-transformers model run by ONNX Runtime on the CPU (fp32 export).

    Parameters are those of :class:`SentenceTransformerEmbedder`, with batches of
    32 sentences by default: on a CPU, smaller batches of length-sorted sentences
    carry less padding (about 15% faster than 64 on 2 cores; 128 is 10% slower). The export
    is built on first use from the verified packaged weights and kept in the
    nlpthemes cache folder (``$NLPTHEMES_CACHE_DIR/models``); vectors are cached
    under a key of their own, apart from the PyTorch model's.
    """

    backend = "onnx"
    libraries = ("onnxruntime", "tokenizers", "onnx", "torch")
    cpu_only: ClassVar[bool] = True
    quantize: ClassVar[bool] = False

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        batch_size: int = 32,
        progress: bool = False,
        fast_path: bool | None = None,
    ) -> None:
        super().__init__(model_path=model_path, spec=spec, device=device, batch_size=batch_size,
                         progress=progress, fast_path=fast_path)  # fmt: skip

    @property
    def derived_path(self) -> Path:
        """The folder of the exported model (built on first use)."""
        recipe = f"{_RECIPE}; quantize={self.quantize}"
        return derived_folder(self.backend, self.model_hash, recipe, _BUILD_LIBRARIES)

    def _fingerprint_parts(self) -> list[str]:
        return [*super()._fingerprint_parts(), f"recipe:{self.derived_path.name}"]

    def build(self, *, quiet: bool | None = None) -> dict[str, Any]:
        """Build the export if it is not there yet (once per machine); return its record.

        The record holds the recipe, the ONNX file's sha256 and the probe
        result (``record["probe"]["passed"]``).
        """
        pooling = pipeline_modules(Path(self.model_path))[0]
        if pooling == "unsupported":
            raise InputError(self.model_path, "the ONNX backend supports mean or CLS pooling only")
        folder = ensure_built(
            self.derived_path, lambda tmp: export_onnx(Path(self.model_path), tmp, quantize=self.quantize),
            what=f"the ONNX export of {self.name}", quiet=not self.progress if quiet is None else quiet,
        )  # fmt: skip
        record = read_record(folder)
        if record is None:  # pragma: no cover - ensure_built only returns complete folders
            raise ModelIntegrityError(f"{folder}: incomplete ONNX export; delete the folder")
        return record

    def _load_model(self) -> Any:
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InputError(None, f"batch_size: expected a positive int, got {self.batch_size!r}")
        record = self.build()
        onnx_file = self.derived_path / "model.onnx"
        if file_sha256(onnx_file) != record.get("sha256"):
            raise ModelIntegrityError(f"{onnx_file}: sha256 differs from the one recorded when it was built "
                                      f"(altered); delete {self.derived_path} to build it again")  # fmt: skip
        pooling, normalise, max_length = pipeline_modules(Path(self.model_path))
        self._device = "cpu"
        self._pooling, self._normalise = pooling, normalise
        return (_tokenizer(Path(self.model_path), max_length), _session_runner(_session(onnx_file)))

    def _model_dimension(self) -> int:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return int(self._encode_chunk(["probe"]).shape[1])

    def _encode_chunk(self, texts: list[str]) -> Any:
        tokenizer, run = self._model
        return encode_batches(run, tokenizer, texts, pooling=self._pooling, normalise=self._normalise,
                              batch_size=self.batch_size)  # fmt: skip

    def _runtime(self) -> dict[str, Any]:
        record = read_record(self.derived_path) or {}
        return {
            "device": "cpu", "batch_size": self.batch_size, "quantized": self.quantize,
            "onnx_file": str(self.derived_path / "model.onnx") if record else None,
            "onnx_sha256": record.get("sha256"), "probe": record.get("probe"),
            **({"cpu": cpu_description()} if self.quantize else {}),
        }  # fmt: skip


class OnnxInt8Embedder(OnnxEmbedder):
    """:class:`OnnxEmbedder` with int8 weights (dynamic quantisation): faster, slightly less exact."""

    backend = "onnx-int8"
    quantize: ClassVar[bool] = True

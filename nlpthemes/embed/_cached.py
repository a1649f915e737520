"""An embedder wrapper that never embeds the same text twice (with the same model)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.embed._batching import dedupe, encode_in_chunks
from nlpthemes.embed._cache import EmbeddingCache, text_key
from nlpthemes.embed._protocol import Embedder, as_text_list, check_matrix

__all__ = ["CachedEmbedder"]


class CachedEmbedder(ParamsMixin):
    """Wrap any :class:`Embedder` with a disk cache keyed by model and text.

    Texts repeated within a call are embedded once; texts seen before (in
    this or an earlier run, by this or another process) come from the cache.
    Missing texts go to the wrapped embedder in length-sorted chunks, and
    each chunk is stored as soon as it is done, so an interrupted run
    resumes where it stopped.

    Parameters
    ----------
    embedder : Embedder
        The model to wrap.
    cache_dir : str or Path or None, default=None
        Cache folder; ``None`` means ``$NLPTHEMES_CACHE_DIR`` or the user
        cache folder.
    key : str or None, default=None
        Key of this model's vectors in the cache; ``None`` uses
        ``embedder.model_hash``. Give a key that also covers any setting
        that changes the vectors.
    chunk_size : int or None, default=None
        Texts per call to the wrapped embedder (and per cache write);
        ``None`` asks the wrapped embedder (``preferred_chunk()``: 1024 for
        most, much more on the GPU fast path, which needs big batches).
    progress : bool, default=False
        Show a progress bar while embedding many missing texts.

    Examples
    --------
    >>> import tempfile
    >>> from nlpthemes.embed import FakeEmbedder
    >>> emb = CachedEmbedder(embedder=FakeEmbedder(dimension=4), cache_dir=tempfile.mkdtemp())
    >>> emb.encode(["a b", "c", "a b"]).shape
    (3, 4)
    >>> emb.encode(["c", "d"]).shape
    (2, 4)
    >>> emb.cache_stats()
    {'texts': 5, 'unique': 4, 'hits': 1, 'embedded': 3}
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        cache_dir: str | Path | None = None,
        key: str | None = None,
        chunk_size: int | None = None,
        progress: bool = False,
    ) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.key = key
        self.chunk_size = chunk_size
        self.progress = progress

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self.embedder.name

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self.embedder.dimension

    @property
    def model_hash(self) -> str:
        """The wrapped model's hash."""
        return self.embedder.model_hash

    @property
    def model_path(self) -> Path | None:
        """The wrapped model's folder."""
        return self.embedder.model_path

    @property
    def cache(self) -> EmbeddingCache:
        """The disk cache in use."""
        if getattr(self, "_cache", None) is None:
            self._cache = EmbeddingCache(folder=self.cache_dir)
        return self._cache

    def cache_stats(self) -> dict[str, int]:
        """Texts asked for, unique texts, cache hits and texts embedded, since construction."""
        stats = getattr(self, "_stats", None)
        return dict(stats) if stats else {"texts": 0, "unique": 0, "hits": 0, "embedded": 0}

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` (cached ones are read, not computed), rows in input order."""
        if self.chunk_size is not None and (not isinstance(self.chunk_size, int) or self.chunk_size < 1):
            raise ValueError(f"chunk_size must be a positive int, got {self.chunk_size!r}")
        items = as_text_list(texts)
        dimension = self.dimension
        if not items:
            return np.empty((0, dimension), dtype=np.float32)
        model = self.key or self.model_hash
        unique, rows = dedupe(items)
        keys = [text_key(t) for t in unique]
        found, cached = self.cache.lookup(model, keys, dimension=dimension)
        vectors = np.empty((len(unique), dimension), dtype=np.float32)
        vectors[found] = cached
        is_missing = np.ones(len(unique), dtype=bool)
        is_missing[found] = False
        missing = np.flatnonzero(is_missing).tolist()

        def embed_and_store(chunk: list[str]) -> NDArray[np.float32]:
            result = check_matrix(self.embedder.encode(chunk), len(chunk), dimension, self.name)
            self.cache.put_many(model, [text_key(t) for t in chunk], result)
            return result

        if missing:
            preferred = getattr(self.embedder, "preferred_chunk", None)
            chunk = self.chunk_size or (int(preferred()) if callable(preferred) else 1024)
            vectors[missing] = encode_in_chunks(
                embed_and_store, [unique[i] for i in missing], dimension=dimension,
                chunk_size=chunk, progress=self.progress,
                desc=f"embedding ({self.name})",
            )
        self._count(len(items), len(unique), len(unique) - len(missing), len(missing))
        return np.ascontiguousarray(vectors[rows])

    def _count(self, texts: int, unique: int, hits: int, embedded: int) -> None:
        stats = self.cache_stats()
        for name, value in (("texts", texts), ("unique", unique), ("hits", hits),
                            ("embedded", embedded)):
            stats[name] += value
        self._stats = stats

    def info(self) -> dict[str, Any]:
        """The wrapped model's ``info()`` plus the cache file and key."""
        return {
            **self.embedder.info(),
            "cache": {"path": str(self.cache.path), "key": self.key or self.model_hash},
        }

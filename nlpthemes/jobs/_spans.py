"""Sentence spans remembered in the nlpthemes cache, so a re-run does not split the same turns again.

Splitting is the slowest part of a re-run served from the embedding cache
(pysbd compiles regular expressions over and over: about 1 s per 2,500
sentences). The spans of each speaker turn are kept in the cache file under
a digest of the splitter's version, pysbd's version, the language and the
turn's text: offsets only, no text.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from importlib import metadata

from nlpthemes.embed._cache import EmbeddingCache
from nlpthemes.segment import SPLITTER_VERSION, Splitter, split_many

__all__ = ["cached_splitter", "span_key"]


@functools.lru_cache(maxsize=1)
def _pysbd_version() -> str:
    try:
        return metadata.version("pysbd")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        return "absent"


def span_key(text: str, language: str) -> bytes:
    """The key of one text's spans: what they depend on, digested.

    Examples
    --------
    >>> span_key("One. Two.", "en") == span_key("One. Two.", "de")
    False
    """
    head = f"spans v{SPLITTER_VERSION}\x00pysbd {_pysbd_version()}\x00{language}\x00"
    return hashlib.sha256((head + text).encode("utf-8")).digest()


def cached_splitter(cache: EmbeddingCache) -> Splitter:
    """A :data:`~nlpthemes.segment.Splitter` that looks spans up first and stores new ones.

    Examples
    --------
    >>> import tempfile
    >>> split = cached_splitter(EmbeddingCache(folder=tempfile.mkdtemp()))
    >>> split(["One. Two.", "Three"], "en") == split(["One. Two.", "Three"], "en") == split_many(["One. Two.", "Three"], "en")
    True
    """

    def split(texts: Sequence[str], language: str) -> list[list[tuple[int, int]]]:
        keys = [span_key(text, language) for text in texts]
        found = cache.get_spans(keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            new = dict(zip([keys[i] for i in missing], split_many([texts[i] for i in missing], language), strict=True))
            cache.put_spans(new)
            found.update(new)
        return [found[key] for key in keys]

    return split

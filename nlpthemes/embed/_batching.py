"""Shared encode plumbing: deduplicate, sort by length, work in chunks with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["PROGRESS_MIN", "dedupe", "encode_in_chunks"]

PROGRESS_MIN = 256  # fewer texts than this never show a progress bar


def dedupe(texts: Sequence[str]) -> tuple[list[str], NDArray[np.intp]]:
    """Unique texts (first-seen order) and, per input text, its row among them.

    Examples
    --------
    >>> unique, rows = dedupe(["a", "b", "a"])
    >>> unique, rows.tolist()
    (['a', 'b'], [0, 1, 0])
    """
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t, len(index)) for t in texts), np.intp, len(texts))
    return list(index), rows


def encode_in_chunks(
    encode: Callable[[list[str]], NDArray[np.float32]],
    texts: Sequence[str],
    *,
    dimension: int,
    chunk_size: int,
    progress: bool,
    desc: str = "embedding",
) -> NDArray[np.float32]:
    """Call ``encode`` on length-sorted chunks of ``texts``; rows come back in input order.

    Sorting by length before chunking keeps similar lengths together, so
    batches carry little padding; ``encode`` sees whole chunks and may
    batch further. Ties in length are broken by the text itself, so the same
    sentences are batched the same way in whatever order they come (the int8
    model's vectors move slightly with the sentences batched with them). A
    progress bar (tqdm, on stderr) counts sentences when ``progress`` is true
    and there are at least :data:`PROGRESS_MIN` texts.

    Examples
    --------
    >>> fake = lambda chunk: np.array([[len(t)] for t in chunk], dtype=np.float32)
    >>> encode_in_chunks(fake, ["ccc", "a", "bb"], dimension=1, chunk_size=2,
    ...                  progress=False).ravel().tolist()
    [3.0, 1.0, 2.0]
    """
    out = np.empty((len(texts), dimension), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), texts[i]))
    from tqdm.auto import tqdm

    with tqdm(
        total=len(texts), desc=desc, unit="sent",
        disable=not progress or len(texts) < PROGRESS_MIN,
    ) as bar:
        for start in range(0, len(order), chunk_size):
            rows = order[start : start + chunk_size]
            vectors = encode([texts[i] for i in rows])
            out[rows] = vectors
            bar.update(len(rows))
    return out

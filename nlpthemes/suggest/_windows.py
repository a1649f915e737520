"""Windows of neighbouring sentences: what the talk around a sentence is about.

Many coders code a passage, not a sentence: a code applied to one sentence is then very
likely on the next ones too, across speaker turns (an interviewer's question and the
answer that follows), while most sentences of the passage ("yes.", "go on.") never name
its topic. The judge therefore also reads each code's evidence averaged over windows of
neighbouring sentences of the same transcript (see :mod:`nlpthemes.suggest._pairs`); the
retriever's context vectors are window means too (:func:`nlpthemes.suggest._context.contextual`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["runs", "window_average", "window_mean", "window_sum"]


def runs(sentences: Sequence[Sentence]) -> NDArray[np.intp]:
    """Run number of each sentence: a run is consecutive sentences of one transcript.

    A new run starts where the transcript changes or a sentence is missing (its
    ``index`` does not follow the previous one), so windows never reach across a gap.

    Examples
    --------
    >>> s = [Sentence("a", 0, 0, 1, "x"), Sentence("a", 1, 2, 3, "y"), Sentence("a", 5, 9, 10, "z"),
    ...      Sentence("b", 6, 0, 1, "w")]
    >>> runs(s).tolist()
    [0, 0, 1, 2]
    """
    if not sentences:
        return np.zeros(0, dtype=np.intp)
    breaks = [False] + [b.transcript_id != a.transcript_id or b.index != a.index + 1
                        for a, b in zip(sentences[:-1], sentences[1:], strict=True)]  # fmt: skip
    return np.cumsum(np.asarray(breaks, dtype=np.intp))


def window_sum(values: NDArray[np.floating[Any]], run: NDArray[np.intp], width: int) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Sum and count of the rows within ``width`` rows on either side in the same run, the row included.

    Examples
    --------
    >>> sums, counts = window_sum(np.array([[1.0], [2.0], [4.0], [8.0]]), np.array([0, 0, 0, 1]), 1)
    >>> sums.ravel().tolist(), counts.tolist()
    ([3.0, 7.0, 6.0, 8.0], [2, 3, 2, 1])
    """
    x: NDArray[np.float64] = np.asarray(values, dtype=np.float64)
    n = len(x)
    if n == 0:
        return x.copy(), np.zeros(0, dtype=np.intp)
    row = np.arange(n)
    first = np.flatnonzero(np.diff(run, prepend=run[0] - 1))  # where each run starts
    which = np.searchsorted(first, row, side="right") - 1  # each row's run
    begin, end = first[which], np.append(first[1:], n)[which]
    lo, hi = np.maximum(row - width, begin), np.minimum(row + width + 1, end)
    total = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    return np.asarray(total[hi] - total[lo], dtype=np.float64), np.asarray(hi - lo, dtype=np.intp)


def window_average(values: NDArray[np.floating[Any]], run: NDArray[np.intp], width: int, *,
                   columns: int = 64) -> NDArray[np.float32]:  # fmt: skip
    """Mean of the rows within ``width`` rows on either side in the same run, the row included, as float32.

    The same values as ``window_sum`` divided by its counts, cast to float32, computed a block of
    ``columns`` columns at a time: wide sentence vectors (896 numbers for ``minilm-use``) then
    need one float32 copy instead of several float64 ones (context vectors of CTRL+Shift's 9,657
    sentences: a peak of 103 MB instead of 312).

    Examples
    --------
    >>> v = np.array([[1.0, 0.0], [2.0, 1.0], [4.0, 0.0], [8.0, 1.0]], dtype=np.float32)
    >>> means = window_average(v, np.array([0, 0, 0, 1]), 1, columns=1)
    >>> means.dtype, means.astype(float).round(3).tolist()
    (dtype('float32'), [[1.5, 0.5], [2.333, 0.333], [3.0, 0.5], [8.0, 1.0]])
    """
    n = len(values)
    out = np.empty((n, values.shape[1]), dtype=np.float32)
    if n == 0:
        return out
    for start in range(0, values.shape[1], columns):
        sums, counts = window_sum(values[:, start : start + columns], run, width)
        out[:, start : start + columns] = (sums / counts[:, None]).astype(np.float32)
    return out


def window_mean(values: NDArray[np.floating[Any]], run: NDArray[np.intp], width: int) -> NDArray[np.float64]:
    """Mean of the rows within ``width`` rows on either side in the same run, the row itself left out.

    A row with no neighbour in its run keeps its own value.

    Examples
    --------
    >>> v = np.array([[1.0], [2.0], [4.0], [8.0]])
    >>> window_mean(v, np.array([0, 0, 0, 1]), 1).ravel().tolist()
    [2.0, 2.5, 2.0, 8.0]
    """
    values = np.asarray(values, dtype=np.float64)
    sums, counts = window_sum(values, run, width)
    others = (counts - 1)[:, None]
    return np.asarray(np.where(others > 0, (sums - values) / np.maximum(others, 1), values), dtype=np.float64)

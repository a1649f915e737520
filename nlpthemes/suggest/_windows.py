"""Windows of neighbouring sentences: what the talk around a sentence is about.

Many coders code a passage, not a sentence: a code applied to one sentence is then very
likely on the next ones too, across speaker turns (an interviewer's question and the
answer that follows), while most sentences of the passage ("yes.", "go on.") never name
its topic. The judge therefore also reads each code's evidence averaged over windows of
neighbouring sentences of the same transcript (see :mod:`nlpthemes.suggest._pairs`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["runs", "window_mean"]


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


def window_mean(values: NDArray[np.float64], run: NDArray[np.intp], width: int) -> NDArray[np.float64]:
    """Mean of the rows within ``width`` rows on either side in the same run, the row itself left out.

    A row with no neighbour in its run keeps its own value.

    Examples
    --------
    >>> v = np.array([[1.0], [2.0], [4.0], [8.0]])
    >>> window_mean(v, np.array([0, 0, 0, 1]), 1).ravel().tolist()
    [2.0, 2.5, 2.0, 8.0]
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n == 0:
        return values.copy()
    row = np.arange(n)
    first = np.flatnonzero(np.diff(run, prepend=run[0] - 1))  # where each run starts
    which = np.searchsorted(first, row, side="right") - 1  # each row's run
    begin, end = first[which], np.append(first[1:], n)[which]
    lo, hi = np.maximum(row - width, begin), np.minimum(row + width + 1, end)
    total = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    count = (hi - lo - 1)[:, None]
    sums = total[hi] - total[lo] - values
    return np.asarray(np.where(count > 0, sums / np.maximum(count, 1), values), dtype=np.float64)


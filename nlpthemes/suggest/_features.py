"""Features of a (sentence, code) similarity that a pooled calibrator maps to a probability.

The features describe how a code's similarity stands out, for this sentence
(rank, margin to the best code, z-score across codes) and for this code
(z-score across the corpus), so one calibrator serves every code, including
codes no human has applied yet.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["N_FEATURES", "similarity_features"]

N_FEATURES = 7


def similarity_features(
    scores: NDArray[np.float32], column_mean: NDArray[np.float32], column_std: NDArray[np.float32]
) -> NDArray[np.float64]:
    """Features of shape ``(n, k, 7)`` from cosine similarities ``(n, k)``.

    Examples
    --------
    >>> s = np.array([[0.5, 0.1], [0.2, 0.4]], dtype=np.float32)
    >>> f = similarity_features(s, s.mean(0), s.std(0))
    >>> f.shape, float(f[0, 0, 4]), float(f[0, 1, 4])
    ((2, 2, 7), 1.0, 0.0)
    """
    s = np.asarray(scores, dtype=np.float64)
    z_col = (s - column_mean) / np.maximum(column_std, 1e-6)
    row_mean = s.mean(axis=1, keepdims=True)
    row_std = np.maximum(s.std(axis=1, keepdims=True), 1e-6)
    rank = np.argsort(np.argsort(-s, axis=1, kind="stable"), axis=1, kind="stable")
    margin = s - s.max(axis=1, keepdims=True)
    return np.stack(
        [s, z_col, (s - row_mean) / row_std, margin, rank == 0, rank < 3, np.log1p(rank)], axis=-1
    ).astype(np.float64)

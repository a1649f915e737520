"""Cross-fitted choices: how much to trust human examples, the calibrator, the threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence
from nlpthemes.suggest._context import normalise

__all__ = ["folds", "mean_kappa", "prototypes"]


def prototypes(
    code_vectors: NDArray[np.float32],
    vectors: NDArray[np.float32],
    labels: NDArray[np.bool_],
    weight: float,
) -> NDArray[np.float32]:
    """Code vectors moved towards the mean of the sentences humans coded with them.

    The pull grows with the number of examples (full ``weight`` from five on),
    so one odd example cannot drag a code away from its definition.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0]], dtype=np.float32)
    >>> x = np.array([[0.0, 1.0]], dtype=np.float32)
    >>> prototypes(c, x, np.array([[True]]), 5.0).astype(float).round(2).tolist()
    [[0.71, 0.71]]
    """
    out = np.array(code_vectors, dtype=np.float32, copy=True)
    if weight > 0 and len(vectors):
        counts = labels.sum(axis=0)
        sums = labels.T.astype(np.float32) @ vectors
        for j in np.nonzero(counts)[0]:
            mean = sums[j] / counts[j]
            norm = float(np.linalg.norm(mean)) or 1.0
            out[j] = out[j] + weight * min(1.0, counts[j] / 5.0) * mean / norm
    return normalise(out)


def folds(sentences: Sequence[Sentence], rows: NDArray[np.intp], n_folds: int = 5) -> NDArray[np.intp]:
    """Fold of each training row: by transcript when there are at least three,
    else contiguous blocks (neighbouring sentences share codes, so random
    splits would leak).

    Examples
    --------
    >>> s = [Sentence(t, i, 0, 1, "x") for t in "abc" for i in range(2)]
    >>> folds(s, np.arange(6)).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    ids = sorted({sentences[i].transcript_id for i in rows})
    if len(ids) >= 3:
        fold_of = {t: k % n_folds for k, t in enumerate(ids)}
        return np.array([fold_of[sentences[i].transcript_id] for i in rows], dtype=np.intp)
    n = max(2, min(n_folds, len(rows)))
    return (np.arange(len(rows)) * n // max(len(rows), 1)).astype(np.intp)


def mean_kappa(labels: NDArray[np.bool_], applied: NDArray[np.bool_]) -> float:
    """Mean over codes (with at least one positive label) of Cohen's kappa, vectorised.

    Examples
    --------
    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    >>> mean_kappa(y, y), round(mean_kappa(y, ~y), 2)
    (1.0, -0.8)
    """
    y = labels.astype(np.float64)
    a = applied.astype(np.float64)
    n = len(y)
    if n == 0:
        return float("nan")
    present = y.sum(axis=0) > 0
    if not present.any():
        return float("nan")
    po = ((y == a).sum(axis=0)) / n
    py, pa = y.mean(axis=0), a.mean(axis=0)
    pe = py * pa + (1 - py) * (1 - pa)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(pe < 1, (po - pe) / (1 - pe), np.where(po == 1, 1.0, 0.0))
    return float(kappa[present].mean())

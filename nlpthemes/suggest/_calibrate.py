"""Cross-fitted choices: how much to trust human examples, the calibrator, the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence
from nlpthemes.suggest._context import normalise

__all__ = ["fit_calibrator", "folds", "mean_kappa", "prototypes"]

_MAX_ROWS = 40_000


def fit_calibrator(features: NDArray[np.float64], target: NDArray[np.bool_], *, seed: int = 0) -> Any:
    """Logistic calibrator on (sentence, code) rows; large inputs keep every positive
    and a seeded sample of negatives, weighted back so probabilities stay calibrated.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(100_000, 1)); y = x[:, 0] + rng.normal(size=100_000) > 2
    >>> p = fit_calibrator(x, y).predict_proba(x)[:, 1]
    >>> round(float(p.mean()), 2), round(float(y.mean()), 2)
    (0.08, 0.08)
    """
    from sklearn.linear_model import LogisticRegression

    # Newton steps (Cholesky) for seven features: a few iterations to the exact optimum,
    # where L-BFGS took about seventy on these badly scaled features and stopped short of it
    model = LogisticRegression(max_iter=2000, solver="newton-cholesky")
    if len(target) <= _MAX_ROWS:
        return model.fit(features, target)
    positives = np.nonzero(target)[0]
    negatives = np.nonzero(~target)[0]
    room = max(_MAX_ROWS - len(positives), 1000)
    rate = min(1.0, room / max(len(negatives), 1))
    kept = np.random.default_rng(seed).choice(negatives, size=int(rate * len(negatives)), replace=False)
    rows = np.concatenate([positives, kept])
    weights = np.where(target[rows], 1.0, 1.0 / rate)
    return model.fit(features[rows], target[rows], sample_weight=weights)


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

"""Turning pair probabilities into decisions: candidates, thresholds per code, honest choices.

* :func:`candidate_count` - how many retrieved candidates the judge must read so that the
  coder's code is among them for a given share of coded sentences;
* :func:`choose_thresholds` - the global threshold that maximises mean per-code kappa,
  and one threshold per code, shrunk towards the global one by how few examples it has;
* :func:`adapted_thresholds` - per code, the threshold with the best *expected* kappa on the
  sentences being decided, from their calibrated probabilities (no codes needed);
* :func:`choose_floor` - whether a sentence no code reaches should still get its best code
  (coders who give every answer a code), as out-of-fold kappa says.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nlpthemes.suggest._calibrate import mean_kappa

__all__ = ["FLOORS", "MIN_EXPECTED", "THRESHOLDS", "adapted_thresholds", "apply_floor", "candidate_count", "choose_floor", "choose_thresholds", "top_candidates"]

THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.04, 0.81, 0.02), 2))
FLOORS = (0.0, 0.1, 0.2, 0.3)  # least probability of a sentence's best code for it to be applied when none is
_FLOOR_GAIN = 0.002  # out-of-fold kappa a floor must add to be used (smaller gains are noise)
MIN_EXPECTED = 2.0  # expected applications of a code among the sentences before its threshold adapts to them


def top_candidates(scores: NDArray[np.float64], k: int) -> NDArray[np.bool_]:
    """Mask of each row's ``k`` best-scoring columns (ties broken by column order).

    Examples
    --------
    >>> top_candidates(np.array([[0.1, 0.5, 0.3]]), 2).tolist()
    [[False, True, True]]
    """
    k = max(1, min(int(k), scores.shape[1]))
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    mask = np.zeros(scores.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask


def candidate_count(scores: NDArray[np.float64], labels: NDArray[np.bool_], recall: float) -> tuple[int, float]:
    """Smallest ``k`` such that, for ``recall`` of the coded sentences, every human code is in the top ``k``.

    Returns ``(k, achieved recall)``; sentences without a code do not count.

    Examples
    --------
    >>> s = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.1, 0.4]])
    >>> y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    >>> candidate_count(s, y, 0.9)
    (2, 1.0)
    """
    coded = labels.any(axis=1)
    n_codes = scores.shape[1]
    if not coded.any():
        return n_codes, float("nan")
    rank = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
    worst = np.where(labels, rank, -1).max(axis=1)[coded] + 1  # rank of the lowest human code, 1-based
    for k in range(1, n_codes + 1):
        achieved = float((worst <= k).mean())
        if achieved >= recall:
            return k, achieved
    return n_codes, 1.0


def choose_thresholds(
    labels: NDArray[np.bool_], proba: NDArray[np.float64], *, shrink: float = 10.0
) -> tuple[float, NDArray[np.float64], float]:
    """Global threshold, per-code thresholds and the kappa they reach on these (held-out) scores.

    Each code's own kappa-best threshold is pulled towards the global one as
    ``(n_j * t_j + shrink * t) / (n_j + shrink)``, ``n_j`` its number of positive examples,
    so a code seen twice keeps (almost) the global threshold.

    Examples
    --------
    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    >>> p = np.array([[0.9, 0.1], [0.2, 0.3], [0.6, 0.2], [0.1, 0.1]])
    >>> t, per_code, kappa = choose_thresholds(y, p)
    >>> round(t, 2), per_code.shape, kappa
    (0.22, (2,), 1.0)
    """
    kappas = [mean_kappa(labels, proba >= t) for t in THRESHOLDS]
    best = THRESHOLDS[int(np.nanargmax(kappas))] if not np.all(np.isnan(kappas)) else 0.5
    per_code = np.full(labels.shape[1], best)
    for j in np.nonzero(labels.any(axis=0))[0]:
        own = [mean_kappa(labels[:, [j]], proba[:, [j]] >= t) for t in THRESHOLDS]
        n = float(labels[:, j].sum())
        per_code[j] = (n * THRESHOLDS[int(np.nanargmax(own))] + shrink * best) / (n + shrink)
    kappa = mean_kappa(labels, proba >= per_code)
    return float(best), per_code, float(kappa)


def adapted_thresholds(
    proba: NDArray[np.float64], fitted: NDArray[np.float64], *, min_expected: float = MIN_EXPECTED
) -> NDArray[np.float64]:
    """Per code, the threshold of :data:`THRESHOLDS` whose *expected* kappa on these sentences is best.

    With calibrated probabilities ``p``, applying a code where ``p >= t`` is expected to
    agree with the coder on ``sum(p)`` of the applied sentences and to miss ``sum(p)``
    of the others; Cohen's kappa of those expected counts is a plug-in estimate of the
    kappa each threshold would reach. Choosing it on the sentences being decided adapts
    each code to how common it is *there*, and to how sure the judge is on sentences it
    did not learn from (it learned its thresholds out of fold). No human code is read.
    A code expected fewer than ``min_expected`` times keeps its ``fitted`` threshold
    (too little to estimate from).

    Examples
    --------
    The first code is expected about 2.7 times: its threshold moves so that the three
    likely sentences get it; the second (0.5 expected) keeps its own:

    >>> p = np.array([[0.9, 0.1], [0.8, 0.1], [0.6, 0.1], [0.3, 0.1], [0.05, 0.1]])
    >>> adapted_thresholds(p, np.array([0.7, 0.5])).round(2).tolist()
    [0.32, 0.5]
    """
    proba = np.asarray(proba, dtype=np.float64)
    out = np.array(fitted, dtype=np.float64, copy=True)
    n = len(proba)
    if n == 0:
        return out
    grid = np.asarray(THRESHOLDS)
    for j in np.nonzero(proba.sum(axis=0) >= min_expected)[0]:
        ordered = np.sort(proba[:, j])
        above = n - np.searchsorted(ordered, grid, side="left")  # sentences with p >= t
        mass = np.concatenate([[0.0], np.cumsum(ordered[::-1])])  # probability of the most likely m
        a = mass[above]  # expected agreements on applying
        b = above - a  # applied, expected not the coder's
        c = mass[-1] - a  # not applied, expected the coder's
        d = (n - above) - c
        denominator = (a + b) * (b + d) + (a + c) * (c + d)
        kappa = np.where(denominator > 0, 2 * (a * d - b * c) / np.maximum(denominator, 1e-300), -np.inf)
        if np.isfinite(kappa).any():
            out[j] = grid[int(np.argmax(kappa))]
    return out


def apply_floor(proba: NDArray[np.float64], applied: NDArray[np.bool_], floor: float | None) -> NDArray[np.bool_]:
    """``applied``, plus each uncoded row's best code where its probability reaches ``floor``.

    ``floor=None`` leaves ``applied`` as it is.

    Examples
    --------
    >>> p = np.array([[0.6, 0.1], [0.15, 0.25], [0.02, 0.01]])
    >>> apply_floor(p, p >= 0.5, 0.1).tolist()
    [[True, False], [False, True], [False, False]]
    """
    if floor is None or proba.size == 0:
        return applied
    best = np.zeros(proba.shape, dtype=bool)
    np.put_along_axis(best, proba.argmax(axis=1)[:, None], True, axis=1)
    empty = ~applied.any(axis=1, keepdims=True)
    return np.asarray(applied | (best & empty & (proba >= floor)), dtype=bool)


def choose_floor(
    labels: NDArray[np.bool_], proba: NDArray[np.float64], thresholds: NDArray[np.float64]
) -> float | None:
    """The floor of :data:`FLOORS` that most raises mean kappa on these held-out scores, or ``None``.

    Where the coder gives nearly every sentence a code (survey answers, utterance
    codes), a sentence that no code reaches is better given its best code; where
    most sentences stay uncoded (interviews), it is not. A floor must add at least
    0.002 kappa to be chosen.

    Examples
    --------
    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)
    >>> p = np.array([[0.9, 0.1], [0.2, 0.3], [0.4, 0.2], [0.1, 0.6]])
    >>> choose_floor(y, p, np.array([0.5, 0.5]))
    0.0
    >>> choose_floor(y, p, np.array([0.3, 0.3])) is None
    True
    """
    applied = proba >= thresholds
    best, best_kappa = None, mean_kappa(labels, applied) + _FLOOR_GAIN
    for floor in FLOORS:
        kappa = mean_kappa(labels, apply_floor(proba, applied, floor))
        if kappa > best_kappa + 1e-12:
            best, best_kappa = floor, kappa
    return best

"""Two-coder coefficients from the contingency table: Cohen's kappa and Scott's pi."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.agreement._ratings import Ratings, as_ratings, require_pairable
from nlpthemes.agreement._stats import Outcome, StatBuilder, UnitStatistic
from nlpthemes.agreement._validation import WEIGHTS, check_option, resolve_undefined
from nlpthemes.errors import InputError

__all__ = ["agreement_weights", "cohen_kappa", "kappa_from_table", "kappa_from_tables", "scott_pi", "table_statistic"]

_ONE_CATEGORY = "both coders used one and the same single category, so chance agreement is 1 (0/0)"


def agreement_weights(n_categories: int, weights: str) -> NDArray[np.float64]:
    """Agreement weights ``w[i, j]`` (1 on the diagonal) for Cohen's (1968) weighted kappa.

    ``linear``: ``1 - |i - j| / (q - 1)``; ``quadratic``: ``1 - (i - j)**2 / (q - 1)**2``,
    on the categories' positions in their declared order (as Gwet 2014 and
    scikit-learn do).

    Examples
    --------
    >>> agreement_weights(3, "linear").tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    check_option("weights", weights, WEIGHTS)
    q = n_categories
    if weights == "none" or q < 2:
        return np.eye(q)
    pos = np.arange(q, dtype=np.float64)
    diff = np.abs(pos[:, None] - pos[None, :]) / (q - 1)
    return 1.0 - (diff if weights == "linear" else diff**2)


def kappa_from_table(
    table: NDArray[np.float64], *, weights: NDArray[np.float64], scott: bool = False
) -> Outcome:
    """Cohen's (or, with ``scott=True``, Scott's) coefficient from a square count table."""
    total = table.sum()
    if total <= 0:
        return math.nan, "no unit is coded by both coders"
    p = table / total
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    if scott:
        mean = (rows + cols) / 2.0
        expected = np.outer(mean, mean)
    else:
        expected = np.outer(rows, cols)
    # (po - pe) / (1 - pe) written with disagreements, so perfect agreement is exactly 1
    disagreement = 1.0 - weights
    observed = float((disagreement * table).sum() / total)
    chance = float((disagreement * expected).sum())
    if chance <= 1e-12:
        return math.nan, _ONE_CATEGORY
    return 1.0 - observed / chance, None


def kappa_from_tables(
    tables: NDArray[np.float64], *, weights: NDArray[np.float64], scott: bool = False
) -> NDArray[np.float64]:
    """:func:`kappa_from_table` of each table in a stack (shape (n, K, K)) at once; NaN where undefined.

    Examples
    --------
    >>> w = agreement_weights(2, "none")
    >>> tables = np.array([[[3.0, 1.0], [0.0, 4.0]], [[2.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]])
    >>> kappa_from_tables(tables, weights=w).round(4).tolist()
    [0.75, nan, nan]
    >>> round(kappa_from_table(tables[0], weights=w)[0], 4)
    0.75
    """
    tables = np.asarray(tables, dtype=np.float64)
    total = tables.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1.0)
    p = tables / safe[:, None, None]
    rows, cols = p.sum(axis=2), p.sum(axis=1)
    if scott:
        mean = (rows + cols) / 2.0
        expected = mean[:, :, None] * mean[:, None, :]
    else:
        expected = rows[:, :, None] * cols[:, None, :]
    disagreement = 1.0 - weights
    observed = (disagreement * tables).sum(axis=(1, 2)) / safe
    chance = (disagreement * expected).sum(axis=(1, 2))
    defined = (total > 0) & (chance > 1e-12)
    return np.where(defined, 1.0 - observed / np.where(defined, chance, 1.0), np.nan)


def table_statistic(
    ratings: Ratings, *, weights: str = "none", scott: bool = False
) -> UnitStatistic:
    """Per-unit cells of the two coders' contingency table, and the coefficient of the table."""
    if ratings.n_coders != 2:
        name = "Scott's pi" if scott else "Cohen's kappa"
        raise InputError(
            None,
            f"{name} compares exactly two coders, got {ratings.n_coders}; "
            "use fleiss_kappa or krippendorff_alpha for more",
        )
    check_option("weights", weights, WEIGHTS)
    if weights != "none" and not ratings.ordered:
        raise InputError(
            None,
            f"weights={weights!r} needs the order of the categories: "
            "declare them with categories= (the values are not numbers)",
        )
    k = ratings.n_categories
    w = agreement_weights(k, weights)
    both = np.nonzero((ratings.codes >= 0).all(axis=1))[0]
    builder = StatBuilder(n_units=ratings.n_units, n_slots=k * k)
    cells = ratings.codes[both, 0] * k + ratings.codes[both, 1]
    builder.add(both, cells, np.ones(both.size))

    def finish(sums: NDArray[np.float64]) -> Outcome:
        return kappa_from_table(sums.reshape(k, k), weights=w, scott=scott)

    def finish_rows(sums: NDArray[np.float64]) -> NDArray[np.float64]:
        return kappa_from_tables(sums.reshape(-1, k, k), weights=w, scott=scott)

    return builder.build(finish, finish_rows)


def _two_coders(ratings: Any, categories: Sequence[Hashable] | None) -> Ratings:
    r = as_ratings(ratings, categories=categories)
    require_pairable(r)
    return r


def cohen_kappa(
    ratings: Any,
    *,
    weights: str = "none",
    categories: Sequence[Hashable] | None = None,
    on_undefined: str = "warn",
) -> float:
    """Cohen's kappa (1960), optionally weighted (Cohen 1968), for two coders.

    Units coded by only one of the two are left out. Computed from the
    contingency table (not with :func:`sklearn.metrics.cohen_kappa_score`) so the
    bootstrap can re-weight units and the 0/0 case is reported instead of
    returning NaN with a division warning; the values equal scikit-learn's
    (tested).

    Parameters
    ----------
    ratings : array-like, shape (n_units, 2)
        The two coders' labels, one row per unit (``list(zip(coder1, coder2))``).
    weights : {"none", "linear", "quadratic"}
        Disagreement weights on the categories' positions.
    categories : sequence, optional
        Declared categories in order (needed for weights on non-numeric labels).
    on_undefined : {"warn", "raise"}
        When both coders used one single category kappa is 0/0: NaN with a
        warning, or raise.

    Examples
    --------
    Cohen (1960), *Educational and Psychological Measurement* 20(1), Table 1
    (200 units, 3 categories): kappa = 0.492.

    >>> table = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
    >>> rows = [(i, j) for i in range(3) for j in range(3) for _ in range(table[i][j])]
    >>> round(cohen_kappa(rows), 3)
    0.492
    """
    r = _two_coders(ratings, categories)
    return resolve_undefined(
        "cohen_kappa", table_statistic(r, weights=weights).evaluate(), on_undefined
    )


def scott_pi(
    ratings: Any, *, categories: Sequence[Hashable] | None = None, on_undefined: str = "warn"
) -> float:
    """Scott's (1955) pi for two coders: chance from the coders' pooled category shares.

    Parameters
    ----------
    ratings : array-like, shape (n_units, 2)
    categories : sequence, optional
    on_undefined : {"warn", "raise"}

    Examples
    --------
    Artstein & Poesio (2008), example 1: pi = 0.341.

    >>> a = ["IReq"] * 30 + ["STAT"] * 70
    >>> b = ["IReq"] * 20 + ["STAT"] * 10 + ["IReq"] * 20 + ["STAT"] * 50
    >>> round(scott_pi(list(zip(a, b))), 3)
    0.341
    """
    r = _two_coders(ratings, categories)
    return resolve_undefined("scott_pi", table_statistic(r, scott=True).evaluate(), on_undefined)

"""Percent agreement, Fleiss' kappa, Gwet's AC1 and Brennan-Prediger for any number of coders.

All four share Gwet's (2014) treatment of missing ratings: observed agreement
``p_a`` is the mean, over units coded by two or more coders, of the share of
agreeing coder pairs; the category shares ``pi_k`` behind the chance term are
the mean over every coded unit of ``r_uk / r_u``. With complete data these are
the textbook formulas (Fleiss 1971 for kappa).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.agreement._ratings import Ratings, as_ratings, require_pairable
from nlpthemes.agreement._stats import Outcome, StatBuilder, UnitStatistic, compact_slots
from nlpthemes.agreement._validation import resolve_undefined
from nlpthemes.errors import InputError

__all__ = [
    "agreement_statistic",
    "brennan_prediger",
    "fleiss_kappa",
    "gwet_ac1",
    "percent_agreement",
]

_ONE_CATEGORY = "every rating is the same single category, so chance agreement is 1 (0/0)"
_NO_PAIRS = "no unit is coded by two or more coders"


def _resolve_q(ratings: Ratings, n_categories: int | None) -> int:
    if n_categories is None:
        return ratings.n_categories
    if isinstance(n_categories, bool) or not isinstance(n_categories, int) or n_categories < 1:
        raise InputError(None, f"n_categories must be a positive integer, got {n_categories!r}")
    used = int(np.unique(ratings.codes[ratings.codes >= 0]).size)
    if n_categories < used:
        raise InputError(
            None, f"n_categories={n_categories} is smaller than the {used} categories in the data"
        )
    return n_categories


def agreement_statistic(
    ratings: Ratings, *, chance: str, n_categories: int | None = None
) -> UnitStatistic:
    """The per-unit sums behind percent agreement and the ``kappa``-type coefficients.

    Slots: 0 = sum of per-unit agreement, 1 = number of pairable units,
    2..2+K = sum of category shares, 2+K = number of coded units.
    """
    k = ratings.n_categories
    q = _resolve_q(ratings, n_categories)
    n = ratings.n_units
    rows, cols = np.nonzero(ratings.codes >= 0)
    flat = rows * k + ratings.codes[rows, cols]
    cells, inverse = compact_slots(flat, n * k)
    count = np.bincount(inverse, minlength=cells.size)
    cell_unit, cell_cat = cells // k, cells % k
    count = count.astype(np.float64)
    rated = np.bincount(rows, minlength=n).astype(np.float64)
    agreeing = np.bincount(cell_unit, weights=count * (count - 1.0), minlength=n)
    builder = StatBuilder(n_units=n, n_slots=3 + k)
    pairable = np.nonzero(rated >= 2)[0]
    m = rated[pairable]
    builder.add(pairable, np.zeros_like(pairable), agreeing[pairable] / (m * (m - 1.0)))
    builder.add(pairable, np.ones_like(pairable), np.ones(pairable.size))
    builder.add(cell_unit, 2 + cell_cat, count / rated[cell_unit])
    coded = np.nonzero(rated >= 1)[0]
    builder.add(coded, np.full(coded.size, 2 + k), np.ones(coded.size))

    def finish(sums: NDArray[np.float64]) -> Outcome:
        if sums[1] <= 0:
            return math.nan, _NO_PAIRS
        pa = float(sums[0] / sums[1])
        if chance == "none":
            return pa, None
        pi = sums[2 : 2 + k] / sums[2 + k]
        if chance == "fleiss":
            pe = float(np.dot(pi, pi))
            if pe >= 1.0 - 1e-12:
                return math.nan, _ONE_CATEGORY
        elif q < 2:
            return math.nan, (
                "only one category is known, so chance agreement cannot be estimated; "
                "declare the categories of the codebook"
            )
        elif chance == "gwet":
            pe = float(np.dot(pi, 1.0 - pi) / (q - 1))
        else:
            pe = 1.0 / q
        return (pa - pe) / (1.0 - pe), None

    return builder.build(finish)


def _compute(
    ratings: Any,
    *,
    chance: str,
    metric: str,
    categories: Sequence[Hashable] | None,
    n_categories: int | None,
    on_undefined: str,
) -> float:
    r = as_ratings(ratings, categories=categories)
    require_pairable(r)
    stat = agreement_statistic(r, chance=chance, n_categories=n_categories)
    return resolve_undefined(metric, stat.evaluate(), on_undefined)


def percent_agreement(ratings: Any) -> float:
    """Observed agreement: the mean share of agreeing coder pairs per unit.

    For two coders this is the share of units on which they agree; for more it
    is pairwise (Fleiss 1971's ``P_i``, Gwet 2014's ``p_a``). Units coded by
    fewer than two coders are left out.

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
        ``None``/``NaN`` where a coder did not code a unit.

    Returns
    -------
    float

    Examples
    --------
    Artstein & Poesio (2008), *Computational Linguistics* 34(4), example 1 (Table
    p. 559): two coders agree on 70 of 100 utterances.

    >>> a = ["IReq"] * 20 + ["IReq"] * 10 + ["STAT"] * 20 + ["STAT"] * 50
    >>> b = ["IReq"] * 20 + ["STAT"] * 10 + ["IReq"] * 20 + ["STAT"] * 50
    >>> percent_agreement(list(zip(a, b)))
    0.7
    """
    r = as_ratings(ratings)
    require_pairable(r)
    value, _ = agreement_statistic(r, chance="none").evaluate()
    return value


def fleiss_kappa(ratings: Any, *, on_undefined: str = "warn") -> float:
    """Fleiss' (1971) kappa for two or more coders, with Gwet's (2014) handling of missing ratings.

    Computed here rather than with ``statsmodels.stats.inter_rater.fleiss_kappa``
    because statsmodels assumes every unit has the same number of ratings (it
    takes the largest row total as the number of raters), which is wrong with
    missing data; on complete data the two agree (tested).

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
    on_undefined : {"warn", "raise"}
        When every rating is one single category the coefficient is 0/0: return
        NaN with an :class:`UndefinedAgreementWarning`, or raise.

    Examples
    --------
    Wikipedia, "Fleiss' kappa", worked example (10 subjects, 14 raters, 5
    categories): kappa = 0.210.

    >>> counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...           [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...           [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> rows = [[c + 1 for c, n in enumerate(row) for _ in range(n)] for row in counts]
    >>> round(fleiss_kappa(rows), 3)
    0.21
    """
    return _compute(
        ratings,
        chance="fleiss",
        metric="fleiss_kappa",
        categories=None,
        n_categories=None,
        on_undefined=on_undefined,
    )


def gwet_ac1(
    ratings: Any,
    *,
    categories: Sequence[Hashable] | None = None,
    n_categories: int | None = None,
    on_undefined: str = "warn",
) -> float:
    """Gwet's AC1 (Gwet 2008; 2014) for two or more coders, missing ratings allowed.

    Chance agreement is ``sum_k pi_k (1 - pi_k) / (q - 1)``, where ``q`` is the
    number of categories: the declared ones (``categories`` or ``n_categories``,
    i.e. the codebook's size) when given, else those observed.

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
    categories : sequence, optional
        The declared categories; values outside them are an error.
    n_categories : int, optional
        The number of categories, when only that is known.
    on_undefined : {"warn", "raise"}
        With a single known category the coefficient is undefined.

    Examples
    --------
    Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed.: 4 raters, 12
    units with missing ratings (irrCAC's ``cac.raw4raters``, the same data as
    Krippendorff 2011, sec. C): AC1 = 0.7754.

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
    ...         [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
    ...         [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, None, 3, None]]
    >>> round(gwet_ac1(data), 4)
    0.7754
    """
    return _compute(
        ratings,
        chance="gwet",
        metric="gwet_ac1",
        categories=categories,
        n_categories=n_categories,
        on_undefined=on_undefined,
    )


def brennan_prediger(
    ratings: Any,
    *,
    categories: Sequence[Hashable] | None = None,
    n_categories: int | None = None,
    on_undefined: str = "warn",
) -> float:
    """Brennan & Prediger's (1981) coefficient: chance agreement ``1 / q``.

    ``q`` is the number of categories coders could choose from: take it from the
    codebook (``categories`` or ``n_categories``), not from the data, or an
    unused category silently changes the value.

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
    categories : sequence, optional
    n_categories : int, optional
    on_undefined : {"warn", "raise"}
        With a single known category the coefficient is undefined.

    Examples
    --------
    Artstein & Poesio (2008), example 1: S = 0.4 (two categories).

    >>> a = ["IReq"] * 30 + ["STAT"] * 70
    >>> b = ["IReq"] * 20 + ["STAT"] * 10 + ["IReq"] * 20 + ["STAT"] * 50
    >>> round(brennan_prediger(list(zip(a, b))), 3)
    0.4
    """
    return _compute(
        ratings,
        chance="uniform",
        metric="brennan_prediger",
        categories=categories,
        n_categories=n_categories,
        on_undefined=on_undefined,
    )

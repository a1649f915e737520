"""Krippendorff's alpha at every level of measurement, and the MASI distance for code sets.

Implemented here on the coincidence matrix (Krippendorff 2011) instead of
calling the ``krippendorff`` package, for three reasons: it raises instead of
reporting the 0/0 case when all values are equal; it has no distance on sets of
codes (MASI, for multi-label coding); and it has no way to re-weight units for
the bootstrap. The values equal the package's (tested on random data) and the
published ones; it is also faster (``evaluation/bench_agreement.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.agreement._ratings import Ratings, as_ratings, category_values, require_pairable
from nlpthemes.agreement._stats import Outcome, StatBuilder, UnitStatistic, compact_slots
from nlpthemes.agreement._validation import LEVELS, check_option, resolve_undefined
from nlpthemes.errors import InputError

__all__ = ["alpha_statistic", "krippendorff_alpha", "masi_distance"]

Distance = Callable[[Any, Any], float]
_NO_VARIATION = "all pairable values are identical, so expected disagreement is 0 (0/0)"
_NO_PAIRS = "no unit is coded by two or more coders"
_MAX_CATEGORIES = 5000


def masi_distance(a: Collection[Hashable], b: Collection[Hashable]) -> float:
    """MASI distance between two sets of codes (Passonneau 2006).

    ``1 - J * M`` with ``J`` the Jaccard index and ``M`` = 1 for equal sets, 2/3
    when one contains the other, 1/3 when they only overlap, 0 when disjoint.
    Two empty sets (no code from either coder) are identical: distance 0.

    Parameters
    ----------
    a, b : collection
        The two sets of codes.

    Returns
    -------
    float
        Between 0 (same codes) and 1 (no code in common).

    Examples
    --------
    Passonneau (2006), LREC, section 3: {A,B} vs {A} is 1 - (1/2)(2/3).

    >>> round(masi_distance({"A", "B"}, {"A"}), 4)
    0.6667
    >>> round(masi_distance({"A", "B"}, {"A", "C"}), 4)
    0.8889
    >>> masi_distance(set(), set()), masi_distance({"A"}, {"B"})
    (0.0, 1.0)
    """
    x, y = set(a), set(b)
    if x == y:
        return 0.0
    inter = len(x & y)
    union = len(x | y)
    if x <= y or y <= x:
        monotonicity = 2.0 / 3.0
    elif inter:
        monotonicity = 1.0 / 3.0
    else:
        monotonicity = 0.0
    return 1.0 - inter / union * monotonicity


def _pairs(
    ratings: Ratings,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Every ordered pair of values within a unit, weighted 1 / (m_u - 1)."""
    codes = np.ascontiguousarray(ratings.codes.T)  # one contiguous row per coder
    present = codes >= 0
    m = present.sum(axis=0)
    inv = np.zeros(m.shape, dtype=np.float64)
    np.divide(1.0, m - 1, out=inv, where=m >= 2)
    units, first, second = [], [], []
    for a, b in combinations(range(ratings.n_coders), 2):
        both = present[a] & present[b]
        idx = np.flatnonzero(both)
        ca, cb = codes[a][both], codes[b][both]
        units += [idx, idx]
        first += [ca, cb]
        second += [cb, ca]
    unit = np.concatenate(units)
    return unit, np.concatenate(first), np.concatenate(second), inv[unit]


def _masi_matrix(labels: Sequence[Any]) -> NDArray[np.float64]:
    """:func:`masi_distance` between every two labels, vectorised over a code-set matrix."""
    sets = [set(label) for label in labels]
    index = {code: i for i, code in enumerate(sorted({c for s in sets for c in s}, key=str))}
    member = np.zeros((len(sets), max(len(index), 1)), dtype=np.float64)
    for i, s in enumerate(sets):
        member[i, [index[c] for c in s]] = 1.0
    inter = member @ member.T
    size = member.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    a_in_b, b_in_a = inter == size[:, None], inter == size[None, :]
    equal = a_in_b & b_in_a
    monotonicity = np.where(a_in_b | b_in_a, 2.0 / 3.0, np.where(inter > 0, 1.0 / 3.0, 0.0))
    return np.where(equal, 0.0, 1.0 - jaccard * monotonicity)


def _distance_matrix(level: str | Distance, ratings: Ratings) -> NDArray[np.float64] | None:
    """Fixed distances between categories; None for nominal and ordinal (computed in ``finish``)."""
    k = ratings.n_categories
    if level == "nominal":
        return None
    if k > _MAX_CATEGORIES:
        raise InputError(
            None,
            f"{k} distinct values are too many for this level (at most "
            f"{_MAX_CATEGORIES}); use level='interval' for continuous values",
        )
    if level is masi_distance:
        return _masi_matrix(ratings.categories)
    if callable(level):
        labels = ratings.categories
        return np.array([[float(level(a, b)) for b in labels] for a in labels], dtype=np.float64)
    if level == "ordinal":
        if not ratings.ordered:
            raise InputError(
                None,
                "level='ordinal' needs the order of the categories: declare them "
                "with categories= (the values are not numbers)",
            )
        return None
    v = category_values(ratings, level="ratio")
    total = v[:, None] + v[None, :]
    diff = v[:, None] - v[None, :]
    return np.asarray(np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2)


def _ordinal_matrix(n_c: NDArray[np.float64]) -> NDArray[np.float64]:
    """Krippendorff's ordinal metric from the marginals: (sum_{g=c..k} n_g - (n_c + n_k)/2)^2."""
    idx = np.arange(n_c.size)
    lo = np.minimum(idx[:, None], idx[None, :])
    hi = np.maximum(idx[:, None], idx[None, :])
    cum = np.cumsum(n_c)
    return np.asarray((cum[hi] - cum[lo] + (n_c[lo] - n_c[hi]) / 2.0) ** 2, dtype=np.float64)


def _coincidence_statistic(ratings: Ratings, level: str | Distance) -> UnitStatistic:
    """Sums over the coincidence cells that occur (never a dense K x K table of sums)."""
    k = ratings.n_categories
    fixed = _distance_matrix(level, ratings)
    unit, first, second, weight = _pairs(ratings)
    used, inverse = compact_slots(first * k + second, k * k)
    row, col = used // k, used % k
    off_diagonal = row != col
    d_used = fixed[row, col] if fixed is not None else None
    builder = StatBuilder(n_units=ratings.n_units, n_slots=int(used.size))
    builder.add(unit, inverse, weight)

    def finish(sums: NDArray[np.float64]) -> Outcome:
        n_c = np.bincount(row, weights=sums, minlength=k)
        n = float(n_c.sum())
        if n < 2:
            return math.nan, _NO_PAIRS
        if fixed is not None and d_used is not None:
            expected = float(n_c @ (fixed @ n_c))
            observed = float(sums @ d_used)
        elif level == "ordinal":
            d = _ordinal_matrix(n_c.astype(np.float64))
            expected = float(n_c @ d @ n_c)
            observed = float(sums @ d[row, col])
        else:  # nominal: every off-diagonal distance is 1
            expected = n * n - float(n_c @ n_c)
            observed = float(sums[off_diagonal].sum())
        if expected <= 1e-12 * n * n:
            return math.nan, _NO_VARIATION
        return 1.0 - (n - 1.0) * observed / expected, None

    def finish_rows(sums: NDArray[np.float64]) -> NDArray[np.float64]:
        # the same as ``finish`` on each row (the ordinal metric, whose distances depend on
        # the sums, is left to ``finish``); n_c: each row's sums added up by category
        n_c = np.zeros((len(sums), k))
        np.add.at(n_c.T, row, sums.T)
        n = n_c.sum(axis=1)
        if fixed is not None and d_used is not None:
            expected = np.einsum("ri,ij,rj->r", n_c, fixed, n_c)
            observed = sums @ d_used
        else:
            expected = n * n - (n_c * n_c).sum(axis=1)
            observed = sums[:, off_diagonal].sum(axis=1)
        defined = (n >= 2) & (expected > 1e-12 * n * n)
        return np.where(defined, 1.0 - (n - 1.0) * observed / np.where(defined, expected, 1.0), np.nan)

    return builder.build(finish, finish_rows if level != "ordinal" else None)


def _interval_statistic(ratings: Ratings) -> UnitStatistic:
    """Closed form for the interval metric: O(values), whatever the number of distinct values.

    Slots: 0 = within-unit squared differences / (m_u - 1), 1 = pairable values,
    2 = their sum, 3 = their sum of squares (centred for accuracy).
    """
    values = category_values(ratings, level="interval")
    present = ratings.codes >= 0
    m = present.sum(axis=1)
    pairable = np.nonzero(m >= 2)[0]
    x = np.where(present[pairable], values[np.maximum(ratings.codes[pairable], 0)], 0.0)
    mu = m[pairable].astype(np.float64)
    centre = float(x.sum() / mu.sum()) if pairable.size else 0.0
    x = np.where(present[pairable], x - centre, 0.0)
    s1, s2 = x.sum(axis=1), (x * x).sum(axis=1)
    # differences from the unit's first value: exactly 0 when a unit's values are equal
    first = x[np.arange(pairable.size), np.argmax(present[pairable], axis=1)]
    d = np.where(present[pairable], x - first[:, None], 0.0)
    d1, d2 = d.sum(axis=1), (d * d).sum(axis=1)
    within = (2.0 * mu * d2 - 2.0 * d1 * d1) / (mu - 1.0)
    builder = StatBuilder(n_units=ratings.n_units, n_slots=4)
    for slot, contribution in enumerate((within, mu, s1, s2)):
        builder.add(pairable, np.full(pairable.size, slot), contribution)

    def finish(sums: NDArray[np.float64]) -> Outcome:
        n = float(sums[1])
        if n < 2:
            return math.nan, _NO_PAIRS
        expected = (2.0 * n * sums[3] - 2.0 * sums[2] ** 2) / (n * (n - 1.0))
        if expected <= 1e-12 * max(1.0, float(sums[3]) / n):
            return math.nan, _NO_VARIATION
        return 1.0 - float(sums[0]) / n / expected, None

    return builder.build(finish)


def alpha_statistic(ratings: Ratings, *, level: str | Distance = "nominal") -> UnitStatistic:
    """Per-unit coincidences and the alpha of their sums (units coded once add nothing)."""
    if not callable(level):
        check_option("level", level, LEVELS)
        if level == "interval":
            return _interval_statistic(ratings)
    return _coincidence_statistic(ratings, level)


def krippendorff_alpha(
    ratings: Any,
    *,
    level: str | Distance = "nominal",
    categories: Sequence[Hashable] | None = None,
    on_undefined: str = "warn",
) -> float:
    """Krippendorff's alpha for any number of coders, missing values allowed.

    Units coded by fewer than two coders are not pairable and are dropped.

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
        ``None``/``NaN`` where a coder did not code a unit.
    level : {"nominal", "ordinal", "interval", "ratio"} or callable
        The level of measurement, or a distance ``d(a, b)`` between two category
        labels used as the (already squared) difference function, e.g.
        :func:`masi_distance` for sets of codes.
    categories : sequence, optional
        Declared categories in order (the ordinal metric needs an order for
        non-numeric labels).
    on_undefined : {"warn", "raise"}
        When all pairable values are identical alpha is 0/0: NaN with a
        warning, or raise.

    Examples
    --------
    Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*, sec. C:
    4 observers, 12 units, missing data.

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
    ...         [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
    ...         [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, 3, None, None]]
    >>> [round(krippendorff_alpha(data, level=lv), 3)
    ...  for lv in ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    """
    r = as_ratings(ratings, categories=categories)
    require_pairable(r)
    return resolve_undefined(
        "krippendorff_alpha", alpha_statistic(r, level=level).evaluate(), on_undefined
    )

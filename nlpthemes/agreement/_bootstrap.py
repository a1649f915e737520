"""Seeded percentile bootstrap over units for every coefficient."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpthemes.agreement._krippendorff import alpha_statistic
from nlpthemes.agreement._multirater import agreement_statistic
from nlpthemes.agreement._pairwise import table_statistic
from nlpthemes.agreement._ratings import Ratings, as_ratings, require_pairable
from nlpthemes.agreement._stats import UnitStatistic
from nlpthemes.errors import InputError

__all__ = [
    "METRICS",
    "ConfidenceInterval",
    "bootstrap_ci",
    "bootstrap_statistic",
    "metric_statistic",
]

METRICS: tuple[str, ...] = (
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)
# resampled weights are drawn in blocks of at most this many unit weights
_BLOCK = 4_000_000
# units are grouped into kinds (identical contributions) when a units x slots table stays this small
_KIND_CELLS = 4_000_000


@dataclass(frozen=True)
class ConfidenceInterval:
    """A bootstrap confidence interval.

    Attributes
    ----------
    low, high : float
        Percentile bounds (NaN when no resample gave a defined value).
    confidence_level : float
    n_resamples : int
        Resamples drawn.
    n_undefined : int
        Resamples on which the coefficient was undefined (left out of the bounds).
    """

    low: float
    high: float
    confidence_level: float
    n_resamples: int
    n_undefined: int

    def as_list(self) -> list[float | None]:
        """``[low, high]`` with ``None`` for undefined bounds (for JSON)."""
        return [None if math.isnan(x) else x for x in (self.low, self.high)]


def metric_statistic(
    ratings: Ratings, metric: str, options: Mapping[str, Any] | None = None
) -> UnitStatistic:
    """The :class:`UnitStatistic` of a named metric with its options."""
    opts = dict(options or {})
    allowed: dict[str, set[str]] = {
        "percent_agreement": set(),
        "fleiss_kappa": set(),
        "scott_pi": set(),
        "cohen_kappa": {"weights"},
        "krippendorff_alpha": {"level"},
        "gwet_ac1": {"n_categories"},
        "brennan_prediger": {"n_categories"},
    }
    if metric not in allowed:
        raise InputError(
            None, f"metric={metric!r} is not allowed; use one of: {', '.join(METRICS)}"
        )
    extra = set(opts) - allowed[metric]
    if extra:
        raise InputError(None, f"options {sorted(extra)} do not apply to {metric}")
    if metric == "cohen_kappa":
        return table_statistic(ratings, weights=opts.get("weights", "none"))
    if metric == "scott_pi":
        return table_statistic(ratings, scott=True)
    if metric == "krippendorff_alpha":
        return alpha_statistic(ratings, level=opts.get("level", "nominal"))
    chance = {
        "percent_agreement": "none",
        "fleiss_kappa": "fleiss",
        "gwet_ac1": "gwet",
        "brennan_prediger": "uniform",
    }[metric]
    return agreement_statistic(ratings, chance=chance, n_categories=opts.get("n_categories"))


def bootstrap_statistics(
    stats: Mapping[str, UnitStatistic],
    *,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> dict[str, ConfidenceInterval]:
    """Percentile intervals of several statistics of the same units, from the same resamples.

    Each resample draws ``n_units`` units with replacement (seeded); every
    coefficient is recomputed from the re-weighted per-unit sums. Resamples on
    which a coefficient is undefined are counted and left out of its interval.

    Units that contribute identically to every statistic (two coders' yes/no on one
    code has at most four kinds of unit) are drawn as kinds: how often each kind is
    drawn in ``n_units`` draws is multinomial with the kinds' shares, the same
    distribution as drawing units and counting them by kind, at a fraction of the cost.
    """
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise InputError(None, f"n_resamples must be a positive integer, got {n_resamples!r}")
    if not 0.0 < confidence_level < 1.0:
        raise InputError(
            None, f"confidence_level must be between 0 and 1, got {confidence_level!r}"
        )
    compact = {name: stat.compact() for name, stat in stats.items()}
    sizes = {stat.n_units for stat in compact.values()}
    if len(sizes) != 1:
        raise ValueError("statistics resampled together must have the same units")
    n = sizes.pop()
    kinds = unit_kinds(list(compact.values()), n)
    if kinds is not None:
        kind_of, shares = kinds
        compact = {name: _by_kind(stat, kind_of, len(shares)) for name, stat in compact.items()}
    widest = max(max(stat.n_slots for stat in compact.values()), n, 1)
    block = max(1, min(n_resamples, _BLOCK // widest))
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {name: [] for name in compact}
    done = 0
    while done < n_resamples:
        size = min(block, n_resamples - done)
        if kinds is not None:
            weights = rng.multinomial(n, shares, size=size).astype(np.float64)
        else:
            draws = rng.integers(0, n, size=(size, n))
            offsets = (np.arange(size) * n)[:, None]
            counts = np.bincount((draws + offsets).ravel(), minlength=size * n)
            weights = counts.reshape(size, n).astype(np.float64)
        for name, stat in compact.items():
            values[name] += stat.values(stat.weighted_totals(weights)).tolist()
        done += size
    tail = (1.0 - confidence_level) / 2.0
    out: dict[str, ConfidenceInterval] = {}
    for name, found in values.items():
        arr = np.asarray(found)
        defined = arr[~np.isnan(arr)]
        low, high = np.quantile(defined, [tail, 1.0 - tail]) if defined.size else (math.nan,) * 2
        out[name] = ConfidenceInterval(
            float(low), float(high), confidence_level, n_resamples, int(arr.size - defined.size)
        )
    return out


def unit_kinds(stats: Sequence[UnitStatistic], n_units: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Each unit's kind (units with identical contributions to every statistic) and each kind's share.

    ``None`` where kinds would not save work (most units differ) or the table of
    contributions would be too large to compare.

    Examples
    --------
    >>> from nlpthemes.agreement._stats import StatBuilder
    >>> b = StatBuilder(n_units=5, n_slots=2)
    >>> b.add(np.arange(5), np.array([0, 1, 0, 0, 1]), np.ones(5))
    >>> kind, share = unit_kinds([b.build(lambda s: (0.0, None))], 5)
    >>> kind.tolist(), share.tolist()
    ([1, 0, 1, 1, 0], [0.4, 0.6])
    """
    width = sum(stat.n_slots for stat in stats)
    if n_units < 2 or n_units * width > _KIND_CELLS:
        return None
    table = np.zeros((n_units, width))
    offset = 0
    for stat in stats:
        np.add.at(table, (stat.unit, stat.slot + offset), stat.value)
        offset += stat.n_slots
    _, kind, counts = np.unique(table, axis=0, return_inverse=True, return_counts=True)
    if len(counts) > n_units // 2:
        return None
    return np.asarray(kind, dtype=np.intp).reshape(-1), counts / n_units


def _by_kind(stat: UnitStatistic, kind: np.ndarray, n_kinds: int) -> UnitStatistic:
    """The statistic over one unit of each kind (the first), kinds taking the place of units."""
    first = np.full(n_kinds, -1, dtype=np.intp)
    first[kind[::-1]] = np.arange(len(kind))[::-1]
    keep = first[kind[stat.unit]] == stat.unit
    return UnitStatistic(kind[stat.unit[keep]], stat.slot[keep], stat.value[keep], n_kinds, stat.n_slots,
                         stat.finish, stat.finish_rows)  # fmt: skip


def bootstrap_statistic(
    stat: UnitStatistic, *, n_resamples: int = 1000, confidence_level: float = 0.95, seed: int = 0
) -> ConfidenceInterval:
    """Percentile interval of one statistic (see :func:`bootstrap_statistics`)."""
    return bootstrap_statistics(
        {"stat": stat}, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed
    )["stat"]


def bootstrap_ci(
    ratings: Any,
    *,
    metric: str = "krippendorff_alpha",
    options: Mapping[str, Any] | None = None,
    categories: Sequence[Hashable] | None = None,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> ConfidenceInterval:
    """Bootstrap confidence interval of a coefficient, resampling units (seeded).

    The percentile interval of ``n_resamples`` resamples (Efron & Tibshirani
    1993); implemented on re-weighted per-unit sums rather than with
    :func:`scipy.stats.bootstrap`, which recomputes from copied data and cannot
    leave out resamples on which a coefficient is 0/0 (those are counted in
    ``n_undefined``).

    Parameters
    ----------
    ratings : array-like, shape (n_units, n_coders)
    metric : str
        One of ``METRICS``.
    options : mapping, optional
        The metric's options: ``weights`` (cohen_kappa), ``level``
        (krippendorff_alpha), ``n_categories`` (gwet_ac1, brennan_prediger).
    categories : sequence, optional
        Declared categories in order.
    n_resamples : int
    confidence_level : float
    seed : int
        The same seed gives the same interval.

    Examples
    --------
    >>> from nlpthemes.agreement import krippendorff_alpha
    >>> data = [[1, 1], [2, 2], [1, 2], [2, 2], [1, 1], [3, 3], [3, 2], [1, 1]]
    >>> ci = bootstrap_ci(data, metric="krippendorff_alpha", n_resamples=200, seed=1)
    >>> ci.low < krippendorff_alpha(data) < ci.high
    True
    """
    r = as_ratings(ratings, categories=categories)
    require_pairable(r)
    stat = metric_statistic(r, metric, options)
    return bootstrap_statistic(
        stat, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed
    )

"""A units x coders table of category codes: the one input every metric reads."""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nlpthemes.errors import InputError

__all__ = ["MISSING", "Ratings", "as_ratings", "category_values", "require_pairable"]

MISSING = -1


@dataclass(frozen=True)
class Ratings:
    """Ratings as integer codes: ``codes[u, c]`` is the category index coder ``c`` gave unit ``u``.

    Attributes
    ----------
    codes : ndarray of intp, shape (n_units, n_coders)
        Index into ``categories``; ``MISSING`` (-1) where the coder did not code the unit.
    categories : tuple
        Category labels, in order (declared order, or sorted when not declared).
    units, coders : tuple
        Labels of the rows and columns.
    ordered : bool
        Whether the order of ``categories`` is meaningful: declared by the user or
        numeric. Weights and the ordinal metric need it.
    """

    codes: NDArray[np.intp]
    categories: tuple[Any, ...]
    units: tuple[Any, ...]
    coders: tuple[Any, ...]
    ordered: bool

    @property
    def n_units(self) -> int:
        """Number of units (rows)."""
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        """Number of coders (columns)."""
        return int(self.codes.shape[1])

    @property
    def n_categories(self) -> int:
        """Number of categories (declared or observed)."""
        return len(self.categories)

    def counts(self) -> NDArray[np.float64]:
        """Per unit, how many coders chose each category: shape (n_units, n_categories)."""
        k = self.n_categories
        rows, cols = np.nonzero(self.codes >= 0)
        flat = rows * k + self.codes[rows, cols]
        out = np.bincount(flat, minlength=self.n_units * k).astype(np.float64)
        return out.reshape(self.n_units, k)

    def n_rated(self) -> NDArray[np.intp]:
        """Per unit, how many coders coded it."""
        return np.asarray((self.codes >= 0).sum(axis=1), dtype=np.intp)

    def select_coders(self, columns: Sequence[int]) -> Ratings:
        """The same units with only the coders at ``columns``."""
        idx = list(columns)
        return Ratings(
            self.codes[:, idx],
            self.categories,
            self.units,
            tuple(self.coders[i] for i in idx),
            self.ordered,
        )


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, frozenset | set | tuple):
        return (2, (len(value), sorted(map(str, value))))
    return (3, str(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _to_matrix(data: Any) -> tuple[np.ndarray[Any, Any], tuple[Any, ...], tuple[Any, ...]]:
    if isinstance(data, pd.DataFrame):
        values = data.to_numpy()
        return values, tuple(data.index), tuple(data.columns)
    if isinstance(data, np.ndarray):
        values = data
    else:
        rows = [list(row) for row in data]
        if len({len(row) for row in rows}) > 1:
            raise InputError(None, "ratings must be a table: every unit needs one value per coder")
        values = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                values[i, j] = v
    if values.ndim != 2:
        raise InputError(None, f"ratings must be 2-dimensional (units x coders), got {values.ndim}")
    return values, tuple(range(values.shape[0])), tuple(range(values.shape[1]))


def as_ratings(data: Any, *, categories: Sequence[Hashable] | None = None) -> Ratings:
    """Read a units x coders table into :class:`Ratings`.

    Parameters
    ----------
    data : array-like or DataFrame or Ratings
        One row per unit, one column per coder; ``None``/``NaN`` where a coder did
        not code the unit. A DataFrame keeps its index and columns as labels.
    categories : sequence, optional
        The declared categories, in order. Values outside it are an error. When not
        given, the observed values are used, sorted (numbers numerically).

    Examples
    --------
    >>> r = as_ratings([["a", "b"], ["a", None]])
    >>> r.categories, r.codes.tolist()
    (('a', 'b'), [[0, 1], [0, -1]])
    """
    if isinstance(data, Ratings):
        if categories is None or tuple(categories) == data.categories:
            return data
        labels = np.empty(data.n_categories + 1, dtype=object)
        for i, label in enumerate(data.categories):
            labels[i] = label
        labels[-1] = None  # MISSING (-1) picks the last entry
        data = pd.DataFrame(
            labels[data.codes],
            index=list(data.units),
            columns=list(data.coders),
        )
    values, units, coders = _to_matrix(data)
    if values.size == 0:
        raise InputError(None, "no ratings given (empty input)")
    flat = values.ravel()
    if flat.dtype.kind == "f":
        missing = np.isnan(flat)
    else:
        missing = np.asarray(pd.isna(flat), dtype=bool)
    present = flat[~missing]
    if present.size == 0:
        raise InputError(None, "no ratings given: every value is missing")
    found, uniques = pd.factorize(present)
    observed = list(uniques)
    if categories is not None:
        declared = list(categories)
        if len(set(declared)) != len(declared):
            raise InputError(None, "categories must not repeat a value")
        position = {c: i for i, c in enumerate(declared)}
        unknown = [v for v in observed if v not in position]
        if unknown:
            shown = ", ".join(repr(v) for v in sorted(unknown, key=_sort_key)[:5])
            raise InputError(None, f"values not among the declared categories: {shown}")
        remap = np.array([position[v] for v in observed], dtype=np.intp)
        ordered = True
    else:
        declared = sorted(observed, key=_sort_key)
        position = {c: i for i, c in enumerate(declared)}
        remap = np.array([position[v] for v in observed], dtype=np.intp)
        ordered = all(_is_number(v) for v in declared)
    codes = np.full(flat.shape, MISSING, dtype=np.intp)
    codes[~missing] = remap[found]
    return Ratings(codes.reshape(values.shape), tuple(declared), units, coders, ordered)


def category_values(ratings: Ratings, *, level: str) -> NDArray[np.float64]:
    """The categories as numbers, for the interval and ratio metrics.

    Examples
    --------
    >>> category_values(as_ratings([["1", "2.5"]]), level="interval").tolist()
    [1.0, 2.5]
    """
    out = np.empty(ratings.n_categories, dtype=np.float64)
    for i, label in enumerate(ratings.categories):
        try:
            out[i] = float(label)
        except (TypeError, ValueError):
            raise InputError(
                None, f"level={level!r} needs numeric values, but {label!r} is not a number"
            ) from None
    if not np.all(np.isfinite(out)):
        raise InputError(None, f"level={level!r} needs finite numeric values")
    if level == "ratio" and np.any(out < 0):
        raise InputError(None, "level='ratio' needs values >= 0 (a ratio scale has a true zero)")
    return out


def require_pairable(ratings: Ratings) -> None:
    """Raise a clear error when agreement cannot be computed at all.

    Examples
    --------
    >>> require_pairable(as_ratings([["a"], ["b"]]))
    Traceback (most recent call last):
    ...
    nlpthemes.errors.InputError: only one coder (0): agreement needs two or more coders
    """
    if ratings.n_coders < 2:
        raise InputError(
            None, f"only one coder ({ratings.coders[0]}): agreement needs two or more coders"
        )
    if not np.any(ratings.n_rated() >= 2):
        raise InputError(None, "no unit was coded by two or more coders: nothing to compare")

"""Every coefficient as a function of sums over units, so units can be re-weighted.

Each metric is computed in two steps: per-unit contributions to a few sums
(``unit``, ``slot``, ``value`` triplets), then a ``finish`` function of the
sums. The point estimate uses every unit once; the bootstrap re-weights units
(how often each was drawn) and calls the same ``finish``, so resampling needs no
copy of the data and every metric is bootstrapped the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["FinishRows", "Outcome", "StatBuilder", "UnitStatistic", "compact_slots"]

# (value, reason): reason is None when the value is defined, else why it is 0/0
Outcome = tuple[float, str | None]
Finish = Callable[[NDArray[np.float64]], Outcome]
# the coefficient for each row of a (rows, slots) array of sums at once, NaN where undefined
FinishRows = Callable[[NDArray[np.float64]], NDArray[np.float64]]
_MAX_DENSE_ROW = 1024  # slots of a full row that a compacted statistic's ``finish_rows`` may expand to


@dataclass(frozen=True)
class UnitStatistic:
    """Per-unit contributions to ``n_slots`` sums, and the function of the sums.

    Examples
    --------
    >>> b = StatBuilder(n_units=2, n_slots=1)
    >>> b.add(np.array([0, 1]), np.array([0, 0]), np.array([1.0, 3.0]))
    >>> stat = b.build(lambda s: (float(s[0]) / 2, None))
    >>> stat.evaluate()
    (2.0, None)
    >>> stat.weighted_totals(np.array([[2.0, 0.0]])).tolist()
    [[2.0]]
    >>> stat.values(np.array([[2.0], [6.0]])).tolist()
    [1.0, 3.0]
    """

    unit: NDArray[np.intp]
    slot: NDArray[np.intp]
    value: NDArray[np.float64]
    n_units: int
    n_slots: int
    finish: Finish
    # optional: ``finish`` for many rows of sums in one array operation (the bootstrap's
    # thousand resamples), equal to calling ``finish`` on each row
    finish_rows: FinishRows | None = None

    def totals(self) -> NDArray[np.float64]:
        """The sums with every unit counted once."""
        sums = np.bincount(self.slot, weights=self.value, minlength=self.n_slots)
        return np.asarray(sums, dtype=np.float64)

    def evaluate(self) -> Outcome:
        """The coefficient on the data as given."""
        return self.finish(self.totals())

    def values(self, sums: NDArray[np.float64]) -> NDArray[np.float64]:
        """The coefficient for each row of ``sums`` (shape (n_rows, n_slots)); NaN where undefined."""
        if self.finish_rows is not None:
            return np.asarray(self.finish_rows(sums), dtype=np.float64)
        return np.array([self.finish(row)[0] for row in sums], dtype=np.float64)

    def compact(self) -> UnitStatistic:
        """The same statistic over only the slots that receive contributions.

        A coincidence matrix over many categories (e.g. sets of codes) has
        ``K * K`` slots but few are ever used; resampling only those keeps the
        bootstrap's memory and time proportional to the data.
        """
        used, inverse = compact_slots(self.slot, self.n_slots)
        if used.size == self.n_slots:
            return self
        size, finish, finish_rows = self.n_slots, self.finish, self.finish_rows

        def expand(sums: NDArray[np.float64]) -> Outcome:
            full = np.zeros(size, dtype=np.float64)
            full[used] = sums
            return finish(full)

        def expand_rows(sums: NDArray[np.float64]) -> NDArray[np.float64]:
            assert finish_rows is not None
            full = np.zeros((len(sums), size), dtype=np.float64)
            full[:, used] = sums
            return finish_rows(full)

        # many rows at once only while the full rows stay small (a table over sets of codes
        # can have millions of cells, of which a few are used): else row by row, as ``finish``
        rows_ok = finish_rows is not None and size <= _MAX_DENSE_ROW
        return UnitStatistic(self.unit, inverse, self.value, self.n_units, int(used.size), expand,
                             expand_rows if rows_ok else None)  # fmt: skip

    def weighted_totals(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """The sums under each row of unit weights: shape (n_rows, n_slots)."""
        from scipy import sparse

        matrix = sparse.csr_array(
            (self.value, (self.unit, self.slot)), shape=(self.n_units, self.n_slots)
        )
        return np.asarray((matrix.T @ weights.T).T, dtype=np.float64)


def compact_slots(
    slot: NDArray[np.intp], n_slots: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The slots in use (sorted) and each entry's index among them.

    Same result as ``np.unique(slot, return_inverse=True)``; a lookup table
    (linear time) when the slot space is small, sorting otherwise.

    Examples
    --------
    >>> [a.tolist() for a in compact_slots(np.array([7, 2, 7]), 9)]
    [[2, 7], [1, 0, 1]]
    """
    if n_slots <= max(4 * slot.size, 1 << 16):
        used = np.flatnonzero(np.bincount(slot, minlength=n_slots))
        lookup = np.zeros(n_slots, dtype=np.intp)
        lookup[used] = np.arange(used.size)
        return used.astype(np.intp), lookup[slot]
    used, inverse = np.unique(slot, return_inverse=True)
    return used.astype(np.intp), np.asarray(inverse, dtype=np.intp).reshape(-1)


class StatBuilder:
    """Collects ``(unit, slot, value)`` triplets for a :class:`UnitStatistic`."""

    def __init__(self, *, n_units: int, n_slots: int) -> None:
        self.n_units = n_units
        self.n_slots = n_slots
        self._parts: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]] = []

    def add(
        self, unit: NDArray[np.intp], slot: NDArray[np.intp], value: NDArray[np.float64]
    ) -> None:
        """Add contributions; the three arrays have the same length."""
        self._parts.append(
            (
                np.asarray(unit, dtype=np.intp),
                np.asarray(slot, dtype=np.intp),
                np.asarray(value, dtype=np.float64),
            )
        )

    def build(self, finish: Finish, finish_rows: FinishRows | None = None) -> UnitStatistic:
        """The statistic with the contributions added so far (``finish_rows``: see :class:`UnitStatistic`)."""
        if self._parts:
            unit = np.concatenate([p[0] for p in self._parts])
            slot = np.concatenate([p[1] for p in self._parts])
            value = np.concatenate([p[2] for p in self._parts])
        else:
            unit = np.zeros(0, dtype=np.intp)
            slot = np.zeros(0, dtype=np.intp)
            value = np.zeros(0, dtype=np.float64)
        return UnitStatistic(unit, slot, value, self.n_units, self.n_slots, finish, finish_rows)

"""Invariants every coefficient must keep (hypothesis)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nlpthemes import agreement as ag

NOMINAL = {
    "percent_agreement": lambda d: ag.percent_agreement(d),
    "fleiss_kappa": lambda d: ag.fleiss_kappa(d),
    "krippendorff_alpha": lambda d: ag.krippendorff_alpha(d),
    "gwet_ac1": lambda d: ag.gwet_ac1(d),
    "brennan_prediger": lambda d: ag.brennan_prediger(d),
}
TWO_CODERS = {
    "cohen_kappa": lambda d: ag.cohen_kappa(d),
    "scott_pi": lambda d: ag.scott_pi(d),
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw: Any, *, n_coders: int | None = None, missing: bool = True) -> list[list[Any]]:
    """Units x coders with labels from a small alphabet, some missing, at least one unit twice."""
    coders = n_coders or draw(st.integers(2, 4))
    units = draw(st.integers(2, 12))
    labels = st.sampled_from(["a", "b", "c", "d"])
    cell = st.one_of(st.none(), labels) if missing else labels
    rows = draw(
        st.lists(st.lists(cell, min_size=coders, max_size=coders), min_size=units, max_size=units)
    )
    assume(any(sum(v is not None for v in row) >= 2 for row in rows))
    return rows


def quiet(function: Any, data: Any) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ag.UndefinedAgreementWarning)
        return float(function(data))


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def metrics_for(rows: list[list[Any]]) -> dict[str, Any]:
    return {**NOMINAL, **(TWO_CODERS if len(rows[0]) == 2 else {})}


@SETTINGS
@given(
    values=st.lists(st.sampled_from([1, 2, 3, 4]), min_size=2, max_size=15),
    n_coders=st.integers(2, 5),
)
def test_perfect_agreement_gives_one(values: list[int], n_coders: int) -> None:
    assume(len(set(values)) >= 2)
    rows = [[v] * n_coders for v in values]
    for function in metrics_for(rows).values():
        assert function(rows) == 1.0
    for level in ("ordinal", "interval", "ratio"):
        assert ag.krippendorff_alpha(rows, level=level) == 1.0


@SETTINGS
@given(rows=tables(), seed=st.integers(0, 2**32 - 1))
def test_permuting_units_changes_nothing(rows: list[list[Any]], seed: int) -> None:
    order = np.random.default_rng(seed).permutation(len(rows))
    shuffled = [rows[i] for i in order]
    for name, function in metrics_for(rows).items():
        assert same(quiet(function, rows), quiet(function, shuffled)), name


@SETTINGS
@given(rows=tables(), seed=st.integers(0, 2**32 - 1))
def test_permuting_coders_changes_nothing(rows: list[list[Any]], seed: int) -> None:
    order = np.random.default_rng(seed).permutation(len(rows[0]))
    shuffled = [[row[j] for j in order] for row in rows]
    for name, function in metrics_for(rows).items():
        assert same(quiet(function, rows), quiet(function, shuffled)), name


@SETTINGS
@given(rows=tables(), new=st.permutations(["w", "x", "y", "z"]))
def test_relabelling_codes_changes_nothing(rows: list[list[Any]], new: list[str]) -> None:
    mapping = dict(zip(["a", "b", "c", "d"], new, strict=True))
    relabelled = [[None if v is None else mapping[v] for v in row] for row in rows]
    for name, function in metrics_for(rows).items():
        assert same(quiet(function, rows), quiet(function, relabelled)), name


@SETTINGS
@given(rows=tables(missing=True))
def test_values_stay_in_range(rows: list[list[Any]]) -> None:
    assert 0.0 <= ag.percent_agreement(rows) <= 1.0
    for function in metrics_for(rows).values():
        value = quiet(function, rows)
        assert math.isnan(value) or value <= 1.0 + 1e-12

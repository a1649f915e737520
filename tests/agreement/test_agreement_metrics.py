"""Metrics against well-kept libraries, degenerate cases, and option checks."""

from __future__ import annotations

import math
import warnings
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from nlpthemes import agreement as ag
from nlpthemes.errors import InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def random_ratings(
    seed: int, n_units: int = 60, n_coders: int = 4, k: int = 5, missing: float = 0.2
):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, k + 1, n_units)
    noise = rng.integers(1, k + 1, (n_units, n_coders))
    data = np.where(rng.random((n_units, n_coders)) < 0.6, truth[:, None], noise).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(5))
def test_alpha_equals_krippendorff_package(level: str, seed: int) -> None:
    data = random_ratings(seed)
    expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    assert ag.krippendorff_alpha(data, level=level) == pytest.approx(expected, abs=1e-10)


def brute_force_alpha(rows: list[list[Any]], distance: Any) -> float:
    """Krippendorff's definition by enumerating pairs of values (reference, O(n^2))."""
    units = [[v for v in row if v is not None] for row in rows]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    d_o = (
        sum(
            sum(distance(a, b) for i, a in enumerate(u) for j, b in enumerate(u) if i != j)
            / (len(u) - 1)
            for u in units
        )
        / n
    )
    d_e = sum(distance(a, b) for i, a in enumerate(values) for j, b in enumerate(values) if i != j)
    return 1 - d_o / (d_e / (n * (n - 1)))


def test_alpha_with_masi_equals_brute_force() -> None:
    rng = np.random.default_rng(3)
    codes = ["a", "b", "c"]
    rows = [
        [frozenset(c for c in codes if rng.random() < 0.4) if rng.random() > 0.1 else None
         for _ in range(3)]
        for _ in range(25)
    ]  # fmt: skip
    expected = brute_force_alpha(rows, ag.masi_distance)
    assert ag.krippendorff_alpha(rows, level=ag.masi_distance) == pytest.approx(expected)


@pytest.mark.parametrize("weights", ["none", "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(4))
def test_cohen_equals_sklearn(weights: str, seed: int) -> None:
    data = random_ratings(seed, n_coders=2, missing=0.0).astype(int)
    expected = cohen_kappa_score(
        data[:, 0],
        data[:, 1],
        labels=[1, 2, 3, 4, 5],
        weights=None if weights == "none" else weights,
    )
    got = ag.cohen_kappa(data, weights=weights, categories=[1, 2, 3, 4, 5])
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_fleiss_equals_statsmodels_on_complete_data(seed: int) -> None:
    data = random_ratings(seed, missing=0.0).astype(int)
    table, _ = aggregate_raters(data)
    assert ag.fleiss_kappa(data) == pytest.approx(sm_fleiss(table), abs=1e-12)
    # statsmodels' "randolph" is Brennan-Prediger with q = observed categories
    assert ag.brennan_prediger(data) == pytest.approx(sm_fleiss(table, method="randolph"))


def test_two_coder_fleiss_is_scott_pi() -> None:
    data = random_ratings(7, n_coders=2, missing=0.0)
    assert ag.fleiss_kappa(data) == pytest.approx(ag.scott_pi(data))


def test_percent_agreement_is_pairwise_for_three_coders() -> None:
    # one unit, 3 coders: a, a, b -> 1 of 3 pairs agree
    assert ag.percent_agreement([["a", "a", "b"]]) == pytest.approx(1 / 3)


def test_units_coded_once_are_dropped() -> None:
    base = [[1, 1], [2, 2], [1, 2]]
    assert ag.krippendorff_alpha([*base, [3, None]]) == pytest.approx(4 / 9)
    assert ag.percent_agreement([*base, [3, None]]) == ag.percent_agreement(base)


def test_brennan_prediger_takes_q_from_the_codebook() -> None:
    data = [["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]]
    assert ag.brennan_prediger(data) == pytest.approx(0.5)  # q = 2 observed
    assert ag.brennan_prediger(data, n_categories=4) == pytest.approx((0.75 - 0.25) / 0.75)
    assert ag.brennan_prediger(data, categories=["a", "b", "c", "d"]) == pytest.approx(2 / 3)


def test_single_category_with_declared_codebook_is_defined_for_ac1_and_bp() -> None:
    data = [["a", "a"]] * 5
    assert ag.gwet_ac1(data, categories=["a", "b"]) == 1.0
    assert ag.brennan_prediger(data, categories=["a", "b"]) == 1.0
    assert ag.percent_agreement(data) == 1.0
    with pytest.warns(ag.UndefinedAgreementWarning, match="one category"):
        assert math.isnan(ag.gwet_ac1(data))
    for function in (ag.cohen_kappa, ag.scott_pi, ag.fleiss_kappa, ag.krippendorff_alpha):
        with pytest.warns(ag.UndefinedAgreementWarning):
            assert math.isnan(function(data))


def test_interval_alpha_single_value_is_undefined_not_one() -> None:
    with pytest.warns(ag.UndefinedAgreementWarning, match="identical"):
        assert math.isnan(ag.krippendorff_alpha([[2.0, 2.0], [2.0, 2.0]], level="interval"))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "no ratings"),
        ([[None, None]], "every value is missing"),
        ([["a"], ["b"]], "only one coder"),
        ([["a", None], [None, "b"]], "no unit was coded by two"),
        ([["a", "b", "c"]], None),
    ],
)
def test_bad_input_is_a_clear_error(data: Any, match: str | None) -> None:
    if match is None:  # three coders: Cohen's kappa refuses
        with pytest.raises(InputError, match="exactly two coders"):
            ag.cohen_kappa(data)
        return
    with pytest.raises(InputError, match=match):
        ag.krippendorff_alpha(data)


def test_non_numeric_values_at_interval_level_are_an_error() -> None:
    with pytest.raises(InputError, match="needs numeric values, but 'high'"):
        ag.krippendorff_alpha([["high", "low"], ["low", "low"]], level="interval")


def test_ordinal_order_must_be_declared_for_words() -> None:
    data = [["low", "mid"], ["high", "high"], ["mid", "mid"]]
    with pytest.raises(InputError, match="order of the categories"):
        ag.krippendorff_alpha(data, level="ordinal")
    with pytest.raises(InputError, match="order of the categories"):
        ag.cohen_kappa(data, weights="linear")
    value = ag.krippendorff_alpha(data, level="ordinal", categories=["low", "mid", "high"])
    assert value == pytest.approx(ag.krippendorff_alpha([[0, 1], [2, 2], [1, 1]], level="ordinal"))


def test_values_outside_declared_categories_are_an_error() -> None:
    with pytest.raises(InputError, match="not among the declared categories: 'c'"):
        ag.gwet_ac1([["a", "c"]], categories=["a", "b"])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda d: ag.krippendorff_alpha(d, level="nominl"), "level"),
        (lambda d: ag.cohen_kappa(d, weights="squared"), "weights"),
        (lambda d: ag.cohen_kappa(d, on_undefined="ignore"), "on_undefined"),
        (lambda d: ag.fleiss_kappa(d, on_undefined="nan"), "on_undefined"),
        (lambda d: ag.gwet_ac1(d, n_categories=0), "n_categories"),
        (lambda d: ag.brennan_prediger(d, n_categories=1), "n_categories"),
        (lambda d: ag.bootstrap_ci(d, metric="kappa"), "metric"),
        (lambda d: ag.bootstrap_ci(d, n_resamples=0), "n_resamples"),
        (lambda d: ag.bootstrap_ci(d, confidence_level=95), "confidence_level"),
    ],
)
def test_misspelled_options_name_the_parameter(call: Any, name: str) -> None:
    data = [["a", "b"], ["a", "a"], ["b", "b"]]
    with pytest.raises(InputError, match=name):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ag.UndefinedAgreementWarning)
            call(data)


def test_dataframe_input_and_labels() -> None:
    frame = pd.DataFrame({"A": ["x", "y", None], "B": ["x", "y", "y"]}, index=["u1", "u2", "u3"])
    r = ag.as_ratings(frame)
    assert r.units == ("u1", "u2", "u3") and r.coders == ("A", "B")
    assert ag.cohen_kappa(frame) == 1.0


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    data = random_ratings(11, n_units=80, n_coders=3)
    first = ag.bootstrap_ci(data, metric="gwet_ac1", n_resamples=300, seed=5)
    again = ag.bootstrap_ci(data, metric="gwet_ac1", n_resamples=300, seed=5)
    other = ag.bootstrap_ci(data, metric="gwet_ac1", n_resamples=300, seed=6)
    assert first == again and first != other
    assert first.low < ag.gwet_ac1(data) < first.high
    assert first.n_undefined == 0


def test_bootstrap_matches_recomputation_on_resampled_units() -> None:
    """Re-weighting units gives exactly the coefficient of the resampled data."""
    from nlpthemes.agreement._bootstrap import metric_statistic

    data = random_ratings(2, n_units=30, n_coders=3)
    rng = np.random.default_rng(0)
    draw = rng.integers(0, 30, 30)
    weights = np.bincount(draw, minlength=30).astype(float)[None, :]
    r = ag.as_ratings(data)
    for metric, options in [
        ("krippendorff_alpha", {"level": "interval"}),
        ("krippendorff_alpha", {"level": "ordinal"}),
        ("fleiss_kappa", None),
        ("gwet_ac1", None),
        ("percent_agreement", None),
    ]:
        stat = metric_statistic(r, metric, options)
        resampled = stat.finish(stat.weighted_totals(weights)[0])[0]
        again = ag.as_ratings(data[draw], categories=r.categories)
        direct = metric_statistic(again, metric, options).evaluate()[0]
        assert resampled == pytest.approx(direct), metric


def test_vectorised_masi_equals_the_definition() -> None:
    from nlpthemes.agreement._krippendorff import _masi_matrix

    rng = np.random.default_rng(4)
    labels = [frozenset(c for c in "abcd" if rng.random() < 0.5) for _ in range(30)] + [frozenset()]
    matrix = _masi_matrix(labels)
    expected = [[ag.masi_distance(a, b) for b in labels] for a in labels]
    assert np.allclose(matrix, expected)


def test_bootstrap_draws_kinds_of_unit_with_the_units_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two coders' yes/no on one code: four kinds of unit, drawn as kinds (multinomial), not one by one."""
    from nlpthemes.agreement import _bootstrap
    from nlpthemes.agreement._bootstrap import (
        _by_kind,
        bootstrap_statistics,
        metric_statistic,
        unit_kinds,
    )

    rng = np.random.default_rng(3)
    a = (rng.random(600) < 0.1).astype(float)
    b = np.where(rng.random(600) < 0.8, a, (rng.random(600) < 0.1).astype(float))
    r = ag.as_ratings(np.stack([a, b], axis=1), categories=[0.0, 1.0])
    stats = {m: metric_statistic(r, m) for m in ("cohen_kappa", "krippendorff_alpha")}
    kinds = unit_kinds(list(stats.values()), 600)
    assert kinds is not None and len(kinds[1]) == 4
    kind, share = kinds
    for stat in stats.values():  # each kind weighted by its count gives the coefficient of the data
        by_kind = _by_kind(stat, kind, len(share))
        assert by_kind.finish(by_kind.weighted_totals(share[None, :] * 600)[0]) == pytest.approx(stat.evaluate())
    fast = bootstrap_statistics(stats, n_resamples=3000, seed=1)
    monkeypatch.setattr(_bootstrap, "_KIND_CELLS", 0)  # every unit drawn on its own
    slow = bootstrap_statistics(stats, n_resamples=3000, seed=1)
    for m in stats:
        assert fast[m] != slow[m]
        assert fast[m].low == pytest.approx(slow[m].low, abs=0.02) and fast[m].high == pytest.approx(slow[m].high, abs=0.02)


@pytest.mark.parametrize("seed", range(6))
def test_coefficients_of_many_resamples_at_once_equal_one_by_one(seed: int) -> None:
    """The bootstrap's array form of each coefficient gives what ``finish`` gives row by row."""
    import dataclasses

    from nlpthemes.agreement._bootstrap import bootstrap_statistics, metric_statistic

    rng = np.random.default_rng(seed)
    data = random_ratings(seed, n_units=40, n_coders=2, k=3 + seed % 3)
    if seed % 2:  # two units outside one category: resamples without them leave kappa and alpha undefined
        data[:] = 1.0
        data[:2] = 2.0
    r = ag.as_ratings(data, categories=[float(c) for c in range(1, 7)])
    cases = [("cohen_kappa", None), ("cohen_kappa", {"weights": "quadratic"}), ("scott_pi", None),
             ("krippendorff_alpha", None), ("krippendorff_alpha", {"level": "ratio"})]  # fmt: skip
    for metric, options in cases:
        stat = metric_statistic(r, metric, options).compact()
        assert stat.finish_rows is not None, metric
        sums = stat.weighted_totals(rng.multinomial(40, np.full(40, 1 / 40), size=200).astype(float))
        one_by_one = np.array([stat.finish(row)[0] for row in sums])
        assert np.allclose(stat.values(sums), one_by_one, rtol=0, atol=1e-12, equal_nan=True), metric
        if seed % 2:
            assert np.isnan(one_by_one).any()
        row_by_row = dataclasses.replace(stat, finish_rows=None)
        fast = bootstrap_statistics({"s": stat}, n_resamples=300, seed=seed)["s"]
        slow = bootstrap_statistics({"s": row_by_row}, n_resamples=300, seed=seed)["s"]
        assert fast.n_undefined == slow.n_undefined
        assert fast.low == pytest.approx(slow.low, abs=1e-12) and fast.high == pytest.approx(slow.high, abs=1e-12)


def test_a_table_over_many_categories_is_finished_row_by_row() -> None:
    """Expanding every resample to a table with millions of cells would cost more than it saves."""
    from nlpthemes.agreement._bootstrap import metric_statistic

    labels = np.arange(2000, dtype=float)
    data = np.stack([labels, labels[::-1]], axis=1)
    stat = metric_statistic(ag.as_ratings(data), "cohen_kappa").compact()
    assert stat.n_slots == 2000 and stat.finish_rows is None
    assert stat.values(stat.weighted_totals(np.ones((2, 2000))))[0] == pytest.approx(stat.evaluate()[0])

"""Summary of a long table: per code, multi-label, pairs, human-machine, disagreements."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nlpthemes import agreement as ag
from nlpthemes.errors import InputError


def long_table(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "coder", "code"])


SINGLE = long_table([
    ("1", "A", "x"), ("1", "B", "x"), ("2", "A", "y"), ("2", "B", "x"),
    ("3", "A", "y"), ("3", "B", "y"), ("4", "A", ""), ("4", "B", ""),
])  # fmt: skip
MULTI = long_table([
    ("1", "A", "x"), ("1", "A", "y"), ("1", "B", "x"), ("2", "A", "y"), ("2", "B", "y"),
    ("3", "A", ""), ("3", "B", "x"), ("4", "A", "x"), ("4", "B", "x"),
])  # fmt: skip


def test_empty_code_is_the_none_category_overall_and_absence_per_code() -> None:
    s = ag.summarize_agreement(SINGLE, n_resamples=0, categories=["x", "y", "z"])
    assert s.n_units == 4 and s.n_coders == 2 and s.n_categories == 4  # x, y, z, (none)
    assert s.metrics["percent_agreement"] == pytest.approx(0.75)
    assert set(s.per_code) == {"x", "y", "z"}  # z: declared, never used, still a row
    assert s.per_code["x"]["percent_agreement"] == pytest.approx(0.75)
    assert math.isnan(s.per_code["z"]["cohen_kappa"])
    assert any("per_code['z']" in note for note in s.notes)


def test_per_code_only_when_multi_label_or_declared() -> None:
    assert ag.summarize_agreement(SINGLE, n_resamples=0).per_code is None
    assert ag.summarize_agreement(SINGLE, n_resamples=0, categories=3).per_code is not None


def test_multi_label_uses_masi_and_reports_mean_over_codes() -> None:
    s = ag.summarize_agreement(MULTI, n_resamples=0)
    assert s.multi_label
    rows = [[frozenset("xy"), frozenset("x")], [frozenset("y")] * 2, [frozenset(), frozenset("x")],
            [frozenset("x")] * 2]  # fmt: skip
    expected = ag.krippendorff_alpha(rows, level=ag.masi_distance)
    assert s.metrics["krippendorff_alpha"] == pytest.approx(expected)
    assert s.to_dict()["alpha_distance"] == "masi"
    mean = (s.per_code["x"]["cohen_kappa"] + s.per_code["y"]["cohen_kappa"]) / 2
    assert s.mean_over_codes is not None
    assert s.mean_over_codes["cohen_kappa"] == pytest.approx(mean)
    with pytest.raises(InputError, match="multi-label"):
        ag.summarize_agreement(MULTI, level="ordinal", n_resamples=0)


def test_headline_intervals_and_json_nulls() -> None:
    same = long_table([(str(u), c, "a") for u in range(6) for c in "AB"])
    d = ag.summarize_agreement(same, n_resamples=50, seed=1).to_dict()
    assert d["metrics"]["cohen_kappa"] is None and d["metrics"]["percent_agreement"] == 1.0
    assert d["ci"]["cohen_kappa"] == [None, None] and d["ci"]["percent_agreement"] == [1.0, 1.0]
    assert any("cohen_kappa is undefined" in n for n in d["notes"])


def test_three_coders_have_no_cohen_and_list_pairs() -> None:
    long = long_table([(str(u), c, "xy"[(u + (c == "C")) % 2]) for u in range(6) for c in "ABC"])
    s = ag.summarize_agreement(long, n_resamples=0)
    assert "cohen_kappa" not in s.metrics and "scott_pi" not in s.metrics
    assert [(p["coder_a"], p["coder_b"]) for p in s.pairs] == [("A", "B"), ("A", "C"), ("B", "C")]
    assert s.pairs[0]["cohen_kappa"] == 1.0 and s.pairs[1]["percent_agreement"] == 0.0


def test_bad_long_input() -> None:
    with pytest.raises(InputError, match="only one coder"):
        ag.summarize_agreement(long_table([("1", "A", "x"), ("2", "A", "y")]))
    with pytest.raises(InputError, match="no unit was coded by two"):
        ag.summarize_agreement(long_table([("1", "A", "x"), ("2", "B", "y")]))
    with pytest.raises(InputError, match="no codings"):
        ag.summarize_agreement(long_table([]))
    with pytest.raises(InputError, match="not among the declared categories: y"):
        ag.summarize_agreement(SINGLE, categories=["x"])
    with pytest.raises(InputError, match="cannot be placed on a scale"):
        ag.summarize_agreement(SINGLE, level="interval")


def test_compare_humans_and_machine_on_the_same_units() -> None:
    long = long_table(
        [(str(u), c, "x" if u % 2 else "y") for u in range(8) for c in "AB"]
        + [(str(u), "M", "x") for u in range(6)]  # the machine coded 6 of 8 units
    )
    table = ag.compare_coders(long, machines=["M"])
    assert table["kind"].tolist() == ["human-human", "human-machine"]
    assert table["n_units"].tolist() == [6, 6]
    assert table.loc[0, "percent_agreement"] == 1.0 and table.loc[1, "percent_agreement"] == 0.5
    with pytest.raises(InputError, match="not in the data: Z"):
        ag.compare_coders(long, machines=["Z"])
    s = ag.summarize_agreement(long, machines=["M"], n_resamples=0)
    assert s.comparison is not None and len(s.comparison) == 2


def test_disagreement_table_and_confusion_matrices() -> None:
    table = ag.disagreement_table(MULTI)
    assert table[["code", "unit"]].values.tolist() == [["x", "3"], ["y", "1"]]
    assert table.loc[table["unit"] == "3", "A"].item() == "(none)"
    confusion = ag.confusion_matrices(SINGLE)[("A", "B")]
    assert confusion.loc["y", "x"] == 1 and confusion.loc["(none)", "(none)"] == 1


def test_pairwise_agreement_labels_kinds() -> None:
    long = long_table([(str(u), c, "x") for u in range(3) for c in "ABM"])
    kinds = ag.pairwise_agreement(long, machines=["M"])["kind"].tolist()
    assert kinds == ["human-human", "human-machine", "human-machine"]

"""Code co-occurrence and group comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from nlpthemes.compare import COMPARE_COLUMNS, COOCCURRENCE_COLUMNS, compare_groups, cooccurrence


def test_cooccurrence_counts_contexts_not_rows() -> None:
    items = pd.DataFrame({"transcript": ["a"] * 5 + ["b"], "turn": [1, 1, 1, 2, 3, 1],
                          "code": ["x", "y", "x", "x", "", "y"]})
    table = cooccurrence(items, context=["transcript", "turn"])
    assert list(table.columns) == list(COOCCURRENCE_COLUMNS)
    row = table.iloc[0].to_dict()
    assert (row["code_a"], row["code_b"], row["both"], row["n_a"], row["n_b"], row["n_contexts"]) == ("x", "y", 1, 2, 2, 4)
    assert cooccurrence(items, context=["transcript", "turn"], min_both=2).empty


def test_cooccurrence_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="no column 'turn'"):
        cooccurrence(pd.DataFrame({"transcript": ["a"], "code": ["x"]}), context=["transcript", "turn"])
    with pytest.raises(ValueError, match="min_both"):
        cooccurrence(pd.DataFrame({"t": ["a"], "code": ["x"]}), context=["t"], min_both=0)


def test_compare_groups_ranks_by_z_and_counts_units_once() -> None:
    rows = ([(f"u{i}", "NK", "family") for i in range(8)] + [(f"u{i}", "NK", "") for i in range(8, 10)]
            + [(f"v{i}", "SK", "funding") for i in range(5)] + [("v0", "SK", "family")]
            + [(f"v{i}", "SK", "") for i in range(5, 10)])
    units = pd.DataFrame(rows, columns=["unit", "group", "code"])
    table = compare_groups(units, group="group", a="NK", b="SK")
    assert list(table.columns) == list(COMPARE_COLUMNS)
    family = table.set_index("item").loc["family"]
    assert (family["count_a"], family["total_a"], family["count_b"], family["total_b"]) == (8, 10, 1, 10)
    assert family["higher_in"] == "NK" and family["p_value"] < 0.01
    assert table["z"].abs().is_monotonic_decreasing


def test_compare_groups_names_missing_groups() -> None:
    units = pd.DataFrame({"unit": ["1"], "group": ["NK"], "code": ["x"]})
    with pytest.raises(ValueError, match="group 'SK' has no units"):
        compare_groups(units, group="group", a="NK", b="SK")
    with pytest.raises(ValueError, match="no column 'cohort'"):
        compare_groups(units, group="cohort", a="NK", b="SK")

"""Who says what: counts and shares per transcript, speaker and attribute."""

from __future__ import annotations

import pandas as pd
import pytest

from nlpthemes.themes import DISTRIBUTION_COLUMNS, theme_distribution


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transcript": ["p1", "p1", "p1", "p1", "p2", "p2", "p2"],
            "speaker": ["Ana", "Ana", "Ana", "Interviewer", "Participant", "Participant", "Participant"],
            "theme": [0, 0, -1, 1, 1, 0, -1],
            "excluded": ["", "", "", "interviewer", "", "", "short"],
            "group": ["NK", "NK", "NK", "", "SK", "SK", "SK"],
        }
    )


def test_default_groupings_and_shares() -> None:
    d = theme_distribution(table(), labels={0: "money", 1: "family"})
    assert list(d.columns) == list(DISTRIBUTION_COLUMNS)
    assert set(d["by"]) == {"transcript", "speaker", "group"}
    nk = d[(d["by"] == "group") & (d["group"] == "NK")].set_index("theme")
    assert nk.loc[0, "count"] == 2 and nk.loc[-1, "count"] == 1 and 1 not in nk.index  # interviewer left out
    assert nk["share"].sum() == pytest.approx(1.0)
    assert nk.loc[-1, "label"] == "outliers"
    speakers = set(d.loc[d["by"] == "speaker", "group"])
    assert speakers == {"p1/Ana", "p2/Participant"}  # speakers are per transcript
    theme0 = d[(d["by"] == "transcript") & (d["theme"] == 0)]
    assert theme0["theme_share"].sum() == pytest.approx(1.0)


def test_unknown_column_is_named() -> None:
    with pytest.raises(ValueError, match="by: no column 'gender'"):
        theme_distribution(table(), by=["gender"])


def test_no_grouping_gives_empty_table() -> None:
    d = theme_distribution(table(), by=[])
    assert list(d.columns) == list(DISTRIBUTION_COLUMNS) and d.empty

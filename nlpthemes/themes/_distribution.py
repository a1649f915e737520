"""Who says what: how often each theme comes up per transcript, speaker and attribute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["DISTRIBUTION_COLUMNS", "theme_distribution"]

DISTRIBUTION_COLUMNS = ("by", "group", "theme", "label", "count", "share", "theme_share")
_FIXED = ("transcript", "index", "start", "end", "speaker", "theme", "probability", "excluded",
          "text", "turn", "interviewer", "start_time", "end_time")  # fmt: skip


def theme_distribution(
    table: Any,
    *,
    by: Sequence[str] | None = None,
    labels: Mapping[int, str] | None = None,
) -> Any:
    """Counts and shares of themes per group, as a long DataFrame.

    Only analysed sentences count: rows with a non-empty ``excluded``
    (interviewer turns, fillers too short to fit) are left out, while
    outliers (theme ``-1``) stay in, so a group's shares add up to 1.
    Speakers are grouped within their transcript (``P1/Participant``), since
    the same label in two files is usually two people. Zero counts are left
    out.

    Parameters
    ----------
    table : DataFrame
        One row per sentence with ``transcript``, ``speaker``, ``theme``,
        ``excluded`` and any participant attribute columns (the sentence
        table of :func:`nlpthemes.jobs.run_themes`).
    by : sequence of str, optional
        Columns to group by; default ``transcript``, ``speaker`` and every
        attribute column.
    labels : mapping, optional
        Theme id -> label, copied into a ``label`` column.

    Returns
    -------
    DataFrame
        Columns ``by, group, theme, label, count, share, theme_share``:
        ``share`` is the fraction of the group's sentences in the theme,
        ``theme_share`` the fraction of the theme's sentences from the group.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"transcript": ["a", "a", "a", "b"], "speaker": ["X", "X", "I", "Y"],
    ...                   "theme": [0, 1, -1, 0], "excluded": ["", "", "interviewer", ""],
    ...                   "group": ["NK", "NK", "", "SK"]})
    >>> d = theme_distribution(t, by=["group"], labels={0: "money", 1: "family"})
    >>> d[["group", "theme", "label", "count", "share", "theme_share"]].to_string(index=False)
    'group  theme  label  count  share  theme_share\\n   NK      0  money      1    0.5          0.5\\n   NK      1 family      1    0.5          1.0\\n   SK      0  money      1    1.0          0.5'
    """
    import pandas as pd

    excluded = table["excluded"].fillna("").astype(str) if "excluded" in table else ""
    data = table.loc[excluded == ""].copy()
    if by is None:
        by = ["transcript", "speaker", *[c for c in table.columns if c not in _FIXED]]
    frames = []
    for column in by:
        if column not in data:
            raise ValueError(f"by: no column {column!r}; columns are {list(data.columns)}")
        if column == "speaker":
            group = data["transcript"].astype(str) + "/" + data["speaker"].fillna("").astype(str)
        else:
            group = data[column].fillna("").astype(str)
        counts = (
            pd.DataFrame({"group": group, "theme": data["theme"].astype(int)})
            .groupby(["group", "theme"], sort=True).size().rename("count").reset_index()
        )  # fmt: skip
        counts["share"] = counts["count"] / counts.groupby("group")["count"].transform("sum")
        counts["theme_share"] = counts["count"] / counts.groupby("theme")["count"].transform("sum")
        counts.insert(0, "by", column)
        frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=list(DISTRIBUTION_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    names = dict(labels or {})
    names.setdefault(-1, "outliers")
    out.insert(3, "label", [names.get(int(t), "") for t in out["theme"]])
    out["share"] = out["share"].astype(float).round(4)
    out["theme_share"] = out["theme_share"].astype(float).round(4)
    return out[list(DISTRIBUTION_COLUMNS)]

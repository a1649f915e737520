"""Relating and comparing categories: code co-occurrence and two-group contrasts.

The seed study's procedure goes beyond coding: relate categories (which codes
come up together) and compare groups of participants (what one group talks
about more than another). Both work on a long table of coded units, one row
per unit and item (a code or a theme), so human codes, machine codes and
themes are compared the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import Any

__all__ = ["COMPARE_COLUMNS", "COOCCURRENCE_COLUMNS", "compare_groups", "cooccurrence"]

COOCCURRENCE_COLUMNS = ("code_a", "code_b", "both", "n_a", "n_b", "jaccard", "lift", "n_contexts")
COMPARE_COLUMNS = (
    "item", "count_a", "total_a", "share_a", "count_b", "total_b", "share_b",
    "log_odds_ratio", "z", "p_value", "higher_in",
)  # fmt: skip


def cooccurrence(items: Any, *, context: Sequence[str], item: str = "code", min_both: int = 1) -> Any:
    """Which items come up together in the same context (a turn, a transcript).

    Parameters
    ----------
    items : DataFrame
        One row per (unit, item) present, with the ``context`` columns and an
        ``item`` column. Units without any item may appear with an empty item:
        they count towards ``n_contexts``.
    context : sequence of str
        Columns that identify a context, e.g. ``("transcript", "turn")``.
    item : str
        The column holding the code (or theme).
    min_both : int
        Leave out pairs that share fewer contexts.

    Returns
    -------
    DataFrame
        ``code_a, code_b, both, n_a, n_b, jaccard, lift, n_contexts``, most
        frequent pairs first: ``both`` contexts hold both codes, ``n_a`` and
        ``n_b`` contexts hold each; ``jaccard = both / (n_a + n_b - both)``;
        ``lift = both * n_contexts / (n_a * n_b)`` (above 1: together more
        often than if unrelated).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"transcript": ["a", "a", "a", "a", "b"], "turn": [1, 1, 2, 3, 1],
    ...                   "code": ["money", "trust", "money", "", "trust"]})
    >>> cooccurrence(t, context=["transcript", "turn"]).to_dict("records")
    [{'code_a': 'money', 'code_b': 'trust', 'both': 1, 'n_a': 2, 'n_b': 2, 'jaccard': 0.3333, 'lift': 1.0, 'n_contexts': 4}]
    """
    import pandas as pd

    if min_both < 1:
        raise ValueError(f"min_both must be at least 1, got {min_both!r}")
    missing = [c for c in (*context, item) if c not in items.columns]
    if missing:
        raise ValueError(f"items: no column {missing[0]!r}; columns are {list(items.columns)}")
    keys = items[list(context)].astype(str).agg("\x1f".join, axis=1)
    n_contexts = int(keys.nunique())
    present = pd.DataFrame({"context": keys, "item": items[item].fillna("").astype(str)})
    present = present[present["item"] != ""].drop_duplicates()
    sets = present.groupby("context", sort=True)["item"].agg(lambda s: sorted(set(s)))
    n_item = present["item"].value_counts()
    pairs: dict[tuple[str, str], int] = {}
    for codes in sets:
        for a, b in combinations(codes, 2):
            pairs[(a, b)] = pairs.get((a, b), 0) + 1
    rows = []
    for (a, b), both in pairs.items():
        if both < min_both:
            continue
        na, nb = int(n_item[a]), int(n_item[b])
        rows.append({
            "code_a": a, "code_b": b, "both": both, "n_a": na, "n_b": nb,
            "jaccard": round(both / (na + nb - both), 4), "lift": round(both * n_contexts / (na * nb), 4),
            "n_contexts": n_contexts,
        })  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COOCCURRENCE_COLUMNS))
    return table.sort_values(["both", "jaccard", "code_a", "code_b"], ascending=[False, False, True, True],
                             kind="stable").reset_index(drop=True)  # fmt: skip


def _two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def compare_groups(units: Any, *, group: str, a: str, b: str, item: str = "code") -> Any:
    """Items (codes or themes) that differ most between two groups of participants.

    For each item, the share of each group's units that carry it, the log
    odds ratio of group ``a`` against group ``b`` (with 0.5 added to every
    cell, Haldane-Anscombe), its z score (log odds ratio over its standard
    error) and the two-sided p-value of that z; sorted by ``|z|``, largest
    first. With small counts read the counts, not the p-values: units from
    one interview are not independent, and many items are tested at once.

    Parameters
    ----------
    units : DataFrame
        One row per unit (e.g. a participant sentence) and item it carries,
        with the ``group`` column; a unit carrying no item appears once with
        an empty item (it still counts in its group's total).
    group : str
        The column naming each unit's group.
    a, b : str
        The two groups to compare.
    item : str
        The column with the code (or theme label).

    Returns
    -------
    DataFrame
        ``item, count_a, total_a, share_a, count_b, total_b, share_b,
        log_odds_ratio, z, p_value, higher_in``.

    Raises
    ------
    ValueError
        An unknown column, or a group with no units.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"unit": ["1", "2", "3", "4", "5", "6"],
    ...                   "group": ["NK", "NK", "NK", "SK", "SK", "SK"],
    ...                   "code": ["family", "family", "", "funding", "funding", "family"]})
    >>> r = compare_groups(u, group="group", a="NK", b="SK")
    >>> r[["item", "count_a", "count_b", "higher_in"]].to_dict("records")
    [{'item': 'funding', 'count_a': 0, 'count_b': 2, 'higher_in': 'SK'}, {'item': 'family', 'count_a': 2, 'count_b': 1, 'higher_in': 'NK'}]
    """
    import pandas as pd

    for column in (group, item, "unit"):
        if column not in units.columns:
            raise ValueError(f"units: no column {column!r}; columns are {list(units.columns)}")
    data = units.assign(_group=units[group].fillna("").astype(str), _item=units[item].fillna("").astype(str))
    totals = data.groupby("_group")["unit"].nunique()
    for name in (a, b):
        if name not in totals.index:
            raise ValueError(f"group {name!r} has no units; groups are {sorted(totals.index)}")
    total_a, total_b = int(totals[a]), int(totals[b])
    present = data[(data["_item"] != "") & data["_group"].isin([a, b])]
    counts = present.groupby(["_item", "_group"])["unit"].nunique().unstack(fill_value=0)
    rows = []
    for name, row in counts.iterrows():
        ca, cb = int(row.get(a, 0)), int(row.get(b, 0))
        x, y = ca + 0.5, total_a - ca + 0.5
        u, v = cb + 0.5, total_b - cb + 0.5
        lor = math.log(x / y) - math.log(u / v)
        z = lor / math.sqrt(1 / x + 1 / y + 1 / u + 1 / v)
        rows.append({
            "item": str(name), "count_a": ca, "total_a": total_a, "share_a": round(ca / total_a, 4),
            "count_b": cb, "total_b": total_b, "share_b": round(cb / total_b, 4),
            "log_odds_ratio": round(lor, 4), "z": round(z, 4), "p_value": round(_two_sided_p(z), 6),
            "higher_in": a if lor > 0 else b,
        })  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    order = table["z"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order].reset_index(drop=True)

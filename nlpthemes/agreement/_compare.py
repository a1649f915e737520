"""Coder pairs side by side: human-human vs human-machine, disagreements, confusion matrices."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from nlpthemes.agreement._krippendorff import alpha_statistic
from nlpthemes.agreement._long import NONE_CODE, normalize_long, unit_values
from nlpthemes.agreement._multirater import agreement_statistic
from nlpthemes.agreement._pairwise import table_statistic
from nlpthemes.agreement._prepare import Categories, Prepared, prepare
from nlpthemes.agreement._ratings import Ratings
from nlpthemes.errors import InputError

__all__ = [
    "PAIR_METRICS",
    "compare_coders",
    "confusion_matrices",
    "disagreement_table",
    "pair_rows",
    "pairwise_agreement",
]

PAIR_METRICS: tuple[str, ...] = (
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
)


def _pair_values(prep: Prepared, sub: Ratings) -> dict[str, float]:
    stats = {
        "percent_agreement": agreement_statistic(sub, chance="none"),
        "cohen_kappa": table_statistic(sub, weights=prep.weights),
        "krippendorff_alpha": alpha_statistic(sub, level=prep.alpha_level),
        "gwet_ac1": agreement_statistic(sub, chance="gwet", n_categories=prep.n_categories),
    }
    return {name: stat.evaluate()[0] for name, stat in stats.items()}


def pair_rows(prep: Prepared, *, machines: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One row per pair of coders: units both coded, the pair's coefficients (NaN if undefined)."""
    r = prep.ratings
    rows: list[dict[str, Any]] = []
    for i, j in combinations(range(r.n_coders), 2):
        sub = r.select_coders([i, j])
        a, b = str(r.coders[i]), str(r.coders[j])
        n = int((sub.codes >= 0).all(axis=1).sum())
        kind = (
            "machine-machine"
            if a in machines and b in machines
            else ("human-machine" if a in machines or b in machines else "human-human")
        )
        row: dict[str, Any] = {"coder_a": a, "coder_b": b, "kind": kind, "n_units": n}
        row.update(_pair_values(prep, sub) if n else dict.fromkeys(PAIR_METRICS, math.nan))
        rows.append(row)
    return rows


def _check_machines(prep: Prepared, machines: Sequence[str]) -> None:
    known = {str(c) for c in prep.ratings.coders}
    unknown = [m for m in machines if m not in known]
    if unknown:
        raise InputError(
            None,
            f"machine coder(s) not in the data: {', '.join(unknown)} "
            f"(coders: {', '.join(sorted(known))})",
        )


def pairwise_agreement(
    long: pd.DataFrame,
    *,
    level: str = "nominal",
    weights: str = "none",
    categories: Categories = None,
    machines: Sequence[str] = (),
) -> pd.DataFrame:
    """Agreement of every pair of coders, each on the units both coded.

    Parameters
    ----------
    long : DataFrame
        Long format ``unit, coder, code``.
    level, weights, categories
        As for :func:`summarize_agreement`.
    machines : sequence of str
        Coders that are machines (a suggester acting as a coder): pairs are
        labelled ``human-human``, ``human-machine`` or ``machine-machine``.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": list("112233"), "coder": ["A", "M"] * 3,
    ...                      "code": ["x", "x", "y", "y", "x", "y"]})
    >>> pairwise_agreement(long, machines=["M"])[["kind", "n_units", "percent_agreement"]]
                kind  n_units  percent_agreement
    0  human-machine        3           0.666667
    """
    prep = prepare(long, level=level, weights=weights, categories=categories)
    _check_machines(prep, machines)
    return pd.DataFrame(pair_rows(prep, machines=machines))


def compare_coders(
    long: pd.DataFrame,
    *,
    machines: Sequence[str],
    level: str = "nominal",
    weights: str = "none",
    categories: Categories = None,
) -> pd.DataFrame:
    """Human-human next to human-machine agreement, on the same units.

    Only units coded by every coder are used, so both kinds of pairs are
    measured on identical material. Each row is the mean over the pairs of that
    kind (and how many pairs there are).

    Parameters
    ----------
    long : DataFrame
        Long format ``unit, coder, code``.
    machines : sequence of str
        The coders that are machines.
    level, weights, categories
        As for :func:`summarize_agreement`.

    Returns
    -------
    DataFrame
        ``kind, n_pairs, n_units`` and the mean of each pair coefficient.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": list("111222333"), "coder": ["A", "B", "M"] * 3,
    ...                      "code": list("xxxyyxxxy")})
    >>> compare_coders(long, machines=["M"])[["kind", "n_pairs", "n_units", "percent_agreement"]]
                kind  n_pairs  n_units  percent_agreement
    0    human-human        1        3           1.000000
    1  human-machine        2        3           0.333333
    """
    if not machines:
        raise InputError(None, "machines: name at least one coder that is a machine")
    prep = prepare(long, level=level, weights=weights, categories=categories)
    _check_machines(prep, machines)
    complete = (prep.ratings.codes >= 0).all(axis=1)
    if not complete.any():
        raise InputError(
            None,
            "no unit was coded by every coder, so humans and machine "
            "cannot be compared on the same units",
        )
    long = prep.long[
        prep.long["unit"].isin({str(u) for u in np.asarray(prep.ratings.units)[complete]})
    ]
    prep = prepare(long, level=level, weights=weights, categories=categories)
    table = pd.DataFrame(pair_rows(prep, machines=machines))
    summary = table.groupby("kind", sort=True)[list(PAIR_METRICS)].mean()
    summary.insert(0, "n_pairs", table.groupby("kind", sort=True).size())
    summary.insert(1, "n_units", int(complete.sum()))
    return summary.reset_index()


def _label(value: Any) -> str:
    if isinstance(value, frozenset):
        return "+".join(sorted(value)) or NONE_CODE
    return str(value)


def confusion_matrices(long: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """Per pair of coders, counts of (coder A's value, coder B's value) on units both coded.

    Multi-label values are shown as codes joined by ``+``.

    Parameters
    ----------
    long : DataFrame
        Long format ``unit, coder, code``.

    Returns
    -------
    dict
        ``(coder_a, coder_b)`` -> counts, rows coder A's values, columns coder B's.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": list("1122"), "coder": ["A", "B"] * 2,
    ...                      "code": ["x", "x", "x", "y"]})
    >>> confusion_matrices(long)[("A", "B")]
    B  x  y
    A
    x  1  1
    """
    wide = unit_values(normalize_long(long))
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for a, b in combinations(wide.columns, 2):
        both = wide[[a, b]].dropna()
        table = pd.crosstab(both[a].map(_label), both[b].map(_label)).rename_axis(
            index=a, columns=b
        )
        out[(str(a), str(b))] = table
    return out


def disagreement_table(
    long: pd.DataFrame, *, texts: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Units where coders differ, one row per unit and disputed code, sorted by code.

    A code is disputed on a unit when some but not all of the coders who coded
    the unit applied it. Columns: ``code, unit, text`` and one column per coder
    with all the codes that coder applied to the unit (``(none)`` for none, empty
    when the coder did not code the unit). For the coders' meeting.

    Parameters
    ----------
    long : DataFrame
        Long format; a ``text`` column, if present, gives the unit's text.
    texts : mapping, optional
        Unit -> text, overriding the ``text`` column.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": ["1", "1", "1", "2", "2"], "coder": ["A", "A", "B", "A", "B"],
    ...                      "code": ["x", "y", "x", "x", "x"]})
    >>> disagreement_table(long, texts={"1": "I left."}).to_dict("records")
    [{'code': 'y', 'unit': '1', 'text': 'I left.', 'A': 'x; y', 'B': 'x'}]
    """
    long = normalize_long(long)
    coders = sorted(set(long["coder"]))
    unit_text = (
        dict(texts)
        if texts is not None
        else (dict(zip(long["unit"], long["text"], strict=True)) if "text" in long.columns else {})
    )
    coded = long.groupby("unit", sort=False)["coder"].nunique()
    applied = long[long["code"] != ""]
    per_code = applied.groupby(["unit", "code"], sort=False)["coder"].nunique()
    disputed = per_code[
        per_code.to_numpy() < coded.reindex(per_code.index.get_level_values(0)).to_numpy()
    ]
    sets = applied.groupby(["unit", "coder"])["code"].agg(lambda s: "; ".join(sorted(set(s))))
    coded_pairs = set(zip(long["unit"], long["coder"], strict=True))
    rows = []
    for unit, code in disputed.index:
        row = {"code": code, "unit": unit, "text": unit_text.get(unit, "")}
        for coder in coders:
            row[coder] = sets.get((unit, coder), NONE_CODE) if (unit, coder) in coded_pairs else ""
        rows.append(row)
    columns = ["code", "unit", "text", *coders]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("code", kind="stable").reset_index(drop=True)

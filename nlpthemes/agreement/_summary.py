"""Every headline coefficient with its bootstrap interval, per code, and per pair of coders."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nlpthemes.agreement._bootstrap import (
    ConfidenceInterval,
    bootstrap_statistics,
    metric_statistic,
)
from nlpthemes.agreement._compare import _check_machines, compare_coders, pair_rows
from nlpthemes.agreement._krippendorff import alpha_statistic
from nlpthemes.agreement._long import code_presence
from nlpthemes.agreement._multirater import agreement_statistic
from nlpthemes.agreement._pairwise import table_statistic
from nlpthemes.agreement._prepare import Categories, Prepared, prepare
from nlpthemes.agreement._ratings import as_ratings
from nlpthemes.agreement._stats import UnitStatistic

__all__ = ["AgreementSummary", "summarize_agreement"]

PER_CODE_METRICS = ("cohen_kappa", "krippendorff_alpha", "gwet_ac1", "percent_agreement")


def _nullable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    return value


@dataclass(frozen=True)
class AgreementSummary:
    """Agreement of two or more coders on the same units.

    Attributes
    ----------
    n_units, n_pairable_units, n_coders : int
        Units in the input, units coded by two or more coders, coders.
    coders : tuple of str
    level, weights : str
        Options used for Krippendorff's alpha and Cohen's kappa.
    multi_label : bool
        Whether units carry sets of codes (alpha then uses the MASI distance).
    n_categories : int
        Number of categories behind Brennan-Prediger and AC1.
    metrics : dict of str to float
        Headline coefficients (NaN when undefined); ``cohen_kappa`` and
        ``scott_pi`` only for exactly two coders.
    ci : dict of str to ConfidenceInterval
        Bootstrap interval beside each headline figure (empty when not asked).
    per_code : dict or None
        Per code (present/absent per unit): cohen_kappa (two coders),
        krippendorff_alpha, gwet_ac1, percent_agreement and n_units.
    mean_over_codes : dict or None
        Mean of each per-code coefficient over the codes where it is defined.
    pairs : list of dict
        Every pair of coders on the units both coded.
    comparison : list of dict or None
        Human-human vs human-machine means on units coded by everyone.
    notes : tuple of str
        Why values are undefined, in words.
    """

    n_units: int
    n_pairable_units: int
    n_coders: int
    coders: tuple[str, ...]
    level: str
    weights: str
    multi_label: bool
    n_categories: int
    metrics: dict[str, float]
    ci: dict[str, ConfidenceInterval]
    per_code: dict[str, dict[str, float]] | None
    mean_over_codes: dict[str, float] | None
    pairs: list[dict[str, Any]]
    comparison: list[dict[str, Any]] | None = None
    notes: tuple[str, ...] = ()
    seed: int = 0
    primary_metric: str = field(default="krippendorff_alpha")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the CLI contract's keys, undefined values as ``None``."""
        out: dict[str, Any] = {
            "n_units": self.n_units,
            "n_coders": self.n_coders,
            "metrics": {k: _nullable(v) for k, v in self.metrics.items()},
        }
        if self.per_code is not None:
            out["per_code"] = {
                code: {k: _nullable(v) for k, v in values.items()}
                for code, values in self.per_code.items()
            }
        first = next(iter(self.ci.values()), None)
        out.update(
            {
                "n_pairable_units": self.n_pairable_units,
                "coders": list(self.coders),
                "level": self.level,
                "weights": self.weights,
                "multi_label": self.multi_label,
                "alpha_distance": "masi" if self.multi_label else self.level,
                "n_categories": self.n_categories,
                "primary_metric": self.primary_metric,
                "ci": {k: ci.as_list() for k, ci in self.ci.items()},
                "confidence_level": first.confidence_level if first else None,
                "n_resamples": first.n_resamples if first else 0,
                "seed": self.seed,
            }
        )
        if self.mean_over_codes is not None:
            out["mean_over_codes"] = {k: _nullable(v) for k, v in self.mean_over_codes.items()}
        out["pairs"] = [{k: _nullable(v) for k, v in row.items()} for row in self.pairs]
        if self.comparison is not None:
            out["comparison"] = [
                {k: _nullable(v) for k, v in row.items()} for row in self.comparison
            ]
        out["notes"] = list(self.notes)
        return out


def _headline_statistics(prep: Prepared) -> dict[str, UnitStatistic]:
    r = prep.ratings
    names = ["percent_agreement"]
    if r.n_coders == 2:
        names += ["cohen_kappa", "scott_pi"]
    names += ["fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger"]
    options: dict[str, dict[str, Any]] = {
        "cohen_kappa": {"weights": prep.weights},
        "gwet_ac1": {"n_categories": prep.n_categories},
        "brennan_prediger": {"n_categories": prep.n_categories},
    }
    stats = {
        name: metric_statistic(r, name, options.get(name))
        for name in names
        if name != "krippendorff_alpha"
    }
    stats["krippendorff_alpha"] = alpha_statistic(r, level=prep.alpha_level)
    return {name: stats[name] for name in names}


def _per_code(
    prep: Prepared, codes: Sequence[str], notes: list[str]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for code, wide in code_presence(prep.long, codes).items():
        r = as_ratings(wide, categories=[0.0, 1.0])
        stats: dict[str, UnitStatistic] = {}
        if r.n_coders == 2:
            stats["cohen_kappa"] = table_statistic(r)
        stats["krippendorff_alpha"] = alpha_statistic(r, level="nominal")
        stats["gwet_ac1"] = agreement_statistic(r, chance="gwet", n_categories=2)
        stats["percent_agreement"] = agreement_statistic(r, chance="none")
        values: dict[str, float] = {}
        for name, stat in stats.items():
            value, reason = stat.evaluate()
            values[name] = value
            if reason is not None:
                notes.append(f"per_code[{code!r}] {name} is undefined: {reason}")
        values["n_units"] = int((r.n_rated() >= 2).sum())
        out[code] = values
    return out


def _mean_over_codes(per_code: dict[str, dict[str, float]]) -> dict[str, float]:
    table = pd.DataFrame.from_dict(per_code, orient="index")
    out: dict[str, float] = {}
    for name in PER_CODE_METRICS:
        if name in table.columns:
            col = table[name].astype(float)
            out[name] = float(col.mean()) if col.notna().any() else math.nan
            out[f"n_codes_{name}"] = int(col.notna().sum())
    return out


def summarize_agreement(
    long: pd.DataFrame,
    *,
    level: str = "nominal",
    weights: str = "none",
    categories: Categories = None,
    machines: Sequence[str] = (),
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> AgreementSummary:
    """All agreement figures for a long ``unit,coder,code`` table (what ``nlpthemes agree`` prints).

    Parameters
    ----------
    long : DataFrame
        Columns ``unit, coder, code``; one row per code applied, an empty code
        for "coded, no code" (see :func:`read_long_csv`).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement for Krippendorff's alpha.
    weights : {"none", "linear", "quadratic"}
        Weights for Cohen's kappa.
    categories : int or sequence of str, optional
        The codebook: its size, or its categories in order (for
        Brennan-Prediger and AC1, weights, ordinal order and per-code rows).
    machines : sequence of str
        Coders that are machines: adds a human-human vs human-machine comparison.
    n_resamples : int
        Bootstrap resamples for the intervals (0: none).
    confidence_level : float
    seed : int

    Examples
    --------
    Krippendorff (2011), sec. B: two coders, 12 units, nominal alpha = 0.692.

    >>> long = pd.DataFrame({"unit": [str(i) for i in range(12)] * 2,
    ...                      "coder": ["A"] * 12 + ["B"] * 12,
    ...                      "code": list("aabbdcccedda") + list("babbbcccedd") + ["d"]})
    >>> s = summarize_agreement(long, n_resamples=0)
    >>> round(s.metrics["krippendorff_alpha"], 3), s.n_units, s.n_coders
    (0.692, 12, 2)
    """
    prep = prepare(long, level=level, weights=weights, categories=categories)
    if machines:
        _check_machines(prep, machines)
    notes: list[str] = []
    metrics: dict[str, float] = {}
    ci: dict[str, ConfidenceInterval] = {}
    headline = _headline_statistics(prep)
    for name, stat in headline.items():
        value, reason = stat.evaluate()
        metrics[name] = value
        if reason is not None:
            notes.append(f"{name} is undefined: {reason}")
    if n_resamples:
        ci = bootstrap_statistics(
            headline, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed
        )
    per_code = _per_code(prep, prep.codes, notes) if prep.codes is not None else None
    comparison = None
    if machines:
        table = compare_coders(
            prep.long, machines=machines, level=level, weights=weights, categories=categories
        )
        comparison = table.to_dict("records")
    r = prep.ratings
    return AgreementSummary(
        n_units=r.n_units,
        n_pairable_units=int((r.n_rated() >= 2).sum()),
        n_coders=r.n_coders,
        coders=tuple(str(c) for c in r.coders),
        level=level,
        weights=weights,
        multi_label=prep.multi_label,
        n_categories=prep.n_categories,
        metrics=metrics,
        ci=ci,
        per_code=per_code,
        mean_over_codes=_mean_over_codes(per_code) if per_code else None,
        pairs=pair_rows(prep, machines=machines),
        comparison=comparison,
        notes=tuple(notes),
        seed=seed,
    )

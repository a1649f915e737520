"""From a long ``unit,coder,code`` table and the user's options to ratings ready for the metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from nlpthemes.agreement._krippendorff import Distance, masi_distance
from nlpthemes.agreement._long import (
    NONE_CODE,
    is_multi_label,
    normalize_long,
    observed_codes,
    unit_values,
)
from nlpthemes.agreement._ratings import Ratings, as_ratings, require_pairable
from nlpthemes.agreement._validation import LEVELS, WEIGHTS, check_option
from nlpthemes.errors import InputError

__all__ = ["Prepared", "parse_categories", "prepare"]

Categories = int | Sequence[str] | None


@dataclass(frozen=True)
class Prepared:
    """Ratings of the units' overall values plus everything the options decided.

    Attributes
    ----------
    long : DataFrame
        The checked long table.
    ratings : Ratings
        Each unit's value per coder: the code (or ``"(none)"``), or the set of
        codes in multi-label data.
    multi_label : bool
    level : str
    alpha_level : str or callable
        What Krippendorff's alpha uses: the level, or the MASI distance for sets.
    weights : str
    n_categories : int
        Number of categories for Brennan-Prediger and AC1.
    codes : list of str or None
        Codes to report per code (declared or observed), or None when per-code
        results were not asked for (single-label data without declared categories).
    """

    long: pd.DataFrame
    ratings: Ratings
    multi_label: bool
    level: str
    alpha_level: str | Distance
    weights: str
    n_categories: int
    codes: list[str] | None


def parse_categories(text: str | None) -> Categories:
    """Read ``--categories``: a number of categories, or names separated by commas.

    Examples
    --------
    >>> parse_categories("4"), parse_categories("low, mid,high")
    (4, ['low', 'mid', 'high'])
    """
    if text is None or not text.strip():
        return None
    if text.strip().isdigit():
        return int(text.strip())
    names = [part.strip() for part in text.split(",")]
    if any(not name for name in names):
        raise InputError(None, f"--categories {text!r} has an empty name")
    return names


def _numeric_order(labels: list[str]) -> list[str] | None:
    try:
        return sorted(labels, key=float)
    except ValueError:
        return None


def prepare(
    long: pd.DataFrame,
    *,
    level: str = "nominal",
    weights: str = "none",
    categories: Categories = None,
) -> Prepared:
    """Check options against the data and build the overall ratings.

    Raises
    ------
    InputError
        Unknown options, codes outside the declared categories, a single coder,
        no unit coded twice, or a level the data cannot have.
    """
    check_option("level", level, LEVELS)
    check_option("weights", weights, WEIGHTS)
    long = normalize_long(long)
    coders = sorted(set(long["coder"]))
    if len(coders) < 2:
        raise InputError(None, f"only one coder ({coders[0]}): agreement needs two or more coders")
    codes = observed_codes(long)
    declared: list[str] | None = None
    if isinstance(categories, bool):
        raise InputError(None, "categories must be a number or a list of names")
    if isinstance(categories, int):
        if categories < 2:
            raise InputError(
                None, f"categories={categories}: a codebook needs at least 2 categories"
            )
        if categories < len(codes):
            raise InputError(None, f"categories={categories}, but the data use {len(codes)} codes")
    elif categories is not None:
        declared = [str(c) for c in categories]
        unknown = sorted(set(codes) - set(declared))
        if unknown:
            raise InputError(
                None, f"codes not among the declared categories: {', '.join(unknown[:5])}"
            )
    multi = is_multi_label(long)
    has_none = bool((long["code"] == "").any())
    if multi and (level != "nominal" or weights != "none"):
        raise InputError(
            None,
            "multi-label data (several codes per unit) need level='nominal' "
            "and weights='none'; per-code results are binary",
        )
    if has_none and not multi and (level != "nominal" or weights != "none"):
        raise InputError(
            None,
            f"rows with an empty code (the category {NONE_CODE!r}) cannot be "
            "placed on a scale: use level='nominal' without weights, or drop them",
        )
    wide = unit_values(long, multi_label=multi)
    order: list[str] | None = None
    if not multi:
        if declared is not None:
            order = declared + ([NONE_CODE] if has_none else [])
        else:
            order = _numeric_order(codes) if not has_none else None
    ratings = as_ratings(wide, categories=order)
    require_pairable(ratings)
    if isinstance(categories, int):
        q = categories
    elif declared is not None and not multi:
        q = len(order or declared)
    else:
        q = ratings.n_categories
    wanted = declared if declared is not None else (codes if multi or categories else None)
    return Prepared(
        long, ratings, multi, level, masi_distance if multi else level, weights, q, wanted
    )

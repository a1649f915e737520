"""What a researcher reads: a theme, its label, keywords and quotes, as tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlpthemes.themes._hierarchy import ThemeGroup
from nlpthemes.themes._quotes import Quote

__all__ = ["QUOTE_COLUMNS", "THEME_COLUMNS", "Theme", "label_from_keywords", "quotes_table", "themes_table"]

THEME_COLUMNS = ("id", "label", "size", "keywords", "parent", "level", "share")
QUOTE_COLUMNS = ("theme", "rank", "transcript", "index", "start", "end", "speaker", "similarity", "text")


@dataclass(frozen=True)
class Theme:
    """A candidate theme.

    Attributes
    ----------
    id : int
        0 is the largest theme; -1 is never a theme (it marks outliers).
    label : str
        Short name from the top keywords; rename freely.
    size : int
        Sentences in the theme.
    keywords : tuple of str
        c-TF-IDF keywords, best first.
    parent : int or None
        The id of the smallest theme group holding this theme.
    quotes : tuple of Quote
        Representative sentences, closest to the theme's centre first.
    """

    id: int
    label: str
    size: int
    keywords: tuple[str, ...]
    parent: int | None
    quotes: tuple[Quote, ...]


def label_from_keywords(keywords: Sequence[str], n_words: int = 3) -> str:
    """A short label: the first keywords, skipping words already in a chosen phrase.

    Examples
    --------
    >>> label_from_keywords(["ice plots", "plots", "ice", "interactions", "features"])
    'ice plots, interactions, features'
    >>> label_from_keywords([])
    '(no keywords)'
    """
    chosen: list[str] = []
    covered: set[str] = set()
    for keyword in keywords:
        words = set(keyword.split())
        if words <= covered:
            continue
        chosen.append(keyword)
        covered |= words
        if len(chosen) == n_words:
            break
    return ", ".join(chosen) if chosen else "(no keywords)"


def themes_table(
    themes: Sequence[Theme], groups: Sequence[ThemeGroup], *, n_outliers: int | None = None
) -> Any:
    """Themes and their groups as one DataFrame (``THEME_COLUMNS``).

    Themes are level 0; groups level 1 (finer) and 2 (broader), with the
    summed size of their themes. ``keywords`` are joined with ``"; "``. With
    ``n_outliers``, a last row ``-1, outliers`` holds the outlier count.
    ``share`` is the fraction of analysed sentences.

    Examples
    --------
    >>> t = [Theme(0, "money", 6, ("money", "pay"), 5, ()), Theme(1, "kids", 2, ("kids",), 5, ())]
    >>> g = [ThemeGroup(5, "money, kids", ("money", "kids"), (0, 1), 1, None)]
    >>> themes_table(t, g, n_outliers=2).to_string(index=False)
    ' id       label  size    keywords parent  level  share\\n  0       money     6  money; pay      5      0    0.6\\n  1        kids     2        kids      5      0    0.2\\n  5 money, kids     8 money; kids             1    0.8\\n -1    outliers     2                         0    0.2'
    """
    import pandas as pd

    sizes = {t.id: t.size for t in themes}
    rows: list[dict[str, Any]] = [
        {"id": t.id, "label": t.label, "size": t.size, "keywords": "; ".join(t.keywords),
         "parent": "" if t.parent is None else t.parent, "level": 0}
        for t in themes
    ]  # fmt: skip
    for g in groups:
        rows.append(
            {"id": g.id, "label": g.label, "size": sum(sizes.get(t, 0) for t in g.themes),
             "keywords": "; ".join(g.keywords), "parent": "" if g.parent is None else g.parent,
             "level": g.level}
        )  # fmt: skip
    if n_outliers is not None:
        rows.append({"id": -1, "label": "outliers", "size": n_outliers, "keywords": "", "parent": "", "level": 0})
    total = sum(sizes.values()) + (n_outliers or 0)
    table = pd.DataFrame(rows, columns=list(THEME_COLUMNS[:-1]))
    table["share"] = (table["size"] / total).round(4) if total else 0.0
    return table


def quotes_table(themes: Sequence[Theme]) -> Any:
    """Every theme's quotes as a DataFrame (``QUOTE_COLUMNS``)."""
    import pandas as pd

    rows = [{c: getattr(q, c) for c in QUOTE_COLUMNS} for t in themes for q in t.quotes]
    return pd.DataFrame(rows, columns=list(QUOTE_COLUMNS))

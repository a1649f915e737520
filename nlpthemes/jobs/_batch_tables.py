"""Tables of a batch run: per-transcript rows, group counts and the shift in theme shares."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence

__all__ = ["SHIFT_COLUMNS", "THEME_ROW_COLUMNS", "concat_csv", "group_counts", "shift_table", "theme_rows"]

THEME_ROW_COLUMNS = ("transcript", "index", "start", "end", "speaker", "theme", "label", "probability",
                     "theme_similarity", "code_similarity", "novel", "excluded")  # fmt: skip
SHIFT_COLUMNS = ("by", "group", "theme", "label", "old_count", "old_share", "new_count", "new_share", "shift")
ALL = "all"


def theme_rows(assignment: Any, labels: Mapping[int, str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of ``sentence_themes.csv`` (participant attributes at the end)."""
    attributes: dict[str, None] = {}
    for s in assignment.sentences:
        attributes.update(dict.fromkeys(s.attributes))
    extra = [a if a not in THEME_ROW_COLUMNS else f"attr_{a}" for a in attributes]
    rows = []
    for i, s in enumerate(assignment.sentences):
        theme = int(assignment.themes[i])
        excluded = assignment.excluded[i]
        row: dict[str, Any] = {
            "transcript": s.transcript_id, "index": s.index, "start": s.start, "end": s.end,
            "speaker": s.speaker or "", "theme": theme, "label": labels.get(theme, ""),
            "probability": "" if excluded else f"{float(assignment.probability[i]):.4f}",
            "theme_similarity": f"{float(assignment.theme_similarity[i]):.4f}",
            "code_similarity": f"{float(assignment.code_similarity[i]):.4f}",
            "novel": int(assignment.novel[i]), "excluded": excluded,
        }  # fmt: skip
        for name, column in zip(attributes, extra, strict=True):
            row[column] = s.attributes.get(name, "")
        rows.append(row)
    return [*THEME_ROW_COLUMNS, *extra], rows


def group_counts(sentences: Sequence[Sentence], themes: Iterable[int], excluded: Sequence[str]) -> Any:
    """Theme counts of analysed sentences, overall (``by=all``) and per participant attribute.

    Examples
    --------
    >>> s = [Sentence("a", 0, 0, 1, "x", attributes={"wave": "1"}), Sentence("a", 1, 2, 3, "y", attributes={"wave": "1"})]
    >>> group_counts(s, [0, -1], ["", ""]).to_dict("records")[0]
    {'by': 'all', 'group': 'all', 'theme': -1, 'count': 1}
    """
    import pandas as pd

    counts: Counter[tuple[str, str, int]] = Counter()
    for s, theme, why in zip(sentences, themes, excluded, strict=True):
        if why:
            continue
        counts[(ALL, ALL, int(theme))] += 1
        for name, value in s.attributes.items():
            counts[(str(name), str(value), int(theme))] += 1
    rows = [{"by": b, "group": g, "theme": t, "count": n} for (b, g, t), n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["by", "group", "theme", "count"])


def shift_table(old: Any, new: Any, labels: Mapping[int, str]) -> Any:
    """Theme shares of the old (fit) and new sets per group, and their difference (new - old).

    Groups present in only one set keep an empty share on the other side.

    Examples
    --------
    >>> import pandas as pd
    >>> old = pd.DataFrame({"by": ["all"] * 2, "group": ["all"] * 2, "theme": [0, 1], "count": [3, 1]})
    >>> new = pd.DataFrame({"by": ["all"] * 2, "group": ["all"] * 2, "theme": [0, 1], "count": [1, 1]})
    >>> shift_table(old, new, {0: "money", 1: "school"})[["label", "old_share", "new_share", "shift"]].values.tolist()
    [['money', 0.75, 0.5, -0.25], ['school', 0.25, 0.5, 0.25]]
    """
    import pandas as pd

    def shares(table: Any, prefix: str) -> Any:
        t = table.copy()
        t[f"{prefix}_share"] = t["count"] / t.groupby(["by", "group"])["count"].transform("sum")
        return t.rename(columns={"count": f"{prefix}_count"})

    merged = pd.merge(shares(old, "old"), shares(new, "new"), on=["by", "group", "theme"], how="outer")
    old_groups = set(zip(old["by"], old["group"], strict=True))
    new_groups = set(zip(new["by"], new["group"], strict=True))
    in_old = [(b, g) in old_groups for b, g in zip(merged["by"], merged["group"], strict=True)]
    in_new = [(b, g) in new_groups for b, g in zip(merged["by"], merged["group"], strict=True)]
    for side, present in (("old", in_old), ("new", in_new)):
        merged.loc[present, f"{side}_count"] = merged.loc[present, f"{side}_count"].fillna(0)
        merged.loc[present, f"{side}_share"] = merged.loc[present, f"{side}_share"].fillna(0.0)
    merged["shift"] = merged["new_share"] - merged["old_share"]
    for column in ("old_share", "new_share", "shift"):
        merged[column] = merged[column].astype(float).round(4)
    for column in ("old_count", "new_count"):
        merged[column] = merged[column].astype("Int64")
    merged.insert(3, "label", [labels.get(int(t), "outliers" if int(t) == -1 else "") for t in merged["theme"]])
    merged["_all"] = merged["by"] != ALL
    merged = merged.sort_values(["_all", "by", "group", "theme"], kind="stable").drop(columns="_all")
    return merged[list(SHIFT_COLUMNS)].reset_index(drop=True)


def concat_csv(parts: Sequence[Path], target: Path) -> int:
    """Concatenate CSV files with possibly different columns into ``target`` (union of columns,
    in first-seen order), streaming row by row; returns the number of rows. Writes atomically."""
    from nlpthemes.io._atomic import atomic_text

    columns: dict[str, None] = {}
    for part in parts:
        with open(part, encoding="utf-8", newline="") as handle:
            columns.update(dict.fromkeys(next(csv.reader(handle), [])))
    n = 0
    with atomic_text(target, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), restval="")
        writer.writeheader()
        for part in parts:
            with open(part, encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    writer.writerow(row)
                    n += 1
    return n

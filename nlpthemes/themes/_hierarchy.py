"""Theme groups at a few readable levels, cut from BERTopic's ``hierarchical_topics``.

BERTopic merges themes two at a time (Ward linkage on c-TF-IDF), which gives
``k - 1`` binary merges: too many levels to read. We cut that tree at about
``k / 3`` groups (level 1) and again at about a third of that (level 2), like
a codebook's Aims > Objectives > Activities. Each group keeps BERTopic's
node id and keywords, so it can be found in ``hierarchy_`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Merge", "ThemeGroup", "cut_levels", "group_label", "merges_from_bertopic"]


@dataclass(frozen=True)
class Merge:
    """One merge of BERTopic's hierarchy: node ``id`` holds the leaf ``themes``."""

    id: int
    themes: frozenset[int]
    distance: float
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ThemeGroup:
    """A group of themes at ``level`` 1 (finer) or 2 (broader)."""

    id: int
    label: str
    keywords: tuple[str, ...]
    themes: tuple[int, ...]
    level: int
    parent: int | None


def merges_from_bertopic(hierarchy: Any) -> list[Merge]:
    """Read BERTopic's ``hierarchical_topics`` DataFrame into merges, closest first."""
    merges = [
        Merge(
            id=int(row.Parent_ID),
            themes=frozenset(int(t) for t in row.Topics),
            distance=float(row.Distance),
            keywords=tuple(w for w in str(row.Parent_Name).split("_") if w),
        )
        for row in hierarchy.itertuples(index=False)
    ]
    return sorted(merges, key=lambda m: (m.distance, m.id))


def _groups_at(merges: Sequence[Merge], k: int, n_groups: int) -> list[Merge]:
    applied = merges[: max(0, k - n_groups)]
    return [m for m in applied if not any(m.themes < other.themes for other in applied)]


def group_label(keywords: Sequence[str], label_words: int = 3) -> str:
    """A theme group's label: its first keywords.

    Examples
    --------
    >>> group_label(("money", "funding", "grants", "budget"))
    'money, funding, grants'
    """
    return ", ".join(keywords[:label_words])


def cut_levels(merges: Sequence[Merge], k: int, *, label_words: int = 3) -> list[ThemeGroup]:
    """Groups at level 1 (about ``k/3``) and level 2 (about ``k/9``), when those are useful.

    Examples
    --------
    >>> m = [Merge(6, frozenset({0, 1}), 0.1, ("a",)), Merge(7, frozenset({2, 3}), 0.2, ("b",)),
    ...      Merge(8, frozenset({0, 1, 4}), 0.3, ("c",)), Merge(9, frozenset({2, 3, 5}), 0.4, ("d",)),
    ...      Merge(10, frozenset(range(6)), 0.9, ("e",))]
    >>> [(g.id, g.themes, g.level, g.parent) for g in cut_levels(m, 6)]
    [(8, (0, 1, 4), 1, None), (9, (2, 3, 5), 1, None)]
    """
    ordered = sorted(merges, key=lambda m: (m.distance, m.id))
    levels: list[list[Merge]] = []
    n_groups = k
    while len(levels) < 2:
        n_groups = max(2, round(n_groups / 3))
        if n_groups >= k - 1 or (levels and n_groups >= len(levels[-1])):
            break
        groups = _groups_at(ordered, k, n_groups)
        if levels:  # keep only groups that are broader than every finer group they hold
            finer = {g.themes for g in levels[-1]}
            groups = [g for g in groups if g.themes not in finer]
        if not groups:
            break
        levels.append(groups)
        if n_groups <= 2:
            break
    out: list[ThemeGroup] = []
    for level, groups in enumerate(levels, start=1):
        broader = levels[level] if level < len(levels) else []
        for g in sorted(groups, key=lambda m: m.id):
            parent = next((b.id for b in broader if g.themes < b.themes), None)
            out.append(
                ThemeGroup(
                    id=g.id, label=group_label(g.keywords, label_words), keywords=g.keywords,
                    themes=tuple(sorted(g.themes)), level=level, parent=parent,
                )
            )  # fmt: skip
    return out

"""Derived tables of the analyze job: units, code frequencies, co-occurrence, group contrasts, theme map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlpthemes.corpus import Sentence
from nlpthemes.errors import InputError

__all__ = [
    "choose_groups",
    "code_frequencies",
    "code_items",
    "group_comparison",
    "theme_map",
    "unit_frame",
]


def unit_frame(sentences: Sequence[Sentence], group: str) -> Any:
    """One row per participant sentence: ``unit, transcript, index, turn, group``."""
    import pandas as pd

    rows = [
        {"unit": f"{s.transcript_id}#{s.index}", "transcript": s.transcript_id, "index": s.index, "turn": s.turn,
         "group": s.transcript_id if group == "transcript" else str(s.attributes.get(group, ""))}
        for s in sentences if not s.is_interviewer
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["unit", "transcript", "index", "turn", "group"])


def participant_key(sentence: Sentence) -> tuple[str, str | None]:
    """Who said a sentence: the speaker of its transcript, or, for a survey answer (it has a
    ``question``), the respondent across all their answers.

    Examples
    --------
    >>> a = Sentence("r1 Q1", 0, 0, 1, "x", speaker="r1", attributes={"question": "Why?"})
    >>> b = Sentence("r1 Q2", 0, 0, 1, "y", speaker="r1", attributes={"question": "How?"})
    >>> participant_key(a) == participant_key(b), participant_key(Sentence("p1", 0, 0, 1, "z", speaker="Kim"))
    (True, ('p1', 'Kim'))
    """
    return ("" if "question" in sentence.attributes else sentence.transcript_id, sentence.speaker)


def choose_groups(
    sentences: Sequence[Sentence], group_by: str | None, compare: Sequence[str] | None
) -> tuple[str, tuple[str, str] | None, str | None]:
    """The column that groups participants, the two groups to compare, and a note when there are none.

    ``group_by`` must be a participant attribute; by default the first
    attribute with two or more values and at least two participants per value
    on average, else the transcript (no comparison then). ``compare`` names the
    two groups; by default the two largest.
    """
    from collections import Counter

    participants = [s for s in sentences if not s.is_interviewer]
    names = list(dict.fromkeys(a for s in participants for a in s.attributes))
    if group_by is not None and group_by != "transcript" and group_by not in names:
        raise InputError(None, f"group_by: no participant attribute {group_by!r}; attributes: {', '.join(names) or 'none'}")
    column = group_by
    if column is None:
        # a grouping has at least two groups, and on average two participants per group (a column
        # of timestamps or free comments, different for everyone, groups nobody)
        speakers = len({participant_key(s) for s in participants})
        column = next((a for a in names
                       if 2 <= len({s.attributes.get(a, "") for s in participants} - {""}) <= max(2, speakers // 2)),
                      "transcript")  # fmt: skip
    if column == "transcript":
        if compare:
            raise InputError(None, "compare: groups come from a participant attribute (give --attributes and --group-by)")
        return column, None, "no participant attribute with two or more groups (give --attributes to compare groups)"
    sizes = Counter(str(s.attributes.get(column, "")) for s in participants)
    sizes.pop("", None)
    if compare:
        if len(compare) != 2 or compare[0] == compare[1]:
            raise InputError(None, f"compare: name two different groups, got {list(compare)!r}")
        unknown = [g for g in compare if g not in sizes]
        if unknown:
            raise InputError(None, f"compare: no group {unknown[0]!r} in {column!r}; groups: {', '.join(sorted(sizes))}")
        return column, (str(compare[0]), str(compare[1])), None
    if len(sizes) < 2:
        return column, None, f"only one group in {column!r}: nothing to compare"
    largest = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    a, b = sorted(name for name, _ in largest)
    return column, (a, b), None


def code_items(units: Any, long: Any | None, machine_applied: Any, codes: Sequence[str], machine: str) -> Any:
    """Per participant sentence, the codes applied: ``unit, source, code`` (source ``human`` or ``machine``).

    Human codes are pooled over coders (a sentence has a code when any human
    coder applied it); sentences with no code have one row with an empty code.
    """
    import pandas as pd

    rows = []
    for unit, decided in zip(units["unit"], np.asarray(machine_applied, dtype=bool), strict=True):
        applied = [codes[int(j)] for j in np.nonzero(decided)[0]] or [""]
        rows += [(unit, "machine", c) for c in applied]
    frames = [pd.DataFrame(rows, columns=["unit", "source", "code"])]
    if long is not None:
        human = long[long["coder"] != machine]
        coded = human[["unit"]].drop_duplicates().assign(source="human", code="")
        applied_h = human.loc[human["code"] != "", ["unit", "code"]].drop_duplicates().assign(source="human")
        bare = coded[~coded["unit"].isin(set(applied_h["unit"]))]
        frames += [applied_h[["unit", "source", "code"]], bare[["unit", "source", "code"]]]
    items = pd.concat(frames, ignore_index=True)
    return items.merge(units, on="unit", how="inner")


def code_frequencies(items: Any) -> Any:
    """``source, code, group, count, units, share``: sentences with each code per group."""
    totals = items.groupby(["source", "group"])["unit"].nunique().rename("units")
    applied = items[items["code"] != ""]
    counts = applied.groupby(["source", "code", "group"])["unit"].nunique().rename("count").reset_index()
    counts = counts.merge(totals.reset_index(), on=["source", "group"], how="left")
    counts["share"] = (counts["count"] / counts["units"]).round(4)
    return counts.sort_values(["source", "code", "group"], kind="stable").reset_index(drop=True)


def group_comparison(items: Any, themes: Any, column: str, pair: tuple[str, str]) -> Any:
    """Codes (human, machine) and themes ranked by how much they differ between two groups."""
    import pandas as pd

    from nlpthemes.compare import compare_groups

    a, b = pair
    frames = []
    for source, part in ([] if items is None else items.groupby("source", sort=True)):
        table = compare_groups(part, group="group", a=a, b=b, item="code")
        frames.append(table.assign(kind="code", source=source))
    if themes is not None and column in themes.columns:
        data = themes[themes["excluded"].fillna("").astype(str) == ""]
        frame = pd.DataFrame({
            "unit": data["transcript"].astype(str) + "#" + data["index"].astype(str),
            "group": data[column].fillna("").astype(str),
            "code": [lab if int(t) >= 0 else "" for t, lab in zip(data["theme"], data["label"], strict=True)],
        })  # fmt: skip
        if {a, b} <= set(frame["group"]):
            frames.append(compare_groups(frame, group="group", a=a, b=b, item="code").assign(kind="theme", source="themes"))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "group_b", b)
    out.insert(0, "group_a", a)
    first = ["kind", "source", "group_a", "group_b"]
    return out[first + [c for c in out.columns if c not in first]]


def theme_map(
    vectors: Any, labels: Any, analysed: Any, centroids: Any, *, seed: int = 0, max_points: int = 3000
) -> tuple[Any, Any, Any]:
    """2-D PCA of the analysed sentences and the theme centres.

    Returns the row positions of the plotted sentences (a seeded sample of at
    most ``max_points``), their ``x, y`` and the centres' ``x, y``.
    """
    from sklearn.decomposition import PCA

    x = np.asarray(vectors, dtype=np.float32)
    rows = np.nonzero(np.asarray(analysed, dtype=bool))[0]
    if len(rows) > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=max_points, replace=False))
    unit = x[rows] / np.maximum(np.linalg.norm(x[rows], axis=1, keepdims=True), 1e-12)
    if len(rows) < 3:
        return rows, np.zeros((len(rows), 2)), np.zeros((len(centroids), 2))
    pca = PCA(n_components=2, random_state=seed).fit(unit)
    return rows, pca.transform(unit), pca.transform(np.asarray(centroids, dtype=np.float32))

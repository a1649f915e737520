"""Character-level agreement, as NVivo reports it, with uncoded text kept apart.

NVivo counts every character neither coder coded as agreement, so long
stretches of uncoded talk inflate its percent agreement and kappa. Here the
characters coded by both, by one only and by neither are counted separately:
``agreement_on_coded`` leaves the uncoded-by-both text out, and the NVivo-style
figures over all characters are given next to it for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nlpthemes.agreement._pairwise import kappa_from_table
from nlpthemes.agreement._units import check_codings, merge_spans
from nlpthemes.errors import InputError

__all__ = ["character_agreement"]


def _covered(seg_start: NDArray[np.int64], spans: pd.DataFrame) -> NDArray[np.bool_]:
    starts, ends = merge_spans(spans["start"].tolist(), spans["end"].tolist())
    idx = np.searchsorted(starts, seg_start, side="right") - 1
    inside = idx >= 0
    out = np.zeros(seg_start.size, dtype=bool)
    out[inside] = seg_start[inside] < ends[idx[inside]]
    return out


def character_agreement(
    codings: pd.DataFrame,
    *,
    lengths: Mapping[str, int],
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per code and pair of coders: characters coded by both, by one only, by neither.

    Parameters
    ----------
    codings : DataFrame
        ``transcript, start, end, code, coder``.
    lengths : mapping
        Transcript id -> length of its text; every listed transcript counts as
        coded by every coder.
    coders, codes : sequence of str, optional
        Default: all in ``codings``.

    Returns
    -------
    DataFrame
        Columns ``code, coder_a, coder_b, n_characters, both, only_a, only_b,
        neither, agreement_on_coded`` (both / characters coded by either),
        ``percent_agreement_all`` and ``cohen_kappa_all`` (over all characters,
        neither counted as agreement, as NVivo does).

    Examples
    --------
    >>> codings = pd.DataFrame({"transcript": ["t", "t"], "start": [0, 5], "end": [10, 15],
    ...                         "code": ["x", "x"], "coder": ["A", "B"]})
    >>> row = character_agreement(codings, lengths={"t": 100}).iloc[0]
    >>> int(row.both), int(row.only_a), int(row.only_b), int(row.neither)
    (5, 5, 5, 85)
    >>> row[["agreement_on_coded", "percent_agreement_all"]].astype(float).round(3).tolist()
    [0.333, 0.9]
    """
    codings = check_codings(codings)
    unknown = sorted(set(codings["transcript"]) - set(lengths))
    if unknown:
        raise InputError(
            None, f"codings name transcripts without a length: {', '.join(unknown[:5])}"
        )
    too_long = codings[codings["end"].to_numpy() > codings["transcript"].map(lengths).to_numpy()]
    if not too_long.empty:
        raise InputError(
            None,
            f"a span of transcript {too_long['transcript'].iloc[0]!r} ends "
            "after the transcript's text",
        )
    who = sorted(set(codings["coder"])) if coders is None else list(coders)
    if len(who) < 2:
        raise InputError(None, "character agreement needs two or more coders")
    wanted = sorted(set(codings["code"])) if codes is None else list(codes)
    counts = {(code, a, b): np.zeros(4) for code in wanted for a, b in combinations(who, 2)}
    for transcript, length in lengths.items():
        spans = codings[codings["transcript"] == transcript]
        bounds = np.unique(np.concatenate([[0, int(length)], spans["start"], spans["end"]]))
        seg_start, seg_len = bounds[:-1], np.diff(bounds).astype(np.float64)
        for code in wanted:
            cover = {
                c: _covered(seg_start, spans[(spans["code"] == code) & (spans["coder"] == c)])
                for c in who
            }
            for a, b in combinations(who, 2):
                x, y = cover[a], cover[b]
                counts[(code, a, b)] += [
                    seg_len[x & y].sum(),
                    seg_len[x & ~y].sum(),
                    seg_len[~x & y].sum(),
                    seg_len[~x & ~y].sum(),
                ]
    rows = []
    for (code, a, b), sums in counts.items():
        both, only_a, only_b, neither = (float(v) for v in sums)
        total = both + only_a + only_b + neither
        either = both + only_a + only_b
        table = np.array([[both, only_a], [only_b, neither]])
        rows.append(
            {
                "code": code,
                "coder_a": a,
                "coder_b": b,
                "n_characters": int(total),
                "both": int(both),
                "only_a": int(only_a),
                "only_b": int(only_b),
                "neither": int(neither),
                "agreement_on_coded": both / either if either else math.nan,
                "percent_agreement_all": (both + neither) / total if total else math.nan,
                "cohen_kappa_all": kappa_from_table(table, weights=np.eye(2))[0],
            }
        )
    return pd.DataFrame(rows)

"""The suggestions table: top-k candidate codes per sentence, with the decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["SUGGESTION_COLUMNS", "suggestion_rows"]

SUGGESTION_COLUMNS = ("transcript", "sentence", "start", "end", "text", "code", "score", "rank", "applied")


def suggestion_rows(
    sentences: Sequence[Sentence],
    codes: Sequence[str],
    proba: NDArray[np.float64],
    applied: NDArray[np.bool_],
    *,
    top_k: int,
) -> list[dict[str, Any]]:
    """Rows ``transcript,sentence,start,end,text,code,score,rank,applied``.

    Each sentence lists its ``top_k`` codes by score (rank 1 = best), plus any
    applied code ranked lower (so every decision is in the table).

    Examples
    --------
    >>> s = [Sentence("p1", 0, 0, 3, "Hi.")]
    >>> rows = suggestion_rows(s, ["a", "b", "c"], np.array([[0.2, 0.9, 0.1]]),
    ...                        np.array([[False, True, False]]), top_k=2)
    >>> [(r["code"], r["rank"], r["applied"]) for r in rows]
    [('b', 1, 1), ('a', 2, 0)]
    """
    rows: list[dict[str, Any]] = []
    order = np.argsort(-proba, axis=1, kind="stable")
    for i, s in enumerate(sentences):
        for rank, j in enumerate(order[i], start=1):
            if rank > top_k and not applied[i, j]:
                continue
            rows.append(
                {
                    "transcript": s.transcript_id, "sentence": s.index, "start": s.start,
                    "end": s.end, "text": s.text, "code": codes[j],
                    "score": round(float(proba[i, j]), 4), "rank": rank,
                    "applied": int(applied[i, j]),
                }  # fmt: skip
            )
    return rows

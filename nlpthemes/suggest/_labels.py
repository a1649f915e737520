"""Human codings as a sentence x code label matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["label_matrix"]


def label_matrix(
    sentences: Sequence[Sentence],
    codings: pd.DataFrame,
    codes: Sequence[str],
    *,
    min_coverage: float = 0.5,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Labels ``(n, k)`` and the mask of sentences that were coded at all.

    A sentence has a code when the coders' spans with that code cover at least
    ``min_coverage`` of it (all coders pooled). A sentence counts as coded (a
    training example, possibly with no code) when its transcript has any
    coding; sentences of transcripts nobody coded are unlabelled.

    Examples
    --------
    >>> import pandas as pd
    >>> s = [Sentence("t", 0, 0, 5, "Trust"), Sentence("t", 1, 6, 9, "Yes"), Sentence("u", 0, 0, 2, "Hi")]
    >>> c = pd.DataFrame({"transcript": ["t"], "start": [0], "end": [5], "code": ["trust"], "coder": ["A"]})
    >>> y, coded = label_matrix(s, c, ["trust", "money"])
    >>> y.tolist(), coded.tolist()
    ([[True, False], [False, False], [False, False]], [True, True, False])
    """
    from nlpthemes.agreement._units import sentence_units

    index = {c: j for j, c in enumerate(codes)}
    labels = np.zeros((len(sentences), len(codes)), dtype=bool)
    coded_transcripts = set(codings["transcript"].astype(str))
    coded = np.array([s.transcript_id in coded_transcripts for s in sentences], dtype=bool)
    if codings.empty:
        return labels, coded
    pooled = codings.assign(coder="pooled")
    units = sentence_units(pooled, sentences, min_coverage=min_coverage)
    row_of = {f"{s.transcript_id}#{s.index}": i for i, s in enumerate(sentences)}
    for unit, code in zip(units["unit"], units["code"], strict=True):
        if code and code in index and unit in row_of:
            labels[row_of[unit], index[code]] = True
    return labels, coded

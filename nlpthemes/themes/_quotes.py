"""Representative quotes: sentences close to a theme's centre, spread across transcripts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Quote", "SentenceRef", "pick_quotes"]


@dataclass(frozen=True)
class SentenceRef:
    """Where a sentence comes from (what a quote needs to be found again)."""

    text: str
    transcript: str | None = None
    index: int | None = None
    start: int | None = None
    end: int | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Quote:
    """A representative sentence of a theme.

    ``similarity`` is the cosine similarity to the theme's centre; ``rank``
    starts at 1.
    """

    theme: int
    rank: int
    text: str
    similarity: float
    transcript: str | None = None
    index: int | None = None
    start: int | None = None
    end: int | None = None
    speaker: str | None = None


def pick_quotes(
    refs: Sequence[SentenceRef],
    vectors: NDArray[np.float32],
    labels: NDArray[np.int64],
    similarities: NDArray[np.float32],
    *,
    n_quotes: int = 5,
    min_words: int = 5,
    near_duplicate: float = 0.95,
) -> dict[int, list[Quote]]:
    """Up to ``n_quotes`` quotes per theme.

    Sentences are taken in order of similarity to the theme's centre; a
    first pass takes at most one per transcript (so quotes show the theme
    across interviews), a second fills up; sentences shorter than
    ``min_words`` words (when longer ones exist) and near-duplicates of a
    chosen quote (cosine above ``near_duplicate``) are skipped.

    Examples
    --------
    >>> refs = [SentenceRef("we plot the curves", "p1"), SentenceRef("we plot curves too", "p1"),
    ...         SentenceRef("the curves we plot", "p2")]
    >>> v = np.array([[1, 0], [0.99, 0.14], [0.9, 0.43]], dtype=np.float32)
    >>> q = pick_quotes(refs, v, np.array([0, 0, 0]), np.array([0.99, 0.98, 0.9]), n_quotes=2, min_words=1)
    >>> [(x.rank, x.transcript, x.text) for x in q[0]]
    [(1, 'p1', 'we plot the curves'), (2, 'p2', 'the curves we plot')]
    """
    out: dict[int, list[Quote]] = {}
    words = np.array([len(r.text.split()) for r in refs])
    for theme in sorted(int(t) for t in np.unique(labels) if t >= 0):
        members = np.flatnonzero(labels == theme)
        order = members[np.lexsort((members, -similarities[members]))]
        long_enough = order[words[order] >= min_words]
        candidates = long_enough if len(long_enough) >= min(n_quotes, len(order)) else order
        chosen: list[int] = []
        seen: set[str | None] = set()
        for first_pass in (True, False):
            for i in candidates:
                if len(chosen) >= n_quotes:
                    break
                if i in chosen or (first_pass and refs[i].transcript in seen):
                    continue
                if chosen and float(np.max(vectors[chosen] @ vectors[i])) > near_duplicate:
                    continue
                chosen.append(int(i))
                seen.add(refs[i].transcript)
        chosen.sort(key=lambda i: (-float(similarities[i]), i))
        out[theme] = [
            Quote(
                theme=theme, rank=rank, text=refs[i].text, similarity=round(float(similarities[i]), 4),
                transcript=refs[i].transcript, index=refs[i].index, start=refs[i].start, end=refs[i].end,
                speaker=refs[i].speaker,
            )
            for rank, i in enumerate(chosen, start=1)
        ]  # fmt: skip
    return out

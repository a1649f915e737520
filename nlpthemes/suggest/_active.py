"""Which sentences a coder should code next to improve the suggestions most."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["next_to_code"]


def next_to_code(
    proba: NDArray[np.float64],
    threshold: float,
    vectors: NDArray[np.float32],
    *,
    exclude: NDArray[np.bool_] | None = None,
    n: int = 20,
    max_similarity: float = 0.9,
) -> list[int]:
    """Sentence indices to code next: the most uncertain, not near-duplicates of each other.

    Uncertainty is how close a sentence's most doubtful code is to the
    decision threshold (on a logit scale); among sentences about equally
    uncertain, those unlike the ones already picked come first, so a coder
    is not asked about ten variants of the same remark.

    Examples
    --------
    >>> p = np.array([[0.5, 0.1], [0.9, 0.05], [0.48, 0.2]])
    >>> v = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    >>> next_to_code(p, 0.5, v, n=2)
    [0, 1]
    """
    eps = 1e-6
    logit = np.log(np.clip(proba, eps, 1 - eps) / np.clip(1 - proba, eps, 1))
    t = np.log(max(threshold, eps) / max(1 - threshold, eps))
    distance = np.abs(logit - t).min(axis=1)
    candidates = np.argsort(distance, kind="stable")
    if exclude is not None:
        candidates = candidates[~exclude[candidates]]
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    picked: list[int] = []
    skipped: list[int] = []
    for i in candidates:
        if len(picked) >= n:
            break
        if picked and float((unit[picked] @ unit[i]).max()) > max_similarity:
            skipped.append(int(i))
            continue
        picked.append(int(i))
    return picked + skipped[: n - len(picked)]

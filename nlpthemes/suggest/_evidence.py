"""Evidence for a (sentence, code) pair from the codes a coder has already applied.

Each function takes the coded *reference* sentences (vectors and labels) and the *query*
sentences, and returns one ``(n_query, n_codes)`` table per kind of evidence:

* :func:`neighbour_evidence` - how the most similar coded sentences were coded;
* :func:`linear_evidence` - a ridge classifier per code on sentence vectors (all codes
  in one solve), which wins where a code has many examples (discourse acts, questions);
* :func:`prior_evidence` - how often the code was applied, overall and by speaker role;
* :func:`turn_mean` - any table averaged over the sentences of one speaker turn, since
  human codes cover passages rather than single sentences.

They carry no state: :class:`~nlpthemes.suggest._judge.FeatureJudge` computes them
cross-fitted for training and from all coded sentences when predicting.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["linear_evidence", "neighbour_evidence", "prior_evidence", "turn_mean"]

Table = NDArray[np.float64]
_BLOCK = 256  # query rows whose neighbours are found together


def neighbour_evidence(
    query: NDArray[np.float32], reference: NDArray[np.float32], labels: NDArray[np.bool_], *, neighbours: int = 20
) -> tuple[Table, Table, Table]:
    """Similarity-weighted vote of the nearest coded sentences, and closeness to each code's examples.

    Vectors must be unit length. Returns ``(vote, best, gap)``: the share of the
    ``neighbours`` most similar reference sentences that have the code (weighted by
    similarity), the similarity of the most similar reference sentence with the code
    (-1 when none has it), and that similarity minus the similarity of the most similar
    reference sentence of all.

    Examples
    --------
    >>> ref = np.eye(3, dtype=np.float32)
    >>> y = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
    >>> vote, best, gap = neighbour_evidence(ref[:1], ref, y, neighbours=2)
    >>> vote.round(2).tolist(), best.tolist(), gap.tolist()
    ([[1.0, 0.0]], [[1.0, 0.0]], [[0.0, -1.0]])
    """
    k = labels.shape[1]
    if len(reference) == 0:
        empty = np.zeros((len(query), k))
        return empty, empty - 1, empty - 2
    # similarities stay in the matrix product's float32 (half the memory traffic of float64, the
    # same values); what is computed from them is float64, a block of rows at a time (large
    # temporaries cost more in fresh memory than in the arithmetic)
    sims = np.asarray(query @ reference.T, dtype=np.float32)
    m = min(neighbours, len(reference))
    coded = np.nonzero(labels.any(axis=0))[0]
    vote = np.zeros((len(query), k))
    best = np.full((len(query), k), -1.0)
    highest = np.empty((len(query), 1))
    for start in range(0, len(query), _BLOCK):
        block = sims[start : start + _BLOCK]
        top = np.argpartition(-block, m - 1, axis=1)[:, :m]
        weights = np.clip(np.take_along_axis(block, top, axis=1).astype(np.float64), 0, None)
        votes = np.einsum("nm,nmk->nk", weights, labels[top].astype(np.float64))
        vote[start : start + _BLOCK] = votes / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        for j in coded:
            best[start : start + _BLOCK, j] = block[:, labels[:, j]].max(axis=1)
        highest[start : start + _BLOCK] = block.max(axis=1, keepdims=True)
    gap = best - highest
    return vote, best, gap


def linear_evidence(
    query: NDArray[np.float32], reference: NDArray[np.float32], labels: NDArray[np.bool_], *, alpha: float = 1.0
) -> Table:
    """Decision values of a ridge classifier per code (targets +1/-1), all codes in one solve.

    Codes with no example in the reference get a constant (their empty-class value),
    so the value carries no information that is not in :func:`prior_evidence`.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)
    >>> linear_evidence(x[:1], x, y).argmax(axis=1).tolist()
    [0]
    """
    if len(reference) == 0:
        return np.zeros((len(query), labels.shape[1]))
    x = np.asarray(reference, dtype=np.float64)
    mean = x.mean(axis=0)
    xc = x - mean
    targets = np.where(labels, 1.0, -1.0)
    offset = targets.mean(axis=0)
    gram = xc.T @ xc + alpha * np.eye(x.shape[1])
    weights = np.linalg.solve(gram, xc.T @ (targets - offset))
    return np.asarray((np.asarray(query, dtype=np.float64) - mean) @ weights + offset, dtype=np.float64)


def prior_evidence(
    labels: NDArray[np.bool_], reference_roles: NDArray[np.bool_], query_roles: NDArray[np.bool_],
    reference_questions: NDArray[np.str_] | None = None, query_questions: NDArray[np.str_] | None = None,
) -> tuple[Table, Table, Table]:
    """Log rate of each code overall and among sentences of the query's kind, and log count.

    A sentence's kind is its speaker role (interviewer or not: in a counselling session or a
    lesson, some codes belong to one speaker only) and, for survey answers, the question
    it answers (each question of a survey often has codes of its own).

    Examples
    --------
    >>> y = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
    >>> rate, by_role, count = prior_evidence(y, np.array([True, True, False]), np.array([False]))
    >>> bool(by_role[0, 1] > by_role[0, 0]), count.round(2).tolist()
    (True, [[1.1, 0.69]])
    >>> roles = np.zeros(3, dtype=bool)
    >>> _, by_question, _ = prior_evidence(y, roles, roles[:1], np.array(["q1", "q1", "q2"]), np.array(["q2"]))
    >>> bool(by_question[0, 1] > by_question[0, 0])
    True
    """
    n, k = labels.shape
    counts = labels.sum(axis=0).astype(np.float64)
    rate = np.broadcast_to(np.log((counts + 0.5) / (n + 1.0)), (len(query_roles), k)).copy()
    by_role = np.empty((len(query_roles), k))
    asked = np.full(len(query_roles), "") if query_questions is None else np.asarray(query_questions, dtype=str)
    known = np.full(n, "") if reference_questions is None else np.asarray(reference_questions, dtype=str)
    for role in (False, True):
        for question in np.unique(asked[query_roles == role]):
            mine = (reference_roles == role) & (known == question)
            role_rate = np.log((labels[mine].sum(axis=0) + 0.5) / (mine.sum() + 1.0))
            by_role[(query_roles == role) & (asked == question)] = role_rate
    count = np.broadcast_to(np.log1p(counts), (len(query_roles), k)).copy()
    return rate, by_role, count


def turn_mean(values: Table, sentences: Sequence[Sentence]) -> Table:
    """Each row replaced by the mean of the rows of its speaker turn (same transcript and turn).

    Examples
    --------
    >>> s = [Sentence("t", 0, 0, 1, "a", turn=0), Sentence("t", 1, 2, 3, "b", turn=0), Sentence("t", 2, 4, 5, "c", turn=1)]
    >>> turn_mean(np.array([[1.0], [3.0], [5.0]]), s).tolist()
    [[2.0], [2.0], [5.0]]
    """
    keys = [(s.transcript_id, s.turn) for s in sentences]
    index: dict[tuple[str, int], int] = {}
    group = np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.intp)
    sums = np.zeros((len(index), values.shape[1]))
    np.add.at(sums, group, values)
    counts = np.bincount(group, minlength=len(index)).astype(np.float64)
    return np.asarray(sums[group] / counts[group, None], dtype=np.float64)

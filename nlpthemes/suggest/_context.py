"""Sentence vectors with their neighbours: human codes span more than one sentence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence
from nlpthemes.suggest._windows import runs, window_average

__all__ = ["contextual", "normalise", "question_context"]


def normalise(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32, copy=False)


def question_context(sentences: Sequence[Sentence], vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """For each participant sentence, the mean vector of the interviewer's latest turn before it.

    In an interview the question says what an answer is about ("Did the
    government fund you?" - "Yes, twice."). Interviewer sentences, sentences
    before any question and transcripts with no interviewer get zeros.
    Sentences must be in transcript order (as a :class:`~nlpthemes.corpus.Corpus` gives them).

    Examples
    --------
    >>> s = [Sentence("t", 0, 0, 1, "q", turn=0, is_interviewer=True), Sentence("t", 1, 2, 3, "a", turn=1),
    ...      Sentence("t", 2, 4, 5, "a2", turn=1), Sentence("u", 0, 0, 1, "x", turn=0)]
    >>> question_context(s, np.eye(4, dtype=np.float32)).tolist()[1:]
    [[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    """
    out = np.zeros_like(vectors)
    i = 0
    question: NDArray[np.float32] | None = None
    while i < len(sentences):
        j = i
        key = (sentences[i].transcript_id, sentences[i].turn)
        while j < len(sentences) and (sentences[j].transcript_id, sentences[j].turn) == key:
            j += 1
        if i > 0 and sentences[i - 1].transcript_id != sentences[i].transcript_id:
            question = None
        if sentences[i].is_interviewer:
            question = vectors[i:j].mean(axis=0)
        elif question is not None:
            out[i:j] = question
        i = j
    return out


def contextual(
    sentences: Sequence[Sentence], vectors: NDArray[np.float32], *, window: int, weight: float,
    question_weight: float = 0.0, asked: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Each sentence's vector plus ``weight`` times the mean of its neighbourhood.

    The neighbourhood is the sentences within ``window`` positions in the same
    transcript, never across a missing sentence (the sentence included), so that
    "Yes, that one." borrows the meaning of what surrounds it. ``question_weight`` adds the interviewer's
    preceding question (:func:`question_context`) to participants' sentences, and ``asked``
    (unit vectors, zero rows where none) the survey question each answer's sentence answers.

    Examples
    --------
    >>> s = [Sentence("t", i, 0, 1, "x") for i in range(3)]
    >>> v = np.eye(3, dtype=np.float32)
    >>> contextual(s, v, window=1, weight=0.0).tolist() == normalise(v).tolist()
    True
    >>> contextual(s, v, window=1, weight=1.0)[0].astype(float).round(2).tolist()
    [0.95, 0.32, 0.0]
    """
    vectors = normalise(np.asarray(vectors, dtype=np.float32))
    if question_weight and len(sentences):
        questions = question_context(sentences, vectors)
        if asked is not None:
            questions += asked
        vectors = normalise(vectors + question_weight * questions)
    if weight == 0 or window == 0 or len(sentences) == 0:
        return vectors
    out = window_average(vectors, runs(sentences), window)
    out *= np.float32(weight)
    out += vectors
    return normalise(out)

"""The features of every (sentence, code) pair that the feature judge reads together.

One row of features per pair describes the sentence *and* the code: how close the
sentence (in its context) is to the code's definition and to the code's examples, how
the most similar sentences the coder already coded were coded, what a linear classifier
trained on the coder's codes says, how common the code is for this speaker role, the
same evidence averaged over the speaker's turn, and the code's similarity, linear and
neighbour-vote evidence averaged over the passage around the sentence (3 and 10 sentences
either side, for coders who code passages rather than sentences). Feature values for training sentences are
always computed from *other* transcripts' codes (see :func:`cross_fitted_features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence
from nlpthemes.suggest._calibrate import prototypes
from nlpthemes.suggest._evidence import (
    linear_evidence,
    neighbour_evidence,
    prior_evidence,
    turn_mean,
)
from nlpthemes.suggest._features import similarity_features
from nlpthemes.suggest._windows import runs, window_mean

__all__ = ["FEATURE_NAMES", "PASSAGE_FEATURES", "Reference", "cross_fitted_features", "pair_features", "survey_questions"]

FEATURE_NAMES = (
    "cosine", "z_code", "z_sentence", "margin", "rank1", "top3", "log_rank",
    "cosine_definition", "neighbour_vote", "nearest_example", "nearest_gap", "linear",
    "log_rate", "log_rate_role", "log_count", "turn_vote", "turn_linear", "linear_x_count", "vote_x_count",
    "cosine_near", "cosine_far", "linear_near", "linear_far", "vote_near", "vote_far",
)  # fmt: skip
# the "passage" feature set: similarity and classifier evidence around the sentence (the
# neighbour votes around it are in the full set only)
PASSAGE_FEATURES = [FEATURE_NAMES.index(n) for n in ("cosine_near", "cosine_far", "linear_near", "linear_far")]
_NEAR, _FAR = 3, 10  # sentences on either side whose evidence describes the passage around a sentence


@dataclass(frozen=True)
class Reference:
    """The coded sentences evidence is drawn from: contextual and plain unit vectors, labels, roles
    and, for survey answers, the questions they answer (``None``: no questions)."""

    context: NDArray[np.float32]
    plain: NDArray[np.float32]
    labels: NDArray[np.bool_]
    roles: NDArray[np.bool_]
    questions: NDArray[np.str_] | None = None

    def subset(self, rows: NDArray[np.intp]) -> Reference:
        """The reference restricted to ``rows``."""
        questions = None if self.questions is None else self.questions[rows]
        return Reference(self.context[rows], self.plain[rows], self.labels[rows], self.roles[rows], questions)


def survey_questions(sentences: Sequence[Sentence]) -> NDArray[np.str_] | None:
    """The survey question each sentence answers (its ``question`` attribute), or ``None`` when none has one.

    Examples
    --------
    >>> survey_questions([Sentence("r1 Q1", 0, 0, 1, "x", attributes={"question": "Why?"})]).tolist()
    ['Why?']
    >>> survey_questions([Sentence("p1", 0, 0, 1, "x")]) is None
    True
    """
    questions = [str(s.attributes.get("question", "")) for s in sentences]
    return np.array(questions, dtype=str) if any(questions) else None


def pair_features(
    sentences: Sequence[Sentence],
    context: NDArray[np.float32],
    plain: NDArray[np.float32],
    code_vectors: NDArray[np.float32],
    reference: Reference,
    *,
    example_weight: float,
    column_mean: NDArray[np.float32],
    column_std: NDArray[np.float32],
) -> NDArray[np.float64]:
    """Features ``(n, k, len(FEATURE_NAMES))`` of every query sentence with every code.

    Parameters
    ----------
    sentences : sequence of Sentence
        The query sentences, in transcript order (turn means are taken over them).
    context, plain : arrays (n, d)
        Their unit vectors with and without context.
    code_vectors : array (k, d)
        Unit vectors of the codes' texts.
    reference : Reference
        Coded sentences the evidence comes from (never the query's own transcript when
        the features are used for training).
    example_weight : float
        Pull of the reference examples on the code vectors (see ``prototypes``).
    column_mean, column_std : arrays (k,)
        Each code's mean and spread of similarity over the corpus.

    Examples
    --------
    >>> s = [Sentence("t", i, 0, 1, "x", turn=i) for i in range(2)]
    >>> v = np.eye(2, dtype=np.float32)
    >>> ref = Reference(v, v, np.eye(2, dtype=bool), np.zeros(2, dtype=bool))
    >>> f = pair_features(s, v, v, v, ref, example_weight=1.0, column_mean=np.zeros(2, np.float32),
    ...                   column_std=np.ones(2, np.float32))
    >>> f.shape, bool(f[0, 0, 8] > f[0, 1, 8])
    ((2, 2, 25), True)
    """
    n, k = len(sentences), len(code_vectors)
    if n == 0:
        return np.zeros((0, k, len(FEATURE_NAMES)))
    protos = prototypes(code_vectors, reference.context, reference.labels, example_weight)
    cosine = context @ protos.T
    similarity = similarity_features(cosine, column_mean, column_std)
    definition = np.asarray(context @ code_vectors.T, dtype=np.float64)
    vote, nearest, gap = neighbour_evidence(plain, reference.plain, reference.labels)
    linear = linear_evidence(context, reference.context, reference.labels)
    roles = np.array([s.is_interviewer for s in sentences], dtype=bool)
    rate, rate_role, count = prior_evidence(reference.labels, reference.roles, roles, reference.questions,
                                            survey_questions(sentences))  # fmt: skip
    scaled = count / max(float(np.log1p(len(reference.labels))), 1.0)
    run, passage = runs(sentences), np.asarray(cosine, dtype=np.float64)
    extra = np.stack(
        [definition, vote, nearest, gap, linear, rate, rate_role, count, turn_mean(vote, sentences),
         turn_mean(linear, sentences), linear * scaled, vote * scaled,
         window_mean(passage, run, _NEAR), window_mean(passage, run, _FAR),
         window_mean(linear, run, _NEAR), window_mean(linear, run, _FAR),
         window_mean(vote, run, _NEAR), window_mean(vote, run, _FAR)], axis=-1,
    )  # fmt: skip
    return np.concatenate([similarity, extra], axis=-1)


def cross_fitted_features(
    sentences: Sequence[Sentence],
    context: NDArray[np.float32],
    plain: NDArray[np.float32],
    code_vectors: NDArray[np.float32],
    labels: NDArray[np.bool_],
    rows: NDArray[np.intp],
    fold: NDArray[np.intp],
    *,
    example_weight: float,
    column_mean: NDArray[np.float32],
    column_std: NDArray[np.float32],
) -> NDArray[np.float64]:
    """Features of the coded ``rows``, each fold's from the other folds' codes only.

    Examples
    --------
    >>> s = [Sentence(t, i, 0, 1, "x") for t in "ab" for i in range(2)]
    >>> v = np.eye(4, 2, dtype=np.float32)
    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)
    >>> f = cross_fitted_features(s, v, v, np.eye(2, dtype=np.float32), y, np.arange(4), np.array([0, 0, 1, 1]),
    ...                           example_weight=1.0, column_mean=np.zeros(2, np.float32),
    ...                           column_std=np.ones(2, np.float32))
    >>> f.shape
    (4, 2, 25)
    """
    roles = np.array([s.is_interviewer for s in sentences], dtype=bool)
    questions = survey_questions(sentences)
    everything = Reference(context[rows], plain[rows], labels[rows], roles[rows],
                           None if questions is None else questions[rows])  # fmt: skip
    out = np.zeros((len(rows), len(code_vectors), len(FEATURE_NAMES)))
    for f in np.unique(fold):
        inside = fold == f
        query = rows[inside]
        out[inside] = pair_features(
            [sentences[i] for i in query], context[query], plain[query], code_vectors,
            everything.subset(np.nonzero(~inside)[0]), example_weight=example_weight,
            column_mean=column_mean, column_std=column_std,
        )  # fmt: skip
    return out

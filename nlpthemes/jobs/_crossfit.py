"""The machine as one more coder, honestly: codes for a transcript never learned from its own codes.

A suggester that learns from every human coding and is then compared with
those same codings agrees with them partly because it has seen them. Here the
coded transcripts are split into ``k`` folds; the machine's codes for the
transcripts of one fold come from a suggester fitted on the other folds'
codings (its own settings chosen by its own cross-validation on those folds
only). Transcripts nobody coded get codes from a suggester fitted on all the
codings: there is nothing to compare them with. With a single coded
transcript there is nothing else to learn from, so its codes are zero-shot.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["MachineCodes", "assign_folds", "machine_codes"]


@dataclass
class MachineCodes:
    """Scores and decisions of the suggester for every sentence, and how they were made.

    Attributes
    ----------
    codes : list of str
        Code references, the columns of ``proba`` and ``applied``.
    proba : ndarray (n_sentences, n_codes)
    applied : ndarray of bool (n_sentences, n_codes)
    fold : ndarray of int (n_sentences,)
        The fold a sentence's transcript was held out in; -1 for transcripts
        nobody coded (scored by the suggester fitted on all codings).
    folds : list of dict
        Per fold: ``fold, transcripts, mode, n_training, threshold, cv_kappa,
        context_weight, example_weight``; fold -1 is the suggester fitted on
        all codings.
    """

    codes: list[str]
    proba: NDArray[np.float64]
    applied: NDArray[np.bool_]
    fold: NDArray[np.int64]
    folds: list[dict[str, Any]] = field(default_factory=list)


def assign_folds(transcripts: Sequence[str], k: int, *, seed: int = 0) -> dict[str, int]:
    """Deal transcripts into at most ``k`` folds of near-equal size (seeded shuffle).

    Examples
    --------
    >>> folds = assign_folds(["P1", "P2", "P3", "P4", "P5"], 2, seed=0)
    >>> sorted(folds), sorted(set(folds.values()))
    (['P1', 'P2', 'P3', 'P4', 'P5'], [0, 1])
    >>> assign_folds(["P1"], 5)
    {'P1': 0}
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"folds must be an integer of at least 2, got {k!r}")
    ordered = sorted(set(transcripts))
    order = np.random.default_rng(seed).permutation(len(ordered))
    k = min(k, len(ordered)) or 1
    return {ordered[j]: int(i % k) for i, j in enumerate(order)}


def _describe(model: Any, fold: int, transcripts: list[str]) -> dict[str, Any]:
    threshold = float(model.threshold_)
    described = model.describe()  # the judge's own account of its passage and thresholds
    return {
        "fold": fold, "transcripts": transcripts, "mode": model.mode_, "n_training": int(model.n_training_),
        "judge": getattr(model, "judge", None), "stage": getattr(model, "stage_", "retriever"),
        "candidates": getattr(model, "n_candidates_", None), "floor": getattr(model, "floor_", None),
        "threshold": None if np.isnan(threshold) else round(threshold, 4),
        "cv_kappa": None if model.cv_kappa_ is None or np.isnan(model.cv_kappa_) else round(float(model.cv_kappa_), 4),
        "context_weight": float(model.context_weight_), "example_weight": float(model.example_weight_),
        "question_weight": float(model.question_weight_),
        "passage": described["passage"], "thresholds": described["thresholds"],
    }  # fmt: skip


def machine_codes(
    sentences: Sequence[Sentence],
    vectors: Any,
    codebook: Any,
    codings: Any,
    *,
    embedder: Any,
    folds: int = 3,
    top_k: int = 3,
    seed: int = 0,
    progress: Any = None,
    judge: Any = None,
    memory: Any = None,
) -> MachineCodes:
    """Code every sentence with the suggester, cross-fitted by transcript.

    Parameters
    ----------
    sentences : sequence of Sentence
        The whole corpus; every fold's suggester sees all sentences (their
        text only), but only the codings of its training transcripts.
    vectors : array (n, d)
        Sentence embeddings in the order of ``sentences``.
    codebook : Codebook
    codings : DataFrame or None
        Human codings ``transcript,start,end,code,coder`` (codes as codebook
        references). ``None`` or empty: one zero-shot suggester codes everything.
    embedder : Embedder
    folds : int
        Number of folds over the coded transcripts (at most one per transcript).
    top_k : int
        Candidate codes listed per sentence.
    seed : int
        Seeds the split into folds.
    progress : callable, optional
        Called with a short message as each fit starts.
    judge : JudgeOptions, optional
        The suggester's judge (see :func:`nlpthemes.suggest.make_suggester`).
    memory : path, optional
        Where each fold's fitted suggester is kept (see :class:`nlpthemes.suggest.JudgedSuggester`),
        so that the same analysis run again does not fit again.

    Returns
    -------
    MachineCodes

    Examples
    --------
    >>> import pandas as pd
    >>> from nlpthemes.codebook import Code, Codebook
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("m", "money"), Code("t", "trust")])
    >>> s = [Sentence(t, i, 10 * i, 10 * i + 9, w) for t in ("a", "b", "c")
    ...      for i, w in enumerate(["money money", "trust trust"])]
    >>> c = pd.DataFrame({"transcript": ["a", "a", "b", "b", "c", "c"], "start": [0, 10] * 3,
    ...                   "end": [9, 19] * 3, "code": ["money", "trust"] * 3, "coder": "A"})
    >>> emb = FakeEmbedder(dimension=16)
    >>> m = machine_codes(s, emb.encode([x.text for x in s]), cb, c, embedder=emb, folds=3)
    >>> m.fold.tolist(), [f["transcripts"] for f in m.folds]
    ([1, 1, 2, 2, 0, 0], [['c'], ['a'], ['b']])
    >>> [f["mode"] for f in m.folds], m.applied.shape
    (['learned', 'learned', 'learned'], (6, 2))
    """
    from nlpthemes.suggest import JudgeOptions, make_suggester

    vectors = np.asarray(vectors, dtype=np.float32)
    transcript_of = np.array([s.transcript_id for s in sentences], dtype=object)

    def fit(train: Any) -> Any:
        model = make_suggester(embedder, top_k=top_k, judge=judge or JudgeOptions(), memory=memory)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)  # as run_suggest: degenerate folds
            warnings.simplefilter("ignore", category=UserWarning)
            model.fit(sentences, codebook, codings=train, embeddings=vectors)
        return model

    def score(model: Any, rows: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        chosen = [s for s, keep in zip(sentences, rows, strict=True) if keep]
        proba = model.predict_proba(chosen, embeddings=vectors[rows])
        return proba, model.decide(proba)

    coded = sorted({str(t) for t in codings["transcript"]}) if codings is not None and len(codings) else []
    fold_of = assign_folds(coded, folds, seed=seed) if coded else {}
    fold = np.array([fold_of.get(str(t), -1) for t in transcript_of], dtype=np.int64)
    described: list[dict[str, Any]] = []
    proba = applied = None
    for f in sorted(set(fold_of.values())):
        held = [t for t in coded if fold_of[t] == f]
        if progress is not None:
            progress(f"machine coder: fold {f + 1} of {len(set(fold_of.values()))} (held out: {', '.join(held)})")
        model = fit(codings[~codings["transcript"].astype(str).isin(held)])
        rows = fold == f
        p, a = score(model, rows)
        if proba is None:
            proba = np.zeros((len(sentences), len(model.codes_)))
            applied = np.zeros((len(sentences), len(model.codes_)), dtype=bool)
        proba[rows], applied[rows] = p, a  # type: ignore[index]
        described.append(_describe(model, f, held))
        codes = list(model.codes_)
    rest = fold == -1  # transcripts nobody coded (or no codings at all)
    if rest.any() or proba is None:
        if progress is not None:
            progress("suggester: fitting on all codings" if coded else "suggester: zero-shot from the codebook")
        model = fit(codings if coded else None)
        if proba is None:
            proba = np.zeros((len(sentences), len(model.codes_)))
            applied = np.zeros((len(sentences), len(model.codes_)), dtype=bool)
        if rest.any():
            p, a = score(model, rest)
            proba[rest], applied[rest] = p, a  # type: ignore[index]
        described.append(_describe(model, -1, sorted({str(t) for t in transcript_of[rest]})))
        codes = list(model.codes_)
    assert applied is not None
    return MachineCodes(codes=codes, proba=proba, applied=applied, fold=fold, folds=described)

"""The :class:`CodeSuggester`: code suggestions for every sentence, as one more coder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.errors import InputError, NotFittedError
from nlpthemes.suggest._calibrate import fit_calibrator, folds, mean_kappa, prototypes
from nlpthemes.suggest._codetext import code_vectors as piece_vectors
from nlpthemes.suggest._codetext import joined_vectors
from nlpthemes.suggest._context import contextual, normalise
from nlpthemes.suggest._features import N_FEATURES, similarity_features
from nlpthemes.suggest._labels import label_matrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CodeSuggester"]

_EXAMPLE_WEIGHTS = (0.0, 1.0, 2.0)
_CONTEXT_WEIGHTS = (0.0, 1.0, 3.0)
_CONTEXT_WINDOWS = (2, 5)  # context_window="auto": sentences either side, the first zero-shot
_QUESTION_WEIGHTS = (0.0, 0.5)
_ZERO_SHOT_CONTEXT = 1.0
_ANSWER_LENGTH = 10  # sentences: transcripts at most this long (median), with no interviewer, are answers
_THRESHOLDS = tuple(np.round(np.arange(0.05, 0.65, 0.05), 2))
_ZERO_SHOT_Z = 0.0


class CodeSuggester(ParamsMixin):
    """Suggest codes from a codebook for each sentence, zero-shot or learned from human codes.

    Each code is represented by its text (name, parent, definition, inclusion
    criteria, examples) embedded with the same model as the sentences; each
    sentence by its vector plus its neighbourhood (human codes span more than
    one sentence). Without human codings, a sentence's most similar code is
    applied unless that similarity is below the code's average over the corpus
    (then it abstains); scores are cosine similarities, not probabilities.
    With codings, each code's vector moves
    towards the sentences humans coded with it, a pooled logistic calibrator
    maps similarity features to probabilities, and the threshold that
    maximises cross-fitted Cohen's kappa decides which codes to apply. All
    choices are cross-fitted by transcript, so they are not fitted on the
    sentences they are judged on.

    Parameters
    ----------
    embedder : Embedder
        Encodes sentences and code texts (see :mod:`nlpthemes.embed`).
    top_k : int
        Candidate codes listed per sentence.
    context_window : int or "auto"
        Neighbouring sentences on each side that count as context; ``"auto"`` picks
        2 or 5 by cross-fitted kappa when learning (2 zero-shot).
    context_weight : float or "auto"
        Weight of the neighbourhood mean against the sentence itself; ``"auto"``
        picks it by cross-fitted kappa when learning (1.0 zero-shot).
    example_weight : float or "auto"
        Pull of human-coded examples on each code's vector; ``"auto"``
        picks it by cross-fitted kappa.
    question_weight : float or "auto"
        Weight of the interviewer's preceding question added to each
        participant sentence; ``"auto"`` picks 0 or 0.5 by cross-fitted kappa
        when learning (0 zero-shot). No effect without interviewer turns.
    threshold : float or "auto"
        Probability from which a code is applied; ``"auto"`` picks it by
        cross-fitted kappa.
    min_coverage : float
        Share of a sentence a human span must cover to label it.

    Attributes
    ----------
    codes_ : list of str
        Codable codes (codebook references), in order.
    mode_ : str
        ``"zero-shot"`` or ``"learned"``.
    context_weight_, example_weight_, question_weight_, threshold_ : float
        The values used.
    context_window_ : int
        The context window used.
    cv_kappa_ : float or None
        Cross-fitted mean per-code kappa on the training sentences.
    oof_proba_ : ndarray or None
        Learned: the cross-fitted probabilities ``(coded sentences, codes)`` behind
        ``cv_kappa_`` (not saved); None zero-shot.
    n_training_ : int
        Sentences with human codes used for learning.

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("m", "money", "funding and money"), Code("t", "trust", "trust and distrust")])
    >>> s = [Sentence("p1", 0, 0, 17, "money and funding"), Sentence("p1", 1, 18, 36, "trust and distrust")]
    >>> model = CodeSuggester(embedder=FakeEmbedder(dimension=64), context_weight=0).fit(s, cb)
    >>> model.mode_, model.codes_
    ('zero-shot', ['money', 'trust'])
    >>> model.predict_proba(s).shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        embedder: Any = None,
        top_k: int = 3,
        context_window: int | str = 2,
        context_weight: float | str = "auto",
        example_weight: float | str = "auto",
        question_weight: float | str = "auto",
        threshold: float | str = "auto",
        min_coverage: float = 0.5,
    ) -> None:
        self.embedder = embedder
        self.top_k = top_k
        self.context_window = context_window
        self.context_weight = context_weight
        self.example_weight = example_weight
        self.question_weight = question_weight
        self.threshold = threshold
        self.min_coverage = min_coverage

    def _validate(self) -> None:
        if self.embedder is None:
            raise InputError(None, "CodeSuggester needs an embedder (see nlpthemes.embed.load_embedder)")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {self.top_k!r}")
        if self.context_window != "auto" and (
                isinstance(self.context_window, bool) or not isinstance(self.context_window, int) or self.context_window < 0):
            raise ValueError(f"context_window must be a non-negative integer or 'auto', got {self.context_window!r}")
        for name in ("context_weight", "example_weight", "question_weight", "threshold"):
            value = getattr(self, name)
            if isinstance(value, str):
                if value != "auto":
                    raise ValueError(f"{name} must be a number or 'auto', got {value!r}")
            elif not 0 <= float(value) <= (1 if name == "threshold" else 100):
                raise ValueError(f"{name} out of range: {value!r}")
        if not 0 <= self.min_coverage <= 1:
            raise ValueError(f"min_coverage must be between 0 and 1, got {self.min_coverage!r}")

    # -- fitting ------------------------------------------------------------------------
    def _embeddings(self, sentences: Sequence[Sentence], embeddings: Any) -> NDArray[np.float32]:
        if embeddings is None:
            embeddings = self.embedder.encode([s.text for s in sentences])
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.shape[0] != len(sentences):
            raise ValueError(f"{embeddings.shape[0]} embeddings for {len(sentences)} sentences")
        return np.asarray(embeddings, dtype=np.float32)

    def _vectors(self, sentences: Sequence[Sentence], embeddings: Any, weight: float | None = None,
                 question: float | None = None, window: int | None = None) -> NDArray[np.float32]:  # fmt: skip
        weight = self.context_weight_ if weight is None else weight
        question = self.question_weight_ if question is None else question
        window = self.context_window_ if window is None else window
        return contextual(sentences, self._embeddings(sentences, embeddings), window=window,
                          weight=weight, question_weight=question,
                          asked=self._asked(sentences) if question else None)  # fmt: skip

    def _asked(self, sentences: Sequence[Sentence]) -> NDArray[np.float32] | None:
        """Unit vectors of the survey question each sentence answers (its ``question`` attribute; zero rows
        where none), or ``None`` when no sentence has one. Question texts are embedded once."""
        texts = [str(s.attributes.get("question", "")) for s in sentences]
        wanted = sorted({t for t in texts if t})
        if not wanted:
            return None
        known: dict[str, NDArray[np.float32]] = self.__dict__.setdefault("_question_vectors", {})
        missing = [t for t in wanted if t not in known]
        if missing:
            known.update(zip(missing, normalise(np.asarray(self.embedder.encode(missing), np.float32)), strict=True))
        dimension = len(next(iter(known.values())))
        return np.stack([known[t] if t else np.zeros(dimension, np.float32) for t in texts]).astype(np.float32)

    def _windows(self) -> tuple[int, ...]:
        """The context windows to choose from (the first: zero-shot and without context)."""
        return _CONTEXT_WINDOWS if self.context_window == "auto" else (int(self.context_window),)

    def fit(
        self,
        sentences: Sequence[Sentence],
        codebook: Codebook,
        *,
        codings: pd.DataFrame | None = None,
        embeddings: Any = None,
    ) -> CodeSuggester:
        """Learn from the codebook and, when given, human codings of some transcripts.

        Parameters
        ----------
        sentences : sequence of Sentence
            The corpus (coded and uncoded sentences; statistics of how codes
            stand out are taken over all of them).
        codebook : Codebook
            Codes; non-codable category nodes are not suggested.
        codings : DataFrame, optional
            ``transcript,start,end,code,coder`` with codes as the codebook's
            references (see :func:`nlpthemes.codings.check_codes`).
        embeddings : array, optional
            Precomputed sentence embeddings (rows follow ``sentences``).

        Returns
        -------
        self
        """
        self._validate()
        if len(sentences) == 0:
            raise InputError(None, "no sentences to learn from")
        codes = [c for c in codebook if c.codable]
        if len(codes) < 2:
            raise InputError(codebook.source, "the codebook needs at least two codable codes to suggest between")
        refs = [codebook.ref(c) for c in codes]
        raw = self._embeddings(sentences, embeddings)

        labels = np.zeros((len(sentences), len(refs)), dtype=bool)
        coded = np.zeros(len(sentences), dtype=bool)
        if codings is not None and not codings.empty:
            known = {s.transcript_id for s in sentences}
            codings = codings[codings["transcript"].astype(str).isin(known)]
            labels, coded = label_matrix(sentences, codings, refs, min_coverage=self.min_coverage)
        learned = bool(coded.any()) and bool(labels[coded].any())
        # zero-shot the code's texts are all there is: its name, definition and examples count alike;
        # learned, the joined text (the coder's examples pull the prototypes; see code_vectors)
        code_vectors = joined_vectors(self.embedder, codebook, codes) if learned else piece_vectors(self.embedder, codes)

        self.codes_ = refs
        self.code_vectors_ = code_vectors
        self.n_training_ = int(coded.sum())
        self.oof_proba_: NDArray[np.float64] | None = None
        self.mode_ = "learned" if learned else "zero-shot"
        self.context_window_ = self._windows()[0]
        if not learned:
            auto = 0.0 if looks_like_answers(sentences) else _ZERO_SHOT_CONTEXT
            self.context_weight_ = auto if self.context_weight == "auto" else float(self.context_weight)
            self.example_weight_ = 0.0
            self.question_weight_ = 0.0 if self.question_weight == "auto" else float(self.question_weight)
            self.prototypes_ = code_vectors
            scores = self._vectors(sentences, raw) @ code_vectors.T
            self.column_mean_, self.column_std_ = scores.mean(axis=0), scores.std(axis=0)
            self.calibrator_: Any = None
            self.threshold_ = float("nan")
            self.cv_kappa_: float | None = None
            return self
        self._fit_learned(sentences, raw, labels, coded, code_vectors)
        return self

    def _fit_learned(self, sentences: Sequence[Sentence], raw: NDArray[np.float32],
                     labels: NDArray[np.bool_], coded: NDArray[np.bool_],
                     code_vectors: NDArray[np.float32]) -> None:  # fmt: skip
        contexts = _CONTEXT_WEIGHTS if self.context_weight == "auto" else (float(self.context_weight),)
        questions = (_QUESTION_WEIGHTS if self.question_weight == "auto" else (float(self.question_weight),))
        if not any(s.is_interviewer or "question" in s.attributes for s in sentences):
            questions = questions[:1]  # nothing to add: do not fit the same thing twice
        best: tuple[float, float, float, float, float, int] | None = None
        for question in questions:
            for context in contexts:
                for window in self._windows() if context else self._windows()[:1]:
                    vectors = self._vectors(sentences, raw, context, question, window)
                    found = self._cross_fit(sentences, vectors, labels, coded, code_vectors)
                    if found is not None and (best is None or found[0] > best[0]):
                        best = (found[0], context, question, found[1], found[2], window)
                        self.oof_proba_ = found[3]
        if best is None:  # every training sentence has every code, or none: nothing to learn
            best = (float("nan"), contexts[0], questions[0], 0.0, 0.5, self._windows()[0])
        (self.cv_kappa_, self.context_weight_, self.question_weight_, self.example_weight_, self.threshold_,
         self.context_window_) = best
        self._fit_final(self._vectors(sentences, raw), labels, coded, code_vectors)

    def _cross_fit(self, sentences: Sequence[Sentence], vectors: NDArray[np.float32],
                   labels: NDArray[np.bool_], coded: NDArray[np.bool_],
                   code_vectors: NDArray[np.float32]) -> tuple[float, float, float, NDArray[np.float64]] | None:  # fmt: skip
        """Best (kappa, example weight, threshold, its out-of-fold probabilities of the coded rows), cross-fitted."""
        rows = np.nonzero(coded)[0]
        fold = folds(sentences, rows)
        weights = _EXAMPLE_WEIGHTS if self.example_weight == "auto" else (float(self.example_weight),)
        thresholds = _THRESHOLDS if self.threshold == "auto" else (float(self.threshold),)
        all_scores = vectors @ code_vectors.T
        col_mean, col_std = all_scores.mean(axis=0), all_scores.std(axis=0)
        best: tuple[float, float, float, NDArray[np.float64]] | None = None
        for weight in weights:
            crossed = np.zeros((len(rows), len(code_vectors)), dtype=np.float32)
            for f in np.unique(fold):
                inner = rows[fold != f]
                protos = prototypes(code_vectors, vectors[inner], labels[inner], weight)
                crossed[fold == f] = vectors[rows[fold == f]] @ protos.T
            feats = similarity_features(crossed, col_mean, col_std).reshape(-1, N_FEATURES)
            target = labels[rows].ravel()
            if target.all() or not target.any():
                continue
            # cross-fitted probabilities of the calibrator itself
            probs = np.zeros(len(target))
            row_fold = np.repeat(fold, len(code_vectors))
            for f in np.unique(fold):
                train = row_fold != f
                if target[train].all() or not target[train].any():
                    probs[~train] = target[train].mean()
                    continue
                cal = fit_calibrator(feats[train], target[train])
                probs[~train] = cal.predict_proba(feats[~train])[:, 1]
            table = probs.reshape(len(rows), -1)
            for t in thresholds:
                kappa = mean_kappa(labels[rows], table >= t)
                if best is None or kappa > best[0]:
                    best = (kappa, weight, float(t), table)
        return best

    def _fit_final(self, vectors: NDArray[np.float32], labels: NDArray[np.bool_],
                   coded: NDArray[np.bool_], code_vectors: NDArray[np.float32]) -> None:  # fmt: skip
        rows = np.nonzero(coded)[0]
        self.prototypes_ = prototypes(code_vectors, vectors[rows], labels[rows], self.example_weight_)
        scores = vectors @ self.prototypes_.T
        self.column_mean_, self.column_std_ = scores.mean(axis=0), scores.std(axis=0)
        feats = similarity_features(scores[rows], self.column_mean_, self.column_std_).reshape(-1, N_FEATURES)
        self.calibrator_ = fit_calibrator(feats, labels[rows].ravel())

    # -- prediction ---------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "codes_"):
            raise NotFittedError("this CodeSuggester is not fitted yet: call fit first")

    def predict_proba(self, sentences: Sequence[Sentence], embeddings: Any = None) -> NDArray[np.float64]:
        """Scores ``(n, k)`` in [0, 1]: calibrated probabilities when learned from human codes.

        Pass whole transcripts, interviewer turns included: a sentence's
        context (its neighbours, the question before it) is read from them.
        """
        self._check_fitted()
        if len(sentences) == 0:
            return np.zeros((0, len(self.codes_)))
        scores = self._vectors(sentences, embeddings) @ self.prototypes_.T
        feats = similarity_features(scores, self.column_mean_, self.column_std_)
        if self.calibrator_ is None:
            return np.asarray(np.clip(scores, 0.0, 1.0), dtype=np.float64)
        flat = self.calibrator_.predict_proba(feats.reshape(-1, N_FEATURES))[:, 1]
        return np.asarray(flat.reshape(scores.shape), dtype=np.float64)

    def predict(self, sentences: Sequence[Sentence], embeddings: Any = None) -> NDArray[np.bool_]:
        """Which codes the suggester applies to each sentence ``(n, k)`` (none: it abstains)."""
        proba = self.predict_proba(sentences, embeddings)
        return self.decide(proba)

    def decide(self, proba: NDArray[np.float64], *, adapt: bool | None = None) -> NDArray[np.bool_]:
        """Apply-decisions from scores of :meth:`predict_proba`.

        ``adapt`` is taken for the same call as :meth:`JudgedSuggester.decide`; this
        suggester always decides with its learned threshold.
        """
        self._check_fitted()
        if self.calibrator_ is None:
            best = proba == proba.max(axis=1, keepdims=True)
            z = (proba - self.column_mean_) / np.maximum(self.column_std_, 1e-6)
            return np.asarray(best & (z >= _ZERO_SHOT_Z) & (proba > 0), dtype=bool)
        return np.asarray(proba >= self.threshold_, dtype=bool)

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to a folder as JSON + ``.npz`` (see :func:`nlpthemes.suggest.load_suggester`)."""
        from nlpthemes.suggest._persist import save_suggester

        return save_suggester(self, path)

    @classmethod
    def load(cls, path: str | Path, *, embedder: Any) -> CodeSuggester:
        """Load a saved suggester; ``embedder`` must be the model it was fitted with."""
        from nlpthemes.suggest._persist import load_suggester

        return load_suggester(path, embedder=embedder)


def looks_like_answers(sentences: Sequence[Sentence]) -> bool:
    """Whether the corpus is open-ended answers: short transcripts, nobody asking questions.

    Zero-shot, a sentence of an interview is read with its neighbours (a passage
    is about one topic); a sentence of a survey answer is read alone, because the
    few sentences of one answer often make different points, each coded apart
    (games-as-art answers, 4 sentences each: zero-shot kappa 0.251 read alone
    against 0.201 with neighbours; read alone, the topical interviews CTRL+Shift and
    PDPilot lose 0.029 and 0.016). For the same reason the judge never mixes an
    answer's probabilities with the passage around it (an answer is one speaker
    turn, and how far its sentences share codes is the judge's turn weight).
    Answers: no sentence is an interviewer's and the median transcript has at
    most 10 sentences.

    Examples
    --------
    >>> answers = [Sentence(f"r{i}", j, 0, 1, "x") for i in range(5) for j in range(3)]
    >>> looks_like_answers(answers)
    True
    >>> interview = [Sentence("i1", j, 0, 1, "x", is_interviewer=j % 2 == 0) for j in range(8)]
    >>> looks_like_answers(interview)
    False
    """
    if not sentences or any(s.is_interviewer for s in sentences):
        return False
    lengths = Counter(s.transcript_id for s in sentences).values()
    return float(np.median(list(lengths))) <= _ANSWER_LENGTH

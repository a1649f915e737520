"""The :class:`JudgedSuggester`: retrieve candidate codes, then judge each sentence-code pair.

Stage 1 is :class:`~nlpthemes.suggest.CodeSuggester` (the retriever): it picks how much
context to use and ranks the codes for each sentence. Stage 2, the *judge*, reads every
candidate pair - the sentence in its context and the code with its definition and
examples - and gives a calibrated probability that the coder would apply the code. How
many candidates the judge reads is chosen so that the coder's code is among them for
``recall`` of the coded sentences; the thresholds are chosen per code, shrunk to a global
one. Every choice is cross-fitted by transcript on the coder's codes, never on the
sentences it is judged on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.errors import NotFittedError
from nlpthemes.suggest._calibrate import mean_kappa
from nlpthemes.suggest._context import normalise
from nlpthemes.suggest._decide import (
    THRESHOLDS,
    adapted_thresholds,
    apply_floor,
    candidate_count,
    choose_floor,
    choose_thresholds,
    top_candidates,
)
from nlpthemes.suggest._evidence import turn_mean
from nlpthemes.suggest._labels import label_matrix
from nlpthemes.suggest._memo import keep_suggester, recall_suggester, suggester_key
from nlpthemes.suggest._model import CodeSuggester, looks_like_answers
from nlpthemes.suggest._pairs import (
    FEATURE_NAMES,
    PASSAGE_FEATURES,
    Reference,
    cross_fitted_features,
    pair_features,
    survey_questions,
)
from nlpthemes.suggest._pairtext import code_card, preceding_questions, sentence_in_context
from nlpthemes.suggest._scorers import PairTask, make_scorer
from nlpthemes.suggest._stack import PairLogit
from nlpthemes.suggest._windows import runs, window_sum

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["JUDGES", "JudgedSuggester"]

JUDGES = ("features", "cross-encoder", "setfit", "reranker", "llm")
_ZERO_SHOT_CANDIDATES = 8  # candidates a zero-shot text judge reads per sentence
MIN_JUDGE_TRANSCRIPTS = 2  # coded transcripts needed before the judge takes over from the retriever
_RANK_FEATURES = 7  # the retriever's similarity features come first in FEATURE_NAMES
_FEATURE_FOLDS = 20  # folds by transcript for the evidence of coded sentences
_MIN_BLOCK_ROWS = 30  # coded sentences per part when codes come from one interview only
_TURN_WEIGHTS = (0.0, 0.5, 1.0)  # how much a sentence's probabilities follow its turn's (chosen out of fold)
# how much a sentence's probabilities follow the passage around it: (sentences either side, weight)
_PASSAGES = ((0, 0.0), (3, 0.5), (10, 0.5))
_PREDICT_PAIRS = 400_000  # (sentence, code) pairs judged together: about 250 MB of features
_C = 0.05  # inverse regularisation of the pair models (standardised features): strong, few examples are noisy
# the judge reads the retriever's similarity features alone, with their passage averages, or
# every feature, as out-of-fold kappa says: evidence from the coder's codes helps where codes
# have examples, the passage around a sentence where the coder codes passages
FEATURE_SETS = {"similarity": list(range(_RANK_FEATURES)), "passage": list(range(_RANK_FEATURES)) + PASSAGE_FEATURES,
                "all": list(range(len(FEATURE_NAMES)))}


class JudgedSuggester(ParamsMixin):
    """Suggest codes in two stages: a retriever proposes, a judge reads each pair and decides.

    Parameters
    ----------
    embedder : Embedder
        Encodes sentences and code texts.
    judge : str, default="features"
        ``"features"``: a logistic model over features of each (sentence, code) pair
        computed from the codebook and the coder's codes (:mod:`nlpthemes.suggest._pairs`).
        ``"cross-encoder"``, ``"reranker"`` and ``"llm"`` add the score of a model that reads
        both texts (:mod:`nlpthemes.suggest._scorers`) to those features, and ``"setfit"``
        the cosine of the sentence model fine-tuned on the coder's codes
        (:mod:`nlpthemes.suggest._setfit`); ``"reranker"`` and ``"llm"`` also judge zero-shot.
    top_k : int, default=3
        Candidate codes listed per sentence in outputs.
    recall : float, default=0.95
        Share of coded sentences whose codes must be among the candidates the judge reads.
    context_window : int or "auto", default="auto"
        Neighbouring sentences on either side that count as context (passed to the
        retriever). ``"auto"``: 2 or 5, whichever gives the better cross-fitted kappa when
        learning (passage-coded interviews gain from the wider one), 2 zero-shot.
    min_coverage : float, default=0.5
        Share of a sentence a human span must cover to label it.
    shrink : float, default=10.0
        Per-code thresholds are pulled to the global one with the weight of this many examples.
    judge_model : str or None, default=None
        ``"llm"``: a GGUF file or an installed model name (default
        ``qwen2.5-coder-1.5b-instruct``), or the model name a server expects;
        ``"reranker"``: an installed reranker (default ``ms-marco-minilm-l12``);
        ``"cross-encoder"``: a local BERT-style folder (default: the packaged MiniLM);
        ``"setfit"``: a local sentence-transformers folder (default: the packaged MiniLM).
    judge_url : str or None, default=None
        ``"llm"`` only: an OpenAI-compatible server (``http://127.0.0.1:PORT/v1``).
    device : str or None, default=None
        Where the cross-encoder or SetFit model trains (``None``: CUDA when available).
    judge_sample : int, default=300
        ``"llm"`` only: coded sentences the LLM reads to learn how far to trust it (it takes
        seconds per sentence on a CPU).
    adapt_thresholds : bool, default=True
        Decide each code on the sentences being decided with the threshold whose
        *expected* kappa there is best, estimated from the judge's calibrated
        probabilities (:func:`~nlpthemes.suggest._decide.adapted_thresholds`; no human
        code is read), where the code is expected at least twice among them; else with
        the threshold learned out of fold. Decisions on a set of sentences then depend
        on that set as a whole; ``False``: every sentence is decided on its own, with the
        learned thresholds (what ``batch`` does, file by file).
    memory : str or Path or None, default=None
        A folder where fits of the default feature judge are kept, so that fitting again on
        the same sentences, vectors, codebook, codes and parameters with the same sentence
        model reads the fit instead (see :mod:`nlpthemes.suggest._memo`). The commands use
        the cache folder unless ``--no-cache``. ``None``: nothing is kept.

    Attributes
    ----------
    codes_ : list of str
        Codable codes (codebook references), in order.
    mode_ : str
        ``"zero-shot"`` (no codes to learn from) or ``"learned"``.
    stage_ : str
        Who decides: ``"judge"`` (learned from the coder's codes), ``"zero-shot judge"``
        (a reranker or LLM without codes) or ``"retriever"`` (no codes, too few, or codes
        from one interview only where the judge did not beat the retriever when checked
        on parts of that interview it had not learned from).
    retriever_ : CodeSuggester
        Stage 1, fitted.
    n_candidates_ : int
        Candidates the judge reads per sentence; ``candidate_recall_`` the cross-fitted
        share of coded sentences whose codes were among them.
    threshold_ : float
        Global threshold; ``thresholds_`` one per code.
    floor_ : float or None
        For coders who code (nearly) every sentence: a sentence that no code's threshold
        reaches still gets its best code when that code's probability is at least
        ``floor_`` (cross-fitted; ``None``: never).
    cv_kappa_ : float or None
        Cross-fitted mean per-code kappa of the judge on the coder's sentences.
    feature_set_ : str
        The features the judge reads: ``"similarity"``, ``"passage"`` or ``"all"`` (with a text
        judge's score, e.g. ``"all+reranker"``): the one with the best out-of-fold kappa, or for
        survey answers the lowest out-of-fold log-loss; ``feature_set_kappa_`` and
        ``feature_set_log_loss_`` give both scores of every set.
    turn_weight_ : float
        How far each sentence's probabilities follow the mean of its speaker turn (0, 0.5
        or 1; chosen by out-of-fold kappa), whether the judge or the retriever decides.
    passage_ : tuple of (int, float)
        The passage mixing of the probabilities: sentences either side and weight
        (``(0, 0.0)``: none; chosen by out-of-fold log-loss).

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("m", "money", "funding and money"), Code("t", "trust", "trust and distrust")])
    >>> s = [Sentence(f"p{i}", j, 0, 1, w) for i in range(3) for j, w in enumerate(["money funding", "trust us"])]
    >>> model = JudgedSuggester(embedder=FakeEmbedder(dimension=32)).fit(s, cb)
    >>> model.mode_, model.predict_proba(s).shape
    ('zero-shot', (6, 2))
    """

    def __init__(
        self,
        *,
        embedder: Any = None,
        judge: str = "features",
        top_k: int = 3,
        recall: float = 0.95,
        context_window: int | str = "auto",
        min_coverage: float = 0.5,
        shrink: float = 10.0,
        judge_model: str | None = None,
        judge_url: str | None = None,
        device: str | None = None,
        judge_sample: int = 300,
        adapt_thresholds: bool = True,
        memory: str | Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.judge = judge
        self.top_k = top_k
        self.recall = recall
        self.context_window = context_window
        self.min_coverage = min_coverage
        self.shrink = shrink
        self.judge_model = judge_model
        self.judge_url = judge_url
        self.device = device
        self.judge_sample = judge_sample
        self.adapt_thresholds = adapt_thresholds
        self.memory = memory

    def _validate(self) -> None:
        if self.judge not in JUDGES:
            raise ValueError(f"judge must be one of {', '.join(JUDGES)}, got {self.judge!r}")
        if not 0 < float(self.recall) <= 1:
            raise ValueError(f"recall must be in (0, 1], got {self.recall!r}")
        if float(self.shrink) < 0:
            raise ValueError(f"shrink must be >= 0, got {self.shrink!r}")
        if self.judge_url is not None and self.judge != "llm":
            raise ValueError("judge_url is for judge='llm' (an OpenAI-compatible server)")

    # -- delegated to the retriever (what reports and manifests read) ----------------------
    @property
    def context_weight_(self) -> float:
        return float(self.retriever_.context_weight_)

    @property
    def example_weight_(self) -> float:
        return float(self.retriever_.example_weight_)

    @property
    def question_weight_(self) -> float:
        return float(self.retriever_.question_weight_)

    @property
    def n_training_(self) -> int:
        return int(self.retriever_.n_training_)

    @property
    def prototypes_(self) -> NDArray[np.float32]:
        """The retriever's code vectors (moved towards the coder's examples)."""
        return np.asarray(self.retriever_.prototypes_, dtype=np.float32)

    def describe(self) -> dict[str, Any]:
        """What a manifest records: the judge, the candidates, the thresholds and how they were chosen."""
        self._check_fitted()
        scorer = None if self.scorer_ is None else self.scorer_.describe()
        return {
            "suggester": "retriever + judge", "judge": self.judge, "stage": self.stage_,
            "judge_features": self.feature_set_, "turn_weight": getattr(self, "turn_weight_", 0.0),
            "passage": dict(zip(("window", "weight"), getattr(self, "passage_", _PASSAGES[0]), strict=True)),
            "floor": getattr(self, "floor_", None),
            "thresholds": "adapted to the sentences decided" if self.adapt_thresholds and self.stage_ == "judge"
            else "learned",
            "text_judge": scorer, "mode": self.mode_, "n_training_sentences": self.n_training_,
            "candidates": int(self.n_candidates_), "candidate_recall": self.candidate_recall_,
            "threshold": None if not np.isfinite(self.threshold_) else round(float(self.threshold_), 4),
            "cv_kappa": None if self.cv_kappa_ is None or not np.isfinite(self.cv_kappa_) else round(float(self.cv_kappa_), 4),
            "context_weight": self.context_weight_, "context_window": int(self.retriever_.context_window_),
            "example_weight": self.example_weight_,
            "question_weight": self.question_weight_,
            "feature_set_kappa": dict(getattr(self, "feature_set_kappa_", {})),
            "feature_set_log_loss": dict(getattr(self, "feature_set_log_loss_", {})),
        }  # fmt: skip

    # -- fitting -----------------------------------------------------------------------------
    def fit(
        self,
        sentences: Sequence[Sentence],
        codebook: Codebook,
        *,
        codings: pd.DataFrame | None = None,
        embeddings: Any = None,
        groups: Sequence[str] | None = None,
    ) -> JudgedSuggester:
        """Fit the retriever, then (with codings) the judge and the thresholds.

        Parameters are those of :meth:`CodeSuggester.fit`, and ``groups``: the interview
        each sentence belongs to, when sentence ``transcript_id`` s split interviews into
        pieces (a review hands over runs of reviewed sentences); the judge's cross-fitting
        never puts two pieces of one interview on both sides.
        """
        self._validate()
        key = None
        if self.memory is not None:  # the same fit kept before: read, not fitted again
            key = suggester_key(self, sentences, codebook, codings, embeddings, groups)
            if key is not None and recall_suggester(self.memory, key, self, codebook):
                return self
        self._fit(sentences, codebook, codings, embeddings, groups)
        if key is not None and self.memory is not None:
            keep_suggester(self.memory, key, self)
        return self

    def _fit(self, sentences: Sequence[Sentence], codebook: Codebook, codings: pd.DataFrame | None,
             embeddings: Any, groups: Sequence[str] | None) -> None:  # fmt: skip
        retriever = CodeSuggester(embedder=self.embedder, top_k=self.top_k, context_window=self.context_window,
                                  min_coverage=self.min_coverage)  # fmt: skip
        raw = None if embeddings is None else np.asarray(embeddings, dtype=np.float32)
        if raw is None and len(sentences):
            raw = np.asarray(self.embedder.encode([s.text for s in sentences]), dtype=np.float32)
        retriever.fit(sentences, codebook, codings=codings, embeddings=raw)
        self.retriever_ = retriever
        self.codes_ = list(retriever.codes_)
        self.mode_ = retriever.mode_
        self.cards_ = [code_card(codebook, codebook.find(ref)) for ref in self.codes_]
        self._retriever_decides()
        self.scorer_: Any = make_scorer(self) if self.judge != "features" else None
        if self.mode_ != "learned":
            if self.scorer_ is not None and self.scorer_.zero_shot:
                self.stage_ = "zero-shot judge"
                self.n_candidates_ = min(_ZERO_SHOT_CANDIDATES, len(self.codes_))
            else:
                self.scorer_ = None  # a cross-encoder has nothing to learn from yet: the retriever decides
            return
        assert raw is not None and codings is not None
        known = {s.transcript_id for s in sentences}
        codings = codings[codings["transcript"].astype(str).isin(known)]
        labels, coded = label_matrix(sentences, codings, self.codes_, min_coverage=self.min_coverage)
        group_of = [s.transcript_id for s in sentences] if groups is None else [str(g) for g in groups]
        if len(group_of) != len(sentences):
            raise ValueError(f"groups: {len(group_of)} groups for {len(sentences)} sentences")
        one_interview = len({group_of[int(i)] for i in np.nonzero(coded)[0]}) < MIN_JUDGE_TRANSCRIPTS
        if one_interview:
            # codes from one interview only: the judge is checked on parts of it it did not learn
            # from, and decides only where that check says it beats the retriever
            if int(coded.sum()) < 2 * _MIN_BLOCK_ROWS:
                self.scorer_ = None
                return
            group_of = block_groups(group_of, coded, _MIN_BLOCK_ROWS)
        answers = looks_like_answers(sentences)
        self._fit_judge(sentences, raw, labels, coded, group_of, answers=answers,
                        choose_by="log-loss" if answers and not one_interview else "kappa")  # fmt: skip
        if one_interview:
            # the retriever as it would decide: its probabilities following the speaker turn and the
            # passage where its out-of-fold kappa and log-loss say so (as the judge's do)
            mixed = None if answers else self._retriever_passage(sentences, labels[coded], np.nonzero(coded)[0])
            retriever_kappa = (retriever.cv_kappa_ or 0.0) if mixed is None else mixed[3]
            if not (self.cv_kappa_ or 0.0) > retriever_kappa:
                self._retriever_decides(mixed)  # the judge did not beat the retriever
                self.scorer_ = None
                return
        self.stage_ = "judge"
        return

    def _retriever_decides(self, mixed: tuple[float, tuple[int, float], float, float] | None = None) -> None:
        """The retriever decides, as it learned (or zero-shot): its candidates, threshold, kappa.

        ``mixed``: its probabilities follow the turn and the passage (see :meth:`_retriever_passage`).
        """
        r = self.retriever_
        self.n_candidates_ = len(self.codes_)
        self.candidate_recall_: float | None = None
        self.cv_kappa_: float | None = r.cv_kappa_
        self.threshold_ = float(r.threshold_)
        self.feature_set_, self.stage_ = "similarity", "retriever"
        self.floor_: float | None = None
        self.turn_weight_, self.passage_ = 0.0, _PASSAGES[0]
        if mixed is not None:
            self.turn_weight_, self.passage_, self.threshold_, self.cv_kappa_ = mixed
        self.thresholds_ = np.full(len(self.codes_), self.threshold_)

    def _retriever_passage(self, sentences: Sequence[Sentence], y: NDArray[np.bool_],
                           rows: NDArray[np.intp]) -> tuple[float, tuple[int, float], float, float] | None:  # fmt: skip
        """How far the retriever's probabilities follow the turn and the passage, its threshold and out-of-fold kappa.

        Chosen as the judge's are: the turn weight by the retriever's out-of-fold kappa, the
        passage mixing by its out-of-fold log-loss; the threshold is chosen again on the mixed
        probabilities by out-of-fold kappa. None: no mixing.
        """
        oof = getattr(self.retriever_, "oof_proba_", None)
        if oof is None or oof.shape != y.shape:
            return None
        coded = [sentences[int(i)] for i in rows]
        turn_weight, oof = _choose_turn_weight(y, oof, coded)
        passage, mixed = _choose_passage(y, oof, coded)
        if passage == _PASSAGES[0] and turn_weight == 0:
            return None
        kappas = [mean_kappa(y, mixed >= t) for t in THRESHOLDS]
        return turn_weight, passage, float(THRESHOLDS[int(np.argmax(kappas))]), float(max(kappas))

    def _task(self, sentences: Sequence[Sentence], raw: NDArray[np.float32],
              labels: NDArray[np.bool_] | None = None, groups: Sequence[str] = ()) -> PairTask:  # fmt: skip
        questions = preceding_questions(sentences)
        texts = [sentence_in_context(sentences, i, question=q) for i, q in enumerate(questions)]
        return PairTask(sentences, texts, self.cards_, list(self.codes_), normalise(raw),
                        labels if labels is not None else np.zeros((len(sentences), len(self.codes_)), bool),
                        list(groups))  # fmt: skip

    def _fit_judge(self, sentences: Sequence[Sentence], raw: NDArray[np.float32], labels: NDArray[np.bool_],
                   coded: NDArray[np.bool_], groups: Sequence[str], *, answers: bool = False,
                   choose_by: str = "kappa") -> None:  # fmt: skip
        r = self.retriever_
        context = r._vectors(sentences, raw)
        plain = normalise(raw)
        rows = np.nonzero(coded)[0]
        # evidence for each coded sentence comes from the codes of other transcripts (many folds, so
        # that the evidence is nearly as strong as it will be for new transcripts)
        features = cross_fitted_features(sentences, context, plain, r.code_vectors_, labels, rows,
                                         transcript_folds(groups, rows, _FEATURE_FOLDS),
                                         example_weight=r.example_weight_, column_mean=r.column_mean_,
                                         column_std=r.column_std_)  # fmt: skip
        y = labels[rows]
        fold = transcript_folds(groups, rows, 5)
        # stage 1: rank codes by the retriever's similarity features alone
        similarity = features[..., :_RANK_FEATURES]
        ranker = PairLogit(C=_C).fit(similarity.reshape(-1, _RANK_FEATURES), y.ravel())
        rank_scores = ranker.predict_proba(similarity.reshape(-1, _RANK_FEATURES)).reshape(y.shape)
        k, achieved = candidate_count(rank_scores, y, float(self.recall))
        candidates = top_candidates(rank_scores, k)
        sets = dict(FEATURE_SETS)
        usable = np.ones(len(rows), dtype=bool)
        if self.scorer_ is not None:  # a judge that reads the texts: one more feature
            extra = self.scorer_.fit(self._task(sentences, raw, labels, groups), rows, candidates)
            usable = np.asarray(np.isfinite(np.where(candidates, extra, 0.0)).all(axis=1), dtype=bool)
            features = np.concatenate([features, np.nan_to_num(extra, nan=0.0)[..., None]], axis=-1)
            judge_column = [features.shape[-1] - 1]
            sets.update({f"{n}+{self.judge}": c + judge_column for n, c in FEATURE_SETS.items()})
        # stage 2: the judge on candidate pairs, with the feature set whose out-of-fold kappa is
        # best; for survey answers, whose coded part is a few short answers per code (so that kappa
        # swings on one or two of them), the one whose out-of-fold log-loss over every pair is
        # lowest (a proper score, and smoother). In interviews the two mostly agree, and where
        # they did not, log-loss coded worse. A strongly regularised judge is
        # under-confident, so its out-of-fold log-odds are rescaled (Platt) into calibrated
        # probabilities
        def out_of_fold(columns: list[int], on: NDArray[np.bool_]) -> tuple[float, NDArray[np.float64], tuple[float, float]]:
            logit = self._out_of_fold(features[on][..., columns], y[on], fold[on], candidates[on])
            platt = _platt(logit[candidates[on]], y[on][candidates[on]])
            oof = np.where(candidates[on], _sigmoid(platt[0] * logit + platt[1]), 0.0)
            oof = _fill_non_candidates(oof, rank_scores[on], candidates[on])
            return max(mean_kappa(y[on], oof >= t) for t in THRESHOLDS), oof, platt

        best: tuple[float, str, NDArray[np.float64], tuple[float, float]] | None = None
        self.feature_set_kappa_: dict[str, float] = {}
        self.feature_set_log_loss_: dict[str, float] = {}
        for name, columns in sets.items():  # compared on the sentences every set can read
            kappa, oof, platt = out_of_fold(columns, usable)
            loss = _log_loss(y[usable], oof)
            self.feature_set_kappa_[name] = round(float(kappa), 4)
            self.feature_set_log_loss_[name] = round(loss, 6)
            score = float(kappa) if choose_by == "kappa" else -loss
            if best is None or score > best[0] + 1e-9:
                best = (score, name, oof, platt)
        assert best is not None
        _, feature_set, oof, platt = best
        if "+" not in feature_set and not usable.all():
            # the text judge scored only a sample of the coded sentences and lost: the judge that
            # won learns from all of them
            usable = np.ones(len(rows), dtype=bool)
            _, oof, platt = out_of_fold(sets[feature_set], usable)
        # human codes often cover a whole turn: share each sentence's probabilities with its turn, as
        # far as out-of-fold kappa says it helps (codes of single utterances, not at all)
        coded_sentences = [sentences[int(i)] for i in np.asarray(rows)[usable]]
        turn_weight, oof = _choose_turn_weight(y[usable], oof, coded_sentences)
        passage, oof = _choose_passage(y[usable], oof, coded_sentences, answers=answers)
        self.turn_weight_ = turn_weight
        self.passage_ = passage
        threshold, per_code, _ = choose_thresholds(y[usable], oof, shrink=float(self.shrink))
        self.floor_ = choose_floor(y[usable], oof, per_code)
        columns = sets[feature_set]
        fitted_on = candidates & usable[:, None]
        self.ranker_ = ranker
        self.feature_set_, self.n_pair_features_ = feature_set, len(FEATURE_NAMES)
        self.judge_model_ = PairLogit(C=_C).fit(features[..., columns][fitted_on], y[fitted_on])
        self.platt_ = platt
        self.n_candidates_, self.candidate_recall_ = int(k), float(achieved)
        self.threshold_, self.thresholds_ = threshold, per_code
        self.cv_kappa_ = mean_kappa(y[usable], apply_floor(oof, oof >= per_code, self.floor_))
        if "+" not in feature_set:
            self.scorer_ = None  # the judge's score did not help: do not pay for it again
        roles = np.array([sentences[int(i)].is_interviewer for i in rows], dtype=np.bool_)
        questions = survey_questions([sentences[int(i)] for i in rows])
        self.reference_ = Reference(context[rows], plain[rows], labels[rows], roles, questions)

    @staticmethod
    def _out_of_fold(features: NDArray[np.float64], y: NDArray[np.bool_], fold: NDArray[np.intp],
                     candidates: NDArray[np.bool_]) -> NDArray[np.float64]:  # fmt: skip
        """Judge log-odds of candidate pairs, each fold's from a judge fitted on the others."""
        oof = np.zeros(y.shape)
        row_fold = np.broadcast_to(fold[:, None], y.shape)
        for f in np.unique(fold):
            train, test = candidates & (row_fold != f), candidates & (row_fold == f)
            if test.any():
                oof[test] = PairLogit(C=_C).fit(features[train], y[train]).decision_function(features[test])
        return oof

    # -- prediction ----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "codes_"):
            raise NotFittedError("this JudgedSuggester is not fitted yet: call fit first")

    def predict_proba(self, sentences: Sequence[Sentence], embeddings: Any = None) -> NDArray[np.float64]:
        """Probabilities ``(n, k)``: the judge's for each sentence's candidates, below them for the rest.

        Pass whole transcripts (interviewer turns included): context is read from them.
        Zero-shot, these are the retriever's scores (cosine similarities), or, with a
        reranker or LLM judge, its probability for the retriever's best candidates.
        """
        self._check_fitted()
        if len(sentences) == 0:
            return np.zeros((0, len(self.codes_)))
        r = self.retriever_
        raw = r._embeddings(sentences, embeddings)
        if self.stage_ != "judge":
            proba = r.predict_proba(sentences, raw)
            if self.stage_ == "retriever":
                proba = _turn_smooth(proba, sentences, getattr(self, "turn_weight_", 0.0))
                return _passage_smooth(proba, sentences, *getattr(self, "passage_", _PASSAGES[0]))
            candidates = top_candidates(proba, self.n_candidates_)
            scores = self.scorer_.score(self._task(sentences, raw), np.arange(len(sentences)), candidates)
            judged = _zero_shot_probabilities(self.scorer_.name, scores, candidates)
            return _fill_non_candidates(judged, np.minimum(proba, 1e-3), candidates)
        # the pair features take about 600 bytes per (sentence, code) pair: a large study is judged
        # a block of whole transcripts at a time, which gives the same probabilities
        blocks = transcript_blocks([s.transcript_id for s in sentences], max(1, _PREDICT_PAIRS // len(self.codes_)))
        if len(blocks) == 1:
            return self._judge_proba(sentences, raw)
        proba = np.empty((len(sentences), len(self.codes_)))
        for start, stop in blocks:
            proba[start:stop] = self._judge_proba(sentences[start:stop], raw[start:stop])
        return proba

    def _judge_proba(self, sentences: Sequence[Sentence], raw: NDArray[np.float32]) -> NDArray[np.float64]:
        """The judge's probabilities for sentences that hold each of their transcripts whole."""
        r = self.retriever_
        context = r._vectors(sentences, raw)
        features = pair_features(sentences, context, normalise(raw), r.code_vectors_, self.reference_,
                                 example_weight=r.example_weight_, column_mean=r.column_mean_,
                                 column_std=r.column_std_)  # fmt: skip
        shape = features.shape[:2]
        similarity = features[..., :_RANK_FEATURES].reshape(-1, _RANK_FEATURES)
        rank_scores = self.ranker_.predict_proba(similarity).reshape(shape)
        candidates = top_candidates(rank_scores, self.n_candidates_)
        # a judge saved by an older version read the features that existed then (always the first ones)
        n_features = getattr(self, "n_pair_features_", len(FEATURE_NAMES))
        columns = [c for c in FEATURE_SETS[self.feature_set_.split("+")[0]] if c < n_features]
        chosen = features[..., columns]
        if self.scorer_ is not None:
            extra = self.scorer_.score(self._task(sentences, raw), np.arange(len(sentences)), candidates)
            chosen = np.concatenate([chosen, np.nan_to_num(extra, nan=0.0)[..., None]], axis=-1)
        proba = np.zeros(shape)
        a, b = self.platt_
        proba[candidates] = _sigmoid(a * self.judge_model_.decision_function(chosen[candidates]) + b)
        proba = _turn_smooth(_fill_non_candidates(proba, rank_scores, candidates), sentences, self.turn_weight_)
        return _passage_smooth(proba, sentences, *getattr(self, "passage_", _PASSAGES[0]))

    def predict(self, sentences: Sequence[Sentence], embeddings: Any = None) -> NDArray[np.bool_]:
        """Which codes the suggester applies to each sentence ``(n, k)`` (none: it abstains)."""
        return self.decide(self.predict_proba(sentences, embeddings))

    def decide(self, proba: NDArray[np.float64], *, adapt: bool | None = None) -> NDArray[np.bool_]:
        """Apply-decisions from :meth:`predict_proba` scores (per-code thresholds).

        With the judge, the thresholds adapt to the sentences in ``proba`` taken together
        (``adapt``, default ``adapt_thresholds``), else they are those learned.
        Zero-shot with a reranker or LLM judge: the best candidate when the judge
        gives it at least 0.5 (an LLM: more likely than "none of these"; a reranker:
        clearly preferred over the sentence's other candidates).
        """
        self._check_fitted()
        if self.stage_ != "judge":
            if self.stage_ == "retriever":
                if getattr(self, "passage_", _PASSAGES[0])[1] or getattr(self, "turn_weight_", 0.0):
                    # its probabilities follow the turn or the passage: the threshold chosen on them
                    return np.asarray(proba >= self.thresholds_, dtype=bool)
                return self.retriever_.decide(proba)
            best = proba == proba.max(axis=1, keepdims=True)
            return np.asarray(best & (proba >= 0.5), dtype=bool)
        thresholds = self.thresholds_
        if self.adapt_thresholds if adapt is None else adapt:
            thresholds = adapted_thresholds(proba, self.thresholds_)
        return apply_floor(proba, np.asarray(proba >= thresholds, dtype=bool), getattr(self, "floor_", None))

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to a folder as JSON + ``.npz`` (see :func:`nlpthemes.suggest.load_suggester`)."""
        from nlpthemes.suggest._persist_judged import save_judged

        return Path(save_judged(self, path))


def transcript_blocks(transcripts: Sequence[str], size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` blocks of about ``size`` consecutive rows, cut only where every transcript
    before the cut has ended (it does not appear again after it); a longer transcript is one block.

    Examples
    --------
    >>> transcript_blocks(["a", "a", "b", "b", "c"], 2)
    [(0, 2), (2, 4), (4, 5)]
    >>> transcript_blocks(["a", "b", "a", "c"], 1)
    [(0, 3), (3, 4)]
    >>> transcript_blocks(["a", "a", "a"], 1)
    [(0, 3)]
    """
    last = {t: i for i, t in enumerate(transcripts)}
    blocks, start, reach = [], 0, -1
    for i, t in enumerate(transcripts):
        reach = max(reach, last[t])
        if reach == i and (i + 1 - start >= size or i + 1 == len(transcripts)):
            blocks.append((start, i + 1))
            start = i + 1
    return blocks


def transcript_folds(groups: Sequence[str], rows: NDArray[np.intp], n_folds: int) -> NDArray[np.intp]:
    """Fold of each coded row, always by whole transcript (``groups``: each sentence's transcript).

    Unlike the retriever's folds, never short blocks of one transcript: neighbouring
    passages of an interview share codes, so such folds would flatter the evidence. (With
    codes from one interview only, ``groups`` are the long parts :func:`block_groups` cuts.)

    Examples
    --------
    >>> transcript_folds(["a", "a", "b", "b"], np.arange(4), 20).tolist()
    [0, 0, 1, 1]
    """
    ids = sorted({groups[int(i)] for i in rows})
    fold_of = {t: k % n_folds for k, t in enumerate(ids)}
    return np.array([fold_of[groups[int(i)]] for i in rows], dtype=np.intp)


def block_groups(groups: Sequence[str], coded: NDArray[np.bool_], min_rows: int) -> list[str]:
    """Groups with the coded sentences of each interview cut into contiguous parts.

    For codes from one interview only: the parts (at most 10, each with at least
    ``min_rows`` coded sentences) take the place of transcripts in cross-fitting. Parts
    are long runs, so that few neighbouring sentences, which share codes, straddle two.

    Examples
    --------
    >>> block_groups(["a"] * 6, np.array([1, 1, 1, 1, 0, 1], bool), 2)
    ['a#0', 'a#0', 'a#0', 'a#1', 'a', 'a#1']
    """
    out = list(groups)
    rows = np.nonzero(coded)[0]
    n_parts = max(2, min(10, len(rows) // max(min_rows, 1)))
    for rank, i in enumerate(rows):
        out[int(i)] = f"{groups[int(i)]}#{rank * n_parts // len(rows)}"
    return out


def _zero_shot_probabilities(judge: str, scores: NDArray[np.float64], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Zero-shot scores of candidates as probabilities: for an LLM, each option against "none of
    these" (its log-odds); for a reranker, whose logits have no absolute meaning, a softmax over
    the sentence's candidates (the code it clearly prefers gets over 0.5).

    Examples
    --------
    >>> s = np.array([[2.0, 0.0, np.nan]]); c = np.array([[True, True, False]])
    >>> _zero_shot_probabilities("reranker", s, c).round(2).tolist()
    [[0.88, 0.12, 0.0]]
    """
    if judge == "llm":
        return np.where(candidates, _sigmoid(np.nan_to_num(scores, nan=-30.0)), 0.0)
    z = np.where(candidates, np.nan_to_num(scores, nan=-np.inf), -np.inf)
    z = z - np.max(np.where(np.isfinite(z), z, -1e300), axis=1, keepdims=True)
    e = np.where(candidates, np.exp(z), 0.0)
    return np.asarray(e / np.maximum(e.sum(axis=1, keepdims=True), 1e-300), dtype=np.float64)


def _turn_smooth(proba: NDArray[np.float64], sentences: Sequence[Sentence], weight: float) -> NDArray[np.float64]:
    """Each sentence's probabilities mixed with the mean of its speaker turn's: ``(1 - w) p + w mean``.

    Examples
    --------
    >>> s = [Sentence("t", 0, 0, 1, "a", turn=0), Sentence("t", 1, 2, 3, "b", turn=0)]
    >>> _turn_smooth(np.array([[1.0], [0.0]]), s, 0.5).tolist()
    [[0.75], [0.25]]
    """
    if weight == 0 or len(sentences) == 0:
        return proba
    return np.asarray((1 - weight) * proba + weight * turn_mean(proba, sentences), dtype=np.float64)


def _choose_turn_weight(y: NDArray[np.bool_], oof: NDArray[np.float64],
                        sentences: Sequence[Sentence]) -> tuple[float, NDArray[np.float64]]:  # fmt: skip
    """How far out-of-fold probabilities follow the speaker turn (the best out-of-fold kappa of ``_TURN_WEIGHTS``), and them so mixed.

    Human codes often cover a whole turn; codes of single utterances do not.

    Examples
    --------
    >>> s = [Sentence("t", i, 2 * i, 2 * i + 1, "a", turn=i // 2) for i in range(4)]
    >>> y = np.array([[True], [True], [False], [False]])
    >>> _choose_turn_weight(y, np.array([[0.9], [0.2], [0.1], [0.3]]), s)[0]
    0.5
    >>> _choose_turn_weight(y, np.array([[0.9], [0.9], [0.1], [0.1]]), s)[0]
    0.0
    """
    turn_weight, best_kappa = 0.0, -np.inf
    for weight in _TURN_WEIGHTS:
        smoothed = _turn_smooth(oof, sentences, weight)
        kappa = max(mean_kappa(y, smoothed >= t) for t in THRESHOLDS)
        if kappa > best_kappa + 1e-9:
            turn_weight, best_kappa = weight, kappa
    return turn_weight, _turn_smooth(oof, sentences, turn_weight)


def _passage_smooth(proba: NDArray[np.float64], sentences: Sequence[Sentence], width: int,
                    weight: float) -> NDArray[np.float64]:  # fmt: skip
    """Each sentence's probabilities mixed with their mean over ``width`` sentences either side.

    ``(1 - weight) p + weight mean``; the window stays within a run of consecutive sentences of
    one transcript, the sentence included.

    Examples
    --------
    >>> s = [Sentence("t", i, 2 * i, 2 * i + 1, "a") for i in range(3)]
    >>> _passage_smooth(np.array([[1.0], [0.0], [0.0]]), s, 1, 0.5).round(3).ravel().tolist()
    [0.75, 0.167, 0.0]
    """
    if weight == 0 or width == 0:
        return proba
    sums, counts = window_sum(proba, runs(sentences), width)
    return np.asarray((1 - weight) * proba + weight * sums / counts[:, None], dtype=np.float64)


def _choose_passage(y: NDArray[np.bool_], oof: NDArray[np.float64], sentences: Sequence[Sentence], *,
                    answers: bool = False) -> tuple[tuple[int, float], NDArray[np.float64]]:  # fmt: skip
    """How far out-of-fold probabilities follow the passage (the lowest log-loss of ``_PASSAGES``), and them so mixed.

    For coders who code stretches of talk. Survey answers never mix: an answer is one turn, and
    how far its sentences share codes is the turn weight's to say.

    Examples
    --------
    >>> s = [Sentence("t", i, 2 * i, 2 * i + 1, "a") for i in range(8)]
    >>> y = np.array([[True]] * 4 + [[False]] * 4)
    >>> _choose_passage(y, np.array([[0.9], [0.1], [0.9], [0.9], [0.1], [0.1], [0.9], [0.1]]), s)[0]
    (3, 0.5)
    >>> _choose_passage(y, y * 0.8 + 0.1, s)[0], _choose_passage(y, np.full((8, 1), 0.3), s, answers=True)[0]
    ((0, 0.0), (0, 0.0))
    """
    passage, best_loss = _PASSAGES[0], np.inf
    for around in _PASSAGES[:1] if answers else _PASSAGES:
        loss = _log_loss(y, _passage_smooth(oof, sentences, *around))
        if loss < best_loss - 1e-9:
            passage, best_loss = around, loss
    return passage, _passage_smooth(oof, sentences, *passage)


def _log_loss(y: NDArray[np.bool_], proba: NDArray[np.float64]) -> float:
    """Mean log-loss of the probabilities of every (sentence, code) pair, clipped away from 0 and 1.

    Examples
    --------
    >>> round(_log_loss(np.array([[True, False]]), np.array([[0.5, 0.5]])), 4)
    0.6931
    """
    p = np.clip(proba, 1e-6, 1 - 1e-6)
    return float(np.mean(-np.where(y, np.log(p), np.log(1 - p))))


def _sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -35, 35))), dtype=np.float64)


def _platt(logit: NDArray[np.float64], target: NDArray[np.bool_]) -> tuple[float, float]:
    """Slope and intercept mapping held-out log-odds to calibrated ones (Platt scaling).

    Examples
    --------
    >>> z = np.linspace(-2, 2, 400); y = np.random.default_rng(0).random(400) < 1 / (1 + np.exp(-3 * z))
    >>> a, b = _platt(z, y)
    >>> 2 < a < 4
    True
    """
    if len(target) == 0 or target.all() or not target.any():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0, max_iter=1000).fit(logit.reshape(-1, 1), target)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _fill_non_candidates(proba: NDArray[np.float64], rank_scores: NDArray[np.float64],
                         candidates: NDArray[np.bool_]) -> NDArray[np.float64]:  # fmt: skip
    """Codes the judge did not read keep the ranker's score, capped below the row's candidates.

    Examples
    --------
    >>> p = np.array([[0.8, 0.0, 0.3]]); r = np.array([[0.9, 0.5, 0.1]])
    >>> _fill_non_candidates(p, r, np.array([[True, False, True]])).tolist()
    [[0.8, 0.3, 0.3]]
    """
    if candidates.all():
        return proba
    lowest = np.where(candidates, proba, np.inf).min(axis=1, keepdims=True)
    lowest = np.where(np.isfinite(lowest), lowest, 1.0)
    return np.where(candidates, proba, np.minimum(rank_scores, lowest))


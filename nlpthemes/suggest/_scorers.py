"""Judges that read the texts of a (sentence, code) pair: one more score per candidate pair.

The feature judge (:mod:`nlpthemes.suggest._judged`) can add the score of one of these to
its pair features; it then learns how far to trust it from the coder's codes, like any
other feature. Scores of the coder's own sentences are always honest: a scorer that
learns (the cross-encoder) never scores a sentence it was trained on, and the LLM's
examples never come from the sentence's own transcript.

* :class:`RerankerPairScorer` - the ms-marco cross-encoder, zero-shot;
* :class:`CrossEncoderPairScorer` - a cross-encoder fine-tuned on the coder's pairs
  (two halves of the coded transcripts, each scored by the model trained on the other;
  new sentences get the mean of both models);
* :class:`LlmPairScorer` - a local LLM choosing among the lettered candidates;
* :class:`~nlpthemes.suggest._setfit.SetFitPairScorer` - the sentence model fine-tuned on
  the coder's codes (SetFit), cross-fitted in two halves like the cross-encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence

__all__ = ["CrossEncoderPairScorer", "LlmPairScorer", "PairTask", "RerankerPairScorer", "halves", "make_scorer"]


@dataclass
class PairTask:
    """What a scorer may read: sentences in context, code cards, vectors and the coder's labels.

    ``labels`` and ``coded`` cover ``sentences``; ``plain`` are unit sentence vectors
    (for retrieving the LLM's examples).
    """

    sentences: Sequence[Sentence]
    texts: list[str]
    cards: list[str]
    names: list[str]
    plain: NDArray[np.float32]
    labels: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    groups: list[str] = field(default_factory=list)

    def group(self, i: int) -> str:
        """The interview sentence ``i`` belongs to (its transcript unless groups were given)."""
        return self.groups[i] if self.groups else self.sentences[i].transcript_id

    def bare(self, i: int) -> str:
        """The sentence alone (a search reranker reads a query, not a marked passage)."""
        return self.sentences[i].text


def _pairs(candidates: NDArray[np.bool_], rows: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and code index of every candidate pair, ``candidates`` being ``(len(rows), k)``."""
    r, c = np.nonzero(candidates)
    return rows[r], c


def halves(task: PairTask, rows: NDArray[np.intp]) -> NDArray[np.intp]:
    """Side (0 or 1) of each coded row: alternate interviews, or two halves of a single one.

    Examples
    --------
    >>> from nlpthemes.corpus import Sentence
    >>> s = [Sentence(t, i, 0, 1, "x") for t in "abc" for i in range(2)]
    >>> task = PairTask(s, [], [], [], np.zeros((6, 2), np.float32))
    >>> halves(task, np.arange(6)).tolist(), halves(task, np.arange(2)).tolist()
    ([0, 0, 1, 1, 0, 0], [0, 1])
    """
    ids = sorted({task.group(int(i)) for i in rows})
    if len(ids) >= 2:
        half = {t: n % 2 for n, t in enumerate(ids)}
        return np.array([half[task.group(int(i))] for i in rows], dtype=np.intp)
    return (np.arange(len(rows)) >= len(rows) // 2).astype(np.intp)


class RerankerPairScorer:
    """Zero-shot relevance of the code card to the sentence (ms-marco MiniLM, ONNX)."""

    name = "reranker"
    zero_shot = True

    def __init__(self, *, model_dir: Any) -> None:
        self.model_dir = model_dir

    def _scorer(self) -> Any:
        if getattr(self, "_impl", None) is None:
            from nlpthemes.suggest._cross import RerankerScorer

            self._impl = RerankerScorer(model_dir=self.model_dir)
        return self._impl

    def fit(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Scores of the training pairs (nothing to learn)."""
        return self.score(task, rows, candidates)

    def score(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """``(len(rows), k)`` logits, NaN outside the candidates."""
        out = np.full(candidates.shape, np.nan)
        i, j = _pairs(candidates, rows)
        values = self._scorer().decision_function([task.bare(a) for a in i], [task.cards[b] for b in j])
        out[candidates] = values
        return out

    def describe(self) -> dict[str, Any]:
        return {"judge": self.name, "model": str(self.model_dir)}


class CrossEncoderPairScorer:
    """A cross-encoder fine-tuned on the coder's candidate pairs, cross-fitted in two halves."""

    name = "cross-encoder"
    zero_shot = False

    def __init__(self, *, base: Any = None, device: str | None = None, max_steps: int = 400,
                 negatives: int = 3, seed: int = 0) -> None:  # fmt: skip
        self.base = base
        self.device = device
        self.max_steps = max_steps
        self.negatives = negatives
        self.seed = seed

    def _train(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> Any:
        from nlpthemes.suggest._cross import PairEncoder

        a, b, y = [], [], []
        rng = np.random.default_rng(self.seed)
        for local, i in enumerate(rows):
            positives = np.nonzero(task.labels[i])[0]
            wrong = [j for j in np.nonzero(candidates[local])[0] if not task.labels[i, j]]
            wrong = list(rng.permutation(wrong)[: self.negatives])
            for j in (*positives, *wrong):
                a.append(task.texts[i])
                b.append(task.cards[j])
                y.append(bool(task.labels[i, j]))
        return PairEncoder(base=self.base, device=self.device, max_steps=self.max_steps, seed=self.seed).fit(a, b, y)

    def fit(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Train two models on the two halves of the coded transcripts; honest training scores."""
        side = halves(task, rows)
        out = np.full(candidates.shape, np.nan)
        self.models_ = []
        for s in (0, 1):
            model = self._train(task, rows[side != s], candidates[side != s])
            self.models_.append(model)
            inside = side == s
            i, j = _pairs(candidates[inside], rows[inside])
            part = np.full((inside.sum(), candidates.shape[1]), np.nan)
            part[candidates[inside]] = model.decision_function([task.texts[a] for a in i], [task.cards[b] for b in j])
            out[inside] = part
        return out

    def score(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Mean logit of the two models, NaN outside the candidates."""
        out = np.full(candidates.shape, np.nan)
        i, j = _pairs(candidates, rows)
        a, b = [task.texts[x] for x in i], [task.cards[x] for x in j]
        out[candidates] = np.mean([m.decision_function(a, b) for m in self.models_], axis=0)
        return out

    def describe(self) -> dict[str, Any]:
        return {"judge": self.name, "base": str(self.base or "all-MiniLM-L6-v2"), "max_steps": self.max_steps}


class LlmPairScorer:
    """A local LLM picks among the lettered candidates; its option probabilities are the scores.

    Parameters
    ----------
    backend : LlmBackend
        :class:`~nlpthemes.suggest._llm.LlamaCppBackend` or ``OpenAIBackend``.
    examples : int, default=3
        Coded sentences shown as examples (the most similar ones, from other transcripts).
    max_training : int, default=300
        Coded sentences scored to learn how far to trust the LLM (a seeded sample).
    progress : callable or None
        Called with (done, total) while scoring.
    """

    name = "llm"
    zero_shot = True

    def __init__(self, *, backend: Any, examples: int = 3, max_training: int = 300, seed: int = 0,
                 progress: Any = None) -> None:  # fmt: skip
        self.backend = backend
        self.examples = examples
        self.max_training = max_training
        self.seed = seed
        self.progress = progress

    def _questions(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> list[Any]:
        from nlpthemes.suggest._llm import Question

        bank_texts, bank_codes, bank_vectors, bank_ids = self.examples_
        questions = []
        for local, i in enumerate(rows):
            examples: tuple[tuple[str, tuple[str, ...]], ...] = ()
            allowed = np.nonzero(bank_ids != task.group(i))[0]
            if self.examples and len(allowed):
                sims = bank_vectors[allowed] @ task.plain[i]
                best = allowed[np.argsort(-sims, kind="stable")[: self.examples]]
                examples = tuple((bank_texts[p], bank_codes[p]) for p in best)
            names = tuple(task.names[j] for j in np.nonzero(candidates[local])[0])
            questions.append(Question(task.texts[i], names, examples))
        return questions

    def _score(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        from nlpthemes.suggest._llm import option_scores, system_prompt

        system = system_prompt(task.cards)
        out = np.full(candidates.shape, np.nan)
        for local, question in enumerate(self._questions(task, rows, candidates)):
            probs = option_scores(self.backend, system, [question])[0]
            cols = np.nonzero(candidates[local])[0]
            # log-odds of each option against "none of these"
            out[local, cols] = np.log(np.maximum(probs[:-1], 1e-9)) - np.log(max(float(probs[-1]), 1e-9))
            if self.progress is not None:
                self.progress(local + 1, len(rows))
        return out

    def fit(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Keep the coded sentences as examples; score a seeded sample of them (NaN for the others)."""
        self.examples_ = (
            [task.sentences[i].text for i in rows],
            [tuple(task.names[c] for c in np.nonzero(task.labels[i])[0]) for i in rows],
            np.asarray(task.plain[rows], dtype=np.float32),
            np.array([task.group(i) for i in rows], dtype=object),
        )
        keep = np.sort(np.random.default_rng(self.seed).permutation(len(rows))[: self.max_training])
        out = np.full(candidates.shape, np.nan)
        out[keep] = self._score(task, rows[keep], candidates[keep])
        return out

    def score(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Scores of new sentences, with the most similar coded sentences as examples."""
        if not hasattr(self, "examples_"):
            self.examples_ = ([], [], np.zeros((0, task.plain.shape[1]), np.float32), np.array([], dtype=object))
        return self._score(task, rows, candidates)

    def describe(self) -> dict[str, Any]:
        return {"judge": self.name, **self.backend.describe(), "examples": self.examples}


FOLDER_JUDGES = ("cross-encoder", "setfit")  # judges whose --judge-model is a local model folder


def model_folder_problem(judge: str, model: str | None) -> str | None:
    """Why ``model`` cannot be the base of a judge fine-tuned from a local folder (or ``None``).

    Examples
    --------
    >>> model_folder_problem("setfit", "/no/such/folder")
    "setfit: model folder '/no/such/folder' not found (a local sentence-transformers or BERT-style folder)"
    >>> model_folder_problem("llm", "/no/such/file.gguf") is None
    True
    """
    from pathlib import Path

    if judge not in FOLDER_JUDGES or model is None:
        return None
    folder = Path(model).expanduser()
    if not folder.is_dir():
        return f"{judge}: model folder {str(model)!r} not found (a local sentence-transformers or BERT-style folder)"
    if not (folder / "config.json").is_file():
        return f"{judge}: {str(model)!r} has no config.json: not a model folder"
    return None


def make_scorer(params: Any) -> Any:
    """The scorer for a suggester's ``judge``, ``judge_model``, ``judge_url`` and ``device``.

    Installed models are looked up in the model folder; a missing one is a one-line
    error naming ``nlpthemes models install``. Nothing is downloaded.
    """
    from pathlib import Path

    from nlpthemes.errors import ModelNotFoundError
    from nlpthemes.models import require_model

    judge, model, url = params.judge, params.judge_model, params.judge_url
    problem = model_folder_problem(judge, model)
    if problem is not None:
        raise ModelNotFoundError(problem)
    if judge == "reranker":
        _, folder = require_model(model or "ms-marco-minilm-l12", kind="reranker")
        return RerankerPairScorer(model_dir=folder)
    if judge == "cross-encoder":
        return CrossEncoderPairScorer(base=model, device=params.device)
    if judge == "setfit":
        from nlpthemes.suggest._setfit import SetFitPairScorer

        return SetFitPairScorer(base=model, device=params.device)
    if judge == "llm":
        from nlpthemes.suggest._llm import LlamaCppBackend, OpenAIBackend

        if url:
            return LlmPairScorer(backend=OpenAIBackend(url=url, model=model or ""), max_training=params.judge_sample)
        path = Path(model).expanduser() if model else None
        if path is None or not path.exists():
            _, path = require_model(model or "qwen2.5-coder-1.5b-instruct", kind="llm")
        return LlmPairScorer(backend=LlamaCppBackend(model_path=path), max_training=params.judge_sample)
    raise ValueError(f"no text scorer for judge {judge!r}")

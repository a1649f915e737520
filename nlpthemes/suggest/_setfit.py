"""The SetFit judge: the sentence model fine-tuned on the coder's codes, with a prototype head.

SetFit (Tunstall et al., 2022) fine-tunes a sentence encoder contrastively on pairs drawn
from a few labelled examples, then fits a light head on its vectors. Here the pairs come
from the coder's codes (:func:`~nlpthemes.suggest._finetune.contrastive_pairs`: sentences
that share a code, sentences that do not, a sentence with its code's card and with another
code's card), and the head is one prototype per code: the unit mean of the tuned vectors
of the code's coded sentences, plus its card's vector. The score of a (sentence, code)
pair is the cosine of the sentence's tuned vector to that prototype.

Like the cross-encoder, it is cross-fitted in two halves of the coded interviews: each
half is scored by the model trained on the other, so the feature judge learns how far to
trust honest scores; new sentences get the mean of both models. Training stops early:
after each doubling of the pairs seen (256, 512, ... ``max_pairs``) the model is checked on
the half it does not learn from (mean per-code kappa of each sentence's best code by its
prototype) and the best state is kept, the untuned model included, so fine-tuning that
does not help is not used.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.suggest._context import normalise
from nlpthemes.suggest._scorers import PairTask, halves

__all__ = ["SetFitPairScorer", "checkpoints", "prototype_head"]

_FIRST_CHECK = 256  # pairs seen at the first check; each later check doubles it


def checkpoints(max_pairs: int, first: int = _FIRST_CHECK) -> list[int]:
    """Pairs seen at each check of early stopping: doubling from ``first`` up to ``max_pairs``.

    Examples
    --------
    >>> checkpoints(2048), checkpoints(300), checkpoints(100)
    ([256, 512, 1024, 2048], [256, 300], [100])
    """
    out = []
    n = first
    while n < max_pairs:
        out.append(n)
        n *= 2
    return [*out, max_pairs]


def prototype_head(example_vectors: NDArray[np.floating[Any]], labels: NDArray[np.bool_],
                   card_vectors: NDArray[np.floating[Any]]) -> NDArray[np.float64]:  # fmt: skip
    """One unit prototype per code: mean of its examples' unit vectors plus its card's.

    A code without examples is its card alone.

    Examples
    --------
    >>> ex = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> y = np.array([[True, False], [True, False]])
    >>> prototype_head(ex, y, np.array([[1.0, 1.0], [0.0, -1.0]])).round(3).tolist()
    [[0.707, 0.707], [0.0, -1.0]]
    """
    examples = normalise(np.asarray(example_vectors, dtype=np.float32))
    means = normalise(labels.T.astype(np.float32) @ examples)  # a code without examples: zeros
    return normalise(means + normalise(np.asarray(card_vectors, dtype=np.float32))).astype(np.float64)


class SetFitPairScorer:
    """Cosine of a fine-tuned sentence vector to each candidate code's prototype.

    Parameters
    ----------
    base : str or Path or None, default=None
        A local sentence-transformers model folder to fine-tune; ``None`` is the packaged
        all-MiniLM-L6-v2 (the PyTorch weights, whatever the retriever's embedder).
    device : str or None, default=None
        Where to train and encode (``None``: CUDA when torch sees it, else the CPU).
    max_pairs : int, default=2048
        Most training pairs per model (fewer when early stopping says so).
    seed : int, default=0
        Seeds pair drawing, order and torch.
    """

    name = "setfit"
    zero_shot = False

    def __init__(self, *, base: Any = None, device: str | None = None, max_pairs: int = 2048, seed: int = 0) -> None:
        self.base = base
        self.device = device
        self.max_pairs = max_pairs
        self.seed = seed

    def _device(self) -> str:
        from nlpthemes.suggest._cross import _device

        return _device(self.device)

    def _load(self) -> Any:
        from nlpthemes.suggest._cross import default_base_model
        from nlpthemes.suggest._finetune import trainable_model

        return trainable_model(Path(self.base) if self.base else default_base_model())

    @staticmethod
    def _encode(model: Any, texts: list[str]) -> NDArray[np.float64]:
        if not texts:
            return np.zeros((0, 1))
        vectors = model.encode(texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True)
        return normalise(np.asarray(vectors, dtype=np.float32)).astype(np.float64)

    def _head(self, model: Any, task: PairTask, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        return prototype_head(self._encode(model, [task.bare(i) for i in rows]), task.labels[rows],
                              self._encode(model, task.cards))  # fmt: skip

    def _check(self, model: Any, task: PairTask, train: NDArray[np.intp], check: NDArray[np.intp]) -> float:
        """Mean per-code kappa, on ``check``, of each sentence's best code by prototype."""
        from nlpthemes.suggest._calibrate import mean_kappa

        sims = self._encode(model, [task.bare(i) for i in check]) @ self._head(model, task, train).T
        best = sims == sims.max(axis=1, keepdims=True)
        return mean_kappa(task.labels[check], best)

    def _train(self, task: PairTask, train: NDArray[np.intp], check: NDArray[np.intp]) -> tuple[Any, NDArray[np.float64], int]:
        """A model trained on ``train`` with early stopping on ``check``: (model, head, pairs used)."""
        from nlpthemes.suggest._finetune import PairTrainer, contrastive_pairs

        model = self._load().to(self._device())
        model.eval()
        pairs = contrastive_pairs([task.bare(i) for i in train], task.labels[train], task.cards,
                                  max_pairs=self.max_pairs, seed=self.seed)  # fmt: skip
        best_kappa, best_state, used = self._check(model, task, train, check), None, 0
        if pairs:
            trainer = PairTrainer(model, seed=self.seed, device=self._device())
            seen = 0
            for upto in checkpoints(len(pairs)):
                trainer.train(pairs[seen:upto])
                seen = upto
                kappa = self._check(model, task, train, check)
                if kappa > best_kappa + 1e-9:
                    best_kappa, used = kappa, seen
                    best_state = copy.deepcopy(model.state_dict())
            if best_state is None:  # fine-tuning never beat the model as it was
                model = self._load().to(self._device())
            else:
                model.load_state_dict(best_state)
            model.eval()
        return model, self._head(model, task, train), used

    def fit(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Train two models, each on one half of the coded interviews; honest training scores."""
        side = halves(task, rows)
        out = np.full(candidates.shape, np.nan)
        self.models_: list[Any] = []
        self.heads_: list[NDArray[np.float64]] = []
        self.pairs_used_: list[int] = []
        for s in (0, 1):
            model, head, used = self._train(task, rows[side != s], rows[side == s])
            self.models_.append(model)
            self.heads_.append(head)
            self.pairs_used_.append(used)
            inside = side == s
            out[inside] = self._pair_scores(model, head, task, rows[inside], candidates[inside])
        return out

    def _pair_scores(self, model: Any, head: NDArray[np.float64], task: PairTask, rows: NDArray[np.intp],
                     candidates: NDArray[np.bool_]) -> NDArray[np.float64]:  # fmt: skip
        out = np.full(candidates.shape, np.nan)
        if len(rows):
            sims = self._encode(model, [task.bare(i) for i in rows]) @ head.T
            out[candidates] = sims[candidates]
        return out

    def score(self, task: PairTask, rows: NDArray[np.intp], candidates: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Mean cosine of the two models, NaN outside the candidates."""
        parts = [self._pair_scores(m, h, task, rows, candidates) for m, h in zip(self.models_, self.heads_, strict=True)]
        return np.asarray(np.mean(parts, axis=0), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        return {"judge": self.name, "base": str(self.base or "all-MiniLM-L6-v2"), "max_pairs": self.max_pairs,
                "pairs_used": list(getattr(self, "pairs_used_", []))}  # fmt: skip

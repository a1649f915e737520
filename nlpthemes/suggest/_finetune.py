"""SetFit-style contrastive fine-tuning of the sentence model on human codes (experimental).

Pairs come from the coded sentences only: two sentences that share a code
should embed close together, two with disjoint codes apart, and a sentence
close to the text of each of its codes and apart from a code it does not
have. A short plain torch loop with sentence-transformers'
``CosineSimilarityLoss`` trains a fresh copy of the model on them; the
packaged model is never changed. The SetFit judge
(:mod:`nlpthemes.suggest._setfit`, ``--judge setfit``) trains with it;
``evaluation/suggest_eval.py --methods setfit`` measures the bare fine-tuned encoder.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.errors import InputError

__all__ = ["FinetunedEmbedder", "PairTrainer", "contrastive_pairs", "finetune_embedder", "trainable_model"]


def contrastive_pairs(
    texts: Sequence[str],
    labels: NDArray[np.bool_],
    code_texts: Sequence[str],
    *,
    max_pairs: int = 1024,
    seed: int = 0,
) -> list[tuple[str, str, float]]:
    """Training pairs ``(text_a, text_b, target)`` with target 1.0 (similar) or 0.0.

    Each pair starts from a code drawn uniformly among the codes used at least
    once (so rare codes get as many pairs as common ones) and a sentence coded
    with it; a quarter of the pairs each: that sentence with another sentence
    of the code (1.0), with a sentence whose codes are disjoint from its own,
    uncoded ones included (0.0), with the code's text (1.0), and with the text
    of a code it does not have (0.0). Kinds that cannot be formed are skipped.

    Parameters
    ----------
    texts : sequence of str
        The coded (training) sentences.
    labels : array of bool, shape (len(texts), len(code_texts))
        Which codes each sentence has.
    code_texts : sequence of str
        The text that stands for each code (see :func:`code_text`).
    max_pairs : int, default=1024
        How many pairs to draw.
    seed : int, default=0
        Seed of the draw.

    Returns
    -------
    list of (str, str, float)

    Examples
    --------
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]], dtype=bool)
    >>> pairs = contrastive_pairs(["a1", "a2", "b1", "none"], y, ["code A", "code B"], max_pairs=8)
    >>> len(pairs), sorted({p[2] for p in pairs})
    (8, [0.0, 1.0])
    >>> all(p[2] == 1.0 for p in pairs if p[1] == "code A" and p[0] in ("a1", "a2"))
    True
    >>> [p for p in pairs if p[0] == "b1" and p[2] == 1.0 and p[1] != "code B"]  # no partner of its code
    []
    """
    labels = np.asarray(labels, dtype=bool)
    if labels.shape != (len(texts), len(code_texts)):
        raise ValueError(f"labels must have shape ({len(texts)}, {len(code_texts)}), got {labels.shape}")
    if not isinstance(max_pairs, int) or max_pairs < 1:
        raise ValueError(f"max_pairs must be a positive integer, got {max_pairs!r}")
    rng = np.random.default_rng(seed)
    used = np.nonzero(labels.any(axis=0))[0]
    pairs: list[tuple[str, str, float]] = []
    if len(used) == 0:
        return pairs
    members = {int(c): np.nonzero(labels[:, c])[0] for c in used}
    attempts = 0
    while len(pairs) < max_pairs and attempts < 20 * max_pairs:
        kind = attempts % 4
        attempts += 1
        code = int(rng.choice(used))
        anchor = int(rng.choice(members[code]))
        own = labels[anchor]
        if kind == 0:  # another sentence of the same code
            others = members[code][members[code] != anchor]
            if len(others):
                pairs.append((texts[anchor], texts[int(rng.choice(others))], 1.0))
        elif kind == 1:  # a sentence with none of the anchor's codes
            disjoint = np.nonzero(~(labels & own).any(axis=1))[0]
            if len(disjoint):
                pairs.append((texts[anchor], texts[int(rng.choice(disjoint))], 0.0))
        elif kind == 2:
            pairs.append((texts[anchor], code_texts[code], 1.0))
        else:  # the text of a code the sentence does not have
            absent = np.nonzero(~own)[0]
            if len(absent):
                pairs.append((texts[anchor], code_texts[int(rng.choice(absent))], 0.0))
    return pairs


class FinetunedEmbedder:
    """A fine-tuned sentence-transformers model behind the ``encode`` interface.

    Not cached on disk: its vectors differ from the packaged model's.

    Parameters
    ----------
    model : SentenceTransformer
        The fine-tuned model.
    name : str, default="fine-tuned"
        A name for reports.
    batch_size : int, default=64
        Sentences per forward pass when encoding.
    history : sequence of float, default=()
        Training loss of each step (filled by :func:`finetune_embedder`).
    """

    def __init__(self, *, model: Any, name: str = "fine-tuned", batch_size: int = 64,
                 history: Sequence[float] = ()) -> None:  # fmt: skip
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self.history = history

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        # sentence-transformers 5.x+ renamed get_sentence_embedding_dimension (now deprecated)
        method = getattr(self.model, "get_embedding_dimension", None)
        if method is None:
            method = self.model.get_sentence_embedding_dimension
        return int(method())

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts``: float32 array of shape ``(len(texts), dimension)``."""
        items = [str(t) for t in texts]
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(items, batch_size=self.batch_size, show_progress_bar=False,
                                    convert_to_numpy=True)  # fmt: skip
        return np.ascontiguousarray(vectors, dtype=np.float32)


def trainable_model(path: str | Path) -> Any:
    """A trainable SentenceTransformer loaded from a local model folder (never the hub)."""
    from sentence_transformers import SentenceTransformer

    from nlpthemes.embed._resolve import set_offline
    from nlpthemes.embed._st import _quiet_transformers

    set_offline()
    with _quiet_transformers(True):
        return SentenceTransformer(str(Path(path)), device="cpu", local_files_only=True, trust_remote_code=False)


def _sentence_transformer(embedder: Any) -> Any:
    """A fresh, trainable copy of the SentenceTransformer behind ``embedder``."""
    inner = getattr(embedder, "embedder", embedder)  # a CachedEmbedder wraps the model's embedder
    if hasattr(inner, "model_hash"):  # an nlpthemes embedder: reload its model folder
        if getattr(inner, "backend", None) != "sentence-transformers" or inner.model_path is None:
            raise InputError(None, f"embedder: fine-tuning needs a sentence-transformers model, got "
                                   f"{getattr(inner, 'name', type(inner).__name__)!r}")  # fmt: skip
        return trainable_model(inner.model_path)
    from sentence_transformers import SentenceTransformer

    if not isinstance(embedder, SentenceTransformer):
        raise InputError(None, f"embedder: fine-tuning needs a sentence-transformers model, got "
                               f"{type(embedder).__name__}")  # fmt: skip
    return copy.deepcopy(embedder)


def _check_training(batch_size: int, learning_rate: float, max_length: int) -> None:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    if not isinstance(max_length, int) or max_length < 8:
        raise ValueError(f"max_length must be an integer of at least 8, got {max_length!r}")


class PairTrainer:
    """Contrastive training of a SentenceTransformer on ``(text_a, text_b, target)`` pairs, in steps.

    Training can go on in several calls of :meth:`train` (one optimiser throughout), so that
    a caller can check the model between them and keep the best state (early stopping).

    Parameters
    ----------
    model : SentenceTransformer
        Trained in place.
    batch_size, learning_rate, max_length, seed
        As in :func:`finetune_embedder`.
    device : str, default="cpu"
        Where to train (``"cuda"`` on a GPU).
    """

    def __init__(self, model: Any, *, batch_size: int = 16, learning_rate: float = 2e-5, max_length: int = 64,
                 seed: int = 0, device: str = "cpu") -> None:  # fmt: skip
        _check_training(batch_size, learning_rate, max_length)
        import torch
        from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

        torch.manual_seed(seed)
        self.model = model.to(device)
        self.batch_size, self.max_length, self.seed = batch_size, max_length, seed
        self.loss_fn = CosineSimilarityLoss(model)
        self.optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
        self.history: list[float] = []

    def train(self, pairs: Sequence[tuple[str, str, float]]) -> None:
        """One pass over ``pairs`` (shuffled with the seed), batch by batch."""
        import torch

        model = self.model
        encode_length = model.max_seq_length
        model.max_seq_length = self.max_length if encode_length is None else min(self.max_length, encode_length)
        order = np.random.default_rng(self.seed + len(self.history)).permutation(len(pairs))
        model.train()
        try:
            for start in range(0, len(order), self.batch_size):
                batch = [pairs[i] for i in order[start : start + self.batch_size]]
                features = [model.preprocess([p[k] for p in batch]) for k in (0, 1)]
                features = [{k: v.to(model.device) if hasattr(v, "to") else v for k, v in f.items()} for f in features]
                target = torch.tensor([p[2] for p in batch], dtype=torch.float32, device=model.device)
                loss = self.loss_fn(features, target)
                self.optimiser.zero_grad()
                loss.backward()
                self.optimiser.step()
                self.history.append(float(loss.item()))
        finally:
            model.eval()
            model.max_seq_length = encode_length


def finetune_embedder(
    embedder: Any,
    texts: Sequence[str],
    labels: NDArray[np.bool_],
    code_texts: Sequence[str],
    *,
    max_pairs: int = 1024,
    batch_size: int = 16,
    learning_rate: float = 2e-5,
    max_length: int = 64,
    seed: int = 0,
) -> FinetunedEmbedder:
    """Fine-tune a copy of the sentence model on pairs from human codes (one pass).

    Parameters
    ----------
    embedder : Embedder or SentenceTransformer
        A sentence-transformers model, or an nlpthemes embedder backed by one
        (as :func:`nlpthemes.embed.load_embedder` returns); it is not changed.
    texts, labels, code_texts
        The coded sentences, their codes and the codes' texts (see
        :func:`contrastive_pairs`).
    max_pairs : int, default=1024
        Training pairs; the run takes ``max_pairs / batch_size`` steps.
    batch_size : int, default=16
        Pairs per step.
    learning_rate : float, default=2e-5
        AdamW learning rate.
    max_length : int, default=64
        Tokens kept of each text while training (the fine-tuned model encodes
        with the model's own limit); shorter is faster.
    seed : int, default=0
        Seeds the pair draw, the order and torch, so a run repeats.

    Returns
    -------
    FinetunedEmbedder
        The fine-tuned copy on the CPU, with the loss of each step in ``history``.

    Examples
    --------
    >>> from nlpthemes.embed import load_embedder
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)
    >>> texts = ["we ran out of money", "funding dried up", "I trust them", "they lied to us"]
    >>> tuned = finetune_embedder(load_embedder(None, cache=False, progress=False), texts, y,
    ...                           ["Money", "Trust"], max_pairs=8, batch_size=4)  # doctest: +SKIP
    >>> tuned.encode(texts).shape, len(tuned.history)  # doctest: +SKIP
    ((4, 384), 2)
    """
    _check_training(batch_size, learning_rate, max_length)
    pairs = contrastive_pairs(texts, labels, code_texts, max_pairs=max_pairs, seed=seed)
    if not pairs:
        raise InputError(None, "no code is used in the training sentences: nothing to fine-tune on")
    model = _sentence_transformer(embedder).to("cpu")
    trainer = PairTrainer(model, batch_size=batch_size, learning_rate=learning_rate, max_length=max_length, seed=seed)
    trainer.train(pairs)
    history = trainer.history
    name = f"{getattr(embedder, 'name', 'model')}+finetuned"
    return FinetunedEmbedder(model=model, name=name, history=tuple(history))

"""Cross-encoders: a transformer that reads a sentence and a code's text together.

* :class:`PairEncoder` fine-tunes a copy of a local BERT-style model (by default the
  packaged all-MiniLM-L6-v2) with a fresh one-logit head on (sentence, code text) pairs
  labelled by the coder: positives are the coder's codes, negatives the retriever's wrong
  candidates (hard negatives). It runs on the GPU when torch sees one.
* :class:`RerankerScorer` runs the ms-marco MiniLM cross-encoder (int8 ONNX, installed
  with ``nlpthemes models install ms-marco-minilm-l12``) zero-shot: the sentence as the
  query, the code's text as the passage.

Both only score pairs; the feature judge turns their scores into calibrated probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.errors import InputError, NotFittedError

__all__ = ["PairEncoder", "RerankerScorer", "default_base_model"]


def default_base_model() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (a BERT encoder the pair head is put on)."""
    from nlpthemes.embed._resolve import resolve_model

    resolved = resolve_model(None)
    assert resolved.path is not None
    return resolved.path


def _device(device: str | None) -> str:
    import torch

    if device is not None:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


class PairEncoder(ParamsMixin):
    """A cross-encoder fine-tuned on the coder's (sentence, code text) pairs.

    Parameters
    ----------
    base : str or Path or None, default=None
        A local BERT-style model folder (``config.json`` + weights + tokenizer); ``None``
        is the packaged all-MiniLM-L6-v2.
    max_length : int, default=192
        Tokens kept of a pair.
    epochs : float, default=2.0
        Passes over the training pairs (at most ``max_steps`` steps).
    max_steps : int, default=400
        Cap on optimisation steps (bounds the cost on a CPU).
    batch_size : int, default=16
    learning_rate : float, default=4e-5
    seed : int, default=0
    device : str or None, default=None
        ``None``: CUDA when torch sees it, else the CPU.

    Examples
    --------
    >>> enc = PairEncoder(max_steps=2, batch_size=2)
    >>> enc.fit(["we ran out of money", "I trust them"], ["Money", "Money"], [True, False])  # doctest: +SKIP
    >>> enc.decision_function(["funding dried up"], ["Money"]).shape  # doctest: +SKIP
    (1,)
    """

    def __init__(
        self,
        *,
        base: str | Path | None = None,
        max_length: int = 192,
        epochs: float = 2.0,
        max_steps: int = 400,
        batch_size: int = 16,
        learning_rate: float = 4e-5,
        seed: int = 0,
        device: str | None = None,
    ) -> None:
        self.base = base
        self.max_length = max_length
        self.epochs = epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed
        self.device = device

    def _load(self, folder: Path) -> tuple[Any, Any]:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from nlpthemes.embed._resolve import set_offline
        from nlpthemes.embed._st import _quiet_transformers

        set_offline()
        level = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # "some weights are newly initialised": the head, as intended
        try:
            with _quiet_transformers(True):
                tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
                model = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=1,
                                                                           local_files_only=True)  # fmt: skip
        finally:
            hf_logging.set_verbosity(level)
        return tokenizer, model.float()  # train in fp32 even from half-precision weights

    def fit(self, text_a: Sequence[str], text_b: Sequence[str], target: Sequence[bool]) -> PairEncoder:
        """Fine-tune a fresh copy of the base model on labelled pairs; returns ``self``."""
        import torch

        if not (len(text_a) == len(text_b) == len(target)) or len(text_a) == 0:
            raise InputError(None, "cross-encoder: need as many first texts, second texts and labels (> 0)")
        torch.manual_seed(self.seed)
        folder = Path(self.base) if self.base is not None else default_base_model()
        tokenizer, model = self._load(folder)
        device = _device(self.device)
        model.to(device).train()
        y = np.asarray(target, dtype=np.float32)
        positive_weight = float((len(y) - y.sum()) / max(y.sum(), 1.0))
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(min(positive_weight, 10.0), device=device))
        optimiser = torch.optim.AdamW(model.parameters(), lr=self.learning_rate, weight_decay=0.01)
        rng = np.random.default_rng(self.seed)
        steps = int(min(self.max_steps, max(1, np.ceil(self.epochs * len(y) / self.batch_size))))
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / max(steps // 10, 1))
                                                     * max(0.0, 1 - s / steps))  # fmt: skip
        order = np.concatenate([rng.permutation(len(y)) for _ in range(int(np.ceil(steps * self.batch_size / len(y))) + 1)])
        history = []
        for step in range(steps):
            batch = order[step * self.batch_size : (step + 1) * self.batch_size]
            encoded = tokenizer([text_a[i] for i in batch], [text_b[i] for i in batch], truncation=True,
                                max_length=self.max_length, padding=True, return_tensors="pt").to(device)  # fmt: skip
            logits = model(**encoded).logits[:, 0]
            loss = loss_fn(logits, torch.as_tensor(y[batch], device=device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            history.append(float(loss.item()))
        model.eval()
        self.tokenizer_, self.model_, self.history_ = tokenizer, model, history
        return self

    def decision_function(self, text_a: Sequence[str], text_b: Sequence[str], *, batch_size: int = 128) -> NDArray[np.float64]:
        """The model's logit for each pair (higher: the code fits the sentence better)."""
        if not hasattr(self, "model_"):
            raise NotFittedError("this PairEncoder is not fitted yet: call fit first")
        import torch

        out = np.zeros(len(text_a))
        order = np.argsort([len(a) + len(b) for a, b in zip(text_a, text_b, strict=True)])
        device = next(self.model_.parameters()).device
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                encoded = self.tokenizer_([text_a[i] for i in batch], [text_b[i] for i in batch], truncation=True,
                                          max_length=self.max_length, padding=True, return_tensors="pt").to(device)  # fmt: skip
                out[batch] = self.model_(**encoded).logits[:, 0].float().cpu().numpy()
        return out

    def save(self, folder: str | Path) -> Path:
        """Save the fine-tuned model and tokenizer (safetensors) into ``folder``."""
        if not hasattr(self, "model_"):
            raise NotFittedError("this PairEncoder is not fitted yet: call fit first")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        self.model_.save_pretrained(str(path), safe_serialization=True)
        self.tokenizer_.save_pretrained(str(path))
        return path

    @classmethod
    def load(cls, folder: str | Path, *, device: str | None = None, max_length: int = 192) -> PairEncoder:
        """Load a model saved by :meth:`save` (no training)."""
        encoder = cls(base=folder, device=device, max_length=max_length)
        tokenizer, model = encoder._load(Path(folder))
        model.to(_device(device)).eval()
        encoder.tokenizer_, encoder.model_, encoder.history_ = tokenizer, model, []
        return encoder


class RerankerScorer:
    """The ms-marco MiniLM cross-encoder (int8 ONNX) scoring (query, passage) pairs, zero-shot.

    Parameters
    ----------
    model_dir : str or Path
        The installed model folder (``model.onnx``, ``tokenizer.json``).
    max_length : int, default=256
    threads : int, default=0
        ONNX Runtime intra-op threads (0: its default).
    """

    def __init__(self, *, model_dir: str | Path, max_length: int = 256, threads: int = 0) -> None:
        self.model_dir = model_dir
        self.max_length = max_length
        self.threads = threads

    def _session(self) -> tuple[Any, Any]:
        if getattr(self, "_loaded", None) is None:
            try:
                import onnxruntime
                from tokenizers import Tokenizer
            except ImportError as exc:  # pragma: no cover - onnxruntime comes with the fast extra
                raise InputError(None, "the reranker judge needs onnxruntime: pip install 'nlpthemes[fast]'") from exc
            folder = Path(self.model_dir)
            options = onnxruntime.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options,
                                                   providers=["CPUExecutionProvider"])  # fmt: skip
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            tokenizer.enable_truncation(self.max_length)
            # pairs are padded per batch below; the shipped tokenizer.json pads every pair to 512
            # tokens, which made scoring about ten times slower than the pairs' own length needs
            tokenizer.no_padding()
            self._loaded = (session, tokenizer)
        return self._loaded

    def decision_function(self, text_a: Sequence[str], text_b: Sequence[str], *, batch_size: int = 64) -> NDArray[np.float64]:
        """Relevance logit of each (query, passage) pair."""
        session, tokenizer = self._session()
        names = {i.name for i in session.get_inputs()}
        out = np.zeros(len(text_a))
        order = np.argsort([len(a) + len(b) for a, b in zip(text_a, text_b, strict=True)])
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encodings = tokenizer.encode_batch([(text_a[i], text_b[i]) for i in batch])
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, e in enumerate(encodings):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = e.attention_mask
                types[row, : len(e.ids)] = e.type_ids
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            logits = session.run(None, {k: v for k, v in feeds.items() if k in names})[0]
            out[batch] = np.asarray(logits, dtype=np.float64).reshape(len(batch), -1)[:, 0]
        return out

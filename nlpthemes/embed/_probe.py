"""The probe check of a derived model: do its vectors still match the model it came from?

A quantised model is only worth having if it says the same thing as the
original. Every ONNX build embeds a fixed probe set shipped with the package
(``nlpthemes/data/models/probe_sentences.txt``: 256 interview sentences)
with the new model and with the fp32 PyTorch model, and records the cosine
of each pair; the CPU default uses the int8 model only when the mean cosine
is at least :data:`PROBE_MIN_MEAN_COSINE`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["PROBE_FILE", "PROBE_MIN_MEAN_COSINE", "probe_agreement", "probe_texts"]

PROBE_FILE = Path(__file__).resolve().parents[1] / "data" / "models" / "probe_sentences.txt"
PROBE_MIN_MEAN_COSINE = 0.99


@functools.lru_cache(maxsize=1)
def _read(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line.strip() and not line.startswith("#"))


def probe_texts() -> list[str]:
    """The shipped probe sentences, in file order.

    Examples
    --------
    >>> texts = probe_texts()
    >>> len(texts), texts[0]
    (256, 'Okay.')
    """
    return list(_read(PROBE_FILE))


def probe_agreement(
    reference: NDArray[np.float32], vectors: NDArray[np.float32], *, threshold: float = PROBE_MIN_MEAN_COSINE
) -> dict[str, Any]:
    """Cosine of each row of ``vectors`` with the same row of ``reference``, summarised.

    Returns ``sentences``, ``mean_cosine``, ``min_cosine``, ``threshold`` and
    ``passed`` (the mean is at least ``threshold``).

    Examples
    --------
    >>> ref = np.array([[1, 0], [0, 1]], dtype=np.float32)
    >>> probe_agreement(ref, np.array([[1, 0.1], [0, 1]], dtype=np.float32))["mean_cosine"]
    0.997519
    >>> probe_agreement(ref, np.array([[0, 1], [1, 0]], dtype=np.float32))["passed"]
    False
    """
    a = np.asarray(reference, dtype=np.float64)
    b = np.asarray(vectors, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2 or not len(a):
        raise ValueError(f"probe: reference {a.shape} and vectors {b.shape} must be the same non-empty matrix")
    norms = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    cosine = (a * b).sum(axis=1) / norms
    mean = float(cosine.mean())
    return {
        "sentences": int(len(cosine)), "mean_cosine": round(mean, 6), "min_cosine": round(float(cosine.min()), 6),
        "threshold": threshold, "passed": bool(mean >= threshold),
    }  # fmt: skip

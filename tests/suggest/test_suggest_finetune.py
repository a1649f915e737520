"""SetFit-style fine-tuning: pairs from human codes, and a short real training run."""

from __future__ import annotations

import numpy as np
import pytest

from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError
from nlpthemes.suggest._finetune import contrastive_pairs, finetune_embedder

TEXTS = [
    "We ran out of money halfway through the year.",
    "The grant was cut, so funding dried up.",
    "Donors stopped paying and our budget collapsed.",
    "Paying the staff became impossible without the subsidy.",
    "I never trusted the ministry after that.",
    "They lied to us about the plans, so we stopped believing them.",
    "People felt betrayed by the council.",
    "Nobody believed the officials any more.",
    "We met on Tuesdays in the old library.",
]
LABELS = np.array([[1, 0]] * 4 + [[0, 1]] * 4 + [[0, 0]], dtype=bool)
CODES = ["Money: funding, budgets and paying for the work", "Trust: trust and distrust in institutions"]


def test_pairs_respect_the_codes() -> None:
    pairs = contrastive_pairs(TEXTS, LABELS, CODES, max_pairs=200, seed=1)
    assert len(pairs) == 200
    row = {t: i for i, t in enumerate(TEXTS)}
    code = {c: j for j, c in enumerate(CODES)}
    for a, b, target in pairs:
        own = LABELS[row[a]]
        other = LABELS[row[b]] if b in row else np.eye(2, dtype=bool)[code[b]]
        assert bool((own & other).any()) == (target == 1.0)
    assert {p[2] for p in pairs} == {0.0, 1.0}
    assert pairs == contrastive_pairs(TEXTS, LABELS, CODES, max_pairs=200, seed=1)


def test_pairs_need_codes_and_matching_shapes() -> None:
    assert contrastive_pairs(TEXTS, np.zeros_like(LABELS), CODES) == []
    with pytest.raises(ValueError, match="labels must have shape"):
        contrastive_pairs(TEXTS[:3], LABELS, CODES)
    with pytest.raises(ValueError, match="max_pairs"):
        contrastive_pairs(TEXTS, LABELS, CODES, max_pairs=0)


def test_bad_options_are_named() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        finetune_embedder(FakeEmbedder(), TEXTS, LABELS, CODES, batch_size=0)
    with pytest.raises(ValueError, match="max_length"):
        finetune_embedder(FakeEmbedder(), TEXTS, LABELS, CODES, max_length=2)
    with pytest.raises(InputError, match="nothing to fine-tune"):
        finetune_embedder(FakeEmbedder(), TEXTS, np.zeros_like(LABELS), CODES)


def test_only_sentence_transformers_models_can_be_fine_tuned() -> None:
    with pytest.raises(InputError, match="needs a sentence-transformers model, got 'fake-bow-32'"):
        finetune_embedder(FakeEmbedder(), TEXTS, LABELS, CODES, max_pairs=4)


def _margin(vectors: np.ndarray) -> float:
    """Mean cosine of same-code sentence pairs minus that of different-code pairs."""
    v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = v @ v.T
    coded = np.nonzero(LABELS.any(axis=1))[0]
    same, other = [], []
    for i in coded:
        for j in coded:
            if i < j:
                (same if (LABELS[i] & LABELS[j]).any() else other).append(sims[i, j])
    return float(np.mean(same) - np.mean(other))


@pytest.mark.slow
def test_fine_tuning_pulls_same_code_sentences_together(real_embedder) -> None:  # type: ignore[no-untyped-def]
    before = real_embedder.encode(TEXTS)
    tuned = finetune_embedder(real_embedder, TEXTS, LABELS, CODES, max_pairs=24, batch_size=8,
                              learning_rate=1e-4, seed=0)  # fmt: skip
    after = tuned.encode(TEXTS)
    assert after.shape == before.shape and after.dtype == np.float32
    assert len(tuned.history) == 3
    assert _margin(after) > _margin(before) + 0.1  # about 0.20 -> 0.43
    # the packaged model is a separate copy and did not move
    np.testing.assert_allclose(real_embedder.encode(TEXTS), before, atol=1e-5)
    assert tuned.encode([]).shape == (0, before.shape[1])

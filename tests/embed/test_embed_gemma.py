"""EmbeddingGemma-300m, installed with ``nlpthemes models install embeddinggemma-300m`` (.ci/run does):
loads offline from the model folder, applies its task prompt, and places a Korean sentence next to its
English translation. Skips with the install command when the model is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from nlpthemes.embed import load_embedder
from nlpthemes.errors import ModelNotFoundError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma():  # type: ignore[no-untyped-def]
    try:
        return load_embedder("embeddinggemma-300m", cache=False, progress=False)
    except ModelNotFoundError as exc:
        pytest.skip(str(exc))


def test_gemma_embeds_korean_next_to_its_english_translation(gemma) -> None:  # type: ignore[no-untyped-def]
    texts = ["저는 매주 자원봉사를 해요.", "I volunteer every week.", "The budget was cut by half."]
    vectors = gemma.encode(texts)
    assert vectors.shape == (3, 768) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.1
    info = gemma.info()
    assert info["weights_sha256"].startswith("cbf5a78393b6") and gemma.model_path.name == "embeddinggemma-300m"


def test_the_task_prompt_changes_the_vectors(gemma) -> None:  # type: ignore[no-untyped-def]
    assert gemma.spec.prompt("sentence") == "task: classification | query: "
    model = gemma._model if getattr(gemma, "_model", None) is not None else gemma._load_model()
    bare = model.encode(["I volunteer every week."], convert_to_numpy=True, normalize_embeddings=True)[0]
    prompted = gemma.encode(["I volunteer every week."])[0]
    assert float(bare @ prompted) < 0.999


def test_the_multilingual_default_is_gemma_when_installed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from nlpthemes.embed._resolve import multilingual_model

    monkeypatch.setenv("NLPTHEMES_MODEL_DIR", str(tmp_path))  # nothing installed here
    assert multilingual_model() == "use-multilingual-v3"
    monkeypatch.undo()
    try:
        load_embedder("embeddinggemma-300m", cache=False, progress=False)
    except ModelNotFoundError:
        pytest.skip("embeddinggemma-300m is not installed")
    assert multilingual_model() == "embeddinggemma-300m"

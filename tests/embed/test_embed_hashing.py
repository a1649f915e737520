"""Weight-file hashes: verified on load, truncation and tampering told clearly, remembered."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nlpthemes.embed import EmbeddingCache, ModelIntegrityError, _hashing, file_sha256, verify_file

CONTENT = b"small stand-in for model weights\n" * 10
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    path = tmp_path / "model.safetensors"
    path.write_bytes(CONTENT)
    return path


def test_good_file_passes(weights: Path) -> None:
    assert verify_file(weights, sha256=DIGEST, size=len(CONTENT)) == DIGEST
    assert verify_file(weights, sha256=DIGEST.upper()) == DIGEST


def test_truncated_copy_is_named(weights: Path) -> None:
    weights.write_bytes(CONTENT[:-7])
    with pytest.raises(ModelIntegrityError, match=r"model\.safetensors: 323 bytes, expected 330"):
        verify_file(weights, sha256=DIGEST, size=len(CONTENT), reinstall="pip install pkg")
    with pytest.raises(ModelIntegrityError, match="reinstall it: pip install pkg"):
        verify_file(weights, sha256=DIGEST, size=len(CONTENT), reinstall="pip install pkg")


def test_tampered_copy_of_same_size_fails_on_hash(weights: Path) -> None:
    weights.write_bytes(CONTENT.replace(b"small", b"SMALL"))
    with pytest.raises(ModelIntegrityError, match="sha256 .* does not match"):
        verify_file(weights, sha256=DIGEST, size=len(CONTENT))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="weight file missing"):
        verify_file(tmp_path / "nope.bin", sha256=DIGEST)


def test_change_after_first_hash_is_seen(weights: Path) -> None:
    assert file_sha256(weights) == DIGEST
    weights.write_bytes(b"other")
    assert file_sha256(weights) == hashlib.sha256(b"other").hexdigest()


def test_digest_is_remembered_on_disk(
    weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = EmbeddingCache(folder=tmp_path / "cache")
    assert file_sha256(weights, cache=cache) == DIGEST
    monkeypatch.setattr(_hashing, "_memo", {})  # a new process

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was hashed again")

    monkeypatch.setattr(_hashing, "open", no_reading, raising=False)
    assert file_sha256(weights, cache=cache) == DIGEST

"""sha256 of model weight files: computed once per file version, then remembered."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from nlpthemes.embed._cache import EmbeddingCache
from nlpthemes.embed._errors import ModelIntegrityError

__all__ = ["file_sha256", "verify_file"]

_CHUNK = 1 << 20
_memo: dict[tuple[str, str], str] = {}


def _stat_key(path: Path) -> str:
    st = path.stat()
    # ctime changes on every write and cannot be set back by the user (unlike mtime)
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def file_sha256(path: str | Path, *, cache: EmbeddingCache | None = None) -> str:
    """The sha256 (hex) of a file, remembered by path, size, times and inode.

    Hashing a 90 MB weight file takes about half a second, longer than
    loading the model; the digest is kept in memory and, when ``cache`` is
    given, on disk, and computed again only when the file changes.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "w.bin"
    >>> _ = p.write_bytes(b"hello")
    >>> file_sha256(p)[:16]
    '2cf24dba5fb0a30e'
    """
    resolved = Path(path).resolve()
    key = (str(resolved), _stat_key(resolved))
    if key in _memo:
        return _memo[key]
    digest = cache.get_file_hash(*key) if cache is not None else None
    if digest is None:
        sha = hashlib.sha256()
        with open(resolved, "rb") as handle:
            while block := handle.read(_CHUNK):
                sha.update(block)
        digest = sha.hexdigest()
        if cache is not None:
            cache.put_file_hash(*key, digest)
    _memo[key] = digest
    return digest


def verify_file(
    path: str | Path,
    *,
    sha256: str,
    size: int | None = None,
    reinstall: str | None = None,
    cache: EmbeddingCache | None = None,
) -> str:
    """Check a weight file's size and sha256; return the digest or raise.

    Parameters
    ----------
    path : str or Path
        The file.
    sha256 : str
        The expected digest (hex).
    size : int or None, default=None
        The expected size in bytes, checked first (a truncated download or
        copy is told as such, without hashing).
    reinstall : str or None, default=None
        How to get a good copy, added to the error message.
    cache : EmbeddingCache or None, default=None
        Where to remember digests between runs.

    Raises
    ------
    ModelIntegrityError
        When the size or the digest differ.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "w.bin"
    >>> _ = p.write_bytes(b"hello")
    >>> good = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    >>> verify_file(p, sha256=good, size=5) == good
    True
    >>> verify_file(p, sha256=good, size=6)
    Traceback (most recent call last):
    ...
    nlpthemes.embed._errors.ModelIntegrityError: ...w.bin: 5 bytes, expected 6 (truncated ...
    """
    path = Path(path)
    hint = f"; reinstall it: {reinstall}" if reinstall else ""
    if not path.is_file():
        raise ModelIntegrityError(f"{path}: weight file missing{hint}")
    actual_size = os.path.getsize(path)
    if size is not None and actual_size != size:
        raise ModelIntegrityError(
            f"{path}: {actual_size:,} bytes, expected {size:,} (truncated or a different file)"
            f"{hint}"
        )
    digest = file_sha256(path, cache=cache)
    if digest != sha256.lower():
        raise ModelIntegrityError(
            f"{path}: sha256 {digest} does not match the expected {sha256.lower()}"
            f" (altered or a different file){hint}"
        )
    return digest

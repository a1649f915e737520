"""``manifest.json``: what a run used and did, so results can be reproduced and cited."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from nlpthemes.io._atomic import atomic_text

__all__ = ["build_manifest", "file_sha256", "package_versions", "source_digest", "write_manifest"]

_PACKAGES = ("nlpthemes", "numpy", "pandas", "scikit-learn", "torch", "transformers",
             "sentence-transformers", "bertopic", "umap-learn", "hdbscan", "pysbd")  # fmt: skip


@functools.cache
def source_digest(*subpackages: str) -> str:
    """SHA-256 of the source files of nlpthemes ``subpackages``, read once per process.

    Kept fits are keyed by it as well as by the version, so that an edited (or
    editable-installed) copy of the code never reads a fit that older code made.

    Examples
    --------
    >>> len(source_digest("themes")), source_digest("themes") == source_digest("suggest")
    (64, False)
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for sub in subpackages:
        for path in sorted((root / sub).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: Iterable[str] = _PACKAGES) -> dict[str, str | None]:
    """Installed versions (``None`` when absent), read without importing the packages.

    Examples
    --------
    >>> "python" in package_versions(["numpy"])
    True
    """
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def build_manifest(
    command: str,
    *,
    parameters: Mapping[str, Any],
    inputs: Iterable[str | Path] = (),
    timings: Mapping[str, float] | None = None,
    model: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    seed: int | None = None,
    reading: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The manifest of one run (plain JSON-serialisable dict).

    ``reading`` (commands that read transcripts): per transcript, the layout
    it was read with, its speakers with sentence counts and the interviewer,
    and reading warnings (:func:`nlpthemes.jobs._reading.reading_report`).
    """
    files = []
    for path in dict.fromkeys(str(i) for i in inputs):
        p = Path(path)
        if p.is_file():
            files.append({"path": str(p), "sha256": file_sha256(p), "bytes": p.stat().st_size})
    return {
        "command": command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "argv": sys.argv,
        "platform": platform.platform(),
        "versions": package_versions(),
        "parameters": dict(parameters),
        "seed": seed,
        "model": dict(model) if model else None,
        "inputs": files,
        "outputs": dict(outputs or {}),
        "timings_s": {k: round(v, 3) for k, v in (timings or {}).items()},
        **({"reading": [dict(r) for r in reading]} if reading is not None else {}),
    }


def write_manifest(manifest: Mapping[str, Any], path: str | Path) -> None:
    """Write ``manifest.json`` atomically."""
    with atomic_text(path) as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")

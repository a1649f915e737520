"""Models derived offline from a packaged model (ONNX export, distilled static vectors).

A derived model is built once from the verified source weights and kept in
the nlpthemes cache folder under a key made of the source weights' sha256,
the recipe and the versions of the libraries that built it; a new recipe or
library version builds a new folder, so stale files are never reused. The
build writes into a temporary folder that is renamed into place when it is
complete, so a killed build leaves nothing half-made behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.embed._cache import default_cache_dir
from nlpthemes.embed._local import library_versions

__all__ = ["derived_folder", "ensure_built", "pipeline_modules", "read_record"]

DONE = "nlpthemes-derived.json"


def derived_folder(kind: str, source_sha256: str, recipe: str, libraries: Sequence[str]) -> Path:
    """Where the model derived by ``recipe`` from the weights ``source_sha256`` lives.

    Examples
    --------
    >>> derived_folder("onnx", "ab" * 32, "int8", ["numpy"]).parent.name
    'models'
    """
    versions = library_versions(*libraries)
    text = json.dumps([kind, source_sha256, recipe, sorted(versions.items())])
    key = hashlib.sha256(text.encode()).hexdigest()[:20]
    return default_cache_dir() / "models" / f"{kind}-{key}"


def ensure_built(folder: Path, build: Callable[[Path], dict[str, Any]], *, what: str, quiet: bool) -> Path:
    """Return ``folder``, building it first with ``build(tmp_folder)`` when it is not complete."""
    if (folder / DONE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"building {what} (once; kept in {folder.parent})...", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        record = build(tmp)
        with open(tmp / DONE, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2, default=str)
        if folder.exists():  # an incomplete folder from a killed build, or another process won
            if (folder / DONE).is_file():
                return folder
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def read_record(folder: Path) -> dict[str, Any] | None:
    """What the build of ``folder`` recorded, or ``None`` when it is not (completely) built.

    Examples
    --------
    >>> read_record(Path("/no/such/folder")) is None
    True
    """
    try:
        with open(folder / DONE, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def pipeline_modules(model_path: Path) -> tuple[str, bool, int]:
    """A sentence-transformers folder's pooling mode, whether it normalises, and max length.

    Examples
    --------
    >>> pipeline_modules(Path("/no/such/folder"))
    ('mean', False, 256)
    """
    folder = Path(model_path)
    pooling, normalise, max_length = "mean", False, 256
    modules_file = folder / "modules.json"
    modules = json.loads(modules_file.read_text(encoding="utf-8")) if modules_file.is_file() else []
    for module in modules:
        kind = str(module.get("type", ""))
        if kind.endswith("Normalize"):
            normalise = True
        if kind.endswith("Pooling"):
            config_file = folder / module.get("path", "") / "config.json"
            config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
            if config.get("pooling_mode_cls_token"):
                pooling = "cls"
            elif not config.get("pooling_mode_mean_tokens", True):
                pooling = "unsupported"
    config_file = folder / "sentence_bert_config.json"
    if config_file.is_file():
        max_length = int(json.loads(config_file.read_text(encoding="utf-8")).get("max_seq_length", max_length))
    return pooling, normalise, max_length

"""The user's model folder: where ``nlpthemes models install`` keeps assembled models.

Each model lives in ``<model dir>/<name>/`` with a marker file
``nlpthemes-model.json`` written last, after the weights were verified, so a
folder without it (an interrupted install) is never taken for a model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nlpthemes.embed._registry import KIND_WORDS, ModelSpec, Registry, load_registry
from nlpthemes.errors import ModelNotFoundError

__all__ = ["MARKER", "MODEL_DIR_ENV", "installed_path", "model_dir", "require_model"]

MODEL_DIR_ENV = "NLPTHEMES_MODEL_DIR"
MARKER = "nlpthemes-model.json"


def model_dir() -> Path:
    """The model folder: ``$NLPTHEMES_MODEL_DIR``, else the user data folder's ``models``.

    Examples
    --------
    >>> import os
    >>> saved = os.environ.get("NLPTHEMES_MODEL_DIR")
    >>> os.environ["NLPTHEMES_MODEL_DIR"] = "/tmp/my-models"
    >>> str(model_dir())
    '/tmp/my-models'
    >>> if saved is None: del os.environ["NLPTHEMES_MODEL_DIR"]
    ... else: os.environ["NLPTHEMES_MODEL_DIR"] = saved
    """
    configured = os.environ.get(MODEL_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("nlpthemes", appauthor=False)) / "models"


def _marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def installed_path(spec: ModelSpec, *, root: Path | None = None) -> Path | None:
    """The installed model's path (its folder, or its file for a single-file model), or ``None``.

    A model counts as installed when its folder holds the marker written by the
    installer for the registry's weight hash.
    """
    folder = (root or model_dir()) / spec.name
    marker = _marker(folder)
    if marker is None or (spec.sha256 and marker.get("sha256") != spec.sha256):
        return None
    if spec.install is not None and spec.install.unpack == "file" and spec.weights:
        return folder / spec.weights
    return folder


def require_model(name: str, *, kind: str | None = None, registry: Registry | None = None) -> tuple[ModelSpec, Path]:
    """The registry entry and local path of an installed model, or a one-line error.

    Raises
    ------
    ModelNotFoundError
        Unknown name, a model of another kind, or not installed (the message
        gives the install command).

    Examples
    --------
    >>> require_model("no-such-model")
    Traceback (most recent call last):
    ...
    nlpthemes.errors.ModelNotFoundError: no-such-model: not a known model ...
    """
    registry = registry or load_registry()
    spec = registry.get(name)
    if spec is None:
        known = ", ".join(s.name for s in registry.models if kind is None or s.kind == kind)
        raise ModelNotFoundError(f"{name}: not a known model (known: {known})")
    if kind is not None and spec.kind != kind:
        raise ModelNotFoundError(f"{spec.name}: is {KIND_WORDS[spec.kind]} model, not {KIND_WORDS[kind]} model")
    path = installed_path(spec)
    if path is None:
        raise ModelNotFoundError(
            f"{spec.name}: model not installed; install it once with `nlpthemes models install {spec.name}` "
            "(nlpthemes never downloads a model while analysing)"
        )
    return spec, path

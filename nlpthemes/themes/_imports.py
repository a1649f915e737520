"""Import BERTopic and UMAP lazily, without their import-time noise.

umap-learn warns (``ImportWarning``) on import when TensorFlow is absent,
for a feature we never use; BERTopic imports UMAP for plotting. Both are
imported only here and only when a model is fitted, so ``import nlpthemes``
stays fast.

numba (under UMAP) already keeps compiled functions on disk, next to the
installed package or, where that is read-only, in the user cache folder
(``NUMBA_CACHE_DIR`` overrides both), so importing UMAP compiles once per
machine (about 30 s here), not per process. What numba cannot cache is
UMAP's approximate neighbour search, compiled again in every process (about
a minute); :func:`nlpthemes.themes._cluster.nearest_neighbours` avoids it.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

__all__ = ["UNUSED_BERTOPIC_PARTS", "bertopic_module", "umap_class"]

# Optional parts BERTopic imports inside ``try: ... except ModuleNotFoundError`` and that
# nlpthemes never uses (image backends, transformers text generation and zero-shot, llama.cpp
# labels); importing them pulls in sentence-transformers and transformers: about 4 s, most
# of a cached `themes` run when the embedder is the ONNX one. (torch, which BERTopic imports
# for its legacy files, cannot be kept out: other libraries look for it in sys.modules.)
UNUSED_BERTOPIC_PARTS = (
    "bertopic.backend._multimodal",
    "bertopic.representation._textgeneration",
    "bertopic.representation._zeroshot",
    "bertopic.representation._visual",
    "bertopic.representation._llamacpp",
)


def bertopic_module() -> Any:
    """The ``bertopic`` package, imported without the optional parts we never use.

    While BERTopic is first imported, those parts (unless already imported) are marked
    absent in ``sys.modules``, so its own ``except ModuleNotFoundError`` fallbacks
    apply; the marks are removed afterwards, so anything may import them later.
    """
    if "bertopic" in sys.modules:
        return sys.modules["bertopic"]
    blocked = [name for name in UNUSED_BERTOPIC_PARTS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImportWarning)
            import bertopic
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return bertopic


def umap_class() -> Any:
    """``umap.UMAP``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        from umap import UMAP

    return UMAP

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

import warnings
from typing import Any

__all__ = ["bertopic_module", "umap_class"]


def bertopic_module() -> Any:
    """The ``bertopic`` package."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        import bertopic

    return bertopic


def umap_class() -> Any:
    """``umap.UMAP``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        from umap import UMAP

    return UMAP

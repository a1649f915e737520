"""BERTopic as the keyword, outlier and hierarchy engine over our own clusters.

We cluster ourselves (:mod:`nlpthemes.themes._cluster`) and hand BERTopic
the labels through its manual route (``BaseDimensionalityReduction`` +
``BaseCluster`` + ``y=labels``), so BERTopic computes what it is good at
(c-TF-IDF keywords, ``reduce_outliers``, ``hierarchical_topics``,
safetensors serialisation) and nothing depends on pickling UMAP.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.themes._cluster import number_by_size
from nlpthemes.themes._imports import bertopic_module
from nlpthemes.themes._keywords import BOUNDARY

__all__ = [
    "OUTLIER_STRATEGIES", "build_topic_model", "fit_topic_model", "hierarchy", "quiet_bertopic", "reduce_outliers",
]

OUTLIER_STRATEGIES = ("embeddings", "c-tf-idf", "distributions")


def _marked(documents: Sequence[str]) -> list[str]:
    """Sentences ending in :data:`BOUNDARY`, so keyword phrases never span two of them."""
    return [f"{d} {BOUNDARY}" for d in documents]


@contextlib.contextmanager
def quiet_bertopic() -> Iterator[None]:
    """Silence BERTopic's unlabelled progress bars and log warnings (it has no switch for some)."""
    logger = logging.getLogger("BERTopic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.setLevel(level)


def build_topic_model(vectorizer: Any, *, n_keywords: int) -> Any:
    """An unfitted BERTopic that takes labels and embeddings from us."""
    bertopic_module()
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.vectorizers import ClassTfidfTransformer

    return BERTopic(
        embedding_model=None,
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=n_keywords,
        calculate_probabilities=False,
        verbose=False,
        language="multilingual",  # "english" would strip every non-ASCII character
    )


def fit_topic_model(
    documents: Sequence[str],
    vectors: NDArray[np.float32],
    labels: NDArray[np.int64],
    vectorizer: Any,
    *,
    n_keywords: int,
) -> tuple[Any, NDArray[np.int64]]:
    """Fit BERTopic on fixed labels; returns it and its (size-ordered) labels."""
    model = build_topic_model(vectorizer, n_keywords=n_keywords)
    with quiet_bertopic():
        model.fit(_marked(documents), embeddings=vectors, y=np.asarray(labels))
    return model, np.asarray(model.topics_, dtype=np.int64)


def reduce_outliers(
    model: Any,
    documents: Sequence[str],
    vectors: NDArray[np.float32],
    labels: NDArray[np.int64],
    *,
    strategy: str,
    threshold: float,
) -> NDArray[np.int64]:
    """BERTopic's ``reduce_outliers``: outliers join their closest theme when close enough."""
    if not (labels == -1).any():
        return labels
    with quiet_bertopic():
        new = model.reduce_outliers(
            _marked(documents), labels.tolist(), strategy=strategy, threshold=threshold, embeddings=vectors
        )
    return number_by_size(np.asarray(new, dtype=np.int64))


def hierarchy(model: Any, documents: Sequence[str]) -> Any:
    """BERTopic's ``hierarchical_topics`` (``None`` with fewer than three themes)."""
    n_themes = len([t for t in model.get_topics() if t != -1])
    if n_themes < 3:
        return None
    with quiet_bertopic():
        return model.hierarchical_topics(_marked(documents))

"""Choose dimension reduction and clustering from the size of the corpus.

One interview (150-400 sentences) is too small for BERTopic's UMAP + HDBSCAN
defaults (everything becomes outlier -1, or UMAP fails below ~15 sentences);
a million sentences is too large for UMAP on one machine. :func:`plan_for`
picks, for ``n`` sentences to cluster:

============  ===================  ==================
sentences     reduction            clustering
============  ===================  ==================
< 2,000       none (unit vectors)  k-means
2,000-19,999  UMAP to 5 dims       k-means
>= 20,000     PCA to 50 dims       MiniBatchKMeans
============  ===================  ==================

with ``k = sqrt(n) / 2`` themes (3 to 200) unless ``n_themes`` is given, and
``min_theme_size="auto"`` of ``n / 150`` sentences (5 to 500; fewer below 30
sentences). ``clustering="hdbscan"`` gives BERTopic's own UMAP + HDBSCAN
with ``min_cluster_size=min_theme_size``.

Why k-means rather than BERTopic's HDBSCAN: on the CTRL+Shift oral
histories (see ``evaluation/themes_ctrlshift.py``) HDBSCAN left 35-56% of
the sentences as outliers and, with ``eom`` selection, put a fifth of them
in one catch-all theme, while k-means on the same UMAP vectors agreed better
with the human codes. Choosing ``k`` by silhouette was 14 times slower than
``sqrt(n) / 2`` and agreed slightly worse (silhouettes were flat, 0.03-0.1).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "LARGE_CORPUS",
    "MIN_SENTENCES",
    "SMALL_CORPUS",
    "Plan",
    "auto_min_theme_size",
    "auto_n_themes",
    "plan_for",
]

SMALL_CORPUS = 2_000
LARGE_CORPUS = 20_000
MIN_SENTENCES = 10
REDUCTIONS = ("auto", "none", "pca", "umap")
CLUSTERINGS = ("auto", "kmeans", "hdbscan")


def auto_n_themes(n: int) -> int:
    """``sqrt(n) / 2`` themes, at least 3 and at most 200.

    Examples
    --------
    >>> auto_n_themes(150), auto_n_themes(6_000), auto_n_themes(10**6)
    (6, 39, 200)
    """
    return int(min(200, max(3, round(math.sqrt(n) / 2))))


@dataclass(frozen=True)
class Plan:
    """How a corpus of ``n`` sentences is reduced and clustered.

    Attributes
    ----------
    n : int
        Sentences to cluster.
    reduction : {"none", "pca", "umap"}
    clustering : {"kmeans", "hdbscan"}
    min_theme_size : int
        Smallest theme; smaller clusters become outliers (-1).
    n_themes : int or None
        Fixed ``k`` for k-means; ``None`` lets the data choose.
    k : int
        Number of k-means clusters.
    minibatch : bool
        Use MiniBatchKMeans (large corpora).
    """

    n: int
    reduction: str
    clustering: str
    min_theme_size: int
    n_themes: int | None
    k: int
    minibatch: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the manifest and the saved model."""
        return asdict(self)


def auto_min_theme_size(n: int) -> int:
    """``n / 150`` sentences, at least 5 (fewer below 30 sentences) and at most 500.

    Examples
    --------
    >>> auto_min_theme_size(12), auto_min_theme_size(300), auto_min_theme_size(6000)
    (2, 5, 40)
    >>> auto_min_theme_size(10**6)
    500
    """
    floor = min(5, max(2, n // 6))
    return int(min(500, max(floor, round(n / 150))))


def plan_for(
    n: int,
    *,
    n_themes: int | str = "auto",
    min_theme_size: int | str = "auto",
    reduction: str = "auto",
    clustering: str = "auto",
) -> Plan:
    """The sized plan for ``n`` sentences (options already validated).

    Examples
    --------
    >>> p = plan_for(171)
    >>> p.reduction, p.clustering, p.min_theme_size, p.k
    ('none', 'kmeans', 5, 7)
    >>> plan_for(19_999).reduction, plan_for(19_999).clustering, plan_for(19_999).k
    ('umap', 'kmeans', 71)
    >>> plan_for(20_000).reduction, plan_for(20_000).minibatch, plan_for(20_000, reduction="umap").minibatch
    ('pca', True, False)
    >>> p = plan_for(500_000)
    >>> p.reduction, p.clustering, p.minibatch, p.k
    ('pca', 'kmeans', True, 200)
    >>> plan_for(20_000, clustering="hdbscan", n_themes=12).clustering
    'kmeans'
    """
    size = auto_min_theme_size(n) if min_theme_size == "auto" else int(min_theme_size)
    k_fixed = None if n_themes == "auto" else int(n_themes)
    if n < SMALL_CORPUS:
        auto_reduction = "none"
    elif n < LARGE_CORPUS:
        auto_reduction = "umap"
    else:
        auto_reduction = "pca"
    chosen_clustering = "kmeans" if clustering == "auto" or k_fixed is not None else clustering
    chosen_reduction = auto_reduction if reduction == "auto" else reduction
    return Plan(
        n=n,
        reduction=chosen_reduction,
        clustering=chosen_clustering,
        min_theme_size=size,
        n_themes=k_fixed,
        k=k_fixed if k_fixed is not None else auto_n_themes(n),
        minibatch=n >= LARGE_CORPUS and chosen_reduction != "umap",
    )

"""Reduce and cluster unit-length sentence vectors as a :class:`Plan` says.

The result is one label per sentence, ``-1`` for outliers, with themes
numbered by size (largest first; ties by first sentence). k-means puts every
sentence somewhere, so a sentence whose cosine similarity to its theme's
centre is unusually low for that theme (Tukey's fence on the log
cosine distance, see :func:`lower_fences`) is marked an outlier rather than forced into the theme.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.themes._sizing import Plan

__all__ = [
    "ClusterResult", "centroids", "cluster", "lower_fences", "nearest_neighbours", "number_by_size", "reduce_vectors",
]


@dataclass
class ClusterResult:
    """Labels (``-1`` outlier) and what was chosen on the way."""

    labels: NDArray[np.int64]
    info: dict[str, Any] = field(default_factory=dict)


def centroids(x: NDArray[np.float32], labels: NDArray[np.int64], k: int) -> NDArray[np.float32]:
    """Unit-length mean vector of each theme ``0..k-1`` (zeros for an empty theme).

    Examples
    --------
    >>> x = np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32)
    >>> centroids(x, np.array([0, 0, 1]), 2).round(3)
    array([[0.949, 0.316],
           [0.   , 1.   ]], dtype=float32)
    """
    out = np.zeros((k, x.shape[1]), dtype=np.float32)
    for theme in range(k):
        members = x[labels == theme]
        if len(members):
            mean = members.mean(axis=0)
            out[theme] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return out


def lower_fences(similarities: NDArray[np.float32], labels: NDArray[np.int64], k: int) -> NDArray[np.float64]:
    """Per theme, the similarity below which a member is an outlier.

    Tukey's fence (Q3 + 1.5 IQR) on the log of the cosine distance
    ``1 - similarity`` of the theme's members: distances to a centre are
    skewed, their logs much less so. Returned as a similarity.

    Examples
    --------
    >>> sims = np.array([0.9, 0.8, 0.85, 0.82, 0.2, 0.7])
    >>> lower_fences(sims, np.array([0, 0, 0, 0, 0, 1]), 2).round(2)
    array([0.69, 0.7 ])
    """
    out = np.full(k, -1.0)
    for theme in range(k):
        s = similarities[labels == theme]
        if len(s):
            log_distance = np.log(np.maximum(1.0 - s.astype(np.float64), 1e-6))
            q1, q3 = np.percentile(log_distance, [25, 75])
            out[theme] = min(1.0 - float(np.exp(q3 + 1.5 * (q3 - q1))), float(s.max()))
    return out


def number_by_size(labels: NDArray[np.int64], min_size: int = 1) -> NDArray[np.int64]:
    """Renumber themes by size (largest is 0; ties by first member); small ones become -1.

    Examples
    --------
    >>> number_by_size(np.array([5, 2, 2, -1, 5, 2, 7]), min_size=2)
    array([ 1,  0,  0, -1,  1,  0, -1])
    """
    labels = np.asarray(labels, dtype=np.int64)
    ids, first, counts = np.unique(labels, return_index=True, return_counts=True)
    keep = [(-int(c), int(f), int(i)) for i, f, c in zip(ids, first, counts, strict=True) if i >= 0 and c >= min_size]
    mapping = {old: new for new, (_, _, old) in enumerate(sorted(keep))}
    return np.array([mapping.get(int(v), -1) for v in labels], dtype=np.int64)


EXACT_NEIGHBOURS_LIMIT = 50_000
N_NEIGHBOURS = 15
# UMAP's optimisation epochs: umap-learn's own number above 10,000 rows. Below it umap-learn
# takes 500, which on CTRL+Shift (6,432 and 2,649 interviewee sentences) and TalkMoves (6,338)
# fitted about twice as slowly for themes no closer to the human codes (AMI 0.139, 0.141, 0.042
# with 500 against 0.135, 0.138, 0.049 with 200, 3 seeds: evaluation/themes_epochs.py)
UMAP_EPOCHS = 200


def nearest_neighbours(x: NDArray[np.float32], k: int, *, block: int = 2048) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Exact ``k`` nearest neighbours by cosine (unit vectors), each point first.

    One matrix product per block of rows: faster than UMAP's approximate
    search up to tens of thousands of sentences, and it needs no numba
    compilation (which costs UMAP's search about a minute in every new
    process).

    Examples
    --------
    >>> x = np.array([[1, 0], [0.9, 0.44], [0, 1]], dtype=np.float32)
    >>> x /= np.linalg.norm(x, axis=1, keepdims=True)
    >>> nearest_neighbours(x, 2)[0].tolist()
    [[0, 1], [1, 0], [2, 1]]
    """
    n = x.shape[0]
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        sims = x[start : start + block] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = 2.0  # each point is its own nearest neighbour
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -part_sims), axis=1)
        indices[start : start + block] = np.take_along_axis(part, order, axis=1)
        best = np.minimum(np.take_along_axis(part_sims, order, axis=1), 1.0)
        distances[start : start + block] = np.maximum(1.0 - best, 0.0)
    return indices, distances


def _reduce(x: NDArray[np.float32], plan: Plan, random_state: int) -> NDArray[np.float32]:
    if plan.reduction == "none":
        return x
    if plan.reduction == "pca":
        from sklearn.decomposition import PCA

        n_components = int(min(50, x.shape[1], max(2, x.shape[0] - 1)))
        pca = PCA(n_components=n_components, svd_solver="randomized", random_state=random_state)
        return np.asarray(pca.fit_transform(x), dtype=np.float32)
    from nlpthemes.themes._imports import umap_class

    n_neighbours = int(min(N_NEIGHBOURS, x.shape[0] - 1))
    extra: dict[str, Any] = {}
    if x.shape[0] <= EXACT_NEIGHBOURS_LIMIT:
        indices, distances = nearest_neighbours(x, n_neighbours)
        extra["precomputed_knn"] = (indices, distances, None)
    reducer = umap_class()(
        n_neighbors=n_neighbours,
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=random_state,  # reproducible, hence single-threaded
        n_jobs=1,
        low_memory=True,
        n_epochs=UMAP_EPOCHS,
        **extra,
    )
    with warnings.catch_warnings():  # no search index kept: we never call UMAP.transform
        warnings.filterwarnings("ignore", message="precomputed_knn", category=UserWarning)
        return np.asarray(reducer.fit_transform(x), dtype=np.float32)


def reduce_vectors(x: NDArray[np.float32], plan: Plan, random_state: int, *,
                   memory: str | Path | None = None) -> NDArray[np.float32]:  # fmt: skip
    """The reduction ``plan`` asks for, read from ``memory`` when it was computed before.

    ``memory`` is a folder where reductions are kept as ``.npy`` files (read without
    pickle), named by a SHA-256 of the vectors' bytes, the reduction, the seed and the
    versions of UMAP, numba and scikit-learn: UMAP is seeded and so repeatable, and a re-run
    on the same vectors (a report redone, another number of themes) need not pay for it
    again. An unreadable file is computed again and replaced. ``None``: computed every time.

    Examples
    --------
    >>> import tempfile
    >>> from nlpthemes.themes._sizing import plan_for
    >>> x = np.random.default_rng(0).standard_normal((60, 8)).astype(np.float32)
    >>> plan = plan_for(60, reduction="pca")
    >>> folder = tempfile.mkdtemp()
    >>> first = reduce_vectors(x, plan, 0, memory=folder)
    >>> len(list(Path(folder).glob("*.npy"))), bool((reduce_vectors(x, plan, 0, memory=folder) == first).all())
    (1, True)
    """
    if memory is None or plan.reduction == "none":
        return _reduce(x, plan, random_state)
    from nlpthemes.io._atomic import atomic_path
    from nlpthemes.manifest import package_versions

    x = np.ascontiguousarray(x, dtype=np.float32)
    versions = package_versions(["umap-learn", "numba", "scikit-learn"])
    digest = hashlib.sha256(x.tobytes())
    settings = {"n_neighbours": N_NEIGHBOURS, "n_epochs": UMAP_EPOCHS} if plan.reduction == "umap" else {}
    digest.update(repr((x.shape, plan.reduction, int(random_state), sorted(versions.items()),
                        sorted(settings.items()))).encode())  # fmt: skip
    path = Path(memory) / f"{plan.reduction}-{digest.hexdigest()[:40]}.npy"
    if path.is_file():
        try:
            kept = np.load(path, allow_pickle=False)
            if kept.ndim == 2 and kept.shape[0] == x.shape[0] and np.isfinite(kept).all():
                return np.asarray(kept, dtype=np.float32)
        except (OSError, ValueError):
            pass  # a damaged file: computed again below
    z = _reduce(x, plan, random_state)
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.save(handle, z, allow_pickle=False)
    except OSError:
        pass  # a read-only or full cache folder only costs the speed-up
    return z


def _kmeans(z: NDArray[np.float32], k: int, plan: Plan, random_state: int) -> NDArray[np.int64]:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if plan.minibatch:
        model: Any = MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=3, random_state=random_state)
    else:
        model = KMeans(n_clusters=k, n_init=4, random_state=random_state)
    return np.asarray(model.fit_predict(z), dtype=np.int64)


def _hdbscan(z: NDArray[np.float32], plan: Plan) -> NDArray[np.int64]:
    from hdbscan import HDBSCAN

    model = HDBSCAN(
        min_cluster_size=plan.min_theme_size,
        min_samples=min(5, plan.min_theme_size),
        cluster_selection_method="eom",
    )
    return np.asarray(model.fit_predict(z), dtype=np.int64)


def cluster(x: NDArray[np.float32], plan: Plan, *, random_state: int,
            memory: str | Path | None = None) -> ClusterResult:  # fmt: skip
    """Cluster unit-length vectors ``x`` following ``plan`` (``memory``: see :func:`reduce_vectors`).

    Examples
    --------
    >>> from nlpthemes.themes._sizing import plan_for
    >>> rng = np.random.default_rng(0)
    >>> centres = np.eye(3, 8, dtype=np.float32)
    >>> x = np.repeat(centres, 20, axis=0) + 0.05 * rng.standard_normal((60, 8)).astype(np.float32)
    >>> x = np.vstack([x, [[0.6, 0.6, 0, 0, 0, 0, 0, 0.5]]]).astype(np.float32)  # fits no theme
    >>> x /= np.linalg.norm(x, axis=1, keepdims=True)
    >>> result = cluster(x, plan_for(61), random_state=0)
    >>> np.bincount(result.labels[result.labels >= 0]).tolist(), int(result.labels[-1])
    ([20, 20, 20], -1)
    """
    z = reduce_vectors(x, plan, random_state, memory=memory)
    info: dict[str, Any] = {}
    if plan.clustering == "hdbscan":
        raw = _hdbscan(z, plan)
    else:
        k = min(plan.k, z.shape[0] - 1)
        info["k"] = k
        raw = number_by_size(_kmeans(z, k, plan, random_state))
        k = int(raw.max()) + 1
        sims = np.einsum("ij,ij->i", x, centroids(x, raw, k)[raw])
        fences = lower_fences(sims, raw, k)
        raw = np.where(sims < fences[raw], -1, raw)
        info["fenced"] = int((raw == -1).sum())
    labels = number_by_size(raw, plan.min_theme_size)
    info["n_themes"] = int(labels.max()) + 1 if (labels >= 0).any() else 0
    return ClusterResult(labels=labels, info=info)

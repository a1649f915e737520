"""Save a fitted :class:`ThemeModel` to a folder and load it back.

The folder holds ``theme_model.json`` (parameters, themes with keywords and
quotes, groups, thresholds, versions), ``centroids.npy`` (what
``transform`` needs to assign new sentences) and, optionally, ``bertopic/``
(BERTopic's own safetensors serialisation with its c-TF-IDF). Nothing is
pickled, so loading runs no code from the folder.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from nlpthemes._json import json_ready
from nlpthemes.errors import InputError
from nlpthemes.io._atomic import atomic_path, atomic_text
from nlpthemes.manifest import package_versions
from nlpthemes.themes._hierarchy import ThemeGroup
from nlpthemes.themes._model import ThemeModel
from nlpthemes.themes._quotes import Quote
from nlpthemes.themes._theme import Theme

__all__ = ["FORMAT_VERSION", "load_theme_model", "save_theme_model"]

FORMAT_VERSION = 1
METADATA = "theme_model.json"
CENTROIDS = "centroids.npy"
BERTOPIC_DIR = "bertopic"


def save_theme_model(model: ThemeModel, path: str | Path, *, bertopic: bool = True) -> Path:
    """Write ``model`` into the folder ``path`` (created); returns the folder.

    Examples
    --------
    >>> import tempfile
    >>> from nlpthemes.embed import FakeEmbedder
    >>> texts = [f"{w} and {w} {i}" for w in ("money budget", "school kids", "code files") for i in range(6)]
    >>> model = ThemeModel(n_themes=3).fit(texts, FakeEmbedder().encode(texts))
    >>> folder = save_theme_model(model, tempfile.mkdtemp(), bertopic=False)
    >>> again = load_theme_model(folder)
    >>> [t.label for t in again.themes_] == [t.label for t in model.themes_]
    True
    >>> bool((again.transform(FakeEmbedder().encode(texts)) == model.transform(FakeEmbedder().encode(texts))).all())
    True
    """
    model._check_fitted()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {
        "format": "nlpthemes.ThemeModel",
        "format_version": FORMAT_VERSION,
        "params": json_ready({k: v for k, v in model.get_params().items() if k != "memory"}),  # a local folder
        "plan": json_ready(model.plan_),
        "n_features_in": model.n_features_in_,
        "n_analysed": model.n_analysed_,
        "outlier_share": model.outlier_share_,
        "thresholds": [float(t) for t in model.thresholds_],
        "themes": [json_ready(dataclasses.asdict(t)) for t in model.themes_],
        "groups": [json_ready(dataclasses.asdict(g)) for g in model.groups_],
        "versions": package_versions(),
        "bertopic": None,
    }
    topic_model = model._topic_model() if bertopic else None  # made again after a fit read from the cache
    if topic_model is not None:
        from nlpthemes.themes._engine import quiet_bertopic

        with quiet_bertopic():
            topic_model.save(
                str(folder / BERTOPIC_DIR), serialization="safetensors", save_ctfidf=True, save_embedding_model=False
            )
        metadata["bertopic"] = BERTOPIC_DIR
    with atomic_path(folder / CENTROIDS) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, np.asarray(model.centroids_, dtype=np.float32))
    with atomic_text(folder / METADATA) as handle:
        json.dump(metadata, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return folder


def load_theme_model(path: str | Path, *, bertopic: bool = False) -> ThemeModel:
    """Load a folder written by :func:`save_theme_model`.

    The loaded model can ``transform`` new embeddings and has ``themes_``,
    ``groups_``, ``centroids_`` and ``thresholds_``; per-sentence results of
    the original fit (``labels_``...) are not stored. With ``bertopic=True``
    the BERTopic model is loaded into ``topic_model_`` too (slower).

    Raises
    ------
    InputError
        The folder is not a saved theme model or is from a newer format.
    """
    folder = Path(path)
    meta_path = folder / METADATA
    if not meta_path.is_file():
        raise InputError(folder, f"not a saved theme model (no {METADATA})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(meta_path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if meta.get("format") != "nlpthemes.ThemeModel" or meta.get("format_version", 0) > FORMAT_VERSION:
        raise InputError(meta_path, f"unsupported theme model format {meta.get('format_version')!r}")
    params = dict(meta["params"])
    if isinstance(params.get("stop_words"), list):
        params["stop_words"] = tuple(params["stop_words"])
    model = ThemeModel(**params)
    model.themes_ = [
        Theme(
            id=t["id"], label=t["label"], size=t["size"], keywords=tuple(t["keywords"]), parent=t["parent"],
            quotes=tuple(Quote(**q) for q in t["quotes"]),
        )
        for t in meta["themes"]
    ]  # fmt: skip
    model.groups_ = [
        ThemeGroup(id=g["id"], label=g["label"], keywords=tuple(g["keywords"]), themes=tuple(g["themes"]),
                   level=g["level"], parent=g["parent"])
        for g in meta["groups"]
    ]  # fmt: skip
    model.thresholds_ = np.asarray(meta["thresholds"], dtype=np.float64)
    model.outlier_share_ = float(meta["outlier_share"])
    model.n_analysed_ = int(meta["n_analysed"])
    model.plan_ = dict(meta["plan"])
    model.n_features_in_ = int(meta["n_features_in"])
    model.hierarchy_ = None
    model.topic_model_ = None
    if bertopic and meta.get("bertopic"):
        from nlpthemes.themes._engine import quiet_bertopic
        from nlpthemes.themes._imports import bertopic_module

        with quiet_bertopic():
            model.topic_model_ = bertopic_module().BERTopic.load(str(folder / meta["bertopic"]))
    centres = np.load(folder / CENTROIDS, allow_pickle=False)
    if centres.shape != (len(model.themes_), model.n_features_in_):
        raise InputError(folder / CENTROIDS, f"shape {centres.shape} does not match the themes")
    model.centroids_ = centres
    return model

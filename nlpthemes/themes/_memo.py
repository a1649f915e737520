"""Fitted themes kept in the cache folder, with no text, so a re-run on the same sentences skips the fit.

Theme fitting is seeded and so repeatable: the same vectors, sentences and parameters,
with the same versions of the packages that fit, give the same themes. A fit is kept
under ``themes-<key>/`` in the model's ``memory`` folder, where ``key`` is a SHA-256 of
all of that, and read back instead of importing BERTopic and fitting again (``analyze``
again after more coding, a report redone).

Like the embedding cache, the kept fit holds **no text**: per-sentence theme numbers and
probabilities, the theme centres and thresholds (``fit.npz``, read without pickle), and in
``fit.json`` every keyword and quote as a place in the input sentences (sentence number,
start, end), which only the same sentences turn back into words. A fit whose words cannot
all be placed that way is not kept. The :data:`KEEP` most recently used fits are kept. A
damaged entry is fitted again and replaced; a read-only cache only costs the speed-up.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._json import json_ready
from nlpthemes.io._atomic import keep_newest, touch_folder, write_folder_once
from nlpthemes.manifest import package_versions, source_digest
from nlpthemes.themes._hierarchy import ThemeGroup, group_label
from nlpthemes.themes._quotes import Quote, SentenceRef
from nlpthemes.themes._theme import Theme, label_from_keywords

if TYPE_CHECKING:
    from nlpthemes.themes._model import ThemeModel

__all__ = ["fit_key", "keep_fit", "recall_fit"]

FORMAT_VERSION = 1
_FITTING = ("nlpthemes", "bertopic", "scikit-learn", "umap-learn", "numba", "hdbscan", "numpy")
_JSON, _ARRAYS = "fit.json", "fit.npz"
KEEP = 20  # fits kept; the least recently used go first


def fit_key(x: NDArray[np.float32], texts: Sequence[str], refs: Sequence[SentenceRef], excluded: NDArray[np.str_],
            params: dict[str, Any]) -> str:  # fmt: skip
    """A SHA-256 of everything a fit depends on: vectors, sentences, parameters and versions.

    Examples
    --------
    >>> x = np.eye(2, dtype=np.float32)
    >>> refs, excluded = [SentenceRef("a"), SentenceRef("b")], np.array(["", ""])
    >>> a = fit_key(x, ["a", "b"], refs, excluded, {"n_themes": 2})
    >>> a == fit_key(x, ["a", "b"], refs, excluded, {"n_themes": 3}), len(a)
    (False, 40)
    """
    digest = hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes())
    digest.update(repr(x.shape).encode())
    for text, ref in zip(texts, refs, strict=True):
        digest.update(repr((text, ref.transcript, ref.index, ref.start, ref.end, ref.speaker)).encode())
    digest.update("\0".join(str(e) for e in excluded).encode())
    settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k != "memory"}
    digest.update(repr((sorted(settings.items(), key=str), sorted(package_versions(_FITTING).items()),
                        source_digest("themes"))).encode())  # fmt: skip
    return digest.hexdigest()[:40]


class _Places:
    """Words as places in the (lower-cased) input sentences, and back."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.lowered = [t.lower() for t in texts]
        self.starts: list[int] = []
        offset = 0
        for t in self.lowered:
            self.starts.append(offset)
            offset += len(t) + 1
        self.haystack = "\0".join(self.lowered)

    def place(self, phrase: str) -> list[list[int]] | None:
        """``[[sentence, start, end], ...]`` whose lower-cased text, joined by spaces, is ``phrase``."""
        parts = [phrase] if phrase in self.haystack else phrase.split(" ")
        places = []
        for part in parts:
            at = self.haystack.find(part) if part else -1
            if at < 0:
                return None
            i = bisect.bisect_right(self.starts, at) - 1
            places.append([i, at - self.starts[i], at - self.starts[i] + len(part)])
        return places

    def words(self, places: Sequence[Sequence[int]]) -> str:
        return " ".join(self.lowered[int(i)][int(a) : int(b)] for i, a, b in places)


def _theme_groups(groups: Sequence[dict[str, Any]], places: _Places) -> list[ThemeGroup]:
    out = []
    for g in groups:
        keywords = tuple(places.words(p) for p in g["keywords"])
        out.append(ThemeGroup(id=int(g["id"]), label=group_label(keywords), keywords=keywords,
                              themes=tuple(int(t) for t in g["themes"]), level=int(g["level"]),
                              parent=None if g["parent"] is None else int(g["parent"])))  # fmt: skip
    return out


def _themes(themes: Sequence[dict[str, Any]], places: _Places, texts: Sequence[str],
            refs: Sequence[SentenceRef]) -> list[Theme]:  # fmt: skip
    out = []
    for t in themes:
        keywords = tuple(places.words(p) for p in t["keywords"])
        quotes = tuple(
            Quote(theme=int(t["id"]), rank=int(rank), text=texts[int(i)], similarity=float(similarity),
                  transcript=refs[int(i)].transcript, index=refs[int(i)].index, start=refs[int(i)].start,
                  end=refs[int(i)].end, speaker=refs[int(i)].speaker)
            for i, rank, similarity in t["quotes"]
        )  # fmt: skip
        out.append(Theme(id=int(t["id"]), label=label_from_keywords(keywords), size=int(t["size"]),
                         keywords=keywords, parent=None if t["parent"] is None else int(t["parent"]),
                         quotes=quotes))  # fmt: skip
    return out


def recall_fit(memory: str | Path, key: str, model: ThemeModel, texts: Sequence[str],
               refs: Sequence[SentenceRef]) -> bool:  # fmt: skip
    """Give ``model`` the fit kept under ``key``; ``False`` when there is none (or it is unreadable)."""
    folder = Path(memory) / f"themes-{key}"
    if not (folder / _JSON).is_file():
        return False
    n = len(texts)
    try:
        meta = json.loads((folder / _JSON).read_text(encoding="utf-8"))
        with np.load(folder / _ARRAYS, allow_pickle=False) as arrays:
            kept = {name: np.asarray(arrays[name]) for name in ("labels", "probabilities", "excluded", "centroids",
                                                                   "thresholds")}  # fmt: skip
        if meta.get("format_version") != FORMAT_VERSION or any(len(kept[k]) != n for k in ("labels", "excluded")):
            raise ValueError("another format or other sentences")
        places = _Places(texts)
        themes = _themes(meta["themes"], places, texts, refs)
        groups = _theme_groups(meta["groups"], places)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        shutil.rmtree(folder, ignore_errors=True)  # damaged: fitted again and kept anew
        return False
    model.labels_ = kept["labels"].astype(np.int64)
    model.probabilities_ = kept["probabilities"].astype(np.float64)
    model.excluded_ = kept["excluded"].astype(str)
    model.themes_, model.groups_ = themes, groups
    model.thresholds_ = kept["thresholds"].astype(np.float64)
    model.centroids_ = kept["centroids"].astype(np.float32)
    model.outlier_share_ = float(meta["outlier_share"])
    model.n_analysed_ = int(meta["n_analysed"])
    model.plan_ = dict(meta["plan"])
    model.n_features_in_ = int(model.centroids_.shape[1])
    model.hierarchy_ = None
    model.topic_model_ = None
    touch_folder(folder)
    return True


def keep_fit(memory: str | Path, key: str, model: ThemeModel, texts: Sequence[str],
             refs: Sequence[SentenceRef]) -> None:  # fmt: skip
    """Keep ``model``'s fit under ``key``, if all its words can be kept as places in ``texts``."""
    target = Path(memory) / f"themes-{key}"
    if target.exists():
        return
    places = _Places(texts)
    position: dict[tuple[Any, ...], int] = {}
    for i, (text, ref) in enumerate(zip(texts, refs, strict=True)):
        position.setdefault((text, ref.transcript, ref.index, ref.start, ref.end, ref.speaker), i)
    themes, groups = [], []
    for theme in model.themes_:
        keywords = [places.place(w) for w in theme.keywords]
        quotes = [[position.get((q.text, q.transcript, q.index, q.start, q.end, q.speaker)), q.rank, q.similarity]
                  for q in theme.quotes]  # fmt: skip
        if any(k is None for k in keywords) or any(q[0] is None for q in quotes):
            return
        themes.append({"id": theme.id, "size": theme.size, "parent": theme.parent, "keywords": keywords,
                       "quotes": quotes})  # fmt: skip
    for group in model.groups_:
        keywords = [places.place(w) for w in group.keywords]
        if any(k is None for k in keywords):
            return
        groups.append({"id": group.id, "themes": list(group.themes), "level": group.level, "parent": group.parent,
                       "keywords": keywords})  # fmt: skip
    # kept only if it reads back as it is: the same words, labels and quotes
    if _themes(themes, places, texts, refs) != list(model.themes_) or _theme_groups(groups, places) != list(
        model.groups_
    ):
        return
    meta = {"format": "nlpthemes.ThemeFit", "format_version": FORMAT_VERSION, "themes": themes, "groups": groups,
            "plan": model.plan_, "outlier_share": model.outlier_share_, "n_analysed": model.n_analysed_}  # fmt: skip
    def write(folder: Path) -> None:
        with open(folder / _ARRAYS, "wb") as handle:
            np.savez(handle, labels=model.labels_, probabilities=model.probabilities_,
                     excluded=np.asarray(model.excluded_, dtype=str), centroids=model.centroids_,
                     thresholds=model.thresholds_)  # fmt: skip
        (folder / _JSON).write_text(json.dumps(json_ready(meta)), encoding="utf-8")

    if write_folder_once(target, write):
        keep_newest(memory, "themes-*", KEEP)

"""Save a fitted :class:`CodeSuggester` to a folder and load it back, without pickle.

The folder holds ``suggester.json`` (parameters, codes, mode, the chosen
weights and threshold, the calibrator's kind and versions) and
``suggester.npz`` (code vectors, prototypes, column statistics and the
logistic calibrator's ``coef_``/``intercept_``). Loading rebuilds a
scikit-learn ``LogisticRegression`` from those arrays, so it runs no code
from the folder and does not depend on the scikit-learn version that fitted it.
The embedder is not saved: give the same model when loading (a pipeline
checks its hash).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.errors import InputError
from nlpthemes.io._atomic import atomic_path, atomic_text
from nlpthemes.manifest import package_versions
from nlpthemes.suggest._model import CodeSuggester

__all__ = ["FORMAT_VERSION", "load_suggester", "save_suggester"]

FORMAT_VERSION = 2  # 2: the context window used is saved (context_window may be "auto")
METADATA = "suggester.json"
ARRAYS = "suggester.npz"
_ARRAY_NAMES = ("code_vectors", "prototypes", "column_mean", "column_std")


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def write_folder(folder: Path, metadata_name: str, metadata: dict[str, Any], arrays_name: str,
                 arrays: dict[str, Any]) -> Path:  # fmt: skip
    """Write a model's arrays (``.npz``) then its metadata (JSON), each atomically; returns ``folder``."""
    with atomic_path(folder / arrays_name) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
    with atomic_text(folder / metadata_name) as handle:
        json.dump(metadata, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return folder


def read_folder(folder: Path, metadata_name: str, arrays_name: str, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The metadata and arrays of a folder written by :func:`write_folder`, or a one-line error."""
    meta_path, arrays_path = folder / metadata_name, folder / arrays_name
    if not meta_path.is_file() or not arrays_path.is_file():
        raise InputError(folder, f"not a saved {kind} (needs {metadata_name} and {arrays_name})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(meta_path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    with np.load(arrays_path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return meta, arrays


def save_suggester(model: CodeSuggester, path: str | Path) -> Path:
    """Write a fitted ``model`` into the folder ``path`` (created); returns the folder.

    Examples
    --------
    >>> import tempfile
    >>> from nlpthemes.codebook import Code, Codebook
    >>> from nlpthemes.corpus import Sentence
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("m", "money", "funding and money"), Code("t", "trust", "trust and distrust")])
    >>> s = [Sentence("p1", 0, 0, 17, "money and funding"), Sentence("p1", 1, 18, 36, "trust and distrust")]
    >>> model = CodeSuggester(embedder=FakeEmbedder(dimension=16)).fit(s, cb)
    >>> folder = save_suggester(model, tempfile.mkdtemp())
    >>> again = load_suggester(folder, embedder=FakeEmbedder(dimension=16))
    >>> bool(np.array_equal(again.predict_proba(s), model.predict_proba(s)))
    True
    """
    model._check_fitted()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    params = {k: v for k, v in model.get_params().items() if k != "embedder"}
    arrays: dict[str, Any] = {
        "code_vectors": np.asarray(model.code_vectors_, dtype=np.float32),
        "prototypes": np.asarray(model.prototypes_, dtype=np.float32),
        "column_mean": np.asarray(model.column_mean_, dtype=np.float32),
        "column_std": np.asarray(model.column_std_, dtype=np.float32),
    }
    calibrator = None
    if model.calibrator_ is not None:
        arrays["calibrator_coef"] = np.asarray(model.calibrator_.coef_, dtype=np.float64)
        arrays["calibrator_intercept"] = np.asarray(model.calibrator_.intercept_, dtype=np.float64)
        calibrator = {"kind": "LogisticRegression", "classes": [bool(c) for c in model.calibrator_.classes_]}
    metadata = {
        "format": "nlpthemes.CodeSuggester",
        "format_version": FORMAT_VERSION,
        "params": params,
        "codes": list(model.codes_),
        "mode": model.mode_,
        "n_training": int(model.n_training_),
        "context_weight": float(model.context_weight_),
        "context_window": int(model.context_window_),
        "example_weight": float(model.example_weight_),
        "question_weight": float(model.question_weight_),
        "threshold": _number(model.threshold_),
        "cv_kappa": _number(model.cv_kappa_),
        "calibrator": calibrator,
        "embedder": getattr(model.embedder, "name", None),
        "versions": package_versions(["nlpthemes", "numpy", "scikit-learn"]),
    }
    return write_folder(folder, METADATA, metadata, ARRAYS, arrays)


class LoadedLogistic:
    """A saved binary logistic calibrator: scikit-learn's ``predict_proba``, without importing it.

    ``expit(x @ coef_.T + intercept_)``, as :class:`sklearn.linear_model.LogisticRegression`
    computes it (the same operations, so the same numbers); loading a model so no longer
    costs scikit-learn's import (about a second).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([False, False, True, True])
    >>> fitted = LogisticRegression().fit(x, y)
    >>> loaded = LoadedLogistic(fitted.coef_, fitted.intercept_, [False, True])
    >>> bool(np.array_equal(loaded.predict_proba(x), fitted.predict_proba(x)))
    True
    """

    def __init__(self, coef: Any, intercept: Any, classes: list[bool]) -> None:
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.classes_ = np.asarray(classes, dtype=bool)
        self.n_features_in_ = int(self.coef_.shape[1])

    def decision_function(self, x: Any) -> NDArray[np.float64]:
        """Log-odds of the positive class, shape ``(n,)``."""
        scores = np.asarray(x, dtype=np.float64) @ self.coef_.T + self.intercept_
        return np.asarray(scores.reshape(-1), dtype=np.float64)

    def predict_proba(self, x: Any) -> NDArray[np.float64]:
        """Probabilities of the two classes, shape ``(n, 2)``."""
        from scipy.special import expit

        p = expit(self.decision_function(x))
        return np.stack([1 - p, p], axis=1)


def load_suggester(path: str | Path, *, embedder: Any) -> CodeSuggester:
    """Load a folder written by :func:`save_suggester` (or a :class:`JudgedSuggester`'s ``save``).

    ``embedder`` encodes new sentences.

    Raises
    ------
    InputError
        The folder is not a saved suggester, is from a newer format, or its
        arrays do not fit together.
    """
    folder = Path(path)
    from nlpthemes.suggest._persist_judged import is_judged, load_judged

    if is_judged(folder):  # the two-stage suggester (retriever + judge)
        return load_judged(folder, embedder=embedder)  # type: ignore[return-value]
    meta_path, arrays_path = folder / METADATA, folder / ARRAYS
    meta, arrays = read_folder(folder, METADATA, ARRAYS, "code suggester")
    if meta.get("format") != "nlpthemes.CodeSuggester" or meta.get("format_version", 0) > FORMAT_VERSION:
        raise InputError(meta_path, f"unsupported code suggester format {meta.get('format_version')!r}")
    missing = [name for name in _ARRAY_NAMES if name not in arrays]
    if missing:
        raise InputError(arrays_path, f"missing arrays: {', '.join(missing)}")
    k = len(meta["codes"])
    shapes_ok = (arrays["prototypes"].shape == arrays["code_vectors"].shape and arrays["prototypes"].shape[0] == k
                 and arrays["column_mean"].shape == (k,) and arrays["column_std"].shape == (k,))  # fmt: skip
    if not shapes_ok:
        raise InputError(arrays_path, f"array shapes do not match the {k} codes")
    model = CodeSuggester(embedder=embedder, **meta["params"])
    model.codes_ = [str(c) for c in meta["codes"]]
    model.code_vectors_ = arrays["code_vectors"]
    model.prototypes_ = arrays["prototypes"]
    model.column_mean_ = arrays["column_mean"]
    model.column_std_ = arrays["column_std"]
    model.n_training_ = int(meta["n_training"])
    model.mode_ = str(meta["mode"])
    model.context_weight_ = float(meta["context_weight"])
    model.context_window_ = int(meta.get("context_window", model._windows()[0]))  # saved before "auto": the int
    model.example_weight_ = float(meta["example_weight"])
    model.question_weight_ = float(meta.get("question_weight", 0.0))  # saved before it existed: none
    model.threshold_ = float("nan") if meta["threshold"] is None else float(meta["threshold"])
    model.cv_kappa_ = None if meta["cv_kappa"] is None else float(meta["cv_kappa"])
    model.calibrator_ = None
    if meta.get("calibrator") is not None:
        if "calibrator_coef" not in arrays or "calibrator_intercept" not in arrays:
            raise InputError(arrays_path, "the calibrator's coefficients are missing")
        model.calibrator_ = LoadedLogistic(arrays["calibrator_coef"], arrays["calibrator_intercept"],
                                           meta["calibrator"]["classes"])  # fmt: skip
    return model

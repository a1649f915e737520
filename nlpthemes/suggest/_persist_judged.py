"""Save a fitted :class:`JudgedSuggester` to a folder and load it back, without pickle.

The folder holds ``judged.json`` (parameters, codes, code cards, candidates, thresholds,
the chosen feature set, how the judge was made), ``judged.npz`` (the pair models'
coefficients and the coded sentences evidence is drawn from: their vectors, labels and
speaker roles), the retriever in ``retriever/`` (see :func:`save_suggester`) and, for the
text judges, what they need: the two fine-tuned cross-encoders (``cross_encoder_0/``,
``cross_encoder_1/``, safetensors), the two fine-tuned SetFit sentence models
(``setfit_0/``, ``setfit_1/``) and their prototypes, or the LLM's example sentences. A reranker or LLM is
not copied: it is found again, installed, by name or path (or reached at its URL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nlpthemes.errors import InputError
from nlpthemes.manifest import package_versions
from nlpthemes.suggest._judged import JudgedSuggester
from nlpthemes.suggest._pairs import FEATURE_NAMES, Reference
from nlpthemes.suggest._persist import (
    _number,
    load_suggester,
    read_folder,
    save_suggester,
    write_folder,
)
from nlpthemes.suggest._stack import PairLogit

__all__ = ["FORMAT", "is_judged", "load_judged", "save_judged"]

FORMAT = "nlpthemes.JudgedSuggester"
FORMAT_VERSION = 2  # 2: the judge reads passage features (format 1 judges read the first 19)
_FORMAT_1_FEATURES = 19
METADATA = "judged.json"
ARRAYS = "judged.npz"


def is_judged(path: str | Path) -> bool:
    """Whether ``path`` holds a saved :class:`JudgedSuggester`."""
    return (Path(path) / METADATA).is_file()


def save_judged(model: JudgedSuggester, path: str | Path, *, cards: bool = True) -> Path:
    """Write a fitted ``model`` into the folder ``path`` (created); returns the folder.

    ``cards=False`` leaves out the code cards (code texts, which may quote transcripts):
    whoever loads the folder makes them again from the codebook.

    Examples
    --------
    >>> import tempfile
    >>> from nlpthemes.codebook import Code, Codebook
    >>> from nlpthemes.corpus import Sentence
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("m", "money", "funding and money"), Code("t", "trust", "trust and distrust")])
    >>> s = [Sentence("p1", 0, 0, 17, "money and funding"), Sentence("p1", 1, 18, 36, "trust and distrust")]
    >>> model = JudgedSuggester(embedder=FakeEmbedder(dimension=16)).fit(s, cb)
    >>> folder = save_judged(model, tempfile.mkdtemp())
    >>> again = load_judged(folder, embedder=FakeEmbedder(dimension=16))
    >>> bool(np.array_equal(again.predict_proba(s), model.predict_proba(s)))
    True
    """
    model._check_fitted()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    save_suggester(model.retriever_, folder / "retriever")
    arrays: dict[str, Any] = {"thresholds": np.asarray(model.thresholds_, dtype=np.float64),
                              "platt": np.asarray(getattr(model, "platt_", (1.0, 0.0)), dtype=np.float64)}  # fmt: skip
    learned = model.stage_ == "judge"
    scorer: dict[str, Any] | None = None
    if learned:
        for prefix, part in (("ranker", model.ranker_), ("judge", model.judge_model_)):
            arrays.update({f"{prefix}_{k}": v for k, v in part.to_arrays().items()})
        ref = model.reference_
        arrays.update({"ref_context": ref.context, "ref_plain": ref.plain, "ref_labels": ref.labels,
                       "ref_roles": ref.roles})  # fmt: skip
        if ref.questions is not None:
            arrays["ref_questions"] = np.asarray(ref.questions, dtype=str)
    if model.scorer_ is not None:
        scorer = {"judge": model.scorer_.name}
        if model.scorer_.name == "cross-encoder":
            for i, encoder in enumerate(model.scorer_.models_):
                encoder.save(folder / f"cross_encoder_{i}")
            scorer["models"] = len(model.scorer_.models_)
        if model.scorer_.name == "setfit":
            for i, (encoder, head) in enumerate(zip(model.scorer_.models_, model.scorer_.heads_, strict=True)):
                encoder.save(str(folder / f"setfit_{i}"))
                arrays[f"setfit_head_{i}"] = np.asarray(head, dtype=np.float64)
            scorer["models"] = len(model.scorer_.models_)
            scorer["pairs_used"] = list(model.scorer_.pairs_used_)
        if model.scorer_.name == "llm" and hasattr(model.scorer_, "examples_"):
            texts, codes, vectors, ids = model.scorer_.examples_
            scorer["examples"] = {"texts": list(texts), "codes": [list(c) for c in codes],
                                  "transcripts": [str(t) for t in ids]}  # fmt: skip
            arrays["llm_example_vectors"] = np.asarray(vectors, dtype=np.float32)
    params = {k: v for k, v in model.get_params().items() if k not in ("embedder", "memory")}  # memory: a local folder
    width, weight = getattr(model, "passage_", (0, 0.0))
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "params": params, "codes": list(model.codes_),
        "cards": list(model.cards_) if cards else [], "mode": model.mode_, "n_candidates": int(model.n_candidates_),
        "candidate_recall": _number(model.candidate_recall_), "threshold": _number(model.threshold_),
        "cv_kappa": _number(model.cv_kappa_), "feature_set": model.feature_set_, "scorer": scorer, "stage": model.stage_,
        "turn_weight": float(getattr(model, "turn_weight_", 0.0)),
        "passage": [int(width), float(weight)],
        "floor": getattr(model, "floor_", None),
        "pair_features": int(getattr(model, "n_pair_features_", len(FEATURE_NAMES))),
        "feature_set_kappa": dict(getattr(model, "feature_set_kappa_", {})),
        "feature_set_log_loss": dict(getattr(model, "feature_set_log_loss_", {})),
        "versions": package_versions(["nlpthemes", "numpy", "scikit-learn"]),
    }  # fmt: skip
    return write_folder(folder, METADATA, metadata, ARRAYS, arrays)


def _scores(meta: dict[str, Any], key: str, path: Path) -> dict[str, float]:
    """A ``{feature set: score}`` table of the metadata (absent: empty); a damaged one is an error naming the file."""
    try:
        return {str(k): float(v) for k, v in meta.get(key, {}).items()}
    except (AttributeError, TypeError, ValueError):
        raise InputError(path, f"{key} must map feature sets to numbers, not {meta.get(key)!r}") from None


def _part(arrays: dict[str, Any], prefix: str, path: Path) -> PairLogit:
    try:
        return PairLogit.from_arrays({k: arrays[f"{prefix}_{k}"] for k in ("mean", "scale", "coef", "intercept")})
    except KeyError:
        raise InputError(path, f"the {prefix} model's coefficients are missing") from None


def load_judged(path: str | Path, *, embedder: Any) -> JudgedSuggester:
    """Load a folder written by :func:`save_judged`; ``embedder`` encodes new sentences.

    Raises
    ------
    InputError
        Not a saved judged suggester, a newer format, or missing parts.
    ModelNotFoundError
        Its reranker or LLM is no longer installed.
    """
    from nlpthemes.suggest._cross import PairEncoder
    from nlpthemes.suggest._scorers import make_scorer

    folder = Path(path)
    meta_path, arrays_path = folder / METADATA, folder / ARRAYS
    meta, arrays = read_folder(folder, METADATA, ARRAYS, "code suggester")
    if meta.get("format") != FORMAT or meta.get("format_version", 0) > FORMAT_VERSION:
        raise InputError(meta_path, f"unsupported code suggester format {meta.get('format_version')!r}")
    model = JudgedSuggester(embedder=embedder, **meta["params"])
    model.retriever_ = load_suggester(folder / "retriever", embedder=embedder)
    model.codes_ = [str(c) for c in meta["codes"]]
    if list(model.retriever_.codes_) != model.codes_:
        raise InputError(folder, "the retriever and the judge were saved for different codes")
    model.cards_ = [str(c) for c in meta["cards"]]
    model.mode_ = str(meta["mode"])
    model.n_candidates_ = int(meta["n_candidates"])
    model.candidate_recall_ = meta["candidate_recall"]
    model.threshold_ = float("nan") if meta["threshold"] is None else float(meta["threshold"])
    model.thresholds_ = np.asarray(arrays["thresholds"], dtype=np.float64)
    model.cv_kappa_ = meta["cv_kappa"]
    model.feature_set_ = str(meta["feature_set"])
    model.stage_ = str(meta.get("stage", "retriever"))
    model.turn_weight_ = float(meta.get("turn_weight", 0.0))
    try:
        width, weight = meta.get("passage", [0, 0.0])  # saved before passages: none
        model.passage_ = (int(width), float(weight))
    except (TypeError, ValueError):
        raise InputError(meta_path, f"passage must be [window, weight], not {meta.get('passage')!r}") from None
    floor = meta.get("floor")
    model.floor_ = None if floor is None else float(floor)
    model.n_pair_features_ = int(meta.get("pair_features", _FORMAT_1_FEATURES))
    model.feature_set_kappa_ = _scores(meta, "feature_set_kappa", meta_path)
    model.feature_set_log_loss_ = _scores(meta, "feature_set_log_loss", meta_path)  # saved before it: none
    if len(model.thresholds_) != len(model.codes_):
        raise InputError(arrays_path, f"{len(model.thresholds_)} thresholds for {len(model.codes_)} codes")
    if model.stage_ == "judge":
        model.ranker_ = _part(arrays, "ranker", arrays_path)
        model.judge_model_ = _part(arrays, "judge", arrays_path)
        model.platt_ = (float(arrays["platt"][0]), float(arrays["platt"][1]))
        questions = np.asarray(arrays["ref_questions"], dtype=str) if "ref_questions" in arrays else None
        model.reference_ = Reference(arrays["ref_context"], arrays["ref_plain"], arrays["ref_labels"].astype(bool),
                                     arrays["ref_roles"].astype(bool), questions)  # fmt: skip
    model.scorer_ = None
    scorer = meta.get("scorer")
    if scorer is not None:
        model.scorer_ = make_scorer(model)
        if scorer["judge"] == "cross-encoder":
            model.scorer_.models_ = [PairEncoder.load(folder / f"cross_encoder_{i}", device=model.device)
                                     for i in range(int(scorer["models"]))]  # fmt: skip
        if scorer["judge"] == "setfit":
            from nlpthemes.suggest._finetune import trainable_model

            n = int(scorer["models"])
            model.scorer_.models_ = [trainable_model(folder / f"setfit_{i}").to(model.scorer_._device())
                                     for i in range(n)]  # fmt: skip
            model.scorer_.heads_ = [np.asarray(arrays[f"setfit_head_{i}"], dtype=np.float64) for i in range(n)]
            model.scorer_.pairs_used_ = [int(p) for p in scorer.get("pairs_used", [])]
        if scorer["judge"] == "llm" and "examples" in scorer:
            ex = scorer["examples"]
            model.scorer_.examples_ = (list(ex["texts"]), [tuple(c) for c in ex["codes"]],
                                       arrays["llm_example_vectors"], np.array(ex["transcripts"], dtype=object))  # fmt: skip
    return model

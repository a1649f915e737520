"""The analyze job's last steps: the report's data, the manifest and the summary, from the steps' results."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nlpthemes.jobs._outputs import State

__all__ = ["manifest", "report_data", "summary"]


def _overview(state: State, seconds: float) -> dict[str, Any]:
    info = dict(state.embedder.info())
    participants = {(s.transcript_id, s.speaker) for s in state.sentences if not s.is_interviewer}
    return {
        "n_transcripts": len(state.corpus), "n_sentences": len(state.sentences),
        "n_participant_sentences": int(state.participant.sum()), "n_participants": len(participants),
        "n_analysed": int(state.model.n_analysed_), "model": info.get("name"),
        "model_hash": info.get("model_hash") or info.get("sha256"), "seconds": seconds,
        "model_parts": [{"name": p.get("name"), "model_hash": p.get("model_hash")} for p in info.get("parts", ())],
        "created": time.strftime("%Y-%m-%d %H:%M"), "pseudonymised": state.pseudonymiser is not None,
    }  # fmt: skip


def _theme_map(state: State) -> tuple[Any, Any]:
    import pandas as pd

    from nlpthemes.jobs._tables import theme_map

    model = state.model
    rows, xy, centres = theme_map(state.vectors, model.labels_, model.excluded_ == "", model.centroids_, seed=state.seed)
    points = pd.DataFrame({
        "x": xy[:, 0].round(4), "y": xy[:, 1].round(4), "theme": model.labels_[rows].astype(int),
        "label": [state.labels.get(int(t), "outliers") for t in model.labels_[rows]],
        "text": [state._text(state.sentences[i].text) for i in rows],
    })  # fmt: skip
    themes = model.themes_
    centre_table = pd.DataFrame({
        "x": centres[:, 0].round(4), "y": centres[:, 1].round(4), "theme": [t.id for t in themes],
        "label": [state.labels.get(t.id, "") for t in themes], "size": [t.size for t in themes],
    })  # fmt: skip
    return points, centre_table


def _methods(state: State) -> dict[str, Any]:
    from nlpthemes.manifest import package_versions

    model = state.model
    out: dict[str, Any] = {
        "version": package_versions(["nlpthemes"]).get("nlpthemes"), "plan": dict(model.plan_),
        "min_words": model.min_words, "n_themes": len(model.themes_), "outlier_share": model.outlier_share_,
        "language": model.language, "seed": state.seed,
    }  # fmt: skip
    if state.book is not None:
        out["n_codes"] = len(state.book)
    if state.matcher is not None:
        out["match_quantile"] = state.matcher.quantile
        out["match_threshold"] = state.matcher.threshold_
    if state.machine is not None:
        modes = {f["mode"] for f in state.machine.folds}
        out["suggest_mode"] = "learned" if "learned" in modes else "zero-shot"
        out["suggest_folds"] = [{k: f.get(k) for k in ("stage", "passage", "thresholds")} for f in state.machine.folds]
    return out


def report_data(state: State, *, seconds: float, sample: bool) -> Any:
    """The :class:`~nlpthemes.report.ReportData` of a finished run."""
    from nlpthemes.report import ReportData
    from nlpthemes.themes import theme_distribution

    points, centres = _theme_map(state)
    table = state.result.sentences
    groups = None
    if len(table) and state.group_column in table.columns:
        groups = theme_distribution(table, by=[state.group_column], labels=state.labels)
    title = "nlpthemes report: PDPilot sample" if sample else "nlpthemes report"
    matches = state.match_tables or {}
    return ReportData(
        title=title, overview=_overview(state, seconds), themes=state.result.themes, quotes=state.result.quotes,
        theme_points=points, theme_centres=centres, theme_groups=groups, group_column=state.group_column,
        matches=matches.get("matches"), uncovered=matches.get("uncovered"), unsupported=matches.get("unsupported"),
        code_frequencies=state.frequencies, cooccurrence=state.cooccurrence, comparison=state.comparison,
        compared=state.compared, comparison_note=state.comparison_note, agreement=state.agreement,
        per_code=state.per_code,
        disagreements=None if state.disagreements is None else state.disagreements,
        methods=_methods(state), notes=list(state.warnings),
    )  # fmt: skip


def manifest(state: State, *, parameters: Mapping[str, Any], inputs: Iterable[str | Path], seconds: float) -> Any:
    """``manifest.json``: versions, model, parameters, input hashes, timings, outputs."""
    from nlpthemes.manifest import build_manifest

    outputs: dict[str, Any] = dict(state.files)
    outputs.update({
        "n_transcripts": len(state.corpus), "n_sentences": len(state.sentences),
        "theme_method": state.model.plan_, "n_themes": len(state.model.themes_),
        "read_errors": [{"path": p, "error": e} for p, e in state.corpus.errors], "warnings": state.warnings,
    })  # fmt: skip
    if state.machine is not None:
        outputs["machine_coder"] = state.machine.folds
    return build_manifest("analyze", parameters=parameters, inputs=inputs, timings={**state.timings, "total": seconds},
                          model=state.embedder.info(), outputs=outputs, seed=state.seed,
                          reading=state.result.segmented.reading)  # fmt: skip


def _mean(values: Iterable[Any]) -> float | None:
    found = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(found)) if found else None


def summary(state: State, seconds: float) -> dict[str, Any]:
    """The few numbers the CLI prints at the end."""
    out: dict[str, Any] = {
        "out_dir": str(state.out), "seconds": round(seconds, 1), "n_transcripts": len(state.corpus),
        "n_sentences": len(state.sentences), "n_themes": len(state.model.themes_),
    }  # fmt: skip
    if state.match_tables is not None:
        out["n_matched"] = len(state.match_tables["matches"])
        out["n_uncovered"] = len(state.match_tables["uncovered"])
        out["n_unsupported"] = len(state.match_tables["unsupported"])
    if state.machine is not None:
        out["n_applied"] = int(state.machine.applied[state.participant].sum())
    if state.per_code is not None and len(state.per_code):
        for kind in ("human-human", "human-machine"):
            part = state.per_code[state.per_code["kind"] == kind]
            if len(part):
                out[f"{kind}_alpha"] = _mean(part["krippendorff_alpha"])
                out[f"{kind}_kappa"] = _mean(part["cohen_kappa"])
                out[f"{kind}_codes"] = int(part["code"].nunique())
    return out

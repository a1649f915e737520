"""The ``analyze`` job: transcripts + codebook (+ human codings) -> every table, report.html, results.xlsx.

It only wires steps together: segment and embed and themes
(:func:`nlpthemes.jobs.run_themes`), match (:class:`nlpthemes.match.CodebookMatcher`),
suggest (:class:`nlpthemes.suggest.CodeSuggester`, cross-fitted by transcript
in :mod:`nlpthemes.jobs._crossfit`), agree (:mod:`nlpthemes.agreement`), then
the tables of :mod:`nlpthemes.compare` and the report (:mod:`nlpthemes.report`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions
from nlpthemes.io._atomic import atomic_text
from nlpthemes.jobs._common import PseudonymOptions, json_ready, make_pseudonymiser

__all__ = ["AnalyzeResult", "run_analyze", "sample_inputs"]

MACHINE = "machine"
_SAMPLE_INTERVIEWER = "Dan"


@dataclass
class AnalyzeResult:
    """What an analyze run produced: the output folder, its files, a summary, warnings and notes on reading."""

    out_dir: Path
    files: dict[str, str]
    summary: dict[str, Any]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sample_inputs() -> tuple[Path, Path, Path]:
    """The shipped sample (``data/pdpilot``): transcripts folder, codebook, codings.

    Raises
    ------
    InputError
        When this copy of nlpthemes has no sample (it ships with the source
        repository, not in the wheel).
    """
    import nlpthemes

    root = Path(nlpthemes.__file__).resolve().parents[1] / "data" / "pdpilot"
    paths = (root / "transcripts", root / "codebook.csv", root / "codings.csv")
    if not all(p.exists() for p in paths):
        raise InputError(root, "the sample data (data/pdpilot) is not here: it ships with the source repository "
                               "(pip install -e .); otherwise give transcripts and --codebook")  # fmt: skip
    return paths


def run_analyze(
    paths: Sequence[str | Path] = (),
    out_dir: str | Path = "out",
    *,
    codebook: str | Path | None = None,
    codings: Sequence[str | Path] = (),
    attributes: str | Path | None = None,
    model: str | None = None,
    device: str | None = None,
    options: ReadOptions = ReadOptions(),
    pseudonymise: bool = True,
    names_file: str | Path | None = None,
    key_file: str | Path | None = None,
    seed: int = 42,
    folds: int = 3,
    top_k: int = 3,
    judge: Any = None,
    min_coverage: float = 0.5,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    group_by: str | None = None,
    compare: Sequence[str] | None = None,
    n_themes: int | str = "auto",
    min_theme_size: int | str = "auto",
    embed_plotly: bool = True,
    quiet: bool = True,
    step: Callable[[str], None] | None = None,
) -> AnalyzeResult:
    """Run the whole analysis and write every table, ``report.html``, ``results.xlsx`` and ``manifest.json``.

    With no ``paths``, no ``codebook`` and no ``codings`` it runs on the
    shipped sample (``data/pdpilot``: seven interviews, their code system and
    the authors' coded segments, interviewer "Dan").

    Parameters
    ----------
    paths : sequence of paths
        Transcript files and folders.
    out_dir : path
        Output folder (created).
    codebook : path, optional
        Codebook (CSV, XLSX, YAML, QDC, or a table in DOCX); without it there is no matching,
        no suggestion and no agreement.
    codings : sequence of paths
        Human codings (``transcript,start,end,code,coder`` or ``transcript,text,code,coder``).
    attributes : path, optional
        Participant attributes (groups for the heatmaps and the comparison).
    model, device
        Embedding model and device (see :func:`nlpthemes.embed.load_embedder`).
    options : ReadOptions
        Reading options (interviewers, language, columns...).
    pseudonymise : bool
        Replace speaker names (and ``names_file``'s names) by pseudonyms in every output.
    names_file, key_file : path, optional
        More names to replace; the pseudonym key (default ``out_dir/pseudonym_key.csv``).
    seed : int
        Seed of every random step.
    folds : int
        Folds by transcript for the cross-fitted machine coder (at least 2).
    top_k : int
        Candidate codes listed per sentence in ``suggestions.csv``.
    judge : JudgeOptions, optional
        The machine coder's judge (default: the feature judge; see
        :func:`nlpthemes.suggest.make_suggester`).
    min_coverage : float
        Share of a sentence a human span must cover to code it.
    n_resamples, confidence_level
        Bootstrap intervals of agreement (0 resamples: none).
    group_by : str, optional
        Participant attribute that groups participants (default: the first
        with two or more values, else the transcript).
    compare : pair of str, optional
        The two groups to compare (default: the two largest).
    n_themes, min_theme_size
        As for :class:`nlpthemes.themes.ThemeModel`.
    embed_plotly : bool
        Embed plotly.js in the report (``False`` only for quick tests).
    quiet : bool
        No progress bars.
    step : callable, optional
        Called with the name of each step as it starts.
    """
    from nlpthemes.jobs import _finish, _outputs
    from nlpthemes.suggest import JudgeOptions

    started = time.perf_counter()
    judge = (judge or JudgeOptions()).validate()

    def announce(name: str) -> None:
        if step is not None:
            step(name)

    sample = not paths and codebook is None and not codings
    if not paths:
        if not sample:
            raise InputError(None, "give the transcripts (PATH...) with --codebook/--codings, or nothing to run the sample")
        folder, codebook, sample_codings = sample_inputs()
        paths, codings = [folder], [sample_codings]
        if _SAMPLE_INTERVIEWER not in options.interviewers:
            options = replace(options, interviewers=(*options.interviewers, _SAMPLE_INTERVIEWER))
    if codings and codebook is None:
        raise InputError(None, "codings need the codebook they use (--codebook)")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise InputError(None, f"folds must be an integer of at least 2, got {folds!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pseudonyms = PseudonymOptions(
        enabled=pseudonymise or names_file is not None,
        names_file=None if names_file is None else Path(names_file),
        key_file=Path(key_file) if key_file is not None else out / "pseudonym_key.csv",
    )
    for path in [*codings, *([attributes] if attributes is not None else [])]:
        if not Path(path).is_file():
            raise InputError(path, "no such file")
    state = _outputs.State(out=out, seed=seed, quiet=quiet, announce=announce)
    if codebook is not None:
        state.read_codebook(codebook)  # before the long steps: a bad codebook fails at once
    state.themes(paths, model=model, device=device, options=options, attributes=attributes, pseudonyms=pseudonyms,
                 n_themes=n_themes, min_theme_size=min_theme_size)  # fmt: skip
    state.pseudonymiser = make_pseudonymiser(state.corpus, pseudonyms)
    state.groups(group_by, compare)
    if codebook is not None:
        state.read_codings(codings)
        state.match()
        state.suggest(folds=folds, top_k=top_k, judge=judge)
        if state.human is not None and len(state.human):
            state.agree(min_coverage=min_coverage, n_resamples=n_resamples, confidence_level=confidence_level)
        state.code_tables()
    elif codings:
        state.warnings.append("codings given without a codebook were not used")
    state.group_tables()
    announce("writing the report")
    seconds = time.perf_counter() - started
    report = _finish.report_data(state, seconds=seconds, sample=sample)
    from nlpthemes.report import write_report, write_workbook

    write_report(report, out / "report.html", embed_plotly=embed_plotly)
    state.files["report"] = "report.html"
    write_workbook(state.sheets, out / "results.xlsx")
    state.files["workbook"] = "results.xlsx"
    from nlpthemes.report import methods_text

    with atomic_text(out / "methods.md") as handle:
        handle.write(methods_text(report.methods, report.overview, report.agreement) + "\n")
    state.files["methods"] = "methods.md"
    seconds = time.perf_counter() - started
    manifest = _finish.manifest(
        state,
        parameters={
            "paths": [str(p) for p in paths], "codebook": None if codebook is None else str(codebook),
            "codings": [str(c) for c in codings], "attributes": None if attributes is None else str(attributes),
            "model": model, "device": device, "interviewers": list(options.interviewers),
            "language": options.language, "read_options": options.record(), "pseudonymise": pseudonyms.enabled, "folds": folds, "top_k": top_k,
            "judge": judge.judge, "judge_model": judge.model, "judge_url": judge.url, "min_coverage": min_coverage, "n_resamples": n_resamples, "confidence_level": confidence_level,
            "group_by": state.group_column, "compare": list(state.compared) if state.compared else None,
            "n_themes": n_themes, "min_theme_size": min_theme_size, "sample": sample,
        },  # fmt: skip
        inputs=[*(t.source for t in state.corpus.transcripts if t.source),
                *([codebook] if codebook is not None else []), *codings,
                *([attributes] if attributes is not None else [])],  # fmt: skip
        seconds=seconds,
    )
    with atomic_text(out / "manifest.json") as handle:
        json.dump(json_ready(manifest), handle, indent=2, ensure_ascii=False, default=str, allow_nan=False)
        handle.write("\n")
    return AnalyzeResult(out_dir=out, files=dict(state.files), summary=_finish.summary(state, seconds), seconds=seconds,
                         warnings=list(state.warnings), notes=list(state.notes))  # fmt: skip

"""``nlpthemes fit``: fit themes and code suggestions on a first wave and save the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli import _judge as j
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note


def _auto_int(value: str, option: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise fail(f"{option} must be 'auto' or an integer; got {value!r}", EXIT_USAGE_ERROR) from None


def fit(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, YAML, XLSX or .qdc.")],
    save: Annotated[Path, typer.Option("--save", "-s", help="The pipeline folder to write.")],
    codings: Annotated[
        list[Path] | None,
        typer.Option("--codings", help="Human codings to learn from (repeatable)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Embedding model: registry name (e.g. onnx-int8, static) or folder."),
    ] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda, ... (default: auto).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the embedding cache.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
    n_themes: Annotated[str, typer.Option("--themes", help="Number of themes, or 'auto'.")] = "auto",
    min_theme_size: Annotated[
        str, typer.Option("--min-theme-size", help="Smallest theme in sentences, or 'auto'.")
    ] = "auto",
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Candidate codes per sentence.")] = 3,
    novelty_quantile: Annotated[
        float, typer.Option("--novelty-quantile", help="Share of the fit set that counts as far from every code.")
    ] = 0.1,
    include_interviewers: Annotated[
        bool, typer.Option("--include-interviewers", help="Analyse interviewer sentences too.")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing pipeline folder.")] = False,
    interviewer: r.Interviewer = None,
    no_guess_interviewers: r.NoGuess = False,
    attributes: r.Attributes = None,
    language: r.Language = "auto",
    encoding: r.Encoding = None,
    id_column: r.IdColumn = None,
    text_column: r.TextColumn = None,
    speaker_column: r.SpeakerColumn = None,
    layout: r.Layout = "auto",
    judge: j.Judge = "features",
    judge_model: j.JudgeModel = None,
    judge_url: j.JudgeUrl = None,
    quiet: r.Quiet = False,
) -> None:
    """Fit themes and code suggestions and save them as a pipeline for `nlpthemes batch`."""
    from nlpthemes.jobs.pipeline import fit_pipeline
    from nlpthemes.pipeline import PipelineConfig

    config = PipelineConfig(
        model=model, n_themes=_auto_int(n_themes, "--themes"),
        min_theme_size=_auto_int(min_theme_size, "--min-theme-size"),
        include_interviewers=include_interviewers, top_k=top_k, novelty_quantile=novelty_quantile, seed=seed,
        **j.judge_options(judge, judge_model, judge_url).as_config(),
    )  # fmt: skip
    result = fit_pipeline(
        paths, codebook, save, codings=codings or (), config=config, device=device, cache=not no_cache,
        options=r.reading_options(interviewer, no_guess_interviewers, language, encoding,
                                  id_column, text_column, speaker_column, layout=layout),
        attributes=attributes, overwrite=overwrite, quiet=quiet,
    )  # fmt: skip
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)
    p = result.pipeline
    note(f"pipeline {p.pipeline_id[:12]}: {len(p.theme_model.themes_)} themes, {len(p.suggester.codes_)} codes "
         f"({p.suggester.mode_}), from {result.n_sentences:,} sentences in {result.n_transcripts} transcripts; "
         f"model {p.embedder.name} -> {result.folder}  [{result.seconds:.1f} s]", quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("fit")(friendly_errors(fit))

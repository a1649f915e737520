"""``nlpthemes fit``: fit themes and code suggestions on a first wave and save the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _judge as j
from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.suggest import JudgeOptions


@o.with_options(j.JUDGE_PIPELINE, r.READING)
def fit(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")],
    save: Annotated[Path, typer.Option("--save", "-s", help="The pipeline folder to write.")],
    codings: Annotated[
        list[Path] | None,
        typer.Option("--codings", help="Human codings to learn from (repeatable)."),
    ] = None,
    model: o.Model = None,
    device: o.Device = None,
    no_cache: o.NoCache = False,
    seed: o.Seed = 42,
    n_themes: o.NThemes = "auto",
    min_theme_size: o.MinThemeSize = "auto",
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Candidate codes per sentence.")] = 3,
    novelty_quantile: Annotated[
        float, typer.Option("--novelty-quantile", help="Share of the fit set that counts as far from every code.")
    ] = 0.1,
    include_interviewers: Annotated[
        bool, typer.Option("--include-interviewers", help="Analyse interviewer sentences too.")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing pipeline folder.")] = False,
    *,
    judging: JudgeOptions,
    attributes: Path | None,
    options: ReadOptions,
    quiet: r.Quiet = False,
) -> None:
    """Fit themes and code suggestions and save them as a pipeline for `nlpthemes batch`."""
    from nlpthemes.jobs.pipeline import fit_pipeline
    from nlpthemes.pipeline import PipelineConfig

    config = PipelineConfig(
        model=model, n_themes=o.auto_int(n_themes, "--themes"),
        min_theme_size=o.auto_int(min_theme_size, "--min-theme-size"),
        include_interviewers=include_interviewers, top_k=top_k, novelty_quantile=novelty_quantile, seed=seed,
        judge=judging.judge, judge_model=judging.model, judge_url=judging.url,
    )  # fmt: skip
    result = fit_pipeline(
        paths, codebook, save, codings=codings or (), config=config, device=device, cache=not no_cache,
        options=options, attributes=attributes, overwrite=overwrite, quiet=quiet,
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

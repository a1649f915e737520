"""``nlpthemes suggest``: code suggestions for every sentence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions


@o.with_options(r.READING)
def suggest(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, YAML, XLSX or .qdc.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The suggestions CSV to write.")],
    codings: Annotated[
        list[Path] | None,
        typer.Option("--codings", help="Human codings to learn from (repeatable): "
                     "transcript,start,end,code,coder or transcript,text,code,coder."),
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Candidate codes per sentence.")] = 3,
    model: o.Model = None,
    include_interviewers: Annotated[
        bool, typer.Option("--include-interviewers", help="Also suggest codes for interviewer turns.")
    ] = False,
    *,
    attributes: Path | None,
    options: ReadOptions,
    quiet: r.Quiet = False,
) -> None:
    """Suggest codes for each sentence (zero-shot, or learned from --codings)."""
    from nlpthemes.jobs.suggest import run_suggest

    if top_k < 1:
        raise fail(f"--top-k must be at least 1, got {top_k}", EXIT_USAGE_ERROR)
    result = run_suggest(
        paths, codebook, out, codings=codings or (), top_k=top_k, model=model,
        options=options, attributes=attributes, include_interviewers=include_interviewers, quiet=quiet,
    )  # fmt: skip
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)
    suggester = result.model
    applied = sum(row["applied"] for row in result.rows)
    how = (
        f"learned from {suggester.n_training_} coded sentences (threshold {suggester.threshold_:.2f})"
        if suggester.mode_ == "learned" else "zero-shot from the codebook (scores are similarity ranks, not probabilities)"
    )  # fmt: skip
    note(f"{len(result.sentences)} sentences, {len(suggester.codes_)} codes, {applied} codes applied; "
         f"{how} -> {out}  [{result.seconds:.1f} s]", quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("suggest")(friendly_errors(suggest))

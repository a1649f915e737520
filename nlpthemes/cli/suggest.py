"""``nlpthemes suggest``: code suggestions for every sentence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _judge as j
from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.suggest import JudgeOptions


@o.with_options(j.JUDGE, r.READING)
def suggest(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")],
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
    judging: JudgeOptions,
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
        options=options, attributes=attributes, include_interviewers=include_interviewers, quiet=quiet, judge=judging,
    )  # fmt: skip
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)
    suggester = result.model
    applied = sum(row["applied"] for row in result.rows)
    how = _how(suggester)
    note(f"{len(result.sentences)} sentences, {len(suggester.codes_)} codes, {applied} codes applied; "
         f"{how} -> {out}  [{result.seconds:.1f} s]", quiet=quiet)  # fmt: skip


def _how(suggester: object) -> str:
    """One phrase saying how the suggestions were made."""
    stage = getattr(suggester, "stage_", "retriever")
    n = getattr(suggester, "n_training_", 0)
    if stage == "judge":
        return (f"learned from {n} coded sentences: {getattr(suggester, 'judge', 'features')} judge on "
                f"{getattr(suggester, 'n_candidates_', '?')} candidates per sentence")
    if stage == "zero-shot judge":
        return f"zero-shot: {getattr(suggester, 'judge', '')} judge on the codebook's best candidates"
    if getattr(suggester, "mode_", "") == "learned":
        width, weight = getattr(suggester, "passage_", (0, 0.0))
        passage = f", its probabilities following the passage (±{width} sentences)" if weight else ""
        return (f"learned from {n} coded sentences by the retriever{passage}: with codes from one transcript, "
                "the judge takes over only where a check on parts of it shows that it codes better")
    return "zero-shot from the codebook (scores are similarity ranks, not probabilities)"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("suggest")(friendly_errors(suggest))

"""``nlpthemes match``: candidate themes matched to the human codebook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import friendly_errors, note


def match(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, YAML, XLSX or .qdc.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="Embedding model name or folder.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
    interviewer: r.Interviewer = None,
    no_guess_interviewers: r.NoGuess = False,
    attributes: r.Attributes = None,
    language: r.Language = "auto",
    encoding: r.Encoding = None,
    id_column: r.IdColumn = None,
    text_column: r.TextColumn = None,
    speaker_column: r.SpeakerColumn = None,
    layout: r.Layout = "auto",
    pseudonymise: r.Pseudonymise = False,
    names: r.Names = None,
    key: r.Key = None,
    quiet: r.Quiet = False,
) -> None:
    """Find candidate themes and match them to the codebook: matches, uncovered themes, unsupported codes."""
    from nlpthemes.jobs.match import run_match

    state = run_match(
        paths, codebook, out, model=model, seed=seed,
        options=r.reading_options(interviewer, no_guess_interviewers, language, encoding,
                                  id_column, text_column, speaker_column, layout=layout),
        attributes=attributes, pseudonyms=r.pseudonym_options(pseudonymise, names, key, out), quiet=quiet,
    )  # fmt: skip
    r.report_reading(state.result.segmented.reading, quiet, files=False)
    tables = state.match_tables
    note(f"{len(state.model.themes_)} themes: {len(tables['matches'])} matched to a code, "
         f"{len(tables['uncovered'])} uncovered (candidate new codes), {len(tables['unsupported'])} codes "
         f"unsupported (bar {state.matcher.threshold_:.3f}) -> {out}", quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("match")(friendly_errors(match))

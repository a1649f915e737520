"""``nlpthemes embed``: transcripts -> sentences.csv + embeddings.npy + manifest.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import fail, friendly_errors, note


def embed(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model name from the registry or a local model folder."),
    ] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda, ... (default: auto).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the embedding cache.")] = False,
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
    """Embed every sentence with a local sentence-transformers model (no network)."""
    from nlpthemes.jobs import run_embed

    result = run_embed(
        paths,
        out,
        model=model,
        device=device,
        cache=not no_cache,
        options=r.reading_options(
            interviewer, no_guess_interviewers, language, encoding, id_column, text_column,
            speaker_column, layout=layout,
        ),
        attributes=attributes,
        pseudonyms=r.pseudonym_options(pseudonymise, names, key, out),
        quiet=quiet,
    )  # fmt: skip
    r.report_read_errors(result.segmented.corpus.errors, quiet)
    r.report_reading(result.segmented.reading, quiet, files=False)
    note(
        f"{result.vectors.shape[0]} sentences embedded with {result.model.get('name')} "
        f"(dimension {result.vectors.shape[1]}) -> {out}  [{result.seconds:.1f} s]",
        quiet=quiet,
    )
    if result.segmented.corpus.explicit_errors:
        raise fail(f"{len(result.segmented.corpus.explicit_errors)} named file(s) could not be read")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("embed")(friendly_errors(embed))

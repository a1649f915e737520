"""``nlpthemes segment``: transcripts -> sentences.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import fail, friendly_errors, note


def segment(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="The sentences CSV to write.")],
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
    """Split transcripts into sentences with speakers and exact character offsets."""
    from nlpthemes.jobs import run_segment

    result = run_segment(
        paths,
        out,
        options=r.reading_options(
            interviewer, no_guess_interviewers, language, encoding, id_column, text_column,
            speaker_column, layout=layout,
        ),
        attributes=attributes,
        pseudonyms=r.pseudonym_options(pseudonymise, names, key, out),
        quiet=quiet,
    )  # fmt: skip
    r.report_read_errors(result.corpus.errors, quiet)
    r.report_reading(result.reading, quiet)
    n_speakers = len({(s.transcript_id, s.speaker) for s in result.sentences if s.speaker})
    note(
        f"{len(result.sentences)} sentences from {len(result.corpus)} transcripts "
        f"({n_speakers} speakers) -> {out}  [{result.seconds:.1f} s]",
        quiet=quiet,
    )
    if result.corpus.explicit_errors:
        raise fail(f"{len(result.corpus.explicit_errors)} named file(s) could not be read")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("segment")(friendly_errors(segment))

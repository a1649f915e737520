"""``nlpthemes segment``: transcripts -> sentences.csv."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import fail, friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.jobs._common import PseudonymOptions


@o.with_options(r.READING, r.PSEUDONYMS)
def segment(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="The sentences CSV to write.")],
    *,
    attributes: Path | None,
    options: ReadOptions,
    pseudonyms: PseudonymOptions,
    quiet: r.Quiet = False,
) -> None:
    """Split transcripts into sentences with speakers and exact character offsets."""
    from nlpthemes.jobs import run_segment

    result = run_segment(paths, out, options=options, attributes=attributes, pseudonyms=pseudonyms, quiet=quiet)
    r.report_read_errors(result.corpus.errors, quiet)
    r.report_reading(result.reading, quiet)
    from nlpthemes.jobs._tables import participant_key

    n_speakers = len({participant_key(s) for s in result.sentences if s.speaker})
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

"""``nlpthemes embed``: transcripts -> sentences.csv + embeddings.npy + manifest.json."""

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
def embed(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: o.Model = None,
    device: o.Device = None,
    no_cache: o.NoCache = False,
    *,
    attributes: Path | None,
    options: ReadOptions,
    pseudonyms: PseudonymOptions,
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
        options=options,
        attributes=attributes,
        pseudonyms=pseudonyms,
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

"""``nlpthemes match``: candidate themes matched to the human codebook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.jobs._common import PseudonymOptions


@o.with_options(r.READING, r.PSEUDONYMS)
def match(
    paths: r.Paths,
    codebook: Annotated[Path, typer.Option("--codebook", "-c", help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: o.Model = None,
    seed: o.Seed = 42,
    *,
    attributes: Path | None,
    options: ReadOptions,
    pseudonyms: PseudonymOptions,
    quiet: r.Quiet = False,
) -> None:
    """Find candidate themes and match them to the codebook: matches, uncovered themes, unsupported codes."""
    from nlpthemes.jobs.match import run_match

    state = run_match(
        paths, codebook, out, model=model, seed=seed,
        options=options, attributes=attributes, pseudonyms=pseudonyms, quiet=quiet,
    )  # fmt: skip
    r.report_reading(state.result.segmented.reading, quiet, files=False)
    for line in state.book.notes:
        note(line, quiet=quiet)
    tables = state.match_tables
    note(f"{len(state.model.themes_)} themes: {len(tables['matches'])} matched to a code, "
         f"{len(tables['uncovered'])} uncovered (candidate new codes), {len(tables['unsupported'])} codes "
         f"unsupported (bar {state.matcher.threshold_:.3f}) -> {out}", quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("match")(friendly_errors(match))

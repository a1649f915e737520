"""``nlpthemes codebook FILE``: how a codebook was read, and the same codebook in another format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli._common import friendly_errors, note

_SHOWN = 70  # characters of a definition shown in the tree


@friendly_errors
def codebook_command(
    path: Annotated[Path, typer.Argument(help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Also write it as .csv, .xlsx, .yaml or .qdc (for NVivo, ATLAS.ti, MAXQDA, QualCoder).",
    )] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but problems.")] = False,
) -> None:
    """Show how a codebook is read (tree, definitions, what was not read); convert it with --out."""
    from nlpthemes.io.codebook_files import read_codebook, write_codebook

    book = read_codebook(path)
    if out is not None and out.resolve() == path.resolve():
        raise typer.BadParameter("--out is the codebook itself: name another file", param_hint="--out")
    for line in book.notes:
        typer.echo(f"note: {line}", err=True)
    if not quiet:
        for code in book.walk():
            depth = len(book.ancestors(code))
            about = " ".join(code.description.split())
            about = about if len(about) <= _SHOWN else about[: _SHOWN - 1] + "…"
            n = len(code.examples)
            extras = [f"{n} example{'s' if n > 1 else ''}"] if n else []
            extras += ["criteria"] if code.inclusion or code.exclusion else []
            extras += ["not codable"] if not code.codable else []
            tail = f"  [{', '.join(extras)}]" if extras else ""
            typer.echo(f"{'  ' * depth}{code.name}{': ' + about if about else ''}{tail}")
    codable = sum(c.codable for c in book)
    defined = sum(bool(c.description) for c in book if c.codable)
    if out is not None:
        write_codebook(book, out)
    note(f"{path}: {len(book)} codes ({codable} codable, {defined} with a definition), depth {book.max_depth()}"
         + (f" -> {out}" if out is not None else ""), quiet=quiet)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``codebook`` command to ``app``."""
    app.command("codebook")(codebook_command)

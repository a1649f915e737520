"""``nlpthemes import`` and ``nlpthemes export``: REFI-QDA projects in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

__all__ = ["register"]

_UNITS = ("codepoint", "utf16")


def _unit(value: str | None) -> None:
    if value is not None and value not in _UNITS:
        raise fail(f"--offset-unit must be one of {', '.join(_UNITS)}, not {value!r}",
                   EXIT_USAGE_ERROR)


@friendly_errors
def import_command(
    project: Annotated[Path, typer.Argument(help="The REFI-QDA project (.qdpx) to read.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    offset_unit: Annotated[str, typer.Option(
        help="How the project counts characters: codepoint (the standard) or utf16.")
    ] = "codepoint",
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an earlier import in the --out folder.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Import a .qdpx project: transcripts, codebook.csv, codings.csv (one coder per user)."""
    from nlpthemes.io.refi import import_project

    _unit(offset_unit)
    result = import_project(project, out, offset_unit=offset_unit,  # type: ignore[arg-type]
                            overwrite=force)
    for problem in result.problems:
        note(f"warning: {problem}")
    note(f"{project}: {result.users} users, {result.codes} codes, {result.transcripts} "
         f"transcripts, {result.selections} selections, {result.codings} codings -> {out}",
         quiet=quiet)


@friendly_errors
def export_command(
    folder: Annotated[Path, typer.Argument(help="Folder of transcripts, codebook and codings.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdpx project to write.")],
    original: Annotated[Path | None, typer.Option(
        "--from", help="The original .qdpx: carried over untouched, our coder added.")] = None,
    model: Annotated[str | None, typer.Option(
        help="Model name for the machine coder (default: from manifest.json).")] = None,
    offset_unit: Annotated[str | None, typer.Option(
        help="codepoint or utf16 (default: as recorded at import).")] = None,
    transcripts: Annotated[Path | None, typer.Option(
        "--transcripts", "-t", help="Folder of the .txt transcripts, when not FOLDER/transcripts.")] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="The codebook, when not FOLDER/codebook.csv.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Export a folder as a .qdpx project, with applied suggestions as one more coder.

    Codes from ``nlpthemes review`` go in as their coder, and the suggestions each
    review left undecided as the machine user. An ``analyze`` output folder brings
    the transcripts, codebook and human codes that analysis read, read as it read them.
    """
    from nlpthemes.io.refi import export_project
    from nlpthemes.jobs.export import export_analysis, is_analysis_folder

    _unit(offset_unit)
    if transcripts is None and is_analysis_folder(folder):  # its inputs, as the analysis read them
        result = export_analysis(folder, out, codebook=codebook, original=original, model=model,
                                 offset_unit=offset_unit)  # fmt: skip
    else:
        result = export_project(folder, out, original=original, model=model,
                                offset_unit=offset_unit,  # type: ignore[arg-type]
                                transcripts=transcripts, codebook=codebook)
    for problem in result.problems:
        note(f"warning: {problem}")
    note(f"{out}: {result.users} users, {result.codes} codes, {result.sources} sources, "
         f"{result.selections} selections ({result.suggestions} suggested), "
         f"{result.codings} codings", quiet=quiet)


def register(app: typer.Typer) -> None:
    """Add the ``import`` and ``export`` commands to ``app``."""
    app.command("import")(import_command)
    app.command("export")(export_command)

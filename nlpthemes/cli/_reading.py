"""CLI options shared by every command that reads transcripts.

:data:`READING` and :data:`PSEUDONYMS` are option groups
(:class:`~nlpthemes.cli._options.OptionGroup`): a command takes
``attributes`` + ``options`` (a ``ReadOptions``) and ``pseudonyms`` (a
``PseudonymOptions``) through ``@with_options(READING, PSEUDONYMS)``, and
typer shows the options below in their place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from nlpthemes.cli._options import OptionGroup
from nlpthemes.io.layouts import LAYOUT_NAMES

__all__ = ["PSEUDONYMS", "READING", "pseudonym_options", "reading_options", "report_read_errors", "report_reading"]

Paths = Annotated[list[Path], typer.Argument(help="Transcript files or folders.", show_default=False)]
Interviewer = Annotated[
    list[str] | None,
    typer.Option("--interviewer", "-i", help="A speaker label that is an interviewer (repeatable)."),
]
NoGuess = Annotated[
    bool,
    typer.Option("--no-guess-interviewers", help="Do not guess the interviewer from who asks the questions."),
]
Attributes = Annotated[
    Path | None,
    typer.Option("--attributes", "-a", help="Participant attributes: CSV/XLSX with a speaker column, or YAML."),
]
Language = Annotated[str, typer.Option("--language", help="Language code for sentence splitting, or 'auto'.")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Force the text encoding (default: detect).")]
IdColumn = Annotated[str | None, typer.Option("--id-column", help="CSV/XLSX: the id column.")]
TextColumn = Annotated[
    list[str] | None,
    typer.Option("--text-column", help="CSV/XLSX: the text column; for a survey, a question column (repeatable)."),
]
SpeakerColumn = Annotated[
    str | None, typer.Option("--speaker-column", help="CSV/XLSX: a speaker column (rows are turns).")
]
Pseudonymise = Annotated[
    bool,
    typer.Option("--pseudonymise/--no-pseudonymise", help="Replace speaker names with P01, P02... in outputs."),
]
Names = Annotated[
    Path | None,
    typer.Option("--names", help="A text file of more names to replace (one per line); implies --pseudonymise."),
]
Key = Annotated[
    Path | None,
    typer.Option("--key", help="Pseudonym key file (read if it exists, then updated). Keep it apart."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summaries.")]


def _layout_name(value: str) -> str:
    if value != "auto" and value not in LAYOUT_NAMES:
        raise typer.BadParameter(f"{value!r} is not a layout; choose auto or one of: {', '.join(LAYOUT_NAMES)}")
    return value


Layout = Annotated[
    str,
    typer.Option(
        "--layout", callback=_layout_name, metavar="NAME",
        help=f"How turns are written in .txt/.md/.docx/.html files: auto (detect per file, the default) "
        f"or one of {', '.join(LAYOUT_NAMES)} (see the README's reading table).",
    ),
]  # fmt: skip


def reading_options(
    interviewer: list[str] | None,
    no_guess: bool,
    language: str,
    encoding: str | None,
    id_column: str | None,
    text_column: list[str] | str | None,
    speaker_column: str | None,
    layout: str = "auto",
) -> Any:
    """Build the library's ReadOptions from CLI values."""
    from nlpthemes.io import ReadOptions

    return ReadOptions(
        layout=layout,
        interviewers=tuple(interviewer or ()),
        guess_interviewers=not no_guess,
        language=language,
        encoding=encoding,
        id_column=id_column,
        text_column=(text_column,) if isinstance(text_column, str) else tuple(text_column or ()) or None,
        speaker_column=speaker_column,
    )


def pseudonym_options(pseudonymise: bool, names: Path | None, key: Path | None, out: Path) -> Any:
    """Build PseudonymOptions; the key defaults to ``pseudonym_key.csv`` beside the output."""
    from nlpthemes.jobs._common import PseudonymOptions

    enabled = pseudonymise or names is not None
    if enabled and key is None:
        folder = out if out.suffix == "" else out.parent
        key = folder / "pseudonym_key.csv"
    return PseudonymOptions(enabled=enabled, names_file=names, key_file=key)


def report_read_errors(errors: list[tuple[str, str]], quiet: bool) -> None:
    """Print one warning line per file that could not be read."""
    for _, message in errors:
        typer.echo(f"warning: skipped {message}", err=True)


def report_reading(reading: list[dict[str, Any]], quiet: bool, *, files: bool = True) -> None:
    """Print how each file was read (unless quiet; ``files=False``: only the columns of survey tables) and a
    warning line per file that looks misread."""
    from nlpthemes.jobs._reading import column_lines, reading_lines, reading_warnings

    if not quiet:  # without the files: which columns of a survey table were read
        for line in reading_lines(reading) if files else column_lines(reading):
            typer.echo(f"  {line}", err=True)
    for message in reading_warnings(reading):
        typer.echo(f"warning: {message}", err=True)


READING = OptionGroup.of(
    ("attributes", "options"),
    {
        "interviewer": (Interviewer, None), "no_guess_interviewers": (NoGuess, False),
        "attributes": (Attributes, None), "language": (Language, "auto"), "encoding": (Encoding, None),
        "id_column": (IdColumn, None), "text_column": (TextColumn, None), "speaker_column": (SpeakerColumn, None),
        "layout": (Layout, "auto"),
    },  # fmt: skip
    lambda v, _: {
        "attributes": v["attributes"],
        "options": reading_options(v["interviewer"], v["no_guess_interviewers"], v["language"], v["encoding"],
                                   v["id_column"], v["text_column"], v["speaker_column"], layout=v["layout"]),
    },  # fmt: skip
)
"""Reading options: the command gets ``attributes`` (a path or ``None``) and ``options`` (``ReadOptions``)."""

PSEUDONYMS = OptionGroup.of(
    ("pseudonyms",),
    {"pseudonymise": (Pseudonymise, False), "names": (Names, None), "key": (Key, None)},
    lambda v, others: {"pseudonyms": pseudonym_options(v["pseudonymise"], v["names"], v["key"], others["out"])},
)
"""Pseudonyms: the command gets ``pseudonyms`` (``PseudonymOptions``; the key beside its ``out``)."""

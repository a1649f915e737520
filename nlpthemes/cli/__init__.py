"""The ``nlpthemes`` command line: a thin layer over the library.

Each command parses its options, calls one library function and renders the
result. Errors a user can fix print one line on stderr and exit 1 (data) or
2 (usage); nothing heavy (torch, bertopic, umap) is imported here.
"""

from __future__ import annotations

import typer

from nlpthemes.cli import _commands

__all__ = ["app", "main"]

app = typer.Typer(
    name="nlpthemes",
    help="NLP-assisted qualitative analysis of interview transcripts, locally and offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_commands.register_all(app)


def main() -> None:
    """Entry point of the ``nlpthemes`` console script."""
    app()

"""``nlpthemes review``: go through the machine's suggestions in a local web page; it learns from each decision."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

__all__ = ["register"]


def _default_coder() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "coder"


def review(
    folder: Annotated[Path, typer.Argument(help="An 'analyze' output folder, an imported project folder, or (with "
                                                "--transcripts and --codebook) where to keep the review's files.")],
    coder: Annotated[str | None, typer.Option("--coder", help="Your name, as written in your codings.csv "
                                                              "(default: your user name).")] = None,
    transcripts: Annotated[list[Path] | None, typer.Option(
        "--transcripts", "-t", help="Transcript files or folders (a fresh start; repeatable).")] = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", "-c", help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")] = None,
    codings: Annotated[list[Path] | None, typer.Option(
        "--codings", help="Codes given at start, to learn from (repeatable).")] = None,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to serve on (0: any free port).")] = 0,
    host: Annotated[str | None, typer.Option(
        "--host", help="Address to serve on. Default 127.0.0.1 (this machine only); anything else lets others "
                       "on that network reach the page (they still need the token).")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    refit_every: Annotated[int, typer.Option("--refit-every", help="Refit after this many decided sentences "
                                                                   "(0: only with the Refit button).")] = 10,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Suggestions shown per sentence.")] = 3,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help=f"Embedding model name or folder (default: the model of the run in FOLDER; else "
                              f"{o.MODEL_DEFAULT}).")] = None,
    interviewer: r.Interviewer = None,
    no_guess_interviewers: r.NoGuess = False,
    attributes: r.Attributes = None,
    language: r.Language = "auto",
    encoding: r.Encoding = None,
    id_column: r.IdColumn = None,
    text_column: r.TextColumn = None,
    speaker_column: r.SpeakerColumn = None,
    layout: r.Layout = "auto",
    quiet: r.Quiet = False,
) -> None:
    """Review the machine's code suggestions in your browser; every decision is saved at once and teaches it."""
    from nlpthemes.errors import InputError
    from nlpthemes.jobs.review import run_review
    from nlpthemes.review._server import check_host

    if transcripts and codebook is None:
        raise fail("--transcripts needs --codebook", EXIT_USAGE_ERROR)
    if port < 0 or port > 65535 or top_k < 1 or refit_every < 0:
        raise fail("--port must be 0-65535, --top-k at least 1, --refit-every at least 0", EXIT_USAGE_ERROR)
    try:
        loopback = check_host(host or "127.0.0.1", remote=host is not None)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE_ERROR) from None
    if not loopback:
        note(f"warning: serving on {host}: anyone who can reach this address and has the link (with its token) can "
             "read the transcripts and change your codes")  # fmt: skip

    def ready(where: Any) -> None:
        typer.echo(f"Review for {name} at {where.url}")
        typer.echo("Every decision is saved at once. Stop with Ctrl+C.")
        if not no_browser:
            import webbrowser

            webbrowser.open(where.url)

    name = coder or _default_coder()
    summary = run_review(
        folder, coder=name, host=host or "127.0.0.1", port=port, remote=host is not None, ready=ready,
        transcripts=transcripts or (), codebook=codebook, codings=codings or (), attributes=attributes, model=model,
        refit_every=refit_every, top_k=top_k, quiet=quiet, step=None if quiet else (lambda s: note(f"{s}...")),
        options=r.reading_options(interviewer, no_guess_interviewers, language, encoding, id_column, text_column,
                                  speaker_column, layout=layout),
    )  # fmt: skip
    note(f"{summary.decided} sentences decided, {summary.codings} codes -> {summary.folder / 'codings.csv'}",
         quiet=quiet)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("review")(friendly_errors(review))

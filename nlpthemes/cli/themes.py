"""``nlpthemes themes``: transcripts -> candidate themes, who-says-what tables, a saved model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

OUTLIER_CHOICES = ("none", "embeddings", "c-tf-idf", "distributions")


def _auto_int(value: str, option: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise fail(f"{option} must be 'auto' or an integer; got {value!r}", EXIT_USAGE_ERROR) from None


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def themes(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Embedding model: registry name or local folder."),
    ] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda, ... (default: auto).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the embedding cache.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
    n_themes: Annotated[str, typer.Option("--themes", help="Number of themes, or 'auto'.")] = "auto",
    min_theme_size: Annotated[
        str, typer.Option("--min-theme-size", help="Smallest theme in sentences, or 'auto'.")
    ] = "auto",
    reduce_outliers: Annotated[
        str,
        typer.Option(
            "--reduce-outliers",
            help="Move outliers into their closest theme: none, embeddings, c-tf-idf or distributions.",
        ),
    ] = "none",
    include_interviewers: Annotated[
        bool, typer.Option("--include-interviewers", help="Cluster interviewer sentences too.")
    ] = False,
    no_save_model: Annotated[bool, typer.Option("--no-save-model", help="Do not save the fitted model.")] = False,
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
    """Find candidate themes: keywords, quotes, a hierarchy and who says what."""
    if reduce_outliers not in OUTLIER_CHOICES:
        raise fail(f"--reduce-outliers must be one of {', '.join(OUTLIER_CHOICES)}; got {reduce_outliers!r}",
                   EXIT_USAGE_ERROR)  # fmt: skip
    from nlpthemes.jobs.themes import run_themes

    result = run_themes(
        paths,
        out,
        model=model,
        device=device,
        cache=not no_cache,
        options=r.reading_options(
            interviewer, no_guess_interviewers, language, encoding, id_column, text_column, speaker_column, layout=layout,
        ),
        attributes=attributes,
        pseudonyms=r.pseudonym_options(pseudonymise, names, key, out),
        include_interviewers=include_interviewers,
        seed=seed,
        n_themes=_auto_int(n_themes, "--themes"),
        min_theme_size=_auto_int(min_theme_size, "--min-theme-size"),
        reduce_outliers=None if reduce_outliers == "none" else reduce_outliers,
        save_model=not no_save_model,
        quiet=quiet,
        step=None if quiet else (lambda name: note(f"{name}...")),
    )  # fmt: skip
    r.report_read_errors(result.segmented.corpus.errors, quiet)
    r.report_reading(result.segmented.reading, quiet, files=False)
    if not quiet:
        fitted = result.model
        quotes: dict[int, str] = {}
        for theme, text in zip(result.quotes["theme"], result.quotes["text"], strict=True):
            quotes.setdefault(int(theme), str(text))
        typer.echo(f"{'id':>4} {'size':>5}  {'label':<36} first quote")
        for row in result.themes.itertuples(index=False):
            if row.level != 0 or row.id == -1:
                continue
            typer.echo(f"{row.id:>4} {row.size:>5}  {_shorten(str(row.label), 36):<36} "
                       f"{_shorten(quotes.get(int(row.id), ''), 60)}")  # fmt: skip
        excluded = int((fitted.excluded_ != "").sum())
        note(
            f"{len(fitted.themes_)} themes from {fitted.n_analysed_} sentences "
            f"(outliers {fitted.outlier_share_:.0%}; {excluded} interviewer/short sentences left out; "
            f"method: {fitted.plan_['reduction']} + {fitted.plan_['clustering']}) -> {out}  "
            f"[{result.seconds:.1f} s]"
        )
    if result.segmented.corpus.explicit_errors:
        raise fail(f"{len(result.segmented.corpus.explicit_errors)} named file(s) could not be read")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("themes")(friendly_errors(themes))

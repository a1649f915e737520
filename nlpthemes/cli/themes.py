"""``nlpthemes themes``: transcripts -> candidate themes, who-says-what tables, a saved model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.jobs._common import PseudonymOptions

OUTLIER_CHOICES = ("none", "embeddings", "c-tf-idf", "distributions")


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@o.with_options(r.READING, r.PSEUDONYMS)
def themes(
    paths: r.Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    model: o.Model = None,
    device: o.Device = None,
    no_cache: o.NoCache = False,
    seed: o.Seed = 42,
    n_themes: o.NThemes = "auto",
    min_theme_size: o.MinThemeSize = "auto",
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
    *,
    attributes: Path | None,
    options: ReadOptions,
    pseudonyms: PseudonymOptions,
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
        options=options,
        attributes=attributes,
        pseudonyms=pseudonyms,
        include_interviewers=include_interviewers,
        seed=seed,
        n_themes=o.auto_int(n_themes, "--themes"),
        min_theme_size=o.auto_int(min_theme_size, "--min-theme-size"),
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

"""``nlpthemes batch``: new transcripts through a saved pipeline; resumable, local or on Dask or Ray."""

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

ENGINES = ("local", "dask", "ray")


@o.with_options(r.PSEUDONYMS, r.READING)
def batch(
    paths: r.Paths,
    pipeline: Annotated[Path, typer.Option("--pipeline", "-p", help="A folder saved by `nlpthemes fit`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (run again to resume).")],
    engine: Annotated[str, typer.Option("--engine", help="Where to run: local, dask or ray.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        "--address", "--scheduler",
        help="Cluster address: Dask tcp://HOST:8786; Ray auto, HOST:6379 or ray://HOST:10001 (default: start one here).",
    )] = None,  # fmt: skip
    workers: Annotated[int, typer.Option("--workers", help="Workers of the local Dask cluster; Ray actors.")] = 2,
    device: o.Device = None,
    no_cache: o.NoCache = False,
    embed_batch: Annotated[
        int, typer.Option("--embed-batch", help="Sentences from consecutive files embedded together.")
    ] = 2048,
    allow_version_mismatch: Annotated[
        bool, typer.Option("--allow-version-mismatch", help="Use a pipeline saved by another nlpthemes version.")
    ] = False,
    *,
    pseudonyms: PseudonymOptions,
    attributes: Path | None,
    options: ReadOptions,
    quiet: r.Quiet = False,
) -> None:
    """Assign new transcripts to saved themes, suggest codes, and report what is new."""
    if embed_batch < 1:
        raise fail(f"--embed-batch must be at least 1, got {embed_batch}", EXIT_USAGE_ERROR)
    if engine not in ENGINES:
        raise fail(f"--engine must be one of {', '.join(ENGINES)}; got {engine!r}", EXIT_USAGE_ERROR)
    from nlpthemes.jobs.batch import run_batch

    result = run_batch(
        paths, pipeline, out, engine=engine, scheduler=scheduler, workers=workers, device=device,
        cache=not no_cache, embed_batch=embed_batch, allow_version_mismatch=allow_version_mismatch,
        options=options, attributes=attributes, pseudonyms=pseudonyms, quiet=quiet,
    )  # fmt: skip
    if not quiet:
        typer.echo(result.summary, nl=False)
    speed = result.stats.get("sentences_per_second")
    note(f"{result.processed} file(s) processed, {result.skipped} already done; "
         f"{speed:,.0f} sentences/s -> {out}  [{result.seconds:.1f} s]", quiet=quiet)  # fmt: skip
    if result.errors:
        raise fail(f"{len(result.errors)} file(s) could not be read (see the summary)")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("batch")(friendly_errors(batch))

"""``nlpthemes analyze``: transcripts + codebook (+ human codings) -> tables, report.html, results.xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nlpthemes.cli import _judge as j
from nlpthemes.cli import _options as o
from nlpthemes.cli import _reading as r
from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors, note

if TYPE_CHECKING:
    from nlpthemes.io import ReadOptions
    from nlpthemes.suggest import JudgeOptions

Paths = Annotated[
    list[Path] | None,
    typer.Argument(help="Transcript files or folders (none: the shipped PDPilot sample).", show_default=False),
]


def _summary_lines(s: dict[str, Any], files: dict[str, str]) -> list[str]:
    lines = [f"{s['n_transcripts']} transcripts, {s['n_sentences']} sentences, {s['n_themes']} themes"]
    if "n_matched" in s:
        lines.append(f"codebook: {s['n_matched']} themes matched, {s['n_uncovered']} not covered, "
                     f"{s['n_unsupported']} codes without a theme; {s['n_applied']} codes suggested")  # fmt: skip
    for kind in ("human-human", "human-machine"):
        if f"{kind}_codes" in s:
            alpha, kappa = s.get(f"{kind}_alpha"), s.get(f"{kind}_kappa")
            shown = "undefined" if alpha is None else f"{alpha:.2f}"
            shown_k = "undefined" if kappa is None else f"{kappa:.2f}"
            lines.append(f"{kind} agreement, mean over {s[f'{kind}_codes']} codes: alpha {shown}, kappa {shown_k}")
    lines.append(f"-> {s['out_dir']}/ ({', '.join(sorted(files.values()))})  [{s['seconds']:.0f} s]")
    return lines


@o.with_options(j.JUDGE, r.READING)
def analyze(
    paths: Paths = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    codebook: Annotated[
        Path | None, typer.Option("--codebook", "-c", help="Codebook: CSV, XLSX, YAML, .qdc, or a table in .docx.")
    ] = None,
    codings: Annotated[
        list[Path] | None,
        typer.Option("--codings", help="Human codings (repeatable): transcript,start,end,code,coder "
                     "or transcript,text,code,coder."),
    ] = None,
    model: o.Model = None,
    device: o.Device = None,
    folds: Annotated[int, typer.Option("--folds", help="Folds by transcript for the machine coder.")] = 3,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Candidate codes per sentence.")] = 3,
    min_coverage: Annotated[
        float, typer.Option("--min-coverage", help="Share of a sentence a coded span must cover.")
    ] = 0.5,
    n_resamples: Annotated[int, typer.Option("--bootstrap", help="Bootstrap resamples (0: none).")] = 1000,
    group_by: Annotated[
        str | None, typer.Option("--group-by", help="Participant attribute that groups participants.")
    ] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Two groups to compare: A,B (default: the two largest).")
    ] = None,
    n_themes: o.NThemes = "auto",
    seed: o.Seed = 42,
    *,
    judging: JudgeOptions,
    attributes: Path | None,
    options: ReadOptions,
    pseudonymise: Annotated[
        bool, typer.Option("--pseudonymise/--no-pseudonymise", help="Pseudonymise names in every output.")
    ] = True,
    names: r.Names = None,
    key: r.Key = None,
    quiet: r.Quiet = False,
) -> None:
    """Themes, codebook matches, code suggestions and agreement, with an HTML report (no PATH: the sample)."""
    from nlpthemes.jobs.analyze import run_analyze

    if folds < 2 or top_k < 1 or n_resamples < 0 or not 0.0 <= min_coverage <= 1.0:
        raise fail("--folds must be >= 2, --top-k >= 1, --bootstrap >= 0 and --min-coverage in [0, 1]",
                   EXIT_USAGE_ERROR)  # fmt: skip
    themes = o.auto_int(n_themes, "--themes", minimum=2)
    pair = None
    if compare is not None:
        pair = [part.strip() for part in compare.split(",")]
        if len(pair) != 2 or not all(pair):
            raise fail(f"--compare needs two groups as A,B, got {compare!r}", EXIT_USAGE_ERROR)
    if not paths and (codebook is not None or codings):
        raise fail("give the transcripts (PATH...) with --codebook/--codings, or nothing to run the sample",
                   EXIT_USAGE_ERROR)  # fmt: skip

    def step(name: str) -> None:
        note(f"· {name}", quiet=quiet)

    result = run_analyze(
        paths or (), out, codebook=codebook, codings=codings or (), attributes=attributes, model=model,
        device=device,
        options=options,
        pseudonymise=pseudonymise, names_file=names, key_file=key, seed=seed, folds=folds, top_k=top_k,
        min_coverage=min_coverage, n_resamples=n_resamples, group_by=group_by, compare=pair, n_themes=themes,
        quiet=quiet, step=step, judge=judging,
    )  # fmt: skip
    for line in result.notes:
        note(f"  {line}", quiet=quiet)
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)
    for line in _summary_lines(result.summary, result.files):
        note(line, quiet=quiet)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("analyze")(friendly_errors(analyze))

"""``nlpthemes agree``: inter-coder agreement from a long ``unit,coder,code`` CSV or spans."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail, friendly_errors
from nlpthemes.errors import InputError

if TYPE_CHECKING:
    from nlpthemes.agreement import AgreementSummary

_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_WEIGHTS = ("none", "linear", "quadratic")
_UNITS = ("sentence", "character", "document")
_FORMATS = ("table", "json")

Files = Annotated[
    list[Path],
    typer.Argument(
        help="A long-format CSV (unit,coder,code), or two or more codings CSVs "
        "(transcript,start,end,code,coder) with --transcripts.",
        show_default=False,
    ),
]


def _usage(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise fail(
            f"{name} {value!r} is not allowed; use one of: {', '.join(allowed)}", EXIT_USAGE_ERROR
        )


_ABSENT = object()


def _fmt(value: Any) -> str:
    if value is _ABSENT:
        return "-"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    return f"{value + 0.0:.3f}" if isinstance(value, float) else str(value)  # no "-0.000"


def _render_summary(summary: AgreementSummary) -> str:
    d = summary.to_dict()
    lines = [
        f"units: {d['n_units']} ({d['n_pairable_units']} coded by 2+ coders)   "
        f"coders: {d['n_coders']}   level: {d['level']}   weights: {d['weights']}"
        + ("   multi-label (alpha with MASI distance)" if d["multi_label"] else ""),
        "",
        f"{'metric':<22}{'value':>10}   {int(100 * (d['confidence_level'] or 0.95))}% CI",
    ]
    for name, value in d["metrics"].items():
        ci = d["ci"].get(name)
        shown = f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else ""
        lines.append(f"{name:<22}{_fmt(value):>10}   {shown}")
    if "per_code" in d:
        lines += ["", f"{'code':<24}{'units':>6}{'kappa':>10}{'alpha':>10}{'AC1':>10}{'agree':>10}"]
        for code, v in d["per_code"].items():
            lines.append(
                f"{code[:23]:<24}{v['n_units']:>6}{_fmt(v.get('cohen_kappa', _ABSENT)):>10}"
                f"{_fmt(v['krippendorff_alpha']):>10}{_fmt(v['gwet_ac1']):>10}"
                f"{_fmt(v['percent_agreement']):>10}"
            )
    if d["n_coders"] > 2:
        lines += ["", f"{'coder pair':<30}{'units':>6}{'kappa':>10}{'alpha':>10}"]
        for p in d["pairs"]:
            pair = f"{p['coder_a']} / {p['coder_b']}"
            lines.append(
                f"{pair[:29]:<30}{p['n_units']:>6}{_fmt(p['cohen_kappa']):>10}"
                f"{_fmt(p['krippendorff_alpha']):>10}"
            )
    for row in d.get("comparison") or []:
        lines.append(
            f"{row['kind']:<16} pairs {row['n_pairs']}, units {row['n_units']}: "
            f"kappa {_fmt(row['cohen_kappa'])}, alpha {_fmt(row['krippendorff_alpha'])}"
        )
    lines += [f"note: {n}" for n in d["notes"]]
    return "\n".join(lines)


def _write_extras(long: Any, disagreements: Path | None, confusion: Path | None) -> None:
    import pandas as pd

    from nlpthemes.agreement import confusion_matrices, disagreement_table

    if disagreements is not None:
        disagreement_table(long).to_csv(disagreements, index=False)
    if confusion is not None:
        rows = [
            {"coder_a": a, "coder_b": b, "value_a": va, "value_b": vb, "count": int(n)}
            for (a, b), table in confusion_matrices(long).items()
            for va, row in table.iterrows() for vb, n in row.items() if n
        ]  # fmt: skip
        pd.DataFrame(rows, columns=["coder_a", "coder_b", "value_a", "value_b", "count"]).to_csv(
            confusion, index=False
        )


def agree(
    files: Files,
    transcripts: Annotated[
        list[Path] | None,
        typer.Option(
            "--transcripts", "-t", help="Transcripts the span codings point into (repeatable)."
        ),
    ] = None,
    unit: Annotated[
        str, typer.Option("--unit", help="Units for span codings: sentence|character|document.")
    ] = "sentence",
    min_coverage: Annotated[
        float,
        typer.Option("--min-coverage", help="Share of a sentence a span must cover to code it."),
    ] = 0.5,
    include_interviewer: Annotated[
        bool,
        typer.Option("--include-interviewer", help="Keep interviewer sentences as units."),
    ] = False,
    level: Annotated[
        str, typer.Option("--level", help="Krippendorff's alpha: nominal|ordinal|interval|ratio.")
    ] = "nominal",
    weights: Annotated[
        str, typer.Option("--weights", help="Cohen's kappa: none|linear|quadratic.")
    ] = "none",
    categories: Annotated[
        str | None,
        typer.Option(
            "--categories", help="The codebook: its number of categories, or A,B,C in order."
        ),
    ] = None,
    machine: Annotated[
        list[str] | None, typer.Option("--machine", help="A coder that is a machine (repeatable).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table|json.")] = "table",
    n_resamples: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples (0: none).")
    ] = 1000,
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the bootstrap.")] = 0,
    unit_column: Annotated[
        str, typer.Option("--unit-column", help="Long format: unit column.")
    ] = "unit",
    coder_column: Annotated[
        str, typer.Option("--coder-column", help="Long format: coder column.")
    ] = "coder",
    code_column: Annotated[
        str, typer.Option("--code-column", help="Long format: code column.")
    ] = "code",
    codes_columns: Annotated[
        list[str] | None,
        typer.Option("--codes-column", help="A table coded in the spreadsheet: one coder's column of "
                                            "codes per row (repeatable: one per coder)."),
    ] = None,
    disagreements: Annotated[
        Path | None, typer.Option("--disagreements", help="Write the disagreement table (CSV).")
    ] = None,
    confusion: Annotated[
        Path | None,
        typer.Option("--confusion", help="Write confusion counts per coder pair (CSV)."),
    ] = None,
) -> None:
    """Inter-coder agreement: Cohen, Scott, Fleiss, Krippendorff, Gwet AC1, Brennan-Prediger."""
    from nlpthemes.agreement import (
        load_agreement_input,
        load_character_agreement,
        parse_categories,
        summarize_agreement,
    )

    for name, value, allowed in (
        ("--level", level, _LEVELS),
        ("--weights", weights, _WEIGHTS),
        ("--unit", unit, _UNITS),
        ("--format", output_format, _FORMATS),
    ):
        _usage(name, value, allowed)
    if n_resamples < 0 or not 0.0 < confidence < 1.0:
        raise fail("--bootstrap must be >= 0 and --confidence between 0 and 1", EXIT_USAGE_ERROR)
    if unit == "character":
        rows = load_character_agreement(files, transcripts=transcripts or [])
        if output_format == "json":
            records = json.loads(rows.to_json(orient="records"))
            typer.echo(json.dumps({"unit": "character", "rows": records}, indent=2))
        else:
            typer.echo(rows.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        return
    long = load_agreement_input(
        files, transcripts=transcripts or [], unit=unit, min_coverage=min_coverage,
        include_interviewer=include_interviewer, unit_column=unit_column,
        coder_column=coder_column, code_column=code_column, codes_columns=codes_columns or (),
    )  # fmt: skip
    try:
        parsed = parse_categories(categories)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE_ERROR) from None
    summary = summarize_agreement(
        long, level=level, weights=weights, categories=parsed, machines=tuple(machine or ()),
        n_resamples=n_resamples, confidence_level=confidence, seed=seed,
    )  # fmt: skip
    _write_extras(long, disagreements, confusion)
    if output_format == "json":
        typer.echo(json.dumps(summary.to_dict(), indent=2, allow_nan=False))
    else:
        typer.echo(_render_summary(summary))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("agree")(friendly_errors(agree))

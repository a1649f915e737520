"""Published worked examples reproduce, through the Python API and through ``nlpthemes agree``.

``agreement_vectors.json`` is a verbatim copy of ../shared/reference/agreement_vectors.json
(published examples: Krippendorff 2011, Cohen 1960, Artstein & Poesio 2008, Wikipedia's Fleiss
example, and hand-derived edge cases). ``extra_vectors.json`` adds Gwet (2014) examples for AC1,
Fleiss with missing data, Brennan-Prediger and weighted kappa, and a hand-derived MASI alpha.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nlpthemes import agreement as ag
from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "agreement"
REFERENCE = json.loads((DATA / "agreement_vectors.json").read_text(encoding="utf-8"))
EXTRA = json.loads((DATA / "extra_vectors.json").read_text(encoding="utf-8"))
CASES = REFERENCE + EXTRA

FUNCTIONS = {
    "percent_agreement": ag.percent_agreement,
    "cohen_kappa": ag.cohen_kappa,
    "scott_pi": ag.scott_pi,
    "fleiss_kappa": ag.fleiss_kappa,
    "krippendorff_alpha": ag.krippendorff_alpha,
    "gwet_ac1": ag.gwet_ac1,
    "brennan_prediger": ag.brennan_prediger,
}


def rows_of(case: dict[str, Any]) -> list[list[Any]]:
    """The case's data as units x coders rows."""
    data, fmt = case["data"], case["data_format"]
    if fmt == "units_x_coders":
        return [list(row) for row in data]
    if fmt == "units_x_coders_sets":
        return [[frozenset(v) for v in row] for row in data]
    if fmt == "label_lists":
        return [list(pair) for pair in zip(*data.values(), strict=True)]
    if fmt == "fleiss_counts":
        cats = data["categories"]
        return [
            [c for c, n in zip(cats, row, strict=True) for _ in range(n)] for row in data["counts"]
        ]
    if fmt == "contingency_table":
        cats, table = data["categories"], data["rows_coder1_cols_coder2"]
        return [
            [cats[i], cats[j]]
            for i in range(len(cats)) for j in range(len(cats)) for _ in range(table[i][j])
        ]  # fmt: skip
    raise AssertionError(f"unknown data format {fmt}")


def api_value(case: dict[str, Any]) -> float:
    metric, params = case["metric"], dict(case["params"])
    params.pop("definition", None)
    kwargs: dict[str, Any] = {}
    if metric == "krippendorff_alpha":
        kwargs["level"] = ag.masi_distance if case["level"] == "masi" else case["level"]
    if "weights" in params:
        kwargs["weights"] = params["weights"]
        kwargs["categories"] = case["data"]["categories"]  # the order the weights need
    if "n_categories" in params:
        kwargs["n_categories"] = params["n_categories"]
    return float(FUNCTIONS[metric](rows_of(case), **kwargs))


def check(case: dict[str, Any], value: float | None) -> None:
    if case["expected"] == "undefined":
        assert value is None or math.isnan(value)
    else:
        assert value is not None
        assert abs(value - case["expected"]) <= case["tolerance"], (case["id"], value)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_api_reproduces_case(case: dict[str, Any]) -> None:
    if case["expected"] == "undefined":
        with pytest.warns(ag.UndefinedAgreementWarning, match="undefined"):
            value = api_value(case)
        check(case, value)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(case, api_value(case))


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["expected"] == "undefined"], ids=lambda c: c["id"]
)
def test_api_raises_on_undefined_when_asked(case: dict[str, Any]) -> None:
    function = FUNCTIONS[case["metric"]]
    with pytest.raises(ag.UndefinedAgreementError, match="undefined"):
        function(rows_of(case), on_undefined="raise")


def write_long(case: dict[str, Any], path: Path) -> None:
    """One CSV row per code applied: unit, coder, code (no row where a coder did not code)."""
    names = list(case["data"]) if case["data_format"] == "label_lists" else None
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["unit", "coder", "code"])
        for u, row in enumerate(rows_of(case)):
            for c, value in enumerate(row):
                coder = names[c] if names else f"coder{c + 1}"
                if value is None:
                    continue
                if isinstance(value, frozenset):
                    for code in sorted(value) or [""]:
                        writer.writerow([f"u{u}", coder, code])
                else:
                    writer.writerow([f"u{u}", coder, value])


def cli_args(case: dict[str, Any]) -> list[str]:
    args = []
    if case["metric"] == "krippendorff_alpha" and case["level"] not in (None, "masi"):
        args += ["--level", case["level"]]
    if "weights" in case["params"]:
        args += ["--weights", case["params"]["weights"]]
        args += ["--categories", ",".join(case["data"]["categories"])]
    if "n_categories" in case["params"]:
        args += ["--categories", str(case["params"]["n_categories"])]
    return args


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cli_reproduces_case(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    write_long(case, path)
    result = CliRunner().invoke(app, ["agree", str(path), "--format", "json", *cli_args(case)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    check(case, out["metrics"][case["metric"]])
    if case["expected"] == "undefined":
        assert out["notes"], "an undefined value must say why"

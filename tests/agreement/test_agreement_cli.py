"""``nlpthemes agree``: the CLI contract and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpthemes.cli import app

SPANS = Path(__file__).resolve().parents[1] / "data" / "agreement" / "spans"
runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "long.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LONG = "unit,coder,code\n1,A,x\n1,B,x\n2,A,y\n2,B,x\n3,A,y\n3,B,y\n4,A,\n4,B,\n"


def test_json_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["agree", str(write(tmp_path, LONG)), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n_units"] == 4 and out["n_coders"] == 2
    assert set(out["metrics"]) == {
        "percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa",
        "krippendorff_alpha", "gwet_ac1", "brennan_prediger",
    }  # fmt: skip
    assert "per_code" not in out  # single-label, no --categories
    assert set(out["ci"]) == set(out["metrics"])


def test_categories_give_per_code_rows_even_for_unused_codes(tmp_path: Path) -> None:
    path = write(tmp_path, LONG)
    result = runner.invoke(app, ["agree", str(path), "--format", "json", "--categories", "x,y,z"])
    out = json.loads(result.stdout)
    assert set(out["per_code"]) == {"x", "y", "z"}
    assert out["per_code"]["z"]["cohen_kappa"] is None  # undefined -> null
    assert set(out["per_code"]["x"]) == {
        "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "percent_agreement", "n_units",
    }  # fmt: skip
    bp_declared = out["metrics"]["brennan_prediger"]
    plain = json.loads(runner.invoke(app, ["agree", str(path), "--format", "json"]).stdout)
    assert bp_declared != plain["metrics"]["brennan_prediger"]  # q = 4 instead of 3


def test_multi_label_json_has_per_code(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,code\n1,A,x\n1,A,y\n1,B,x\n2,A,y\n2,B,y\n")
    out = json.loads(runner.invoke(app, ["agree", str(path), "--format", "json"]).stdout)
    assert set(out["per_code"]) == {"x", "y"} and out["multi_label"] is True


def test_table_output_is_readable(tmp_path: Path) -> None:
    result = runner.invoke(app, ["agree", str(write(tmp_path, LONG)), "--bootstrap", "100"])
    assert result.exit_code == 0
    assert "krippendorff_alpha" in result.stdout and "95% CI" in result.stdout


def test_other_column_names(tmp_path: Path) -> None:
    path = write(tmp_path, "item,rater,label\n1,A,x\n1,B,x\n2,A,y\n2,B,x\n")
    args = ["agree", str(path), "--format", "json", "--unit-column", "item",
            "--coder-column", "rater", "--code-column", "label"]  # fmt: skip
    assert json.loads(runner.invoke(app, args).stdout)["n_units"] == 2


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (LONG, ["--coder-column", "rater"], "no coder column 'rater'"),
        ("unit,coder,code\n1,A,x\n2,A,y\n", [], "only one coder (A)"),
        ("unit,coder,code\n1,A,3\n1,B,high\n", ["--level", "interval"], "'high' is not a number"),
        ("", [], "empty file"),
        ("unit,coder,code\n", [], "no codings"),
        ("unit,coder,code\n1,A,x\n2,B,y\n", [], "no unit was coded by two"),
        (LONG, ["--categories", "x"], "not among the declared categories"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(
    tmp_path: Path, text: str, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["agree", str(write(tmp_path, text)), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [["--level", "nominl"], ["--weights", "squared"], ["--unit", "word"], ["--format", "xml"]],
)
def test_misspelled_options_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["agree", str(write(tmp_path, LONG)), *args])
    assert result.exit_code == 2
    assert "not allowed" in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["agree", str(tmp_path / "nope.csv")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_span_codings_with_transcripts(tmp_path: Path) -> None:
    files = [str(SPANS / "coderA.csv"), str(SPANS / "coderB.csv"), str(SPANS / "suggestions.csv")]
    dis, conf = tmp_path / "dis.csv", tmp_path / "conf.csv"
    result = runner.invoke(app, [
        "agree", *files, "-t", str(SPANS / "transcripts"), "--format", "json", "--bootstrap", "50",
        "--machine", "suggestions", "--disagreements", str(dis), "--confusion", str(conf),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n_coders"] == 3 and out["n_units"] == 10
    assert {row["kind"] for row in out["comparison"]} == {"human-human", "human-machine"}
    assert dis.read_text(encoding="utf-8").startswith("code,unit,text,A,coderB,suggestions")
    assert "count" in conf.read_text(encoding="utf-8").splitlines()[0]


def test_character_and_document_units() -> None:
    files = [str(SPANS / "coderA.csv"), str(SPANS / "coderB.csv")]
    chars = runner.invoke(app, ["agree", *files, "-t", str(SPANS / "transcripts"),
                                "--unit", "character", "--format", "json"])  # fmt: skip
    rows = json.loads(chars.stdout)["rows"]
    assert {"both", "only_a", "only_b", "neither", "agreement_on_coded"} <= set(rows[0])
    docs = runner.invoke(app, ["agree", *files, "--unit", "document", "--format", "json"])
    assert json.loads(docs.stdout)["n_units"] == 2


def test_cli_module_does_not_import_numpy_or_pandas() -> None:
    code = "import sys, nlpthemes.cli.agree; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


SURVEY = Path(__file__).resolve().parents[1] / "data" / "io" / "survey_coded.csv"


def test_two_coders_columns_of_a_coded_spreadsheet(tmp_path: Path) -> None:
    """'Coder A' and 'Coder B' typed their codes beside the answers: agree reads the two columns as two coders
    (each row a unit) and gives what the same data written in long format gives."""
    result = runner.invoke(app, ["agree", str(SURVEY), "--codes-column", "Coder A", "--codes-column", "Coder B",
                                 "--format", "json", "--bootstrap", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    rows = [("1", "A", "Peer support"), ("1", "A", "funding"), ("1", "B", "peer support"), ("2", "A", "grant writing"),
            ("2", "B", "grant writing"), ("3", "A", "mentoring"), ("3", "B", "mentoring"), ("4", "A", "Peer support"),
            ("4", "A", "Funding"), ("4", "B", "funding"), ("5", "A", "grant writing, funding"),
            ("5", "B", "grant writing"), ("6", "A", "mentoring"), ("6", "B", "mentoring"),
            ("6", "B", "peer support")]  # fmt: skip
    long = "unit,coder,code\n" + "".join(f"{u},{c},\"{k.lower()}\"\n" for u, c, k in rows)
    expected = json.loads(runner.invoke(app, ["agree", str(write(tmp_path, long)), "--format", "json",
                                              "--bootstrap", "0"]).output)  # fmt: skip
    assert got["n_units"] == expected["n_units"] == 6
    for name in ("cohen_kappa", "krippendorff_alpha", "percent_agreement"):
        assert got["metrics"][name] == pytest.approx(expected["metrics"][name])
    missing = runner.invoke(app, ["agree", str(SURVEY), "--codes-column", "Coder A", "--codes-column", "Coder C"])
    assert missing.exit_code != 0 and "no column named 'Coder C'" in missing.output
    one = runner.invoke(app, ["agree", str(SURVEY), "--codes-column", "Coder A"])
    assert one.exit_code != 0 and "two or more columns of codes" in one.output

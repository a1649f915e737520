"""``nlpthemes fit`` and ``nlpthemes batch`` through typer's CliRunner: options, output, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from batch_support import DATA
from typer.testing import CliRunner

from nlpthemes.cli import batch, fit


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The two commands (the lead registers them in nlpthemes.cli._commands)."""
    local = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    fit.register(local)
    batch.register(local)
    return local


def test_fit_then_batch(app: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    fitted = runner.invoke(app, ["fit", str(DATA / "wave1"), "--codebook", str(DATA / "codebook.csv"),
                                 "--codings", str(DATA / "codings.csv"), "--save", str(tmp_path / "pipe"),
                                 "--model", "fake", "--novelty-quantile", "0.25", "--quiet"])  # fmt: skip
    assert fitted.exit_code == 0, fitted.output
    result = runner.invoke(app, ["batch", str(DATA / "wave2"), "--pipeline", str(tmp_path / "pipe"),
                                 "--out", str(tmp_path / "out"), "-a", str(DATA / "attributes.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 transcripts, 110 sentences" in result.output
    assert "4 file(s) processed, 0 already done" in result.output
    assert (tmp_path / "out" / "summary.txt").read_text(encoding="utf-8") in result.output
    again = runner.invoke(app, ["batch", str(DATA / "wave2"), "-p", str(tmp_path / "pipe"), "-o", str(tmp_path / "out"),
                                "-a", str(DATA / "attributes.csv"), "-q"])  # fmt: skip
    assert again.exit_code == 0 and again.output == ""


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--engine", "spark"], 2, "--engine must be one of local, dask, ray; got 'spark'"),
    (["--embed-batch", "0"], 2, "--embed-batch must be at least 1"),
])  # fmt: skip
def test_usage_errors(app: typer.Typer, fitted: Path, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(app, ["batch", str(DATA / "wave2"), "-p", str(fitted), "-o", str(tmp_path / "o"), *args])
    assert result.exit_code == code and message in result.output


def test_not_a_pipeline_is_one_line(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["batch", str(DATA / "wave2"), "-p", str(tmp_path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path}: not a saved pipeline (no pipeline.json); make one with " \
                                    "`nlpthemes fit ... --save`"


def test_fit_bad_themes_value(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fit", str(DATA / "wave1"), "-c", str(DATA / "codebook.csv"),
                                      "-s", str(tmp_path / "p"), "--themes", "many"])  # fmt: skip
    assert result.exit_code == 2 and "--themes must be 'auto' or an integer" in result.output


def test_cli_modules_import_no_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, nlpthemes.cli.fit, nlpthemes.cli.batch; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_batch_pseudonymise_writes_the_key_beside_the_outputs(app: typer.Typer, fitted: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(DATA / "wave2"), "-p", str(fitted), "-o", str(out),
                                      "--pseudonymise", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    key = (out / "pseudonym_key.csv").read_text(encoding="utf-8").splitlines()
    assert key[0] == "name,pseudonym" and len(key) == 5
    combined = (out / "sentences.csv").read_text(encoding="utf-8")
    assert ",P01," in combined and ",Dev," not in combined

"""``nlpthemes import`` / ``nlpthemes export``: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.io.refi import diff_facts, read_project

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"
runner = CliRunner()


def test_import_then_export_from_the_command_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(DATA / "minimal.qdpx"), "--out",
                                 str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "2 users, 6 codes, 2 transcripts, 4 selections, 7 codings" in result.output
    out = tmp_path / "p.qdpx"
    result = runner.invoke(app, ["export", str(tmp_path / "d"), "--out", str(out),
                                 "--from", str(DATA / "minimal.qdpx"), "--model", "m"])
    assert result.exit_code == 0, result.output
    assert "3 sources, 4 selections (0 suggested)" in result.output
    assert diff_facts(read_project(DATA / "minimal.qdpx"), read_project(out)) == {}
    quiet = runner.invoke(app, ["export", str(tmp_path / "d"), "-o", str(out), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    again = ["import", str(out), "--out", str(tmp_path / "d")]
    assert runner.invoke(app, again).exit_code == 1
    assert runner.invoke(app, [*again, "--force", "-q"]).exit_code == 0


def test_data_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(DATA / "hostile_zip_slip.qdpx"), "--out",
                                 str(tmp_path / "d")])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "zip slip" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["export", str(tmp_path / "nothing"), "--out",
                                 str(tmp_path / "x.qdpx")])
    assert result.exit_code == 1 and "not a folder" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(DATA / "minimal.qdpx"), "--out", str(tmp_path),
                                 "--offset-unit", "bytes"])
    assert result.exit_code == 2
    assert "--offset-unit must be one of codepoint, utf16" in result.output
    assert runner.invoke(app, ["import", str(DATA / "minimal.qdpx")]).exit_code == 2

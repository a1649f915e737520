"""--layout on the command line, and how each file was read in the summary and the manifest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "layouts"
runner = CliRunner()


def test_segment_says_how_each_file_was_read(tmp_path: Path) -> None:
    out = tmp_path / "sentences.csv"
    result = runner.invoke(app, ["segment", str(DATA / "teams.txt"), str(DATA / "pandoc.md"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "teams.txt [name-time]: (no speaker) 1, Kim (interviewer) 4, Lee 5 sentences" in result.stderr
    assert "pandoc.md [markdown]: (no speaker) 1, Interviewer (interviewer) 4, Participant 10 sentences" in result.stderr
    assert "warning" not in result.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["speaker"]: r["role"] for r in rows if r["transcript"] == "teams"} == {
        "": "", "Kim": "Interviewer", "Lee": "Participant"
    }
    manifest = json.loads((tmp_path / "sentences.manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["layout"] == "auto"
    assert [(r["transcript"], r["layout"]) for r in manifest["reading"]] == [("teams", "name-time"), ("pandoc", "markdown")]
    assert manifest["reading"][0]["speakers"][1] == {"speaker": "Kim", "interviewer": True, "sentences": 4,
                                                     "role": "Interviewer"}  # fmt: skip


def test_layout_option_overrides_and_a_misread_file_warns(tmp_path: Path) -> None:
    result = runner.invoke(app, ["segment", str(DATA / "pandoc.md"), "--layout", "inline", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert "pandoc.md [inline]: (no speaker) 1, Interviewer (interviewer) 21 sentences" in result.stderr
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "pandoc.md: every speaker turn is given to Interviewer" in warning[0]
    assert "--layout markdown?" in warning[0]
    quiet = runner.invoke(app, ["segment", str(DATA / "pandoc.md"), "--layout", "inline", "-q", "-o", str(tmp_path / "q.csv")])
    assert quiet.stderr.startswith("warning: ") and "[inline]" not in quiet.stderr  # warnings even when quiet


def test_unknown_layout_is_a_usage_error_listing_the_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["segment", str(DATA / "rev.txt"), "--layout", "otter", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "'otter' is not a layout; choose auto or one of: inline, markdown, name-time, rev" in message
    assert not (tmp_path / "s.csv").exists()


def test_every_reading_command_has_the_layout_option() -> None:
    for command in ("segment", "embed", "themes", "match", "fit", "batch", "suggest", "analyze"):
        result = runner.invoke(app, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0
        assert "--layout" in result.output, command


def test_reading_report_is_pseudonymised_with_the_outputs(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["segment", str(DATA / "teams.txt"), str(DATA / "pandoc.md"), "--layout", "inline",
                                 "--pseudonymise", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = (tmp_path / "s.manifest.json").read_text(encoding="utf-8")
    assert "Kim" not in manifest and "Lee" not in manifest
    reading = json.loads(manifest)["reading"]
    assert reading[0]["warnings"] and "Lee" not in reading[0]["warnings"][0]

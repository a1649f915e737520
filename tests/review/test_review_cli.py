"""``nlpthemes review`` on the command line: options, and one-line errors before any long step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nlpthemes.cli import app


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["review", *args])


def test_help_names_the_options() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--coder", "--port", "--host", "--no-browser", "--transcripts", "--codebook", "--codings",
                   "--refit-every"):  # fmt: skip
        assert option in result.output


def test_bad_input_is_one_line_and_the_right_exit_code(tmp_path: Path, study: Path) -> None:
    missing = run(str(tmp_path / "nowhere"), "--no-browser", "--quiet")
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: ") and "no such folder" in missing.output
    assert len(missing.output.strip().splitlines()) == 1
    alone = run(str(tmp_path), "--transcripts", str(study / "transcripts"), "--no-browser")
    assert alone.exit_code == 2 and "--transcripts needs --codebook" in alone.output
    everywhere = run(str(study), "--host", "0.0.0.0", "--no-browser")
    assert everywhere.exit_code == 2 and "every network" in everywhere.output
    named = run(str(study), "--host", "example.org", "--no-browser")
    assert named.exit_code == 2 and "must be an IP address" in named.output


def test_another_address_is_allowed_with_a_warning_and_must_be_this_machines(study: Path) -> None:
    result = run(str(study), "--host", "192.0.2.1", "--no-browser", "--model", "fake")  # TEST-NET: not ours
    assert "warning: serving on 192.0.2.1" in result.output
    assert result.exit_code == 1 and "cannot listen on 192.0.2.1" in result.output
    assert not (study / "review").exists()  # it failed before reading anything

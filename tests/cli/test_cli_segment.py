"""The segment command: output contract, errors as one line, exit codes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
runner = CliRunner()


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_segment_writes_contract_columns(tmp_path: Path) -> None:
    out = tmp_path / "sentences.csv"
    result = runner.invoke(app, ["segment", str(DATA / "interview_colon.txt"), "--out", str(out),
                                 "--attributes", str(DATA / "attributes.csv"), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert list(rows[0])[:6] == ["transcript", "index", "start", "end", "speaker", "text"]
    text = (DATA / "interview_colon.txt").read_text(encoding="utf-8")
    assert all(text[int(r["start"]) : int(r["end"])] == r["text"] for r in rows)
    minjun = [r for r in rows if r["speaker"] == "Min-jun"]
    assert minjun and {r["group"] for r in minjun} == {"North Korean"}


def test_segment_pseudonymises_with_separate_key(tmp_path: Path) -> None:
    out = tmp_path / "out" / "sentences.csv"
    result = runner.invoke(app, ["segment", str(DATA / "interview_colon.txt"), "-o", str(out), "--pseudonymise", "-q"])
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert "Min-jun" not in out.read_text(encoding="utf-8")
    assert {r["speaker"] for r in rows} >= {"P01", "Interviewer"}
    assert read(tmp_path / "out" / "pseudonym_key.csv") == [{"name": "Min-jun", "pseudonym": "P01"}]


def test_folder_with_bad_files_still_succeeds_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["segment", str(DATA), "-o", str(out), "-q"])
    assert result.exit_code == 0
    assert "warning: skipped" in result.stderr and "broken.docx: not a valid .docx file" in result.stderr
    assert "Traceback" not in result.output
    assert len(read(out)) > 20


def test_missing_named_file_is_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["segment", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "s.csv"), "-q"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no transcript could be read: {tmp_path / 'nope.txt'}: file not found"
    ]
    assert not (tmp_path / "s.csv").exists()


def test_named_bad_file_beside_good_one_exits_1_but_writes_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["segment", str(DATA / "broken.docx"), str(DATA / "recording.vtt"), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert "1 named file(s) could not be read" in result.stderr
    assert read(out)[0]["speaker"] == "Interviewer"


def test_csv_missing_column_is_clear(tmp_path: Path) -> None:
    result = runner.invoke(app, ["segment", str(DATA / "answers.csv"), "--text-column", "reply", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 1
    assert "no text column named 'reply'" in result.stderr


def test_help_is_light() -> None:
    code = (
        "import sys, nlpthemes.cli;"
        "heavy = [m for m in ('torch', 'bertopic', 'umap', 'sentence_transformers', 'numpy', 'pandas') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_output_under_a_file_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("a file where a folder is expected", encoding="utf-8")
    result = runner.invoke(app, ["segment", str(DATA / "interview_colon.txt"), "-o", str(blocker / "s.csv"), "-q"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(blocker) in lines[0], result.stderr
    assert blocker.read_text(encoding="utf-8") == "a file where a folder is expected"

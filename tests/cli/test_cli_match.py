"""nlpthemes match: the three tables, and a bad codebook failing before the long steps."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest"
runner = CliRunner()


def test_match_writes_matches_uncovered_and_unsupported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["match", str(DATA / "p1.txt"), str(DATA / "p2.txt"), "--codebook",
                                 str(DATA / "codebook.csv"), "--out", str(out), "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(out / "theme_code_matches.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == ["theme", "theme_label", "code", "level", "score", "threshold"]
    def rows(name: str) -> list[dict[str, str]]:
        with open(out / name, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    themes = [t for t in rows("themes.csv") if t["level"] == "0" and t["id"] != "-1"]
    matched, uncovered = rows("theme_code_matches.csv"), rows("uncovered_themes.csv")
    # every theme is either matched to a code or listed as uncovered, never both
    assert len(themes) > 1
    assert sorted(r["theme"] for r in matched + uncovered) == sorted(t["id"] for t in themes)
    assert {r["code"] for r in matched} <= {"Resources", "Funding", "Volunteers", "Trust"}
    assert (out / "unsupported_codes.csv").exists() and (out / "manifest.json").exists()


def test_match_bad_codebook_fails_first(tmp_path: Path) -> None:
    (tmp_path / "cb.csv").write_text("code,parent\nA,B\n", encoding="utf-8")
    result = runner.invoke(app, ["match", str(DATA / "p1.txt"), "--codebook", str(tmp_path / "cb.csv"),
                                 "--out", str(tmp_path / "o"), "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 1
    assert "cb.csv" in result.stderr and "Traceback" not in result.output

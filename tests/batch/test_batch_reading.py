"""Batch runs and fitted pipelines record how each file was read, and say which files look misread."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nlpthemes.io import ReadOptions
from nlpthemes.jobs.batch import run_batch

DATA = Path(__file__).resolve().parents[1] / "data" / "batch"
LAYOUTS = Path(__file__).resolve().parents[1] / "data" / "layouts"


def test_fit_manifest_has_the_reading(fitted: Path) -> None:
    reading = json.loads((fitted / "manifest.json").read_text(encoding="utf-8"))["reading"]
    assert reading and all(row["layout"] and row["speakers"] for row in reading)
    assert all(sum(s["sentences"] for s in row["speakers"]) > 0 for row in reading)


def test_batch_manifest_and_summary_report_the_reading(fitted: Path, tmp_path: Path) -> None:
    folder = tmp_path / "wave"
    shutil.copytree(DATA / "wave2", folder)
    shutil.copy(LAYOUTS / "pandoc.md", folder / "pandoc.md")
    result = run_batch([folder], fitted, tmp_path / "out", options=ReadOptions(layout="inline"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["layout"] == "inline"
    by_id = {row["transcript"]: row for row in manifest["reading"]}
    assert set(by_id) == {"dev", "eli", "fay", "gus", "pandoc"}
    assert {row["layout"] for row in by_id.values()} == {"inline"}
    assert by_id["pandoc"]["warnings"] and not by_id["dev"]["warnings"]
    assert "Files that may have been misread:" in result.summary
    assert "pandoc.md: every speaker turn is given to Interviewer" in result.summary

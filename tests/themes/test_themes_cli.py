"""``nlpthemes themes`` and ``run_themes``: outputs, order invariance, errors, real model."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.jobs.themes import SENTENCE_THEME_COLUMNS, run_themes

DATA = Path(__file__).resolve().parents[1] / "data" / "themes"
REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def cli() -> typer.Typer:
    """The app with the themes command (registered here until _commands lists it)."""
    if not any(c.name == "themes" for c in app.registered_commands):
        from nlpthemes.cli.themes import register

        register(app)
    return app


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def invoke(*args: str) -> object:
    return runner.invoke(cli(), ["themes", *args])


def test_cli_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(str(DATA / "p1.txt"), str(DATA / "p2.txt"), str(DATA / "p3.txt"), "--out", str(out),
                    "--model", "fake", "--attributes", str(DATA / "attributes.csv"), "--no-cache")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "id  size  label" in result.stdout  # type: ignore[attr-defined]
    names = {p.name for p in out.iterdir()}
    assert {"themes.csv", "sentence_themes.csv", "themes_by_group.csv", "quotes.csv", "sentences.csv",
            "manifest.json", "model"} <= names  # fmt: skip
    themes = read(out / "themes.csv")
    assert list(themes[0]) == ["id", "label", "size", "keywords", "parent", "level", "share"]
    leaves = [t for t in themes if t["level"] == "0" and t["id"] != "-1"]
    assert len(leaves) >= 3 and themes[-1]["id"] == "-1"
    rows = read(out / "sentence_themes.csv")
    assert tuple(rows[0]) == SENTENCE_THEME_COLUMNS
    assert {r["excluded"] for r in rows} == {"", "interviewer", "short"}
    assert all(r["theme"] == "-1" and r["probability"] == "" for r in rows if r["excluded"])
    groups = read(out / "themes_by_group.csv")
    assert {g["by"] for g in groups} == {"transcript", "speaker", "group"}
    assert {g["group"] for g in groups if g["by"] == "group"} == {"NGO", "Government"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "themes" and manifest["seed"] == 42
    assert manifest["outputs"]["method"]["clustering"] == "kmeans"
    assert manifest["outputs"]["excluded"]["interviewer"] == 30


def test_shuffled_file_order_gives_identical_files(tmp_path: Path) -> None:
    files = [DATA / "p1.txt", DATA / "p2.txt", DATA / "p3.txt"]
    first = run_themes(files, tmp_path / "a", model="fake", cache=False, save_model=False)
    folder = tmp_path / "copies"
    folder.mkdir()
    for f in reversed(files):  # other order, other folder
        shutil.copy(f, folder / f.name)
    run_themes([folder / "p3.txt", folder / "p1.txt", folder / "p2.txt"], tmp_path / "b", model="fake", cache=False,
               save_model=False)  # fmt: skip
    for name in ("themes.csv", "sentence_themes.csv", "themes_by_group.csv", "quotes.csv", "sentences.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert len(first.model.themes_) >= 3


def test_pseudonymised_outputs_hide_names(tmp_path: Path) -> None:
    result = invoke(str(DATA / "p2.txt"), str(DATA / "p1.txt"), "-o", str(tmp_path), "--model", "fake",
                    "--pseudonymise", "-q", "--no-save-model")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    for name in ("sentence_themes.csv", "quotes.csv", "themes_by_group.csv", "sentences.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "Ana" not in text and "Ben" not in text, name
    assert read(tmp_path / "pseudonym_key.csv") == [{"name": "Ana", "pseudonym": "P01"},
                                                    {"name": "Ben", "pseudonym": "P02"}]  # fmt: skip


def test_seed_is_recorded_and_options_are_checked(tmp_path: Path) -> None:
    result = invoke(str(DATA / "p1.txt"), "-o", str(tmp_path), "--model", "fake", "--reduce-outliers", "nearest")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "--reduce-outliers must be one of none, embeddings" in result.stderr  # type: ignore[attr-defined]
    result = invoke(str(DATA / "p1.txt"), "-o", str(tmp_path), "--model", "fake", "--themes", "many")
    assert result.exit_code == 2 and "--themes must be 'auto' or an integer" in result.stderr  # type: ignore[attr-defined]


def test_too_little_text_is_one_line_error(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("Interviewer: Hi?\nAna: Yeah. Sure thing, we did.\n", encoding="utf-8")
    result = invoke(str(tiny), "-o", str(tmp_path / "out"), "--model", "fake", "-q")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.strip().startswith("error: only 1 sentence(s)")  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_korean_transcript_uses_korean_keywords(tmp_path: Path) -> None:
    result = run_themes([DATA / "ko_interview.txt"], tmp_path, model="fake", cache=False, save_model=False,
                        n_themes=3)  # fmt: skip
    assert result.model.language == "ko"
    keywords = " ".join(result.themes["keywords"])
    assert "예산" in keywords or "자원봉사자" in keywords or "프로그램" in keywords


@pytest.mark.slow
def test_one_real_interview_gives_at_least_three_themes(tmp_path: Path) -> None:
    p1 = REPO / "data" / "pdpilot" / "transcripts" / "P1.txt"
    if not p1.is_file():
        pytest.skip("data/pdpilot/transcripts/P1.txt not present")
    result = run_themes([p1], tmp_path, cache=False)
    themes = [t for t in result.model.themes_ if t.size >= 5]
    assert len(themes) >= 3
    assert result.model.outlier_share_ < 0.5
    assert all(len(t.quotes) >= 3 for t in themes)

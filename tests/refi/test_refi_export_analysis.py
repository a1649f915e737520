"""``nlpthemes export`` of an ``analyze`` folder whose inputs are no ``.txt`` files (here a coded survey)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
runner = CliRunner()


def test_an_analysis_of_a_survey_goes_to_a_qdpx_with_its_texts_codes_and_questions(tmp_path: Path) -> None:
    survey, book = DATA / "survey_coded.csv", DATA / "survey_codebook.csv"
    analysed = runner.invoke(app, ["analyze", str(survey), "-c", str(book), "--codings", str(survey),
                                   "-o", str(tmp_path / "out"), "--model", "fake", "-q"])  # fmt: skip
    assert analysed.exit_code == 0, analysed.output
    exported = runner.invoke(app, ["export", str(tmp_path / "out"), "-o", str(tmp_path / "survey.qdpx"), "-q"])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(app, ["import", str(tmp_path / "survey.qdpx"), "-o", str(tmp_path / "back"), "-q"])
    assert imported.exit_code == 0, imported.output
    back = tmp_path / "back"
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (back / "transcripts").glob("*.txt")}
    assert len(texts) == 11 and texts["r02 What helped you most"].startswith("The workshop on writing grant")
    with open(back / "codings.csv", newline="", encoding="utf-8") as handle:
        codings = list(csv.DictReader(handle))
    coders = {r["coder"] for r in codings}
    assert {"Coder A", "Coder B", "Change codes"} < coders and any(c.startswith("nlpthemes (") for c in coders)
    a = {(r["transcript"], r["code"]) for r in codings if r["coder"] == "Coder A"}
    assert ("r04 What helped you most", "Peer support") in a and ("r04 What helped you most", "Funding") in a
    whole = [r for r in codings if r["coder"] == "Coder B"]
    assert all(int(r["start"]) == 0 and int(r["end"]) == len(texts[r["transcript"]]) for r in whole)
    with open(back / "attributes.csv", newline="", encoding="utf-8") as handle:
        attributes = list(csv.DictReader(handle))
    question = {r["transcript"]: r["question"] for r in attributes if not r["speaker"]}
    assert question["r01 What would you change"] == "What would you change?"  # a variable of the answer
    assert {r["Group"] for r in attributes if r["speaker"] == "r02"} == {"Government"}  # of the respondent

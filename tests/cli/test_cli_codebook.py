"""``nlpthemes codebook``: how a codebook typed by a researcher is read, and converting it for other tools."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.io.codebook_files import read_codebook

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
runner = CliRunner()


def test_the_tree_as_read_and_what_was_not_read(tmp_path: Path) -> None:
    book = tmp_path / "typed.csv"
    text = (DATA / "survey_codebook.csv").read_text(encoding="utf-8")
    book.write_text(text.replace("Definition", "Definition,Memo"), encoding="utf-8")  # a column nlpthemes does not read
    result = runner.invoke(app, ["codebook", str(book)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "What helped  [not codable]"
    assert lines[1].startswith("  Peer support: Support from other managers")
    assert "note: typed.csv: columns not read: 'Memo'" in result.stderr
    assert "2 groups from the column 'Theme'" in result.stderr
    assert "7 codes (5 codable, 5 with a definition), depth 1" in result.stderr


def test_a_word_table_becomes_a_qdc_for_nvivo(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for i, row in enumerate([("Category", "Code", "When to use"), ("Access", "Distance", "too far to travel"),
                             ("Access", "Cost", "fares and fees")]):  # fmt: skip
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    document.save(str(tmp_path / "codebook.docx"))
    result = runner.invoke(app, ["codebook", str(tmp_path / "codebook.docx"), "--out", str(tmp_path / "cb.qdc"), "-q"])
    assert result.exit_code == 0, result.output
    back = read_codebook(tmp_path / "cb.qdc")
    assert [back.path(c) for c in back] == ["Access", "Access > Distance", "Access > Cost"]
    assert back.find("Cost").inclusion == "fares and fees" and not back.find("Access").codable
    same = runner.invoke(app, ["codebook", str(tmp_path / "cb.qdc"), "--out", str(tmp_path / "cb.qdc")])
    assert same.exit_code != 0 and "--out is the codebook itself" in same.output
    missing = runner.invoke(app, ["codebook", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "nope.csv: file not found" in missing.stderr and "Traceback" not in missing.output

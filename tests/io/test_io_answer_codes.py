"""Codes typed beside the answers of a survey table, read as codings of whole answers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.jobs.suggest import load_human_codings

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
SURVEY, BOOK = DATA / "survey_coded.csv", DATA / "survey_codebook.csv"


def test_each_codes_column_is_a_coder_of_the_question_it_follows() -> None:
    corpus = read_corpus([SURVEY])
    texts = {t.id: t.text for t in corpus.transcripts}
    codings, notes = load_human_codings([SURVEY], corpus.by_id(), read_codebook(BOOK))
    assert set(codings["coder"]) == {"Coder A", "Coder B", "Change codes"}
    assert all(row.start == 0 and row.end == len(texts[row.transcript]) for row in codings.itertuples())
    a = codings[codings["coder"] == "Coder A"]
    # typed in another case, or separated by a comma: still the codebook's codes
    assert sorted(a.loc[a["transcript"] == "r04 What helped you most?", "code"]) == ["Funding", "Peer support"]
    assert sorted(a.loc[a["transcript"] == "r05 What helped you most?", "code"]) == ["Funding", "Grant writing"]
    change = codings[codings["coder"] == "Change codes"]
    assert set(change["transcript"]) == {f"r0{i} What would you change?" for i in (1, 3, 5, 6)}
    assert any("codes of 6 answers read from the column 'Coder B'" in n and "'What helped you most?'" in n
               for n in notes)  # fmt: skip


def test_suggest_learns_from_the_codes_in_the_survey_itself(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = CliRunner().invoke(app, ["suggest", str(SURVEY), "-c", str(BOOK), "--codings", str(SURVEY),
                                      "-o", str(out), "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "read from the column 'Coder A'" in result.stderr
    assert "learned" in (tmp_path / "suggest_manifest.json").read_text(encoding="utf-8")
    with open(out, newline="", encoding="utf-8") as handle:
        assert {r["transcript"] for r in csv.DictReader(handle)} >= {"r01 What helped you most?"}


def test_one_block_of_codes_after_several_questions_is_refused_not_guessed(tmp_path: Path) -> None:
    table = tmp_path / "survey.csv"
    with open(SURVEY, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(table, "w", newline="", encoding="utf-8") as handle:  # Q1, Q2, then the codes
        csv.writer(handle).writerows([[r[0], r[2], r[5], r[3]] for r in rows])
    corpus = read_corpus([table])
    with pytest.raises(InputError, match="cannot tell which question the codes in 'Coder A' are for"):
        load_human_codings([table], corpus.by_id(), read_codebook(BOOK))
    one = read_corpus([table], options=ReadOptions(text_column="What helped you most?"))
    codings, _ = load_human_codings([table], one.by_id(), read_codebook(BOOK))
    assert len(codings) == 9 and set(codings["coder"]) == {"Coder A"}


def test_a_table_without_codes_says_what_a_codes_column_is(tmp_path: Path) -> None:
    table = tmp_path / "plain.csv"
    with open(SURVEY, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(table, "w", newline="", encoding="utf-8") as handle:  # the answers without their codes
        csv.writer(handle).writerows([[r[0], r[1], r[2], r[5]] for r in rows])
    corpus = read_corpus([table])
    with pytest.raises(InputError, match="no column of codes beside the answers"):
        load_human_codings([table], corpus.by_id(), read_codebook(BOOK))


def test_codes_columns_named_after_their_questions_are_one_coder(tmp_path: Path) -> None:
    table = tmp_path / "survey.csv"
    with open(SURVEY, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(table, "w", newline="", encoding="utf-8") as handle:  # id, Q1, Q1 codes, Q2, Q2 codes
        csv.writer(handle).writerows([["id", "Q1", "Q1 codes", "Q2", "Q2 codes"]]
                                     + [[r[0], r[2], r[3], r[5], r[6]] for r in rows[1:]])  # fmt: skip
    corpus = read_corpus([table])
    codings, notes = load_human_codings([table], corpus.by_id(), read_codebook(BOOK))
    assert set(codings["coder"]) == {"codes"}
    assert set(codings.loc[codings["code"] == "Format", "transcript"]) == {"r01 Q2", "r03 Q2", "r05 Q2", "r06 Q2"}
    assert "read from the column 'Q2 codes' (coder 'codes') for 'Q2'" in " ".join(notes)

"""Survey exports with several open-ended questions: every question's answers are read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpthemes.corpus import check_offsets
from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions, read_transcripts
from nlpthemes.pseudonymise import Pseudonymiser
from nlpthemes.segment import segment_transcript

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
USEFUL = "What did you find most useful in the programme?"
CHANGE = "What would you change about it?"


def test_every_question_column_is_read() -> None:
    transcripts = read_transcripts(DATA / "survey_questions.csv")
    # s02 left the second question empty; the coder's column (a few words) is no question
    assert [t.id for t in transcripts] == ["s01 Q1", "s01 Q2", "s02 Q1", "s03 Q1", "s03 Q2"]
    first = transcripts[0]
    assert first.text.startswith("Meeting other managers") and first.reading is not None
    assert first.reading.layout == "answers" and first.reading.column == USEFUL
    assert [t.turns[0].speaker for t in transcripts] == ["s01", "s01", "s02", "s03", "s03"]
    attributes = dict(transcripts[1].participants["s01"])
    assert attributes["question"] == CHANGE and attributes["Group"] == "NGO"
    assert attributes["Codes (coder A)"] == "peer support; funding"  # a short column: an attribute
    assert {t.reading.column for t in transcripts if t.reading} == {USEFUL, CHANGE}
    for t in transcripts:
        sentences = segment_transcript(t)
        check_offsets(t, sentences)
        assert {s.attributes["question"] for s in sentences} == {USEFUL if t.id.endswith("Q1") else CHANGE}


def test_named_text_columns_choose_the_questions() -> None:
    only = read_transcripts(DATA / "survey_questions.csv", ReadOptions(text_column=CHANGE))
    assert [t.id for t in only] == ["s01", "s03"]  # one question: ids are the respondents'
    assert "question" not in only[0].participants["s01"]
    both = read_transcripts(DATA / "survey_questions.csv", ReadOptions(text_column=(CHANGE, USEFUL)))
    assert [t.id for t in both][:2] == ["s01 Q1", "s01 Q2"]
    assert both[0].reading is not None and both[0].reading.column == CHANGE
    with pytest.raises(InputError, match="no text column named 'Why'"):
        read_transcripts(DATA / "survey_questions.csv", ReadOptions(text_column=(USEFUL, "Why")))


def test_qualtrics_export_header_rows() -> None:
    transcripts = read_transcripts(DATA / "qualtrics_export.csv")
    # the question texts row and the import ids row are not answers; Q3 (a country) is an attribute
    assert [t.id for t in transcripts] == ["R_3kXp9 Q1", "R_3kXp9 Q2", "R_1aQz2 Q1", "R_1aQz2 Q2"]
    participant = transcripts[1].participants["R_3kXp9"]
    assert participant["question"] == "What made trust between the partners grow or fade?"
    assert participant["Q3"] == "Korea"
    assert transcripts[0].text == "We met at a conference in Seoul and agreed to run one small project together first."


def test_a_turn_table_takes_one_text_column(tmp_path: Path) -> None:
    path = tmp_path / "turns.csv"
    path.write_text("speaker,text,note\nKim,Why did you start?,first\nLee,Because of trust.,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="turns.csv: a table of speaker turns has one text column"):
        read_transcripts(path, ReadOptions(text_column=("text", "note")))


def test_respondent_ids_are_not_replaced_as_names() -> None:
    pseudonymiser = Pseudonymiser()
    pseudonymiser.add_corpus(read_transcripts(DATA / "survey_questions.csv"))
    assert pseudonymiser.key == {}  # ids such as s01 are pseudonyms already


def test_cli_reads_and_reports_each_question(tmp_path: Path) -> None:
    from nlpthemes.cli import app

    out = tmp_path / "sentences.csv"
    result = CliRunner().invoke(app, ["segment", str(DATA / "survey_questions.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"survey_questions.csv: answers read from 2 columns: {USEFUL} 3, {CHANGE} 2" in result.output
    assert "from 5 transcripts (3 speakers)" in result.output  # three respondents, five answers
    named = CliRunner().invoke(app, ["segment", str(DATA / "survey_questions.csv"), "--out", str(out),
                                     "--text-column", CHANGE, "--text-column", USEFUL])  # fmt: skip
    assert named.exit_code == 0, named.output
    assert f"answers read from 2 columns: {CHANGE} 2, {USEFUL} 3" in named.output


def test_every_command_names_the_columns_it_read(capsys: pytest.CaptureFixture[str]) -> None:
    from nlpthemes.cli._reading import report_reading
    from nlpthemes.jobs._reading import reading_report

    transcripts = read_transcripts(DATA / "qualtrics_export.csv")
    rows = reading_report(transcripts, [s for t in transcripts for s in segment_transcript(t)])
    assert {row["column"] for row in rows} == {"Q1", "Q2"}  # also in manifest.json
    report_reading(rows, quiet=False, files=False)  # embed, themes, match: no line per file
    printed = capsys.readouterr().err
    assert printed.strip() == "qualtrics_export.csv: answers read from 2 columns: Q1 2, Q2 2 (choose them with --text-column)"
    report_reading(rows, quiet=True, files=False)
    assert capsys.readouterr().err == ""


def test_surveymonkey_export_subheader_row() -> None:
    transcripts = read_transcripts(DATA / "surveymonkey_export.csv")
    # the row of "Open-Ended Response" labels is not an answer; "How often" (one word) is an attribute
    assert [t.id for t in transcripts][:3] == ["11813377201 Q1", "11813377201 Q2", "11813377202 Q1"]
    assert len(transcripts) == 5
    participant = transcripts[1].participants["11813377201"]
    assert participant["question"] == "Anything else you would like to tell us about working together?"
    assert participant["How often did you meet?"] == "Monthly"


def test_who_answered_is_never_an_attribute_and_is_hidden_when_pseudonymising(tmp_path: Path) -> None:
    from nlpthemes.cli import app

    transcripts = read_transcripts(DATA / "forms_export.csv")
    assert dict(transcripts[0].participants["1"]) == {"Start time": "3/1/24 10:02:11",
                                                       "Completion time": "3/1/24 10:10:45", "Which team are you in?": "North"}  # fmt: skip
    assert transcripts[1].names == ("will.lee@example.org", "Will Lee")
    out = tmp_path / "sentences.csv"
    result = CliRunner().invoke(app, ["segment", str(DATA / "forms_export.csv"), "--out", str(out), "--pseudonymise"])
    assert result.exit_code == 0, result.output
    assert "forms_export.csv: not kept (they say who answered): Email, Name" in result.output
    written = out.read_text(encoding="utf-8")
    for private in ("Mina", "Park", "Will,", "Will Lee", "@example.org"):
        assert private not in written, private
    assert "as N02 from our office will tell you" in written  # "will" the word stays
    assert "I will use it again; ask N04, or write to N03." in written
    key = (tmp_path / "pseudonym_key.csv").read_text(encoding="utf-8")
    assert "Mina Park,N02" in key and "will.lee@example.org,N03" in key


def test_qualtrics_excel_export_has_a_row_of_question_texts(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ResponseId", "Q1", "Q2"])
    sheet.append(["Response ID", "How did the partnership start, in your own words?", "What made trust grow or fade?"])
    sheet.append(["R_1", "We met at a conference in Seoul and agreed to run one small project together first.",
                  "Trust grew when they shared their budget openly with us, and faded after a late payment."])
    sheet.append(["R_2", "A donor asked us to work together, so at first it was not our choice at all, really.",
                  "Regular visits to each other's offices made the difference over the years for us."])
    book.save(tmp_path / "qualtrics.xlsx")
    transcripts = read_transcripts(tmp_path / "qualtrics.xlsx")
    assert [t.id for t in transcripts] == ["R_1 Q1", "R_1 Q2", "R_2 Q1", "R_2 Q2"]
    assert transcripts[1].participants["R_1"]["question"] == "What made trust grow or fade?"

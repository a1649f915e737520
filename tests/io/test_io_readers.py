"""Readers: each common transcript form gives the right turns, speakers and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpthemes.corpus import check_offsets
from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions, read_corpus, read_transcripts
from nlpthemes.segment import segment_transcript

DATA = Path(__file__).resolve().parents[1] / "data" / "io"


def turns_of(name: str, options: ReadOptions = ReadOptions()) -> list[tuple[str | None, str, bool]]:
    (t,) = read_transcripts(DATA / name, options)
    check_offsets(t, segment_transcript(t))
    return [(x.speaker, t.text[x.start : x.end], x.is_interviewer) for x in t.turns]


def test_name_colon_with_stray_space_and_preamble() -> None:
    turns = turns_of("interview_colon.txt")
    assert turns[0] == (None, "Interview with participant 3, 12 March 2024", False)
    assert [s for s, _, _ in turns[1:]] == ["Interviewer", "Min-jun", "Interviewer", "Min-jun"]
    assert turns[2][1] == "We met at a conference in Seoul. At first, there was no trust at all.\nIt took two years."
    assert [i for _, _, i in turns[1:]] == [True, False, True, False]


def test_markdown_bold_headers() -> None:
    turns = turns_of("interview_headers.md")
    assert turns[0] == (None, "# Focus group 2", False)
    assert [(s, i) for s, _, i in turns[1:]] == [
        ("Moderator", True), ("Ana", False), ("Moderator", True), ("Ben", False)
    ]
    assert turns[2][1] == "I coordinate volunteers. We are a small NGO."


def test_caps_label_on_own_line_with_crlf() -> None:
    (t,) = read_transcripts(DATA / "interview_caps_crlf.txt")
    assert "\r" not in t.text
    assert [x.speaker for x in t.turns] == ["INTERVIEWER", "RESPONDENT"] * 2
    assert t.text[t.turns[1].start : t.turns[1].end] == "About ten years. Maybe more."
    # offsets map back to the CRLF source file
    raw = (DATA / "interview_caps_crlf.txt").read_bytes().decode("utf-8")
    s = segment_transcript(t)[2]
    start, end = t.to_source_offset(s.start), t.to_source_offset(s.end)
    assert raw[start:end] == s.text == "Maybe more."


def test_brackets_with_bom() -> None:
    turns = turns_of("interview_brackets_bom.txt")
    assert [(s, i) for s, _, i in turns] == [("Q", True), ("A", False), ("Q", True), ("A", False)]
    assert turns[1][1] == "Because of my sister. She volunteered first."


def test_cp1252_text_is_decoded() -> None:
    turns = turns_of("interview_cp1252.txt")
    assert turns[1][1] == "Café y más café. Es difícil."


def test_numbered_speakers() -> None:
    turns = turns_of("interview_numbered.txt")
    assert [s for s, _, _ in turns] == ["Interviewer 1", "Interviewer 2", "Participant 4",
                                        "Interviewer 1", "Participant 4"]  # fmt: skip
    assert [i for _, _, i in turns] == [True, True, False, True, False]


def test_user_names_the_interviewer() -> None:
    (t,) = read_transcripts(DATA / "interview_colon.txt", ReadOptions(interviewers=("min-jun",)))
    assert {x.speaker for x in t.turns if x.is_interviewer} == {"Interviewer", "Min-jun"}


def test_vtt_voices_and_times() -> None:
    (t,) = read_transcripts(DATA / "recording.vtt")
    sentences = segment_transcript(t)
    check_offsets(t, sentences)
    assert [(s.speaker, s.text) for s in sentences] == [
        ("Interviewer", "How did you start working here?"),
        ("Maria Lopez", "I came in 2019."),
        ("Maria Lopez", "It was hard but we managed."),
        ("Maria Lopez", "Really."),
    ]
    assert sentences[0].is_interviewer
    # a sentence spanning two captions takes the first's start and the last's end
    assert (sentences[2].start_time, sentences[2].end_time) == (4.5, 10.25)
    assert (sentences[1].start_time, sentences[1].end_time) == (4.5, 8.0)


def test_srt_name_prefixes() -> None:
    (t,) = read_transcripts(DATA / "recording.srt")
    assert [(x.speaker, t.text[x.start : x.end]) for x in t.turns] == [
        ("Interviewer", "What do you remember?"),
        ("Sam", "The first winter. Everyone helped."),
        ("Interviewer", "Why?"),
    ]
    assert t.turns[1].start_time == 3.5


def test_csv_answers_with_attributes_and_empty_answer() -> None:
    transcripts = read_transcripts(DATA / "answers.csv")
    assert [t.id for t in transcripts] == ["r1", "r2"]  # r3 has no answer
    assert dict(transcripts[0].participants) == {"r1": {"group": "NK"}}
    s = segment_transcript(transcripts[0])
    assert [x.text for x in s] == ["We need trust.", "Trust takes time."]
    assert s[0].attributes["group"] == "NK"


def test_csv_cp1252_semicolon() -> None:
    transcripts = read_transcripts(DATA / "answers_cp1252_semicolon.csv")
    assert [t.id for t in transcripts] == ["x1", "x2"]
    assert transcripts[0].text == "Café culture matters. It really does."


def test_csv_named_column_missing_is_clear() -> None:
    with pytest.raises(InputError, match=r"answers.csv: no text column named 'reply'; columns are: id, group, answer"):
        read_transcripts(DATA / "answers.csv", ReadOptions(text_column="reply"))


def test_turn_table_csv_continuation_and_initials() -> None:
    (t,) = read_transcripts(DATA / "turns.csv")
    assert [(x.speaker, t.text[x.start : x.end], x.is_interviewer) for x in t.turns] == [
        ("Devin Becker", "So how do you write?", True),
        ("Devin Becker", "Do you use paper?", True),
        ("Rae Armantrout", "Mostly paper. Then the computer.", False),
        ("Devin Becker", "Why paper?", True),
        ("Rae Armantrout", "It feels freer.", False),
    ]


def test_xlsx_answers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "text"])
    ws.append(["a1", "First answer. Second sentence."])
    ws.append([2, "Numeric id answer."])
    wb.save(tmp_path / "survey.xlsx")
    transcripts = read_transcripts(tmp_path / "survey.xlsx")
    assert [(t.id, t.text) for t in transcripts] == [
        ("a1", "First answer. Second sentence."), ("2", "Numeric id answer.")
    ]


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: How did it go?")
    document.add_paragraph("Sofia: Badly at first. Then better.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Interviewer", "Why?"
    table.cell(1, 0).text, table.cell(1, 1).text = "Sofia", "We learned to listen."
    document.save(tmp_path / "p2.docx")
    (t,) = read_transcripts(tmp_path / "p2.docx")
    sentences = segment_transcript(t)
    check_offsets(t, sentences)
    assert [(s.speaker, s.text) for s in sentences] == [
        ("Interviewer", "How did it go?"),
        ("Sofia", "Badly at first."),
        ("Sofia", "Then better."),
        ("Interviewer", "Why?"),
        ("Sofia", "We learned to listen."),
    ]


def test_html_page(tmp_path: Path) -> None:
    page = tmp_path / "oral.htm"
    page.write_bytes(
        b'<html><head><meta charset="windows-1252"><title>T</title></head><body>'
        b"<p>MSM:\t\tWhat was it like?</p><p>Ken:\tIt was fun. We\x92d work late.</p>"
        b"<p>MSM: Really?</p><p>Ken: Yes.</p></body></html>"
    )
    (t,) = read_transcripts(page)
    assert [x.speaker for x in t.turns] == ["MSM", "Ken", "MSM", "Ken"]
    assert t.text[t.turns[1].start : t.turns[1].end] == "It was fun. We’d work late."


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("broken.docx", "not a valid .docx file"),
        ("binary.txt", "looks like a binary file"),
        ("empty.txt", "the file is empty"),
        ("missing.txt", "file not found"),
        ("badutf16.txt", "invalid UTF-16"),
    ],
)
def test_bad_files_name_file_and_problem(name: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        read_transcripts(DATA / name)
    assert str(info.value).startswith(str(DATA / name))
    assert problem in str(info.value)


def test_unsupported_suffix() -> None:
    with pytest.raises(InputError, match="unsupported file type '.pdf'"):
        read_transcripts(DATA / "x.pdf")
    with pytest.raises(InputError, match="a REFI-QDA project: import it first \\(nlpthemes import study.qdpx"):
        read_transcripts(DATA / "study.qdpx")


def test_folder_reads_good_files_and_reports_bad_ones() -> None:
    corpus = read_corpus([DATA], attributes=DATA / "attributes.csv")
    bad = sorted(Path(p).name for p, _ in corpus.errors)
    assert bad == ["badutf16.txt", "binary.txt", "broken.docx", "empty.txt"]
    assert corpus.explicit_errors == []
    ids = [t.id for t in corpus]
    assert {"interview_colon", "recording", "recording.vtt", "r1", "x2", "turns"} <= set(ids)
    assert "attributes" not in ids
    assert ids.index("interview_colon") < ids.index("interview_numbered")  # sorted


def test_attributes_csv_and_yaml_attach_to_speakers() -> None:
    corpus = read_corpus([DATA / "interview_colon.txt"], attributes=DATA / "attributes.csv")
    (t,) = corpus.transcripts
    s = [x for x in segment_transcript(t) if x.speaker == "Min-jun"]
    assert s and all(dict(x.attributes) == {"group": "North Korean", "years": "12"} for x in s)
    corpus = read_corpus([DATA / "interview_headers.md"], attributes=DATA / "attributes.yaml")
    assert corpus.transcripts[0].participants["Ben"] == {"group": "South Korean", "years": "7"}
    assert "Ana" not in corpus.transcripts[0].participants  # the CSV row, not the YAML


def test_attributes_without_speaker_column(tmp_path: Path) -> None:
    bad = tmp_path / "attrs.csv"
    bad.write_text("name,group\nAna,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="attrs.csv: needs a 'speaker' or 'transcript' column"):
        read_corpus([DATA / "interview_headers.md"], attributes=bad)

"""Importing a hand-built REFI-QDA project into a folder of nlpthemes inputs."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.io.refi import import_project, read_project
from nlpthemes.io.refi._text import decode_source

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"
MINIMAL = DATA / "minimal.qdpx"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    result = import_project(MINIMAL, tmp_path / "out")
    assert result.problems == []
    assert (result.users, result.codes, result.transcripts, result.selections,
            result.codings, result.memos) == (2, 6, 2, 4, 7, 3)
    return tmp_path / "out"


def test_transcripts_keep_the_stored_text_exactly(folder: Path) -> None:
    with zipfile.ZipFile(MINIMAL) as archive:
        stored = next(archive.read(n) for n in archive.namelist() if n.endswith("1.txt"))
    assert (folder / "transcripts" / "interview_crlf.txt").read_bytes() == stored  # BOM, CRLF
    assert (folder / "transcripts" / "inline answer.txt").read_text(encoding="utf-8") == (
        "Short answer: we want X.\nAnother line.")


def test_codings_point_at_the_coded_text(folder: Path) -> None:
    codings = rows(folder / "codings.csv")
    texts = {p.stem: decode_source(p.read_bytes()).text
             for p in (folder / "transcripts").glob("*.txt")}
    quotes = [(r["coder"], r["code"], texts[r["transcript"]][int(r["start"]):int(r["end"])])
              for r in codings]
    assert quotes == [
        ("ana coder", "Positive", "we learned a lot."),
        ("ben", "Positive", "we learned a lot."),
        ("ana coder", "Aims > Objectives > Activity", "we aim to reach every school."),
        ("ben", "Aims > Activity", "we aim to reach every school."),
        ("ben", "Objectives", "a lot.\nAna: Next"),  # spans a CRLF in the source
        ("ben", "Feelings", texts["interview_crlf"]),  # a coding of the whole source
        ("ana coder", "Objectives", "we want X"),
    ]
    book = read_codebook(folder / "codebook.csv")
    assert {book.find(r["code"]).id for r in codings} >= {"c0000000-0000-4000-8000-000000000003"}


def test_every_selection_matches_its_refi_span(folder: Path) -> None:
    project = read_project(MINIMAL)
    for source in project.sources:
        assert source.text is not None
        for sel in source.selections:
            stored = source.text.stored[sel.start:sel.end]
            start, end = source.text.to_offset(sel.start), source.text.to_offset(sel.end)
            assert source.text.text[start:end] == stored.replace("\r\n", "\n")


def test_codebook_keeps_guids_criteria_and_colours(folder: Path) -> None:
    book = read_codebook(folder / "codebook.csv")
    aims = book.find("Aims")
    assert (aims.id, aims.codable, aims.color) == (
        "c0000000-0000-4000-8000-000000000001", False, "#FF0000")
    assert (aims.description, aims.inclusion, aims.examples) == (
        "Why the project exists.", "stated goals", ("we aim",))
    assert book.path(book["c0000000-0000-4000-8000-000000000003"]) == (
        "Aims > Objectives > Activity")


def test_attributes_and_memos(folder: Path) -> None:
    assert rows(folder / "attributes.csv") == [
        {"transcript": "inline answer", "speaker": "", "age": "", "group": "survey"},
        {"transcript": "interview_crlf", "speaker": "Ana", "age": "34", "group": "teachers"},
    ]
    assert rows(folder / "memos.csv") == [
        {"memo": "Project memo", "author": "ana coder", "attached_to": "project",
         "text": "Overall impressions."},
        {"memo": "Code memo", "author": "", "attached_to": "code:Objectives",
         "text": "Objectives need care."},
        {"memo": "Quote memo", "author": "ben", "attached_to": "selection:interview_crlf:91:120",
         "text": "A clear aim."},
    ]
    identities = json.loads((folder / "refi.json").read_text(encoding="utf-8"))
    assert identities["project"] == {"name": "minimal", "origin": "hand-built",
                                     "offset_unit": "codepoint"}
    assert [u["coder"] for u in identities["users"]] == ["ana coder", "ben"]


def test_utf16_offsets_shift_after_the_emoji(tmp_path: Path) -> None:
    import_project(MINIMAL, tmp_path / "a", offset_unit="utf16")
    by_code = {r["code"]: r for r in rows(tmp_path / "a" / "codings.csv")}
    # positions after the emoji were written in code points, so read as UTF-16 they land
    # one character earlier: the option exists for projects from UTF-16 tools
    assert by_code["Positive"]["start"] == "57"


def test_problems_are_reported_not_raised(tmp_path: Path) -> None:
    qde = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Users><User guid="'
           '11111111-1111-4111-8111-111111111111" name="u"/></Users><CodeBook><Codes>'
           '<Code guid="c0000000-0000-4000-8000-000000000001" name="A" isCodable="true"/>'
           '<Code guid="c0000000-0000-4000-8000-000000000002" name="A" isCodable="true"/>'
           '</Codes></CodeBook><Sources>'
           '<TextSource guid="50000000-0000-4000-8000-000000000001" name="t">'
           '<PlainTextContent>hello</PlainTextContent>'
           '<PlainTextSelection guid="a0000000-0000-4000-8000-000000000001" startPosition="2" '
           'endPosition="99"/>'
           '<PlainTextSelection guid="a0000000-0000-4000-8000-000000000002" startPosition="0" '
           'endPosition="5"><Coding guid="b0000000-0000-4000-8000-000000000001"><CodeRef '
           'targetGUID="c0000000-0000-4000-8000-000000000009"/></Coding></PlainTextSelection>'
           '</TextSource><TextSource guid="50000000-0000-4000-8000-000000000002" name="gone" '
           'plainTextPath="file:///C:/elsewhere/gone.txt"/></Sources></Project>')
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    result = import_project(path, tmp_path / "out")
    assert result.transcripts == 1 and result.codings == 0
    joined = "\n".join(result.problems)
    assert "name 'A' renamed 'A (2)'" in joined
    assert "[2, 99) lies outside the text (length 5)" in joined
    assert "unknown code c0000000-0000-4000-8000-000000000009" in joined
    assert "'file:///C:/elsewhere/gone.txt' is not in the archive" in joined


def test_the_corpus_reader_sees_the_same_text_and_offsets(folder: Path) -> None:
    from nlpthemes.io import read_corpus

    corpus = read_corpus(folder / "transcripts")
    assert corpus.errors == []
    for transcript in corpus:
        mine = decode_source((folder / "transcripts" / f"{transcript.id}.txt").read_bytes())
        assert (transcript.text, transcript.newline_offsets) == (mine.text, mine.newline_offsets)
        for row in rows(folder / "codings.csv"):
            if row["transcript"] == transcript.id:
                start = transcript.to_source_offset(int(row["start"]))
                assert start == mine.to_position(int(row["start"]))


def test_an_earlier_import_is_replaced_only_when_asked(folder: Path, tmp_path: Path) -> None:
    from nlpthemes.errors import InputError

    (folder / "transcripts" / "stale.txt").write_text("old", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="already holds codebook.csv.*--force"):
        import_project(MINIMAL, folder)
    import_project(MINIMAL, folder, overwrite=True)
    assert not (folder / "transcripts" / "stale.txt").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"

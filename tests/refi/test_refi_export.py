"""Exporting a folder as a .qdpx: lossless round-trips, suggestions as a coder, validation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from nlpthemes.errors import InputError
from nlpthemes.io.refi import (
    FACT_KINDS,
    diff_facts,
    export_project,
    import_project,
    read_project,
    schema_errors,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"
MINIMAL = DATA / "minimal.qdpx"
SUGGESTIONS = """transcript,sentence,start,end,text,code,score,rank,applied
interview_crlf,1,38,75,Ana: It was great \U0001F600 we learned a lot.,Positive,0.91,1,1
interview_crlf,1,38,75,Ana: It was great \U0001F600 we learned a lot.,Objectives,0.55,2,1
interview_crlf,1,38,75,Ana: It was great \U0001F600 we learned a lot.,Feelings,0.20,3,0
interview_crlf,2,76,120,Ana: Next time we aim to reach every school.,Aims > Activity,0.8,1,1
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    import_project(MINIMAL, tmp_path / "in")
    return tmp_path / "in"


def test_round_trip_without_original_keeps_every_fact_the_folder_holds(folder: Path,
                                                                       tmp_path: Path) -> None:
    result = export_project(folder, tmp_path / "out.qdpx")
    assert (result.users, result.codes, result.sources, result.selections, result.codings) == (
        2, 6, 2, 4, 7)
    after = read_project(tmp_path / "out.qdpx")
    assert schema_errors(after.tree) == []
    kinds = tuple(k for k in FACT_KINDS if k != "others")
    assert diff_facts(read_project(MINIMAL), after, kinds) == {}
    # PDF sources, links, sets and graphs need the original
    lost, gained = diff_facts(read_project(MINIMAL), after, ("others",))["others"]
    assert {kind for kind, _ in lost} == {"PDFSource", "Link", "Set", "Graph"} and not gained


def test_round_trip_with_original_is_lossless_and_keeps_unused_content(folder: Path,
                                                                       tmp_path: Path) -> None:
    export_project(folder, tmp_path / "out.qdpx", original=MINIMAL)
    assert diff_facts(read_project(MINIMAL), read_project(tmp_path / "out.qdpx")) == {}
    with zipfile.ZipFile(MINIMAL) as a, zipfile.ZipFile(tmp_path / "out.qdpx") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name != "project.qde":
                assert a.read(name) == b.read(name)


def test_a_second_round_trip_is_stable(folder: Path, tmp_path: Path) -> None:
    export_project(folder, tmp_path / "one.qdpx")
    import_project(tmp_path / "one.qdpx", tmp_path / "again")
    export_project(tmp_path / "again", tmp_path / "two.qdpx")
    one, two = read_project(tmp_path / "one.qdpx"), read_project(tmp_path / "two.qdpx")
    assert diff_facts(one, two) == {}
    for name in ("codings.csv", "codebook.csv", "attributes.csv", "memos.csv"):
        assert (folder / name).read_text() == (tmp_path / "again" / name).read_text()


@pytest.mark.parametrize("original", [None, MINIMAL])
def test_suggestions_become_a_machine_coder(folder: Path, tmp_path: Path,
                                            original: Path | None) -> None:
    (folder / "suggestions.csv").write_text(SUGGESTIONS, encoding="utf-8")
    result = export_project(folder, tmp_path / "out.qdpx", original=original,
                            model="all-MiniLM-L6-v2")
    assert result.suggestions == 2
    project = read_project(tmp_path / "out.qdpx")
    assert schema_errors(project.tree) == []
    machine = [u for u in project.users if u.name == "nlpthemes (all-MiniLM-L6-v2)"]
    assert len(machine) == 1
    source = next(s for s in project.sources if s.transcript == "interview_crlf")
    assert source.text is not None
    ours = [s for s in source.selections if s.user == machine[0].guid]
    # every CRLF before a span counts two positions
    assert [(s.start, s.end) for s in ours] == [(39, 76), (78, 122)]
    assert [source.text.stored[s.start:s.end] for s in ours][0] == (
        "Ana: It was great \U0001F600 we learned a lot.")
    assert ours[0].description == ("nlpthemes (all-MiniLM-L6-v2) suggestion: Positive score 0.910 "
                                   "(rank 1); Objectives score 0.550 (rank 2)")
    assert [len(s.codings) for s in ours] == [2, 1]
    assert all(c.user == machine[0].guid for s in ours for c in s.codings)
    # the humans' facts are untouched
    kinds = ("users", "codes", "codings") if original is None else FACT_KINDS
    lost = {k: a for k, (a, _) in diff_facts(read_project(MINIMAL), project, kinds).items() if a}
    assert lost == {}


def test_model_name_from_manifest(folder: Path, tmp_path: Path) -> None:
    (folder / "suggestions.csv").write_text(SUGGESTIONS, encoding="utf-8")
    (folder / "manifest.json").write_text('{"model": {"name": "tiny-model"}}')
    export_project(folder, tmp_path / "out.qdpx")
    assert "nlpthemes (tiny-model)" in {u.name for u in read_project(tmp_path / "out.qdpx").users}


def test_new_codings_codes_and_transcripts_are_added_to_the_original(folder: Path,
                                                                     tmp_path: Path) -> None:
    (folder / "transcripts" / "extra.txt").write_text("A new answer.\n", encoding="utf-8")
    with (folder / "codebook.csv").open("a", encoding="utf-8") as handle:
        handle.write("Negative,Bad feelings,Feelings,,,,true,,\n")
    with (folder / "codings.csv").open("a", encoding="utf-8") as handle:
        handle.write("extra,0,12,Negative,carol\ninline answer,0,5,Positive,ben\n")
    export_project(folder, tmp_path / "out.qdpx", original=MINIMAL)
    before, after = read_project(MINIMAL), read_project(tmp_path / "out.qdpx")
    assert schema_errors(after.tree) == []
    changes = diff_facts(before, after)
    assert all(not lost for lost, _ in changes.values())  # nothing of the original lost
    assert {u.name for u in after.users} == {"ana coder", "ben", "carol"}
    assert after.codebook is not None and after.codebook.find("Feelings > Negative")
    extra = next(s for s in after.sources if s.transcript == "extra")
    assert extra.text is not None and extra.text.text == "A new answer.\n"
    assert [(s.start, s.end) for s in extra.selections] == [(0, 12)]


def test_carried_over_elements_outside_the_schema_are_reported(tmp_path: Path) -> None:
    original = tmp_path / "odd.qdpx"
    with zipfile.ZipFile(MINIMAL) as src, zipfile.ZipFile(original, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = data.replace(b"<Links>", b'<Vendor xmlns="urn:x">keep me</Vendor><Links>')
            dst.writestr(name, data)
    import_project(original, tmp_path / "in")
    result = export_project(tmp_path / "in", tmp_path / "out.qdpx", original=original)
    assert "does not validate against Project.xsd" in result.problems[0]
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        assert b'<Vendor xmlns="urn:x">keep me</Vendor>' in archive.read("project.qde")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("codings.csv", "transcript,start,end,code,coder\nnope,0,1,Positive,x\n",
     "codings.csv: row 2: unknown transcript 'nope'"),
    ("codings.csv", "transcript,start,end,code,coder\ninterview_crlf,0,999,Positive,x\n",
     "row 2: span \\[0, 999\\) is outside"),
    ("codings.csv", "transcript,start,end,code,coder\ninterview_crlf,0,1,Activity,x\n",
     "row 2: code name 'Activity' is ambiguous"),
    ("codings.csv", "transcript,start,code,coder\ninterview_crlf,x,Positive,x\n",
     "row 2: start 'x' is not a whole number"),
    ("codings.csv", "transcript,code\n", "missing column\\(s\\) coder"),
    ("suggestions.csv", SUGGESTIONS.replace("we learned", "we forgot"),
     "suggestions.csv: row 2: text does not match 'interview_crlf' \\[38, 75\\)"),
    ("suggestions.csv", SUGGESTIONS.replace("0.91", "high"), "score 'high' is not a number"),
    ("refi.json", "[1, 2]", "expected a JSON object"),
])
def test_bad_folder_contents_name_file_and_row(folder: Path, tmp_path: Path, name: str,
                                               content: str, message: str) -> None:
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        export_project(folder, tmp_path / "out.qdpx")
    assert not (tmp_path / "out.qdpx").exists()


def test_quotes_locate_codings_and_minimal_folders_export(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    (folder / "transcripts").mkdir(parents=True)
    (folder / "transcripts" / "p1.txt").write_bytes(b"Hi.\r\nWe aim high.\r\n")
    (folder / "codebook.csv").write_text("code\nAims\n", encoding="utf-8")
    (folder / "codings.csv").write_text("transcript,text,code,coder\np1,We aim high.,Aims,ana\n",
                                        encoding="utf-8")
    export_project(folder, tmp_path / "out.qdpx")
    project = read_project(tmp_path / "out.qdpx")
    assert schema_errors(project.tree) == []
    [source] = project.sources
    assert source.text is not None
    [sel] = source.selections
    assert source.text.stored[sel.start:sel.end] == "We aim high."
    assert (sel.start, sel.end) == (5, 17)


def test_transcript_changed_since_import_is_refused_with_original(folder: Path,
                                                                  tmp_path: Path) -> None:
    (folder / "transcripts" / "inline answer.txt").write_text("edited", encoding="utf-8")
    (folder / "codings.csv").write_text("transcript,start,end,code,coder\n", encoding="utf-8")
    with pytest.raises(InputError, match="differs from the same source in the original"):
        export_project(folder, tmp_path / "out.qdpx", original=MINIMAL)


def test_folder_without_transcripts(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        export_project(tmp_path / "missing", tmp_path / "out.qdpx")
    with pytest.raises(InputError, match="no transcripts"):
        export_project(tmp_path, tmp_path / "out.qdpx")

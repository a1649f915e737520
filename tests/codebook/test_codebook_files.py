"""Codebook files: CSV, YAML, XLSX and .qdc read and written, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpthemes.codebook import Code, Codebook
from nlpthemes.errors import InputError
from nlpthemes.io.codebook_files import codebook_from_rows, read_codebook, write_codebook
from nlpthemes.io.refi.qdc import compose_description, split_description

CSV = """code,description,parent,examples,inclusion,exclusion,codable
Aims,Why the project exists,,,,,false
Objectives,Goals set,Aims,we want X|we aim at Y,explicit goals,wishes,
Activity,Things done,Aims > Objectives,,,,
Activity,Other things,Aims,,,,
"""


def full_book() -> Codebook:
    return Codebook([
        Code("A", "Aims", "Why", codable=False, color="#123456"),
        Code("A > O", "Objectives", "Goals\nover lines", parent="A",
             examples=("we want X", "line one\nline two"), inclusion="explicit",
             exclusion="wishes"),
        Code("A > O > X", "Activity", parent="A > O"),
        Code("A > X", "Activity", "other", parent="A"),
        Code("F", "Feelings", examples=("one example\nover two lines",)),
    ])


def test_read_csv_with_parent_names_and_paths(tmp_path: Path) -> None:
    (tmp_path / "cb.csv").write_text(CSV, encoding="utf-8")
    book = read_codebook(tmp_path / "cb.csv")
    assert [book.path(c) for c in book] == [
        "Aims", "Aims > Objectives", "Aims > Objectives > Activity", "Aims > Activity"]
    objectives = book.find("Objectives")
    assert objectives.examples == ("we want X", "we aim at Y")
    assert (objectives.inclusion, objectives.exclusion) == ("explicit goals", "wishes")
    assert not book.find("Aims").codable and objectives.codable
    assert objectives.id == "Aims > Objectives"  # no id column: the path


def test_csv_needs_only_the_code_column_and_accepts_a_bom(tmp_path: Path) -> None:
    (tmp_path / "cb.csv").write_bytes("\ufeffCode,notes\nA,x\nB,y\n".encode())
    assert [c.name for c in read_codebook(tmp_path / "cb.csv")] == ["A", "B"]


@pytest.mark.parametrize("suffix", [".csv", ".yaml", ".xlsx", ".qdc"])
def test_round_trip_every_format(tmp_path: Path, suffix: str) -> None:
    book = full_book()
    if suffix == ".csv":  # '|' separates examples in CSV; a newline inside one is fine
        pass
    path = tmp_path / f"cb{suffix}"
    write_codebook(book, path)
    back = read_codebook(path)
    if suffix == ".qdc":  # ids become GUIDs
        assert [back.path(c) for c in back.walk()] == [book.path(c) for c in book.walk()]
        for a, b in zip(book.walk(), back.walk(), strict=True):
            assert (a.description, a.examples, a.inclusion, a.exclusion, a.codable, a.color) == (
                b.description, b.examples, b.inclusion, b.exclusion, b.codable, b.color)
    else:
        assert list(back.walk()) == list(book.walk())


def test_yaml_nested_children(tmp_path: Path) -> None:
    (tmp_path / "cb.yml").write_text(
        "codes:\n"
        "  - code: Aims\n    codable: false\n    children:\n"
        "      - name: Objectives\n        examples: a|b\n"
        "        children: [{code: Activity, description: done}]\n", encoding="utf-8")
    book = read_codebook(tmp_path / "cb.yml")
    assert book.path(book.find("Activity")) == "Aims > Objectives > Activity"
    assert book.find("Objectives").examples == ("a", "b")


@pytest.mark.parametrize(("text", "message"), [
    ("code,parent\nA,\nB,Nope\n", "row 3: unknown parent 'Nope'"),
    ("code,parent\nA,\nX,A\nX,A\n", "row 4: code 'X' repeats row 3 under the same parent"),
    ("code,parent\nA,B\nB,A\n", "cycle"),
    ("definition,notes\nA,x\n", "no column of code names .*'definition', 'notes'"),
    ("code\n", "no codes"),
    ("", "empty"),
    ("code,parent\nA,\nB,\nX,A\nX,B\nY,X\n", "row 6: parent 'X' is ambiguous.*'A > X' or 'B > X'"),
    ("code,parent\nA,\nX,A\nY,B > X\n", "row 4: unknown parent 'B > X'"),
    ("code,codable\nA,maybe\n", "row 2: 'codable' must be true or false"),
    ("code,description\n,x\n", "row 2: the 'code' cell is empty"),
    ("code,code\nA,B\n", "columns 'code' and 'code' both hold the codes' names"),
    ("code,definition,description\nA,x,y\n", "columns 'definition' and 'description' both hold the codes' definitions"),
    ("code,color\nA,blue\n", "colour 'blue'"),
    ("Definition,Notes\nx,y\n", "no column of code names \\(columns found: 'Definition', 'Notes'\\)"),
    ("Code,Theme,Category\nA,x,y\n", "columns 'Theme' and 'Category' both hold the codes' parents or groups"),
    # a parent column whose values are partly codes is not a grouping column: a typo stays an error
    ("code,parent\nA,\nB,A\nC,Aa\n", "row 4: unknown parent 'Aa'"),
])
def test_csv_errors_name_file_and_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cb.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_codebook(path)
    assert str(info.value).startswith(str(path))


@pytest.mark.parametrize(("text", "message"), [
    ("- code: A\n  descripton: x\n", "code 'A': unknown key 'descripton'"),
    ("- description: x\n", "has no 'code'"),
    ("just a string\n", "expected a list of codes"),
    ("- code: A\n  children: x\n", "'children' must be a list"),
    ("- code: A\n- code: A\n", "'A' is used twice"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_yaml_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "cb.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_codebook(tmp_path / "cb.yaml")


def test_unknown_format_missing_file_and_bad_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown codebook format '.txt'"):
        read_codebook(tmp_path / "cb.txt")
    with pytest.raises(InputError, match="cannot write a codebook as '.json'"):
        write_codebook(full_book(), tmp_path / "cb.json")
    with pytest.raises(InputError, match="cannot write a codebook as '.docx'"):  # read only
        write_codebook(full_book(), tmp_path / "cb.docx")
    with pytest.raises(InputError, match="file not found"):
        read_codebook(tmp_path / "missing.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_codebook(tmp_path / "bad.xlsx")


def test_csv_refuses_an_example_containing_the_separator(tmp_path: Path) -> None:
    book = Codebook([Code("a", "A", examples=("x | y",))])
    with pytest.raises(InputError, match="contains '|'"):
        write_codebook(book, tmp_path / "cb.csv")
    write_codebook(book, tmp_path / "cb.yaml")
    assert read_codebook(tmp_path / "cb.yaml").find("A").examples == ("x | y",)


def test_rows_in_any_order_resolve_paths_through_repeated_names() -> None:
    rows = [{"code": "g", "parent": "r > c > g"}, {"code": "g", "parent": "r > c"},
            {"code": "c", "parent": "r"}, {"code": "r"}]
    book = codebook_from_rows(rows)
    assert sorted(book.path(c) for c in book) == ["r", "r > c", "r > c > g", "r > c > g > g"]


_field = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(description=_field, inclusion=_field, exclusion=_field,
       examples=st.lists(_field, max_size=3))
def test_description_block_round_trips(description: str, inclusion: str, exclusion: str,
                                       examples: list[str]) -> None:
    markers = ("Inclusion: ", "Exclusion: ", "Examples:", "- ", "  ")
    lines = description.split("\n")
    if "\n\n" in description or any(line.startswith(markers) for line in lines):
        return  # a definition that itself looks like the block is read as the block
    code = Code("x", "X", description, examples=tuple(examples), inclusion=inclusion,
                exclusion=exclusion)
    assert split_description(compose_description(code)) == (
        description, inclusion, exclusion, tuple(examples))

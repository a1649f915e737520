"""Codebook tables as researchers type them: their column names, Excel's encodings, grouping columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlpthemes.codebook import Codebook
from nlpthemes.io.codebook_files import read_codebook

REPO = Path(__file__).resolve().parents[2]
PDPILOT_BOOK = REPO / "data" / "pdpilot" / "codebook.csv"


def _rewrite(source: Path, target: Path, header: list[str], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with target.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([header, *rows[1:]])


def _book(folder: Path, text: str) -> Codebook:
    """The codebook a CSV of ``text`` reads to."""
    (folder / "cb.csv").write_text(text, encoding="utf-8")
    return read_codebook(folder / "cb.csv")


def test_usual_column_names_read_the_shipped_codebook_unchanged(tmp_path: Path) -> None:
    """The PDPilot codebook with 'Code name, Definition, Parent code' headers, saved by Excel on
    Windows (cp1252, semicolons), reads to the same codes, paths and definitions."""
    original = read_codebook(PDPILOT_BOOK)
    renamed = tmp_path / "codebook.csv"
    _rewrite(PDPILOT_BOOK, renamed, ["Code name", "Definition", "Parent code"], encoding="cp1252", delimiter=";")
    book = read_codebook(renamed)
    assert [book.path(c) for c in book] == [original.path(c) for c in original]
    assert [c.description for c in book] == [c.description for c in original]
    assert sum(bool(c.description) for c in book) >= 10  # the definitions are there to be read
    assert book.notes == ()


def test_columns_not_read_are_named_not_dropped_silently(tmp_path: Path) -> None:
    path = tmp_path / "cb.csv"
    path.write_text("Code,Meaning,Memo to self,Inclusion criteria,When not to use,Example quotes\n"
                    "Trust,Trust between partners,check,explicit trust,contracts,we trusted them\n", encoding="utf-8")
    book = read_codebook(path)
    code = book.find("Trust")
    assert (code.description, code.inclusion, code.exclusion, code.examples) == (
        "Trust between partners", "explicit trust", "contracts", ("we trusted them",))
    assert book.notes == ("cb.csv: columns not read: 'Memo to self'",)
    listed = _book(tmp_path, 'Code,Example quotes\nTrust,"- we trusted them\n- no deal without a contract"\n')
    assert listed.find("Trust").examples == ("we trusted them", "no deal without a contract")  # one per line


def test_a_theme_column_groups_codes_and_blank_cells_continue_the_group(tmp_path: Path) -> None:
    book = _book(tmp_path, "Theme,Code,Definition\n"
                           "Funding,Grant writing,Writing grant applications\n"
                           ",Budget cuts,Money taken away\n"
                           "Support,Peer support,Support from other managers\n"
                           "Funding,Donors,Private donors\n")
    assert [book.path(c) for c in book] == ["Funding", "Funding > Grant writing", "Funding > Budget cuts",
                                            "Support", "Support > Peer support", "Funding > Donors"]  # fmt: skip
    assert [c.name for c in book if not c.codable] == ["Funding", "Support"]
    assert book.notes[0].startswith("cb.csv: 2 groups from the column 'Theme'")
    assert "1 blank cells" in book.notes[1]


def test_merged_theme_cells_of_an_excel_codebook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["Category", "Code label", "Description"], ["Access", "Distance", "Too far to travel"],
                [None, "Cost", "Fares and fees"], ["Quality", "Staff", "How staff behaved"],
                [None, "Waiting", "Waiting times"]):  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("A4:A5")
    workbook.save(tmp_path / "cb.xlsx")
    book = read_codebook(tmp_path / "cb.xlsx")
    assert [book.path(c) for c in book if c.codable] == ["Access > Distance", "Access > Cost", "Quality > Staff",
                                                          "Quality > Waiting"]  # fmt: skip
    assert book.find("Cost").description == "Fares and fees"


def test_a_column_of_code_ids_beside_the_names(tmp_path: Path) -> None:
    path = tmp_path / "cb.csv"
    path.write_text("Code,Label,Definition\nC01,Trust,Trust between partners\nC02,Money,Funding\n", encoding="utf-8")
    book = read_codebook(path)
    assert [(c.id, c.name) for c in book] == [("C01", "Trust"), ("C02", "Money")]


def test_a_table_of_themes_without_a_code_column(tmp_path: Path) -> None:
    path = tmp_path / "cb.csv"
    path.write_text("Theme,Description\nBelonging,Feeling part of a group\nLoss,Losing family or home\n",
                    encoding="utf-8")
    book = read_codebook(path)
    assert [(c.name, c.description, c.codable) for c in book] == [
        ("Belonging", "Feeling part of a group", True), ("Loss", "Losing family or home", True)]


def test_a_codebook_typed_as_a_table_in_a_word_document(tmp_path: Path) -> None:
    """The first table with a column of code names; other tables (a contents table) are passed over, and a
    theme cell merged down the rows gives each row its group."""
    import docx

    document = docx.Document()
    document.add_paragraph("Codebook for the NGO study, version 3.")
    contents = document.add_table(rows=2, cols=2)
    contents.cell(0, 0).text, contents.cell(0, 1).text = "Section", "Page"
    contents.cell(1, 0).text, contents.cell(1, 1).text = "Codes", "2"
    table = document.add_table(rows=4, cols=3)
    for i, row in enumerate([("Theme", "Code", "Definition"), ("Funding", "Grant writing", "Writing applications"),
                             ("", "Budget cuts", "Money taken away"), ("Support", "Peer support", "Other managers")]):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    document.save(str(tmp_path / "codebook.docx"))
    book = read_codebook(tmp_path / "codebook.docx")
    assert [book.path(c) for c in book if c.codable] == ["Funding > Grant writing", "Funding > Budget cuts",
                                                          "Support > Peer support"]  # fmt: skip
    assert book.find("Budget cuts").description == "Money taken away"


def test_a_word_document_without_a_codebook_table_is_named(tmp_path: Path) -> None:
    import docx

    from nlpthemes.errors import InputError

    document = docx.Document()
    document.add_paragraph("Interview notes, no table here.")
    document.save(str(tmp_path / "notes.docx"))
    with pytest.raises(InputError, match="notes.docx: no table with a column of code names among its 0 tables"):
        read_codebook(tmp_path / "notes.docx")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="broken.docx: not a valid .docx file"):
        read_codebook(tmp_path / "broken.docx")


def test_themes_sub_themes_and_codes(tmp_path: Path) -> None:
    book = _book(tmp_path, "Theme,Sub-theme,Code,Definition\n"
                           "Funding,Applications,Grant writing,Writing grant applications\n"
                           ",,Reporting,Reports to funders\n"
                           ",Cuts,Budget cuts,Money taken away\n"
                           "Support,,Peer support,Other managers\n")
    assert [book.path(c) for c in book if c.codable] == [
        "Funding > Applications > Grant writing", "Funding > Applications > Reporting",
        "Funding > Cuts > Budget cuts", "Support > Peer support"]  # fmt: skip
    assert [c.name for c in book if not c.codable] == ["Funding", "Applications", "Cuts", "Support"]
    themes = _book(tmp_path, "Theme,Subtheme,Description\nBelonging,Family,Family ties\n,Peers,Friends\n")
    assert [themes.path(c) for c in themes if c.codable] == ["Belonging > Family", "Belonging > Peers"]

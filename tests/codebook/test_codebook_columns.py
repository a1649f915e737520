"""Codebook tables as researchers type them: their column names, Excel's encodings, grouping columns."""

from __future__ import annotations

import csv
from pathlib import Path

from nlpthemes.io.codebook_files import read_codebook

REPO = Path(__file__).resolve().parents[2]
PDPILOT_BOOK = REPO / "data" / "pdpilot" / "codebook.csv"


def _rewrite(source: Path, target: Path, header: list[str], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with target.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([header, *rows[1:]])


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


def test_a_theme_column_groups_codes_and_blank_cells_continue_the_group(tmp_path: Path) -> None:
    path = tmp_path / "cb.csv"
    path.write_text("Theme,Code,Definition\n"
                    "Funding,Grant writing,Writing grant applications\n"
                    ",Budget cuts,Money taken away\n"
                    "Support,Peer support,Support from other managers\n"
                    "Funding,Donors,Private donors\n", encoding="utf-8")
    book = read_codebook(path)
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

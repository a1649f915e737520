"""``results.xlsx``: one sheet per table, for coders who work in Excel."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlpthemes.io._atomic import atomic_path

__all__ = ["write_workbook"]

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML (and so XLSX) cannot hold
_MAX_CELL = 32767


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)[:_MAX_CELL]
    return value


def _text_cell(sheet: Any, value: str) -> Any:
    """A cell that holds ``value`` as text (openpyxl would read a leading ``=`` as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_workbook(sheets: Mapping[str, Any], path: str | Path) -> Path:
    """Write each DataFrame to its own sheet (name cut to 31 characters), atomically.

    Text is always stored as text, never as a formula: a transcript line
    starting with ``=`` stays a string (no formula injection).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, openpyxl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.xlsx"
    >>> _ = write_workbook({"quotes": pd.DataFrame({"text": ["=1+1", "ok"], "n": [1, 2]})}, p)
    >>> ws = openpyxl.load_workbook(p)["quotes"]
    >>> ws["A2"].value, ws["A2"].data_type, ws["B3"].value
    ('=1+1', 's', 2)
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "_", name)[:31])
        header = []
        for column in frame.columns:
            cell = WriteOnlyCell(sheet, value=str(column))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in frame.itertuples(index=False):
            sheet.append([_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v
                          for v in map(_cell, row)])  # fmt: skip
    out = Path(path)
    with atomic_path(out) as tmp:
        book.save(tmp)
    return out

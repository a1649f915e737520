"""The one CSV writer of every output table (UTF-8, written atomically), and the delimiter guess of every CSV read."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlpthemes.io._atomic import atomic_text

__all__ = ["guess_delimiter", "write_csv"]


def write_csv(
    path: str | Path, table: Any, columns: Sequence[str] | None = None, *, lineterminator: str = "\r\n"
) -> None:
    """Write ``table`` (a pandas DataFrame, or a sequence of row dicts) to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        The file to write (replaced in one step: a reader never sees half of it).
    table : DataFrame or sequence of dict
        A DataFrame is written by ``to_csv`` without its index; rows are
        written by :class:`csv.DictWriter` (RFC 4180 quoting).
    columns : sequence of str, optional
        Rows only: the header and field order; default the first row's keys
        (no rows and no columns: an empty file).
    lineterminator : str, default="\\r\\n"
        Line end (RFC 4180's by default; some tables use ``"\\n"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(p, [{"a": 1, "b": "x, y"}])
    >>> p.read_bytes()
    b'a,b\\r\\n1,"x, y"\\r\\n'
    """
    with atomic_text(path, newline="") as handle:
        if hasattr(table, "to_csv"):
            table.to_csv(handle, index=False, lineterminator=lineterminator)
            return
        rows = list(table)
        header = list(columns) if columns is not None else (list(rows[0]) if rows else [])
        if not header:
            return
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator=lineterminator)
        writer.writeheader()
        writer.writerows(rows)


def guess_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most consistent columns.

    Examples
    --------
    >>> guess_delimiter("id;text\\n1;a, b\\n2;c")
    ';'
    >>> guess_delimiter('id,text\\n1,"a; b"\\n2,c')
    ','
    """
    sample = text[:50000]
    best, best_score = ",", -1.0
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r][:50]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = sum(len(r) == width for r in rows) / len(rows) + 0.001 * min(width, 20)
        if score > best_score:
            best, best_score = delimiter, score
    return best

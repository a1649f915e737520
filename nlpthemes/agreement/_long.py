"""The long agreement format ``unit,coder,code``: reading, checking and reshaping.

One row per code applied. A coder with no row for a unit did not code it
(missing); a row with an empty ``code`` means the coder coded the unit and
applied no code: the code is absent for per-code metrics, and the unit's value
is the category ``"(none)"`` in the overall metrics (an empty set of codes in
multi-label data).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nlpthemes.errors import InputError

__all__ = [
    "NONE_CODE",
    "code_presence",
    "is_multi_label",
    "normalize_long",
    "observed_codes",
    "read_csv_table",
    "read_long_csv",
    "unit_values",
]

NONE_CODE = "(none)"


def normalize_long(
    frame: pd.DataFrame,
    *,
    unit_column: str = "unit",
    coder_column: str = "coder",
    code_column: str = "code",
    source: str | Path | None = None,
) -> pd.DataFrame:
    """Check a long table and return it with columns ``unit, coder, code`` (+ ``text``).

    Values become stripped strings; a missing ``code`` becomes ``""``.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    unit_column, coder_column, code_column : str
        Which of its columns hold the unit, the coder and the code.
    source : path, optional
        The file, named in errors.

    Examples
    --------
    >>> df = pd.DataFrame({"u": ["1", "1"], "rater": ["A", "B"], "code": ["x", None]})
    >>> normalize_long(df, unit_column="u", coder_column="rater").to_dict("list")
    {'unit': ['1', '1'], 'coder': ['A', 'B'], 'code': ['x', '']}
    """
    names = {"unit": unit_column, "coder": coder_column, "code": code_column}
    for role, name in names.items():
        if name not in frame.columns:
            shown = ", ".join(map(str, frame.columns)) or "none"
            raise InputError(source, f"no {role} column {name!r} (columns: {shown})")
    if frame.empty:
        raise InputError(source, "no codings (empty input)")
    out = pd.DataFrame({role: frame[name] for role, name in names.items()})
    if "text" in frame.columns and "text" not in names.values():
        out["text"] = frame["text"]
    for column in out.columns:
        col = out[column].astype(object)
        col = col.where(col.notna(), "")
        out[column] = col.map(lambda v: str(v).strip()).astype(object)
    for role in ("unit", "coder"):
        blank = np.nonzero((out[role] == "").to_numpy())[0]
        if blank.size:
            raise InputError(source, f"row {int(blank[0]) + 2}: empty {role}")
    return out.drop_duplicates(subset=["unit", "coder", "code"]).reset_index(drop=True)


def read_csv_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (encoding detected) with every value as a string, kept as written."""
    from nlpthemes.io._decode import read_text_file

    text = read_text_file(Path(path)).text
    if not text.strip():
        raise InputError(path, "empty file: no codings")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"not a readable CSV ({exc})") from None


def read_long_csv(
    path: str | Path,
    *,
    unit_column: str = "unit",
    coder_column: str = "coder",
    code_column: str = "code",
) -> pd.DataFrame:
    """Read a ``unit,coder,code`` CSV (encoding detected); codes are kept as written.

    The column names can be changed; a missing one is an error that names it.

    Parameters
    ----------
    path : path
        The CSV file.
    unit_column, coder_column, code_column : str
        Column names.

    Returns
    -------
    DataFrame
        ``unit, coder, code`` (+ ``text`` when the file has one).
    """
    frame = read_csv_table(path)
    return normalize_long(
        frame,
        unit_column=unit_column,
        coder_column=coder_column,
        code_column=code_column,
        source=path,
    )


def is_multi_label(long: pd.DataFrame) -> bool:
    """Whether some coder applied more than one code to one unit."""
    applied = long.loc[long["code"] != "", ["unit", "coder"]]
    return bool(applied.duplicated().any())


def observed_codes(long: pd.DataFrame) -> list[str]:
    """The codes applied, sorted."""
    return sorted(set(long.loc[long["code"] != "", "code"]))


def _order(long: pd.DataFrame) -> tuple[list[str], list[str]]:
    return list(pd.unique(long["unit"])), sorted(pd.unique(long["coder"]))


def unit_values(long: pd.DataFrame, *, multi_label: bool | None = None) -> pd.DataFrame:
    """Units x coders table of each coder's value for each unit.

    Single-label data: the code, or ``"(none)"``; multi-label data: the frozenset
    of codes. ``NaN`` where the coder did not code the unit.

    Parameters
    ----------
    long : DataFrame
        Long format ``unit, coder, code``.
    multi_label : bool, optional
        Default: whether some coder gave a unit more than one code.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": ["1", "1", "2"], "coder": ["A", "B", "A"],
    ...                      "code": ["x", "", "y"]})
    >>> unit_values(long).to_dict("list")
    {'A': ['x', 'y'], 'B': ['(none)', nan]}
    """
    units, coders = _order(long)
    multi = is_multi_label(long) if multi_label is None else multi_label
    if multi:
        applied = long[long["code"] != ""]
        sets = applied.groupby(["unit", "coder"], sort=False)["code"].agg(frozenset)
        pairs = pd.MultiIndex.from_frame(long[["unit", "coder"]].drop_duplicates())
        found = sets.reindex(pairs).to_numpy(dtype=object)
        filled = [v if isinstance(v, frozenset) else frozenset() for v in found]
        values = pd.Series(filled, index=pairs, dtype=object)
    else:
        first = long.assign(_empty=long["code"] == "").sort_values("_empty", kind="stable")
        first = first.drop_duplicates(["unit", "coder"])
        codes = first["code"].where(first["code"] != "", NONE_CODE)
        values = pd.Series(
            codes.to_numpy(dtype=object),
            index=pd.MultiIndex.from_frame(first[["unit", "coder"]]),
            dtype=object,
        )
    wide = values.unstack("coder")
    return wide.reindex(index=units, columns=coders)


def code_presence(
    long: pd.DataFrame, codes: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Per code, a units x coders table: 1 if the coder applied it, 0 if not, NaN if not coded.

    Parameters
    ----------
    long : DataFrame
        Long format ``unit, coder, code``.
    codes : sequence of str, optional
        Codes to report (a declared code nobody used gets a table of zeros);
        default: the codes applied.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": ["1", "1", "1", "2"], "coder": ["A", "A", "B", "A"],
    ...                      "code": ["x", "y", "x", ""]})
    >>> code_presence(long)["y"].to_dict("list")
    {'A': [1.0, 0.0], 'B': [0.0, nan]}
    """
    units, coders = _order(long)
    wanted = observed_codes(long) if codes is None else list(codes)
    pairs = pd.MultiIndex.from_frame(long[["unit", "coder"]].drop_duplicates())
    applied = long.loc[long["code"] != "", ["unit", "coder", "code"]].drop_duplicates()
    if applied.empty:
        table = pd.DataFrame(index=pairs)
    else:
        table = pd.crosstab([applied["unit"], applied["coder"]], applied["code"])
        table = table.reindex(index=pairs, fill_value=0)
    out: dict[str, pd.DataFrame] = {}
    for code in wanted:
        hits = table[code] if code in table.columns else pd.Series(0, index=pairs)
        wide = (hits > 0).astype(np.float64).unstack("coder")
        out[code] = wide.reindex(index=units, columns=coders)
    return out

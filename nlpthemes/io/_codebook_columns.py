"""Which column of a codebook table is which, under the names researchers give them.

A codebook typed in a spreadsheet rarely says ``code,description,parent``: it says *Code
name*, *Definition*, *Theme*, *Inclusion criteria*, *Example quote*. Those columns are read
as what they mean. A column that means nothing to nlpthemes is named in a note instead of
being dropped without a word, because a definition that is not read is a definition the
suggester never sees. A *theme* or *category* column that groups the codes (every code has
one; a blank cell below a group continues it, as merged cells do) makes each group a
non-codable parent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlpthemes.errors import InputError

__all__ = ["FIELD_NAMES", "NoCodeColumn", "TableColumns", "grouped_rows", "header_key", "map_columns"]

# field -> the column names (as header_key writes them) that mean it, the canonical one first
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "code name", "name", "label", "code label", "codes", "sub code", "subcode", "child code"),
    "description": ("description", "definition", "code definition", "code description", "meaning",
                    "explanation", "short definition", "brief definition", "full definition",
                    "operational definition", "descriptor", "what it means"),
    "parent": ("parent", "parent code", "parent name", "category", "code category", "parent category",
               "theme", "parent theme", "main theme", "group", "code group", "main code", "higher order code",
               "super code", "supercode"),
    "subgroup": ("sub theme", "subtheme", "sub category", "subcategory", "sub group", "subgroup"),
    "examples": ("examples", "example", "example quote", "example quotes", "quote", "quotes", "exemplar",
                 "exemplars", "typical exemplar", "illustrative quote", "illustrative quotes", "example text"),
    "inclusion": ("inclusion", "inclusion criteria", "inclusion criterion", "include", "when to use", "use when"),
    "exclusion": ("exclusion", "exclusion criteria", "exclusion criterion", "exclude", "when not to use",
                  "do not use when"),
    "codable": ("codable",),
    "id": ("id", "guid", "code id"),
    "color": ("color", "colour"),
}  # fmt: skip
_PLURAL = {"code": "names", "description": "definitions", "parent": "parents or groups", "subgroup": "sub-themes",
           "id": "ids"}
_PARENT_NAMES = ("parent", "parent code", "parent name")  # a parent column of codes, never groups
_THEMES_AS_CODES = ("theme", "category", "main theme")  # without a code column, these columns are the codes
_IDENTIFIER = re.compile(r"^[A-Za-z]{0,6}[-_ .]?\d+([._-]\d+)*[A-Za-z]?$")  # C01, Q3.2, 1.1, T2a


class NoCodeColumn(InputError):
    """A table without a column of code names (for a Word document: another table than the codebook)."""


def header_key(text: str) -> str:
    """A header as the synonym table writes it: lower case, words separated by one space.

    Examples
    --------
    >>> header_key(" Inclusion Criteria: "), header_key("Code_Name"), header_key("Sub-code")
    ('inclusion criteria', 'code name', 'sub code')
    """
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@dataclass(frozen=True)
class TableColumns:
    """The codebook field each column gives (``fields``: column index -> field) and notes on reading."""

    fields: dict[int, str]
    notes: tuple[str, ...]


def map_columns(header: Sequence[str], rows: Sequence[Sequence[str]], source: str | Path | None) -> TableColumns:
    """Find the column of each codebook field in a table's header.

    Parameters
    ----------
    header : sequence of str
        The column names, as written.
    rows : sequence of sequence of str
        The table's rows (used to tell a column of code ids from one of code names).
    source : path, optional
        Named in errors.

    Raises
    ------
    InputError
        No column of code names (:class:`NoCodeColumn`), or two columns that give the same field.

    Examples
    --------
    >>> m = map_columns(["Code Name", "Definition", "Theme", "Notes"], [], None)
    >>> m.fields, m.notes[0]
    ({0: 'code', 1: 'description', 2: 'parent'}, "columns not read: 'Notes'")

    A column of short identifiers beside a column of names holds the codes' ids:

    >>> map_columns(["Code", "Label"], [["C1", "Trust"], ["C2", "Money"]], None).fields
    {0: 'id', 1: 'code'}
    """
    keys = [header_key(str(h)) for h in header]
    found: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        for field, names in FIELD_NAMES.items():
            if key in names:
                found.setdefault(field, []).append(index)
    codes = sorted(found.get("code", []), key=lambda i: FIELD_NAMES["code"].index(keys[i]))
    if len(codes) > 1 and "id" not in found and _identifiers([r[codes[0]] for r in rows if codes[0] < len(r)]):
        found["id"] = [codes[0]]  # "Code: C01" beside "Name: Trust"
        codes = codes[1:]
    if codes:
        found["code"] = codes
    elif len(found.get("subgroup", [])) == 1:
        found["code"] = found.pop("subgroup")  # themes and sub-themes: the sub-themes are coded
    elif len(found.get("parent", [])) == 1 and keys[found["parent"][0]] in _THEMES_AS_CODES:
        found["code"] = found.pop("parent")  # a table of themes: its rows are the codes
    else:
        shown = ", ".join(repr(str(h)) for h in header if str(h).strip())
        raise NoCodeColumn(source, f"no column of code names (columns found: {shown}); name it 'code' "
                                 "(also read: 'code name', 'name', 'label')")  # fmt: skip
    if "subgroup" in found and "parent" not in found:
        found["parent"] = found.pop("subgroup")  # a sub-theme column alone groups the codes
    fields: dict[int, str] = {}
    for field, columns in found.items():
        if len(columns) > 1:
            both = " and ".join(repr(str(header[i])) for i in columns[:2])
            raise InputError(source, f"columns {both} both hold the codes' {_PLURAL.get(field, field)}; "
                                     "rename or remove one")
        fields[columns[0]] = field
    unread = [str(h).strip() for i, h in enumerate(header) if i not in fields and str(h).strip()]
    notes = (f"columns not read: {', '.join(repr(h) for h in unread)}",) if unread else ()
    return TableColumns(dict(sorted(fields.items())), notes)


def _identifiers(values: Sequence[str]) -> bool:
    """Whether a column's values are distinct short identifiers (C01, 1.2, Q3a)."""
    filled = [str(v).strip() for v in values if str(v).strip()]
    return bool(filled) and len(set(filled)) == len(filled) and all(_IDENTIFIER.match(v) for v in filled)


def grouped_rows(
    rows: list[dict[str, str]], headers: dict[str, str], numbers: list[int]
) -> tuple[list[dict[str, str]], list[int], list[str]]:
    """Rows with the groups of grouping columns added as non-codable parents.

    A theme, category or group column (not one called *parent*, whose values must be codes)
    is a *grouping* column when none of its values is a code of the table,
    none is a path, and every code has a group once a blank cell is read as the group above
    it (merged cells). A sub-theme column (``subgroup``) adds a level below it: a blank
    sub-theme continues the one above while the theme does, and puts the code right under a
    theme that starts on its row. Other parent columns are left as they are (their parents
    must be codes of the table). ``headers`` gives the column names (``parent``,
    ``subgroup``) for the notes. Returns the rows, their numbers in the file (a group takes
    its first code's) and notes.

    Examples
    --------
    >>> rows = [{"code": "Grants", "parent": "Funding"}, {"code": "Cuts", "parent": ""},
    ...         {"code": "Peers", "parent": "Support"}]
    >>> out, numbers, notes = grouped_rows(rows, {"parent": "Theme"}, [2, 3, 4])
    >>> [(r["code"], r.get("parent", ""), r.get("codable", "")) for r in out]  # doctest: +NORMALIZE_WHITESPACE
    [('Funding', '', 'false'), ('Grants', 'Funding', ''), ('Cuts', 'Funding', ''),
     ('Support', '', 'false'), ('Peers', 'Support', '')]
    >>> numbers
    [2, 2, 3, 4, 4]
    >>> notes[0]
    "2 groups from the column 'Theme' (codes are applied under them, not to them): Funding, Support"
    """
    names = {r.get("code", "") for r in rows}
    tops = [r.get("parent", "") for r in rows]
    subs = [r.get("subgroup", "") for r in rows]
    strict = header_key(headers.get("parent", "")) in _PARENT_NAMES  # our own format: parents are codes
    if strict or not tops or not tops[0] or any(v in names or ">" in v for v in tops + subs if v):
        unread = [f"{headers['subgroup']!r} was not read: its theme column names codes of the table"] if any(subs) else []
        return rows, numbers, unread
    paths: list[tuple[str, ...]] = []
    top, sub = "", ""
    for new_top, new_sub in zip(tops, subs, strict=True):
        sub = new_sub or ("" if new_top else sub)
        top = new_top or top
        paths.append((top, sub) if sub else (top,))
    out: list[dict[str, str]] = []
    out_numbers: list[int] = []
    groups: list[tuple[str, ...]] = []
    for row, path, number in zip(rows, paths, numbers, strict=True):
        for depth in range(1, len(path) + 1):
            if path[:depth] not in groups:
                groups.append(path[:depth])
                out.append({"code": path[depth - 1], "parent": " > ".join(path[: depth - 1]), "codable": "false"})
                out_numbers.append(number)
        out.append({**{k: v for k, v in row.items() if k != "subgroup"}, "parent": " > ".join(path)})
        out_numbers.append(number)
    notes = []
    for level, key in ((1, "parent"), (2, "subgroup")):
        made = [" > ".join(g) for g in groups if len(g) == level]
        if made:
            notes.append(f"{len(made)} groups from the column {headers.get(key)!r} (codes are applied under them, not "
                         f"to them): {', '.join(made[:12])}{' ...' if len(made) > 12 else ''}")  # fmt: skip
    blanks = sum(not v for v in tops)
    if blanks:
        notes.append(f"{blanks} blank cells of the column {headers.get('parent')!r} read as the group above them")
    return out, out_numbers, notes

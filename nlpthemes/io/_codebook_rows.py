"""Table rows (CSV, XLSX) to a :class:`~nlpthemes.codebook.Codebook`: parents by name or path."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.codebook import PATH_SEPARATOR, Code, Codebook
from nlpthemes.errors import InputError

__all__ = ["cell", "codebook_from_rows", "parse_bool", "split_examples"]

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d+[.)])\s+")  # "- ", "* ", "• ", "1. ", "2) "
_TRUE = frozenset({"", "true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


def codebook_from_rows(
    rows: Sequence[Mapping[str, Any]], *, source: str | Path | None = None, first_row: int = 2,
    numbers: Sequence[int] | None = None, notes: Sequence[str] = (),
) -> Codebook:
    """Build a codebook from table rows (keys are lower-case column names).

    Parents may be named by name (when unique) or by path; rows may come in any
    order. ``first_row`` is the number of the first row in error messages, or
    ``numbers`` gives each row's number; ``notes`` go to :attr:`Codebook.notes`.

    Raises
    ------
    InputError
        Naming the source and the row: empty code name, unknown or ambiguous
        parent, duplicate name under one parent, bad ``codable`` value, cycles.

    Examples
    --------
    >>> rows = [{"code": "X", "parent": "B"}, {"code": "A"}, {"code": "B"},
    ...         {"code": "X", "parent": "A"}]
    >>> cb = codebook_from_rows(rows)
    >>> [cb.path(c) for c in cb]
    ['B > X', 'A', 'B', 'A > X']
    """
    numbers = list(numbers) if numbers is not None else [first_row + i for i in range(len(rows))]
    table = [(numbers[i], {k: cell(v) for k, v in r.items() if k}) for i, r in enumerate(rows)]
    table = [(n, r) for n, r in table if any(r.values())]
    if not table:
        raise InputError(source, "the codebook has no codes")
    names = [r.get("code", "") for _, r in table]
    for (number, _), name in zip(table, names, strict=True):
        if not name:
            raise InputError(source, f"row {number}: the 'code' cell is empty")
    parents = _resolve_parents(table, names, source)
    # duplicate names under one parent, reported with both rows
    seen: dict[tuple[int | None, str], int] = {}
    for index, (number, _) in enumerate(table):
        key = (parents[index], names[index])
        if key in seen:
            raise InputError(source, f"row {number}: code {names[index]!r} repeats row "
                                     f"{table[seen[key]][0]} under the same parent")
        seen[key] = index
    paths = [_row_path(i, names, parents) for i in range(len(table))]
    ids = [r.get("id") or paths[i] for i, (_, r) in enumerate(table)]
    codes = []
    for index, (number, row) in enumerate(table):
        parent = parents[index]
        codes.append(Code(
            id=ids[index],
            name=names[index],
            description=row.get("description", ""),
            parent=None if parent is None else ids[parent],
            examples=split_examples(row.get("examples", "")),
            inclusion=row.get("inclusion", ""),
            exclusion=row.get("exclusion", ""),
            codable=parse_bool(row.get("codable", ""), source, f"row {number}"),
            color=row.get("color") or None,
        ))
    return Codebook(codes, source=source, notes=notes)


def split_examples(text: str) -> tuple[str, ...]:
    r"""The examples of one cell: separated by ``|``; in a cell without ``|``, by line breaks (a
    list typed in one spreadsheet cell), each without a leading bullet or number.

    Examples
    --------
    >>> split_examples("we want X|we aim at Y")
    ('we want X', 'we aim at Y')
    >>> split_examples("- we trusted them\n- no deal without a contract\n")
    ('we trusted them', 'no deal without a contract')
    >>> split_examples("line one\nline two|another")  # with '|', line breaks stay inside an example
    ('line one\nline two', 'another')
    """
    parts = text.split("|") if "|" in text else [_BULLET.sub("", line) for line in text.splitlines()]
    return tuple(p.strip() for p in parts if p.strip())


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_bool(text: str, source: str | Path | None, where: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InputError(source, f"{where}: 'codable' must be true or false, not {text!r}")


def _row_path(index: int, names: list[str], parents: list[int | None]) -> str:
    chain = [names[index]]
    parent = parents[index]
    seen = {index}
    while parent is not None and parent not in seen:
        seen.add(parent)
        chain.append(names[parent])
        parent = parents[parent]
    return PATH_SEPARATOR.join(reversed(chain))


def _resolve_parents(
    table: list[tuple[int, dict[str, str]]], names: list[str], source: str | Path | None
) -> list[int | None]:
    """Row index of each row's parent: by unique name, else by path ``"A > B"``."""
    by_name: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        by_name.setdefault(name, []).append(index)
    parents: list[int | None] = [None] * len(table)
    paths: dict[int, list[str]] = {}  # rows whose parent is given by path
    for index, (number, row) in enumerate(table):
        ref = row.get("parent", "")
        if not ref:
            continue
        if len(by_name.get(ref, [])) == 1:
            parents[index] = by_name[ref][0]
        elif ">" in ref:
            paths[index] = [part.strip() for part in ref.split(">")]
        elif ref in by_name:
            options = [_quick_path(i, table, names) for i in by_name[ref]]
            raise InputError(source, f"row {number}: parent {ref!r} is ambiguous; give its "
                                     f"path, e.g. {' or '.join(map(repr, options))}")
        else:
            raise InputError(source, f"row {number}: unknown parent {ref!r}")
    for index, parts in paths.items():
        found = _walk_path(parts, names, parents, paths)
        if found is None:
            number, row = table[index]
            raise InputError(source, f"row {number}: unknown parent {row['parent']!r}")
        parents[index] = found
    return parents


def _walk_path(parts: list[str], names: list[str], parents: list[int | None],
               paths: dict[int, list[str]]) -> int | None:
    """Row index of the code a path names, or ``None``.

    A row whose own parent is given by a path matches level ``depth`` exactly
    when its parent path is the walked prefix; other rows are already resolved.
    """
    current: int | None = None
    for depth, part in enumerate(parts):
        matches = [i for i, n in enumerate(names) if n == part and (
            paths[i] == parts[:depth] if i in paths else parents[i] == current)]
        if len(matches) != 1:
            return None
        current = matches[0]
    return current


def _quick_path(index: int, table: list[tuple[int, dict[str, str]]], names: list[str]) -> str:
    parent = table[index][1].get("parent", "")
    return f"{parent}{PATH_SEPARATOR}{names[index]}" if parent else names[index]

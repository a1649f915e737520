"""Read and write codebooks: CSV, YAML (nested), XLSX and REFI-QDA ``.qdc``.

CSV and XLSX share one table layout, ``code,description,parent,examples,
inclusion,exclusion`` (only ``code`` is required), with optional ``codable``,
``id`` and ``color`` columns; ``examples`` are separated by ``|`` and
``parent`` is a code name, or a path ``"A > B"`` where names repeat. Columns
may also carry the names researchers give them (*Definition*, *Theme*, *Inclusion
criteria*...; :mod:`nlpthemes.io._codebook_columns`), in any case; other columns
are named in :attr:`Codebook.notes`. YAML nests codes under
``children``; the ``.qdc`` codebook is handled by :mod:`nlpthemes.io.refi.qdc`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlpthemes.codebook import PATH_SEPARATOR, Code, Codebook
from nlpthemes.errors import InputError
from nlpthemes.io._codebook_rows import cell, codebook_from_rows, parse_bool

__all__ = [
    "CODEBOOK_COLUMNS",
    "CODEBOOK_SUFFIXES",
    "codebook_from_rows",
    "codebook_to_rows",
    "read_codebook",
    "write_codebook",
]

CODEBOOK_COLUMNS = ("code", "description", "parent", "examples", "inclusion", "exclusion")
CODEBOOK_SUFFIXES = (".csv", ".yaml", ".yml", ".xlsx", ".qdc", ".docx")  # read
_WRITTEN_SUFFIXES = (".csv", ".yaml", ".yml", ".xlsx", ".qdc")
_YAML_KEYS = frozenset(
    {"code", "name", "description", "examples", "inclusion", "exclusion", "codable", "id",
     "color", "children"})  # fmt: skip


def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook file, choosing the format by its suffix.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.yaml``/``.yml``, ``.xlsx``, ``.qdc`` or ``.docx`` file (its first
        table with a column of code names).

    Raises
    ------
    InputError
        Unknown suffix, unreadable file, missing ``code`` column, duplicate names
        under one parent, unknown parents, cycles, or an empty codebook. The
        message names the file and the row or code.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "cb.csv").write_text(
    ...     "code,description,parent,examples\\n"
    ...     "Aims,,,\\nObjectives,Goals set,Aims,we want X|we aim at Y\\n")
    >>> cb = read_codebook(d / "cb.csv")
    >>> cb.path(cb.find("Objectives")), cb.find("Objectives").examples
    ('Aims > Objectives', ('we want X', 'we aim at Y'))
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CODEBOOK_SUFFIXES:
        raise InputError(path, f"unknown codebook format {suffix or '(no suffix)'!r}; "
                               f"use one of {', '.join(CODEBOOK_SUFFIXES)}")
    if not path.is_file():
        raise InputError(path, "file not found")
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".qdc":
        from nlpthemes.io.refi.qdc import read_qdc

        return read_qdc(path)
    if suffix == ".docx":
        return _read_docx(path)
    return _read_yaml(path)


def write_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook in the format its suffix names (see :func:`read_codebook`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> cb = Codebook([Code("a", "Aims", codable=False), Code("o", "Objectives", parent="a")])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "cb.yaml"
    >>> write_codebook(cb, out)
    >>> read_codebook(out).path("o")
    'Aims > Objectives'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITTEN_SUFFIXES:
        raise InputError(path, f"cannot write a codebook as {suffix or '(no suffix)'!r}; "
                               f"use one of {', '.join(_WRITTEN_SUFFIXES)}")
    if suffix == ".qdc":
        from nlpthemes.io.refi.qdc import write_qdc

        write_qdc(codebook, path)
    elif suffix in (".yaml", ".yml"):
        import yaml

        data = {"codes": [_yaml_node(codebook, c) for c in codebook.roots()]}
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    else:
        columns, rows = codebook_to_rows(codebook, source=path)
        if suffix == ".csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            path.write_text(buffer.getvalue(), encoding="utf-8")
        else:
            _write_xlsx(path, columns, rows)


# -- rows (CSV, XLSX) ----------------------------------------------------------------------------
def codebook_to_rows(
    codebook: Codebook, *, source: str | Path | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """The table form of a codebook: column names and one row per code.

    Parents are written by name, or by path where their name is not unique.
    ``codable``, ``id`` and ``color`` columns appear only when needed (a
    non-codable code, an id other than the code's path, a colour).

    Examples
    --------
    >>> cb = Codebook([Code("a", "A"), Code("b", "B", parent="a", examples=("x", "y"))])
    >>> codebook_to_rows(cb)[1][1]["examples"]
    'x|y'
    """
    columns = list(CODEBOOK_COLUMNS)
    if any(not c.codable for c in codebook):
        columns.append("codable")
    if any(c.id != codebook.path(c) for c in codebook):
        columns.append("id")
    if any(c.color for c in codebook):
        columns.append("color")
    rows = []
    for code in codebook:
        if any("|" in e for e in code.examples):
            raise InputError(source, f"an example of code {codebook.path(code)!r} contains "
                                     "'|', which separates examples in this format; use YAML")
        parent = codebook.parent(code)
        row = {
            "code": code.name,
            "description": code.description,
            "parent": "" if parent is None else codebook.ref(parent),
            # one example over several lines ends with '|', or it would be read back as one per line
            "examples": "|".join(code.examples) + ("|" if len(code.examples) == 1 and "\n" in code.examples[0] else ""),
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
            "codable": "true" if code.codable else "false",
            "id": code.id,
            "color": code.color or "",
        }
        rows.append({k: row[k] for k in columns})
    return columns, rows


def _read_csv(path: Path) -> Codebook:
    from nlpthemes.io._csv import guess_delimiter
    from nlpthemes.io._decode import read_text_file

    text = read_text_file(path).text  # UTF-8, or what Excel saved (cp1252, UTF-16), as transcripts
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(text)))
    except csv.Error as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    return _from_table(path, table)


def _from_table(path: Path, table: list[list[Any]]) -> Codebook:
    from nlpthemes.io._codebook_columns import grouped_rows, map_columns

    while table and not any(cell(v) for v in table[0]):
        table.pop(0)
    if not table:
        raise InputError(path, "the codebook is empty")
    header = [cell(h) for h in table[0]]
    body = [[cell(v) for v in r] for r in table[1:]]
    columns = map_columns(header, body, path)
    rows = [{field: (r[i] if i < len(r) else "") for i, field in columns.fields.items()} for r in body]
    levels = {f: header[i] for i, f in columns.fields.items() if f in ("parent", "subgroup")}
    grouped, numbers, notes = grouped_rows(rows, levels, list(range(2, len(rows) + 2)))
    return codebook_from_rows(grouped, source=path, numbers=numbers,
                              notes=[f"{path.name}: {n}" for n in (*columns.notes, *notes)])


def _read_xlsx(path: Path) -> Codebook:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(path, f"not a readable .xlsx workbook ({exc})") from None
    try:
        names = workbook.sheetnames
        sheet = workbook["codebook"] if "codebook" in names else workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _from_table(path, table)


def _read_docx(path: Path) -> Codebook:
    """The first table of a Word document that has a column of code names (a codebook typed as
    a table in a report or protocol); a cell merged over rows gives each row its text."""
    from nlpthemes.io._codebook_columns import NoCodeColumn
    from nlpthemes.io.word import open_docx

    tables = open_docx(path).tables
    for table in tables:
        rows: list[list[Any]] = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if len(rows) >= 2:
            try:
                return _from_table(path, rows)
            except NoCodeColumn:
                continue  # another table of the document
    raise InputError(path, f"no table with a column of code names among its {len(tables)} tables; the codebook is "
                           "read from a table whose header names a 'Code' column (or 'Code name', 'Label')")  # fmt: skip


def _write_xlsx(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "codebook"
    sheet.append(columns)
    for row in rows:
        sheet.append([row[c] for c in columns])
    workbook.save(path)


# -- YAML ----------------------------------------------------------------------------------------
def _read_yaml(path: Path) -> Codebook:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason})") from None
    if isinstance(data, Mapping) and set(data) == {"codes"}:
        data = data["codes"]
    if not isinstance(data, list):
        raise InputError(path, "expected a list of codes, or a mapping with a 'codes' list")
    codes: list[Code] = []
    for node in data:
        _yaml_codes(node, None, "", path, codes)
    return Codebook(codes, source=path)


def _yaml_codes(node: Any, parent: Code | None, parent_path: str, path: Path,
                out: list[Code]) -> None:
    where = f"under {parent_path!r}" if parent_path else "at the top level"
    if not isinstance(node, Mapping):
        raise InputError(path, f"{where}: each code must be a mapping, not {node!r}")
    unknown = sorted(set(map(str, node)) - _YAML_KEYS)
    name = cell(node.get("code", node.get("name")))
    if not name:
        raise InputError(path, f"{where}: a code has no 'code' (name)")
    code_path = f"{parent_path}{PATH_SEPARATOR}{name}" if parent_path else name
    if unknown:
        raise InputError(path, f"code {code_path!r}: unknown key {unknown[0]!r} "
                               f"(allowed: {', '.join(sorted(_YAML_KEYS))})")
    examples = node.get("examples") or ()
    if isinstance(examples, str):
        examples = [e for e in examples.split("|")]
    if not isinstance(examples, list | tuple):
        raise InputError(path, f"code {code_path!r}: 'examples' must be a list")
    codable = node.get("codable", True)
    if not isinstance(codable, bool):
        codable = parse_bool(cell(codable), path, f"code {code_path!r}")
    code = Code(
        id=cell(node.get("id")) or code_path,
        name=name,
        description=cell(node.get("description")),
        parent=None if parent is None else parent.id,
        examples=tuple(cell(e) for e in examples if cell(e)),
        inclusion=cell(node.get("inclusion")),
        exclusion=cell(node.get("exclusion")),
        codable=codable,
        color=cell(node.get("color")) or None,
    )
    out.append(code)
    children = node.get("children") or []
    if not isinstance(children, list):
        raise InputError(path, f"code {code_path!r}: 'children' must be a list")
    for child in children:
        _yaml_codes(child, code, code_path, path, out)


def _yaml_node(codebook: Codebook, code: Code) -> dict[str, Any]:
    node: dict[str, Any] = {"code": code.name}
    if code.id != codebook.path(code):
        node["id"] = code.id
    for key in ("description", "inclusion", "exclusion"):
        if getattr(code, key):
            node[key] = getattr(code, key)
    if code.examples:
        node["examples"] = list(code.examples)
    if not code.codable:
        node["codable"] = False
    if code.color:
        node["color"] = code.color
    children = codebook.children(code)
    if children:
        node["children"] = [_yaml_node(codebook, c) for c in children]
    return node

"""Import a REFI-QDA project into a folder of nlpthemes inputs.

The folder holds (see :func:`import_project`):

``transcripts/<id>.txt``
    One file per text source: the plain text exactly as stored (UTF-8).
``codebook.csv``
    The codebook (``id`` = the code's GUID, ``color``, ``codable`` columns as needed).
``codings.csv``
    ``transcript,start,end,code,coder``: offsets into the normalised transcript
    text, the code by name (or by path where names repeat), the coder by the
    REFI user's name. A coding of a whole source spans the whole text.
``attributes.csv``
    ``transcript,speaker,<variable>...``: a REFI case (usually a participant) is a
    *speaker* row for each text source it is linked to; variable values set on a
    source itself are a row with an empty ``speaker``.
``memos.csv``
    ``memo,author,attached_to,text``: each note, with what it is attached to
    (``project``, ``code:<code>``, ``transcript:<id>``,
    ``selection:<id>:<start>:<end>``, or ``<Element>:<guid>`` for anything else).
``refi.json``
    The REFI identities (GUIDs, names, original positions) that the CSV formats
    have no column for, so that an export restores them exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError
from nlpthemes.io.codebook_files import write_codebook
from nlpthemes.io.refi._text import OffsetUnit, check_unit
from nlpthemes.io.refi._zip import ArchiveLimits
from nlpthemes.io.refi.model import RefiProject, TextSource, User, read_project
from nlpthemes.io.refi.qdc import guid_key

__all__ = ["CODINGS_COLUMNS", "ImportResult", "coder_names", "coding_rows", "import_project"]

CODINGS_COLUMNS = ("transcript", "start", "end", "code", "coder")
UNKNOWN_CODER = "unknown"
REFI_JSON_FORMAT = "nlpthemes-refi/1"


@dataclass
class ImportResult:
    """What an import wrote, with counts, and the problems it worked around."""

    out_dir: Path
    users: int = 0
    codes: int = 0
    transcripts: int = 0
    selections: int = 0
    codings: int = 0
    memos: int = 0
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def coder_names(users: list[User]) -> dict[str, str]:
    """User GUID (lookup form) -> coder name: the user's name, made unique.

    Examples
    --------
    >>> coder_names([User("A-1", "ana"), User("B-2", "ana", id="AB"), User("C-3")])
    {'a-1': 'ana', 'b-2': 'ana (AB)', 'c-3': 'C-3'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for user in users:
        name = user.name or user.id or user.guid
        if name in taken:
            name = f"{name} ({user.id or user.guid[:8]})"
        taken.add(name)
        out[guid_key(user.guid)] = name
    return out


def _coder(guid: str | None, names: dict[str, str]) -> str:
    if not guid:
        return UNKNOWN_CODER
    return names.get(guid_key(guid), guid)


@dataclass
class _Rows:
    codings: list[dict[str, Any]] = field(default_factory=list)
    selections: list[dict[str, Any]] = field(default_factory=list)
    source_codings: list[dict[str, Any]] = field(default_factory=list)


def coding_rows(project: RefiProject, offset_unit: OffsetUnit = "codepoint",
                problems: list[str] | None = None) -> _Rows:
    """The codings of a project as nlpthemes rows, and their REFI identities."""
    problems = [] if problems is None else problems
    codebook = project.codebook
    by_guid = {} if codebook is None else {guid_key(c.id): c for c in codebook}
    names = coder_names(project.users)
    out = _Rows()
    for source in project.sources:
        text = source.text
        if text is None:
            continue
        length = text.length(offset_unit)
        for sel in source.selections:
            if not 0 <= sel.start <= sel.end <= length:
                problems.append(f"{source.transcript}: selection {sel.guid} "
                                f"[{sel.start}, {sel.end}) lies outside the text (length "
                                f"{length}); skipped")
                continue
            start = text.to_offset(sel.start, offset_unit)
            end = text.to_offset(sel.end, offset_unit)
            record: dict[str, Any] = {
                "guid": sel.guid, "transcript": source.transcript, "start": start, "end": end,
                "position": [sel.start, sel.end], "user": sel.user, "name": sel.name,
                "description": sel.description, "codings": []}
            for coding in sel.codings:
                code = by_guid.get(guid_key(coding.code))
                if code is None or codebook is None:
                    problems.append(f"{source.transcript}: coding {coding.guid} names an "
                                    f"unknown code {coding.code}; skipped")
                    continue
                user = coding.user or sel.user
                out.codings.append({"transcript": source.transcript, "start": start,
                                    "end": end, "code": codebook.ref(code),
                                    "coder": _coder(user, names)})
                record["codings"].append({"guid": coding.guid, "code": code.id, "user": user})
            out.selections.append(record)
        for coding in source.codings:
            code = by_guid.get(guid_key(coding.code))
            if code is None or codebook is None:
                problems.append(f"{source.transcript}: coding {coding.guid} names an unknown "
                                f"code {coding.code}; skipped")
                continue
            out.codings.append({"transcript": source.transcript, "start": 0,
                                "end": len(text.text), "code": codebook.ref(code),
                                "coder": _coder(coding.user, names)})
            out.source_codings.append({"guid": coding.guid, "transcript": source.transcript,
                                       "code": code.id, "user": coding.user})
    return out


class _Writer:
    """Writes files under one folder, refusing any path that resolves outside it."""

    def __init__(self, root: Path, result: ImportResult) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.result = result

    def path(self, relative: str) -> Path:
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root):
            raise InputError(self.root / relative, "refused: would be written outside the "
                                                   "output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.result.files.append(target)
        return target

    def bytes(self, relative: str, data: bytes) -> None:
        self.path(relative).write_bytes(data)

    def csv(self, relative: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.bytes(relative, buffer.getvalue().encode("utf-8"))


def import_project(
    qdpx: str | Path,
    out_dir: str | Path,
    *,
    offset_unit: OffsetUnit = "codepoint",
    overwrite: bool = False,
    limits: ArchiveLimits | None = None,
) -> ImportResult:
    """Import a ``.qdpx`` project into ``out_dir`` (see the module docstring for the files).

    Parameters
    ----------
    qdpx : str or Path
        The REFI-QDA project archive.
    out_dir : str or Path
        Folder to write into (created if needed).
    overwrite : bool
        Replace an earlier import in ``out_dir`` (its transcripts and the files
        listed above are deleted first). Without it, such a folder is refused.
    offset_unit : {"codepoint", "utf16"}
        How the project counts characters (see :mod:`nlpthemes.io.refi._text`).
    limits : ArchiveLimits, optional
        Caps against zip bombs.

    Raises
    ------
    InputError
        A hostile or malformed archive, or an invalid codebook. Problems that
        can be worked around are listed in ``ImportResult.problems`` instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nlpthemes.io.refi import export_project
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "in" / "transcripts").mkdir(parents=True)
    >>> _ = (d / "in" / "transcripts" / "p1.txt").write_bytes(b"Hi.\\r\\nWe aim high.\\r\\n")
    >>> _ = (d / "in" / "codebook.csv").write_text("code\\nAims\\n")
    >>> _ = (d / "in" / "codings.csv").write_text("transcript,text,code,coder\\n"
    ...                                           "p1,We aim high.,Aims,ana\\n")
    >>> _ = export_project(d / "in", d / "p.qdpx")
    >>> result = import_project(d / "p.qdpx", d / "out")
    >>> result.transcripts, result.codings
    (1, 1)
    >>> print((d / "out" / "codings.csv").read_text().strip())
    transcript,start,end,code,coder
    p1,4,16,Aims,ana
    """
    offset_unit = check_unit(offset_unit)
    project = read_project(qdpx, limits=limits)
    _clear(Path(out_dir), overwrite)
    result = ImportResult(out_dir=Path(out_dir), problems=list(project.problems))
    writer = _Writer(Path(out_dir), result)
    for source in project.sources:
        if source.text is not None:
            writer.bytes(f"transcripts/{source.transcript}.txt", source.text.encode())
            result.transcripts += 1
    if project.codebook is not None:
        write_codebook(project.codebook, writer.path("codebook.csv"))
        result.codes = len(project.codebook)
    rows = coding_rows(project, offset_unit, result.problems)
    writer.csv("codings.csv", list(CODINGS_COLUMNS), rows.codings)
    result.users, result.codings = len(project.users), len(rows.codings)
    result.selections = len(rows.selections)
    attributes = _attribute_rows(project)
    if attributes:
        columns = ["transcript", "speaker"] + [v.name for v in project.variables]
        extra = sorted({k for r in attributes for k in r} - set(columns))
        writer.csv("attributes.csv", columns + extra, attributes)
    memos = _memo_rows(project, rows)
    if memos:
        writer.csv("memos.csv", ["memo", "author", "attached_to", "text"], memos)
        result.memos = len(memos)
    identities = _identities(project, rows, offset_unit)
    writer.bytes("refi.json", json.dumps(identities, indent=1, ensure_ascii=False).encode())
    return result


_OUTPUTS = ("codebook.csv", "codings.csv", "attributes.csv", "memos.csv", "refi.json")


def _clear(out: Path, overwrite: bool) -> None:
    """Refuse, or with ``overwrite`` remove, the files of an earlier import."""
    old = [out / name for name in _OUTPUTS if (out / name).is_file()]
    folder = out / "transcripts"
    if folder.is_dir() and not folder.is_symlink():
        old += sorted(folder.glob("*.txt"))
    if old and not overwrite:
        raise InputError(out, f"already holds {old[0].name} (an earlier import?); "
                              "choose another folder or overwrite it (--force)")
    for path in old:
        path.unlink()


def _text_sources(project: RefiProject) -> dict[str, TextSource]:
    return {guid_key(s.guid): s for s in project.sources if s.text is not None}


def _attribute_rows(project: RefiProject) -> list[dict[str, Any]]:
    sources = _text_sources(project)
    rows: list[dict[str, Any]] = []
    for source in project.sources:
        if source.attributes and source.text is not None:
            rows.append({"transcript": source.transcript, "speaker": "", **source.attributes})
    for case in project.cases:
        linked = [sources[guid_key(g)].transcript for g in case.sources if guid_key(g) in sources]
        for transcript in linked or [""]:
            rows.append({"transcript": transcript, "speaker": case.name or case.guid,
                         **case.values})
    return rows


def _memo_rows(project: RefiProject, rows: _Rows) -> list[dict[str, Any]]:
    names = coder_names(project.users)
    codebook = project.codebook
    codes = {} if codebook is None else {guid_key(c.id): codebook.ref(c) for c in codebook}
    sources = {guid_key(s.guid): s.transcript for s in project.sources}
    selections = {guid_key(s["guid"]): f"selection:{s['transcript']}:{s['start']}:{s['end']}"
                  for s in rows.selections}
    out = []
    for note in project.notes:
        labels = []
        for kind, guid in note.targets:
            key = guid_key(guid)
            if kind == "Project":
                labels.append("project")
            elif kind == "Code" and key in codes:
                labels.append(f"code:{codes[key]}")
            elif kind == "TextSource" and key in sources:
                labels.append(f"transcript:{sources[key]}")
            elif kind == "PlainTextSelection" and key in selections:
                labels.append(selections[key])
            else:
                labels.append(f"{kind}:{guid}")
        out.append({"memo": note.name or "", "author": _coder(note.user, names) if note.user
                    else "", "attached_to": "|".join(labels), "text": note.text})
    return out


def _identities(project: RefiProject, rows: _Rows, offset_unit: str) -> dict[str, Any]:
    return {
        "format": REFI_JSON_FORMAT,
        "project": {"name": project.name, "origin": project.origin, "offset_unit": offset_unit},
        "users": [{"guid": u.guid, "name": u.name, "id": u.id,
                   "coder": coder_names(project.users)[guid_key(u.guid)]} for u in project.users],
        "sources": [{"guid": s.guid, "transcript": s.transcript, "name": s.name,
                     "description": s.description} for s in project.sources
                    if s.text is not None],
        "selections": rows.selections,
        "source_codings": rows.source_codings,
        "variables": [{"guid": v.guid, "name": v.name, "type": v.type,
                       "description": v.description} for v in project.variables],
        "cases": [{"guid": c.guid, "name": c.name, "description": c.description}
                  for c in project.cases],
        "notes": [{"guid": n.guid, "name": n.name, "user": n.user, "text": n.text}
                  for n in project.notes],
    }

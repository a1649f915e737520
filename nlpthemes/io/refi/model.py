"""Read a REFI-QDA project (``.qdpx``) into plain records.

:func:`read_project` opens the archive safely (:mod:`._zip`), parses
``project.qde`` with the hardened parser (:mod:`._xml`) and returns a
:class:`RefiProject`: users, the codebook (code ids are GUIDs), text sources
with their decoded plain text, selections and codings (positions as stored),
variables, cases and notes. The parsed XML tree and every archive entry are
kept, so an export can carry the project over untouched.

Problems that do not stop an import (a selection outside its text, a source
whose text is outside the archive, a repeated code name) are collected in
:attr:`RefiProject.problems` rather than raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from nlpthemes.codebook import Codebook
from nlpthemes.errors import InputError
from nlpthemes.io.refi._text import SourceText, decode_source, from_text
from nlpthemes.io.refi._xml import parse_xml
from nlpthemes.io.refi._zip import ArchiveLimits, read_archive
from nlpthemes.io.refi.qdc import codebook_from_xml

__all__ = [
    "Case",
    "Coding",
    "Note",
    "RefiProject",
    "Selection",
    "TextSource",
    "User",
    "Variable",
    "local_name",
    "read_project",
    "resolve_entry",
]

_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
               "DateTimeValue")
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_TEXT_SUFFIXES = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".html", ".htm")


@dataclass(frozen=True)
class User:
    """A REFI ``User``: one coder."""

    guid: str
    name: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Coding:
    """A ``Coding``: a code applied to a selection (or a whole source) by a user."""

    guid: str
    code: str
    user: str | None = None


@dataclass(frozen=True)
class Selection:
    """A ``PlainTextSelection`` with positions as stored in the project."""

    guid: str
    start: int
    end: int
    user: str | None = None
    name: str | None = None
    description: str | None = None
    codings: tuple[Coding, ...] = ()


@dataclass(frozen=True)
class TextSource:
    """A ``TextSource``: its plain text (``None`` when unavailable) and its codings."""

    guid: str
    transcript: str
    name: str | None = None
    text: SourceText | None = None
    plain_text_path: str | None = None
    rich_text_path: str | None = None
    description: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    selections: tuple[Selection, ...] = ()
    codings: tuple[Coding, ...] = ()


@dataclass(frozen=True)
class Variable:
    """A ``Variable`` (an attribute such as age or group) and its type."""

    guid: str
    name: str
    type: str = "Text"
    description: str | None = None


@dataclass(frozen=True)
class Case:
    """A ``Case`` (usually a participant): variable values and linked sources."""

    guid: str
    name: str | None = None
    description: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A ``Note`` (memo) and what it is attached to, as ``(element kind, guid)`` pairs."""

    guid: str
    name: str | None = None
    text: str = ""
    user: str | None = None
    targets: tuple[tuple[str, str], ...] = ()


@dataclass
class RefiProject:
    """Everything nlpthemes reads from a ``.qdpx``, plus the raw tree and archive entries."""

    path: str
    name: str
    origin: str | None
    users: list[User]
    codebook: Codebook | None
    sources: list[TextSource]
    variables: list[Variable]
    cases: list[Case]
    notes: list[Note]
    other_sources: list[tuple[str, str, str | None]]
    problems: list[str]
    tree: Any
    files: dict[str, bytes]
    qde_name: str


def local_name(element: Any) -> str:
    """The tag of an lxml element without its namespace (``""`` for comments)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [e for e in element if local_name(e) == name]


def _child(element: Any, name: str) -> Any:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Any, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "")


def resolve_entry(reference: str, files: dict[str, bytes]) -> str | None:
    """The archive entry a ``plainTextPath``/``richTextPath`` points to, if inside the archive.

    ``internal://x.txt`` names ``sources/x.txt``; a bare relative path is looked
    up in ``sources/`` and then at the archive root; absolute paths and other
    schemes point outside the archive (``None``).

    Examples
    --------
    >>> resolve_entry("internal://a.txt", {"sources/a.txt": b""})
    'sources/a.txt'
    >>> resolve_entry("file:///C:/a.txt", {"sources/a.txt": b""}) is None
    True
    """
    ref = reference.strip().replace("\\", "/")
    if ref.lower().startswith("internal://"):
        ref = ref[len("internal://"):]
    elif "://" in ref or ref.startswith("/") or re.match(r"^[A-Za-z]:", ref):
        return None
    ref = str(PurePosixPath(ref)) if ref else ref
    for candidate in (f"sources/{ref}", ref):
        if candidate in files:
            return candidate
    lowered = {name.lower(): name for name in files}
    for candidate in (f"sources/{ref}", ref):
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def _find_qde(files: dict[str, bytes], path: Path) -> str:
    if "project.qde" in files:
        return "project.qde"
    top = [n for n in files if "/" not in n and n.lower().endswith(".qde")]
    if len(top) == 1:
        return top[0]
    raise InputError(path, "no project.qde in the archive: not a REFI-QDA project")


def _transcript_id(name: str | None, plain_path: str | None, guid: str) -> str:
    for candidate in (name, plain_path):
        if not candidate:
            continue
        stem = PurePosixPath(candidate.replace("\\", "/").split("://")[-1]).name
        if PurePosixPath(stem).suffix.lower() in _TEXT_SUFFIXES:
            stem = PurePosixPath(stem).stem
        safe = re.sub(r"[^\w\-. ]+", "_", stem).strip(" ._")[:100]
        if safe:
            return safe
    return guid_safe(guid)


def guid_safe(guid: str) -> str:
    """A GUID usable as a file name."""
    return re.sub(r"[^0-9A-Za-z\-]", "", guid) or "source"


def _values(element: Any, variables: dict[str, Variable]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in _children(element, "VariableValue"):
        ref = _child(value, "VariableRef")
        target = "" if ref is None else (ref.get("targetGUID") or "")
        variable = variables.get(target.strip("{}").lower())
        name = variable.name if variable is not None else target
        for tag in _VALUE_TAGS:
            text = _text(value, tag)
            if text is not None:
                out[name] = text
                break
    return out


def _codings(element: Any, where: str, problems: list[str]) -> tuple[Coding, ...]:
    out = []
    for coding in _children(element, "Coding"):
        ref = _child(coding, "CodeRef")
        if ref is None or not ref.get("targetGUID"):
            problems.append(f"{where}: a coding without a CodeRef was skipped")
            continue
        out.append(Coding(guid=coding.get("guid") or "", code=ref.get("targetGUID"),
                          user=coding.get("creatingUser")))
    return tuple(out)


def _selections(element: Any, where: str, problems: list[str]) -> tuple[Selection, ...]:
    out = []
    for sel in _children(element, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            problems.append(f"{where}: selection {sel.get('guid')} has no valid positions; "
                            "skipped")
            continue
        out.append(Selection(
            guid=sel.get("guid") or "", start=start, end=end, user=sel.get("creatingUser"),
            name=sel.get("name"), description=_text(sel, "Description"),
            codings=_codings(sel, f"{where}: selection {sel.get('guid')}", problems)))
    return tuple(out)


def _source_text(element: Any, files: dict[str, bytes], label: str,
                 problems: list[str]) -> SourceText | None:
    content = _text(element, "PlainTextContent")
    if content is not None:
        return from_text(content)
    plain = element.get("plainTextPath")
    if plain:
        entry = resolve_entry(plain, files)
        if entry is not None:
            return decode_source(files[entry], f"{label} ({entry})")
        problems.append(f"{label}: plain text {plain!r} is not in the archive; source skipped")
        return None
    rich = element.get("richTextPath")
    entry = resolve_entry(rich, files) if rich else None
    if entry is not None and entry.lower().endswith(".docx"):
        import io

        import docx

        try:
            document = docx.Document(io.BytesIO(files[entry]))
        except Exception as exc:  # python-docx raises many types on a damaged file
            problems.append(f"{label}: rich text {entry!r} cannot be read ({exc}); skipped")
            return None
        problems.append(f"{label}: no plain text; text taken from {entry!r} (positions of "
                        "other tools may differ)")
        return from_text("\n".join(p.text for p in document.paragraphs))
    problems.append(f"{label}: no plain text in the archive; source skipped")
    return None


def read_project(path: str | Path, *, limits: ArchiveLimits | None = None) -> RefiProject:
    """Read a ``.qdpx`` project.

    Parameters
    ----------
    path : str or Path
        The archive.
    limits : ArchiveLimits, optional
        Caps against zip bombs.

    Raises
    ------
    InputError
        Not a REFI-QDA project, a hostile archive or XML, or an invalid codebook.
    """
    path = Path(path)
    files = read_archive(path, limits)
    qde = _find_qde(files, path)
    tree = parse_xml(files[qde], f"{path}: {qde}")
    root = tree.getroot()
    if local_name(root) != "Project":
        raise InputError(path, f"{qde}: root element is {local_name(root)!r}, not 'Project'")
    problems: list[str] = []
    users = [User(guid=u.get("guid") or "", name=u.get("name"), id=u.get("id"))
             for u in _children(_child(root, "Users") if _child(root, "Users") is not None
                                else root[:0], "User")]
    codebook = None
    book = _child(root, "CodeBook")
    codes = None if book is None else _child(book, "Codes")
    if codes is not None and len(_children(codes, "Code")):
        codebook, fixed = codebook_from_xml(codes, f"{path}: {qde}", rename_duplicates=True)
        problems.extend(fixed)
    variables = [Variable(guid=v.get("guid") or "", name=v.get("name") or "",
                          type=v.get("typeOfVariable") or "Text",
                          description=_text(v, "Description"))
                 for v in _all(root, "Variables", "Variable")]
    by_guid = {v.guid.strip("{}").lower(): v for v in variables}
    sources: list[TextSource] = []
    other: list[tuple[str, str, str | None]] = []
    taken: set[str] = set()
    for element in _all(root, "Sources", None):
        kind = local_name(element)
        if kind in _OTHER_SOURCES:
            other.append((kind, element.get("guid") or "", element.get("name")))
            continue
        if kind != "TextSource":
            continue
        guid = element.get("guid") or ""
        label = f"source {element.get('name') or guid}"
        transcript = _transcript_id(element.get("name"), element.get("plainTextPath"), guid)
        base, n = transcript, 2
        while transcript.lower() in taken:
            transcript, n = f"{base}-{n}", n + 1
        taken.add(transcript.lower())
        sources.append(TextSource(
            guid=guid, transcript=transcript, name=element.get("name"),
            text=_source_text(element, files, label, problems),
            plain_text_path=element.get("plainTextPath"),
            rich_text_path=element.get("richTextPath"),
            description=_text(element, "Description"),
            attributes=_values(element, by_guid),
            selections=_selections(element, label, problems),
            codings=_codings(element, label, problems)))
    cases = [Case(guid=c.get("guid") or "", name=c.get("name"),
                  description=_text(c, "Description"), values=_values(c, by_guid),
                  sources=tuple(r.get("targetGUID") or "" for r in _children(c, "SourceRef")),
                  selections=tuple(r.get("targetGUID") or ""
                                   for r in _children(c, "SelectionRef")))
             for c in _all(root, "Cases", "Case")]
    return RefiProject(
        path=str(path), name=root.get("name") or path.stem, origin=root.get("origin"),
        users=users, codebook=codebook, sources=sources, variables=variables, cases=cases,
        notes=_notes(root, files, problems), other_sources=other, problems=problems,
        tree=tree, files=files, qde_name=qde)


def _all(root: Any, container: str, item: str | None) -> list[Any]:
    box = _child(root, container)
    if box is None:
        return []
    return [e for e in box if isinstance(e.tag, str)] if item is None else _children(box, item)


def _notes(root: Any, files: dict[str, bytes], problems: list[str]) -> list[Note]:
    targets: dict[str, list[tuple[str, str]]] = {}
    for ref in root.iter(f"{{{etree.QName(root).namespace}}}NoteRef"
                         if etree.QName(root).namespace else "NoteRef"):
        holder = ref.getparent()
        key = (ref.get("targetGUID") or "").strip("{}").lower()
        targets.setdefault(key, []).append((local_name(holder), holder.get("guid") or ""))
    notes = []
    for element in _all(root, "Notes", "Note"):
        guid = element.get("guid") or ""
        has_text = _child(element, "PlainTextContent") is not None or any(
            element.get(a) for a in ("plainTextPath", "richTextPath"))
        text = (_source_text(element, files, f"note {element.get('name') or guid}", problems)
                if has_text else None)
        notes.append(Note(guid=guid, name=element.get("name"),
                          text="" if text is None else text.text,
                          user=element.get("creatingUser"),
                          targets=tuple(targets.get(guid.strip("{}").lower(), ()))))
    return notes

"""Build and extend QDA-XML project trees, keeping the schema's element order."""

from __future__ import annotations

import copy as _copy
import dataclasses
import datetime as _dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from nlpthemes.codebook import Codebook
from nlpthemes.errors import InputError
from nlpthemes.io.refi._folder import Folder
from nlpthemes.io.refi._plan import CodingPlan, Plan, SelectionPlan
from nlpthemes.io.refi._text import OffsetUnit, SourceText
from nlpthemes.io.refi._xml import PROJECT_NS
from nlpthemes.io.refi.qdc import code_guids, codes_to_xml, guid_key, make_guid

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_PROJECT_ORDER = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links",
                  "Sets", "Graphs", "Description", "NoteRef")
_VALUE_TAG = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
              "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _sub(parent: Any, tag: str, ns: str = PROJECT_NS, /, **attrs: str | None) -> Any:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    for key, value in attrs.items():
        if value is not None:
            element.set(key, value)
    return element


def _new(tag: str, ns: str, /, **attrs: str | None) -> Any:
    element = etree.Element(f"{{{ns}}}{tag}" if ns else tag)
    for key, value in attrs.items():
        if value is not None:
            element.set(key, value)
    return element


def insert_before(parent: Any, child: Any, names: tuple[str, ...]) -> Any:
    """Insert ``child`` before ``parent``'s first child named in ``names`` (else append)."""
    for existing in parent:
        if _local(existing) in names:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def container(root: Any, ns: str, name: str) -> Any:
    """The project's ``name`` element (``Users``, ``Sources``...), created in schema order."""
    for existing in root:
        if _local(existing) == name:
            return existing
    later = _PROJECT_ORDER[_PROJECT_ORDER.index(name) + 1:]
    return insert_before(root, _new(name, ns), later)


def copy(root: Any) -> Any:
    """A deep copy of an element tree (the original stays untouched)."""
    return _copy.deepcopy(root)


def project(*, name: str, origin: str) -> Any:
    """A new, empty ``<Project>`` root."""
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS, "xsi": _XSI})
    root.set("name", name)
    root.set("origin", origin)
    root.set(f"{{{_XSI}}}schemaLocation", f"{PROJECT_NS} Project.xsd")
    return root


def users(root: Any, records: list[tuple[str, str | None, str | None]]) -> None:
    """Add a ``<Users>`` element with one ``User`` per ``(guid, name, id)``."""
    add_users(root, PROJECT_NS, [(g, n) for g, n, _ in records], ids=[i for *_, i in records])


def add_users(root: Any, ns: str, records: Sequence[tuple[str, str | None]],
              ids: list[str | None] | None = None) -> None:
    """Append users ``(guid, name)`` to the project's ``<Users>``, creating it if needed."""
    if not records:
        return
    box = container(root, ns, "Users")
    for i, (guid, name) in enumerate(records):
        _sub(box, "User", ns, guid=guid, name=name, id=None if ids is None else ids[i])


def codebook(root: Any, book: Codebook, guids: dict[str, str]) -> None:
    """Add a ``<CodeBook>`` holding ``book``."""
    box = container(root, PROJECT_NS, "CodeBook")
    box.append(codes_to_xml(book, PROJECT_NS, guids))


def merge_codes(root: Any, ns: str, book: Codebook, original: Codebook | None) -> dict[str, str]:
    """Folder code id -> GUID in the original (by GUID, else by path); add the codes it lacks."""
    existing = {} if original is None else {guid_key(c.id): c.id for c in original}
    paths = {} if original is None else {original.path(c): c.id for c in original}
    fresh = code_guids(book)
    guids: dict[str, str] = {}
    for code in book.walk():
        guids[code.id] = (existing.get(guid_key(code.id)) or paths.get(book.path(code))
                          or fresh[code.id])
    elements = {guid_key(e.get("guid") or ""): e for e in root.iter(f"{{{ns}}}Code" if ns
                                                                      else "Code")}
    for code in book.walk():
        guid = guids[code.id]
        if guid_key(guid) in elements:
            continue
        parent = elements.get(guid_key(guids[code.parent])) if code.parent else None
        if parent is None:
            codes = container(root, ns, "CodeBook")
            target = next((e for e in codes if _local(e) == "Codes"), None)
            if target is None:
                target = _sub(codes, "Codes", ns)
        else:
            target = parent
        element = _sub(target, "Code", ns, guid=guid, name=code.name,
                       isCodable="true" if code.codable else "false", color=code.color)
        single = Codebook([dataclasses.replace(code, parent=None)])
        described = codes_to_xml(single, ns, {code.id: guid})[0]
        for child in described:
            element.append(child)
        elements[guid_key(guid)] = element
    return guids


def _value(kind: str, text: str, where: str) -> str:
    """Check a variable value against its REFI type; return it as the schema writes it."""
    try:
        if kind == "Boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return "true" if lowered in ("true", "1") else "false"
        if kind == "Integer":
            return str(int(text))
        if kind == "Float":
            return str(Decimal(text.strip()))
        if kind == "Date":
            return _dt.date.fromisoformat(text.strip()).isoformat()
        if kind == "DateTime":
            _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return text.strip()
    except (ValueError, InvalidOperation):
        raise InputError(where, f"{text!r} is not a valid {kind} value") from None
    return text


def cases(root: Any, rows: list[dict[str, str]], source_guids: dict[str, str],
          ids: dict[str, Any], problems: list[str]) -> dict[str, list[Any]]:
    """Variables and cases from ``attributes.csv``; returns source-level values per transcript."""
    names = [k for k in (rows[0] if rows else {}) if k not in ("transcript", "speaker")]
    recorded = {v["name"]: v for v in ids.get("variables", [])}
    variables = {n: recorded.get(n, {"guid": make_guid("variable", n), "type": "Text",
                                     "description": None}) for n in names}
    for name, var in recorded.items():  # variables with no value are kept too
        variables.setdefault(name, var)
    if variables:
        box = container(root, PROJECT_NS, "Variables")
        for name, var in variables.items():
            element = _sub(box, "Variable", guid=var["guid"], name=name,
                           typeOfVariable=var.get("type") or "Text")
            if var.get("description"):
                _sub(element, "Description").text = var["description"]

    def values(row: dict[str, str], where: str) -> list[Any]:
        out = []
        for name in names:
            if row.get(name, "") == "":
                continue
            var = variables[name]
            kind = var.get("type") or "Text"
            element = _new("VariableValue", PROJECT_NS)
            _sub(element, "VariableRef", targetGUID=var["guid"])
            _sub(element, _VALUE_TAG.get(kind, "TextValue")).text = _value(kind, row[name], where)
            out.append(element)
        return out

    recorded_cases = {c["name"]: c for c in ids.get("cases", [])}
    per_source: dict[str, list[Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=2):
        where = f"attributes.csv: row {number}"
        transcript, speaker = row.get("transcript", ""), row.get("speaker", "")
        if transcript and transcript not in source_guids:
            problems.append(f"{where}: unknown transcript {transcript!r}; row skipped")
            continue
        if not speaker:
            per_source.setdefault(transcript, []).extend(values(row, where))
            continue
        person = people.setdefault(speaker, {"values": values(row, where), "sources": []})
        if transcript:
            person["sources"].append(source_guids[transcript])
    if people:
        box = container(root, PROJECT_NS, "Cases")
        for speaker, person in people.items():
            record = recorded_cases.get(speaker, {})
            case = _sub(box, "Case", guid=record.get("guid") or make_guid("case", speaker),
                        name=speaker)
            if record.get("description"):
                _sub(case, "Description").text = record["description"]
            for value in person["values"]:
                case.append(value)
            for guid in dict.fromkeys(person["sources"]):
                _sub(case, "SourceRef", targetGUID=guid)
    return per_source


def _selection(parent: Any, ns: str, plan: SelectionPlan) -> Any:
    element = _new("PlainTextSelection", ns, guid=plan.guid, name=plan.name,
                   startPosition=str(plan.start), endPosition=str(plan.end),
                   creatingUser=plan.user)
    if plan.description is not None:
        _sub(element, "Description", ns).text = plan.description
    for coding in plan.codings:
        _coding(element, ns, coding)
    return element


def _coding(parent: Any, ns: str, coding: CodingPlan) -> None:
    element = _sub(parent, "Coding", ns, guid=coding.guid, creatingUser=coding.user)
    _sub(element, "CodeRef", ns, targetGUID=coding.code)


def _text_source(box: Any, ns: str, guid: str, name: str | None,
                 description: str | None) -> Any:
    element = _sub(box, "TextSource", ns, guid=guid, name=name,
                   plainTextPath=f"internal://{guid}.txt")
    if description is not None:
        _sub(element, "Description", ns).text = description
    return element


def sources(root: Any, transcripts: dict[str, SourceText], records: dict[str, dict[str, Any]],
            source_guids: dict[str, str], plan: Plan,
            values: dict[str, list[Any]] | None = None) -> dict[str, bytes]:
    """Add a ``TextSource`` per transcript; return the archive entries of their texts."""
    files: dict[str, bytes] = {}
    box = container(root, PROJECT_NS, "Sources")
    for transcript, text in transcripts.items():
        guid = source_guids[transcript]
        record = records.get(transcript)
        element = _text_source(box, PROJECT_NS, guid,
                               record.get("name") if record else transcript,
                               record.get("description") if record else None)
        for selection in plan.selections.get(transcript, []):
            element.append(_selection(element, PROJECT_NS, selection))
        for coding in plan.source_codings.get(transcript, []):
            _coding(element, PROJECT_NS, coding)
        for value in (values or {}).get(transcript, []):
            element.append(value)
        files[f"sources/{guid}.txt"] = text.encode()
    return files


def merge_sources(root: Any, ns: str, transcripts: dict[str, SourceText],
                  source_guids: dict[str, str], plan: Plan) -> dict[str, bytes]:
    """Add planned selections to the original's sources (new transcripts become new sources)."""
    files: dict[str, bytes] = {}
    elements = {guid_key(e.get("guid") or ""): e
                for e in root.iter(f"{{{ns}}}TextSource" if ns else "TextSource")}
    for transcript, selections in plan.selections.items():
        guid = source_guids.get(transcript)
        element = None if guid is None else elements.get(guid_key(guid))
        if element is None:
            guid = make_guid("source", transcript)
            element = _text_source(container(root, ns, "Sources"), ns, guid, transcript, None)
            files[f"sources/{guid}.txt"] = transcripts[transcript].encode()
        for selection in selections:
            insert_before(element, _selection(element, ns, selection),
                          ("Coding", "NoteRef", "VariableValue"))
    return files


def notes(root: Any, data: Folder, ids: dict[str, Any], source_guids: dict[str, str],
          code_guids_: dict[str, str], plan: Plan, offset_unit: OffsetUnit,
          problems: list[str]) -> None:
    """Notes from ``memos.csv``, attached where the folder can name the target."""
    if not data.memos:
        return
    recorded = list(ids.get("notes", []))
    coders = {u["coder"]: u["guid"] for u in ids.get("users", [])}
    box = container(root, PROJECT_NS, "Notes")
    by_guid = {guid_key(e.get("guid") or ""): e for e in root.iter() if e.get("guid")}
    for i, memo in enumerate(data.memos):
        match = next((r for r in recorded if (r.get("name") or "") == memo["memo"]
                      and r.get("text", "") == memo["text"]), None)
        if match is not None:
            recorded.remove(match)
        guid = match["guid"] if match else make_guid("note", memo["memo"], memo["text"], i)
        author = memo.get("author", "")
        user = match.get("user") if match else coders.get(author)
        note = _sub(box, "Note", guid=guid, name=memo["memo"] or None, creatingUser=user)
        _sub(note, "PlainTextContent").text = memo["text"]
        for label in filter(None, memo.get("attached_to", "").split("|")):
            target = _target(label, root, by_guid, data, source_guids, code_guids_, plan,
                             offset_unit)
            if target is None:
                problems.append(f"memo {memo['memo']!r}: attachment {label!r} is kept only "
                                "with --from")
            elif target is root:
                root.append(_new("NoteRef", PROJECT_NS, targetGUID=guid))
            else:
                names = {"Code": ("Code",), "TextSource": ("VariableValue",)}.get(
                    _local(target), ())
                insert_before(target, _new("NoteRef", PROJECT_NS, targetGUID=guid), names)


def _target(label: str, root: Any, by_guid: dict[str, Any], data: Folder,
            source_guids: dict[str, str], guids: dict[str, str], plan: Plan,
            offset_unit: OffsetUnit) -> Any:
    kind, _, rest = label.partition(":")
    if kind == "project":
        return root
    if kind == "code" and data.codebook is not None:
        try:
            return by_guid.get(guid_key(guids[data.codebook.find(rest).id]))
        except KeyError:
            return None
    if kind == "transcript" and rest in source_guids:
        return by_guid.get(guid_key(source_guids[rest]))
    if kind == "selection":
        transcript, _, span = rest.rpartition(":")
        transcript, _, start = transcript.rpartition(":")
        text = data.transcripts.get(transcript)
        if text is None or not (start.isdigit() and span.isdigit()):
            return None
        for selection in plan.selections.get(transcript, []):
            if (selection.start, selection.end) == (text.to_position(int(start), offset_unit),
                                                    text.to_position(int(span), offset_unit)):
                return by_guid.get(guid_key(selection.guid))
    return None

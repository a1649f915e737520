"""Export a folder of nlpthemes inputs and results as a REFI-QDA project (``.qdpx``).

Without an original project, the export is built from the folder alone: its
transcripts, codebook, codings, attributes (as cases and variables), memos
(as notes) and applied suggestions, reusing the GUIDs recorded in
``refi.json`` so that an import followed by an export loses nothing those files
hold. PDF, picture, audio and video sources, graphs, links and sets are not in
the folder: export with ``original=`` to keep them.

With ``original=``, the original project is carried over untouched (every
element and archive entry, known or not) and only additions are made: the
machine user and its suggestion selections, coding rows the original does not
have, codes and transcripts it does not have.

The result is validated against the REFI-QDA ``Project.xsd`` before it is
written; the archive is written to a temporary file and moved into place.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from nlpthemes.errors import InputError
from nlpthemes.io._atomic import atomic_path
from nlpthemes.io.refi import _build
from nlpthemes.io.refi._folder import Folder, read_folder
from nlpthemes.io.refi._plan import Plan, plan_codings, plan_suggestions
from nlpthemes.io.refi._text import OffsetUnit, check_unit
from nlpthemes.io.refi._xml import schema_errors
from nlpthemes.io.refi._zip import ArchiveLimits
from nlpthemes.io.refi.importer import coder_names, coding_rows
from nlpthemes.io.refi.model import RefiProject, read_project
from nlpthemes.io.refi.qdc import code_guids, guid_key, make_guid

__all__ = ["ExportResult", "export_project", "machine_user_name"]


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    users: int = 0
    codes: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    suggestions: int = 0
    problems: list[str] = field(default_factory=list)


def machine_user_name(model: str | None) -> str:
    """Name of the machine coder: ``"nlpthemes (<model>)"``.

    Examples
    --------
    >>> machine_user_name("all-MiniLM-L6-v2")
    'nlpthemes (all-MiniLM-L6-v2)'
    """
    return f"nlpthemes ({model})" if model else "nlpthemes"


def export_project(
    folder: str | Path,
    out: str | Path,
    *,
    original: str | Path | None = None,
    model: str | None = None,
    offset_unit: OffsetUnit | None = None,
    limits: ArchiveLimits | None = None,
    transcripts: str | Path | None = None,
    codebook: str | Path | None = None,
    texts: Mapping[str, str] | None = None,
    codings: Sequence[tuple[str, int, int, str, str]] = (),
    attributes: Sequence[dict[str, str]] = (),
) -> ExportResult:
    """Write ``folder`` as a ``.qdpx`` project at ``out``.

    Parameters
    ----------
    folder : str or Path
        A folder as :func:`~nlpthemes.io.refi.importer.import_project` writes it
        (only ``transcripts/*.txt`` is required), optionally with ``suggestions.csv``.
    out : str or Path
        The ``.qdpx`` to write.
    original : str or Path, optional
        The project the folder was imported from: carried over untouched.
    model : str, optional
        Model name for the machine user (default: ``manifest.json``'s model).
    offset_unit : {"codepoint", "utf16"}, optional
        How positions are counted (default: as recorded at import, else code points).
    limits : ArchiveLimits, optional
        Caps applied when reading ``original``.
    transcripts, codebook : path, optional
        The ``.txt`` transcripts and the codebook, when they are not in ``folder``
        (an ``analyze`` output folder). Codes from ``nlpthemes review``
        (``review/<coder>/codings.csv``) are exported as their coder; the
        suggestions each review left undecided as the machine user
        "nlpthemes (<model>) after review by <coder>", instead of ``suggestions.csv``.
    texts, codings, attributes : optional
        Transcript texts that stand for ``.txt`` files, codings and attribute rows
        added to the folder's (see :func:`~nlpthemes.io.refi._folder.read_folder`;
        ``nlpthemes export`` of an ``analyze`` folder passes what that run read).

    Raises
    ------
    InputError
        Bad folder contents (naming the file and row), a hostile original, or a
        project that would not validate.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nlpthemes.io.refi import read_project
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "in" / "transcripts").mkdir(parents=True)
    >>> _ = (d / "in" / "transcripts" / "p1.txt").write_bytes(b"Hi.\\r\\nWe aim high.\\r\\n")
    >>> _ = (d / "in" / "codebook.csv").write_text("code\\nAims\\n")
    >>> _ = (d / "in" / "codings.csv").write_text(
    ...     "transcript,start,end,code,coder\\np1,4,16,Aims,ana\\n")
    >>> result = export_project(d / "in", d / "p.qdpx")
    >>> result.users, result.codes, result.selections
    (1, 1, 1)
    >>> selection = read_project(d / "p.qdpx").sources[0].selections[0]
    >>> selection.start, selection.end  # REFI positions count the \\r of each CRLF
    (5, 17)
    """
    data = read_folder(folder, transcripts=transcripts, codebook=codebook, texts=texts, codings=codings,
                       attributes=attributes)
    unit = check_unit(offset_unit or data.identities.get("project", {}).get("offset_unit")
                      or "codepoint")
    out = Path(out)
    result = ExportResult(path=out)
    machine = machine_user_name(model or data.model)
    if original is None:
        tree, files = _from_folder(data, unit, machine, result)
        valid_before = True
    else:
        project = read_project(original, limits=limits)
        valid_before = not schema_errors(project.tree)
        tree, files = _merged(data, project, unit, machine, result)
    errors = schema_errors(tree)
    if errors and valid_before:
        raise InputError(out, f"the exported project would not validate against the REFI-QDA "
                              f"schema: {errors[0]}")
    if errors:
        result.problems.append(f"the original project does not validate against Project.xsd "
                               f"({errors[0]}); its content was carried over as it was")
    files = {**files, "project.qde" if original is None else _qde_name(files): _serialise(tree)}
    _write_archive(out, files)
    _count(tree, result)
    return result


def _qde_name(files: dict[str, bytes]) -> str:
    return "project.qde" if "project.qde" in files else next(
        n for n in files if "/" not in n and n.lower().endswith(".qde"))


def _serialise(tree: Any) -> bytes:
    data: bytes = etree.tostring(tree, xml_declaration=True, encoding="utf-8")
    return data


def _write_archive(out: Path, files: dict[str, bytes]) -> None:
    with atomic_path(out) as temp, zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def _count(tree: Any, result: ExportResult) -> None:
    counts = Counter(etree.QName(e).localname for e in tree.getroot().iter()
                     if isinstance(e.tag, str))
    result.users, result.codes = counts["User"], counts["Code"]
    result.sources = sum(counts[k] for k in ("TextSource", "PDFSource", "PictureSource",
                                             "AudioSource", "VideoSource"))
    result.selections, result.codings = counts["PlainTextSelection"], counts["Coding"]


class _Users:
    """Coder name -> user GUID, creating users as they are first needed."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = dict(known)
        self.new: list[tuple[str, str]] = []

    def __call__(self, coder: str) -> str:
        if coder not in self.known:
            self.known[coder] = make_guid("user", coder)
            self.new.append((self.known[coder], coder))
        return self.known[coder]


def _from_folder(data: Folder, unit: OffsetUnit, machine: str,
                 result: ExportResult) -> tuple[Any, dict[str, bytes]]:
    from nlpthemes import __version__

    ids = data.identities
    recorded = [s["transcript"] for s in ids.get("sources", [])
                if s["transcript"] in data.transcripts]
    data.transcripts = {t: data.transcripts[t] for t in [*recorded, *data.transcripts]}
    recorded_users = ids.get("users", [])
    users = _Users({u["coder"]: u["guid"] for u in recorded_users})
    guids = {} if data.codebook is None else code_guids(data.codebook)
    plan = plan_codings(data.codings, transcripts=data.transcripts, code_guid=guids,
                        user_guid=users, identities=ids, offset_unit=unit)
    if data.suggestions and data.codebook is not None:
        _add_suggestions(plan, data, guids, users, machine, unit, result)
    project = ids.get("project", {})
    root = _build.project(name=project.get("name") or data.path.name,
                          origin=f"nlpthemes {__version__}")
    _build.users(root, [(u["guid"], u.get("name"), u.get("id")) for u in recorded_users]
                 + [(guid, name, None) for guid, name in users.new])
    if data.codebook is not None:
        _build.codebook(root, data.codebook, guids)
    sources = {s["transcript"]: s for s in ids.get("sources", [])}
    source_guids = {t: sources.get(t, {}).get("guid") or make_guid("source", t)
                    for t in data.transcripts}
    values = _build.cases(root, data.attributes, source_guids, ids, result.problems)
    files = _build.sources(root, data.transcripts, sources, source_guids, plan, values)
    _build.notes(root, data, ids, source_guids, guids, plan, unit, result.problems)
    return etree.ElementTree(root), files


def _add_suggestions(plan: Plan, data: Folder, guids: dict[str, str], users: _Users,
                     machine: str, unit: OffsetUnit, result: ExportResult) -> None:
    """Applied suggestions as a machine user; those a review left undecided, one per reviewer."""
    assert data.codebook is not None
    for reviewer in dict.fromkeys(row.coder for row in data.suggestions):
        name = f"{machine} after review by {reviewer}" if reviewer else machine
        rows = [row for row in data.suggestions if row.coder == reviewer]
        suggested = plan_suggestions(rows, transcripts=data.transcripts, code_guid=guids,
                                     codebook=data.codebook, machine=users(name),
                                     machine_name=name, offset_unit=unit)
        for selections in suggested.selections.values():
            for selection in selections:
                plan.add(selection)
        result.suggestions += suggested.count()[0]


def _merged(data: Folder, project: RefiProject, unit: OffsetUnit, machine: str,
            result: ExportResult) -> tuple[Any, dict[str, bytes]]:
    tree = etree.ElementTree(_build.copy(project.tree.getroot()))
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    by_transcript = {s.transcript: s for s in project.sources if s.text is not None}
    for transcript, text in data.transcripts.items():
        source = by_transcript.get(transcript)
        if source is not None and source.text is not None and source.text.text != text.text:
            raise InputError(data.path / "transcripts" / f"{transcript}.txt",
                             "differs from the same source in the original project; offsets "
                             "would not match (export without --from)")
    guids = {} if data.codebook is None else _build.merge_codes(root, ns, data.codebook,
                                                                 project.codebook)
    coders = {name: guid for guid, name in coder_names(project.users).items()}
    users = _Users({name: _guid_as_written(project, key) for name, key in coders.items()})
    # coding rows the original does not already have
    have = Counter((r["transcript"], r["start"], r["end"], guid_key(_code_id(project, r["code"])),
                    r["coder"]) for r in coding_rows(project, unit).codings)
    extra = []
    for row in data.codings:
        key = (row.transcript, row.start, row.end, guid_key(guids[row.code]), row.coder)
        if have[key]:
            have[key] -= 1
        else:
            extra.append(row)
    plan = plan_codings(extra, transcripts=data.transcripts, code_guid=guids, user_guid=users,
                        identities={"project": {"offset_unit": unit}}, offset_unit=unit)
    if data.suggestions and data.codebook is not None:
        _add_suggestions(plan, data, guids, users, machine, unit, result)
    _build.add_users(root, ns, users.new)
    files = dict(project.files)
    source_guids = {t: s.guid for t, s in by_transcript.items()}
    files.update(_build.merge_sources(root, ns, data.transcripts, source_guids, plan))
    return tree, files


def _guid_as_written(project: RefiProject, key: str) -> str:
    return next(u.guid for u in project.users if guid_key(u.guid) == key)


def _code_id(project: RefiProject, ref: str) -> str:
    assert project.codebook is not None
    return project.codebook.find(ref).id

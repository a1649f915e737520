"""REFI-QDA codebooks: ``.qdc`` files and the ``<CodeBook>`` of a project.

A REFI-QDA code has a GUID, a name, ``isCodable``, an optional colour and a
``Description``; children nest inside it. The standard has no fields for
inclusion/exclusion criteria or examples, so they are appended to the
description in a small, readable block that other tools show as plain text
and that nlpthemes reads back::

    Responses about goals the organisation set.

    Inclusion: explicit goals
    Exclusion: personal wishes
    Examples:
    - we aim to reach every school

Continuation lines of a multi-line field are indented by two spaces.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from lxml import etree

from nlpthemes.codebook import Code, Codebook
from nlpthemes.errors import InputError
from nlpthemes.io.refi._xml import CODEBOOK_NS, parse_xml, validate

__all__ = [
    "code_guids",
    "codebook_from_xml",
    "codes_to_xml",
    "compose_description",
    "guid_key",
    "is_guid",
    "make_guid",
    "read_qdc",
    "split_description",
    "write_qdc",
]

_GUID = re.compile(r"\{?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?")
NLPTHEMES_NAMESPACE = uuid.UUID("5b0c3c8e-8a8f-4c1e-9f37-6e6c7074686d")
_FIELDS = (("Inclusion: ", "inclusion"), ("Exclusion: ", "exclusion"))


def guid_key(guid: str) -> str:
    """A GUID in the form used for lookups: lower case, no braces.

    Examples
    --------
    >>> guid_key("{1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}")
    '1ff58b12-6f6f-4b0c-8be5-bbdc91f55294'
    """
    return guid.strip().strip("{}").lower()


def is_guid(text: str) -> bool:
    """Whether ``text`` is a GUID as the schema writes one."""
    return bool(_GUID.fullmatch(text))


def make_guid(*parts: object) -> str:
    """A deterministic GUID for new elements (same inputs, same GUID)."""
    return str(uuid.uuid5(NLPTHEMES_NAMESPACE, "\x1f".join(map(str, parts))))


# -- description block ---------------------------------------------------------------------------
def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


def compose_description(code: Code) -> str:
    """The REFI ``Description`` of a code: definition plus criteria and examples.

    Examples
    --------
    >>> print(compose_description(Code("x", "X", "A goal.", inclusion="explicit",
    ...                                examples=("we aim",))))
    A goal.
    <BLANKLINE>
    Inclusion: explicit
    Examples:
    - we aim
    """
    lines = [f"{label}{_indent(getattr(code, field))}"
             for label, field in _FIELDS if getattr(code, field)]
    if code.examples:
        lines.append("Examples:")
        lines.extend(f"- {_indent(e)}" for e in code.examples)
    if not lines:
        return code.description
    block = "\n".join(lines)
    return f"{code.description}\n\n{block}" if code.description else block


def split_description(text: str) -> tuple[str, str, str, tuple[str, ...]]:
    """Undo :func:`compose_description`: ``(description, inclusion, exclusion, examples)``.

    Text that does not end in such a block is all description.

    Examples
    --------
    >>> split_description("A goal.\\n\\nInclusion: explicit\\nExamples:\\n- we aim")
    ('A goal.', 'explicit', '', ('we aim',))
    >>> split_description("Just a definition.")
    ('Just a definition.', '', '', ())
    """
    cut = text.rfind("\n\n")
    head, block = (text[:cut], text[cut + 2:]) if cut >= 0 else ("", text)
    fields = {"inclusion": "", "exclusion": ""}
    examples: list[str] = []
    current: str | None = None  # field name, or "example"
    in_examples = False
    for line in block.split("\n"):
        label = next((lab for lab, _ in _FIELDS if line.startswith(lab)), None)
        if label is not None and not in_examples:
            current = dict(_FIELDS)[label]
            if fields[current]:
                return text, "", "", ()
            fields[current] = line[len(label):]
        elif line == "Examples:" and not in_examples:
            in_examples, current = True, None
        elif line.startswith("- ") and in_examples:
            examples.append(line[2:])
            current = "example"
        elif line.startswith("  ") and current is not None:
            if current == "example":
                examples[-1] += "\n" + line[2:]
            else:
                fields[current] += "\n" + line[2:]
        else:
            return text, "", "", ()
    if not (fields["inclusion"] or fields["exclusion"] or examples):
        return text, "", "", ()
    return head, fields["inclusion"], fields["exclusion"], tuple(examples)


# -- XML <-> Codebook ----------------------------------------------------------------------------
def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def codebook_from_xml(
    codes_element: Any, where: str | Path, *, rename_duplicates: bool = False
) -> tuple[Codebook, list[str]]:
    """Build a :class:`Codebook` (ids = GUIDs) from a ``<Codes>`` element.

    Parameters
    ----------
    codes_element : lxml element
        The ``<Codes>`` element of a project or ``.qdc``.
    where : str or Path
        Named in errors.
    rename_duplicates : bool
        Rename a code whose name repeats a sibling's (``"name (2)"``) and report
        it, instead of raising (used for whole projects, which must still import).

    Returns
    -------
    codebook : Codebook
    problems : list of str
        What was repaired.
    """
    codes: list[Code] = []
    problems: list[str] = []
    seen: set[str] = set()

    def visit(element: Any, parent: str | None, sibling_names: set[str]) -> None:
        guid = (element.get("guid") or "").strip()
        name = element.get("name") or ""
        if not guid:
            raise InputError(where, f"code {name!r} has no guid")
        if guid_key(guid) in seen:
            raise InputError(where, f"two codes have the guid {guid}")
        seen.add(guid_key(guid))
        if rename_duplicates and (not name.strip() or name in sibling_names):
            base = name.strip() or "(unnamed)"
            new, n = base, 2
            while new in sibling_names:
                new, n = f"{base} ({n})", n + 1
            problems.append(f"code {guid}: name {name!r} renamed {new!r} (empty or repeated "
                            "under one parent)")
            name = new
        sibling_names.add(name)
        codable = (element.get("isCodable") or "true").strip().lower() in ("true", "1")
        description = ""
        children = []
        for child in element:
            local = _local(child.tag)
            if local == "Description":
                description = child.text or ""
            elif local == "Code":
                children.append(child)
        text, inclusion, exclusion, examples = split_description(description)
        codes.append(Code(id=guid, name=name, description=text, parent=parent,
                          examples=examples, inclusion=inclusion, exclusion=exclusion,
                          codable=codable, color=element.get("color") or None))
        names: set[str] = set()
        for child in children:
            visit(child, guid, names)

    top: set[str] = set()
    for element in codes_element:
        if _local(element.tag) == "Code":
            visit(element, None, top)
    return Codebook(codes, source=where), problems


def code_guids(codebook: Codebook) -> dict[str, str]:
    """Code id -> REFI GUID: the id itself when it is a GUID, else a stable new one."""
    return {c.id: c.id if is_guid(c.id) else make_guid("code", codebook.path(c))
            for c in codebook}


def codes_to_xml(codebook: Codebook, namespace: str, guids: dict[str, str] | None = None) -> Any:
    """A ``<Codes>`` element (in ``namespace``) holding the codebook's hierarchy."""
    guids = guids or code_guids(codebook)
    ns = f"{{{namespace}}}"
    codes = etree.Element(f"{ns}Codes")

    def add(parent: Any, code: Code) -> None:
        element = etree.SubElement(parent, f"{ns}Code", guid=guids[code.id], name=code.name,
                                   isCodable="true" if code.codable else "false")
        if code.color:
            element.set("color", code.color)
        description = compose_description(code)
        if description:
            etree.SubElement(element, f"{ns}Description").text = description
        for child in codebook.children(code):
            add(element, child)

    for root in codebook.roots():
        add(codes, root)
    return codes


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook (ids are the codes' GUIDs).

    Raises
    ------
    InputError
        Unreadable file, hostile or malformed XML, no ``<Codes>``, or an invalid hierarchy.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    tree = parse_xml(data, path)
    root = tree.getroot()
    if _local(root.tag) != "CodeBook":
        raise InputError(path, f"not a REFI-QDA codebook (root element {_local(root.tag)!r})")
    codes = next((e for e in root if _local(e.tag) == "Codes"), None)
    if codes is None:
        raise InputError(path, "the codebook has no codes")
    codebook, _ = codebook_from_xml(codes, path)
    return codebook


def write_qdc(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as a REFI-QDA ``.qdc`` file that validates against Codebook.xsd.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "cb.qdc"
    >>> write_qdc(Codebook([Code("a", "Aims", codable=False, exclusion="not plans"),
    ...                     Code("o", "Objectives", parent="a")]), out)
    >>> cb = read_qdc(out)
    >>> cb.path(cb.find("Objectives")), cb.find("Aims").exclusion
    ('Aims > Objectives', 'not plans')
    """
    from nlpthemes import __version__

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS},
                         origin=f"nlpthemes {__version__}")
    root.append(codes_to_xml(codebook, CODEBOOK_NS))
    tree = etree.ElementTree(root)
    validate(tree, path, "codebook")
    tree.write(str(path), xml_declaration=True, encoding="utf-8", pretty_print=True)

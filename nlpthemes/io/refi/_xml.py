"""Hardened XML parsing and REFI-QDA schema validation.

Project and codebook files are untrusted input. The parser resolves no
entities, loads no DTD, never touches the network and keeps libxml2's size
limits; any document that declares a DOCTYPE is refused outright, because
QDA-XML never needs one and DTDs are how entity-expansion ("billion laughs")
and external-entity attacks are mounted.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from nlpthemes.errors import InputError

__all__ = ["CODEBOOK_NS", "PROJECT_NS", "parse_xml", "schema_errors", "validate"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_SCHEMAS = {"project": "Project.xsd", "codebook": "Codebook.xsd"}


_REFUSED = ("refused: the XML declares a DOCTYPE (entity declarations can expand without "
            "bound or read local files)")
_ELEMENT_START = re.compile(r"<[^!?]")


def _declares_doctype(data: bytes) -> bool:
    """Whether the prolog (everything before the root element) holds a DOCTYPE."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return False  # the parser will reject it
    else:
        text = data.decode("latin-1")  # byte-preserving; the markup is ASCII
    match = _ELEMENT_START.search(text)
    prolog = text if match is None else text[:match.start()]
    return "<!DOCTYPE" in prolog.upper()


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(data: bytes, where: str | Path) -> Any:
    """Parse untrusted XML bytes into an lxml element tree, refusing DTDs.

    Parameters
    ----------
    data : bytes
        The document.
    where : str or Path
        What to name in errors (e.g. ``"project.qdpx: project.qde"``).

    Raises
    ------
    InputError
        Malformed XML, or a document with a DOCTYPE / entity declarations.

    Examples
    --------
    >>> tree = parse_xml(b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "p.qde")
    >>> tree.getroot().get("name")
    'p'
    >>> parse_xml(b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', "x.xml")
    Traceback (most recent call last):
    nlpthemes.errors.InputError: x.xml: refused: the XML declares a DOCTYPE ...
    """
    if _declares_doctype(data):
        raise InputError(where, _REFUSED)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise InputError(where, f"not well-formed XML ({exc})") from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InputError(where, _REFUSED)
    root = tree.getroot()
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise InputError(where, "refused: the XML contains entity references")
    return tree


@cache
def _schema(kind: str) -> Any:
    text = resources.files("nlpthemes.io.refi").joinpath(_SCHEMAS[kind]).read_bytes()
    return etree.XMLSchema(etree.fromstring(text, _parser()))


def schema_errors(tree: Any, kind: Literal["project", "codebook"] = "project") -> list[str]:
    """Messages of every schema violation (empty when the document is valid).

    Examples
    --------
    >>> t = parse_xml(b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "p")
    >>> schema_errors(t)[0]
    "line 1: Element '{urn:QDA-XML:project:1.0}Project': The attribute 'name' is required ..."
    """
    if kind not in _SCHEMAS:
        raise ValueError(f"kind must be one of {sorted(_SCHEMAS)}, not {kind!r}")
    schema = _schema(kind)
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def validate(tree: Any, where: str | Path,
             kind: Literal["project", "codebook"] = "project") -> None:
    """Raise :class:`InputError` unless ``tree`` validates against the REFI-QDA schema."""
    errors = schema_errors(tree, kind)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(where, f"does not validate against the REFI-QDA schema: {errors[0]}{more}")

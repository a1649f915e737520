"""Compare REFI-QDA projects as sets of facts, not bytes.

Two projects hold the same content when they have the same users, codes
(with their paths, codability, colours and descriptions), text sources (with
their stored text), selections (positions, creator, name, description),
codings, variables, cases, notes, and the elements nlpthemes only carries
over (picture, PDF, audio and video sources, links, sets, graphs: ``others``).
GUIDs are compared in lookup form (lower case, no braces); element order, XML
formatting and archive layout are not compared.
"""

from __future__ import annotations

from typing import Any

from nlpthemes.io.refi.model import RefiProject, local_name
from nlpthemes.io.refi.qdc import compose_description, guid_key

__all__ = ["FACT_KINDS", "diff_facts", "project_facts"]

FACT_KINDS = ("users", "codes", "sources", "selections", "codings", "variables", "cases", "notes",
              "others")
_OTHERS = frozenset({"PictureSource", "PDFSource", "AudioSource", "VideoSource", "Link", "Set",
                     "Graph"})


def _g(guid: str | None) -> str | None:
    return None if not guid else guid_key(guid)


def project_facts(project: RefiProject) -> dict[str, frozenset[tuple[Any, ...]]]:
    """The project's facts, by kind (see :data:`FACT_KINDS`)."""
    book = project.codebook
    facts: dict[str, set[tuple[Any, ...]]] = {k: set() for k in FACT_KINDS}
    facts["users"] = {(_g(u.guid), u.name, u.id) for u in project.users}
    if book is not None:
        facts["codes"] = {(_g(c.id), book.path(c), c.codable, c.color, compose_description(c))
                          for c in book}
    for source in project.sources:
        text = None if source.text is None else (source.text.stored, source.text.had_bom)
        facts["sources"].add((_g(source.guid), source.name, source.description, text,
                              tuple(sorted(source.attributes.items()))))
        for sel in source.selections:
            facts["selections"].add((_g(sel.guid), _g(source.guid), sel.start, sel.end,
                                     _g(sel.user), sel.name, sel.description))
            facts["codings"].update((_g(c.guid), _g(sel.guid), _g(c.code), _g(c.user))
                                    for c in sel.codings)
        facts["codings"].update((_g(c.guid), _g(source.guid), _g(c.code), _g(c.user))
                                for c in source.codings)
    facts["variables"] = {(_g(v.guid), v.name, v.type, v.description) for v in project.variables}
    facts["cases"] = {(_g(c.guid), c.name, c.description, tuple(sorted(c.values.items())),
                       tuple(sorted(map(guid_key, c.sources)))) for c in project.cases}
    facts["notes"] = {(_g(n.guid), n.name, n.text, _g(n.user),
                       tuple(sorted((k, guid_key(g)) for k, g in n.targets)))
                      for n in project.notes}
    facts["others"] = {(local_name(e), _g(e.get("guid"))) for e in project.tree.getroot().iter()
                       if isinstance(e.tag, str) and local_name(e) in _OTHERS}
    return {k: frozenset(v) for k, v in facts.items()}


def diff_facts(
    before: RefiProject, after: RefiProject, kinds: tuple[str, ...] = FACT_KINDS
) -> dict[str, tuple[frozenset[tuple[Any, ...]], frozenset[tuple[Any, ...]]]]:
    """Facts lost and gained, by kind; empty when the projects agree on ``kinds``."""
    unknown = sorted(set(kinds) - set(FACT_KINDS))
    if unknown:
        raise ValueError(f"kinds must be among {', '.join(FACT_KINDS)}, not {unknown[0]!r}")
    a, b = project_facts(before), project_facts(after)
    return {k: (a[k] - b[k], b[k] - a[k]) for k in kinds if a[k] != b[k]}

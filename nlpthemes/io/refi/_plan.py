"""Plan the selections and codings an export writes, reusing REFI identities.

A coding row that matches one recorded at import (same transcript, span, code
and coder) gets back its original selection and coding GUIDs, names,
descriptions and exact positions; a new row gets a new selection (one per span
and coder) with deterministic GUIDs; applied suggestions become one selection
per suggested span, coded by the machine user, with the scores in its
``Description``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nlpthemes.codebook import Codebook
from nlpthemes.io.refi._folder import Row
from nlpthemes.io.refi._text import OffsetUnit, SourceText
from nlpthemes.io.refi.qdc import guid_key, make_guid

__all__ = ["CodingPlan", "SelectionPlan", "plan_codings", "plan_suggestions"]


@dataclass
class CodingPlan:
    """A ``Coding`` to write: GUID, code GUID, creating user GUID (or none)."""

    guid: str
    code: str
    user: str | None


@dataclass
class SelectionPlan:
    """A ``PlainTextSelection`` to write (positions in REFI units)."""

    guid: str
    transcript: str
    start: int
    end: int
    user: str | None = None
    name: str | None = None
    description: str | None = None
    codings: list[CodingPlan] = field(default_factory=list)


@dataclass
class Plan:
    """Selections per transcript, and whole-source codings per transcript."""

    selections: dict[str, list[SelectionPlan]] = field(default_factory=dict)
    source_codings: dict[str, list[CodingPlan]] = field(default_factory=dict)

    def add(self, plan: SelectionPlan) -> None:
        self.selections.setdefault(plan.transcript, []).append(plan)

    def count(self) -> tuple[int, int]:
        """Number of selections and of codings (whole-source codings included)."""
        selections = [s for group in self.selections.values() for s in group]
        return len(selections), (sum(len(s.codings) for s in selections)
                                 + sum(len(c) for c in self.source_codings.values()))


def plan_codings(
    rows: Iterable[Row],
    *,
    transcripts: dict[str, SourceText],
    code_guid: dict[str, str],
    user_guid: Callable[[str], str | None],
    identities: dict[str, Any],
    offset_unit: OffsetUnit,
) -> Plan:
    """Selections and codings for coding rows, reusing recorded identities where they match.

    ``code_guid`` maps the folder codebook's code ids to REFI GUIDs;
    ``user_guid`` maps a coder name to a user GUID (creating the user if needed).
    """
    recorded_unit = identities.get("project", {}).get("offset_unit", "codepoint")
    coders = {guid_key(u["guid"]): u["coder"] for u in identities.get("users", [])}

    def coder_of(user: str | None) -> str:
        return "unknown" if not user else coders.get(guid_key(user), user)

    index: dict[tuple[Any, ...], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    records = [s for s in identities.get("selections", []) if s.get("transcript") in transcripts]
    for sel in records:
        for coding in sel.get("codings", []):
            key = (sel["transcript"], sel["start"], sel["end"], guid_key(coding["code"]),
                   coder_of(coding.get("user") or sel.get("user")))
            index.setdefault(key, []).append((sel, coding))
    whole: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for coding in identities.get("source_codings", []):
        whole.setdefault((coding["transcript"], guid_key(coding["code"]),
                          coder_of(coding.get("user"))), []).append(coding)

    plan = Plan()
    known: dict[str, SelectionPlan] = {}
    fresh: dict[tuple[str, int, int, str], SelectionPlan] = {}

    def from_record(sel: dict[str, Any]) -> SelectionPlan:
        if sel["guid"] not in known:
            text = transcripts[sel["transcript"]]
            start, end = (sel["position"] if recorded_unit == offset_unit and "position" in sel
                          else (text.to_position(sel["start"], offset_unit),
                                text.to_position(sel["end"], offset_unit)))
            known[sel["guid"]] = SelectionPlan(
                guid=sel["guid"], transcript=sel["transcript"], start=start, end=end,
                user=sel.get("user"), name=sel.get("name"), description=sel.get("description"))
            plan.add(known[sel["guid"]])
        return known[sel["guid"]]

    for sel in records:  # keep recorded order; empty selections are kept too
        if not sel.get("codings"):
            from_record(sel)
    for row in rows:
        guid = code_guid[row.code]
        key = (row.transcript, row.start, row.end, guid_key(guid), row.coder)
        if index.get(key):
            sel, coding = index[key].pop(0)
            from_record(sel).codings.append(CodingPlan(coding["guid"], guid, coding.get("user")))
            continue
        wkey = (row.transcript, guid_key(guid), row.coder)
        if whole.get(wkey) and row.start == 0 and row.end == len(transcripts[row.transcript].text):
            coding = whole[wkey].pop(0)
            plan.source_codings.setdefault(row.transcript, []).append(
                CodingPlan(coding["guid"], guid, coding.get("user")))
            continue
        span = (row.transcript, row.start, row.end, row.coder)
        if span not in fresh:
            text = transcripts[row.transcript]
            fresh[span] = SelectionPlan(
                guid=make_guid("selection", *span), transcript=row.transcript,
                start=text.to_position(row.start, offset_unit),
                end=text.to_position(row.end, offset_unit), user=user_guid(row.coder))
            plan.add(fresh[span])
        selection = fresh[span]
        selection.codings.append(CodingPlan(
            make_guid("coding", *span, guid, len(selection.codings)), guid, user_guid(row.coder)))
    return plan


def plan_suggestions(
    rows: Iterable[Row],
    *,
    transcripts: dict[str, SourceText],
    code_guid: dict[str, str],
    codebook: Codebook,
    machine: str,
    machine_name: str,
    offset_unit: OffsetUnit,
) -> Plan:
    """One selection per suggested span, coded by the machine user, scores in its Description."""
    plan = Plan()
    spans: dict[tuple[str, int, int], SelectionPlan] = {}
    notes: dict[tuple[str, int, int], list[str]] = {}
    for row in rows:
        span = (row.transcript, row.start, row.end)
        if span not in spans:
            text = transcripts[row.transcript]
            spans[span] = SelectionPlan(
                guid=make_guid("suggestion", machine_name, *span), transcript=row.transcript,
                start=text.to_position(row.start, offset_unit),
                end=text.to_position(row.end, offset_unit), user=machine,
                name=f"{machine_name} suggestion")
            plan.add(spans[span])
            notes[span] = []
        guid = code_guid[row.code]
        selection = spans[span]
        if any(c.code == guid for c in selection.codings):
            continue
        selection.codings.append(CodingPlan(
            make_guid("suggestion-coding", machine_name, *span, guid), guid, machine))
        score = "" if row.score is None else f" score {row.score:.3f}"
        rank = "" if row.rank is None else f" (rank {row.rank})"
        notes[span].append(f"{codebook.ref(row.code)}{score}{rank}")
    for span, selection in spans.items():
        selection.description = f"{machine_name} suggestion: " + "; ".join(notes[span])
    return plan

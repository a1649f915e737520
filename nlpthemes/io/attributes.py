"""Participant attributes (group, role, gender, years of experience, ...).

A CSV with a ``speaker`` column and one column per attribute, or a YAML
mapping ``speaker: {attribute: value}``. An optional ``transcript`` column (or
YAML key ``transcript``) limits a row to one transcript; a row with a
transcript and no speaker applies to every non-interviewer speaker of that
transcript (useful when each interview has one participant labelled
``Participant``). Speaker labels match case-insensitively.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError
from nlpthemes.io._decode import read_text_file
from nlpthemes.io._options import ReadOptions

__all__ = ["AttributeRow", "apply_attributes", "read_attributes"]


@dataclass(frozen=True)
class AttributeRow:
    """Attributes of one speaker (optionally in one transcript)."""

    speaker: str | None
    transcript: str | None
    values: dict[str, str]


def read_attributes(path: Path) -> list[AttributeRow]:
    """Read a participant attributes file (``.csv``, ``.xlsx``, ``.yaml``/``.yml``).

    Raises
    ------
    InputError
        A file without a ``speaker`` (or ``transcript``) column, or malformed YAML.
    """
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _yaml_rows(path)
    from nlpthemes.io.tabular import read_rows

    header, rows = read_rows(path, ReadOptions())
    lower = [h.lower() for h in header]
    if "speaker" not in lower and "transcript" not in lower:
        raise InputError(path, f"needs a 'speaker' or 'transcript' column; columns are: {', '.join(header)}")
    s = lower.index("speaker") if "speaker" in lower else None
    t = lower.index("transcript") if "transcript" in lower else None
    out = []
    for row in rows:
        cells = row + [""] * (len(header) - len(row))
        values = {
            header[j]: cells[j].strip()
            for j in range(len(header))
            if j not in (s, t) and cells[j].strip()
        }
        speaker = cells[s].strip() if s is not None else ""
        transcript = cells[t].strip() if t is not None else ""
        if speaker or transcript:
            out.append(AttributeRow(speaker or None, transcript or None, values))
    return out


def _yaml_rows(path: Path) -> list[AttributeRow]:
    import yaml

    try:
        data: Any = yaml.safe_load(read_text_file(path).text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({exc})") from None
    out = []
    if isinstance(data, dict):
        items: Iterable[Any] = ({"speaker": k, **(v or {})} for k, v in data.items())
    elif isinstance(data, list):
        items = data
    else:
        raise InputError(path, "expected a mapping of speaker -> attributes, or a list of rows")
    for item in items:
        if not isinstance(item, dict):
            raise InputError(path, f"expected attributes as a mapping, got {item!r}")
        speaker = item.pop("speaker", None)
        transcript = item.pop("transcript", None)
        out.append(
            AttributeRow(
                None if speaker is None else str(speaker),
                None if transcript is None else str(transcript),
                {str(k): str(v) for k, v in item.items() if v is not None},
            )
        )
    return out


def apply_attributes(transcript: Transcript, rows: Iterable[AttributeRow]) -> Transcript:
    """Return the transcript with its participants' attributes filled in.

    Examples
    --------
    >>> from nlpthemes.corpus import Turn
    >>> t = Transcript("p1", "I: a\\nParticipant: b", (Turn(3, 4, "I", True), Turn(18, 19, "Participant")))
    >>> dict(apply_attributes(t, [AttributeRow(None, "p1", {"group": "NK"})]).participants)
    {'Participant': {'group': 'NK'}}
    """
    participants = {k: dict(v) for k, v in transcript.participants.items()}
    speakers = {t.speaker: t.is_interviewer for t in transcript.turns if t.speaker is not None}
    by_lower = {s.lower(): s for s in speakers}
    for row in rows:
        if row.transcript is not None and row.transcript != transcript.id:
            continue
        if row.speaker is None:
            targets = [s for s, interviewer in speakers.items() if not interviewer]
        else:
            match = by_lower.get(row.speaker.lower())
            targets = [match] if match is not None else []
        for speaker in targets:
            participants.setdefault(speaker, {}).update(row.values)
    return dataclasses.replace(transcript, participants=participants)

"""The sentences table (``sentences.csv``): one row per sentence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence
from nlpthemes.io._csv import write_csv
from nlpthemes.pseudonymise import Pseudonymiser

__all__ = ["SENTENCE_COLUMNS", "sentence_rows", "write_sentences_csv"]

SENTENCE_COLUMNS = ("transcript", "index", "start", "end", "speaker", "text")


def sentence_rows(
    sentences: Sequence[Sentence], *, pseudonymiser: Pseudonymiser | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of the sentences table.

    Columns: ``transcript,index,start,end,speaker,text``, then ``turn`` and
    ``interviewer`` (1 for interviewer turns), ``start_time``/``end_time`` when
    any sentence is timed, then one column per participant attribute.

    Examples
    --------
    >>> cols, rows = sentence_rows([Sentence("p1", 0, 0, 3, "Hi.", "Ana", attributes={"group": "A"})])
    >>> cols
    ['transcript', 'index', 'start', 'end', 'speaker', 'text', 'turn', 'interviewer', 'group']
    >>> rows[0]["group"], rows[0]["interviewer"]
    ('A', 0)
    """
    attributes: dict[str, None] = {}
    timed = False
    for s in sentences:
        attributes.update(dict.fromkeys(s.attributes))
        timed = timed or s.start_time is not None
    columns = [*SENTENCE_COLUMNS, "turn", "interviewer"]
    if timed:
        columns += ["start_time", "end_time"]
    taken = set(columns)
    attribute_columns = [a if a not in taken else f"attr_{a}" for a in attributes]
    columns += attribute_columns
    rows = []
    for s in sentences:
        row: dict[str, Any] = {
            "transcript": s.transcript_id,
            "index": s.index,
            "start": s.start,
            "end": s.end,
            "speaker": pseudonymiser.speaker(s.speaker) if pseudonymiser else s.speaker,
            "text": pseudonymiser.text(s.text) if pseudonymiser else s.text,
            "turn": s.turn,
            "interviewer": int(s.is_interviewer),
        }
        if timed:
            row["start_time"] = s.start_time
            row["end_time"] = s.end_time
        for name, column in zip(attributes, attribute_columns, strict=True):
            row[column] = s.attributes.get(name, "")
        rows.append(row)
    return columns, rows


def write_sentences_csv(
    sentences: Sequence[Sentence], path: str | Path, *, pseudonymiser: Pseudonymiser | None = None
) -> None:
    """Write ``sentences.csv`` atomically (UTF-8, RFC 4180 quoting)."""
    columns, rows = sentence_rows(sentences, pseudonymiser=pseudonymiser)
    write_csv(path, rows, columns)

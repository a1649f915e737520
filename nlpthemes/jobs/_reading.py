"""How the files were read: per transcript, the layout, the speakers and their sentences.

Every command that reads transcripts puts :func:`reading_report` into its
``manifest.json`` (key ``reading``), and the CLI shows :func:`reading_lines`, so
a misread file (one speaker with everything, labels left in the text) shows at
once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence, Transcript

__all__ = ["column_lines", "hide_names", "reading_lines", "reading_report", "reading_warnings"]


def reading_report(transcripts: Iterable[Transcript], sentences: Iterable[Sentence]) -> list[dict[str, Any]]:
    """One record per transcript: source, layout, speakers with sentence counts, warnings.

    Examples
    --------
    >>> from nlpthemes.io.text import transcript_from_text
    >>> from nlpthemes.segment import segment_transcript
    >>> t = transcript_from_text("Interviewer: Why?\\nAna: It helps. A lot.", "p1")
    >>> [row] = reading_report([t], segment_transcript(t))
    >>> row["layout"], row["speakers"]
    ('inline', [{'speaker': 'Interviewer', 'interviewer': True, 'sentences': 1}, {'speaker': 'Ana', 'interviewer': False, 'sentences': 2}])
    """
    counts: dict[str, Counter[str | None]] = {}
    asks: set[tuple[str, str | None]] = set()
    for s in sentences:
        counts.setdefault(s.transcript_id, Counter())[s.speaker] += 1
        if s.is_interviewer:
            asks.add((s.transcript_id, s.speaker))
    rows = []
    for t in transcripts:
        speakers = []
        for speaker, n in counts.get(t.id, Counter()).items():
            entry: dict[str, Any] = {"speaker": speaker or "", "interviewer": (t.id, speaker) in asks, "sentences": n}
            role = t.participants.get(speaker or "", {}).get("role")
            if role:
                entry["role"] = role
            speakers.append(entry)
        reading = t.reading
        rows.append({
            "transcript": t.id,
            "source": t.source,
            "layout": reading.layout if reading else None,
            "detected": reading.detected if reading else None,
            "scores": dict(reading.scores) if reading else {},
            "speakers": speakers,
            "warnings": list(reading.warnings) if reading else [],
            **({"column": reading.column} if reading and reading.column else {}),
            **({"identity_columns": list(reading.identity_columns)} if reading and reading.identity_columns else {}),
        })  # fmt: skip
    return rows


def hide_names(rows: Sequence[dict[str, Any]], pseudonymiser: Any) -> list[dict[str, Any]]:
    """The report with speakers and names in warnings replaced by their pseudonyms (``None``: unchanged).

    Examples
    --------
    >>> from nlpthemes.pseudonymise import Pseudonymiser
    >>> rows = [{"speakers": [{"speaker": "Mina", "interviewer": False, "sentences": 3}],
    ...          "warnings": ["every speaker turn is given to Mina"]}]
    >>> hidden = hide_names(rows, Pseudonymiser(key={"Mina": "P01"}))
    >>> hidden[0]["speakers"][0]["speaker"], hidden[0]["warnings"]
    ('P01', ['every speaker turn is given to P01'])
    """
    if pseudonymiser is None:
        return list(rows)
    out = []
    for row in rows:
        speakers = [{**s, "speaker": pseudonymiser.speaker(s["speaker"]) if s["speaker"] else s["speaker"]}
                    for s in row.get("speakers", [])]  # fmt: skip
        warnings = [pseudonymiser.text(w) for w in row.get("warnings", [])]
        out.append({**row, "speakers": speakers, "warnings": warnings})
    return out


def _name(row: dict[str, Any]) -> str:
    source = row.get("source")
    name = Path(source).name if source else str(row["transcript"])
    return name if row["transcript"] in (Path(name).stem, name) else f"{name}#{row['transcript']}"


def reading_warnings(rows: Sequence[dict[str, Any]]) -> list[str]:
    """``PATH: problem`` for every reading warning.

    Examples
    --------
    >>> reading_warnings([{"transcript": "p1", "source": "in/p1.md", "warnings": ["no speaker"]}])
    ['in/p1.md: no speaker']
    """
    return [f"{row.get('source') or row['transcript']}: {w}" for row in rows for w in row.get("warnings", [])]


def reading_lines(rows: Sequence[dict[str, Any]], *, max_files: int = 12) -> list[str]:
    """How each file was read, one line per file; past ``max_files`` files, a count per layout.

    Examples
    --------
    >>> rows = [{"transcript": "p1", "source": "in/p1.txt", "layout": "name-time", "speakers": [
    ...     {"speaker": "Kim", "interviewer": True, "sentences": 12},
    ...     {"speaker": "Lee", "interviewer": False, "sentences": 40}]}]
    >>> reading_lines(rows)
    ['p1.txt [name-time]: Kim (interviewer) 12, Lee 40 sentences']
    >>> reading_lines(rows * 20)
    ['layouts: name-time 20']
    """
    if len(rows) > max_files:
        layouts = Counter(str(row["layout"]) for row in rows)
        return ["layouts: " + ", ".join(f"{name} {n}" for name, n in layouts.most_common())] + column_lines(rows)
    lines = []
    for row in rows:
        parts = [
            f"{s['speaker'] or '(no speaker)'}{' (interviewer)' if s['interviewer'] else ''} {s['sentences']}"
            for s in row["speakers"]
        ]  # fmt: skip
        said = f"{', '.join(parts)} sentences" if parts else "no sentences"
        lines.append(f"{_name(row)} [{row['layout']}]: {said}")
    return lines + column_lines(rows)


def column_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """For each table of answers, the columns (questions) its answers were read from.

    Examples
    --------
    >>> rows = [{"source": "s.csv", "column": c} for c in ("why", "how", "why")]
    >>> column_lines(rows)
    ['s.csv: answers read from 2 columns: why 2, how 1 (choose them with --text-column)']
    >>> column_lines([{"source": "s.csv", "column": "why", "identity_columns": ["Name", "Email"]}])[1]
    's.csv: not kept (they say who answered): Name, Email'
    """
    columns: dict[str, Counter[str]] = {}
    identity: dict[str, list[str]] = {}
    for row in rows:
        if row.get("column"):
            source = str(row.get("source") or row.get("transcript"))
            columns.setdefault(source, Counter())[row["column"]] += 1
            identity.setdefault(source, list(row.get("identity_columns") or []))
    lines = []
    for source, counts in columns.items():
        listed = ", ".join(f"{column} {n}" for column, n in counts.items())
        lines.append(f"{Path(source).name}: answers read from {len(counts)} column{'s' if len(counts) > 1 else ''}: "
                     f"{listed} (choose them with --text-column)")  # fmt: skip
        if identity[source]:
            lines.append(f"{Path(source).name}: not kept (they say who answered): {', '.join(identity[source])}")
    return lines

"""Units of analysis for coded spans: sentences (with a coverage share) and documents.

Human coders mark spans (``transcript,start,end,code,coder``) that rarely match
sentence boundaries. Agreement needs units both coders saw: a sentence counts
as coded with a code by a coder when that coder's spans with the code cover at
least ``min_coverage`` of its characters. The result is the long
``unit,coder,code`` format every agreement function reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nlpthemes.agreement._long import read_csv_table
from nlpthemes.errors import InputError

__all__ = [
    "check_codings",
    "codings_from_table",
    "merge_spans",
    "read_codings_csv",
    "sentence_table",
    "sentence_units",
    "document_units",
]

CODING_COLUMNS = ("transcript", "start", "end", "code", "coder")


def read_codings_csv(path: str | Path, *, coder: str | None = None) -> pd.DataFrame:
    """Read a codings CSV ``transcript,start,end,code,coder`` (offsets into the transcript).

    Without a ``coder`` column every row belongs to ``coder`` (default: the
    file's stem). A suggestions CSV (with an ``applied`` column) keeps the rows
    the suggester applied, so a machine can be compared as a coder.

    Parameters
    ----------
    path : path
        The CSV file.
    coder : str, optional
        Coder of rows in a file without a ``coder`` column.

    Returns
    -------
    DataFrame
        ``transcript, start, end, code, coder``.
    """
    path = Path(path)
    return codings_from_table(read_csv_table(path), source=path, coder=coder or path.stem)


def codings_from_table(
    frame: pd.DataFrame, *, source: str | Path | None = None, coder: str | None = None
) -> pd.DataFrame:
    """Span codings from a table read as strings (see :func:`read_codings_csv`)."""
    if "start" not in frame.columns and "text" in frame.columns:
        raise InputError(
            source,
            "codings give quotes (transcript,text,...) without offsets; "
            "agreement needs transcript,start,end,code,coder",
        )
    if "applied" in frame.columns:
        applied = frame["applied"].astype(str).str.strip().str.lower()
        frame = frame[applied.isin({"1", "true", "yes"}).to_numpy()]
    if "coder" not in frame.columns:
        if coder is None:
            raise InputError(source, "no column 'coder' and no coder name given")
        frame = frame.assign(coder=coder)
    return check_codings(frame, source=source)


def check_codings(frame: pd.DataFrame, *, source: str | Path | None = None) -> pd.DataFrame:
    """Check span codings and return columns ``transcript, start, end, code, coder``."""
    missing = [c for c in CODING_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            source, f"no column {missing[0]!r} (codings need {','.join(CODING_COLUMNS)})"
        )
    out = frame[list(CODING_COLUMNS)].copy()
    for column in ("transcript", "code", "coder"):
        out[column] = out[column].astype(object).map(lambda v: str(v).strip()).astype(object)
    for column in ("start", "end"):
        values = pd.to_numeric(out[column], errors="coerce")
        bad = np.nonzero(values.isna().to_numpy() | (values.to_numpy() % 1 != 0))[0]
        if bad.size:
            raise InputError(source, f"row {int(bad[0]) + 2}: {column} is not a whole number")
        out[column] = values.astype(np.int64)
    bad = np.nonzero((out["start"] < 0).to_numpy() | (out["end"] <= out["start"]).to_numpy())[0]
    if bad.size:
        raise InputError(source, f"row {int(bad[0]) + 2}: span needs 0 <= start < end")
    empty = np.nonzero(((out["code"] == "") | (out["coder"] == "")).to_numpy())[0]
    if empty.size:
        raise InputError(source, f"row {int(empty[0]) + 2}: empty code or coder")
    return out.reset_index(drop=True)


def merge_spans(
    starts: Sequence[int], ends: Sequence[int]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Union of half-open spans, sorted and non-overlapping.

    Examples
    --------
    >>> [a.tolist() for a in merge_spans([5, 0, 2], [9, 3, 4])]
    [[0, 5], [4, 9]]
    """
    order = np.argsort(np.asarray(starts), kind="stable")
    s = np.asarray(starts, dtype=np.int64)[order]
    e = np.asarray(ends, dtype=np.int64)[order]
    out_s: list[int] = []
    out_e: list[int] = []
    for a, b in zip(s.tolist(), e.tolist(), strict=True):
        if out_e and a <= out_e[-1]:
            out_e[-1] = max(out_e[-1], b)
        else:
            out_s.append(a)
            out_e.append(b)
    return np.asarray(out_s, dtype=np.int64), np.asarray(out_e, dtype=np.int64)


def sentence_table(sentences: pd.DataFrame | Iterable[Any]) -> pd.DataFrame:
    """Unit table ``transcript, index, start, end, text`` from a DataFrame or Sentences."""
    if isinstance(sentences, pd.DataFrame):
        frame = sentences.rename(columns={"transcript_id": "transcript"})
    else:
        frame = pd.DataFrame(
            [
                {
                    "transcript": s.transcript_id,
                    "index": s.index,
                    "start": s.start,
                    "end": s.end,
                    "text": getattr(s, "text", ""),
                }
                for s in sentences
            ]
        )
    for column in ("transcript", "start", "end"):
        if column not in frame.columns:
            raise InputError(None, f"sentences need a {column!r} column")
    frame = frame.copy()
    frame["transcript"] = frame["transcript"].astype(str)
    if "index" not in frame.columns:
        frame["index"] = frame.groupby("transcript").cumcount()
    if "text" not in frame.columns:
        frame["text"] = ""
    return frame[["transcript", "index", "start", "end", "text"]].reset_index(drop=True)


def _coded_by(
    coders: Sequence[str],
    transcripts: Sequence[str],
    coded_transcripts: Mapping[str, Collection[str]] | None,
) -> dict[str, set[str]]:
    if coded_transcripts is None:
        return {c: set(transcripts) for c in coders}
    return {c: set(coded_transcripts.get(c, ())) for c in coders}


def sentence_units(
    codings: pd.DataFrame,
    sentences: pd.DataFrame | Iterable[Any],
    *,
    min_coverage: float = 0.5,
    coders: Sequence[str] | None = None,
    coded_transcripts: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """Long ``unit,coder,code,text`` rows with sentences as units.

    Parameters
    ----------
    codings : DataFrame
        ``transcript, start, end, code, coder`` (half-open character offsets).
    sentences : DataFrame or iterable of Sentence
        The units: ``transcript, start, end`` (and ``index``, ``text``), e.g. from
        :func:`nlpthemes.segment.segment_corpus`.
    min_coverage : float
        Share of a sentence's characters a coder's spans with a code must cover
        for the sentence to count as coded with it (0: any overlap).
    coders : sequence of str, optional
        Coders to include (default: all in ``codings``).
    coded_transcripts : mapping, optional
        Coder -> the transcripts they coded. By default every coder coded every
        transcript, so a sentence without their code is "coded, no code".

    Examples
    --------
    >>> sents = pd.DataFrame({"transcript": ["t", "t"], "start": [0, 10], "end": [10, 20]})
    >>> codings = pd.DataFrame({"transcript": ["t", "t"], "start": [0, 8], "end": [6, 20],
    ...                         "code": ["x", "y"], "coder": ["A", "B"]})
    >>> sentence_units(codings, sents)[["unit", "coder", "code"]].values.tolist()
    [['t#0', 'A', 'x'], ['t#0', 'B', ''], ['t#1', 'A', ''], ['t#1', 'B', 'y']]
    """
    if not isinstance(min_coverage, int | float) or not 0.0 <= float(min_coverage) <= 1.0:
        raise InputError(None, f"min_coverage must be between 0 and 1, got {min_coverage!r}")
    codings = check_codings(codings)
    units = sentence_table(sentences)
    if units.empty:
        raise InputError(None, "no sentences given")
    known = set(units["transcript"])
    unknown = sorted(set(codings["transcript"]) - known)
    if unknown:
        raise InputError(
            None, f"codings name transcripts that were not read: {', '.join(unknown[:5])}"
        )
    who = sorted(set(codings["coder"])) if coders is None else list(coders)
    coded_by = _coded_by(who, sorted(known), coded_transcripts)
    hits: dict[tuple[int, str], list[str]] = {}
    for (transcript, coder, code), group in codings.groupby(["transcript", "coder", "code"]):
        rows = np.nonzero((units["transcript"] == transcript).to_numpy())[0]
        starts = units["start"].to_numpy()[rows]
        ends = units["end"].to_numpy()[rows]
        covered = np.zeros(rows.size, dtype=np.int64)
        for s, e in zip(*merge_spans(group["start"].tolist(), group["end"].tolist()), strict=True):
            covered += np.clip(np.minimum(e, ends) - np.maximum(s, starts), 0, None)
        length = ends - starts
        share_ok = covered >= min_coverage * length
        for i in rows[(covered > 0) & share_ok & (length > 0)]:
            hits.setdefault((int(i), str(coder)), []).append(str(code))
    records = []
    for i, row in enumerate(units.itertuples(index=False)):
        unit = f"{row.transcript}#{row.index}"
        for coder in who:
            if row.transcript not in coded_by[coder]:
                continue
            for code in sorted(hits.get((i, coder), [""])):
                records.append((unit, coder, code, row.text))
    return pd.DataFrame(records, columns=["unit", "coder", "code", "text"])


def document_units(
    codings: pd.DataFrame,
    *,
    transcripts: Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long ``unit,coder,code`` rows with whole transcripts as units: code present or absent.

    Parameters
    ----------
    codings : DataFrame
        ``transcript, start, end, code, coder``.
    transcripts : sequence of str, optional
        Every transcript coded (default: those named in ``codings``); a
        transcript without codes from a coder is "coded, no code".
    coders : sequence of str, optional
        Default: all in ``codings``.

    Examples
    --------
    >>> codings = pd.DataFrame({"transcript": ["t1", "t1"], "start": [0, 5], "end": [4, 9],
    ...                         "code": ["x", "y"], "coder": ["A", "B"]})
    >>> document_units(codings, transcripts=["t1", "t2"]).values.tolist()
    [['t1', 'A', 'x'], ['t1', 'B', 'y'], ['t2', 'A', ''], ['t2', 'B', '']]
    """
    codings = check_codings(codings)
    docs = (
        sorted(set(codings["transcript"])) if transcripts is None else [str(t) for t in transcripts]
    )
    unknown = sorted(set(codings["transcript"]) - set(docs))
    if unknown:
        raise InputError(None, f"codings name transcripts not listed: {', '.join(unknown[:5])}")
    who = sorted(set(codings["coder"])) if coders is None else list(coders)
    applied = codings.groupby(["transcript", "coder"])["code"].agg(lambda s: sorted(set(s)))
    records = [
        (doc, coder, code)
        for doc in docs
        for coder in who
        for code in applied.get((doc, coder), [""])
    ]
    return pd.DataFrame(records, columns=["unit", "coder", "code"])

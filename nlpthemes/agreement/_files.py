"""From files to the long ``unit,coder,code`` table: long CSVs, or span codings plus transcripts.

The library twin of ``nlpthemes agree``: the CLI only parses options, calls
these and :func:`summarize_agreement`, and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nlpthemes.agreement._characters import character_agreement
from nlpthemes.agreement._long import normalize_long, read_csv_table
from nlpthemes.agreement._units import codings_from_table, document_units, sentence_units
from nlpthemes.agreement._validation import check_option
from nlpthemes.corpus import Corpus
from nlpthemes.errors import InputError

__all__ = ["UNITS", "load_agreement_input", "load_character_agreement"]

UNITS: tuple[str, ...] = ("sentence", "character", "document")


def _is_quotes(frame: pd.DataFrame) -> bool:
    return "start" not in frame.columns and {"transcript", "text", "code"} <= set(frame.columns)


def _is_spans(frame: pd.DataFrame) -> bool:
    return {"transcript", "start", "end"} <= set(frame.columns) or _is_quotes(frame)


def _read(paths: Sequence[str | Path]) -> list[tuple[Path, pd.DataFrame]]:
    if not paths:
        raise InputError(None, "no codings file given")
    return [(Path(p), read_csv_table(p)) for p in paths]


class _Transcripts:
    """The transcripts span codings point into, read once when first needed."""

    def __init__(self, paths: Sequence[str | Path]) -> None:
        self.paths = list(paths)
        self._corpus: Corpus | None = None

    def corpus(self) -> Corpus:
        if self._corpus is None:
            from nlpthemes.io import read_corpus

            if not self.paths:
                raise InputError(
                    None, "span codings need the transcripts they point into (--transcripts)"
                )
            corpus = read_corpus(self.paths)
            if corpus.errors:
                where, problem = corpus.errors[0]
                raise InputError(None, problem if where in problem else f"{where}: {problem}")
            if not len(corpus):
                raise InputError(None, "no transcripts found in the given paths")
            self._corpus = corpus
        return self._corpus


def _quoted(path: Path, transcripts: _Transcripts) -> pd.DataFrame:
    """Quotes located in the transcripts (exact, white space, fuzzy); unplaced ones are an error."""
    from nlpthemes.codings import read_codings

    read = read_codings(path, transcripts.corpus().by_id(), coder=path.stem)
    if len(read.unplaced):
        first = read.unplaced.iloc[0]
        example = str(first["text"])[:60]
        raise InputError(
            path, f"{len(read.unplaced)} quote(s) could not be placed, e.g. {example!r} "
            f"in {first['transcript']!r} ({first['reason']})",
        )  # fmt: skip
    return read.codings


def _codings(tables: list[tuple[Path, pd.DataFrame]], transcripts: _Transcripts) -> pd.DataFrame:
    frames = [
        _quoted(path, transcripts) if _is_quotes(frame)
        else codings_from_table(frame, source=path, coder=path.stem)
        for path, frame in tables
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def load_agreement_input(
    paths: Sequence[str | Path],
    *,
    transcripts: Sequence[str | Path] = (),
    unit: str = "sentence",
    min_coverage: float = 0.5,
    include_interviewer: bool = False,
    unit_column: str = "unit",
    coder_column: str = "coder",
    code_column: str = "code",
) -> pd.DataFrame:
    """Read codings into the long table ``unit, coder, code`` (+ ``text``).

    Parameters
    ----------
    paths : sequence of path
        Long-format CSVs (``unit,coder,code``), or codings CSVs with spans
        (``transcript,start,end,code,coder``; without a coder column the file's
        stem is the coder; a suggestions CSV keeps its applied rows), or with
        quotes (``transcript,text,code,coder``), located in the transcripts by
        :func:`nlpthemes.codings.read_codings`.
    transcripts : sequence of path
        The transcripts span codings point into (files or folders), read with
        :func:`nlpthemes.io.read_corpus` and split with
        :func:`nlpthemes.segment.segment_corpus` for sentence units.
    unit : {"sentence", "document"}
        Units for span codings (``"character"``: see :func:`load_character_agreement`).
    min_coverage : float
        Share of a sentence a coder's span must cover to code it.
    include_interviewer : bool
        Keep the interviewer's sentences as units (by default they are left
        out: nobody codes the questions, and counting them as agreement on
        "no code" would inflate every coefficient).
    unit_column, coder_column, code_column : str
        Column names of long-format files.
    """
    check_option("unit", unit, UNITS)
    tables = _read(paths)
    spans = [_is_spans(frame) and unit_column not in frame.columns for _, frame in tables]
    if any(spans) and not all(spans):
        raise InputError(None, "mix of long-format (unit,coder,code) and span codings files")
    if not all(spans):
        frames = [
            normalize_long(frame, unit_column=unit_column, coder_column=coder_column,
                           code_column=code_column, source=path)
            for path, frame in tables
        ]  # fmt: skip
        return pd.concat(frames, ignore_index=True).drop_duplicates(["unit", "coder", "code"])
    source = _Transcripts(transcripts)
    codings = _codings(tables, source)
    if unit == "character":
        raise InputError(None, "character units give per-pair counts: use load_character_agreement")
    if unit == "document":
        ids = [t.id for t in source.corpus()] if transcripts else None
        return document_units(codings, transcripts=ids)
    from nlpthemes.segment import segment_corpus

    sentences = [
        s for s in segment_corpus(source.corpus()) if include_interviewer or not s.is_interviewer
    ]
    return sentence_units(codings, sentences, min_coverage=min_coverage)


def load_character_agreement(
    paths: Sequence[str | Path], *, transcripts: Sequence[str | Path]
) -> pd.DataFrame:
    """Character-unit agreement (see :func:`character_agreement`) from codings and transcripts."""
    tables = _read(paths)
    if not all(_is_spans(frame) for _, frame in tables):
        raise InputError(
            None, "character units need span codings (transcript,start,end,code,coder)"
        )
    source = _Transcripts(transcripts)
    codings = _codings(tables, source)
    return character_agreement(codings, lengths={t.id: len(t.text) for t in source.corpus()})

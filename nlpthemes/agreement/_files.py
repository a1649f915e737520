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

__all__ = ["UNITS", "codes_columns_long", "load_agreement_input", "load_character_agreement"]

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
    codes_columns: Sequence[str] = (),
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
    codes_columns : sequence of str
        Tables coded in the spreadsheet (a survey export with a column of codes per
        coder): each named column is one coder's codes of each row, the unit
        (see :func:`codes_columns_long`).
    """
    check_option("unit", unit, UNITS)
    if codes_columns:
        return pd.concat([codes_columns_long(p, codes_columns, several=len(paths) > 1) for p in paths],
                         ignore_index=True)  # fmt: skip
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


def codes_columns_long(path: str | Path, columns: Sequence[str], *, several: bool = False) -> pd.DataFrame:
    """The long table of a spreadsheet coded in columns: each row a unit, each column a coder.

    A cell's codes are separated by ``;``, ``|`` or line breaks; an empty cell says no code
    applies, and a row no coder coded (an empty answer) is no unit. A code written in another
    case or spacing by another coder is the same code.
    Units are ``row N`` (``FILE row N`` with ``several`` files), counted below the header
    rows (Qualtrics and SurveyMonkey exports have more than one).

    Raises
    ------
    InputError
        A named column that is not there (the message lists the columns), or fewer than two.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("id,answer,A,B\\n1,cheap and near,cost; Distance,cost\\n2,,,\\n3,far,distance,\\n")
    >>> codes_columns_long(p, ["A", "B"]).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['row 1', 'A', 'cost'], ['row 1', 'A', 'Distance'], ['row 1', 'B', 'cost'],
     ['row 3', 'A', 'Distance'], ['row 3', 'B', '']]
    """
    from nlpthemes.codebook import loose_reference
    from nlpthemes.io.answer_codes import cell_codes
    from nlpthemes.io.tabular import answer_rows

    path = Path(path)
    if len(set(columns)) < 2:
        raise InputError(path, "name two or more columns of codes (one per coder) to compare")
    header, rows = answer_rows(path)
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(path, f"no column named {missing[0]!r}; columns are: {', '.join(header)}")
    spelling: dict[str, str] = {}
    records = []
    for number, row in enumerate(rows, start=1):
        unit = f"{path.stem} row {number}" if several else f"row {number}"
        cells = {c: row[header.index(c)] if header.index(c) < len(row) else "" for c in dict.fromkeys(columns)}
        if not any(cell.strip() for cell in cells.values()):
            continue  # nobody coded it (no answer): not a unit, or empty rows would inflate agreement
        for column, cell in cells.items():
            codes = [spelling.setdefault(loose_reference(code), code) for code in cell_codes(cell)]
            records += [(unit, column, code) for code in codes] or [(unit, column, "")]
    return pd.DataFrame(records, columns=["unit", "coder", "code"])


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

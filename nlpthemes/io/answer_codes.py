"""Codes typed beside the answers of a survey table, read as codings of whole answers.

Survey researchers often code in the spreadsheet itself: a column beside the answers holds
each answer's codes (``peer support; funding``), one column per coder, or per question
(``Q1, Q1 codes, Q2, Q2 codes``). Given that table as ``--codings`` (the same file the
answers are read from), every column whose cells name codes of the codebook becomes one
coder's codings, each code spanning its whole answer. The coder is the column's name, less
the question's where it names it (``Q1 codes`` and ``Q2 codes`` are both ``codes``).

Which question a column codes: the only one; else the question its name contains (``Q2
codes``); else the question to its left, when the codes sit between or after their
questions (``Q1, codes, Q2, codes``). A codes column after several questions whose name
names none of them (``Q1, Q2, Codes``) cannot be placed, and reading it is refused rather
than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from nlpthemes.codebook import Codebook

__all__ = ["answer_codings", "cell_codes", "is_answer_of", "split_codes"]

_SEPARATORS = re.compile(r"[;|\n]+")
_MIN_NAMED = 0.5  # share of a column's filled cells whose codes are all in the codebook


def is_answer_of(transcript: Transcript, path: str | Path) -> bool:
    """Whether ``transcript`` is an answer read from the table at ``path``."""
    reading = transcript.reading
    if reading is None or reading.row is None or not transcript.source:
        return False
    return Path(transcript.source).resolve() == Path(path).resolve()


def cell_codes(cell: str) -> list[str]:
    """The codes a coder typed in one cell, separated by ``;``, ``|`` or line breaks.

    Examples
    --------
    >>> cell_codes("peer support; Funding |mentoring\\n")
    ['peer support', 'Funding', 'mentoring']
    """
    return [t.strip() for t in _SEPARATORS.split(cell) if t.strip()]


def split_codes(cell: str, codebook: Codebook) -> list[str]:
    """The codes one cell names, separated by ``;``, ``|`` or line breaks (or by commas, where a
    part with commas is no code of the codebook).

    Examples
    --------
    >>> from nlpthemes.codebook import Code, Codebook
    >>> book = Codebook([Code("a", "Money, grants"), Code("b", "Trust"), Code("c", "Peers")])
    >>> split_codes("Money, grants; trust", book), split_codes("Trust, Peers", book)
    (['Money, grants', 'trust'], ['Trust', 'Peers'])
    """
    out: list[str] = []
    for token in cell_codes(cell):
        if "," in token and not _known(token, codebook):
            out += [part.strip() for part in token.split(",") if part.strip()]
        else:
            out.append(token)
    return out


def _known(reference: str, codebook: Codebook) -> bool:
    try:
        codebook.find(reference)
    except KeyError:
        return False
    return True


def answer_codings(
    path: str | Path, answers: Sequence[Transcript], codebook: Codebook
) -> tuple[pd.DataFrame, list[str]]:
    """Codings ``transcript,start,end,code,coder`` from the codes columns of a table of answers.

    Parameters
    ----------
    path : path
        The table (CSV or XLSX) the ``answers`` were read from.
    answers : sequence of Transcript
        The answers read from it (:func:`is_answer_of`).
    codebook : Codebook
        A column is a codes column when at least half of its filled cells name only codes of it.

    Returns
    -------
    codings : DataFrame
        One row per code of an answer, spanning the answer (codes the codebook does not
        know are kept, for the caller to report).
    notes : list of str
        Which column was read as whose codes of which question.

    Raises
    ------
    InputError
        No codes column, or none whose question can be told.
    """
    import pandas as pd

    from nlpthemes.agreement._units import check_codings
    from nlpthemes.io.tabular import answer_rows

    path = Path(path)
    header, rows = answer_rows(path)
    questions = [header.index(q) for q in dict.fromkeys(t.reading.column for t in answers if t.reading)
                 if q in header]  # fmt: skip
    code_columns = [j for j in range(len(header)) if j not in questions and _codes_column(rows, j, codebook)]
    if not code_columns:
        raise InputError(path, "no column of codes beside the answers: a codes column holds names of the "
                               "codebook's codes, separated by ';' (for example 'peer support; funding')")  # fmt: skip
    by_place = {(t.reading.row, t.reading.column): t for t in answers if t.reading}
    records: list[dict[str, object]] = []
    notes: list[str] = []
    unplaced: list[str] = []
    for j in code_columns:
        question = _question_of(j, header, questions, code_columns)
        if question is None:
            unplaced.append(header[j])
            continue
        coder, coded = _coder(header[j], header[question]), 0
        for number, row in enumerate(rows, start=1):
            answer = by_place.get((number, header[question]))
            cell = row[j] if j < len(row) else ""
            if answer is None or not cell.strip():
                continue
            coded += 1
            records += [{"transcript": answer.id, "start": 0, "end": len(answer.text), "code": code,
                         "coder": coder} for code in split_codes(cell, codebook)]  # fmt: skip
        notes.append(f"{path.name}: codes of {coded} answers read from the column {header[j]!r} "
                     f"(coder {coder!r}) for {header[question]!r}")  # fmt: skip
    if unplaced:
        problem = (f"cannot tell which question the codes in {', '.join(map(repr, unplaced))} are for: put each "
                   "codes column right after its question's column, or name the question in it ('Q2 codes'), "
                   "or read one question with --text-column")  # fmt: skip
        if not records:
            raise InputError(path, problem)
        notes.append(f"{path.name}: {problem}")
    columns = ["transcript", "start", "end", "code", "coder"]
    frame = pd.DataFrame(records, columns=columns)
    return (check_codings(frame, source=path) if len(frame) else frame), notes


def _coder(column: str, question: str) -> str:
    """The coder a codes column stands for: its name, without the question's where it names one
    (``Q1 codes`` and ``Q2 codes`` are one coder's, ``codes``).

    Examples
    --------
    >>> _coder("Q2 codes", "Q2"), _coder("Q2_codes", "Q2"), _coder("Coder B", "Why?"), _coder("Q1", "Q1")
    ('codes', 'codes', 'Coder B', 'coder')
    """
    rest = re.sub(rf"(?<![^\W_]){re.escape(question)}(?![^\W_])", " ", column, flags=re.IGNORECASE)
    rest = " ".join(rest.split()).strip(" -_:()[]")
    return rest if rest and rest != column.strip() else (column.strip() if rest else "coder")


def _codes_column(rows: list[list[str]], j: int, codebook: Codebook) -> bool:
    filled = [r[j] for r in rows if j < len(r) and r[j].strip()]
    named = sum(all(_known(c, codebook) for c in split_codes(v, codebook)) for v in filled)
    return bool(filled) and named >= _MIN_NAMED * len(filled)


def _question_of(j: int, header: Sequence[str], questions: list[int], code_columns: list[int]) -> int | None:
    """The answer column that codes column ``j`` codes, or ``None`` when it cannot be told.

    Examples
    --------
    >>> h = ["id", "Q1", "Q1 codes", "Q2", "Q2_codes", "Q10"]
    >>> _question_of(2, h, [1, 3, 5], [2, 4]), _question_of(4, h, [1, 3, 5], [2, 4])
    (1, 3)
    >>> h = ["id", "Why?", "Change?", "Codes"]
    >>> _question_of(3, h, [1, 2], [3]) is None
    True
    """
    if len(questions) == 1:
        return questions[0]
    named = [q for q in questions if re.search(rf"(?<![^\W_]){re.escape(header[q])}(?![^\W_])", header[j], re.IGNORECASE)]
    if len(named) == 1:
        return named[0]
    left = [q for q in questions if q < j]
    if not left or all(c > max(questions) for c in code_columns):
        return None  # before every question, or one block of codes after several questions
    return max(left)

"""CSV and XLSX files: open-ended survey answers, or transcripts as turn tables.

Two shapes are read:

* **answers**: an id column and one or more text columns (survey questions);
  each answer is a transcript whose single speaker is the respondent id. With
  several questions, each answer is its own transcript (``"{id} {question}"``)
  with the question as the attribute ``question``. Other short columns (group,
  age, ...) become the respondent's attributes. The extra header rows of
  Qualtrics and SurveyMonkey exports are not read as answers.
* **turn table**: a speaker column and a text column; each row is a turn and
  the file (or each value of a transcript column) is one transcript. A row
  with an empty speaker continues the previous speaker.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence
from pathlib import Path

from nlpthemes.corpus import Reading, Transcript, Turn
from nlpthemes.errors import InputError
from nlpthemes.io._csv import guess_delimiter
from nlpthemes.io._decode import read_text_file
from nlpthemes.io._options import ReadOptions
from nlpthemes.io._turns import guess_interviewers, is_interviewer_label, resolve_aliases
from nlpthemes.segment import detect_language

__all__ = ["answer_rows", "read_rows", "read_table"]

_TEXT_NAMES = ("text", "answer", "response", "words", "utterance", "utterance_text", "content",
               "comment", "comments", "transcript_text", "segment")  # fmt: skip
_ID_NAMES = ("id", "respondent", "respondent_id", "respondent id", "response_id", "response id", "responseid",
             "participant", "participant_id")  # fmt: skip
_SPEAKER_NAMES = ("speaker", "interlocutor", "speaker_name", "role")
_TRANSCRIPT_NAMES = ("transcript", "transcript_id", "interview", "interview_id", "document")
_ATTRIBUTE_MAX_LEN = 60
# a column of free-text answers: values of this many words on average (codes, notes and names are
# shorter), nearly all different, in at least this share of the rows
_ANSWER_WORDS, _ANSWER_DISTINCT, _ANSWER_FILLED = 8.0, 0.8, 0.1
_QUESTION_ID_MAX_LEN = 24  # a longer question header is named Q1, Q2... in transcript ids
# columns that say who a respondent is (Microsoft and Google Forms, Qualtrics, SurveyMonkey...), compared
# lower-case without spaces, "-" and "_": never kept as attributes (they would reach every output)
_IDENTITY = frozenset({
    "name", "fullname", "firstname", "lastname", "surname", "respondentname", "yourname", "email", "emailaddress",
    "youremail", "ipaddress", "recipientemail", "recipientfirstname", "recipientlastname", "phone", "phonenumber",
    "locationlatitude", "locationlongitude",
})  # fmt: skip
# the identity columns whose values are names to pseudonymise in the answers
_NAME_COLUMNS = _IDENTITY - {"ipaddress", "phone", "phonenumber", "locationlatitude", "locationlongitude"}
_IMPORT_ID = re.compile(r'^\{"ImportId":')
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def read_rows(path: Path, options: ReadOptions = ReadOptions()) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (any common encoding and delimiter) or XLSX file.

    Raises
    ------
    InputError
        Unreadable, corrupt or empty file.
    """
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path)
    decoded = read_text_file(path, encoding=options.encoding)
    if not decoded.text.strip():
        raise InputError(path, "the file is empty")
    delimiter = guess_delimiter(decoded.text)
    try:
        rows = list(csv.reader(io.StringIO(decoded.text), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(path, "the file is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def answer_rows(path: Path, options: ReadOptions = ReadOptions()) -> tuple[list[str], list[list[str]]]:
    """Header and answer rows of a table, the extra header rows of survey exports left out, as
    :func:`read_table` numbers them (``Reading.row`` 1 is the first row returned)."""
    header, rows = read_rows(path, options)
    header, _, rows = _survey_header_rows(header, rows)
    return header, rows


def _xlsx_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(path, f"not a valid .xlsx file ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(path, "the first sheet is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def _find(header: Sequence[str], wanted: str | None, names: Sequence[str], path: Path,
          what: str) -> int | None:  # fmt: skip
    lower = [h.lower() for h in header]
    if wanted is not None:
        if wanted.lower() not in lower:
            raise InputError(
                path, f"no {what} column named {wanted!r}; columns are: {', '.join(header)}"
            )
        return lower.index(wanted.lower())
    for name in names:
        if name in lower:
            return lower.index(name)
    return None


def _clean(cell: str) -> str:
    cell = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
    return html.unescape(cell) if _ENTITY.search(cell) else cell


def _longest_text_column(header: Sequence[str], rows: list[list[str]], skip: set[int]) -> int | None:
    best, best_len = None, 0.0
    for j in range(len(header)):
        if j in skip:
            continue
        values = [r[j] for r in rows if j < len(r) and r[j].strip()]
        if not values:
            continue
        mean = sum(len(v) for v in values) / len(values)
        if mean > best_len and any(" " in v for v in values):
            best, best_len = j, mean
    return best


def read_table(path: Path, options: ReadOptions = ReadOptions()) -> list[Transcript]:
    """Read a CSV/XLSX file of answers or turns into transcripts.

    Raises
    ------
    InputError
        Missing columns (the message lists the columns there are), duplicate
        answer ids, or no text at all.
    """
    header, rows = read_rows(path, options)
    header, questions, rows = _survey_header_rows(header, rows)
    speaker_col = _find(header, options.speaker_column, _SPEAKER_NAMES, path, "speaker")
    id_col = _find(header, options.id_column, _ID_NAMES + _TRANSCRIPT_NAMES, path, "id")
    skip = {c for c in (speaker_col, id_col) if c is not None}
    named = [_find(header, name, (), path, "text") for name in options.text_columns]
    text_cols = [c for c in named if c is not None]
    if not text_cols:
        found = _find(header, None, _TEXT_NAMES, path, "text")
        text_cols = [found] if found is not None else []
        if speaker_col is None:  # answers: every other column of free-text answers is a question too
            text_cols += [j for j in _answer_columns(header, rows, skip) if j not in text_cols]
            text_cols.sort()
    if not text_cols:
        longest = _longest_text_column(header, rows, skip)
        text_cols = [longest] if longest is not None else []
    if not text_cols:
        raise InputError(
            path, f"no text column found; name it with --text-column (columns: {', '.join(header)})"
        )
    if speaker_col is not None:
        if len(text_cols) > 1:
            raise InputError(path, "a table of speaker turns has one text column; name only one with --text-column")
        transcript_col = _find(header, None, _TRANSCRIPT_NAMES, path, "transcript")
        return _turn_tables(path, rows, speaker_col, text_cols[0], transcript_col, options)
    return _answers(path, header, rows, id_col, text_cols, questions, options)


def _answer_columns(header: Sequence[str], rows: list[list[str]], skip: set[int]) -> list[int]:
    """Columns that hold free-text answers: several words each, nearly all different.

    Examples
    --------
    >>> rows = [["1", "I liked the story a lot, it made me think", "a; b", "yes"],
    ...         ["2", "The music was calm and the colours were beautiful", "c", "no"]]
    >>> _answer_columns(["id", "why", "codes", "again"], rows, {0})
    [1]
    """
    out = []
    for j in range(len(header)):
        if j in skip:
            continue
        values = [r[j].strip() for r in rows if j < len(r) and r[j].strip()]
        if len(values) < max(2, _ANSWER_FILLED * len(rows)):
            continue
        words = sum(len(v.split()) for v in values) / len(values)
        if words >= _ANSWER_WORDS and len(set(values)) >= _ANSWER_DISTINCT * len(values):
            out.append(j)
    return out


def _survey_header_rows(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[str], list[list[str]]]:
    """Header, question texts and answer rows, without the extra header rows of survey exports.

    Qualtrics writes the question texts in the second row and ``{"ImportId": ...}``
    in the third (older exports: only the import ids); SurveyMonkey writes
    ``Response`` or ``Open-Ended Response`` under each question. Qualtrics' Excel
    export has the question texts row only.

    Examples
    --------
    >>> h = ["ResponseId", "Q1"]
    >>> rows = [["Response ID", "Why do you play?"], ['{"ImportId":"_recordId"}', '{"ImportId":"QID1_TEXT"}'],
    ...         ["R_1", "Because it is fun with friends"]]
    >>> _survey_header_rows(h, rows)
    (['ResponseId', 'Q1'], ['Response ID', 'Why do you play?'], [['R_1', 'Because it is fun with friends']])
    """
    for i in (0, 1):
        if i < len(rows):
            cells = [c for c in rows[i] if c.strip()]
            if cells and sum(bool(_IMPORT_ID.match(c.strip())) for c in cells) * 2 >= len(cells):
                questions = [q.strip() for q in rows[0]] if i == 1 else list(header)
                return header, questions + [""] * (len(header) - len(questions)), rows[i + 1:]
    if rows and any(c.strip() == "Open-Ended Response" for c in rows[0]):
        return header, list(header), rows[1:]
    # Qualtrics' Excel export: the question texts row has "Response ID" under "ResponseId"
    key = [re.sub(r"[\s_]", "", h.lower()) for h in header]
    if rows and "responseid" in key and re.sub(r"[\s_]", "", _cell(rows[0], key.index("responseid")).lower()) == "responseid":
        questions = [q.strip() for q in rows[0]]
        return header, questions + [""] * (len(header) - len(questions)), rows[1:]
    return header, list(header), rows


def _identity(name: str) -> str | None:
    """The normalised column name when the column says who a respondent is, else ``None``.

    Examples
    --------
    >>> _identity("E-mail Address"), _identity("RecipientLastName"), _identity("Group")
    ('emailaddress', 'recipientlastname', None)
    """
    key = re.sub(r"[\s_\-]", "", name.lower())
    return key if key in _IDENTITY else None


_NOT_NAMES = frozenset({"n/a", "na", "none", "no", "anonymous", "anon", "prefer not to say", "-", "unknown"})


def _is_name(value: str) -> bool:
    """Whether a value of a name or e-mail column is one (not empty, "n/a" or "anonymous").

    Examples
    --------
    >>> [_is_name(v) for v in ("Mina Park", "N/A", "-", "anonymous", "jo@example.org")]
    [True, False, False, False, True]
    """
    return len(value) >= 2 and any(c.isalpha() for c in value) and value.lower() not in _NOT_NAMES


def _cell(row: list[str], j: int | None) -> str:
    return row[j] if j is not None and j < len(row) else ""


def _answers(path: Path, header: list[str], rows: list[list[str]], id_col: int | None,
             text_cols: list[int], questions: list[str], options: ReadOptions) -> list[Transcript]:  # fmt: skip
    out: list[Transcript] = []
    seen: set[str] = set()
    identity = [j for j in range(len(header)) if j != id_col and j not in text_cols and _identity(header[j])]
    attribute_cols = [
        j for j in range(len(header))
        if j != id_col and j not in text_cols and j not in identity
        and all(len(_cell(r, j)) <= _ATTRIBUTE_MAX_LEN for r in rows)
    ]  # fmt: skip
    name_cols = [j for j in identity if _identity(header[j]) in _NAME_COLUMNS]
    several = len(text_cols) > 1
    labels = {j: header[j] if len(header[j]) <= _QUESTION_ID_MAX_LEN else f"Q{k}"
              for k, j in enumerate(text_cols, start=1)}  # fmt: skip
    for n, row in enumerate(rows, start=1):
        ident = _cell(row, id_col).strip() or str(n)
        answers = [(j, _clean(_cell(row, j))) for j in text_cols]
        if not any(text for _, text in answers):
            continue
        if ident in seen:
            raise InputError(path, f"answer id {ident!r} appears twice in the id column")
        seen.add(ident)
        attributes = {header[j]: _cell(row, j).strip() for j in attribute_cols if _cell(row, j).strip()}
        names = tuple(dict.fromkeys(v for j in name_cols if _is_name(v := _cell(row, j).strip())))
        for j, text in answers:
            if not text:
                continue
            language = detect_language(text) if options.language == "auto" else options.language
            extra = {"question": questions[j] or header[j]} if several else {}
            out.append(
                Transcript(
                    id=f"{ident} {labels[j]}" if several else ident,
                    text=text,
                    turns=(Turn(0, len(text), ident),),
                    source=str(path),
                    participants={ident: {**attributes, **extra}},
                    language=language,
                    reading=Reading("answers", detected=False, column=header[j],
                                    identity_columns=tuple(header[i] for i in identity), row=n),
                    names=names,
                )
            )
    if not out:
        columns = ", ".join(repr(header[j]) for j in text_cols)
        raise InputError(path, f"the text column{'s' if several else ''} {columns} {'are' if several else 'is'} empty")
    return out


def _turn_tables(path: Path, rows: list[list[str]], speaker_col: int, text_col: int,
                 transcript_col: int | None, options: ReadOptions) -> list[Transcript]:  # fmt: skip
    groups: dict[str, list[list[str]]] = {}
    for row in rows:
        key = _cell(row, transcript_col).strip() or path.stem
        groups.setdefault(key, []).append(row)
    out = []
    for key, group in groups.items():
        transcript = _one_turn_table(path, key, group, speaker_col, text_col, options)
        if transcript is not None:
            out.append(transcript)
    if not out:
        raise InputError(path, "the text column is empty")
    return out


def _one_turn_table(path: Path, ident: str, rows: list[list[str]], speaker_col: int,
                    text_col: int, options: ReadOptions) -> Transcript | None:  # fmt: skip
    labels = [_cell(r, speaker_col).strip().rstrip(":").strip() for r in rows]
    aliases = resolve_aliases(lb for lb in labels if lb)
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    current: str | None = None
    for label, row in zip(labels, rows, strict=True):
        words = _clean(_cell(row, text_col))
        if label:
            current = aliases.get(label, label)
        if not words:
            continue
        if parts:
            parts.append("\n")
            pos += 1
        if label:
            prefix = f"{label}: "
            parts.append(prefix)
            pos += len(prefix)
        parts.append(words)
        interviewer = current is not None and is_interviewer_label(current, options.interviewers)
        turns.append(Turn(pos, pos + len(words), current, interviewer))
        pos += len(words)
    if not turns:
        return None
    text = "".join(parts)
    if options.guess_interviewers and not options.interviewers and not any(
        t.is_interviewer for t in turns
    ):
        guessed = guess_interviewers(turns, text)
        turns = [Turn(t.start, t.end, t.speaker, t.speaker in guessed) for t in turns]
    language = detect_language(text) if options.language == "auto" else options.language
    return Transcript(id=ident, text=text, turns=tuple(turns), source=str(path), language=language,
                      reading=Reading("turn-table", detected=False))

"""Read a folder of nlpthemes inputs and results for a REFI-QDA export.

The layout is the one :func:`nlpthemes.io.refi.importer.import_project` writes;
only the transcripts are required. ``suggestions.csv`` (from ``nlpthemes
suggest``) and ``manifest.json`` (for the model name) are read when present.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.codebook import Codebook
from nlpthemes.errors import InputError
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.io.refi._text import SourceText, decode_source

__all__ = ["Folder", "Row", "read_folder"]

_TRUE = frozenset({"1", "true", "yes", "y", "t"})


@dataclass(frozen=True)
class Row:
    """One coding or applied suggestion: offsets into the normalised text."""

    transcript: str
    start: int
    end: int
    code: str  # code id in the folder's codebook
    coder: str
    score: float | None = None
    rank: int | None = None


@dataclass
class Folder:
    """The parts of a folder an export uses."""

    path: Path
    transcripts: dict[str, SourceText]
    codebook: Codebook | None
    codings: list[Row] = field(default_factory=list)
    suggestions: list[Row] = field(default_factory=list)
    attributes: list[dict[str, str]] = field(default_factory=list)
    memos: list[dict[str, str]] = field(default_factory=list)
    identities: dict[str, Any] = field(default_factory=dict)
    model: str | None = None


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)} (found: "
                               f"{', '.join(header) or 'none'})")
    reader.fieldnames = header
    return [(n, {k: (v or "").strip() if k != "text" else (v or "") for k, v in row.items()
                 if k is not None})
            for n, row in enumerate(reader, start=2) if any((v or "").strip()
                                                           for v in row.values())]


def _int(value: str, path: Path, number: int, column: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(path, f"row {number}: {column} {value!r} is not a whole number") from None


def _span(row: dict[str, str], path: Path, number: int,
          transcripts: dict[str, SourceText]) -> tuple[str, int, int]:
    transcript = row["transcript"]
    if transcript not in transcripts:
        raise InputError(path, f"row {number}: unknown transcript {transcript!r}")
    text = transcripts[transcript].text
    if row.get("start", "") == "" and "text" in row:  # transcript,text,code,coder
        quote = row["text"]
        first = text.find(quote) if quote else -1
        if first < 0:
            raise InputError(path, f"row {number}: the quote is not in {transcript!r}")
        if text.find(quote, first + 1) >= 0:
            raise InputError(path, f"row {number}: the quote occurs more than once in "
                                   f"{transcript!r}; give start and end")
        return transcript, first, first + len(quote)
    start = _int(row.get("start", ""), path, number, "start")
    end = _int(row.get("end", ""), path, number, "end")
    if not 0 <= start <= end <= len(text):
        raise InputError(path, f"row {number}: span [{start}, {end}) is outside "
                               f"{transcript!r} (length {len(text)})")
    return transcript, start, end


def _code(ref: str, codebook: Codebook | None, path: Path, number: int) -> str:
    if codebook is None:
        raise InputError(path, f"row {number}: code {ref!r} but the folder has no codebook")
    try:
        return codebook.find(ref).id
    except KeyError as exc:
        raise InputError(path, f"row {number}: {exc.args[0]}") from None


def _transcripts(root: Path) -> dict[str, SourceText]:
    folder = root / "transcripts"
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else sorted(root.glob("*.txt"))
    if not files:
        raise InputError(root, "no transcripts: expected transcripts/*.txt")
    return {f.stem: decode_source(f.read_bytes(), f) for f in files}


def read_folder(root: str | Path, *, transcripts: str | Path | None = None,
                codebook: str | Path | None = None, texts: Mapping[str, str] | None = None,
                codings: Sequence[tuple[str, int, int, str, str]] = (),
                attributes: Sequence[dict[str, str]] = ()) -> Folder:  # fmt: skip
    """Read and check a folder for export (``transcripts``, ``codebook``: when they are elsewhere).

    Codes and remaining suggestions from ``nlpthemes review`` (``review/<coder>/``)
    are read too: each coder's codes, and the suggestions each review left
    undecided (instead of the folder's ``suggestions.csv``). ``texts`` (transcript
    id -> text) stand for the transcripts when they are not ``.txt`` files (an
    ``analyze`` run of other files: the texts as it read them); ``codings``
    (``transcript, start, end, code, coder``) and ``attributes`` (rows as
    ``attributes.csv`` has them) are added to the folder's.

    Raises
    ------
    InputError
        Naming the file and row: unknown transcripts or codes, spans outside
        their transcript, suggestion text that no longer matches its span.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "not a folder")
    sources = ({t: SourceText(stored=text, text=text) for t, text in texts.items()} if texts is not None
               else _transcripts(Path(transcripts) if transcripts is not None else root))  # fmt: skip
    codebook_path = Path(codebook) if codebook is not None else next(
        (root / f"codebook{s}" for s in (".csv", ".yaml", ".yml", ".xlsx", ".qdc")
         if (root / f"codebook{s}").is_file()), None)
    book = None if codebook_path is None else read_codebook(codebook_path)
    folder = _read_tables(root, sources, book)
    given = Path("codings given")
    folder.codings += [Row(t, start, end, _code(code, book, given, n), coder)
                       for n, (t, start, end, code, coder) in enumerate(codings, start=1)]  # fmt: skip
    folder.attributes += list(attributes)
    return folder


def _read_tables(root: Path, transcripts: dict[str, SourceText], codebook: Codebook | None) -> Folder:
    folder = Folder(path=root, transcripts=transcripts, codebook=codebook)
    reviewed = _review_folders(root)
    # the folder's codings, then each coder's codes from ``nlpthemes review``
    for path in [root / "codings.csv", *(p / "codings.csv" for p in reviewed)]:
        if path.is_file():
            folder.codings += _codings(path, transcripts, codebook)
    # the machine's suggestions: what each review left undecided (they supersede suggestions.csv)
    sources = [(p / "suggestions.csv", _reviewer(p)) for p in reviewed if (p / "suggestions.csv").is_file()]
    if not sources and (root / "suggestions.csv").is_file():
        sources = [(root / "suggestions.csv", "")]
    for path, reviewer in sources:
        folder.suggestions += _suggestions(path, transcripts, codebook, reviewer)
    if (root / "attributes.csv").is_file():
        folder.attributes = [r for _, r in _read_csv(root / "attributes.csv",
                                                     ("transcript", "speaker"))]
    if (root / "memos.csv").is_file():
        folder.memos = [r for _, r in _read_csv(root / "memos.csv", ("memo", "text"))]
    folder.identities = _json(root / "refi.json")
    folder.model = _model_name(_json(root / "manifest.json"))
    return folder


def _codings(path: Path, transcripts: dict[str, SourceText], codebook: Codebook | None) -> list[Row]:
    return [Row(*_span(row, path, number, transcripts), _code(row["code"], codebook, path, number), row["coder"])
            for number, row in _read_csv(path, ("transcript", "code", "coder"))]


def _review_folders(root: Path) -> list[Path]:
    folder = root / "review"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _reviewer(folder: Path) -> str:
    """The coder of a review folder, as written in its codings (else the folder's name)."""
    path = folder / "codings.csv"
    rows = _read_csv(path, ("coder",)) if path.is_file() else []
    return rows[0][1]["coder"] if rows else folder.name


def _suggestions(path: Path, transcripts: dict[str, SourceText], codebook: Codebook | None,
                 reviewer: str) -> list[Row]:
    """Applied suggestions of a suggestions CSV (``coder``: the reviewer they are left from, or empty)."""
    out = []
    columns = ("transcript", "start", "end", "text", "code", "score", "rank", "applied")
    for number, row in _read_csv(path, columns):
        if row["applied"].lower() not in _TRUE:
            continue
        transcript, start, end = _span(row, path, number, transcripts)
        if row["text"] and transcripts[transcript].text[start:end] != row["text"]:
            raise InputError(path, f"row {number}: text does not match {transcript!r} "
                                   f"[{start}, {end}) (suggestions for another version?)")
        try:
            score = float(row["score"]) if row["score"] else None
        except ValueError:
            raise InputError(path, f"row {number}: score {row['score']!r} is not a "
                                   "number") from None
        rank = _int(row["rank"], path, number, "rank") if row["rank"] else None
        out.append(Row(transcript, start, end, _code(row["code"], codebook, path, number), reviewer,
                       score, rank))
    return out


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return data


def _model_name(manifest: dict[str, Any]) -> str | None:
    model = manifest.get("model", manifest.get("model_name"))
    if isinstance(model, dict):
        model = model.get("name")
    return model if isinstance(model, str) and model else None

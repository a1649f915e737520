"""Readers: files in, :class:`~nlpthemes.corpus.Transcript` objects out.

Supported: ``.txt``/``.md`` (speaker turns), ``.docx``, ``.vtt``/``.srt``,
``.csv``/``.xlsx`` (open-ended answers or turn tables), ``.html``/``.htm``,
and folders of those.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from nlpthemes.corpus import Corpus, Transcript
from nlpthemes.errors import InputError, ReadingWarning
from nlpthemes.io._options import ReadOptions
from nlpthemes.io.attributes import AttributeRow, apply_attributes, read_attributes

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ReadOptions",
    "read_attributes",
    "read_corpus",
    "read_transcripts",
]


def _readers() -> dict[str, Callable[[Path, ReadOptions], list[Transcript]]]:
    from nlpthemes.io.subtitles import read_subtitles
    from nlpthemes.io.tabular import read_table
    from nlpthemes.io.text import read_text
    from nlpthemes.io.webpage import read_html
    from nlpthemes.io.word import read_docx

    def one(f: Callable[[Path, ReadOptions], Transcript]) -> Callable[[Path, ReadOptions], list[Transcript]]:
        return lambda p, o: [f(p, o)]

    return {
        ".txt": one(read_text), ".md": one(read_text), ".markdown": one(read_text),
        ".docx": one(read_docx),
        ".vtt": one(read_subtitles), ".srt": one(read_subtitles),
        ".csv": read_table, ".tsv": read_table, ".xlsx": read_table,
        ".html": one(read_html), ".htm": one(read_html),
    }  # fmt: skip


SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".docx", ".vtt", ".srt", ".csv", ".tsv", ".xlsx", ".html", ".htm"}
)


def read_transcripts(path: str | Path, options: ReadOptions = ReadOptions()) -> list[Transcript]:
    """Read one file into its transcripts (a CSV of answers gives several).

    Raises
    ------
    InputError
        Unsupported type, missing, empty or corrupt file; the message names the file.

    Warns
    -----
    ReadingWarning
        When how the file was read looks off (``transcript.reading.warnings``),
        e.g. one speaker got every turn of a file with several speaker labels.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p1.txt"
    >>> _ = p.write_text("Q: Why?\\nA: Because.", encoding="utf-8")
    >>> [t.id for t in read_transcripts(p)]
    ['p1']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".qdpx", ".qde"):
        raise InputError(path, f"a REFI-QDA project: import it first (nlpthemes import {path.name} --out "
                               f"{path.stem}/), then give {path.stem}/transcripts, and {path.stem}/codebook.csv "
                               f"and {path.stem}/codings.csv as --codebook and --codings")  # fmt: skip
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(path, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}")
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(path, "the file is empty")
    transcripts = _readers()[suffix](path, options)
    for transcript in transcripts:
        for message in transcript.reading.warnings if transcript.reading else ():
            warnings.warn(f"{path}: {message}", ReadingWarning, stacklevel=2)
    return transcripts


def _expand(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """Files to read, each with whether the user named it explicitly."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not p.name.lower().startswith(("readme", "license", "licence", "changelog"))
            )  # fmt: skip
            out.extend((p, False) for p in found)
        else:
            out.append((path, True))
    return out


def read_corpus(
    paths: str | Path | Sequence[str | Path],
    options: ReadOptions = ReadOptions(),
    *,
    attributes: str | Path | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Corpus:
    """Read files and folders into a corpus, collecting per-file errors.

    Folders are read recursively in sorted order (hidden files, README*,
    LICENSE*/LICENCE*, CHANGELOG* and unsupported types skipped). A file that cannot be read does not stop the
    others: its error is kept in ``corpus.errors`` as ``(path, message)``.

    Parameters
    ----------
    paths : path or sequence of paths
        Files and folders.
    options : ReadOptions
        Reading options (interviewers, language, CSV columns, ...).
    attributes : path, optional
        Participant attributes file (CSV/XLSX/YAML), see
        :mod:`nlpthemes.io.attributes`.
    progress : callable, optional
        Called with each file before it is read.

    Returns
    -------
    Corpus
        Transcripts with unique ids (a clash gets the file suffix appended).

    Raises
    ------
    InputError
        When no path is given or the attributes file cannot be read.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputError(None, "no transcripts given")
    rows: list[AttributeRow] = read_attributes(Path(attributes)) if attributes else []
    corpus = Corpus([])
    explicit_errors: list[str] = []
    ids: set[str] = set()
    skip = {Path(attributes).resolve()} if attributes else set()
    for path, explicit in _expand(paths):
        if not explicit and path.resolve() in skip:
            continue  # the attributes file kept beside the transcripts
        if progress is not None:
            progress(path)
        try:
            transcripts = read_transcripts(path, options)
        except InputError as exc:
            corpus.errors.append((str(path), str(exc)))
            if explicit:
                explicit_errors.append(str(path))
            continue
        for transcript in transcripts:
            if transcript.id in ids:
                transcript = dataclasses.replace(transcript, id=f"{transcript.id}{path.suffix.lower()}")
            n = 2
            base = transcript.id
            while transcript.id in ids:
                transcript = dataclasses.replace(transcript, id=f"{base}-{n}")
                n += 1
            ids.add(transcript.id)
            if rows:
                transcript = apply_attributes(transcript, rows)
            corpus.transcripts.append(transcript)
    corpus.explicit_errors = explicit_errors
    return corpus

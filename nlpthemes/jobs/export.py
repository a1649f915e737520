"""``nlpthemes export`` of an ``analyze`` output folder: the analysis's own inputs, read as it read them.

An analysis of Word interviews, subtitles or a survey table has no ``.txt`` transcripts to
export, and its human codes are in the files it was given, not in the folder. Its
``manifest.json`` names them, with the reading options of that run; they are read again the
same way, so every offset of ``suggestions.csv`` and of the reviews points into the same text.
Each transcript's text (as nlpthemes read it) becomes a plain-text source of the project, the
human codes go in as their coders, and the participants' attributes as cases and variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["export_analysis", "is_analysis_folder"]


def is_analysis_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is an ``analyze`` output folder without ``.txt`` transcripts of its own.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> is_analysis_folder(d)
    False
    >>> _ = (d / "manifest.json").write_text('{"command": "analyze"}')
    >>> is_analysis_folder(d)
    True
    """
    import json

    root = Path(folder)
    if (root / "transcripts").is_dir() or any(root.glob("*.txt")) or not (root / "manifest.json").is_file():
        return False
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(manifest, dict) and manifest.get("command") == "analyze"


def export_analysis(folder: str | Path, out: str | Path, *, codebook: str | Path | None = None,
                    **options: Any) -> Any:  # fmt: skip
    """Export an ``analyze`` output folder as a ``.qdpx`` project (``options``: as
    :func:`~nlpthemes.io.refi.export_project` takes them).

    Raises
    ------
    InputError
        The inputs the manifest names are gone, or a problem of the export itself.
    """
    from nlpthemes.io.codebook_files import read_codebook
    from nlpthemes.io.refi import export_project
    from nlpthemes.jobs._analysis_inputs import analysis_inputs
    from nlpthemes.jobs._common import load_corpus
    from nlpthemes.jobs.suggest import load_human_codings

    root = Path(folder)
    paths, found_book, codings, reading, model, attributes = analysis_inputs(root)
    book_path = Path(codebook) if codebook is not None else found_book
    corpus = load_corpus(paths, reading, attributes=attributes)
    human, notes = (load_human_codings(codings, corpus.by_id(), read_codebook(book_path)) if codings
                    else (None, []))  # fmt: skip
    rows = [] if human is None else [(str(r.transcript), int(r.start), int(r.end), str(r.code), str(r.coder))
                                     for r in human.itertuples()]  # fmt: skip
    people = _attribute_rows(corpus.transcripts)
    names = list(dict.fromkeys(k for row in people for k in row))
    options["model"] = options.get("model") or model  # the machine coder's model: as asked, else the run's
    result = export_project(root, out, codebook=book_path, texts={t.id: t.text for t in corpus.transcripts},
                            codings=rows, attributes=[{k: str(row.get(k, "")) for k in names} for row in people],
                            **options)  # fmt: skip
    result.problems[:0] = notes
    return result


def _attribute_rows(transcripts: Any) -> list[dict[str, str]]:
    """Rows as ``attributes.csv`` has them: a participant's attributes on their row, and attributes
    that differ between one participant's transcripts (a survey answer's question) on each
    transcript's row, whose speaker is empty (a source variable in REFI-QDA).

    Examples
    --------
    >>> from nlpthemes.corpus import Transcript, Turn
    >>> ts = [Transcript(f"s1 Q{i}", "Yes.", (Turn(0, 4, "s1"),), participants={"s1": {"group": "A", "question": q}})
    ...       for i, q in ((1, "Why?"), (2, "How?"))]
    >>> _attribute_rows(ts)  # doctest: +NORMALIZE_WHITESPACE
    [{'transcript': 's1 Q1', 'speaker': 's1', 'group': 'A'}, {'transcript': 's1 Q1', 'speaker': '', 'question': 'Why?'},
     {'transcript': 's1 Q2', 'speaker': 's1', 'group': 'A'}, {'transcript': 's1 Q2', 'speaker': '', 'question': 'How?'}]
    """
    seen: dict[str, dict[str, set[str]]] = {}
    for t in transcripts:
        for speaker, values in t.participants.items():
            for key, value in values.items():
                seen.setdefault(speaker, {}).setdefault(key, set()).add(str(value))
    varying = {k for keys in seen.values() for k, v in keys.items() if len(v) > 1}
    rows: list[dict[str, str]] = []
    for t in transcripts:
        for speaker, values in t.participants.items():
            rows.append({"transcript": t.id, "speaker": speaker,
                         **{k: str(v) for k, v in values.items() if k not in varying}})  # fmt: skip
            own = {k: str(v) for k, v in values.items() if k in varying}
            if own:
                rows.append({"transcript": t.id, "speaker": "", **own})
    return rows

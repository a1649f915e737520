"""What a review starts from: transcripts, sentences, codebook, the codes given at start.

Three kinds of start:

- an ``analyze`` output folder: its ``manifest.json`` names the transcripts,
  codebook, codings, reading options and model of that run;
- a folder laid out as ``nlpthemes import`` writes it: ``transcripts/``,
  ``codebook.csv`` (or .yaml/.xlsx/.qdc) and, optionally, ``codings.csv``;
- any folder with the inputs named explicitly (``transcripts``, ``codebook``,
  ``codings``): the folder then only receives the review's files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Corpus, Sentence
from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions

__all__ = ["ReviewInputs", "load_inputs"]

_CODEBOOK_NAMES = ("codebook.csv", "codebook.yaml", "codebook.yml", "codebook.xlsx", "codebook.qdc")


@dataclass
class ReviewInputs:
    """The material of a review.

    Attributes
    ----------
    folder : Path
        Where ``review/<coder>/`` is written.
    corpus : Corpus
        The transcripts.
    sentences : list of Sentence
        Every sentence (interviewer ones too: they give context), in corpus order.
    codebook : Codebook
    codings : DataFrame or None
        Codes given at start (``transcript,start,end,code,coder``, codebook references).
    model : str or None
        The embedding model to use (``None``: the default).
    warnings : list of str
    """

    folder: Path
    corpus: Corpus
    sentences: list[Sentence]
    codebook: Codebook
    codings: Any
    model: str | None
    warnings: list[str] = field(default_factory=list)


def _merged(given: ReadOptions, found: ReadOptions) -> ReadOptions:
    """The analysis' reading options, with those given to the review where they differ from the defaults.

    Examples
    --------
    >>> found = ReadOptions(interviewers=("Dan",), layout="rev", text_column=("q1", "q2"))
    >>> merged = _merged(ReadOptions(interviewers=("Kim",), text_column="q2"), found)
    >>> merged.interviewers, merged.layout, merged.text_columns
    (('Kim', 'Dan'), 'rev', ('q2',))
    """
    default = ReadOptions()
    chosen = {name: getattr(given, name) if getattr(given, name) != getattr(default, name) else getattr(found, name)
              for name in ("language", "encoding", "id_column", "text_column", "speaker_column", "layout")}  # fmt: skip
    return replace(given, **chosen, interviewers=tuple(dict.fromkeys((*given.interviewers, *found.interviewers))),
                   speakers=tuple(dict.fromkeys((*given.speakers, *found.speakers))),
                   guess_interviewers=given.guess_interviewers and found.guess_interviewers)  # fmt: skip


def load_inputs(
    folder: str | Path,
    *,
    transcripts: Sequence[str | Path] = (),
    codebook: str | Path | None = None,
    codings: Sequence[str | Path] = (),
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    model: str | None = None,
) -> ReviewInputs:
    """Read what a review needs (see the module docstring for the three kinds of start).

    Raises
    ------
    InputError
        A folder that is none of the three kinds, a missing file, a bad codebook or codings.
    """
    from nlpthemes.io.codebook_files import read_codebook
    from nlpthemes.jobs._analysis_inputs import analysis_inputs
    from nlpthemes.jobs._common import load_corpus
    from nlpthemes.jobs.suggest import load_human_codings
    from nlpthemes.segment import segment_corpus

    root = Path(folder)
    paths: list[Path] = [Path(p) for p in transcripts]
    book_path = None if codebook is None else Path(codebook)
    coded = [Path(c) for c in codings]
    chosen_model = model
    if not paths:
        if not root.is_dir():
            raise InputError(root, "no such folder (to start afresh, give --transcripts and --codebook)")
        if (root / "manifest.json").is_file():
            paths, found_book, found_codings, found_options, found_model, found_attributes = analysis_inputs(root)
            book_path = book_path or found_book
            coded = coded or found_codings
            options = _merged(options, found_options)
            attributes = attributes or found_attributes
            chosen_model = model or found_model
        elif (root / "transcripts").is_dir():
            paths = [root / "transcripts"]
            book_path = book_path or next((root / n for n in _CODEBOOK_NAMES if (root / n).is_file()), None)
            if not coded and (root / "codings.csv").is_file():
                coded = [root / "codings.csv"]
            if book_path is None:
                raise InputError(root, "no codebook.csv (or .yaml, .xlsx, .qdc) in this folder: give --codebook")
        else:
            raise InputError(root, "neither an 'nlpthemes analyze' output folder (manifest.json) nor an imported "
                                   "project (transcripts/ and codebook.csv): give --transcripts and --codebook")  # fmt: skip
    if book_path is None:
        raise InputError(None, "the review needs a codebook (--codebook FILE)")
    book = read_codebook(book_path)
    if sum(c.codable for c in book) < 2:
        raise InputError(book_path, "the codebook needs at least two codable codes to review suggestions")
    corpus = load_corpus(paths, options, attributes=attributes)
    language = None if options.language == "auto" else options.language
    sentences = segment_corpus(corpus, language=language)
    if not sentences:
        raise InputError(None, "the transcripts have no sentences to review")
    notes = [f"skipped {message}" for _, message in corpus.errors] + list(book.notes)
    human: Any = None
    if coded:
        for path in coded:
            if not path.is_file():
                raise InputError(path, "no such file")
        human, more = load_human_codings(coded, corpus.by_id(), book)
        notes += more
    root.mkdir(parents=True, exist_ok=True)
    return ReviewInputs(root, corpus, list(sentences), book, human, chosen_model, notes)

"""The ``segment`` job: files in, ``sentences.csv`` out."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Corpus, Sentence
from nlpthemes.io import ReadOptions
from nlpthemes.io.sentences_table import write_sentences_csv
from nlpthemes.jobs._common import PseudonymOptions, load_corpus, make_pseudonymiser
from nlpthemes.jobs._reading import hide_names, reading_report
from nlpthemes.manifest import build_manifest, write_manifest
from nlpthemes.segment import Splitter, segment_transcript, split_many

__all__ = ["SegmentResult", "run_segment", "segment_with_progress"]


@dataclass
class SegmentResult:
    """What a segment run produced.

    ``reading`` holds, per transcript, how it was read (layout, speakers with
    their sentence counts, the interviewer, warnings; pseudonymised when the
    outputs are): see :func:`nlpthemes.jobs._reading.reading_report`.
    """

    corpus: Corpus
    sentences: list[Sentence]
    out: Path | None
    seconds: float
    interviewers: dict[str, list[str]] = field(default_factory=dict)
    reading: list[dict[str, Any]] = field(default_factory=list)


def segment_with_progress(
    corpus: Corpus, *, language: str | None = None, quiet: bool = True, cache: bool = False
) -> list[Sentence]:
    """Segment every transcript, with a progress bar unless quiet.

    With ``cache``, the sentence spans of each turn are looked up in (and
    added to) the nlpthemes cache file, so a re-run skips the splitter.
    """
    from tqdm import tqdm

    splitter: Splitter = split_many
    if cache:
        from nlpthemes.embed._cache import EmbeddingCache
        from nlpthemes.jobs._spans import cached_splitter

        splitter = cached_splitter(EmbeddingCache())
    sentences: list[Sentence] = []
    for transcript in tqdm(corpus.transcripts, desc="segmenting", unit="transcript", disable=quiet, leave=False):
        sentences.extend(segment_transcript(transcript, language=language, splitter=splitter))
    return sentences


def run_segment(
    paths: Sequence[str | Path],
    out: str | Path | None,
    *,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    pseudonyms: PseudonymOptions = PseudonymOptions(),
    quiet: bool = True,
    manifest: bool = True,
    cache: bool = False,
) -> SegmentResult:
    """Read files, split them into sentences and write ``sentences.csv``.

    Beside the CSV, ``<name>.manifest.json`` records the inputs, options and
    how each file was read (``reading``).

    Parameters
    ----------
    paths : sequence of paths
        Transcript files and folders.
    out : path or None
        The CSV to write (``None``: do not write).
    options : ReadOptions
        Reading options.
    attributes : path, optional
        Participant attributes file.
    pseudonyms : PseudonymOptions
        Pseudonymisation of speaker names and listed names in the output.
    quiet : bool
        No progress bars.
    manifest : bool
        Write the manifest beside ``out`` (jobs that write their own say ``False``).
    cache : bool
        Remember sentence spans in the nlpthemes cache (``NLPTHEMES_CACHE_DIR``)
        and reuse them: a re-run of the same files skips the splitter.

    Returns
    -------
    SegmentResult
        The corpus (with per-file errors), the sentences, and timing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "p1.txt").write_text("Interviewer: Why?\\nAna: It helps. A lot.", encoding="utf-8")
    >>> result = run_segment([d], d / "sentences.csv")
    >>> [s.text for s in result.sentences]
    ['Why?', 'It helps.', 'A lot.']
    >>> (d / "sentences.csv").read_text(encoding="utf-8").splitlines()[0]
    'transcript,index,start,end,speaker,text,turn,interviewer'
    >>> result.reading[0]["layout"], (d / "sentences.manifest.json").is_file()
    ('inline', True)
    """
    started = time.perf_counter()
    corpus = load_corpus(paths, options, attributes=attributes, quiet=quiet)
    language = None if options.language == "auto" else options.language
    sentences = segment_with_progress(corpus, language=language, quiet=quiet, cache=cache)
    pseudonymiser = make_pseudonymiser(corpus, pseudonyms)
    if out is not None:
        write_sentences_csv(sentences, out, pseudonymiser=pseudonymiser)
    interviewers = {
        t.id: sorted({turn.speaker for turn in t.turns if turn.is_interviewer and turn.speaker})
        for t in corpus.transcripts
    }
    reading = hide_names(reading_report(corpus.transcripts, sentences), pseudonymiser)
    seconds = time.perf_counter() - started
    if out is not None and manifest:
        record = build_manifest(
            "segment",
            parameters={"language": options.language, "layout": options.layout,
                        "interviewers": list(options.interviewers),
                        "attributes": None if attributes is None else str(attributes),
                        "pseudonymise": pseudonyms.enabled},  # fmt: skip
            inputs=[t.source for t in corpus.transcripts if t.source],
            timings={"total": seconds},
            outputs={"sentences": Path(out).name, "n_sentences": len(sentences),
                     "read_errors": [{"path": p, "error": e} for p, e in corpus.errors]},  # fmt: skip
            reading=reading,
        )
        write_manifest(record, Path(out).with_suffix(".manifest.json"))
    return SegmentResult(
        corpus=corpus,
        sentences=sentences,
        out=None if out is None else Path(out),
        seconds=seconds,
        interviewers=interviewers,
        reading=reading,
    )

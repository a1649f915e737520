"""The ``suggest`` job: transcripts + codebook (+ human codings) -> suggestions.csv."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence
from nlpthemes.io import ReadOptions
from nlpthemes.io._csv import write_csv
from nlpthemes.jobs._common import load_corpus, suggester_memory
from nlpthemes.jobs._language import corpus_model
from nlpthemes.jobs._reading import reading_report
from nlpthemes.jobs.segment import segment_with_progress
from nlpthemes.manifest import build_manifest, write_manifest

__all__ = ["SuggestResult", "load_human_codings", "run_suggest", "unused_codes_note"]


@dataclass
class SuggestResult:
    """What a suggest run produced."""

    sentences: list[Sentence]
    rows: list[dict[str, Any]]
    model: Any  # the fitted CodeSuggester
    out: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)


def load_human_codings(
    paths: Sequence[str | Path], transcripts: dict[str, Any], codebook: Any
) -> tuple[Any, list[str]]:
    """Read codings files, place quotes, keep codes the codebook knows; return codings and warnings.

    A path that is a table the transcripts were read from (a survey) gives the codes typed
    beside its answers (:mod:`nlpthemes.io.answer_codes`).
    """
    import pandas as pd

    from nlpthemes.codings import check_codes, read_codings
    from nlpthemes.io.answer_codes import answer_codings, is_answer_of

    frames, notes = [], []
    for path in paths:
        answers = [t for t in transcripts.values() if is_answer_of(t, path)]
        if answers:  # the survey table itself: codes typed beside its answers
            codings, more = answer_codings(path, answers, codebook)
            notes += more
        else:
            read = read_codings(path, transcripts)
            codings = read.codings
            if len(read.unplaced):
                notes.append(f"{path}: {len(read.unplaced)} quotes could not be placed in their transcript")
        kept, unknown = check_codes(codings, codebook, source=path, strict=False)
        if unknown:
            listed = ", ".join(f"{c!r} ({n})" for c, n in list(unknown.items())[:6])
            notes.append(f"{path}: rows with codes not in the codebook were left out: {listed}")
        missing = sorted(set(kept["transcript"]) - set(transcripts))
        if missing:
            notes.append(f"{path}: codings for transcripts not given were left out: {', '.join(missing[:5])}")
            kept = kept[~kept["transcript"].isin(missing)]
        frames.append(kept)
    codings = pd.concat(frames, ignore_index=True) if frames else None
    return codings, notes


def unused_codes_note(human: Any, codebook: Any, *, named: int = 5) -> list[str]:
    """A warning naming the codes no human coding uses yet (none when there are no codings).

    Such a code is suggested from the codebook's words alone. Evaluated on held-out
    sentences whose every code the coder's 20% never used, the coder's code was among the
    three best for 0.15 (CTRL+Shift) to 0.51 (PDPilot) of them, against 0.47 to 0.97 where
    the coder had used it (``evaluation/suggest_eval.py``, second table). Only codes without
    sub-codes count: coders apply the sub-codes of a category, seldom the category itself.

    Examples
    --------
    >>> import pandas as pd
    >>> from nlpthemes.codebook import Code, Codebook
    >>> cb = Codebook([Code("r", "Resources"), Code("m", "Money", parent="r"), Code("t", "Trust"),
    ...                Code("v", "Volunteers", parent="r")])
    >>> unused_codes_note(pd.DataFrame({"code": ["Trust"]}), cb)[0].split(":")[0]
    "2 of the 3 codes without sub-codes are used in no coding yet ('Money', 'Volunteers')"
    """
    from nlpthemes.codings import unused_codes

    if human is None or human.empty:
        return []
    leaves = {codebook.ref(c) for c in codebook.leaves() if c.codable}
    unused = [ref for ref in unused_codes(human, codebook) if ref in leaves]
    if not unused:
        return []
    listed = ", ".join(repr(c) for c in unused[:named]) + (f" and {len(unused) - named} more" if len(unused) > named else "")
    one = len(unused) == 1
    return [f"{len(unused)} of the {len(leaves)} codes without sub-codes {'is' if one else 'are'} used in no coding "
            f"yet ({listed}): {'it is' if one else 'they are'} suggested from the codebook's words alone, which "
            f"finds such codes less often than codes with examples; coding a passage where "
            f"{'it' if one else 'one of them'} applies teaches it"]  # fmt: skip


def run_suggest(
    paths: Sequence[str | Path],
    codebook: str | Path,
    out: str | Path,
    *,
    codings: Sequence[str | Path] = (),
    top_k: int = 3,
    model: str | None = None,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    include_interviewers: bool = False,
    next_n: int = 20,
    quiet: bool = True,
    judge: Any = None,
) -> SuggestResult:
    """Suggest codes for every sentence, zero-shot or learned from human codings.

    Writes ``suggestions.csv`` (``transcript,sentence,start,end,text,code,score,rank,applied``),
    beside it ``next_to_code.csv`` (when learning from codings: the sentences a
    coder should code next) and ``suggest_manifest.json``.

    Parameters
    ----------
    paths : sequence of paths
        Transcripts, folders, or CSV/XLSX of open-ended answers.
    codebook : path
        Codebook (CSV, XLSX, YAML, QDC, or a table in DOCX).
    out : path
        The suggestions CSV.
    codings : sequence of paths
        Human codings (``transcript,start,end,code,coder`` or ``transcript,text,code,coder``).
    top_k : int
        Candidate codes listed per sentence.
    model : str, optional
        Embedding model (registry name or local folder); ``None``: the
        default embedder, or the multilingual one for Korean, Japanese or Chinese
        transcripts (:func:`~nlpthemes.jobs._language.corpus_model`).
    include_interviewers : bool
        Also suggest codes for interviewer sentences.
    judge : JudgeOptions, optional
        Which judge reads the retriever's candidates (default: the feature judge).
    """
    from nlpthemes.embed import load_embedder
    from nlpthemes.io.codebook_files import read_codebook
    from nlpthemes.suggest import (
        SUGGESTION_COLUMNS,
        JudgeOptions,
        make_suggester,
        next_to_code,
        suggestion_rows,
    )

    started = time.perf_counter()
    judge = (judge or JudgeOptions()).validate()
    out = Path(out)
    corpus = load_corpus(paths, options, attributes=attributes, quiet=quiet)
    language = None if options.language == "auto" else options.language
    sentences = segment_with_progress(corpus, language=language, quiet=quiet)
    book = read_codebook(codebook)
    human: Any = None
    notes: list[str] = list(book.notes)
    if codings:
        human, coding_notes = load_human_codings(codings, corpus.by_id(), book)
        notes += coding_notes + unused_codes_note(human, book)
    embedder = load_embedder(corpus_model(model, corpus, options.language), progress=not quiet)
    import numpy as np

    vectors = embedder.encode([s.text for s in sentences])
    suggester = make_suggester(embedder, top_k=top_k, judge=judge, memory=suggester_memory())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        suggester.fit(sentences, book, codings=human, embeddings=vectors)
    proba = suggester.predict_proba(sentences, embeddings=vectors)
    applied = suggester.decide(proba)
    keep = np.array([include_interviewers or not s.is_interviewer for s in sentences], dtype=bool)
    targets = [s for s, k in zip(sentences, keep, strict=True) if k]
    rows = suggestion_rows(targets, suggester.codes_, proba[keep], applied[keep], top_k=top_k)
    write_csv(out, rows, SUGGESTION_COLUMNS)
    if suggester.mode_ == "learned" and next_n > 0:
        coded = {str(t) for t in human["transcript"]} if human is not None else set()
        exclude = np.array([s.transcript_id in coded or not k for s, k in zip(sentences, keep, strict=True)])
        order = next_to_code(proba, suggester.threshold_, vectors, exclude=exclude, n=next_n)
        write_csv(out.with_name("next_to_code.csv"), [
            {"priority": rank, "transcript": sentences[i].transcript_id, "sentence": sentences[i].index,
             "start": sentences[i].start, "end": sentences[i].end, "text": sentences[i].text}
            for rank, i in enumerate(order, start=1)
        ])  # fmt: skip
    manifest = build_manifest(
        "suggest",
        parameters={"codebook": str(codebook), "codings": [str(c) for c in codings], "top_k": top_k,
                    "include_interviewers": include_interviewers, "model": model, "judge": judge.judge,
                    "judge_model": judge.model, "judge_url": judge.url},  # fmt: skip
        inputs=[*(t.source for t in corpus.transcripts if t.source), codebook, *codings],
        timings={"total": time.perf_counter() - started},
        model=embedder.info(),
        outputs={"suggestions": out.name, **suggester.describe(), "warnings": notes},
        reading=reading_report(corpus.transcripts, sentences),
    )
    write_manifest(manifest, out.with_name("suggest_manifest.json"))
    return SuggestResult(targets, rows, suggester, out, time.perf_counter() - started, notes)

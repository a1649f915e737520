"""The ``themes`` job: files in, candidate themes, who-says-what tables and a saved model out."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence
from nlpthemes.io import ReadOptions
from nlpthemes.io._csv import write_csv
from nlpthemes.io.sentences_table import write_sentences_csv
from nlpthemes.jobs._common import PseudonymOptions, make_pseudonymiser, theme_memory
from nlpthemes.jobs._language import corpus_model, keyword_language
from nlpthemes.jobs._reading import hide_names
from nlpthemes.jobs.segment import SegmentResult, run_segment
from nlpthemes.manifest import build_manifest, write_manifest
from nlpthemes.pseudonymise import Pseudonymiser

__all__ = ["SENTENCE_THEME_COLUMNS", "ThemesResult", "keyword_language", "run_themes"]

SENTENCE_THEME_COLUMNS = ("transcript", "index", "start", "end", "speaker", "theme", "probability", "excluded")


@dataclass
class ThemesResult:
    """What a themes run produced (tables are pandas DataFrames)."""

    segmented: SegmentResult
    model: Any  # ThemeModel
    themes: Any
    sentences: Any
    by_group: Any
    quotes: Any
    out_dir: Path
    embedding_model: dict[str, Any]
    seconds: float
    vectors: Any = None  # float32 (n, d), one row per sentence of segmented.sentences
    embedder: Any = None  # the Embedder that made them


def _sentence_table(sentences: Sequence[Sentence], model: Any, pseudonymiser: Pseudonymiser | None) -> Any:
    import pandas as pd

    attributes = sorted({a for s in sentences for a in s.attributes})
    rows = []
    for i, s in enumerate(sentences):
        excluded = str(model.excluded_[i])
        row: dict[str, Any] = {
            "transcript": s.transcript_id, "index": s.index, "start": s.start, "end": s.end,
            "speaker": pseudonymiser.speaker(s.speaker) if pseudonymiser else s.speaker,
            "theme": int(model.labels_[i]),
            "probability": None if excluded else round(float(model.probabilities_[i]), 4),
            "excluded": excluded,
        }  # fmt: skip
        for a in attributes:
            row[a if a not in SENTENCE_THEME_COLUMNS else f"attr_{a}"] = s.attributes.get(a, "")
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(["transcript", "index"], kind="stable").reset_index(drop=True)
    return table


def _pseudonymise_tables(themes: Any, quotes: Any, pseudonymiser: Pseudonymiser | None) -> None:
    if pseudonymiser is None:
        return
    for column in ("label", "keywords"):
        themes[column] = [pseudonymiser.text(str(v)) for v in themes[column]]
    quotes["text"] = [pseudonymiser.text(str(v)) for v in quotes["text"]]
    quotes["speaker"] = [pseudonymiser.speaker(v) if isinstance(v, str) else v for v in quotes["speaker"]]


def run_themes(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    model: str | None = None,
    device: str | None = None,
    cache: bool = True,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    pseudonyms: PseudonymOptions = PseudonymOptions(),
    include_interviewers: bool = False,
    seed: int = 42,
    n_themes: int | str = "auto",
    min_theme_size: int | str = "auto",
    reduce_outliers: str | None = None,
    save_model: bool = True,
    quiet: bool = True,
    step: Callable[[str], None] | None = None,
) -> ThemesResult:
    """Read, segment and embed transcripts, then find candidate themes.

    Writes into ``out_dir``: ``sentences.csv`` (as ``segment``),
    ``themes.csv`` (``id,label,size,keywords,parent,level,share``; groups of
    themes have level 1-2 and the last row is the outliers, id -1),
    ``sentence_themes.csv``
    (``transcript,index,start,end,speaker,theme,probability,excluded``; theme
    -1 is an outlier or an excluded sentence, ``excluded`` says which),
    ``themes_by_group.csv`` (``by,group,theme,label,count,share,theme_share``),
    ``quotes.csv``, the fitted model in ``model/`` and ``manifest.json``.
    The same files in any order give byte-identical CSVs.

    Parameters
    ----------
    paths : sequence of paths
        Transcript files and folders.
    out_dir : path
        Output folder (created).
    model : str or None
        Embedding model (registry name or local folder); ``None``: the
        default embedder, or the multilingual one for Korean, Japanese or Chinese
        transcripts (:func:`~nlpthemes.jobs._language.corpus_model`).
    device, cache
        As for :func:`nlpthemes.jobs.run_embed`.
    options, attributes, pseudonyms, quiet
        As for :func:`nlpthemes.jobs.run_segment`.
    include_interviewers : bool
        Cluster interviewer sentences too (excluded by default).
    seed : int
        Random seed of every random step.
    n_themes, min_theme_size, reduce_outliers
        As for :class:`nlpthemes.themes.ThemeModel`.
    save_model : bool
        Save the fitted model in ``out_dir/model``.
    step : callable, optional
        Called with the name of each step as it starts (for progress).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> lines = [f"A: We talk about {w} and {w} again, {w} every day." for w in ("money", "school", "code") for _ in range(6)]
    >>> _ = (d / "p1.txt").write_text("\\n".join(lines), encoding="utf-8")
    >>> result = run_themes([d / "p1.txt"], d / "out", model="fake", cache=False, save_model=False)
    >>> sorted(t.keywords[0] for t in result.model.themes_)
    ['code', 'money', 'school']
    >>> (d / "out" / "themes.csv").read_text(encoding="utf-8").splitlines()[0]
    'id,label,size,keywords,parent,level,share'
    """
    from nlpthemes.embed import load_embedder
    from nlpthemes.themes import ThemeModel, quotes_table, theme_distribution, themes_table

    def announce(name: str) -> None:
        if step is not None:
            step(name)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    segmented = run_segment(paths, None, options=options, attributes=attributes, quiet=quiet, cache=cache)
    segmented.corpus.transcripts.sort(key=lambda t: t.id)  # any file order gives the same outputs
    sentences = sorted(segmented.sentences, key=lambda s: (s.transcript_id, s.index))
    segmented.sentences = sentences
    pseudonymiser = make_pseudonymiser(segmented.corpus, pseudonyms)
    segmented.reading = hide_names(segmented.reading, pseudonymiser)
    write_sentences_csv(sentences, out / "sentences.csv", pseudonymiser=pseudonymiser)
    language = keyword_language(segmented.corpus, options.language)
    model_name = corpus_model(model, segmented.corpus, language)
    t_embed = time.perf_counter()
    announce("embedding")
    embedder = load_embedder(model_name, device=device, cache=cache, progress=not quiet)
    texts = [s.text for s in sentences]
    unique = sorted(set(texts))  # the same batches whatever the file order
    position = {t: i for i, t in enumerate(unique)}
    vectors = embedder.encode(unique)[[position[t] for t in texts]] if texts else embedder.encode([])
    t_fit = time.perf_counter()
    announce("finding themes")
    theme_model = ThemeModel(
        n_themes=n_themes, min_theme_size=min_theme_size, reduce_outliers=reduce_outliers,
        include_interviewers=include_interviewers, language=language, random_state=seed,
        memory=theme_memory(cache),
    )  # fmt: skip
    theme_model.fit(texts, vectors, sentences=sentences)
    t_write = time.perf_counter()
    announce("writing")
    table = _sentence_table(sentences, theme_model, pseudonymiser)
    n_outliers = int(((theme_model.labels_ == -1) & (theme_model.excluded_ == "")).sum())
    themes = themes_table(theme_model.themes_, theme_model.groups_, n_outliers=n_outliers)
    quotes = quotes_table(theme_model.themes_)
    _pseudonymise_tables(themes, quotes, pseudonymiser)
    labels = dict(zip(themes["id"], themes["label"], strict=True))
    by_group = theme_distribution(table, labels=labels)
    write_csv(out / "themes.csv", themes)
    write_csv(out / "sentence_themes.csv", table[list(SENTENCE_THEME_COLUMNS)] if len(table) else table)
    write_csv(out / "themes_by_group.csv", by_group)
    write_csv(out / "quotes.csv", quotes)
    if save_model:
        theme_model.save(out / "model")
    info = dict(embedder.info())
    excluded = Counter(str(e) for e in theme_model.excluded_ if e)
    manifest = build_manifest(
        "themes",
        parameters={
            "model": model_name, "device": device, "cache": cache, "language": options.language,
            "layout": options.layout,
            "keyword_language": language, "interviewers": list(options.interviewers),
            "include_interviewers": include_interviewers, "n_themes": n_themes,
            "min_theme_size": min_theme_size, "reduce_outliers": reduce_outliers,
            "attributes": None if attributes is None else str(attributes),
            "pseudonymise": pseudonyms.enabled, "theme_model": theme_model.get_params(),
        },  # fmt: skip
        inputs=sorted(t.source for t in segmented.corpus.transcripts if t.source),
        timings={
            "segment": t_embed - started, "embed": t_fit - t_embed, "fit": t_write - t_fit,
            "total": time.perf_counter() - started,
        },  # fmt: skip
        model=info,
        seed=seed,
        outputs={
            "themes": "themes.csv", "sentence_themes": "sentence_themes.csv",
            "themes_by_group": "themes_by_group.csv", "quotes": "quotes.csv",
            "model": "model" if save_model else None, "method": theme_model.plan_,
            "n_sentences": len(sentences), "n_analysed": theme_model.n_analysed_,
            "excluded": dict(sorted(excluded.items())), "n_themes": len(theme_model.themes_),
            "outlier_share": round(theme_model.outlier_share_, 4),
            "read_errors": [{"path": p, "error": e} for p, e in segmented.corpus.errors],
        },  # fmt: skip
        reading=segmented.reading,
    )
    write_manifest(manifest, out / "manifest.json")
    return ThemesResult(
        segmented=segmented, model=theme_model, themes=themes, sentences=table, by_group=by_group,
        quotes=quotes, out_dir=out, embedding_model=info, seconds=time.perf_counter() - started,
        vectors=vectors, embedder=embedder,
    )  # fmt: skip

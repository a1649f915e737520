"""The ``fit`` job: fit a pipeline on transcripts and save it in a versioned folder; load it back.

The folder (format 1)::

    pipeline.json        identity: format, nlpthemes version, embedding model name, backend and
                         weight sha256, the resolved settings, novelty bar, sha256 of every file
    themes/              the ThemeModel (JSON + centroids.npy; no pickle)
    suggester/           the CodeSuggester (JSON + .npz; no pickle)
    codebook.<ext>       a byte copy of the codebook
    baseline_shares.csv  theme counts of the fit set per participant group (for the shift report)
    manifest.json        the fit run: package versions, inputs and their hashes, timings

Loading refuses a folder from another nlpthemes minor version, an altered
file, or an embedding model whose weights are not the ones it was fitted
with, each with an :class:`~nlpthemes.errors.InputError` naming the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError, NlpthemesError
from nlpthemes.io import ReadOptions
from nlpthemes.io._atomic import fsync_folder, process_umask
from nlpthemes.manifest import build_manifest, file_sha256, package_versions, write_manifest
from nlpthemes.pipeline import Pipeline, PipelineConfig

__all__ = ["FORMAT_VERSION", "FitResult", "fit_pipeline", "load_pipeline", "save_pipeline"]

FORMAT = "nlpthemes.Pipeline"
FORMAT_VERSION = 1
IDENTITY = "pipeline.json"
BASELINE = "baseline_shares.csv"


@dataclass
class FitResult:
    """What a fit run produced."""

    pipeline: Pipeline
    folder: Path
    n_sentences: int
    n_transcripts: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def _minor(version: str | None) -> str:
    return ".".join((version or "?").split(".")[:2])


def _files(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in (IDENTITY, "manifest.json"):
            out[rel] = file_sha256(path)
    return out


def pipeline_id(identity: dict[str, Any]) -> str:
    """sha256 of what makes a pipeline: its files, model and settings (not when it was made).

    Examples
    --------
    >>> pipeline_id({"files": {}, "embedding": {}, "config": {}, "code_bar": 0.1, "theme_bar": 0.2})[:12]
    '16fd71076db7'
    """
    core = {k: identity.get(k) for k in ("files", "embedding", "config", "code_bar", "theme_bar")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def save_pipeline(pipeline: Pipeline, folder: str | Path, *, codebook_file: str | Path,
                  baseline: Any, fit_info: dict[str, Any], overwrite: bool = False) -> str:  # fmt: skip
    """Write ``pipeline`` into ``folder`` in one step (built aside, then renamed); returns its id."""
    target = Path(folder)
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise InputError(target, "the folder exists and is not empty; choose another or pass overwrite")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        pipeline.theme_model.save(tmp / "themes", bertopic=False)
        pipeline.suggester.save(tmp / "suggester")
        book = Path(codebook_file)
        shutil.copyfile(book, tmp / f"codebook{book.suffix.lower()}")
        with open(tmp / BASELINE, "w", encoding="utf-8", newline="") as handle:
            baseline.to_csv(handle, index=False, lineterminator="\n")
        embedder = pipeline.embedder
        identity: dict[str, Any] = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "nlpthemes_version": package_versions(["nlpthemes"])["nlpthemes"],
            "embedding": {"model": pipeline.config.model, "name": embedder.name,
                          "backend": embedder.info().get("backend"), "model_hash": embedder.model_hash,
                          "dimension": int(embedder.dimension)},
            "config": pipeline.config.to_dict(),
            "code_bar": round(float(pipeline.code_bar), 6),
            "theme_bar": round(float(pipeline.theme_bar), 6),
            "codebook": f"codebook{book.suffix.lower()}",
            "files": _files(tmp),
            "fit": fit_info,
        }  # fmt: skip
        identity["id"] = pipeline_id(identity)
        with open(tmp / IDENTITY, "w", encoding="utf-8") as handle:
            json.dump(identity, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.chmod(tmp, 0o777 & ~process_umask())  # mkdtemp makes it private; the folder is meant to be shared
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        fsync_folder(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    pipeline.pipeline_id, pipeline.folder = identity["id"], str(target)
    return str(identity["id"])


def _baseline(pipeline: Pipeline, sentences: Sequence[Any], vectors: Any) -> tuple[Any, float]:
    """Theme counts per group under the same assignment rule a batch uses, and the novel share."""
    from nlpthemes.jobs._batch_tables import group_counts

    assigned = pipeline.assign(sentences, vectors)
    counts = group_counts(assigned.sentences, assigned.themes, assigned.excluded)
    analysed = sum(1 for e in assigned.excluded if not e)
    return counts, float(assigned.novel.sum()) / max(analysed, 1)


def fit_pipeline(
    paths: Sequence[str | Path],
    codebook: str | Path,
    save: str | Path,
    *,
    codings: Sequence[str | Path] = (),
    config: PipelineConfig | None = None,
    device: str | None = None,
    cache: bool = True,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    overwrite: bool = False,
    quiet: bool = True,
) -> FitResult:
    """Fit themes and code suggestions on transcripts and save the pipeline folder ``save``.

    Parameters
    ----------
    paths : sequence of paths
        Transcript files and folders (the first wave).
    codebook : path
        Codebook (CSV, XLSX, YAML, QDC, or a table in DOCX).
    save : path
        The pipeline folder to write (see the module docstring).
    codings : sequence of paths
        Human codings to learn from (zero-shot without).
    config : PipelineConfig, optional
        Model and settings (default: ``PipelineConfig()``).
    device, cache, options, attributes, quiet
        As for :func:`nlpthemes.jobs.run_embed`.
    overwrite : bool
        Replace an existing, non-empty ``save`` folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> lines = [f"A: We talk about {w} and {w} again, {w} every day." for w in ("money", "school", "code") for _ in range(6)]
    >>> _ = (d / "p1.txt").write_text("\\n".join(lines), encoding="utf-8")
    >>> _ = (d / "cb.csv").write_text("code,description\\nmoney,funding\\nschool,education\\n", encoding="utf-8")
    >>> fitted = fit_pipeline([d / "p1.txt"], d / "cb.csv", d / "pipe", config=PipelineConfig(model="fake"), cache=False)
    >>> sorted(p.name for p in (d / "pipe").iterdir())
    ['baseline_shares.csv', 'codebook.csv', 'manifest.json', 'pipeline.json', 'suggester', 'themes']
    >>> load_pipeline(d / "pipe").pipeline_id == fitted.pipeline.pipeline_id
    True
    """
    from nlpthemes.embed import load_embedder
    from nlpthemes.io.codebook_files import read_codebook
    from nlpthemes.jobs._common import load_corpus, suggester_memory, theme_memory
    from nlpthemes.jobs._language import corpus_model, keyword_language
    from nlpthemes.jobs._reading import reading_report, reading_warnings
    from nlpthemes.jobs.segment import segment_with_progress
    from nlpthemes.jobs.suggest import load_human_codings, unused_codes_note
    from nlpthemes.suggest import JudgeOptions, make_suggester
    from nlpthemes.themes import ThemeModel

    config = (config or PipelineConfig()).validate()
    started = time.perf_counter()
    corpus = load_corpus(paths, options, attributes=attributes, quiet=quiet)
    corpus.transcripts.sort(key=lambda t: t.id)
    language = None if options.language == "auto" else options.language
    sentences = sorted(segment_with_progress(corpus, language=language, quiet=quiet),
                       key=lambda s: (s.transcript_id, s.index))  # fmt: skip
    reading = reading_report(corpus.transcripts, sentences)
    book = read_codebook(codebook)
    notes: list[str] = list(book.notes)
    human: Any = None
    if codings:
        human, coding_notes = load_human_codings(codings, corpus.by_id(), book)
        notes += coding_notes + unused_codes_note(human, book)
    words = keyword_language(corpus, options.language)  # detected once: it picks the model and the keywords
    embedder = load_embedder(corpus_model(config.model, corpus, words), device=device, cache=cache,
                             progress=not quiet)
    import numpy as np

    texts = [s.text for s in sentences]
    unique = sorted(set(texts))
    position = {t: i for i, t in enumerate(unique)}
    vectors = embedder.encode(unique)[[position[t] for t in texts]] if texts else embedder.encode([])
    theme_model = ThemeModel(
        n_themes=config.n_themes, min_theme_size=config.min_theme_size,
        include_interviewers=config.include_interviewers,
        language=words, random_state=config.seed,
        memory=theme_memory(cache),
    ).fit(texts, vectors, sentences=sentences)  # fmt: skip
    suggester = make_suggester(embedder, top_k=config.top_k, memory=suggester_memory(cache),
                               judge=JudgeOptions(config.judge, config.judge_model, config.judge_url))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        suggester.fit(sentences, book, codings=human, embeddings=vectors)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    keep = np.array([not e for e in theme_model.excluded_], dtype=bool)
    bars = []
    for reference in (suggester.prototypes_, theme_model.centroids_):
        best = (unit[keep] @ np.asarray(reference, dtype=np.float32).T).max(axis=1)
        bars.append(round(float(np.quantile(best, config.novelty_quantile)), 6) if len(best) else 0.0)
    pipeline = Pipeline(config, embedder, theme_model, suggester, book, code_bar=bars[0], theme_bar=bars[1])
    baseline, novel_share = _baseline(pipeline, sentences, vectors)
    fit_info = {
        "n_transcripts": len(corpus.transcripts), "n_sentences": len(sentences),
        "n_themes": len(theme_model.themes_), "suggester_mode": suggester.mode_,
        "novel_share": round(novel_share, 4), "language": theme_model.language,
        "interviewers": list(options.interviewers),
    }  # fmt: skip
    folder = Path(save)
    save_pipeline(pipeline, folder, codebook_file=codebook, baseline=baseline, fit_info=fit_info,
                  overwrite=overwrite)  # fmt: skip
    manifest = build_manifest(
        "fit",
        parameters={**config.to_dict(), "codebook": str(codebook), "codings": [str(c) for c in codings],
                    "device": device, "cache": cache, "language": options.language, "layout": options.layout,
                    "attributes": None if attributes is None else str(attributes)},  # fmt: skip
        inputs=[*(t.source for t in corpus.transcripts if t.source), codebook, *codings],
        timings={"total": time.perf_counter() - started},
        model=embedder.info(),
        seed=config.seed,
        outputs={"pipeline_id": pipeline.pipeline_id, **fit_info, "warnings": notes,
                 "read_errors": [{"path": p, "error": e} for p, e in corpus.errors]},  # fmt: skip
        reading=reading,
    )
    write_manifest(manifest, folder / "manifest.json")
    return FitResult(pipeline, folder, len(sentences), len(corpus.transcripts), time.perf_counter() - started,
                     [*notes, *reading_warnings(reading)])


def _read_identity(folder: Path) -> dict[str, Any]:
    path = folder / IDENTITY
    if not path.is_file():
        raise InputError(folder, f"not a saved pipeline (no {IDENTITY}); make one with `nlpthemes fit ... --save`")
    try:
        identity: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if identity.get("format") != FORMAT:
        raise InputError(folder, "not a saved pipeline (wrong format)")
    if int(identity.get("format_version", 0)) > FORMAT_VERSION:
        raise InputError(folder, f"pipeline format {identity.get('format_version')} is newer than this "
                                 f"nlpthemes reads ({FORMAT_VERSION}); upgrade nlpthemes")  # fmt: skip
    return identity


def load_pipeline(folder: str | Path, *, device: str | None = None, cache: bool = True,
                  progress: bool = False, allow_version_mismatch: bool = False) -> Pipeline:  # fmt: skip
    """Load a pipeline folder, checking the package version, every file and the model's weights.

    Raises
    ------
    InputError
        Naming the folder: not a pipeline, saved by another nlpthemes minor
        version (unless ``allow_version_mismatch``), a file altered since it
        was saved, or an embedding model that is missing or whose weights
        differ from the ones it was fitted with.
    """
    from nlpthemes.embed import load_embedder, load_registry
    from nlpthemes.io.codebook_files import read_codebook
    from nlpthemes.suggest import load_suggester
    from nlpthemes.themes import load_theme_model

    root = Path(folder)
    identity = _read_identity(root)
    saved, here = identity.get("nlpthemes_version"), package_versions(["nlpthemes"])["nlpthemes"]
    if _minor(saved) != _minor(here) and not allow_version_mismatch:
        raise InputError(root, f"saved by nlpthemes {saved}, this is {here}: results could differ; refit the "
                               f"pipeline, install nlpthemes=={saved}, or allow the mismatch explicitly")  # fmt: skip
    files = _files(root)
    expected = identity.get("files", {})
    changed = sorted(name for name in expected if files.get(name) != expected[name])
    if changed:
        raise InputError(root, f"files changed since the pipeline was saved: {', '.join(changed[:5])}")
    if pipeline_id(identity) != identity.get("id"):
        raise InputError(root, f"{IDENTITY} was edited after saving (its id does not match its contents)")
    config = PipelineConfig.from_dict(dict(identity["config"]))
    emb = identity["embedding"]
    # fitted with no --model: load the registered model it was fitted with, not today's default
    # (the default changed in this release; a pipeline keeps its own vectors' model)
    model = config.model
    if model is None and load_registry().get(str(emb.get("name", ""))) is not None:
        model = str(emb["name"])
    try:
        embedder = load_embedder(model, device=device, cache=cache, progress=progress)
    except NlpthemesError as exc:
        raise InputError(root, f"its embedding model {emb['name']!r} cannot be loaded: {exc}") from None
    if embedder.model_hash != emb["model_hash"] or embedder.name != emb["name"]:
        raise InputError(root, f"fitted with embedding model {emb['name']} (weights sha256 {emb['model_hash'][:12]}...), "
                               f"but {model or 'the default model'} here is {embedder.name} (weights sha256 "
                               f"{embedder.model_hash[:12]}...); install the same model or refit the pipeline")  # fmt: skip
    theme_model = load_theme_model(root / "themes")
    if theme_model.n_features_in_ != embedder.dimension:
        raise InputError(root, f"theme model expects {theme_model.n_features_in_}-d vectors, model gives {embedder.dimension}")
    suggester = load_suggester(root / "suggester", embedder=embedder)
    book = read_codebook(root / identity["codebook"])
    return Pipeline(config, embedder, theme_model, suggester, book, code_bar=float(identity["code_bar"]),
                    theme_bar=float(identity["theme_bar"]), pipeline_id=str(identity["id"]),
                    folder=str(root))  # fmt: skip


def read_baseline(folder: str | Path) -> Any:
    """The fit set's theme counts per group (``by,group,theme,count``)."""
    import pandas as pd

    return pd.read_csv(Path(folder) / BASELINE, dtype={"by": str, "group": str}, keep_default_na=False)

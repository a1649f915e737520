"""The ``batch`` job: new interviews through a saved pipeline, resumable, locally, on Dask or on Ray.

Per input file: read and segment (a background thread reads ahead while the
model embeds), embed (repeated sentences once; the disk cache across runs),
assign to the saved themes, suggest codes, and write per-transcript outputs
atomically, then the file's completion marker. A run started again with the
same command skips files whose marker and outputs exist, so a killed run
loses at most the files in progress. At the end, from the files on disk:
combined tables, candidate new themes among sentences far from every code
and saved theme, the shift in theme shares against the fit set, a summary
and ``manifest.json``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError, ReadingWarning
from nlpthemes.io import ReadOptions
from nlpthemes.jobs._batch_work import (
    TRANSCRIPTS,
    WORK,
    Prepared,
    WorkSpec,
    embed_group,
    list_inputs,
    prepare,
    read_marker,
    write_file_outputs,
)
from nlpthemes.jobs._common import PseudonymOptions
from nlpthemes.manifest import build_manifest, file_sha256, write_manifest

__all__ = ["ENGINES", "BatchResult", "run_batch"]

ENGINES = ("local", "dask", "ray")


@dataclass
class BatchResult:
    """What a batch run produced."""

    out_dir: Path
    summary: str
    combined: Any
    processed: int
    skipped: int
    errors: list[tuple[str, str]]
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


def _read_ahead(items: Sequence[tuple[Path, str]], spec: WorkSpec, depth: int) -> Iterator[Prepared]:
    """Prepared files in order, read and segmented by a background thread ``depth`` files ahead."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlpthemes-read") as pool:
        pending = [pool.submit(prepare, p, spec, sha256=h) for p, h in items[:depth]]
        for i in range(len(items)):
            result = pending.pop(0).result()
            if i + depth < len(items):
                p, h = items[i + depth]
                pending.append(pool.submit(prepare, p, spec, sha256=h))
            yield result


def pseudonym_key(files: Sequence[Path], options: ReadOptions, pseudonyms: PseudonymOptions) -> tuple[tuple[str, str], ...]:
    """The run's pseudonym key: the key file's names, then every new speaker in file order; saved.

    Every file is read once more for its speakers before the work starts, so
    the key is complete and the same for every worker and every resumed run.
    """
    if not pseudonyms.enabled:
        return ()
    from nlpthemes.io import read_transcripts
    from nlpthemes.io._decode import read_text_file
    from nlpthemes.pseudonymise import Pseudonymiser, read_key, write_key

    key_file = pseudonyms.key_file
    pseudonymiser = Pseudonymiser(key=dict(read_key(key_file)) if key_file and key_file.exists() else {})
    for path in files:
        try:
            with warnings.catch_warnings():  # reported when the file's turn comes
                warnings.simplefilter("ignore", ReadingWarning)
                pseudonymiser.add_corpus(read_transcripts(path, options))
        except InputError:
            continue  # reported when the file's turn comes
    if pseudonyms.names_file is not None:
        pseudonymiser.add_names(read_text_file(pseudonyms.names_file).text.splitlines())
    if key_file is not None:
        write_key(pseudonymiser.key, key_file)
    return tuple(sorted(pseudonymiser.key.items()))


def _remove_stale_temporaries(out: Path) -> None:
    """Delete temporary files a killed run left behind (``.name.XXXX.tmp`` of atomic writes)."""
    for folder in (out, out / WORK, out / WORK / "done", out / WORK / "novel", *(out / TRANSCRIPTS).glob("*")):
        if folder.is_dir():
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)


class _Claims:
    """Transcript ids taken by input files: two files may not write the same transcript folder."""

    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}

    def take(self, ids: Sequence[str], path: str) -> None:
        for tid in ids:
            other = self.by_id.setdefault(tid, path)
            if other != path:
                raise InputError(path, f"gives transcript id {tid!r}, as does {other}; rename one of the files")


def _run_local(todo: list[tuple[Path, str]], spec: WorkSpec, pipeline: Any, claims: _Claims,
               *, embed_batch: int, tick: Callable[[str, int, str | None], None]) -> list[dict[str, Any]]:  # fmt: skip
    markers: list[dict[str, Any]] = []
    group: list[Prepared] = []

    def flush() -> None:
        for prepared, vectors in zip(group, embed_group(group, pipeline.embedder), strict=True):
            markers.append(write_file_outputs(prepared, vectors, pipeline, spec))
            tick(prepared.path, prepared.n_sentences, None)
        group.clear()

    for prepared in _read_ahead(todo, spec, depth=4):
        if prepared.error is not None:
            tick(prepared.path, 0, prepared.error)
            continue
        claims.take([t.id for t in prepared.transcripts], prepared.path)
        group.append(prepared)
        if sum(p.n_sentences for p in group) >= embed_batch:
            flush()
    if group:
        flush()
    return markers


def run_batch(
    paths: Sequence[str | Path],
    pipeline_dir: str | Path,
    out_dir: str | Path,
    *,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    device: str | None = None,
    cache: bool = True,
    embed_batch: int = 2048,
    allow_version_mismatch: bool = False,
    pseudonyms: PseudonymOptions = PseudonymOptions(),
    quiet: bool = True,
) -> BatchResult:
    """Run new transcripts through a saved pipeline; resumable.

    Writes into ``out_dir``: ``transcripts/<id>/{sentences,sentence_themes,suggestions}.csv``,
    the same three tables combined, ``theme_shift.csv`` (theme shares of the
    fit set and the new set per participant group), ``new_themes.csv``,
    ``new_theme_quotes.csv`` and ``novel_sentences.csv`` (sentences far from
    every code and saved theme, clustered into candidate new themes),
    ``summary.txt`` and ``manifest.json``. Every output but the manifest
    (which records timings) is the same whether the run was interrupted and
    resumed or not. Input files are only read.

    Parameters
    ----------
    paths : sequence of paths
        New transcript files and folders.
    pipeline_dir : path
        A folder written by :func:`nlpthemes.jobs.pipeline.fit_pipeline`.
    out_dir : path
        Output folder (created; reused to resume).
    options, attributes
        Reading options and participant attributes of the new set.
    engine : {"local", "dask", "ray"}
        Where the per-file work runs; ``"dask"`` uses ``scheduler`` (an
        address such as ``tcp://host:8786``) or a local cluster of ``workers``
        processes on the loopback interface; ``"ray"`` runs Ray Data actors
        (``workers`` of them, each holding the model) on the cluster at
        ``scheduler`` (``auto``, ``host:6379`` or ``ray://host:10001``) or on a
        Ray started on this machine.
    scheduler : str, optional
        The cluster address for ``"dask"`` and ``"ray"``.
    workers : int
        Workers of the local Dask cluster; Ray actors.
    device, cache
        As for :func:`nlpthemes.embed.load_embedder`.
    embed_batch : int
        Sentences gathered from consecutive files per encode call.
    allow_version_mismatch : bool
        Load a pipeline saved by another nlpthemes minor version.
    pseudonyms : PseudonymOptions
        Replace speaker names (and a names file's names) with pseudonyms in
        every output; the key file is read if it exists, extended and saved.
    quiet : bool
        No progress bar.
    """
    from tqdm import tqdm

    from nlpthemes.jobs._batch_combine import combine_outputs
    from nlpthemes.jobs._batch_summary import summary_text
    from nlpthemes.jobs.pipeline import load_pipeline, read_baseline

    if engine not in ENGINES:
        raise InputError(None, f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if isinstance(embed_batch, bool) or not isinstance(embed_batch, int) or embed_batch < 1:
        raise InputError(None, f"embed_batch must be a positive integer; got {embed_batch!r}")
    started = time.perf_counter()
    pipeline = load_pipeline(pipeline_dir, device=device, cache=cache, progress=False,
                             allow_version_mismatch=allow_version_mismatch)  # fmt: skip
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    if attributes is not None:
        from nlpthemes.io import read_attributes

        read_attributes(Path(attributes))  # a bad attributes file stops the run here, not per file
    files = list_inputs(paths, attributes, exclude=[out, pipeline_dir])
    if not files:
        raise InputError(None, f"no supported files in {', '.join(map(str, paths))}")
    spec = WorkSpec(out=str(out), pipeline_dir=str(Path(pipeline_dir).resolve()), pipeline_id=pipeline.pipeline_id,
                    options=options, attributes=None if attributes is None else str(attributes),
                    attributes_sha256=None if attributes is None else file_sha256(attributes),
                    pseudonyms=pseudonym_key(files, options, pseudonyms))  # fmt: skip
    from nlpthemes.jobs._batch_work import file_key

    hashes = [file_sha256(p) for p in files]
    done: dict[str, dict[str, Any]] = {}
    todo: list[tuple[Path, str]] = []
    claims = _Claims()
    for path, digest in zip(files, hashes, strict=True):
        marker = read_marker(out, file_key(path, digest, spec))
        if marker is not None:
            done[str(path)] = marker
            claims.take(marker["transcripts"], str(path))
        else:
            todo.append((path, digest))
    errors: list[tuple[str, str]] = []
    total = sum(p.stat().st_size for p, _ in todo)
    bar = tqdm(total=total, desc="batch", unit="B", unit_scale=True, disable=quiet or not todo, smoothing=0.1)
    counted = {"files": 0, "sentences": 0}

    def tick(path: str, n_sentences: int, error: str | None) -> None:
        if error is not None:
            errors.append((path, error))
        counted["files"] += 1
        counted["sentences"] += n_sentences
        bar.set_postfix_str(f"{counted['files']}/{len(todo)} files, {counted['sentences']:,} sentences", refresh=False)
        bar.update(Path(path).stat().st_size)

    t_work = time.perf_counter()
    try:
        if engine == "local":
            markers = _run_local(todo, spec, pipeline, claims, embed_batch=embed_batch, tick=tick)
        elif engine == "ray":
            from nlpthemes.jobs._ray import run_ray

            markers = run_ray(todo, spec, claims, address=scheduler, workers=workers, device=device, cache=cache,
                              tick=tick)  # fmt: skip
        else:
            from nlpthemes.jobs._dask import run_dask

            markers = run_dask(todo, spec, claims, scheduler=scheduler, workers=workers, device=device,
                               cache=cache, embed_batch=embed_batch, tick=tick)  # fmt: skip
    finally:
        bar.close()
    t_combine = time.perf_counter()
    for marker in markers:
        done[marker["file"]] = marker
    transcripts = [t for p in files if str(p) in done for t in done[str(p)]["transcripts"]]
    combined = combine_outputs(out, sorted(transcripts), pipeline, read_baseline(pipeline_dir))
    errors.sort()
    from nlpthemes.jobs._reading import reading_warnings

    reading = [row for p in files if str(p) in done for row in done[str(p)].get("reading", [])]
    summary = summary_text(combined, pipeline, errors=errors)
    if flagged := reading_warnings(reading):
        summary += "Files that may have been misread:\n" + "".join(f"  {w}\n" for w in flagged)
    from nlpthemes.io._atomic import atomic_text

    with atomic_text(out / "summary.txt") as handle:
        handle.write(summary)
    stats: dict[str, Any] = {"engine": engine, "files": len(files), "processed": len(todo), "skipped": len(done) - len(markers),
                             "sentences_processed": counted["sentences"]}  # fmt: skip
    cache_stats = getattr(pipeline.embedder, "cache_stats", None)
    if callable(cache_stats):
        stats["embedding_cache"] = cache_stats()
    seconds = time.perf_counter() - started
    stats["sentences_per_second"] = round(counted["sentences"] / max(t_combine - t_work, 1e-9), 1)
    manifest = build_manifest(
        "batch",
        parameters={"pipeline": str(pipeline_dir), "pipeline_id": pipeline.pipeline_id, "engine": engine,
                    "scheduler": scheduler, "workers": workers, "device": device, "cache": cache,
                    "embed_batch": embed_batch, "language": options.language, "layout": options.layout,
                    "interviewers": list(options.interviewers),
                    "attributes": None if attributes is None else str(attributes),
                    "pseudonymise": pseudonyms.enabled},  # fmt: skip
        inputs=[*files, *([attributes] if attributes is not None else [])],
        timings={"load": t_work - started, "work": t_combine - t_work, "combine": time.perf_counter() - t_combine,
                 "total": seconds},  # fmt: skip
        model=pipeline.embedder.info(),
        seed=pipeline.config.seed,
        outputs={**combined.files, "summary": "summary.txt", "transcripts": len(transcripts),
                 "sentences": combined.n_sentences, "novel": combined.n_novel, "stats": stats,
                 "read_errors": [{"path": p, "error": e} for p, e in errors]},  # fmt: skip
        reading=reading,
    )
    write_manifest(manifest, out / "manifest.json")
    return BatchResult(out, summary, combined, processed=len(todo), skipped=len(done) - len(markers),
                       errors=errors, seconds=seconds, stats=stats)  # fmt: skip

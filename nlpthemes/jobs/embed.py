"""The ``embed`` job: files in, sentences + vectors + manifest out."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpthemes.io import ReadOptions
from nlpthemes.io._atomic import atomic_path
from nlpthemes.jobs._common import PseudonymOptions
from nlpthemes.jobs._language import corpus_model
from nlpthemes.jobs.segment import SegmentResult, run_segment
from nlpthemes.manifest import build_manifest, write_manifest

__all__ = ["EmbedResult", "run_embed"]


@dataclass
class EmbedResult:
    """What an embed run produced."""

    segmented: SegmentResult
    vectors: Any  # numpy array (n, d) float32
    out_dir: Path
    model: dict[str, Any]
    seconds: float


def run_embed(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    model: str | None = None,
    device: str | None = None,
    cache: bool = True,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    pseudonyms: PseudonymOptions = PseudonymOptions(),
    quiet: bool = True,
) -> EmbedResult:
    """Segment the inputs and embed every sentence with a local model.

    Writes ``sentences.csv``, ``embeddings.npy`` (float32, one row per row of
    ``sentences.csv``, same order) and ``manifest.json`` (model name, resolved
    local path, weight-file sha256, versions, parameters, input hashes,
    timings) into ``out_dir``.

    Parameters
    ----------
    paths : sequence of paths
        Transcript files and folders.
    out_dir : path
        Output folder (created).
    model : str or None
        Registry name or local folder of a sentence-transformers model; ``None``: the
        default embedder, or the multilingual one for Korean, Japanese or Chinese
        transcripts (:func:`~nlpthemes.jobs._language.corpus_model`).
    device : str or None
        ``"cpu"``, ``"cuda"``...; default: CUDA when available.
    cache : bool
        Use the on-disk cache (``NLPTHEMES_CACHE_DIR``): vectors and sentence spans.
    options, attributes, pseudonyms, quiet
        As for :func:`nlpthemes.jobs.run_segment`.
    """
    import numpy as np

    from nlpthemes.embed import load_embedder

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    segmented = run_segment(
        paths, out / "sentences.csv", options=options, attributes=attributes,
        pseudonyms=pseudonyms, quiet=quiet, manifest=False, cache=cache,
    )  # fmt: skip
    t_load = time.perf_counter()
    embedder = load_embedder(corpus_model(model, segmented.corpus, options.language), device=device, cache=cache,
                             progress=not quiet)
    t_encode = time.perf_counter()
    vectors = embedder.encode([s.text for s in segmented.sentences])
    t_done = time.perf_counter()
    with atomic_path(out / "embeddings.npy") as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, np.asarray(vectors, dtype=np.float32))
    info = dict(embedder.info())
    manifest = build_manifest(
        "embed",
        parameters={
            "model": model, "device": device, "cache": cache,
            "language": options.language, "layout": options.layout, "interviewers": list(options.interviewers),
            "attributes": None if attributes is None else str(attributes),
            "pseudonymise": pseudonyms.enabled,
        },  # fmt: skip
        inputs=[t.source for t in segmented.corpus.transcripts if t.source],
        timings={
            "segment": t_load - started,
            "load_model": t_encode - t_load,
            "encode": t_done - t_encode,
            "total": time.perf_counter() - started,
        },
        model=info,
        outputs={
            "sentences": "sentences.csv",
            "embeddings": "embeddings.npy",
            "n_sentences": len(segmented.sentences),
            "dimension": int(vectors.shape[1]) if vectors.ndim == 2 else None,
            "read_errors": [{"path": p, "error": e} for p, e in segmented.corpus.errors],
        },
        reading=segmented.reading,
    )
    write_manifest(manifest, out / "manifest.json")
    return EmbedResult(
        segmented=segmented, vectors=vectors, out_dir=out, model=info,
        seconds=time.perf_counter() - started,
    )  # fmt: skip

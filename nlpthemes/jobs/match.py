"""The ``match`` job: transcripts + codebook -> themes matched to codes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlpthemes.io import ReadOptions
from nlpthemes.jobs._common import PseudonymOptions
from nlpthemes.manifest import build_manifest, write_manifest

__all__ = ["run_match"]


def run_match(
    paths: Sequence[str | Path],
    codebook: str | Path,
    out_dir: str | Path,
    *,
    model: str | None = None,
    device: str | None = None,
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    pseudonyms: PseudonymOptions = PseudonymOptions(),
    seed: int = 42,
    n_themes: int | str = "auto",
    min_theme_size: int | str = "auto",
    quiet: bool = True,
) -> Any:
    """Find candidate themes and match them to the codebook.

    Writes the themes job's files (``themes.csv``, ``sentence_themes.csv``,
    ``quotes.csv``, ...) and ``theme_code_matches.csv``
    (``theme,theme_label,code,level,score,threshold``), ``uncovered_themes.csv``
    (themes no code covers, with keywords and quotes: candidate new codes),
    ``unsupported_codes.csv`` and ``manifest.json`` into ``out_dir``. The
    codebook is read first, so a bad codebook fails before the long steps.

    Returns
    -------
    State
        The job state: ``match_tables`` (DataFrames), ``matcher``, ``model``.
    """
    from nlpthemes.jobs._outputs import State

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    state = State(out=out, seed=seed, quiet=quiet, announce=lambda message: None)
    state.read_codebook(codebook)
    state.themes(paths, model=model, device=device, options=options, attributes=attributes,
                 pseudonyms=pseudonyms, n_themes=n_themes, min_theme_size=min_theme_size)  # fmt: skip
    state.match()
    manifest = build_manifest(
        "match",
        parameters={"codebook": str(codebook), "model": model, "seed": seed, "n_themes": n_themes,
                    "min_theme_size": min_theme_size, "threshold": state.matcher.threshold_},  # fmt: skip
        inputs=[*(t.source for t in state.corpus.transcripts if t.source), codebook],
        timings={**state.timings, "total": time.perf_counter() - started},
        model=state.embedder.info(),
        outputs=dict(state.files),
        seed=seed,
        reading=state.result.segmented.reading,
    )
    write_manifest(manifest, out / "manifest.json")
    return state

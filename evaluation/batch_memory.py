"""Peak memory of ``nlpthemes batch`` as the input grows: does it stream?

Makes inputs of growing size by copying the Unix oral histories
(``../shared/data``, ~14.7k sentences per copy, new file names each time),
fits a pipeline once on the shipped PDPilot sample, then runs the batch in a
fresh process per size and reads its peak resident memory (``ru_maxrss``).
A streaming run grows only with what it must keep (the novel sentences'
vectors, the list of transcripts), so the extrapolation to 1M sentences is
the fitted line ``peak = a + b * sentences``.

The default model here is ``fake`` (hashed bag-of-words, no model weights),
to measure the batch machinery itself; ``--model`` measures a real one (the
model adds a constant: its weights and PyTorch).

Usage::

    python evaluation/batch_memory.py [--copies 1 4] [--model fake]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNIX = Path("unix_oral_history_mahoney/www.princeton.edu/~hos/mike/transcripts")


def make_inputs(shared: Path, copies: int, folder: Path) -> Path:
    """``copies`` copies of the 13 Unix transcripts, each under new names."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(copies):
        for source in sorted((shared / UNIX).glob("*.htm")):
            (folder / f"{source.stem}_{k:03d}.htm").write_bytes(source.read_bytes())
    return folder


def child(inputs: str, pipeline: str, out: str) -> None:
    from nlpthemes.jobs.batch import run_batch

    started = time.perf_counter()
    result = run_batch([inputs], pipeline, out, quiet=True)
    print(json.dumps({"sentences": result.combined.n_sentences, "novel": result.combined.n_novel,
                      "seconds": time.perf_counter() - started,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--model", default="fake")
    parser.add_argument("--child", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.child:
        child(*args.child)
        return
    from nlpthemes.io import ReadOptions
    from nlpthemes.jobs.pipeline import fit_pipeline
    from nlpthemes.pipeline import PipelineConfig

    work = Path(tempfile.mkdtemp(prefix="nlpthemes-batch-memory-"))
    os.environ["NLPTHEMES_CACHE_DIR"] = str(work / "cache")
    sample = REPO / "data" / "pdpilot"
    fit_pipeline([sample / "transcripts"], sample / "codebook.csv", work / "pipe", codings=[sample / "codings.csv"],
                 config=PipelineConfig(model=args.model), options=ReadOptions(interviewers=("Dan",)))  # fmt: skip
    rows = []
    for copies in args.copies:
        inputs = make_inputs(args.shared, copies, work / f"in{copies}")
        done = subprocess.run([sys.executable, __file__, "--child", str(inputs), str(work / "pipe"),
                               str(work / f"out{copies}")], capture_output=True, text=True, env=os.environ)  # fmt: skip
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    print(f"model {args.model}; one process per run; peak = ru_maxrss")
    print(f"{'sentences':>10}{'novel':>8}{'seconds':>9}{'sent/s':>8}{'peak MB':>9}")
    for r in rows:
        print(f"{r['sentences']:>10,}{r['novel']:>8,}{r['seconds']:9.1f}{r['sentences'] / r['seconds']:8,.0f}{r['peak_mb']:9,.0f}")
    if len(rows) >= 2:
        (x0, y0), (x1, y1) = ((rows[0]["sentences"], rows[0]["peak_mb"]), (rows[-1]["sentences"], rows[-1]["peak_mb"]))
        slope = (y1 - y0) / max(x1 - x0, 1)
        print(f"growth {slope * 1000:.2f} MB per 1,000 sentences -> 1M sentences: about "
              f"{y0 + slope * (1_000_000 - x0):,.0f} MB (a straight-line extrapolation)")


if __name__ == "__main__":
    main()

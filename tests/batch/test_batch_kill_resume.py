"""A batch run killed with SIGKILL mid-run and started again ends with the same outputs.

The run is a real subprocess (the CLI), writing slowly so the kill lands while
files are being written; the resumed run must skip the files already done,
and every output but ``manifest.json`` (which records timings) must be
byte-identical to an uninterrupted run's. Input files must not change.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from batch_support import DATA, tree_digest

from nlpthemes.jobs.batch import run_batch

N_FILES = 12


def _inputs(folder: Path) -> Path:
    """Twelve interviews: the four of wave 2 and copies with other names."""
    folder.mkdir()
    sources = sorted((DATA / "wave2").glob("*.txt"))
    for i in range(N_FILES):
        source = sources[i % len(sources)]
        text = source.read_text(encoding="utf-8")
        if i >= len(sources):
            text = text.replace(source.stem.capitalize(), f"P{i:02d}")
        (folder / f"{source.stem}{i:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def _command(script: Path, inputs: Path, pipeline: Path, out: Path, slow: bool) -> list[str]:
    return [sys.executable, str(script), *(["--slow-writes"] if slow else []), "batch", str(inputs),
            "--pipeline", str(pipeline), "--out", str(out), "--attributes", str(DATA / "attributes.csv"),
            "--embed-batch", "1"]  # fmt: skip


def test_killed_run_resumes_to_identical_outputs(fitted: Path, runner_script: Path, tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "inputs")
    before = tree_digest(inputs)
    killed_out, clean_out = tmp_path / "killed", tmp_path / "clean"
    done = killed_out / ".batch" / "done"

    process = subprocess.Popen(_command(runner_script, inputs, fitted, killed_out, slow=True),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if done.is_dir() and len(list(done.glob("*.json"))) >= 2:
            break
        time.sleep(0.01)
    time.sleep(random.Random(7).uniform(0.0, 0.2))  # somewhere inside a later file
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    finished = len(list(done.glob("*.json")))
    assert 2 <= finished < N_FILES
    assert not (killed_out / "summary.txt").exists()

    resumed = subprocess.run(_command(runner_script, inputs, fitted, killed_out, slow=False),
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert f"{N_FILES - finished} file(s) processed, {finished} already done" in resumed.stderr

    clean = run_batch([inputs], fitted, clean_out, attributes=DATA / "attributes.csv", embed_batch=1)
    assert (clean.processed, clean.skipped) == (N_FILES, 0)

    resumed_files = tree_digest(killed_out, skip=("manifest.json",))
    clean_files = tree_digest(clean_out, skip=("manifest.json",))
    assert sorted(resumed_files) == sorted(clean_files)  # no stray temporaries, nothing missing
    different = [name for name in clean_files if resumed_files[name] != clean_files[name]]
    assert different == []
    assert len(list((clean_out / "transcripts").iterdir())) == N_FILES
    assert tree_digest(inputs) == before  # inputs never modified

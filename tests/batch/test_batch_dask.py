"""``--engine dask``: a local Dask cluster (loopback) gives the same outputs as the local engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from batch_support import DATA, tree_digest

from nlpthemes.jobs.batch import run_batch

pytest.importorskip("distributed")


def test_dask_engine_matches_local(fitted: Path, runner_script: Path, tmp_path: Path) -> None:
    # in a subprocess: the test session's socket guard forbids even loopback TCP, which Dask needs
    command = [sys.executable, str(runner_script), "batch", str(DATA / "wave2"), "--pipeline", str(fitted),
               "--out", str(tmp_path / "dask"), "--attributes", str(DATA / "attributes.csv"),
               "--engine", "dask", "--workers", "1", "--quiet"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    run_batch([DATA / "wave2"], fitted, tmp_path / "local", attributes=DATA / "attributes.csv")
    assert tree_digest(tmp_path / "dask", skip=("manifest.json",)) == tree_digest(tmp_path / "local",
                                                                                 skip=("manifest.json",))  # fmt: skip
    import json

    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["engine"] == "dask" and manifest["outputs"]["stats"]["processed"] == 4

"""``--engine ray``: a local Ray (loopback) resumes a half-done run to the local engine's outputs.

The actor class is plain Python, so its error handling is tested without Ray.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from batch_support import DATA, tree_digest

from nlpthemes.errors import InputError
from nlpthemes.jobs._batch_work import WorkSpec
from nlpthemes.jobs._ray import FileWorker
from nlpthemes.jobs.batch import run_batch


def test_ray_engine_resumes_to_the_local_outputs(fitted: Path, runner_script: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    inputs, out, clean = tmp_path / "inputs", tmp_path / "ray", tmp_path / "local"
    inputs.mkdir()
    first, second = sorted((DATA / "wave2").glob("*.txt"))[:2], sorted((DATA / "wave2").glob("*.txt"))[2:]
    for source in first:
        shutil.copy(source, inputs)
    run_batch([inputs], fitted, out, attributes=DATA / "attributes.csv")  # the part done before the "kill"
    halfway = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    markers = sorted((out / ".batch" / "done").glob("*.json"))
    lost = next(m for m in markers if json.loads(m.read_text(encoding="utf-8"))["file"].endswith(first[1].name))
    lost.unlink()  # killed after the second file's outputs, before its marker
    (out / "transcripts" / first[1].stem / ".suggestions.csv.x1y2.tmp").write_text("half", encoding="utf-8")
    for source in second:
        shutil.copy(source, inputs)

    # in a subprocess: the test session's socket guard forbids even loopback TCP, which Ray needs
    command = [sys.executable, str(runner_script), "batch", str(inputs), "--pipeline", str(fitted), "--out", str(out),
               "--attributes", str(DATA / "attributes.csv"), "--engine", "ray", "--workers", "1"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "3 file(s) processed, 1 already done" in done.stderr

    run_batch([inputs], fitted, clean, attributes=DATA / "attributes.csv")
    assert tree_digest(out, skip=("manifest.json",)) == tree_digest(clean, skip=("manifest.json",))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert halfway["outputs"]["stats"]["processed"] == 2
    assert manifest["parameters"]["engine"] == "ray"
    assert (manifest["outputs"]["stats"]["processed"], manifest["outputs"]["stats"]["skipped"]) == (3, 1)


def test_ray_engine_checks_workers(fitted: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    with pytest.raises(InputError, match="workers must be a positive integer; got 0"):
        run_batch([DATA / "wave2"], fitted, tmp_path / "o", engine="ray", workers=0)


def test_actor_returns_user_errors_for_the_driver(fitted: Path, tmp_path: Path) -> None:
    spec = WorkSpec(out=str(tmp_path / "o"), pipeline_dir=str(fitted), pipeline_id="another-pipeline")
    batch = {"path": [str(DATA / "wave2" / "dev.txt")], "sha256": ["00" * 32]}
    [result] = FileWorker(spec, None, False)(batch)["result"]
    assert json.loads(result) == {"file": batch["path"][0],
                                  "fatal": f"{fitted}: the pipeline changed while the batch was running"}  # fmt: skip
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("option", ["--address", "--scheduler"])
def test_cli_address_reaches_the_engine(fitted: Path, tmp_path: Path, option: str) -> None:
    pytest.importorskip("ray")
    from typer.testing import CliRunner

    from nlpthemes.cli import batch, fit

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    fit.register(app)
    batch.register(app)
    result = CliRunner().invoke(app, ["batch", str(DATA / "wave2"), "-p", str(fitted), "-o", str(tmp_path / "o"),
                                      "--engine", "ray", option, "nohost", "-q"])  # fmt: skip
    assert result.exit_code == 1
    assert "a Ray address is auto, HOST:PORT or ray://HOST:PORT; got 'nohost'" in result.output

"""Fixtures of the batch tests: a pipeline fitted once on wave 1 of the toy study (fake model)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "batch"
RUNNER = """
import sys, time, typer
from nlpthemes.cli import batch, fit


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--slow-writes":
        sys.argv.pop(1)
        import nlpthemes.jobs._batch_work as work
        write = work._write_rows
        def slow(*args, **kwargs):
            write(*args, **kwargs)
            time.sleep(0.08)
        work._write_rows = slow
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    fit.register(app)
    batch.register(app)
    app()


if __name__ == "__main__":  # Dask's worker processes import this module again
    main()
"""


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder`` by relative path (``skip``: relative paths left out)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in skip
    }


@pytest.fixture(scope="session")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy pipeline folder (fit on wave 1 with codings and attributes; fake embeddings)."""
    from nlpthemes.jobs.pipeline import fit_pipeline
    from nlpthemes.pipeline import PipelineConfig

    folder = tmp_path_factory.mktemp("pipeline") / "pipe"
    fit_pipeline([DATA / "wave1"], DATA / "codebook.csv", folder, codings=[DATA / "codings.csv"],
                 attributes=DATA / "attributes.csv", cache=False,
                 config=PipelineConfig(model="fake", novelty_quantile=0.25))  # fmt: skip
    return folder


@pytest.fixture
def pipeline_copy(fitted: Path, tmp_path: Path) -> Path:
    """A copy of the toy pipeline a test may alter."""
    target = tmp_path / "pipe"
    shutil.copytree(fitted, target)
    return target


@pytest.fixture
def runner_script(tmp_path: Path) -> Path:
    """A script running the fit and batch commands (with --slow-writes: 80 ms after each table)."""
    script = tmp_path / "run_cli.py"
    script.write_text(RUNNER, encoding="utf-8")
    return script

"""Shared fixtures: no test may open a network socket; shared data is optional."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NLPTHEMES_SHARED_DATA", REPO.parent / "shared" / "data"))
TEST_DATA = Path(__file__).resolve().parent / "data"


class NetworkAccessError(RuntimeError):
    """Raised when code under test tries to open a network connection."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any attempt to connect an internet socket (unix sockets stay allowed)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkAccessError(f"network access attempted: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guard_ex(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkAccessError(f"network access attempted: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    def guard_create(address: object, *args: object, **kwargs: object) -> object:
        raise NetworkAccessError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket, "create_connection", guard_create)
    yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def coded_studies(shared_data: Path):  # type: ignore[no-untyped-def]
    """``evaluation/datasets.py``: the loaders of the shared coded studies (skips without the data)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("nlpthemes_eval_datasets", REPO / "evaluation" / "datasets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def derived_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of derived models (ONNX exports) for the whole session: they take seconds to build."""
    return tmp_path_factory.mktemp("derived_models")


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, derived_models: Path
) -> None:
    """Every test gets its own embedding cache folder (derived models are shared)."""
    folder = tmp_path_factory.mktemp("cache")
    (folder / "models").symlink_to(derived_models, target_is_directory=True)
    monkeypatch.setenv("NLPTHEMES_CACHE_DIR", str(folder))


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The packaged all-MiniLM-L6-v2 (PyTorch), loaded once per test session (no cache)."""
    from nlpthemes.embed import load_embedder

    return load_embedder("all-MiniLM-L6-v2", cache=False, progress=False)


# -- batch tests: a pipeline fitted once on wave 1 of the toy study (fake model) -----------------
BATCH_DATA = TEST_DATA / "batch"
BATCH_RUNNER = """
import sys, time, typer
from nlpthemes.cli import batch, fit


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--slow-writes":
        sys.argv.pop(1)
        import nlpthemes.jobs._batch_work as work
        write = work.write_csv
        def slow(*args, **kwargs):
            write(*args, **kwargs)
            time.sleep(0.08)
        work.write_csv = slow
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    fit.register(app)
    batch.register(app)
    app()


if __name__ == "__main__":  # Dask's worker processes import this module again
    main()
"""


@pytest.fixture(scope="session")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy pipeline folder (fit on wave 1 with codings and attributes; fake embeddings)."""
    from nlpthemes.jobs.pipeline import fit_pipeline
    from nlpthemes.pipeline import PipelineConfig

    folder = tmp_path_factory.mktemp("pipeline") / "pipe"
    fit_pipeline([BATCH_DATA / "wave1"], BATCH_DATA / "codebook.csv", folder, codings=[BATCH_DATA / "codings.csv"],
                 attributes=BATCH_DATA / "attributes.csv", cache=False,
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
    script.write_text(BATCH_RUNNER, encoding="utf-8")
    return script

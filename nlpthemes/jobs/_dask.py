"""The Dask engine of ``batch``: the same per-file work, on a Dask cluster.

Each task takes a few files; a worker process loads the pipeline once (it
stays in the worker, like an actor holding the model) and writes outputs and
completion markers straight into the output folder, so every worker must see
the same file system (a shared or network disk on a real cluster). Without a
scheduler address a local cluster is started on the loopback interface.

Pointing it at a real cluster::

    dask scheduler                          # on the head node (port 8786)
    dask worker tcp://HEAD:8786 --nthreads 1 --nworkers 4   # on each node, same venv + data paths
    nlpthemes batch NEW/ --pipeline PIPE --out OUT --engine dask --scheduler tcp://HEAD:8786
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError
from nlpthemes.jobs._batch_work import WorkSpec, load_checked, process_files, record_result

__all__ = ["run_dask", "work_on_files"]

_LOADED: dict[tuple[str, str], Any] = {}


def _pipeline(spec: WorkSpec, device: str | None, cache: bool) -> Any:
    key = (spec.pipeline_dir, spec.pipeline_id)
    if key not in _LOADED:
        _LOADED[key] = load_checked(spec, device, cache)
    return _LOADED[key]


def work_on_files(items: Sequence[tuple[str, str]], spec: WorkSpec, device: str | None, cache: bool) -> list[dict[str, Any]]:
    """Process files on a worker (the pipeline loaded once per worker process); see :func:`process_files`."""
    return process_files(items, spec, _pipeline(spec, device, cache))


def _chunks(todo: Sequence[tuple[Path, str]], size: int) -> list[list[tuple[str, str]]]:
    items = [(str(p), h) for p, h in todo]
    return [items[i : i + size] for i in range(0, len(items), size)]


def run_dask(todo: Sequence[tuple[Path, str]], spec: WorkSpec, claims: Any, *, scheduler: str | None, workers: int,
             device: str | None, cache: bool, embed_batch: int,
             tick: Callable[[str, int, str | None], None]) -> list[dict[str, Any]]:  # fmt: skip
    """Run the per-file work on Dask; returns the markers of the files done."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(None, "engine 'dask' needs dask.distributed: pip install 'dask[distributed]' "
                               "(or pip install 'nlpthemes[scale]')") from None  # fmt: skip
    if not todo:
        return []
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(None, f"workers must be a positive integer; got {workers!r}")
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=":0", silence_logs=40,
        )  # fmt: skip
    client = Client(cluster if cluster is not None else scheduler)  # type: ignore[no-untyped-call]
    markers: list[dict[str, Any]] = []
    try:
        size = max(1, min(16, len(todo) // (4 * workers) or 1))
        futures = [client.submit(work_on_files, chunk, spec, device, cache, pure=False) for chunk in _chunks(todo, size)]
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            for result in future.result():
                record_result(result, claims, tick, markers)
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
    return markers

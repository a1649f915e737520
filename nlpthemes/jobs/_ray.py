"""The Ray engine of ``batch``: the same per-file work, as Ray Data ``map_batches`` on actors holding the model.

The files to do become a Ray dataset of ``(path, sha256)`` rows; a fixed
pool of actors (``workers`` of them) each loads the pipeline once and takes
a few files per call. Actors write outputs and completion markers straight
into the output folder, exactly as the local loop does, so a killed run
resumes the same way whatever the engine, and every node must see the same
file system (a shared or network disk on a real cluster, with the same
paths, Python environment and nlpthemes version). Ray Data restarts an
actor whose process or node died and gives its files to another: redoing a
file is harmless, as every output is written atomically and the marker last.
Without an address a Ray instance is started on this machine, its processes
listening on the loopback interface only, and stopped at the end.

Pointing it at a real cluster::

    ray start --head --port 6379                 # on the head node
    ray start --address HEAD:6379                # on each worker node, same venv + data paths
    nlpthemes batch NEW/ --pipeline PIPE --out OUT --engine ray --address auto --workers 16   # on the head
    nlpthemes batch NEW/ ... --engine ray --address ray://HEAD:10001   # from elsewhere, through Ray Client
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError, NlpthemesError
from nlpthemes.jobs._batch_work import WorkSpec, load_checked, process_files, record_result

__all__ = ["FileWorker", "run_ray"]

_INSTALL = 'engine \'ray\' needs Ray Data: pip install "nlpthemes[ray]" (or pip install "ray[data]")'


class FileWorker:
    """A Ray Data actor: loads the pipeline once, then processes a batch of files per call.

    An error the user can fix (the pipeline changed or cannot be loaded) comes
    back as a ``{"file", "fatal"}`` result for the driver to raise: Ray would
    otherwise report it as a dead actor, and tracebacks.
    """

    def __init__(self, spec: WorkSpec, device: str | None, cache: bool) -> None:
        self.spec = spec
        self.pipeline: Any = None
        self.failure: str | None = None
        try:
            self.pipeline = load_checked(spec, device, cache)
        except NlpthemesError as exc:
            self.failure = str(exc)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        """Write the batch's outputs; per file, its JSON marker, ``{"file", "error"}`` or ``{"file", "fatal"}``."""
        items = [(str(p), str(h)) for p, h in zip(batch["path"], batch["sha256"], strict=True)]
        try:
            if self.failure is not None:
                raise InputError(None, self.failure)
            results = process_files(items, self.spec, self.pipeline)
        except NlpthemesError as exc:
            results = [{"file": path, "fatal": str(exc)} for path, _ in items]
        return {"result": [json.dumps(r) for r in results]}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError(None, _INSTALL) from None
    return ray


@contextlib.contextmanager
def _environment(local: bool) -> Iterator[None]:
    """During the run: no usage statistics; a local Ray on 127.0.0.1 only, with a token of its own.

    ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` is Ray's own switch (the default on
    macOS and Windows) for a single-machine Ray whose processes listen on the
    loopback interface; it is read when Ray is first imported. A local Ray
    would otherwise also save a token to ``~/.ray/auth_token``; here other
    users of the machine cannot reach it either, as its token lives in the
    environment of this run's processes only. Variables the user set are
    left as they are.
    """
    defaults = {"RAY_USAGE_STATS_ENABLED": "0"}
    if local:
        defaults["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        if not {"RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"} & set(os.environ):
            defaults.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    added = [name for name in defaults if name not in os.environ]
    os.environ.update({name: defaults[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _check_reachable(address: str) -> None:
    """Fail fast when nothing listens at a ``HOST:PORT`` address (Ray itself retries for many minutes)."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(None, f"a Ray address is auto, HOST:PORT or ray://HOST:PORT; got {address!r}")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10):
            pass
    except OSError as exc:
        raise InputError(None, f"no Ray cluster answers at {address} ({exc.strerror or exc})") from None


def _start(ray: Any, address: str | None, workers: int) -> bool:
    """Start a local Ray (``address`` None) or connect to a cluster; True when this call did it."""
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address is None:
            # "local": a new Ray of our own, even where `ray start` runs on this machine
            ray.init(address="local", num_cpus=workers, include_dashboard=False, **quiet)
        else:
            _check_reachable(address)
            ray.init(address=address, **quiet)
    except ConnectionError as exc:
        hint = "" if os.environ.get("RAY_AUTH_MODE") else "; with token authentication, set RAY_AUTH_MODE=token"
        raise InputError(None, f"cannot connect to the Ray cluster at {address} ({exc}){hint}") from None
    return True


def _quiet_ray_data(ray: Any) -> None:
    """No Ray Data progress bars or execution notes on the console (they stay in Ray's log files)."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    for handler in logging.getLogger("ray.data").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.ERROR)


def run_ray(todo: Sequence[tuple[Path, str]], spec: WorkSpec, claims: Any, *, address: str | None, workers: int,
            device: str | None, cache: bool, tick: Callable[[str, int, str | None], None]) -> list[dict[str, Any]]:  # fmt: skip
    """Run the per-file work on Ray Data actors; returns the markers of the files done."""
    with _environment(local=address is None):
        ray = _import_ray()
        if not todo:
            return []
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InputError(None, f"workers must be a positive integer; got {workers!r}")
        started = _start(ray, address, workers)
        try:
            return _work(ray, todo, spec, claims, workers, device, cache, tick)
        finally:
            if started:
                ray.shutdown()


def _work(ray: Any, todo: Sequence[tuple[Path, str]], spec: WorkSpec, claims: Any, workers: int, device: str | None,
          cache: bool, tick: Callable[[str, int, str | None], None]) -> list[dict[str, Any]]:  # fmt: skip
    _quiet_ray_data(ray)
    size = max(1, min(16, len(todo) // (4 * workers) or 1))
    rows = [{"path": str(p), "sha256": h} for p, h in todo]
    dataset = ray.data.from_items(rows, override_num_blocks=-(-len(rows) // size)).map_batches(
        FileWorker, fn_constructor_args=(spec, device, cache), batch_size=size, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1,
    )  # fmt: skip
    markers: list[dict[str, Any]] = []
    for row in dataset.iter_rows():
        result = json.loads(row["result"])
        if "fatal" in result:
            raise InputError(None, result["fatal"])
        record_result(result, claims, tick, markers)
    return markers

"""Write files atomically and durably: a temporary file in the same folder, then a rename.

The temporary file is flushed to disk (``fsync``) before the rename and the
folder after it, so a crash or power cut leaves either the old file or the
complete new one, never a truncated one. The new file gets the permissions a
plain ``open(path, "w")`` would give (``0o666`` less the umask), not the
private ``0o600`` of :func:`tempfile.mkstemp`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "atomic_text", "fsync_folder", "keep_newest", "process_umask", "touch_folder",
           "write_folder_once"]


def _read_umask() -> int:
    umask = os.umask(0o022)  # reading the umask means setting it: done once, at import
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def process_umask() -> int:
    """The process's umask, read once at import (reading it means setting it, which is not thread-safe)."""
    return _UMASK


def _default_mode() -> int:
    return 0o666 & ~_UMASK


def fsync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where the OS cannot (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    """Flush a file's content to disk (read-write descriptor: Windows needs one to flush)."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path`` in one step.

    If the block raises (or the process dies), ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    >>> import os; umask = os.umask(0o022); _ = os.umask(umask)
    >>> (target.stat().st_mode & 0o777) == (0o666 & ~umask)
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        _fsync_file(tmp)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
        fsync_folder(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_text(path: str | Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """Open a text file for writing (UTF-8) that appears only when complete."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        yield handle


def write_folder_once(target: str | Path, write: Callable[[Path], None]) -> bool:
    """Write a folder aside with ``write(folder)``, then rename it to ``target``, unless that exists.

    For caches: another process writing the same folder first, a full disk or a read-only
    place all leave ``target`` as it was (absent or complete) and return ``False``; so
    does an error from ``write`` (``OSError``, ``TypeError``, ``ValueError``).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "kept"
    >>> write_folder_once(target, lambda f: (f / "a.txt").write_text("x")), (target / "a.txt").read_text()
    (True, 'x')
    >>> write_folder_once(target, lambda f: (f / "a.txt").write_text("y")), (target / "a.txt").read_text()
    (False, 'x')
    """
    target = Path(target)
    if target.exists():
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError:
        return False
    try:
        write(staging)
        os.replace(staging, target)
        return True
    except (OSError, TypeError, ValueError):
        return False
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def keep_newest(parent: str | Path, pattern: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently used folders in ``parent`` matching ``pattern``.

    For caches of fitted steps: "used" is the folder's modification time, which readers
    renew (:func:`touch_folder`). Folders that vanish or cannot be deleted are skipped.

    Examples
    --------
    >>> import tempfile
    >>> parent = Path(tempfile.mkdtemp())
    >>> for i, name in enumerate(("fit-a", "fit-b", "fit-c")):
    ...     (parent / name).mkdir()
    ...     os.utime(parent / name, (1000 + i, 1000 + i))
    >>> touch_folder(parent / "fit-a")  # used just now
    >>> keep_newest(parent, "fit-*", 2)
    >>> sorted(p.name for p in parent.iterdir())
    ['fit-a', 'fit-c']
    """
    folders = []
    for folder in Path(parent).glob(pattern):
        try:
            folders.append((folder.stat().st_mtime, folder))
        except OSError:
            continue
    for _, folder in sorted(folders, reverse=True)[keep:]:
        shutil.rmtree(folder, ignore_errors=True)


def touch_folder(folder: str | Path) -> None:
    """Mark ``folder`` as just used (see :func:`keep_newest`); a no-op where that is not allowed."""
    try:
        os.utime(folder)
    except OSError:
        pass

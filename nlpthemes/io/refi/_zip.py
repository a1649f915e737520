"""Read an untrusted ``.qdpx`` zip archive into memory, safely.

Nothing is extracted to disk: entries are read into memory after their names
and sizes are checked, and reading stops as soon as an entry inflates past its
cap, whatever its header claims. Refused, each with a clear error: entry names
that climb out of the archive (``../``, "zip slip"), absolute paths and drive
letters, symbolic links, duplicate names, too many entries, and zip bombs
(an entry or the whole archive too large once inflated, or an entry that
inflates more than ``max_ratio`` times).
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from nlpthemes.errors import InputError

__all__ = ["ArchiveLimits", "read_archive"]

_MiB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps applied to an archive before and while it is read.

    Parameters
    ----------
    max_entry_bytes : int
        Largest inflated size of one entry.
    max_total_bytes : int
        Largest inflated size of all entries together.
    max_ratio : float
        Largest inflated/compressed ratio of an entry larger than ``ratio_floor``.
    ratio_floor : int
        Entries smaller than this are exempt from the ratio check (tiny files
        compress extremely well and are harmless).
    max_entries : int
        Most entries an archive may hold.
    """

    max_entry_bytes: int = 512 * _MiB
    max_total_bytes: int = 2048 * _MiB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * _MiB
    max_entries: int = 100_000


def _check_name(name: str, archive: Path) -> str:
    """The entry's normalised name; raise on names that could escape a folder."""
    if "\x00" in name:
        raise InputError(archive, f"refused: entry name {name!r} contains a NUL character")
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise InputError(archive, f"refused: entry {name!r} has an absolute path")
    parts = PurePosixPath(posix).parts
    if ".." in parts:
        raise InputError(archive, f"refused: entry {name!r} points outside the archive "
                                  "(path traversal, 'zip slip')")
    return "/".join(p for p in parts if p not in ("", "."))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def read_archive(path: str | Path, limits: ArchiveLimits | None = None) -> dict[str, bytes]:
    """Read every file entry of a zip archive into memory, refusing hostile entries.

    Parameters
    ----------
    path : str or Path
        The archive.
    limits : ArchiveLimits, optional
        Size, ratio and count caps (defaults suit projects of hundreds of interviews).

    Returns
    -------
    dict
        Normalised entry name (``/``-separated, no ``./``) -> bytes; folders are skipped.

    Raises
    ------
    InputError
        Not a zip file, or a refused entry (the message says which and why).

    Examples
    --------
    >>> import io, tempfile, zipfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.qdpx"
    >>> with zipfile.ZipFile(p, "w") as z:
    ...     z.writestr("../evil.txt", "x")
    >>> read_archive(p)
    Traceback (most recent call last):
    nlpthemes.errors.InputError: ...: refused: entry '../evil.txt' points outside the archive ...
    """
    path = Path(path)
    limits = limits or ArchiveLimits()
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"not a valid .qdpx (zip) archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise InputError(path, f"refused: {len(infos)} entries (limit {limits.max_entries})")
        names: dict[str, zipfile.ZipInfo] = {}
        declared_total = 0
        for info in infos:
            name = _check_name(info.filename, path)
            if _is_symlink(info):
                raise InputError(path, f"refused: entry {info.filename!r} is a symbolic link")
            if info.is_dir():
                continue
            if name in names:
                raise InputError(path, f"refused: entry {name!r} appears twice")
            if info.flag_bits & 0x1:
                raise InputError(path, f"entry {name!r} is encrypted; export it unencrypted")
            _check_sizes(info, info.file_size, info.compress_size, limits, path)
            declared_total += info.file_size
            if declared_total > limits.max_total_bytes:
                raise InputError(path, "refused: the archive inflates to more than "
                                       f"{limits.max_total_bytes // _MiB} MiB (zip bomb?)")
            names[name] = info
        out: dict[str, bytes] = {}
        total = 0
        for name, info in names.items():
            data = _read_entry(archive, info, name, limits, path)
            total += len(data)
            if total > limits.max_total_bytes:
                raise InputError(path, "refused: the archive inflates to more than "
                                       f"{limits.max_total_bytes // _MiB} MiB (zip bomb?)")
            out[name] = data
    return out


def _check_sizes(info: zipfile.ZipInfo, size: int, compressed: int, limits: ArchiveLimits,
                 path: Path) -> None:
    if size > limits.max_entry_bytes:
        raise InputError(path, f"refused: entry {info.filename!r} inflates to more than "
                               f"{limits.max_entry_bytes // _MiB} MiB (zip bomb?)")
    if size > limits.ratio_floor and size > limits.max_ratio * max(compressed, 1):
        raise InputError(path, f"refused: entry {info.filename!r} inflates "
                               f"{size / max(compressed, 1):.0f} times (limit "
                               f"{limits.max_ratio:.0f}; zip bomb?)")


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                limits: ArchiveLimits, path: Path) -> bytes:
    """Read one entry in chunks, stopping as soon as it outgrows its caps."""
    chunks: list[bytes] = []
    size = 0
    cap = min(limits.max_entry_bytes, info.file_size)
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise InputError(path, f"refused: entry {name!r} inflates past its "
                                           "declared size (zip bomb?)")
                _check_sizes(info, size, info.compress_size, limits, path)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        raise InputError(path, f"entry {name!r} cannot be read ({exc})") from None
    except NotImplementedError as exc:  # unsupported compression method
        raise InputError(path, f"entry {name!r} cannot be read ({exc})") from None
    return b"".join(chunks)

"""A disk cache of sentence vectors, keyed by model and sentence text.

One SQLite file holds every model's vectors as float32 blobs (and, so that
a re-run need not split the same transcripts again, the sentence offsets of
each speaker turn, keyed by a digest of the turn). SQLite's
transactions make each write all-or-nothing, so a process killed mid-write
leaves the cache as it was before that write, and its write-ahead log lets
several processes read and write at once. Texts are stored only as sha256
digests, never as plain text, so the cache holds no interview content.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["EmbeddingCache", "default_cache_dir", "text_key"]

CACHE_ENV = "NLPTHEMES_CACHE_DIR"
FILENAME = "embeddings.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_sha256 BLOB NOT NULL,
    dimension INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_spans (
    key BLOB PRIMARY KEY,
    spans BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_hashes (
    path TEXT PRIMARY KEY,
    stat TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
"""
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED: the low byte of their extended codes
_BATCH = 500  # keys per SELECT (below SQLite's bound-parameter limit)
_TIMEOUT = 60.0  # seconds to wait for another process's lock


def default_cache_dir() -> Path:
    """The cache folder: ``$NLPTHEMES_CACHE_DIR``, else the user cache folder.

    Examples
    --------
    >>> import os
    >>> saved = os.environ.get("NLPTHEMES_CACHE_DIR")
    >>> os.environ["NLPTHEMES_CACHE_DIR"] = "/tmp/my-cache"
    >>> default_cache_dir().name
    'my-cache'
    >>> if saved is None: del os.environ["NLPTHEMES_CACHE_DIR"]
    ... else: os.environ["NLPTHEMES_CACHE_DIR"] = saved
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nlpthemes", appauthor=False))


def text_key(text: str) -> bytes:
    """The key a sentence is stored under: sha256 of its UTF-8 bytes.

    Examples
    --------
    >>> text_key("hello").hex()[:16]
    '2cf24dba5fb0a30e'
    """
    return hashlib.sha256(text.encode("utf-8")).digest()


def _initialise(conn: sqlite3.Connection, *, patience: float = _TIMEOUT) -> None:
    """Switch to WAL and make the tables, waiting while another process does the same.

    Changing the journal mode needs the file to itself, and SQLite answers
    "database is locked" at once, without waiting, when a second process
    opens the file in that instant. So those two steps are retried, with a
    short growing pause, for up to ``patience`` seconds.
    """
    deadline = time.monotonic() + patience
    pause = 0.01
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None) or 0
            busy = code & 0xFF in _BUSY_CODES or "locked" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


class EmbeddingCache:
    """Vectors on disk, keyed by ``(model key, sha256 of the text)``.

    Parameters
    ----------
    folder : str or Path or None, default=None
        Where ``embeddings.sqlite3`` lives; ``None`` means
        :func:`default_cache_dir` at the time of use.

    Notes
    -----
    A cache file that is not a database any more (corrupted outside
    SQLite) is moved aside with a warning and a fresh one is started; a
    folder that cannot be written, or any other SQLite error, turns the
    cache off for this object with a warning. Embedding goes on; only reuse
    is lost.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> cache = EmbeddingCache(folder=tempfile.mkdtemp())
    >>> keys = [text_key("a"), text_key("b")]
    >>> cache.put_many("toy", keys[:1], np.ones((1, 3), dtype=np.float32))
    >>> found = cache.get_many("toy", keys, dimension=3)
    >>> sorted(found) == [keys[0]], found[keys[0]].tolist()
    (True, [1.0, 1.0, 1.0])
    >>> cache.count("toy")
    1
    """

    def __init__(self, *, folder: str | Path | None = None) -> None:
        self.folder = folder

    @property
    def path(self) -> Path:
        """The SQLite file."""
        folder = default_cache_dir() if self.folder is None else Path(self.folder)
        return folder / FILENAME

    def get_many(
        self, model: str, keys: Sequence[bytes], *, dimension: int
    ) -> dict[bytes, NDArray[np.float32]]:
        """The cached vectors of ``keys`` (missing keys are absent from the result)."""
        unique = list(dict.fromkeys(keys))
        found, matrix = self.lookup(model, unique, dimension=dimension)
        return {unique[i]: matrix[row] for row, i in enumerate(found.tolist())}

    def lookup(
        self, model: str, keys: Sequence[bytes], *, dimension: int
    ) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """Which of ``keys`` (distinct) are cached, and their vectors: one read, one array.

        Returns the positions in ``keys`` that were found and a
        ``(len(found), dimension)`` float32 array of their vectors, same order.

        Examples
        --------
        >>> import tempfile
        >>> cache = EmbeddingCache(folder=tempfile.mkdtemp())
        >>> cache.put_many("toy", [text_key("b")], np.full((1, 2), 7, dtype=np.float32))
        >>> found, vectors = cache.lookup("toy", [text_key("a"), text_key("b")], dimension=2)
        >>> found.tolist(), vectors.tolist()
        ([1], [[7.0, 7.0]])
        """
        position = {key: i for i, key in enumerate(keys)}
        hits: list[int] = []
        blobs: list[bytes] = []
        with self._connection() as conn:
            if conn is not None:
                for start in range(0, len(keys), _BATCH):
                    chunk = list(keys[start : start + _BATCH])
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        "SELECT text_sha256, vector FROM vectors WHERE model = ? AND dimension = ?"
                        f" AND text_sha256 IN ({marks})",
                        [model, dimension, *chunk],
                    )
                    for key, blob in rows:
                        if len(blob) == 4 * dimension:  # anything else is a damaged row: a miss
                            hits.append(position[bytes(key)])
                            blobs.append(blob)
        vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(hits), dimension)
        return np.asarray(hits, dtype=np.intp), vectors.astype(np.float32, copy=False)

    def put_many(self, model: str, keys: Sequence[bytes], vectors: NDArray[np.float32]) -> None:
        """Store one vector per key, in one transaction (all or nothing)."""
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        if not keys:
            return
        data = np.ascontiguousarray(vectors, dtype="<f4")
        dimension = data.shape[1]
        rows = [(model, key, dimension, row.tobytes()) for key, row in zip(keys, data, strict=True)]
        with self._connection() as conn:
            if conn is None:
                return
            with conn:
                conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def get_spans(self, keys: Sequence[bytes]) -> dict[bytes, list[tuple[int, int]]]:
        """Remembered sentence spans of the texts digested as ``keys`` (missing keys are absent).

        Examples
        --------
        >>> import tempfile
        >>> cache = EmbeddingCache(folder=tempfile.mkdtemp())
        >>> cache.put_spans({b"k": [(0, 4), (5, 9)], b"empty": []})
        >>> dict(sorted(cache.get_spans([b"k", b"empty", b"other"]).items()))
        {b'empty': [], b'k': [(0, 4), (5, 9)]}
        """
        found: dict[bytes, list[tuple[int, int]]] = {}
        with self._connection() as conn:
            if conn is None:
                return found
            for start in range(0, len(keys), _BATCH):
                chunk = list(keys[start : start + _BATCH])
                marks = ",".join("?" * len(chunk))
                for key, blob in conn.execute(f"SELECT key, spans FROM sentence_spans WHERE key IN ({marks})", chunk):
                    if len(blob) % 8 == 0:  # anything else is a damaged row: a miss
                        pairs = np.frombuffer(blob, dtype="<i4").reshape(-1, 2).tolist()
                        found[bytes(key)] = [(int(a), int(b)) for a, b in pairs]
        return found

    def put_spans(self, spans: dict[bytes, list[tuple[int, int]]]) -> None:
        """Remember sentence spans by text digest, in one transaction."""
        if not spans:
            return
        rows = [(key, np.asarray(pairs, dtype="<i4").reshape(-1, 2).tobytes()) for key, pairs in spans.items()]
        with self._connection() as conn:
            if conn is None:
                return
            with conn:
                conn.executemany("INSERT OR REPLACE INTO sentence_spans VALUES (?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        """Number of cached vectors (of one model, or of all)."""
        with self._connection() as conn:
            if conn is None:
                return 0
            if model is None:
                return int(conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
            query = "SELECT COUNT(*) FROM vectors WHERE model = ?"
            return int(conn.execute(query, (model,)).fetchone()[0])
        return 0

    def clear(self, model: str | None = None) -> None:
        """Forget cached vectors (of one model, or all of them)."""
        with self._connection() as conn:
            if conn is None:
                return
            with conn:
                if model is None:
                    conn.execute("DELETE FROM vectors")
                else:
                    conn.execute("DELETE FROM vectors WHERE model = ?", (model,))

    def get_file_hash(self, path: str, stat: str) -> str | None:
        """A remembered sha256 of the file at ``path``, if its ``stat`` is unchanged."""
        with self._connection() as conn:
            if conn is None:
                return None
            row = conn.execute(
                "SELECT sha256 FROM file_hashes WHERE path = ? AND stat = ?", (path, stat)
            ).fetchone()
            return None if row is None else str(row[0])
        return None

    def put_file_hash(self, path: str, stat: str, sha256: str) -> None:
        """Remember the sha256 of the file at ``path`` with its ``stat``."""
        with self._connection() as conn:
            if conn is None:
                return
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?)", (path, stat, sha256)
                )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection | None]:
        """An open connection, or ``None`` when the cache is off."""
        if getattr(self, "_disabled", False):
            yield None
            return
        conn = self._open()
        if conn is None:
            yield None
            return
        try:
            yield conn
        except sqlite3.Error as exc:  # e.g. damage deeper in the file, or locked for 60 s
            self._disable(f"{self.path} ({exc})")
        finally:
            conn.close()

    def _open(self, retry: bool = True) -> sqlite3.Connection | None:
        path = self.path
        ready = getattr(self, "_ready", None) == path and path.exists()  # folder, WAL mode and tables made
        try:
            if not ready:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=_TIMEOUT)
        except (OSError, sqlite3.Error) as exc:
            self._disable(f"cannot open {path} ({exc})")
            return None
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            if not ready:
                _initialise(conn)
                self._ready = path
        except sqlite3.DatabaseError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES and retry:
                aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
                warnings.warn(
                    f"{path}: the embedding cache is damaged ({exc}); moved it to {aside.name}"
                    " and started a new one",
                    RuntimeWarning,
                    stacklevel=4,
                )
                with contextlib.suppress(OSError):
                    path.replace(aside)
                for suffix in ("-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        path.with_name(path.name + suffix).unlink()
                return self._open(retry=False)
            self._disable(f"cannot use {path} ({exc})")
            return None
        return conn

    def _disable(self, reason: str) -> None:
        self._disabled = True
        warnings.warn(
            f"embedding cache turned off: {reason}; vectors will be computed again next time",
            RuntimeWarning,
            stacklevel=5,
        )

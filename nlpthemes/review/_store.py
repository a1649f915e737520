"""A coder's decisions on disk: an append-only log, and codings.csv kept in step.

Layout inside the reviewed folder, one sub-folder per coder so two coders
never write the same file::

    review/<coder>/decisions.jsonl   every decision, one JSON line, flushed to disk (fsync) at once
    review/<coder>/codings.csv       transcript,start,end,code,coder (what every command reads)
    review/<coder>/memos.csv         transcript,start,end,coder,memo
    review/<coder>/suggestions.csv   the machine's remaining suggestions (written by the learner)
    review/<coder>/learning.jsonl    one line per refit of the suggester

The log is the source of truth: ``codings.csv`` is rewritten atomically after
every decision and rebuilt from the log on start, so a kill at any moment
loses nothing that was acknowledged. A line torn by a kill mid-write (never
acknowledged) is set aside in ``decisions.jsonl.torn`` and reported.
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlpthemes.errors import InputError
from nlpthemes.io._atomic import atomic_text, fsync_folder
from nlpthemes.review._decisions import CoderState, fold

__all__ = ["CODING_COLUMNS", "DecisionStore", "coder_folder"]

CODING_COLUMNS = ("transcript", "start", "end", "code", "coder")
MEMO_COLUMNS = ("transcript", "start", "end", "coder", "memo")
_SAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def coder_folder(root: str | Path, coder: str) -> Path:
    """The folder of one coder's files: ``root/review/<coder>`` (the name made safe for any file system).

    Examples
    --------
    >>> coder_folder("out", "Ana María/2").as_posix()
    'out/review/Ana_María_2'
    """
    name = coder.strip()
    if not name:
        raise InputError(None, "the coder's name is empty (give --coder NAME)")
    safe = _SAFE.sub("_", name).strip("._") or "coder"
    return Path(root) / "review" / safe


class DecisionStore:
    """One coder's decision log and the files kept in step with it.

    Parameters
    ----------
    root : path
        The reviewed folder (``review/<coder>/`` is created inside it).
    coder : str
        The coder's name, as written in ``codings.csv``.
    sentence_spans : mapping
        ``(transcript, sentence index) -> (start, end)`` of the sentences of
        memos (to write their offsets).

    Examples
    --------
    >>> import tempfile
    >>> store = DecisionStore(tempfile.mkdtemp(), "ana", {("p1", 0): (0, 9)})
    >>> _ = store.append({"op": "apply", "transcript": "p1", "sentence": 0, "start": 0, "end": 9, "code": "trust"})
    >>> print(store.codings_path.read_text().strip())
    transcript,start,end,code,coder
    p1,0,9,trust,ana
    >>> DecisionStore(store.root, "ana", {}).state.codings == store.state.codings  # replayed from the log
    True
    """

    def __init__(self, root: str | Path, coder: str, sentence_spans: Mapping[tuple[str, int], tuple[int, int]]) -> None:
        self.root = Path(root)
        self.coder = coder.strip()
        self.folder = coder_folder(self.root, self.coder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = self.folder / "decisions.jsonl"
        self.codings_path = self.folder / "codings.csv"
        self.memos_path = self.folder / "memos.csv"
        self.spans = sentence_spans
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._ops = self._read_log()
        self._count = len(self._ops)
        self.state: CoderState = fold(self._ops)
        self._write_tables()

    # -- reading -------------------------------------------------------------------------
    def _read_log(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        raw = self.log_path.read_bytes()
        ops: list[dict[str, Any]] = []
        lines = raw.split(b"\n")
        good = 0  # bytes of complete, valid lines
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                good += len(line) + 1
                continue
            try:
                op = json.loads(line.decode("utf-8"))
                if not isinstance(op, dict) or "op" not in op:
                    raise ValueError("not a decision")
            except ValueError:
                if number == len(lines):  # no newline after it: torn by a kill mid-write
                    self._set_aside(raw[good:], good)
                    break
                raise InputError(self.log_path, f"line {number} is not a decision (the log was edited?)") from None
            ops.append(op)
            good += len(line) + 1
        return ops

    def _set_aside(self, tail: bytes, keep: int) -> None:
        torn = self.log_path.with_name(self.log_path.name + ".torn")
        with open(torn, "ab") as handle:
            handle.write(tail + b"\n")
        with open(self.log_path, "r+b") as handle:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
        self.warnings.append(f"{self.log_path}: an incomplete last line (a decision being written when the "
                             f"server stopped, never confirmed) was moved to {torn.name}")  # fmt: skip

    @property
    def ops(self) -> list[dict[str, Any]]:
        """Every decision in the log, oldest first (a copy)."""
        with self._lock:
            return list(self._ops)

    @property
    def count(self) -> int:
        """Number of decisions logged (undos included)."""
        return self._count

    # -- writing -------------------------------------------------------------------------
    def append(self, op: dict[str, Any]) -> CoderState:
        """Log one decision (flushed to disk before returning), then update codings.csv and memos.csv."""
        import time
        import uuid

        record = {"v": 1, "id": uuid.uuid4().hex, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **op}
        line = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
        with self._lock:
            new = not self.log_path.exists()
            with open(self.log_path, "a", encoding="utf-8", newline="\n") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            if new:
                fsync_folder(self.folder)
            self._ops.append(record)
            self._count += 1
            self.state = fold(self._ops)
            self._write_tables()
            return self.state

    def _write_tables(self) -> None:
        rows = sorted(self.state.codings.values(), key=lambda c: (c.transcript, c.start, c.end, c.code))
        with atomic_text(self.codings_path, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CODING_COLUMNS)
            writer.writerows((c.transcript, c.start, c.end, c.code, self.coder) for c in rows)
        if self.state.memos or self.memos_path.exists():
            with atomic_text(self.memos_path, newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(MEMO_COLUMNS)
                for (transcript, index), text in sorted(self.state.memos.items()):
                    start, end = self.spans.get((transcript, index), ("", ""))
                    writer.writerow((transcript, start, end, self.coder, text))

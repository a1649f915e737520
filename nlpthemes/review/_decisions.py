"""A coder's review decisions, and the state they add up to.

Decisions are records (plain dicts, one JSON line each in the log): ``apply``
a code to a span, ``remove`` an applied code, ``reject`` suggested codes for a
sentence, write a ``memo``, or ``undo`` an earlier decision. The state is a
pure function of the log: replaying it after a crash gives exactly what the
coder saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["OPS", "Coding", "CoderState", "fold"]

OPS = ("apply", "remove", "reject", "memo", "undo")

SentenceKey = tuple[str, int]


@dataclass(frozen=True)
class Coding:
    """A code the coder applied: a span of one transcript (half-open offsets)."""

    id: str
    transcript: str
    start: int
    end: int
    code: str
    sentence: int  # the sentence it was applied from


@dataclass
class CoderState:
    """What the coder's decisions add up to.

    Attributes
    ----------
    codings : dict
        Decision id -> :class:`Coding`, in the order applied.
    rejected : dict
        Sentence -> codes the coder rejected there.
    touched : dict
        Sentence -> the first effective decision made on it (with the
        machine's codes at that moment, for honest agreement).
    memos : dict
        Sentence -> memo text.
    effective : list
        The decisions still in force (not undone), oldest first.
    """

    codings: dict[str, Coding] = field(default_factory=dict)
    rejected: dict[SentenceKey, set[str]] = field(default_factory=dict)
    touched: dict[SentenceKey, Mapping[str, Any]] = field(default_factory=dict)
    memos: dict[SentenceKey, str] = field(default_factory=dict)
    effective: list[Mapping[str, Any]] = field(default_factory=list)

    def last(self) -> Mapping[str, Any] | None:
        """The most recent decision still in force (what undo takes back)."""
        return self.effective[-1] if self.effective else None


def _key(op: Mapping[str, Any]) -> SentenceKey:
    return str(op["transcript"]), int(op["sentence"])


def fold(ops: Iterable[Mapping[str, Any]]) -> CoderState:
    """Replay decisions into a :class:`CoderState` (undone decisions have no effect).

    Examples
    --------
    >>> ops = [
    ...     {"id": "a", "op": "apply", "transcript": "p1", "sentence": 0, "start": 0, "end": 9, "code": "trust"},
    ...     {"id": "b", "op": "reject", "transcript": "p1", "sentence": 1, "codes": ["money"]},
    ...     {"id": "c", "op": "apply", "transcript": "p1", "sentence": 1, "start": 10, "end": 20, "code": "trust"},
    ...     {"id": "d", "op": "undo", "target": "c"},
    ... ]
    >>> state = fold(ops)
    >>> [(c.transcript, c.start, c.end, c.code) for c in state.codings.values()]
    [('p1', 0, 9, 'trust')]
    >>> state.rejected, state.last()["id"]
    ({('p1', 1): {'money'}}, 'b')
    """
    ops = list(ops)
    undone = {str(op["target"]) for op in ops if op.get("op") == "undo"}
    state = CoderState()
    for op in ops:
        kind = op.get("op")
        if kind == "undo" or str(op.get("id")) in undone:
            continue
        state.effective.append(op)
        if kind == "remove":
            state.codings.pop(str(op["target"]), None)
            continue
        key = _key(op)
        state.touched.setdefault(key, op)
        if kind == "apply":
            coding = Coding(str(op["id"]), key[0], int(op["start"]), int(op["end"]), str(op["code"]), key[1])
            state.codings[coding.id] = coding
            state.rejected.get(key, set()).discard(coding.code)
        elif kind == "reject":
            state.rejected.setdefault(key, set()).update(str(c) for c in op["codes"])
        elif kind == "memo":
            text = str(op.get("text", ""))
            if text.strip():
                state.memos[key] = text
            else:
                state.memos.pop(key, None)
    return state

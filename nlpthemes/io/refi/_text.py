"""Source texts and exact offset mapping between REFI-QDA positions and nlpthemes offsets.

REFI-QDA positions (``startPosition``/``endPosition``) count characters of the
plain text *as stored*, from 0. nlpthemes offsets index :attr:`Transcript.text`,
which is normalised: no byte-order mark, ``\\n`` line ends. So:

* a BOM is not a character of the text: position 0 is the first character after it;
* every ``\\r\\n`` of the stored text counts two positions but one offset
  (a lone ``\\r`` becomes ``\\n`` and keeps its length);
* a "character" is a Unicode code point, as Python counts (``offset_unit="codepoint"``).
  Tools built on UTF-16 strings (.NET, Java, JavaScript) may count a character
  outside the Basic Multilingual Plane (emoji, rare CJK) as two; for projects
  from such a tool pass ``offset_unit="utf16"``.

Both mappings are "expansions": a sorted list of compact positions whose
character takes two units in the expanded space. A position that falls inside
such a pair (between ``\\r`` and ``\\n``, or between two UTF-16 surrogates) maps
to the start of the pair.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from nlpthemes.io._decode import decode_bytes

__all__ = ["OFFSET_UNITS", "OffsetUnit", "SourceText", "check_unit", "decode_source", "from_text"]

OffsetUnit = Literal["codepoint", "utf16"]
OFFSET_UNITS: tuple[str, ...] = ("codepoint", "utf16")


def _expand(doubles: tuple[int, ...], offset: int) -> int:
    return offset + bisect.bisect_left(doubles, offset)


def _starts(doubles: tuple[int, ...]) -> tuple[int, ...]:
    """Where each double starts in the expanded space (the k-th is shifted by k)."""
    return tuple(d + k for k, d in enumerate(doubles))


def _compress(starts: tuple[int, ...], position: int) -> int:
    return position - bisect.bisect_left(starts, position)


def check_unit(offset_unit: str) -> OffsetUnit:
    """Validate an ``offset_unit`` option."""
    if offset_unit not in OFFSET_UNITS:
        raise ValueError(f"offset_unit must be one of {', '.join(OFFSET_UNITS)}, "
                         f"not {offset_unit!r}")
    return offset_unit  # type: ignore[return-value]


@dataclass(frozen=True)
class SourceText:
    """A REFI-QDA plain text: what was stored, its normalised text, and the maps between.

    Parameters
    ----------
    stored : str
        The decoded plain text exactly as stored (``\\r\\n`` kept), without a BOM.
    text : str
        Normalised text (``\\n`` line ends): what nlpthemes offsets index.
    newline_offsets : tuple of int
        Offsets in ``text`` where ``stored`` has ``\\r\\n``.
    had_bom : bool
        Whether the stored bytes began with a byte-order mark.
    encoding : str
        The encoding the bytes were decoded with (UTF-8 for conforming projects).

    Examples
    --------
    >>> s = decode_source("\\ufeffA\\r\\nB\\U0001F600C".encode())
    >>> s.text, s.to_position(4), s.to_position(4, "utf16"), s.to_offset(6, "utf16")
    ('A\\nB😀C', 5, 6, 4)
    """

    stored: str
    text: str
    newline_offsets: tuple[int, ...] = ()
    had_bom: bool = False
    encoding: str = "utf-8"

    @cached_property
    def _astral(self) -> tuple[int, ...]:
        """Stored-text positions of characters outside the BMP."""
        return tuple(i for i, ch in enumerate(self.stored) if ord(ch) > 0xFFFF)

    @cached_property
    def _astral_starts(self) -> tuple[int, ...]:
        return _starts(self._astral)

    @cached_property
    def _crlf_starts(self) -> tuple[int, ...]:
        return _starts(self.newline_offsets)

    def to_position(self, offset: int, offset_unit: OffsetUnit = "codepoint") -> int:
        """REFI position of a normalised-text offset."""
        position = _expand(self.newline_offsets, offset)
        if check_unit(offset_unit) == "utf16":
            position = _expand(self._astral, position)
        return position

    def to_offset(self, position: int, offset_unit: OffsetUnit = "codepoint") -> int:
        """Normalised-text offset of a REFI position."""
        if check_unit(offset_unit) == "utf16":
            position = _compress(self._astral_starts, position)
        return _compress(self._crlf_starts, position)

    def length(self, offset_unit: OffsetUnit = "codepoint") -> int:
        """Length of the stored text in REFI positions."""
        return self.to_position(len(self.text), offset_unit)

    def encode(self) -> bytes:
        """The stored text as UTF-8 bytes (with its BOM, if it had one)."""
        return (("\ufeff" if self.had_bom else "") + self.stored).encode("utf-8")


def decode_source(data: bytes, where: str | Path | None = None) -> SourceText:
    """Decode a stored plain text (UTF-8 per the standard; others are detected).

    Raises
    ------
    InputError
        Binary or undecodable bytes.
    """
    decoded = decode_bytes(data, where)
    stored = data.decode(decoded.encoding)
    if stored.startswith("\ufeff"):
        stored = stored[1:]
    return SourceText(stored=stored, text=decoded.text, newline_offsets=decoded.newline_offsets,
                      had_bom=decoded.had_bom, encoding=decoded.encoding)


def from_text(text: str) -> SourceText:
    """A source whose stored text is ``text`` itself (inline ``PlainTextContent``).

    XML parsing already turns ``\\r\\n`` into ``\\n`` unless written as ``&#13;``;
    what remains is normalised the same way as a file.
    """
    from nlpthemes.io._decode import normalise_newlines

    normalised, crlf = normalise_newlines(text)
    return SourceText(stored=text, text=normalised, newline_offsets=crlf)

"""The data model every step relies on: transcripts, turns and sentences.

Offsets are the source of truth: a :class:`Sentence` is a half-open span
``[start, end)`` of its transcript's normalised text, and
``transcript.text[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Corpus", "Cue", "Reading", "Sentence", "Transcript", "Turn"]


@dataclass(frozen=True)
class Cue:
    """A timed stretch of text from a subtitle file (offsets into the transcript text)."""

    start: int
    end: int
    start_time: float
    end_time: float


@dataclass(frozen=True)
class Reading:
    """How a file was read into turns: the layout found and anything that looked off.

    Parameters
    ----------
    layout : str
        The layout the turns were read with: one of
        :data:`nlpthemes.io.layouts.LAYOUT_NAMES` for text-like files
        (``.txt``, ``.md``, ``.docx``, ``.html``), or ``"subtitles"``,
        ``"turn-table"``, ``"answers"`` for the other readers.
    detected : bool
        Whether the layout was detected from the text (``False``: the user
        chose it, or the file type fixes it).
    scores : tuple of (str, float)
        For text layouts, how well each layout that found something explains
        the file (best first): speaker labels and timestamps read, less turns
        that would still start with markup, a timestamp or a label, per
        non-empty line.
    warnings : tuple of str
        Problems worth a look, such as one speaker getting every sentence
        of a file that has several speaker labels.
    column : str or None
        For CSV/XLSX answers, the column (the survey question) the answer was
        read from.
    identity_columns : tuple of str
        For CSV/XLSX answers, the columns of names, e-mail and IP addresses that
        were not kept as attributes.
    row : int or None
        For CSV/XLSX answers, the answer's row among the table's answer rows
        (1: the first row below the header rows), where codes typed beside the
        answer are read from (:mod:`nlpthemes.io.answer_codes`).

    Examples
    --------
    >>> Reading("inline").warnings
    ()
    """

    layout: str
    detected: bool = True
    scores: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()
    column: str | None = None
    identity_columns: tuple[str, ...] = ()
    row: int | None = None


@dataclass(frozen=True)
class Turn:
    """One speaker turn: the span of what was said, without the speaker label.

    Parameters
    ----------
    start, end : int
        Half-open character offsets into the transcript text.
    speaker : str or None
        The speaker label as written (``None`` when the file names no speaker).
    is_interviewer : bool
        Whether the speaker is an interviewer (kept, but excluded from analysis
        by default).
    start_time, end_time : float or None
        Seconds, as the timestamps of subtitles or of a timed transcript give
        them (``None`` where the file gives none).
    """

    start: int
    end: int
    speaker: str | None = None
    is_interviewer: bool = False
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence: a view of its transcript's text.

    Examples
    --------
    >>> t = Transcript(id="p1", text="A: Hello. Bye.", turns=(Turn(3, 14, "A"),))
    >>> s = Sentence("p1", 0, 3, 9, "Hello.", speaker="A")
    >>> t.text[s.start:s.end] == s.text
    True
    """

    transcript_id: str
    index: int
    start: int
    end: int
    text: str
    speaker: str | None = None
    turn: int = 0
    is_interviewer: bool = False
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True)
class Transcript:
    """One source document: an interview, a recording or an open-ended answer.

    Parameters
    ----------
    id : str
        Identifier (the file stem unless given).
    text : str
        Normalised text: UTF-8, ``\\n`` line ends, no BOM. All offsets point here.
    turns : tuple of Turn
        Speaker turns in order; they never overlap.
    source : str or None
        The path the transcript was read from.
    participants : mapping
        Speaker label -> attributes (group, role, gender, ...).
    language : str
        ISO 639-1 code used for sentence splitting and keywords.
    newline_offsets : tuple of int
        Positions in ``text`` where the source had ``\\r\\n`` (one extra
        character each), so offsets can be mapped back to the original file.
    cues : tuple of Cue
        Timed stretches of text, for transcripts read from subtitles.
    reading : Reading or None
        How the file was read (layout, warnings); ``None`` when built in code.
    names : tuple of str
        The respondent's name and e-mail address from identity columns of a
        survey table. They are never written out: with pseudonymisation on,
        they are replaced wherever the text mentions them.
    """

    id: str
    text: str
    turns: tuple[Turn, ...] = ()
    source: str | None = None
    participants: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)
    language: str = "en"
    newline_offsets: tuple[int, ...] = ()
    cues: tuple[Cue, ...] = ()
    reading: Reading | None = None
    names: tuple[str, ...] = field(default=(), repr=False)

    def speakers(self) -> list[str]:
        """Speaker labels in order of first appearance.

        Examples
        --------
        >>> Transcript("t", "ab", (Turn(0, 1, "X"), Turn(1, 2, "Y"), Turn(0, 1, "X"))).speakers()
        ['X', 'Y']
        """
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker is not None:
                seen.setdefault(turn.speaker, None)
        return list(seen)

    def to_source_offset(self, offset: int) -> int:
        """Map an offset in ``text`` to one in the original file's characters.

        Examples
        --------
        >>> t = Transcript("t", "a\\nb", newline_offsets=(1,))
        >>> t.to_source_offset(2)
        3
        """
        import bisect

        return offset + bisect.bisect_left(self.newline_offsets, offset)


@dataclass
class Corpus:
    """Transcripts read together, with the files that could not be read.

    ``errors`` holds ``(path, message)`` for every file that could not be read;
    ``explicit_errors`` the paths among them that the user named (not found
    inside a folder).

    Examples
    --------
    >>> c = Corpus([Transcript("a", "x")])
    >>> len(c), c.errors
    (1, [])
    """

    transcripts: list[Transcript]
    errors: list[tuple[str, str]] = field(default_factory=list)
    explicit_errors: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Transcript]:
        return iter(self.transcripts)

    def __len__(self) -> int:
        return len(self.transcripts)

    def by_id(self) -> dict[str, Transcript]:
        """Transcripts keyed by id."""
        return {t.id: t for t in self.transcripts}


def check_offsets(transcript: Transcript, sentences: Sequence[Sentence]) -> None:
    """Raise ``AssertionError`` unless every sentence is an exact view of the text."""
    for s in sentences:
        if transcript.text[s.start : s.end] != s.text:
            raise AssertionError(f"{transcript.id}: sentence {s.index} offsets do not hold")


def source_path_id(path: Path) -> str:
    """The default transcript id of a file: its stem."""
    return path.stem

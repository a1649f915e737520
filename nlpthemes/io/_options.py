"""Options shared by the readers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """How to read transcripts.

    Parameters
    ----------
    interviewers : tuple of str
        Speaker labels that are interviewers (case-insensitive), besides role
        words such as ``Interviewer``, ``Moderator`` and ``Q``.
    speakers : tuple of str
        Labels to accept as speakers even when they occur only once.
    guess_interviewers : bool
        In a two-speaker interview where nobody is named or recognised as the
        interviewer, take the speaker who clearly asks the questions.
    language : str
        ISO 639-1 code for sentence splitting, or ``"auto"`` to detect it.
    encoding : str or None
        Force a text encoding instead of detecting it.
    id_column, speaker_column : str or None
        Columns of CSV/XLSX files. With a speaker column, each file is one
        transcript whose rows are turns; otherwise each row is one answer.
    text_column : str, tuple of str or None
        The text column of a CSV/XLSX file, or, for a survey, every question
        column to read (each answer to each question becomes a transcript).
        ``None``: found by name, else every column of free-text answers.
    layout : str
        How speaker turns are written in text-like files (``.txt``, ``.md``,
        ``.docx``, ``.html``): ``"auto"`` detects it; a name from
        :data:`nlpthemes.io.layouts.LAYOUT_NAMES` forces it.

    Raises
    ------
    InputError
        An unknown layout name.

    Examples
    --------
    >>> ReadOptions(interviewers=("Dan",)).language
    'auto'
    >>> ReadOptions(layout="rev").layout
    'rev'
    >>> ReadOptions(text_column="why").text_columns
    ('why',)
    """

    interviewers: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    guess_interviewers: bool = True
    language: str = "auto"
    encoding: str | None = None
    id_column: str | None = None
    text_column: str | tuple[str, ...] | None = None
    speaker_column: str | None = None
    layout: str = "auto"

    def __post_init__(self) -> None:
        if self.layout != "auto":
            from nlpthemes.io.layouts import check_layout

            check_layout(self.layout)

    def record(self) -> dict[str, Any]:
        """How files were read, as JSON-ready values (for a run's manifest; see :meth:`from_record`).

        Examples
        --------
        >>> ReadOptions.from_record(ReadOptions(layout="rev", text_column=("q1", "q2")).record()).text_columns
        ('q1', 'q2')
        >>> ReadOptions.from_record({"text_column": "why"}).text_columns
        ('why',)
        """
        return {"interviewers": list(self.interviewers), "speakers": list(self.speakers),
                "guess_interviewers": self.guess_interviewers, "language": self.language, "encoding": self.encoding,
                "id_column": self.id_column, "text_column": list(self.text_columns) or None,
                "speaker_column": self.speaker_column, "layout": self.layout}  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ReadOptions:
        """The options :meth:`record` wrote (missing keys: the defaults)."""
        text = record.get("text_column")
        text = (text,) if isinstance(text, str) else text
        return cls(interviewers=tuple(record.get("interviewers") or ()), speakers=tuple(record.get("speakers") or ()),
                   guess_interviewers=bool(record.get("guess_interviewers", True)),
                   language=str(record.get("language") or "auto"), encoding=record.get("encoding"),
                   id_column=record.get("id_column"), text_column=tuple(text) if text else None,
                   speaker_column=record.get("speaker_column"), layout=str(record.get("layout") or "auto"))  # fmt: skip

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The text columns asked for (none: find them)."""
        if self.text_column is None:
            return ()
        return (self.text_column,) if isinstance(self.text_column, str) else tuple(self.text_column)

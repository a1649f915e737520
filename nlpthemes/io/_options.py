"""Options shared by the readers."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The text columns asked for (none: find them)."""
        if self.text_column is None:
            return ()
        return (self.text_column,) if isinstance(self.text_column, str) else tuple(self.text_column)

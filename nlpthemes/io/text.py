"""Plain text and markdown interviews with speaker turns."""

from __future__ import annotations

from pathlib import Path

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError
from nlpthemes.io._decode import read_text_file
from nlpthemes.io._options import ReadOptions
from nlpthemes.io.layouts import read_layout
from nlpthemes.segment import detect_language

__all__ = ["read_text", "transcript_from_text"]


def transcript_from_text(
    text: str,
    transcript_id: str,
    *,
    options: ReadOptions = ReadOptions(),
    source: str | None = None,
    newline_offsets: tuple[int, ...] = (),
) -> Transcript:
    """Build a transcript from normalised text, finding its layout and speaker turns.

    The layout (``Name: text``, Otter/Teams headers, Rev, Zoom, Whisper,
    Markdown labels...) is detected from the whole text unless
    ``options.layout`` names one; see :mod:`nlpthemes.io.layouts`. Roles named
    in labels (``Kim, Interviewer``) become the speaker's ``role`` attribute.

    Examples
    --------
    >>> t = transcript_from_text("Q: Why?\\nA: Because.", "t1")
    >>> [(t.text[x.start:x.end], x.speaker) for x in t.turns], t.reading.layout
    ([('Why?', 'Q'), ('Because.', 'A')], 'inline')
    """
    result = read_layout(text, options)
    language = detect_language(text) if options.language == "auto" else options.language
    return Transcript(
        id=transcript_id,
        text=text,
        turns=result.turns,
        source=source,
        participants=result.participants,
        language=language,
        newline_offsets=newline_offsets,
        reading=result.reading,
    )


def read_text(path: Path, options: ReadOptions = ReadOptions()) -> Transcript:
    """Read a ``.txt`` or ``.md`` interview.

    Raises
    ------
    InputError
        Missing, binary, undecodable or empty file.
    """
    decoded = read_text_file(path, encoding=options.encoding)
    if not decoded.text.strip():
        raise InputError(path, "the file is empty")
    return transcript_from_text(
        decoded.text,
        path.stem,
        options=options,
        source=str(path),
        newline_offsets=decoded.newline_offsets,
    )

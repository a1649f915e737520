"""WebVTT and SRT subtitles of recorded interviews (webvtt-py)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from nlpthemes.corpus import Cue, Reading, Transcript, Turn
from nlpthemes.errors import InputError
from nlpthemes.io._decode import read_text_file
from nlpthemes.io._options import ReadOptions
from nlpthemes.io._turns import guess_interviewers, is_interviewer_label
from nlpthemes.segment import detect_language

__all__ = ["read_subtitles"]

_PREFIX = re.compile(r"^\s*(?:-\s*)?(?P<name>[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,3})\s*:\s+")


def _seconds(stamp: str) -> float:
    """'01:02:03.500' or '02:03,5' -> seconds."""
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def read_subtitles(path: Path, options: ReadOptions = ReadOptions()) -> Transcript:
    """Read a ``.vtt`` or ``.srt`` file into one transcript with timed cues.

    The speaker comes from ``<v Name>`` tags or a ``Name:`` prefix; consecutive
    captions of one speaker form one turn (one line of the transcript text, as
    ``Name: caption caption ...``). Each caption's timing is kept as a cue, so
    sentences get the start time of their first caption and the end time of
    their last.

    Raises
    ------
    InputError
        Unreadable, malformed or empty subtitles.
    """
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    decoded = read_text_file(path, encoding=options.encoding)
    fmt = "srt" if path.suffix.lower() == ".srt" else "vtt"
    try:
        captions = webvtt.from_buffer(io.StringIO(decoded.text), format=fmt).captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        raise InputError(path, f"not valid {fmt.upper()} subtitles ({exc})") from None
    items: list[tuple[str | None, str, float, float]] = []
    for caption in captions:
        words = " ".join(caption.text.split())
        speaker = caption.voice or None
        if speaker is None and (m := _PREFIX.match(words)):
            speaker, words = m["name"], words[m.end() :]
        if words:
            items.append((speaker, words, _seconds(caption.start), _seconds(caption.end)))
    if not items:
        raise InputError(path, "the subtitles contain no text")

    parts: list[str] = []
    turns: list[Turn] = []
    cues: list[Cue] = []
    pos = 0
    i = 0
    while i < len(items):
        speaker = items[i][0]
        if parts:
            parts.append("\n")
            pos += 1
        if speaker:
            label = f"{speaker}: "
            parts.append(label)
            pos += len(label)
        turn_start = pos
        j = i
        while j < len(items) and items[j][0] == speaker:
            if j > i:
                parts.append(" ")
                pos += 1
            _, words, t0, t1 = items[j]
            parts.append(words)
            cues.append(Cue(pos, pos + len(words), t0, t1))
            pos += len(words)
            j += 1
        interviewer = speaker is not None and is_interviewer_label(speaker, options.interviewers)
        turns.append(Turn(turn_start, pos, speaker, interviewer, items[i][2], items[j - 1][3]))
        i = j
    text = "".join(parts)
    if options.guess_interviewers and not options.interviewers and not any(
        t.is_interviewer for t in turns
    ):
        guessed = guess_interviewers(turns, text)
        turns = [
            Turn(t.start, t.end, t.speaker, t.speaker in guessed, t.start_time, t.end_time)
            for t in turns
        ]
    language = detect_language(text) if options.language == "auto" else options.language
    return Transcript(
        id=path.stem,
        text=text,
        turns=tuple(turns),
        source=str(path),
        language=language,
        cues=tuple(cues),
        reading=Reading("subtitles", detected=False),
    )

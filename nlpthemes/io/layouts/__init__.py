"""Layouts: the ways transcription tools write speaker turns into text, and how to tell them apart.

Each layout is a named reader (:data:`LAYOUTS`, name -> :class:`Layout`) that
finds where turns start in the whole text. :func:`read_layout` tries them all
and keeps the one that explains the file best: the most speaker labels and
timestamps read, less the turns that would still start with markup, a
timestamp or a label (a sign the layout does not fit). Ties go to the
earlier layout in :data:`LAYOUT_NAMES`, so files that read well as
``Name: text`` read exactly as they always have. ``ReadOptions(layout=NAME)``
(``--layout NAME``) skips detection.

Examples
--------
>>> from nlpthemes.io import ReadOptions
>>> text = "Speaker 1  0:00\\nHow did it start?\\n\\nSpeaker 2  0:04\\nWe met in 2019.\\n\\nSpeaker 1  0:09\\nWhy?"
>>> result = read_layout(text, ReadOptions())
>>> result.reading.layout
'name-time'
>>> [(text[t.start:t.end], t.speaker, t.is_interviewer, t.start_time) for t in result.turns][:2]
[('How did it start?', 'Speaker 1', True, 0.0), ('We met in 2019.', 'Speaker 2', False, 4.0)]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from nlpthemes.corpus import Reading, Turn
from nlpthemes.errors import InputError
from nlpthemes.io._options import ReadOptions
from nlpthemes.io._turns import assemble_turns, inline_headers
from nlpthemes.io.layouts import _lines
from nlpthemes.io.layouts._base import Found, Layout, messy_turns
from nlpthemes.io.layouts._cues import find_cues
from nlpthemes.io.layouts._markdown import find_markdown

__all__ = ["LAYOUTS", "LAYOUT_NAMES", "Layout", "LayoutResult", "check_layout", "read_layout"]


def _inline(text: str, speakers: Collection[str]) -> Found:
    headers = inline_headers(text, speakers)
    structure = sum(1 + (h.start_time is not None) for h in headers)
    return Found(headers, structure)


def _plain(text: str, speakers: Collection[str]) -> Found:
    return Found()


_ALL = (
    Layout("inline", "Interviewer: How did it start?",
           "typed transcripts; Descript and Sonix text exports ([00:00:05] Name: ...)", _inline, roles=False),
    Layout("markdown", "**Interviewer**\\ (then the words below)", "pandoc Markdown from Word", find_markdown),
    Layout("name-time", "Mina Park  00:09 (then the words below)", "Otter.ai, Microsoft Teams .docx/.txt",
           _lines.line_layout(_lines.NAME_TIME, notices=_lines.NAME_TIME_NOTICES)),
    Layout("rev", "Jane Doe (00:00:07): (words on the same line or below)", "Rev",
           _lines.line_layout(_lines.REV, every_label=True)),
    Layout("zoom", "[Jane Doe] 10:02:18 (then the words below)", "Zoom saved transcripts",
           _lines.line_layout(_lines.ZOOM, every_label=True)),
    Layout("time-name", "00:00:05 Speaker 1 (then the words below)", "NVivo Transcription",
           _lines.line_layout(_lines.TIME_NAME)),
    Layout("teams-cues", "0:0:7.0 --> 0:0:20.0 (then Lee, Participant, then the words)",
           "Microsoft Teams / Stream .docx", find_cues),
    Layout("whisper", "[00:00:05.500 --> 00:00:12.800] SPEAKER_01: words",
           "Whisper with diarisation (WhisperX, pyannote)", _lines.line_layout(_lines.WHISPER, label_optional=True)),
    Layout("timed", "[00:01:23] words (no speaker)", "timestamped paragraphs",
           _lines.line_layout(_lines.TIMED)),
    Layout("plain", "words without speaker labels", "essays, notes, single answers", _plain),
)  # fmt: skip

#: Layouts by name, in the order ties are broken.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in _ALL}
#: The names ``--layout`` accepts besides ``auto``.
LAYOUT_NAMES: tuple[str, ...] = tuple(LAYOUTS)


def check_layout(name: str) -> str:
    """Validate a layout name (``"auto"`` or one of :data:`LAYOUT_NAMES`).

    Examples
    --------
    >>> check_layout("rev")
    'rev'
    >>> check_layout("otter")
    Traceback (most recent call last):
    ...
    nlpthemes.errors.InputError: layout must be 'auto' or one of inline, markdown, ...; got 'otter'
    """
    if name != "auto" and name not in LAYOUTS:
        raise InputError(None, f"layout must be 'auto' or one of {', '.join(LAYOUT_NAMES)}; got {name!r}")
    return name


@dataclass(frozen=True)
class LayoutResult:
    """Turns read with a layout, the roles its labels named, and how it went."""

    turns: tuple[Turn, ...]
    participants: dict[str, dict[str, str]]
    reading: Reading


@dataclass(frozen=True)
class _Trial:
    layout: Layout
    found: Found
    turns: tuple[Turn, ...]
    participants: dict[str, dict[str, str]]
    score: int


def _try(layout: Layout, text: str, options: ReadOptions) -> _Trial:
    found = layout.find(text, options.speakers)
    turns, participants = assemble_turns(
        text, found.headers, interviewers=options.interviewers, guess=options.guess_interviewers,
        roles=layout.roles, preamble=found.preamble,
    )  # fmt: skip
    score = found.structure - messy_turns(text, turns) if found.structure else 0
    return _Trial(layout, found, turns, participants, score)


_SHORT_LINE = re.compile(r"[^\W\d_][\w.'’\-]*(?:[ ,]{1,2}[\w.'’\-]+){0,3}")


def _recurring_short_lines(text: str) -> tuple[int, int]:
    """How many distinct short lines without punctuation recur (as names alone on a line would),
    and the line number of the first; ``(0, 0)`` when they do not look like a dialogue."""
    lines = [line.strip() for line in text.split("\n")]
    counts = Counter(line for line in lines if _SHORT_LINE.fullmatch(line))
    recurring = {line for line, n in counts.items() if n >= 2}
    if len(recurring) < 2 or sum(counts[x] for x in recurring) < 4:
        return 0, 0
    return len(recurring), next(i for i, line in enumerate(lines, 1) if line in recurring)


def _warnings(chosen: _Trial, trials: list[_Trial], text: str) -> tuple[str, ...]:
    """What looks misread. Speakers of other layouts are counted, not named (names in a warning
    could not be pseudonymised when they are nobody's label in the reading kept)."""
    def who(trial: _Trial) -> set[str]:
        return {t.speaker for t in trial.turns if t.speaker is not None}

    speakers = who(chosen)
    best, most = None, len(speakers)  # the layout that finds the most speakers, more than the chosen one
    for trial in trials:
        if trial.score > 0 and trial is not chosen and len(who(trial)) > most:
            best, most = trial, len(who(trial))
    if len(speakers) == 1 and best is not None:
        (only,) = speakers
        return (f"every speaker turn is given to {only} although the {best.layout.name} layout finds "
                f"{most} speakers here; check the layout (--layout {best.layout.name}?)",)  # fmt: skip
    if speakers:
        return ()
    if best is not None and most >= 2:
        return (f"no speaker was found (layout {chosen.layout.name}) although the {best.layout.name} layout "
                f"finds {most} speakers here (--layout {best.layout.name}?)",)  # fmt: skip
    n, first = _recurring_short_lines(text)
    if n:
        return (f"no speaker was found although {n} short lines recur like speaker names alone on a line "
                f"(the first is line {first}); write labels as 'Name: text' or use a layout from the README",)  # fmt: skip
    return ()


def read_layout(text: str, options: ReadOptions = ReadOptions()) -> LayoutResult:
    """Read turns from a text in the layout ``options.layout`` names, or the one that fits best.

    Parameters
    ----------
    text : str
        Normalised transcript text.
    options : ReadOptions
        ``layout`` (``"auto"`` to detect), interviewers, speakers and guessing.

    Returns
    -------
    LayoutResult
        Turns, the roles labels named (speaker -> ``{"role": ...}``), and the
        :class:`~nlpthemes.corpus.Reading` (layout, scores, warnings).

    Raises
    ------
    InputError
        An unknown layout name.
    """
    check_layout(options.layout)
    trials = [_try(layout, text, options) for layout in _ALL]
    lines = sum(1 for line in text.split("\n") if line.strip()) or 1
    scores = tuple(
        (t.layout.name, round(t.score / lines, 3))
        for t in sorted(trials, key=lambda t: -t.score) if t.score > 0
    )  # fmt: skip
    if options.layout != "auto":
        chosen = next(t for t in trials if t.layout.name == options.layout)
    else:
        best = max(trials, key=lambda t: t.score)  # the first of equals: registry order
        chosen = best if best.score > 0 else next(t for t in trials if t.layout.name == "plain")
        if chosen.layout.name == "plain" and any(t.speaker for t in trials[0].turns):
            chosen = trials[0]  # labels inline found, though every turn still starts untidily
    reading = Reading(chosen.layout.name, options.layout == "auto", scores, _warnings(chosen, trials, text))
    return LayoutResult(chosen.turns, chosen.participants, reading)

"""Layouts whose every turn starts on one recognisable line: a speaker, a timestamp, or both.

Each is a list of regular expressions over single lines with named groups:
``name`` (the speaker label), ``ts``/``te`` (start and end times), ``rest``
(words on the same line; otherwise the words start on the next line) and
``bare`` (where the words start when the name is not taken as a speaker).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from nlpthemes.io._turns import Header, seconds
from nlpthemes.io.layouts._base import NAME, TIME, Found, accepted_labels

__all__ = ["NAME_TIME", "NAME_TIME_NOTICES", "REV", "TIMED", "TIME_NAME", "WHISPER", "ZOOM", "line_layout"]


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.MULTILINE) for p in patterns)


# Otter.ai ``Mina Park  00:09``, Teams ``Kim, Interviewer   0:03``; a bracketed time may be
# followed by the words: ``Jane Doe [00:00:04] So I started...``.
NAME_TIME = _compile(
    rf"^[ \t]*(?P<name>{NAME})[ \t]+(?P<ts>{TIME})[ \t]*$",
    rf"^[ \t]*(?P<name>{NAME})[ \t]+\[(?P<ts>{TIME})\][ \t]*(?P<rest>.*?)[ \t]*$",
)
# Lines the tools add that nobody said: Teams' "Kim, Interviewer started transcription" and the
# meeting date and length at the top of its .docx, Otter.ai's "Transcribed by https://otter.ai".
NAME_TIME_NOTICES = _compile(
    rf"^[ \t]*{NAME}[ \t]+(?:started|stopped) transcription[ \t]*$",
    r"^[ \t]*[A-Z][a-z]+ \d{1,2}, \d{4},? \d{1,2}:\d{2}(?::\d{2})?[ \t]*(?:[AP]M)?[ \t]*$",
    r"^[ \t]*(?:\d+h[ \t]*)?\d+m[ \t]*\d+s[ \t]*$",
    r"^[ \t]*Transcribed by https?://otter\.ai[ \t]*$",
)
# Rev: ``Jane Doe (00:00:07):`` then the words, on the same line or below.
REV = _compile(rf"^[ \t]*(?P<name>{NAME})[ \t]*\((?P<ts>{TIME})\)[ \t]*:[ \t]*(?P<rest>.*?)[ \t]*$")
# Zoom: ``[Jane Doe] 10:02:18`` then the words below.
ZOOM = _compile(rf"^[ \t]*\[(?P<name>[^\[\]\n]{{1,60}}?)\][ \t]+(?P<ts>{TIME})[ \t]*$")
# A timestamp then the speaker, alone on a line: ``00:00:05 Speaker 1`` (NVivo Transcription).
TIME_NAME = _compile(rf"^[ \t]*[\[(]?(?P<ts>{TIME})[\])]?[ \t]+(?:-[ \t]*)?(?P<name>{NAME})[ \t]*:?[ \t]*$")
# Whisper with diarisation: ``[00:00:05.500 --> 00:00:12.800] SPEAKER_01: words``
# (or ``[SPEAKER_01] [t0 --> t1]: words``, or no speaker at all).
WHISPER = _compile(
    rf"^[ \t]*\[(?P<ts>{TIME})[ \t]*-->[ \t]*(?P<te>{TIME})\][ \t]*"
    rf"(?P<bare>(?:\[?(?P<name>{NAME})\]?[ \t]*:[ \t]+)?(?P<rest>.*?))[ \t]*$",
    rf"^[ \t]*\[(?P<name>{NAME})\][ \t]*\[(?P<ts>{TIME})[ \t]*-->[ \t]*(?P<te>{TIME})\][ \t]*:?[ \t]*"
    rf"(?P<rest>.*?)[ \t]*$",
)
# Paragraphs that start with a timestamp and name nobody: ``[00:01:23] words``.
TIMED = _compile(
    rf"^[ \t]*\[(?P<ts>{TIME})\](?:[ \t]+(?:-[ \t]+)?(?P<rest>\S.*?))?[ \t]*$",
    rf"^[ \t]*\((?P<ts>{TIME})\)(?:[ \t]+(?:-[ \t]+)?(?P<rest>\S.*?))?[ \t]*$",
    rf"^[ \t]*(?P<ts>{TIME})(?:[ \t]+(?:-[ \t]+)?(?P<rest>\S.*?))?[ \t]*$",
)


@dataclass(frozen=True)
class _Line:
    line_start: int
    label: str | None
    content: int  # where the words start when the label is taken
    bare: int  # where they start when it is not
    start_time: float | None
    end_time: float | None


def _group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


_CLOCK = re.compile(r"\d:\d")  # every pattern here has a timestamp, so only these lines can match


def _scan(text: str, patterns: Sequence[re.Pattern[str]]) -> list[_Line]:
    """Lines a pattern matches (the first pattern that matches a line wins), in text order."""
    starts = sorted({text.rfind("\n", 0, m.start()) + 1 for m in _CLOCK.finditer(text)})
    found = []
    for start in starts:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        m = next((m for pattern in patterns if (m := pattern.match(text, start, end))), None)
        if m is None:
            continue
        below = min(end + 1, len(text))
        rest = _group(m, "rest")
        content = m.start("rest") if rest else below
        bare = content
        if _group(m, "bare") is not None:
            bare = m.start("bare") if m["bare"] else below
        ts, te = _group(m, "ts"), _group(m, "te")
        found.append(_Line(start, _group(m, "name"), content, bare,
                           None if ts is None else seconds(ts), None if te is None else seconds(te)))  # fmt: skip
    return found


def line_layout(
    patterns: Sequence[re.Pattern[str]], *, every_label: bool = False, label_optional: bool = False,
    notices: Sequence[re.Pattern[str]] = (),
) -> Callable[[str, Collection[str]], Found]:
    """The ``find`` function of a one-line-per-turn layout.

    Parameters
    ----------
    patterns : sequence of compiled patterns
        Tried in order on every line.
    every_label : bool
        Take every label the pattern finds (the pattern is specific enough);
        otherwise labels must recur or name a role (:func:`accepted_labels`).
    label_optional : bool
        A line whose label is not taken still starts a turn without a
        speaker (its timestamp is what makes it a header).
    notices : sequence of compiled patterns
        Lines the tool adds that nobody said: they end the turn before them
        and belong to no turn.
    """

    def find(text: str, speakers: Collection[str]) -> Found:
        lines = _scan(text, patterns)
        labels = [x.label for x in lines if x.label]
        taken = {lb.lower() for lb in labels} if every_label else accepted_labels(labels, speakers)
        headers = []
        for x in lines:
            if x.label is not None and x.label.lower() in taken:
                headers.append(Header(x.line_start, x.content, x.label, x.start_time, x.end_time))
            elif x.label is None or label_optional:
                headers.append(Header(x.line_start, x.bare, None, x.start_time, x.end_time))
        structure = sum((h.label is not None) + (h.start_time is not None) for h in headers)
        if headers and notices:  # a notice is a header whose turn is empty (it ends at its own line)
            for notice in notices:
                headers += [Header(m.start(), m.end(), None, end=m.end()) for m in notice.finditer(text)]
            headers.sort(key=lambda h: h.line_start)
        return Found(headers, structure)

    return find

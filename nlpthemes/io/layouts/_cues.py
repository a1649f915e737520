"""Cue blocks, as Microsoft Teams (and Stream) write transcripts to ``.docx``.

::

    0:0:7.0 --> 0:0:20.0
    Lee, Participant
    Well, it started in 2019.

A cue line with the start and end time, the speaker on the next line, then
the words until the next cue line. A block whose second line does not look
like a name has no speaker.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from nlpthemes.io._turns import Header, seconds
from nlpthemes.io.layouts._base import CUE_TIME, NAME, Found, accepted_labels, line_spans

__all__ = ["find_cues"]

_CUE = re.compile(rf"^[ \t]*(?P<ts>{CUE_TIME})[ \t]*-->[ \t]*(?P<te>{CUE_TIME})[ \t]*$", re.MULTILINE)
_WHO = re.compile(rf"^[ \t]*(?P<name>{NAME})[ \t]*$", re.MULTILINE)


def find_cues(text: str, speakers: Collection[str] = ()) -> Found:
    """Find Teams cue blocks.

    Examples
    --------
    >>> text = "0:0:0.0 --> 0:0:2.5\\nKim, Interviewer\\nWhy?\\n\\n0:0:2.5 --> 0:0:9.0\\nLee, Participant\\nBecause."
    >>> found = find_cues(text)
    >>> [(h.label, text[h.content_start:h.content_start + 4], h.start_time, h.end_time) for h in found.headers]
    [('Kim, Interviewer', 'Why?', 0.0, 2.5), ('Lee, Participant', 'Beca', 2.5, 9.0)]
    """
    lines = line_spans(text)
    blocks: list[tuple[int, str | None, int, int, float, float]] = []
    for i, (start, end) in enumerate(lines):
        m = _CUE.match(text, start, end)
        if m is None:
            continue
        j = i + 1
        while j < len(lines) and not text[lines[j][0] : lines[j][1]].strip():
            j += 1
        bare = lines[j][0] if j < len(lines) else end
        label, content = None, bare
        if j < len(lines) and (who := _WHO.match(text, *lines[j])) is not None:
            label = who["name"]
            content = lines[j + 1][0] if j + 1 < len(lines) else lines[j][1]
        blocks.append((start, label, content, bare, seconds(m["ts"]), seconds(m["te"])))
    taken = accepted_labels([b[1] for b in blocks if b[1]], speakers)
    headers = []
    structure = 0
    for start, label, content, bare, t0, t1 in blocks:
        if label is not None and label.lower() in taken:
            headers.append(Header(start, content, label, t0, t1))
            structure += 2
        else:
            headers.append(Header(start, bare, None, t0, t1))
            structure += 1
    return Found(headers, structure)

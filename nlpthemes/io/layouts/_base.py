"""What every layout shares: the :class:`Layout` record, label patterns, acceptance and scoring."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from nlpthemes.corpus import Turn
from nlpthemes.io._turns import Header, is_role_label, split_role

__all__ = ["CUE_TIME", "Found", "Layout", "NAME", "TIME", "accepted_labels", "line_spans", "messy_turns"]

# A speaker label in a header: up to five words, an optional comma (``Kim, Interviewer``,
# ``Doe, Jane``) and an optional role in brackets (``Lee (Participant)``).
NAME = r"[^\W\d_][\w.'’\-]*(?:,?[ ][\w.'’\-]+){0,4}(?:[ ]\([^\W\d_][\w ]{0,30}\))?"
# 0:00, 00:09, 1:02:03, 00:00:07.120
TIME = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
# Teams' unpadded cue times: 0:0:7.0
CUE_TIME = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d+)?"

# A turn that still starts with markup, a timestamp, a cue arrow or a ``Name:`` label, or ends
# with a hard-break backslash, is a sign that the layout did not explain its file.
_MESSY_START = re.compile(
    r"(?:[\\*_]|-->|[\[(]?\d{1,2}:\d{2}|<v\s|[^\W\d_][\w.'’\-]*(?:[ ][\w.'’\-]+){0,2}[ \t]*:\s)"
)


@dataclass(frozen=True)
class Found:
    """What one layout finds in a text.

    Parameters
    ----------
    headers : list of Header
        The turns' starts, in text order.
    structure : int
        Speaker labels and timestamps the layout reads (a header with both counts 2).
    preamble : bool
        Whether the text before the first header is a turn (layouts that
        give every turn's end say ``False``).
    """

    headers: list[Header] = field(default_factory=list)
    structure: int = 0
    preamble: bool = True


@dataclass(frozen=True)
class Layout:
    """A named way of writing turns down, and how to find them.

    Parameters
    ----------
    name : str
        The registry name (``--layout NAME``).
    example : str
        One line in this layout, for the README and error messages.
    tools : str
        Which tools export it.
    find : callable
        ``find(text, speakers) -> Found``; ``speakers`` are labels the user
        wants accepted even when seen once.
    roles : bool
        Split ``Kim, Interviewer`` into speaker and role.
    """

    name: str
    example: str
    tools: str
    find: Callable[[str, Collection[str]], Found]
    roles: bool = True


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line (``end`` excludes the ``\\n``).

    Examples
    --------
    >>> line_spans("ab\\n\\ncd")
    [(0, 2), (3, 3), (4, 6)]
    """
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def accepted_labels(labels: Iterable[str], speakers: Collection[str] = ()) -> set[str]:
    """Labels (lower-cased) to take as speakers.

    A label is taken when it occurs at least twice, names a role
    (``Interviewer``, ``Kim, Interviewer``) or is one the user named; beside
    such labels, a label seen once is taken when it looks like a name (up to
    three capitalised words), so that a stray line ``We met at 10:30`` does not
    start a turn.

    Examples
    --------
    >>> sorted(accepted_labels(["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2", "Jo Lee", "We met at"]))
    ['jo lee', 'speaker 1', 'speaker 2']
    """
    found = list(labels)
    counts = Counter(lb.lower() for lb in found)
    named = {s.strip().lower() for s in speakers}
    sure = {
        lb.lower() for lb in found
        if counts[lb.lower()] >= 2 or lb.lower() in named or is_role_label(lb)
        or split_role(lb)[1] is not None
    }  # fmt: skip
    if not sure:
        return sure
    once = {
        lb.lower() for lb in found
        if len(lb.split()) <= 3 and all(w[0].isupper() or w[0].isdigit() for w in lb.replace(",", " ").split())
    }  # fmt: skip
    return sure | once


def messy_turns(text: str, turns: Sequence[Turn]) -> int:
    """Turns that still start with markup, a timestamp or a label, or end with a backslash.

    Examples
    --------
    >>> text = "10:02:18\\nHello.\\n\\\\\\nWell."
    >>> messy_turns(text, [Turn(0, 15), Turn(16, 23)])
    2
    """
    return sum(
        1 for t in turns
        if _MESSY_START.match(text, t.start, t.end) or text[t.end - 1 : t.end] == "\\"
    )  # fmt: skip

"""Find speaker turns in plain text, and the pieces every layout shares.

The inline layout (:func:`find_turns`) recognises at the start of a line
(after an optional timestamp such as ``[00:01:23]``): ``Name: text``,
``NAME:`` alone on its line, numbered speakers (``Interviewer 1:``), stray
spaces before the colon (``Name :``), markdown ``**Name**`` / ``**Name:**``
and headers ``## Name``, ``[Name]`` and ``Q:``/``A:``. A label seen only once
is taken as a speaker only when it is a known role (``Interviewer``, ``Q``,
...) or one the user named, so that a line like ``Note: ...`` does not start a
turn. A bracketed timestamp right after the label (``Jane: [00:01:23] ...``)
is left out of the turn, and a timestamp before or after the label becomes
the turn's start time.

Every layout (see :mod:`nlpthemes.io.layouts`) finds :class:`Header` records
and hands them to :func:`assemble_turns`, which cuts the text into turns,
joins initials to full names, splits ``Kim, Interviewer`` into a speaker and
a role, and marks interviewers.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from nlpthemes.corpus import Turn

__all__ = [
    "Header", "ROLE_WORDS", "assemble_turns", "find_turns", "guess_interviewers", "inline_headers",
    "is_interviewer_label", "is_role_label", "resolve_aliases", "seconds", "split_role",
]  # fmt: skip

_TS = r"(?:[\[(]?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[\])]?\s+)?"
# A bracketed timestamp right after a label: ``Jane: [00:01:23] text``.
_AFTER_TS = re.compile(r"[\[(](?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[\])][ \t]*")
_NAME = r"[^\W\d_][\w.'’\-]*(?:[ ][\w.'’\-]+){0,3}"
_LABEL_RE = re.compile(
    rf"""^[ \t]*{_TS}(?:
        \*\*(?P<bold>{_NAME})[ \t]*(?::[ \t]*\*\*|\*\*[ \t]*:?)       # **Name:** or **Name**:
      | \#{{1,6}}[ \t]+(?P<header>{_NAME})[ \t]*:?[ \t]*$            # ## Name  (alone)
      | \[(?P<bracket>{_NAME})\][ \t]*:?                            # [Name] or [Name]:
      | (?P<plain>{_NAME})[ \t]*:(?=[ \t]|$)                        # Name: / NAME :
    )""",
    re.VERBOSE | re.MULTILINE,
)

_INTERVIEWER_WORDS = {
    "interviewer", "int", "i", "q", "question", "moderator", "facilitator",
    "researcher", "interviewer(s)", "host",
}  # fmt: skip
_PARTICIPANT_WORDS = {
    "participant", "respondent", "interviewee", "a", "answer", "p", "r", "subject",
}  # fmt: skip
_KNOWN = _INTERVIEWER_WORDS | _PARTICIPANT_WORDS
# Role words that may follow a name: ``Kim, Interviewer`` or ``Lee (Participant)``.
ROLE_WORDS = frozenset(w for w in _KNOWN if len(w) > 2) | {"observer", "note taker", "notetaker"}
_ROLE_SUFFIX = re.compile(
    r"^(?P<name>.*?[^\s,(])\s*(?:,\s*|\(\s*)(?P<role>[^\W\d_][\w ]*?)(?:\s+\d+)?\s*\)?$"
)


def seconds(stamp: str) -> float:
    """A timestamp as seconds: ``'01:02:03.5'``, ``'2:03,5'`` or Teams' ``'0:0:7.0'``.

    Examples
    --------
    >>> seconds("01:02:03.5"), seconds("2:03,5"), seconds("0:0:7.0")
    (3723.5, 123.5, 7.0)
    """
    total = 0.0
    for part in stamp.replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return total


def split_role(label: str) -> tuple[str, str | None]:
    """Split ``Kim, Interviewer`` or ``Lee (Participant)`` into the name and the role.

    Only role words count (``Interviewer``, ``Participant``, ``Moderator``,
    ``Respondent``...), so ``Doe, Jane`` stays one label.

    Examples
    --------
    >>> split_role("Kim, Interviewer"), split_role("Lee (Participant)"), split_role("Doe, Jane")
    (('Kim', 'Interviewer'), ('Lee', 'Participant'), ('Doe, Jane', None))
    """
    m = _ROLE_SUFFIX.match(label.strip())
    if m is None or m["role"].strip().lower() not in ROLE_WORDS:
        return label, None
    return m["name"].strip(), m["role"].strip()


def _role_word(label: str) -> str:
    """'Interviewer 2' -> 'interviewer'; 'P3' -> 'p'."""
    return re.sub(r"[\s\d]+$", "", label.strip().lower()).rstrip(".")


def is_interviewer_label(label: str, interviewers: Collection[str] = ()) -> bool:
    """Whether a speaker label denotes an interviewer.

    Parameters
    ----------
    label : str
        The speaker label.
    interviewers : collection of str
        Labels the user named as interviewers (compared case-insensitively).

    Examples
    --------
    >>> is_interviewer_label("Interviewer 1"), is_interviewer_label("Q")
    (True, True)
    >>> is_interviewer_label("Dan"), is_interviewer_label("Dan", ["dan"])
    (False, True)
    """
    wanted = {name.strip().lower() for name in interviewers}
    return label.strip().lower() in wanted or _role_word(label) in _INTERVIEWER_WORDS


def is_role_label(label: str) -> bool:
    """Whether a label is a role rather than a name (``Interviewer 2``, ``Participant``, ``Q``).

    Examples
    --------
    >>> is_role_label("Interviewer 2"), is_role_label("P3"), is_role_label("Dan")
    (True, True, False)
    """
    return _role_word(label) in _KNOWN


@dataclass(frozen=True)
class Header:
    """A speaker label found by a layout: where its turn starts, who speaks, when.

    Parameters
    ----------
    line_start : int
        Start of the label's line: the previous turn ends before it.
    content_start : int
        Where this speaker's words begin (after the label, perhaps on the next line).
    label : str or None
        The speaker label as written (``None``: words without a speaker).
    start_time, end_time : float or None
        Seconds, where the file gives them.
    end : int or None
        Where the words end, when the layout knows (default: the next header's line).
    """

    line_start: int
    content_start: int
    label: str | None
    start_time: float | None = None
    end_time: float | None = None
    end: int | None = None


@dataclass(frozen=True)
class _LabelHit:
    line_start: int
    line_end: int
    label: str
    content_start: int
    heading: bool = False
    start_time: float | None = None


def _iter_lines(text: str) -> Iterable[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _clean_label(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip().rstrip(":").strip()


def _hits(text: str) -> list[_LabelHit]:
    hits = []
    for start, end in _iter_lines(text):
        m = _LABEL_RE.match(text, start, end)
        if m is None:
            continue
        raw = next(g for g in (m["bold"], m["header"], m["bracket"], m["plain"]) if g)
        content = m.end()
        while content < end and text[content] in " \t":
            content += 1
        stamp = m["ts"]
        after = _AFTER_TS.match(text, content, end)
        if after is not None:
            content, stamp = after.end(), stamp or after["ts"]
        when = None if stamp is None else seconds(stamp)
        hits.append(_LabelHit(start, end, _clean_label(raw), content, m["header"] is not None, when))
    return hits


def _accepted(hits: list[_LabelHit], speakers: Collection[str]) -> set[str]:
    counts = Counter(h.label.lower() for h in hits)
    named = {s.strip().lower() for s in speakers}
    sure = {
        label
        for label, n in counts.items()
        if n >= 2 or label in named or _role_word(label) in _KNOWN
    }
    if not sure:
        return sure
    # Beside recurring speakers, a capitalised name said once is a speaker too
    # (but a markdown heading said once is a heading).
    once = {
        h.label.lower()
        for h in hits
        if h.label[0].isupper() and len(h.label.split()) <= 3 and not h.heading
    }
    return sure | once


def resolve_aliases(labels: Iterable[str]) -> dict[str, str]:
    """Map initials (``DB``) and case variants to the full label (``Devin Becker``).

    Examples
    --------
    >>> resolve_aliases(["Devin Becker", "DB", "Rae Armantrout", "RA", "DB"])
    {'DB': 'Devin Becker', 'RA': 'Rae Armantrout'}
    >>> resolve_aliases(["DAN", "Dan"])
    {'Dan': 'DAN'}
    """
    ordered = list(dict.fromkeys(labels))
    by_lower: dict[str, str] = {}
    mapping: dict[str, str] = {}
    for label in ordered:
        first = by_lower.setdefault(label.lower(), label)
        if first != label:
            mapping[label] = first
    full = [lb for lb in by_lower.values() if " " in lb]
    for label in by_lower.values():
        if re.fullmatch(r"[A-Z]{2,3}", label):
            matches = [
                f for f in full if "".join(w[0] for w in f.split()).upper() == label
            ]
            if len(matches) == 1:
                mapping[label] = matches[0]
    return {k: mapping.get(v, v) for k, v in mapping.items()}


def guess_interviewers(turns: Iterable[Turn], text: str) -> set[str]:
    """Guess the interviewer of a two-speaker interview: the one who clearly asks.

    A speaker is guessed only when at least 30% of their turns end with a
    question mark and they do so at least twice as often as the other speaker.

    Examples
    --------
    >>> text = "A? B. A? B. A? B."
    >>> turns = [Turn(i, i + 2, "X" if i % 6 == 0 else "Y") for i in range(0, 18, 3)]
    >>> sorted(guess_interviewers(turns, text))
    ['X']
    """
    asked: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for turn in turns:
        if turn.speaker is None:
            continue
        total[turn.speaker] += 1
        asked[turn.speaker] += text[turn.start : turn.end].rstrip().endswith("?")
    if len(total) != 2:
        return set()
    (a, na), (b, nb) = ((s, asked[s] / total[s]) for s in total)
    if na >= 0.3 and na >= 2 * nb:
        return {a}
    if nb >= 0.3 and nb >= 2 * na:
        return {b}
    return set()


def inline_headers(text: str, speakers: Collection[str] = ()) -> list[Header]:
    """The speaker labels of the inline layout (``Name: text``), as :class:`Header` records.

    Examples
    --------
    >>> text = "[00:01] Ana: Hi.\\nBo: [00:03] Yes.\\nAna: Good."
    >>> [(h.label, text[h.content_start:h.content_start + 3], h.start_time) for h in inline_headers(text)]
    [('Ana', 'Hi.', 1.0), ('Bo', 'Yes', 3.0), ('Ana', 'Goo', None)]
    """
    hits = _hits(text)
    accepted = _accepted(hits, speakers)
    return [
        Header(h.line_start, h.content_start, h.label, h.start_time)
        for h in hits if h.label.lower() in accepted
    ]  # fmt: skip


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    seg = text[start:end]
    stripped = seg.strip()
    if not stripped:
        return None
    s = start + (len(seg) - len(seg.lstrip()))
    return s, s + len(stripped)


def assemble_turns(
    text: str,
    headers: Sequence[Header],
    *,
    interviewers: Collection[str] = (),
    guess: bool = True,
    roles: bool = False,
    preamble: bool = True,
) -> tuple[tuple[Turn, ...], dict[str, dict[str, str]]]:
    """Cut text into turns at the headers; mark interviewers; collect roles.

    Parameters
    ----------
    text : str
        Normalised transcript text.
    headers : sequence of Header
        In text order. A turn runs from a header's ``content_start`` to its
        ``end`` or the next header's ``line_start``, white space trimmed.
    interviewers : collection of str
        Labels the user named as interviewers.
    guess : bool
        Guess the interviewer of a two-speaker interview from the questions.
    roles : bool
        Split ``Kim, Interviewer`` into the speaker ``Kim`` and the role.
    preamble : bool
        Keep the text before the first header as a turn without a speaker.

    Returns
    -------
    turns : tuple of Turn
    roles : dict
        Speaker -> ``{"role": role}`` for labels that named a role.

    Examples
    --------
    >>> text = "Kim, Interviewer 0:03\\nWhy?\\nLee, Participant 0:05\\nBecause."
    >>> heads = [Header(0, 22, "Kim, Interviewer", 3.0), Header(27, 49, "Lee, Participant", 5.0)]
    >>> turns, found = assemble_turns(text, heads, roles=True)
    >>> [(text[t.start:t.end], t.speaker, t.is_interviewer, t.start_time) for t in turns]
    [('Why?', 'Kim', True, 3.0), ('Because.', 'Lee', False, 5.0)]
    >>> found
    {'Kim': {'role': 'Interviewer'}, 'Lee': {'role': 'Participant'}}
    """
    named: list[tuple[Header, str | None, str | None]] = []
    for header in headers:
        speaker, role = (header.label, None)
        if roles and header.label is not None:
            speaker, role = split_role(header.label)
        named.append((header, speaker, role))
    aliases = resolve_aliases(sp for _, sp, _ in named if sp is not None)
    spans: list[tuple[int, int, str | None, str | None, Header | None]] = []
    if preamble:
        first = headers[0].line_start if headers else len(text)
        spans.append((0, first, None, None, None))
    for i, (head, speaker, role) in enumerate(named):
        end = head.end
        if end is None:
            end = headers[i + 1].line_start if i + 1 < len(headers) else len(text)
        speaker = None if speaker is None else aliases.get(speaker, speaker)
        spans.append((head.content_start, end, speaker, role, head))
    found: dict[str, dict[str, str]] = {}
    wanted = {lb.lower() for lb in interviewers}
    turns = []
    for start, end, speaker, role, origin in spans:
        span = _trimmed(text, start, end)
        if span is None:
            continue
        asks = speaker is not None and (
            is_interviewer_label(speaker, wanted)
            or (role is not None and _role_word(role) in _INTERVIEWER_WORDS)
        )
        if speaker is not None and role is not None:
            found.setdefault(speaker, {"role": role})
        t0 = None if origin is None else origin.start_time
        t1 = None if origin is None else origin.end_time
        turns.append(Turn(span[0], span[1], speaker, asks, t0, t1))
    if guess and not interviewers and not any(t.is_interviewer for t in turns):
        guessed = guess_interviewers(turns, text)
        turns = [dataclasses.replace(t, is_interviewer=t.speaker in guessed) for t in turns]
    return tuple(turns), found


def find_turns(
    text: str,
    *,
    interviewers: Collection[str] = (),
    speakers: Collection[str] = (),
    guess: bool = True,
) -> tuple[Turn, ...]:
    """Split text into speaker turns with the inline layout (``Name: text``).

    Parameters
    ----------
    text : str
        Normalised transcript text.
    interviewers : collection of str
        Labels of interviewers (case-insensitive), in addition to role words
        such as ``Interviewer`` and ``Q``.
    speakers : collection of str
        Labels to accept as speakers even when they occur only once.
    guess : bool
        When no interviewer is named or recognised in a two-speaker interview,
        take the speaker who clearly asks the questions as the interviewer.

    Returns
    -------
    tuple of Turn
        Turns covering the spoken text (labels excluded). Text before the first
        label is a turn with speaker ``None``. A text without labels is one turn.

    Examples
    --------
    >>> text = "Interviewer: How did it start?\\nMaria : We met.\\nIt grew."
    >>> [(text[t.start:t.end], t.speaker, t.is_interviewer) for t in find_turns(text)]
    [('How did it start?', 'Interviewer', True), ('We met.\\nIt grew.', 'Maria', False)]
    """
    turns, _ = assemble_turns(
        text, inline_headers(text, speakers), interviewers=interviewers, guess=guess
    )
    return turns

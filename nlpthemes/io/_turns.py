"""Find speaker turns in plain text.

Recognised at the start of a line (after an optional timestamp such as
``[00:01:23]``): ``Name: text``, ``NAME:`` alone on its line, numbered
speakers (``Interviewer 1:``), stray spaces before the colon (``Name :``),
markdown ``**Name**`` / ``**Name:**`` and headers ``## Name``, ``[Name]`` and
``Q:``/``A:``. A label seen only once is taken as a speaker only when it is a
known role (``Interviewer``, ``Q``, ...) or one the user named, so that a line
like ``Note: ...`` does not start a turn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from nlpthemes.corpus import Turn

__all__ = ["find_turns", "is_interviewer_label", "guess_interviewers", "resolve_aliases"]

_TS = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s+)?"
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


@dataclass(frozen=True)
class _LabelHit:
    line_start: int
    line_end: int
    label: str
    content_start: int
    heading: bool = False


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
        hits.append(_LabelHit(start, end, _clean_label(raw), content, m["header"] is not None))
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


def find_turns(
    text: str,
    *,
    interviewers: Collection[str] = (),
    speakers: Collection[str] = (),
    guess: bool = True,
) -> tuple[Turn, ...]:
    """Split text into speaker turns.

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
    hits = _hits(text)
    accepted = _accepted(hits, speakers)
    hits = [h for h in hits if h.label.lower() in accepted]
    aliases = resolve_aliases(h.label for h in hits)
    spans: list[tuple[int, int, str | None]] = []
    first = hits[0].line_start if hits else len(text)
    spans.append((0, first, None))
    for i, hit in enumerate(hits):
        end = hits[i + 1].line_start if i + 1 < len(hits) else len(text)
        spans.append((hit.content_start, end, aliases.get(hit.label, hit.label)))
    turns = []
    for start, end, speaker in spans:
        seg = text[start:end]
        stripped = seg.strip()
        if not stripped:
            continue
        s = start + (len(seg) - len(seg.lstrip()))
        turns.append(Turn(s, s + len(stripped), speaker))
    named = {lb.lower() for lb in interviewers}
    result = [
        Turn(t.start, t.end, t.speaker,
             t.speaker is not None and is_interviewer_label(t.speaker, named))
        for t in turns
    ]  # fmt: skip
    if guess and not interviewers and not any(t.is_interviewer for t in result):
        guessed = guess_interviewers(result, text)
        result = [Turn(t.start, t.end, t.speaker, t.speaker in guessed) for t in result]
    return tuple(result)

"""Markdown with emphasised speaker labels, as pandoc writes interviews converted from Word.

::

    **Interviewer**\\
    So how did you start?

    ***Participant***\\
    Well, it was 2019.

The text is parsed with markdown-it-py (CommonMark). A label is an
emphasised name at the start of a line, alone (the trailing backslash is a
hard line break) or followed by a colon and the words (``**Q:** Why?``). The
words are read as Markdown too: each paragraph, and each stretch between
hard line breaks, becomes a turn whose span starts at its first character of
text and ends at its last, so emphasis marks, hard-break backslashes, list
and heading markers at the edges stay out of every sentence. Offsets still
point into the original text; markup *inside* a sentence (``*very*``,
``don\\'t``) stays, because a sentence is one span of that text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from nlpthemes.io._turns import Header
from nlpthemes.io.layouts._base import NAME, Found, accepted_labels

__all__ = ["find_markdown"]

# Cheap test before parsing: at least two lines that start with emphasis and a letter.
_EMPHASIS_LINE = re.compile(r"^[ \t]{0,3}(?:\*{1,3}|_{1,3})[^\W\d_]", re.MULTILINE)
_LABEL = re.compile(rf"(?P<name>{NAME})[ \t]*(?P<colon>:?)")
_CONTENT = ("text", "text_special", "code_inline")


@dataclass
class _Piece:
    kind: str  # "text" (words), "open", "close", "soft", "hard"
    start: int
    end: int
    content: str = ""


@dataclass
class _Line:
    pieces: list[_Piece] = field(default_factory=list)
    hard: bool = False  # ends with a hard line break


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.disable("text_join")  # keep escapes and entities apart from text, to place them
    return md


def _pieces(src: str, children: Iterable[Any], lo: int, hi: int) -> list[_Piece] | None:
    """Place an inline token's children in ``src[lo:hi]`` (``None`` when one cannot be placed)."""
    out: list[_Piece] = []
    cursor = lo
    for child in children:
        kind = child.type
        if kind in _CONTENT:
            needle = child.markup if kind == "text_special" else child.content
            if not needle:
                continue
            pos = src.find(needle, cursor, hi)
            if pos < 0:
                return None
            out.append(_Piece("text", pos, pos + len(needle), child.content))
            cursor = pos + len(needle)
        elif kind in ("softbreak", "hardbreak"):
            pos = src.find("\n", cursor, hi)
            if pos < 0:
                return None
            out.append(_Piece("soft" if kind == "softbreak" else "hard", cursor, pos + 1))
            cursor = pos + 1
        elif kind.endswith(("_open", "_close")) and child.markup and child.markup[0] in "*_~":
            pos = src.find(child.markup, cursor, hi)
            if pos < 0:
                return None
            out.append(_Piece("open" if kind.endswith("_open") else "close", pos, pos + len(child.markup)))
            cursor = pos + len(child.markup)
        # links, images and inline HTML: their markup is skipped; the next text is found after it
    return out


def _lines(pieces: list[_Piece]) -> list[_Line]:
    lines = [_Line()]
    for piece in pieces:
        if piece.kind in ("soft", "hard"):
            lines[-1].hard = piece.kind == "hard"
            lines.append(_Line())
        else:
            lines[-1].pieces.append(piece)
    return lines


def _label(line: _Line) -> tuple[str, list[_Piece]] | None:
    """``(name, the pieces after the label)`` when the line starts with an emphasised label."""
    p = line.pieces
    i = 0
    while i < len(p) and p[i].kind == "open":
        i += 1
    opens = i
    if opens == 0 or i >= len(p) or p[i].kind != "text":
        return None
    m = _LABEL.fullmatch(p[i].content.strip())
    if m is None:
        return None
    colon = bool(m["colon"])
    i += 1
    while i < len(p) and p[i].kind == "close":
        i += 1
    if i - opens - 1 != opens:
        return None
    rest = p[i:]
    if rest and rest[0].kind == "text" and rest[0].content.lstrip().startswith(":"):
        colon = True
        first = rest[0]
        skip = len(first.content) - len(first.content.lstrip()) + 1
        rest = [_Piece("text", first.start + skip, first.end, first.content[skip:]), *rest[1:]]
    if any(x.kind == "text" and x.content.strip() for x in rest) and not colon:
        return None  # an emphasised word opening a sentence, not a label
    return m["name"], rest


def _span(pieces: Iterable[_Piece]) -> tuple[int, int] | None:
    words = [x for x in pieces if x.kind == "text" and x.content.strip()]
    if not words:
        return None
    first, last = words[0], words[-1]
    lead = len(first.content) - len(first.content.lstrip())
    trail = len(last.content) - len(last.content.rstrip())
    start = first.start + lead if first.end - first.start == len(first.content) else first.start
    end = last.end - trail if last.end - last.start == len(last.content) else last.end
    return start, end


def _blocks(text: str) -> list[tuple[list[_Line] | None, int, int]]:
    """Each text block as lines of placed pieces (``None``: could not be placed), with its span."""
    starts = [0, *(m.end() for m in re.finditer("\n", text)), len(text)]
    out: list[tuple[list[_Line] | None, int, int]] = []
    for token in _parser().parse(text):
        if token.map is None or token.type not in ("inline", "code_block", "fence"):
            continue
        lo, hi = starts[min(token.map[0], len(starts) - 1)], starts[min(token.map[1], len(starts) - 1)]
        if token.type == "inline":
            pieces = _pieces(text, token.children or [], lo, hi)
            out.append(((None if pieces is None else _lines(pieces)), lo, hi))
        else:  # code: its lines between the fences are words
            body = text[lo:hi]
            first = body.find("\n") + 1 if token.type == "fence" else 0
            last = body.rstrip().rfind("\n") if token.type == "fence" else len(body)
            out.append((None, lo + first, lo + max(first, last)))
    return out


def _runs(text: str, blocks: list[tuple[list[_Line] | None, int, int]],
          taken: set[str] | None) -> list[tuple[int, int, str | None, bool]]:  # fmt: skip
    """Runs of words ``(start, end, speaker, opens a turn)``; ``taken=None`` takes every label."""
    runs: list[tuple[int, int, str | None, bool]] = []
    speaker: str | None = None
    opened = False
    for lines, lo, hi in blocks:
        if lines is None:
            seg = text[lo:hi]
            if seg.strip():
                start = lo + len(seg) - len(seg.lstrip())
                runs.append((start, start + len(seg.strip()), speaker, opened))
                opened = False
            continue
        run: list[_Piece] = []
        for line in lines:
            found = _label(line)
            if found is not None and (taken is None or found[0].lower() in taken):
                if (span := _span(run)) is not None:
                    runs.append((*span, speaker, opened))
                run, opened, speaker = list(found[1]), True, found[0]
            else:
                run.extend(line.pieces)
            if line.hard and (span := _span(run)) is not None:
                runs.append((*span, speaker, opened))
                run, opened = [], False
        if (span := _span(run)) is not None:
            runs.append((*span, speaker, opened))
            opened = False
    return runs


def find_markdown(text: str, speakers: Collection[str] = ()) -> Found:
    """Find emphasised speaker labels and the Markdown runs of words after them.

    Examples
    --------
    >>> text = "**Interviewer**\\\\\\nHow did it *start*?\\n\\n***Participant***\\\\\\nWe met.\\\\\\nIt grew."
    >>> found = find_markdown(text)
    >>> [(h.label, text[h.content_start:h.end]) for h in found.headers]
    [('Interviewer', 'How did it *start*?'), ('Participant', 'We met.'), ('Participant', 'It grew.')]
    """
    if len(_EMPHASIS_LINE.findall(text)) < 2:
        return Found()
    blocks = _blocks(text)
    labels = [label for _, _, label, opens in _runs(text, blocks, None) if opens and label is not None]
    taken = accepted_labels(labels, speakers)
    if not taken:
        return Found()
    runs = _runs(text, blocks, taken)
    headers = [Header(start, start, label, end=end) for start, end, label, _ in runs]
    structure = sum(1 for *_, label, opens in runs if opens and label is not None)
    return Found(headers, structure, preamble=False)

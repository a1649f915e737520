"""The JSON the review page reads: the codebook tree, transcripts as turns, queue entries.

Plain data only: the page puts every string into the document as text
(``textContent``), never as markup.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from typing import Any

from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Sentence

__all__ = ["code_colours", "codebook_tree", "snippet", "turns"]

_GOLDEN = 0.618033988749895


def code_colours(codebook: Codebook) -> dict[str, str]:
    """A colour per code: the codebook's own where it has one, else evenly spread hues.

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> code_colours(Codebook([Code("a", "A", color="#112233"), Code("b", "B")]))["A"]
    '#112233'
    """
    out: dict[str, str] = {}
    for n, code in enumerate(codebook.walk()):
        if code.color:
            out[codebook.ref(code)] = code.color
            continue
        r, g, b = colorsys.hls_to_rgb((n * _GOLDEN) % 1.0, 0.80, 0.65)
        out[codebook.ref(code)] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return out


def codebook_tree(codebook: Codebook) -> list[dict[str, Any]]:
    """Codes in tree order with depth, definition, criteria and examples.

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> tree = codebook_tree(Codebook([Code("a", "Aims", codable=False), Code("t", "Trust", "believing", "a")]))
    >>> [(c["ref"], c["depth"], c["codable"]) for c in tree]
    [('Aims', 0, False), ('Trust', 1, True)]
    """
    colours = code_colours(codebook)
    out = []
    for code in codebook.walk():
        ref = codebook.ref(code)
        out.append({
            "ref": ref, "name": code.name, "path": codebook.path(code), "depth": codebook.depth(code),
            "codable": code.codable, "description": code.description, "inclusion": code.inclusion,
            "exclusion": code.exclusion, "examples": list(code.examples), "colour": colours[ref],
        })  # fmt: skip
    return out


def snippet(text: str, limit: int = 160) -> str:
    """The text, cut at a word boundary with an ellipsis when longer than ``limit``.

    Examples
    --------
    >>> snippet("one two three", 8)
    'one two…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def turns(sentences: Sequence[Sentence]) -> list[dict[str, Any]]:
    """Consecutive sentences of one speaker turn grouped: ``speaker, interviewer, sentences`` (their indices).

    Examples
    --------
    >>> s = [Sentence("t", 0, 0, 1, "a", "Dan", 0, True), Sentence("t", 1, 2, 3, "b", "Ana", 1)]
    >>> [(t["speaker"], t["sentences"]) for t in turns(s)]
    [('Dan', [0]), ('Ana', [1])]
    """
    out: list[dict[str, Any]] = []
    previous: int | None = None
    for s in sentences:
        if previous is None or s.turn != previous:
            out.append({"speaker": s.speaker or "", "interviewer": s.is_interviewer, "sentences": []})
            previous = s.turn
        out[-1]["sentences"].append(s.index)
    return out

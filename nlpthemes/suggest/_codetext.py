"""The text that stands for a code when it is embedded, and the vector the suggesters compare with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.codebook import Code, Codebook
from nlpthemes.suggest._context import normalise

__all__ = ["code_pieces", "code_text", "code_vectors", "joined_vectors"]


def code_text(codebook: Codebook, code: Code) -> str:
    """Name, definition, inclusion criteria and examples, as one text.

    Exclusion criteria are left out (embedding "not X" lands near X), and so is
    the parent's name: on the evaluation data it pulled sibling codes together.

    Examples
    --------
    >>> cb = Codebook([Code("a", "Aims"), Code("b", "Trust", "Trust between NGOs.", parent="a",
    ...                 examples=("we trusted them",))])
    >>> code_text(cb, cb["b"])
    'Trust: Trust between NGOs. Examples: we trusted them'
    """
    parts = [f"{code.name}: {code.description.strip()}" if code.description else code.name]
    if code.inclusion:
        parts.append(code.inclusion.strip())
    if code.examples:
        parts.append("Examples: " + "; ".join(e.strip() for e in code.examples))
    return " ".join(parts)


def code_pieces(code: Code) -> list[str]:
    """The code's name, definition, inclusion criteria and each example: what is embedded apart.

    Examples
    --------
    >>> code_pieces(Code("b", "Trust", "Trust between NGOs.", examples=("we trusted them", "no deal")))
    ['Trust', 'Trust between NGOs.', 'we trusted them', 'no deal']
    """
    parts = [code.name, code.description, code.inclusion, *code.examples]
    return [p.strip() for p in parts if p and p.strip()]


def code_vectors(embedder: Any, codes: Sequence[Code]) -> NDArray[np.float32]:
    """One unit vector per code: the mean of the unit vectors of its pieces (:func:`code_pieces`).

    Embedded apart, each piece counts the same: a long definition or a list of examples
    does not drown the name, and nothing is cut at the model's length limit. Zero-shot
    suggestions use these (mean per-code kappa on AnnoMI's examples-rich codebook 0.137 ->
    0.267, TalkMoves 0.058 -> 0.096; see the README's *Code suggestions*); a suggester
    that learns from the coder keeps :func:`joined_vectors`, with which its judge codes
    better (ten splits: 0.308, 0.181, 0.255 against 0.301, 0.166, 0.246 on games-as-art,
    PDPilot and CTRL+Shift).

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> v = code_vectors(FakeEmbedder(dimension=8), [Code("a", "Aims", "why"), Code("b", "Trust")])
    >>> v.shape, bool(np.allclose(np.linalg.norm(v, axis=1), 1.0))
    ((2, 8), True)
    """
    pieces = [code_pieces(c) or [c.name] for c in codes]
    flat = normalise(np.asarray(embedder.encode([p for ps in pieces for p in ps]), dtype=np.float32))
    bounds = np.cumsum([0] + [len(ps) for ps in pieces])
    means = np.stack([flat[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return normalise(np.asarray(means, dtype=np.float32))


def joined_vectors(embedder: Any, codebook: Codebook, codes: Sequence[Code]) -> NDArray[np.float32]:
    """One unit vector per code: its :func:`code_text` embedded as one text.

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> cb = Codebook([Code("a", "Aims", "why"), Code("b", "Trust")])
    >>> joined_vectors(FakeEmbedder(dimension=8), cb, list(cb)).shape
    (2, 8)
    """
    return normalise(np.asarray(embedder.encode([code_text(codebook, c) for c in codes]), dtype=np.float32))

"""The text that stands for a code when it is embedded."""

from __future__ import annotations

from nlpthemes.codebook import Code, Codebook

__all__ = ["code_text"]


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

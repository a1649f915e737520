"""The texts a judge reads for a (sentence, code) pair: the sentence in context, the code in full."""

from __future__ import annotations

from collections.abc import Sequence

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence

__all__ = ["code_card", "preceding_questions", "sentence_in_context"]


def preceding_questions(sentences: Sequence[Sentence]) -> list[str]:
    """For each participant sentence, the text of the interviewer's latest turn before it ('' if none).

    Sentences must be in transcript order.

    Examples
    --------
    >>> s = [Sentence("t", 0, 0, 4, "Why?", turn=0, is_interviewer=True), Sentence("t", 1, 5, 9, "Cost.", turn=1)]
    >>> preceding_questions(s)
    ['', 'Why?']
    """
    out: list[str] = []
    question: list[str] = []
    last: tuple[str, int] | None = None
    for i, s in enumerate(sentences):
        if i > 0 and sentences[i - 1].transcript_id != s.transcript_id:
            question, last = [], None
        if s.is_interviewer:
            if last != (s.transcript_id, s.turn):
                question = []
            question.append(s.text)
            last = (s.transcript_id, s.turn)
            out.append("")
        else:
            out.append(" ".join(question))
    return out


def _clip(text: str, limit: int, *, keep_end: bool = False) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-limit:] if keep_end else text[:limit] + "…"


def sentence_in_context(sentences: Sequence[Sentence], index: int, *, window: int = 1,
                        question: str = "", limit: int = 240) -> str:  # fmt: skip
    """The sentence marked with ``>> <<`` between its neighbours, after the interviewer's question.

    Examples
    --------
    >>> s = [Sentence("t", i, 0, 1, w) for i, w in enumerate(["We met.", "It grew.", "Then it fell."])]
    >>> sentence_in_context(s, 1, question="How did it start?")
    'Question: How did it start? | We met. >> It grew. << Then it fell.'
    """
    target = sentences[index]
    before = [sentences[j].text for j in range(max(0, index - window), index)
              if sentences[j].transcript_id == target.transcript_id]  # fmt: skip
    after = [sentences[j].text for j in range(index + 1, min(len(sentences), index + 1 + window))
             if sentences[j].transcript_id == target.transcript_id]  # fmt: skip
    parts = []
    if question:
        parts.append(f"Question: {_clip(question, limit, keep_end=True)} |")
    if before:
        parts.append(_clip(" ".join(before), limit, keep_end=True))
    parts.append(f">> {target.text} <<")
    if after:
        parts.append(_clip(" ".join(after), limit))
    return " ".join(parts)


def code_card(codebook: Codebook, code: Code, *, examples: int = 3) -> str:
    """The code as a judge reads it: its path, definition, criteria and a few examples.

    Unlike :func:`~nlpthemes.suggest.code_text` (which is embedded), exclusion
    criteria are kept: a model reading both texts together can use a "not".

    Examples
    --------
    >>> cb = Codebook([Code("a", "Aims"), Code("b", "Trust", "Trust between NGOs.", parent="a",
    ...                 exclusion="trust in the state", examples=("we trusted them",))])
    >>> code_card(cb, cb["b"])
    'Aims > Trust: Trust between NGOs. Not: trust in the state. Examples: we trusted them'
    """
    text = codebook.path(code)
    if code.description:
        text += f": {code.description.strip()}"
    if code.inclusion:
        text += f" Includes: {code.inclusion.strip().rstrip('.')}."
    if code.exclusion:
        text += f" Not: {code.exclusion.strip().rstrip('.')}."
    if code.examples and examples:
        text += " Examples: " + "; ".join(e.strip() for e in code.examples[:examples])
    return text

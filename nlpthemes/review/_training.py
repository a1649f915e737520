"""What the suggester learns from during a review: labelled sentences, the rest unlabelled.

The suggester (:class:`nlpthemes.suggest.CodeSuggester` and any suggester with
its API) takes every sentence of a transcript that has a coding as a training
example, so a transcript reviewed in part cannot be handed over as it is: its
unreviewed sentences would count as "no code". :func:`training_view` therefore
splits each transcript into runs of labelled and unlabelled sentences and
gives each labelled run an id of its own; only labelled runs get codings (one
per sentence and code, covering the whole sentence, so the suggester's
coverage rule gives back exactly these labels). A labelled run whose
sentences have no code at all gets one one-character coding with a marker
code the codebook never has: it makes the run count as coded and labels
nothing. The price: a reviewed sentence's context stops at the edge of its
run (its unreviewed neighbours are not seen while learning).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nlpthemes.corpus import Sentence

__all__ = ["NO_CODE", "RUN_SEPARATOR", "sentence_labels", "training_view"]

RUN_SEPARATOR = "\x1f"  # never in a transcript id (a file stem or an id column)
NO_CODE = "\x1fno code"
_CODER = "review"


def sentence_labels(sentences: Sequence[Sentence], codings: Any, *, min_coverage: float) -> dict[int, frozenset[str]]:
    """Labels of every sentence of the coded transcripts (a sentence has a code when spans cover ``min_coverage``).

    Examples
    --------
    >>> import pandas as pd
    >>> s = [Sentence("t", 0, 0, 5, "Trust"), Sentence("t", 1, 6, 9, "Yes"), Sentence("u", 0, 0, 2, "Hi")]
    >>> c = pd.DataFrame({"transcript": ["t"], "start": [0], "end": [5], "code": ["trust"], "coder": ["A"]})
    >>> sorted((i, sorted(v)) for i, v in sentence_labels(s, c, min_coverage=0.5).items())
    [(0, ['trust']), (1, [])]
    """
    from nlpthemes.agreement._units import sentence_units

    if codings is None or len(codings) == 0:
        return {}
    coded = set(codings["transcript"].astype(str))
    rows = [i for i, s in enumerate(sentences) if s.transcript_id in coded]
    units = sentence_units(codings.assign(coder="pooled"), [sentences[i] for i in rows], min_coverage=min_coverage)
    row_of = {f"{sentences[i].transcript_id}#{sentences[i].index}": i for i in rows}
    labels: dict[int, set[str]] = {i: set() for i in rows}
    for unit, code in zip(units["unit"], units["code"], strict=True):
        if code:
            labels[row_of[unit]].add(str(code))
    return {i: frozenset(v) for i, v in labels.items()}


def training_view(
    sentences: Sequence[Sentence], labels: Mapping[int, Collection[str]]
) -> tuple[list[Sentence], Any]:
    """Sentences with labelled runs renamed, and codings that label exactly ``labels``.

    Parameters
    ----------
    sentences : sequence of Sentence
        The whole corpus, in order.
    labels : mapping
        Sentence position -> its codes (an empty collection: "coded, no code").
        Sentences not in it are unlabelled.

    Returns
    -------
    sentences : list of Sentence
        The same sentences (same order, offsets, text), labelled runs under ids of their own.
    codings : DataFrame
        ``transcript,start,end,code,coder`` for the labelled runs.

    Examples
    --------
    >>> s = [Sentence("t", i, 4 * i, 4 * i + 3, "abc") for i in range(4)]
    >>> view, codings = training_view(s, {1: {"x"}, 3: set()})
    >>> [v.transcript_id.replace(RUN_SEPARATOR, "|") for v in view]
    ['t', 't|1', 't', 't|3']
    >>> codings[["transcript", "start", "end", "code"]].values.tolist()[0]
    ['t\\x1f1', 4, 7, 'x']
    >>> len(codings)
    2
    """
    import pandas as pd

    view: list[Sentence] = []
    rows: list[tuple[str, int, int, str, str]] = []
    run_id: str | None = None
    run_start = 0
    run_has_code = False
    previous: tuple[str, bool] | None = None
    for i, s in enumerate(sentences):
        labelled = i in labels
        key = (s.transcript_id, labelled)
        if labelled and key != previous:
            if run_id is not None and not run_has_code:
                rows.append((run_id, run_start, run_start + 1, NO_CODE, _CODER))
            run_id, run_start, run_has_code = f"{s.transcript_id}{RUN_SEPARATOR}{s.index}", s.start, False
        previous = key
        if not labelled:
            view.append(s)
            continue
        assert run_id is not None
        view.append(replace(s, transcript_id=run_id))
        for code in sorted(labels[i]):
            rows.append((run_id, s.start, s.end, str(code), _CODER))
            run_has_code = True
    if run_id is not None and not run_has_code:
        rows.append((run_id, run_start, run_start + 1, NO_CODE, _CODER))
    return view, pd.DataFrame(rows, columns=["transcript", "start", "end", "code", "coder"])

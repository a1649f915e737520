"""Human codings in: spans with offsets, or quotes located in the transcripts.

Codings arrive as ``transcript,start,end,code,coder`` (offsets into the
transcript text) or, where offsets are unknown, ``transcript,text,code,coder``:
each quote is then located in its transcript, exactly, then ignoring
differences of white space, then fuzzily (rapidfuzz); quotes that cannot be
placed are reported, never dropped silently.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from nlpthemes.codebook import Codebook

__all__ = ["CodingsRead", "check_codes", "locate_quote", "read_codings", "unused_codes"]

_FUZZY_MIN = 90.0


@dataclass
class CodingsRead:
    """Codings read from a file.

    Attributes
    ----------
    codings : DataFrame
        ``transcript, start, end, code, coder`` (placed spans only).
    unplaced : DataFrame
        Quotes that could not be placed: ``transcript, text, code, coder, reason``.
    placement : dict
        How many quotes were placed ``exact``, ``whitespace``, ``fuzzy``.
    """

    codings: pd.DataFrame
    unplaced: pd.DataFrame
    placement: dict[str, int]


def locate_quote(quote: str, text: str) -> tuple[int, int, str] | None:
    """Find a quote in a text: exact, then ignoring white space, then fuzzily (score >= 90).

    Returns
    -------
    tuple or None
        ``(start, end, how)`` or ``None`` when not found.

    Examples
    --------
    >>> text = "Dan: So what?\\nAna: We  trusted\\nthem. It took years."
    >>> locate_quote("We trusted them.", text)
    (19, 36, 'whitespace')
    >>> locate_quote("It took years", text)
    (37, 50, 'exact')
    >>> locate_quote("It tok years.", text)[2]
    'fuzzy'
    >>> locate_quote("Something else entirely", text) is None
    True
    """
    quote = quote.strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote), "exact"
    words = quote.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    if m is not None:
        return m.start(), m.end(), "whitespace"
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=_FUZZY_MIN)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = found.dest_start, found.dest_end
    # the alignment may clip or overrun a word at either edge: snap to whole words
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if quote[-1] in ".!?" and end < len(text) and text[end] == quote[-1]:
        end += 1
    return start, end, "fuzzy"


def _frame_from_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    from nlpthemes.io._decode import read_text_file

    text = read_text_file(path).text
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[])
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        raise InputError(path, "empty or not a readable CSV file") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def read_codings(
    path: str | Path,
    transcripts: Mapping[str, Transcript] | None = None,
    *,
    coder: str | None = None,
) -> CodingsRead:
    """Read a codings CSV with offsets or with quotes.

    Parameters
    ----------
    path : path
        ``transcript,start,end,code,coder`` or ``transcript,text,code,coder``.
    transcripts : mapping, optional
        Transcript id -> Transcript; needed to place quotes and to check offsets.
    coder : str, optional
        Coder for files without a ``coder`` column (default: the file stem).

    Raises
    ------
    InputError
        Missing columns, bad offsets, or quotes given without transcripts.
    """
    import pandas as pd

    from nlpthemes.agreement._units import check_codings

    path = Path(path)
    frame = _frame_from_csv(path)
    if "coder" not in frame.columns:
        frame["coder"] = coder or path.stem
    placement = {"exact": 0, "whitespace": 0, "fuzzy": 0}
    empty_unplaced = pd.DataFrame(columns=["transcript", "text", "code", "coder", "reason"])
    if "start" in frame.columns:
        codings = check_codings(frame, source=path)
        if transcripts is not None:
            for row in codings.itertuples():
                t = transcripts.get(row.transcript)
                if t is not None and row.end > len(t.text):
                    raise InputError(
                        path, f"span {row.start}-{row.end} lies beyond the end of transcript {row.transcript!r}"
                    )
        placement["exact"] = len(codings)
        return CodingsRead(codings, empty_unplaced, placement)
    missing = [c for c in ("transcript", "text", "code") if c not in frame.columns]
    if missing:
        raise InputError(
            path, f"no column {missing[0]!r}: codings need transcript,start,end,code,coder "
            "or transcript,text,code,coder",
        )  # fmt: skip
    if transcripts is None:
        raise InputError(path, "codings give quotes, so the transcripts are needed to place them")
    placed: list[dict[str, Any]] = []
    unplaced: list[dict[str, Any]] = []
    for row in frame.itertuples(index=False):
        record = {"transcript": str(row.transcript).strip(), "text": row.text,
                  "code": str(row.code).strip(), "coder": str(row.coder).strip()}  # fmt: skip
        t = transcripts.get(record["transcript"])
        found = None if t is None else locate_quote(str(row.text), t.text)
        if found is None:
            reason = "unknown transcript" if t is None else "quote not found in the transcript"
            unplaced.append({**record, "reason": reason})
            continue
        start, end, how = found
        placement[how] += 1
        placed.append({"transcript": record["transcript"], "start": start, "end": end,
                       "code": record["code"], "coder": record["coder"]})  # fmt: skip
    columns = ["transcript", "start", "end", "code", "coder"]
    codings = pd.DataFrame(placed, columns=columns)
    if not codings.empty:
        codings = check_codings(codings, source=path)
    return CodingsRead(codings, pd.DataFrame(unplaced, columns=empty_unplaced.columns), placement)


def check_codes(
    codings: pd.DataFrame, codebook: Codebook, *, source: str | Path | None = None, strict: bool = True
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Map each coding's code to the codebook's reference for it.

    Parameters
    ----------
    codings : DataFrame
        With a ``code`` column (names or paths).
    codebook : Codebook
        The codebook the codes must come from.
    source : path, optional
        Named in the error.
    strict : bool
        Raise on unknown codes; otherwise drop their rows and report them.

    Returns
    -------
    codings : DataFrame
        Rows with known codes, ``code`` as the codebook's reference.
    unknown : dict
        Unknown code -> number of rows (empty when strict).

    Raises
    ------
    InputError
        When strict, listing the codes the codebook does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> from nlpthemes.codebook import Code, Codebook
    >>> cb = Codebook([Code("a", "Aims"), Code("t", "Trust", parent="a")])
    >>> frame = pd.DataFrame({"code": ["Aims > Trust", "Trst", "Trust"]})
    >>> kept, unknown = check_codes(frame, cb, strict=False)
    >>> kept["code"].tolist(), unknown
    (['Trust', 'Trust'], {'Trst': 1})
    """
    refs: dict[str, str] = {}
    unknown: dict[str, int] = {}
    for code in codings["code"]:
        if code in unknown:
            unknown[code] += 1
        elif code not in refs:
            try:
                refs[code] = codebook.ref(codebook.find(code))
            except KeyError:
                unknown[code] = 1
    if unknown and strict:
        listed = ", ".join(f"{c!r} ({n} rows)" for c, n in list(unknown.items())[:8])
        raise InputError(source, f"codes not in the codebook: {listed}")
    kept = codings[codings["code"].isin(refs)]
    return kept.assign(code=kept["code"].map(refs)).reset_index(drop=True), unknown


def unused_codes(codings: pd.DataFrame, codebook: Codebook) -> list[str]:
    """The codable codes that no coding uses, as the codebook's references, in codebook order.

    Parameters
    ----------
    codings : DataFrame
        With a ``code`` column of codebook references (as :func:`check_codes` returns them).
    codebook : Codebook
        The codebook.

    Examples
    --------
    >>> import pandas as pd
    >>> from nlpthemes.codebook import Code, Codebook
    >>> cb = Codebook([Code("a", "Aims", codable=False), Code("t", "Trust", parent="a"), Code("m", "Money")])
    >>> unused_codes(pd.DataFrame({"code": ["Trust"]}), cb)
    ['Money']
    """
    used = set(codings["code"].astype(str))
    return [ref for ref in (codebook.ref(c) for c in codebook.codable()) if ref not in used]

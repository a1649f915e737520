"""The matcher's results as tables a researcher reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlpthemes.match._matcher import CodebookMatcher, _get, _quote_text

__all__ = ["match_tables"]


def match_tables(matcher: CodebookMatcher, themes: Sequence[Any]) -> dict[str, list[dict[str, Any]]]:
    """``matches``, ``uncovered`` and ``unsupported`` rows.

    * ``matches``: ``theme,theme_label,code,level,score,threshold`` for every
      matched theme (many themes may share a code);
    * ``uncovered``: ``theme,label,size,keywords,best_code,best_score,quote_1..3``;
    * ``unsupported``: ``code,best_theme,best_score`` for codes no theme matched.
    """
    by_id = {_get(t, "id"): t for t in themes}
    matches, uncovered = [], []
    for m in matcher.matches_:
        theme = by_id[m["theme"]]
        label = _get(theme, "label", "")
        if m["code"] is not None:
            matches.append({"theme": m["theme"], "theme_label": label, "code": m["code"], "level": m["level"],
                            "score": round(m["score"], 4), "threshold": round(matcher.threshold_, 4)})  # fmt: skip
        else:
            quotes = [_quote_text(q) for q in _get(theme, "quotes")][:3]
            row = {"theme": m["theme"], "label": label,
                   "size": _get(theme, "size"),
                   "keywords": "; ".join(_get(theme, "keywords")[:10]),
                   "best_code": m["best_code"], "best_score": round(m["score"], 4)}  # fmt: skip
            row.update({f"quote_{i + 1}": q for i, q in enumerate(quotes)})
            uncovered.append(row)
    unsupported = []
    ids = [m["theme"] for m in matcher.matches_]
    for code in matcher.unsupported():
        j = matcher.codes_.index(code)
        column = matcher.similarity_[:, j] if len(ids) else np.zeros(0)
        best = int(np.argmax(column)) if len(column) else None
        unsupported.append({"code": code, "best_theme": None if best is None else ids[best],
                            "best_score": None if best is None else round(float(column[best]), 4)})  # fmt: skip
    return {"matches": matches, "uncovered": uncovered, "unsupported": unsupported}

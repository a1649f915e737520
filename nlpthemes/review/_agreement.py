"""Coder-machine agreement during a review, on the sentences the coder decided.

The machine's side is what it suggested *before* the coder decided (recorded
with each decision), so the suggester is never judged on codes it has
already learned from: the figure is prospective, as a second coder's would be.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

__all__ = ["live_agreement"]


def _kappa(coder: Sequence[bool], machine: Sequence[bool]) -> float | None:
    from nlpthemes.agreement import UndefinedAgreementError, cohen_kappa

    try:
        value = cohen_kappa(list(zip(coder, machine, strict=True)), on_undefined="raise")
    except UndefinedAgreementError:
        return None
    return None if math.isnan(value) else round(float(value), 4)


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def live_agreement(
    coder: Sequence[Collection[str]],
    machine: Sequence[Collection[str]],
    *,
    names: Mapping[str, str] | None = None,
    recent: int = 50,
) -> dict[str, Any]:
    """Cohen's kappa per code (presence/absence) and their mean, overall and over the last ``recent`` units.

    Parameters
    ----------
    coder, machine : sequences of code sets
        One entry per decided sentence, in the order decided.
    names : mapping, optional
        Code reference -> display name.
    recent : int
        Size of the "latest decisions" window.

    Returns
    -------
    dict
        ``n_units``, ``overall`` (mean kappa over codes with a defined kappa),
        ``recent`` (the same on the latest units), ``per_code`` (list of
        ``code, name, coder, machine, both, kappa``; most used first).

    Examples
    --------
    >>> coder = [{"a"}, {"a"}, set(), {"b"}]
    >>> machine = [{"a"}, set(), set(), {"b"}]
    >>> result = live_agreement(coder, machine)
    >>> result["overall"], [(r["code"], r["kappa"]) for r in result["per_code"]]
    (0.75, [('a', 0.5), ('b', 1.0)])
    """
    names = names or {}
    used = sorted({c for s in [*coder, *machine] for c in s})

    def table(c_sets: Sequence[Collection[str]], m_sets: Sequence[Collection[str]]) -> list[dict[str, Any]]:
        rows = []
        for code in used:
            a = [code in s for s in c_sets]
            b = [code in s for s in m_sets]
            rows.append({"code": code, "name": names.get(code, code), "coder": sum(a), "machine": sum(b),
                         "both": sum(x and y for x, y in zip(a, b, strict=True)),
                         "kappa": _kappa(a, b) if c_sets else None})  # fmt: skip
        return rows

    per_code = table(coder, machine)
    per_code.sort(key=lambda r: (-(r["coder"] + r["machine"]), r["name"]))
    tail = table(coder[-recent:], machine[-recent:]) if len(coder) > recent else per_code
    return {"n_units": len(coder), "overall": _mean([r["kappa"] for r in per_code]),
            "recent": _mean([r["kappa"] for r in tail]), "recent_units": min(len(coder), recent),
            "per_code": per_code}  # fmt: skip

"""Agreement for the analyze job: human-human and human-machine, overall and per code, with intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from nlpthemes.corpus import Sentence

__all__ = ["PER_CODE_COLUMNS", "agreement_long", "agreement_results", "per_code_agreement"]

PER_CODE_COLUMNS = (
    "code", "kind", "coder_a", "coder_b", "n_units", "n_a", "n_b",
    "cohen_kappa", "kappa_low", "kappa_high", "krippendorff_alpha", "alpha_low", "alpha_high",
    "gwet_ac1", "percent_agreement",
)  # fmt: skip
_METRICS = ("cohen_kappa", "krippendorff_alpha", "gwet_ac1", "percent_agreement")


def agreement_long(
    units: Sequence[Sentence],
    codings: Any,
    *,
    machine_applied: Any,
    codes: Sequence[str],
    machine: str,
    min_coverage: float = 0.5,
) -> Any:
    """Long ``unit,coder,code,text`` rows of the human coders and the machine on the same sentences.

    Parameters
    ----------
    units : sequence of Sentence
        The sentences that are units (participant sentences of coded transcripts).
    codings : DataFrame
        Human codings ``transcript,start,end,code,coder``; a coder counts as
        having coded the transcripts where they applied any code.
    machine_applied : array of bool (len(units), len(codes))
        The machine's decisions for those sentences.
    codes : sequence of str
        Columns of ``machine_applied``.
    machine : str
        The machine coder's name (must differ from every human coder's).
    min_coverage : float
        Share of a sentence a human span must cover to code it.
    """
    import pandas as pd

    from nlpthemes.agreement import sentence_units

    ids = {s.transcript_id for s in units}
    human = codings[codings["transcript"].astype(str).isin(ids)]
    coded_by = {str(c): set(g["transcript"].astype(str)) for c, g in human.groupby("coder")}
    long = sentence_units(human, list(units), min_coverage=min_coverage, coded_transcripts=coded_by)
    rows = []
    for s, decided in zip(units, np.asarray(machine_applied, dtype=bool), strict=True):
        unit = f"{s.transcript_id}#{s.index}"
        applied = [codes[int(j)] for j in np.nonzero(decided)[0]] or [""]
        rows += [(unit, machine, code, s.text) for code in applied]
    machine_long = pd.DataFrame(rows, columns=["unit", "coder", "code", "text"])
    return pd.concat([long, machine_long], ignore_index=True)


def _kind(a: str, b: str, machines: Sequence[str]) -> str:
    if a in machines and b in machines:
        return "machine-machine"
    return "human-machine" if a in machines or b in machines else "human-human"


def per_code_agreement(
    long: Any,
    codes: Sequence[str],
    *,
    machines: Sequence[str] = (),
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
    progress: bool = False,
) -> Any:
    """Per code and pair of coders: agreement on presence/absence of the code, with intervals.

    Each code becomes a yes/no judgement per unit; each pair of coders is
    compared on the units both coded. Codes nobody applied are left out.
    Undefined coefficients (both coders never, or always, apply the code)
    are NaN.

    Returns
    -------
    DataFrame
        ``PER_CODE_COLUMNS``: ``n_a``/``n_b`` are the units each coder
        applied the code to; ``*_low``/``*_high`` the percentile bootstrap
        interval over units.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"unit": list("11223344"), "coder": ["A", "M"] * 4,
    ...                      "code": ["x", "x", "", "", "x", "", "", ""]})
    >>> t = per_code_agreement(long, ["x", "y"], machines=["M"], n_resamples=50)
    >>> t[["code", "kind", "n_units", "n_a", "n_b", "cohen_kappa", "percent_agreement"]].to_dict("records")
    [{'code': 'x', 'kind': 'human-machine', 'n_units': 4, 'n_a': 2, 'n_b': 1, 'cohen_kappa': 0.5, 'percent_agreement': 0.75}]
    """
    import pandas as pd
    from tqdm import tqdm

    from nlpthemes.agreement import as_ratings, code_presence
    from nlpthemes.agreement._bootstrap import bootstrap_statistics, metric_statistic

    options = {"gwet_ac1": {"n_categories": 2}}
    rows = []
    for code, wide in tqdm(code_presence(long, codes).items(), desc="agreement per code", unit="code",
                           disable=not progress, leave=False):  # fmt: skip
        if not np.nansum(wide.to_numpy()):
            continue
        for a, b in combinations(wide.columns, 2):
            pair = wide[[a, b]].dropna()
            if pair.empty:
                continue
            r = as_ratings(pair.to_numpy(), categories=[0.0, 1.0])
            stats = {m: metric_statistic(r, m, options.get(m)) for m in _METRICS}
            row: dict[str, Any] = {
                "code": code, "kind": _kind(str(a), str(b), machines), "coder_a": str(a), "coder_b": str(b),
                "n_units": len(pair), "n_a": int(pair[a].sum()), "n_b": int(pair[b].sum()),
            }  # fmt: skip
            row.update({m: stat.evaluate()[0] for m, stat in stats.items()})
            ci = {}
            if n_resamples:
                wanted = {m: stats[m] for m in ("cohen_kappa", "krippendorff_alpha")}
                ci = bootstrap_statistics(wanted, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed)
            for m, short in (("cohen_kappa", "kappa"), ("krippendorff_alpha", "alpha")):
                row[f"{short}_low"] = ci[m].low if m in ci else np.nan
                row[f"{short}_high"] = ci[m].high if m in ci else np.nan
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(PER_CODE_COLUMNS))
    numeric = [c for c in PER_CODE_COLUMNS[7:]]
    table[numeric] = table[numeric].astype(float).round(4)
    return table


def _lean(summary: Any) -> dict[str, Any]:
    """A summary's dict without its per-code part (per_code_agreement has it, with intervals)."""
    out: dict[str, Any] = summary.to_dict()
    out.pop("per_code", None)
    out["notes"] = [n for n in out["notes"] if not n.startswith("per_code[")]
    return out


def agreement_results(
    long: Any,
    codes: Sequence[str],
    *,
    machine: str,
    method: Mapping[str, Any],
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
    progress: bool = False,
) -> tuple[dict[str, Any], Any]:
    """The content of ``agreement.json`` and the per-code table.

    ``human_human`` (two or more human coders) and ``human_machine`` (each
    human coder with the machine) are full summaries on all codes at once
    (units carry sets of codes; Krippendorff's alpha with the MASI distance);
    ``comparison`` puts the two kinds side by side on units every coder
    coded; ``per_code`` has every code and pair with bootstrap intervals.
    """
    from nlpthemes.agreement import compare_coders, summarize_agreement

    humans = sorted(set(long["coder"]) - {machine})
    human_long = long[long["coder"] != machine]
    out: dict[str, Any] = {**method, "coders": humans, "machine": machine, "confidence_level": confidence_level,
                           "n_resamples": n_resamples, "seed": seed}  # fmt: skip

    def summary(data: Any, machines: Sequence[str] = ()) -> dict[str, Any]:
        return _lean(summarize_agreement(data, machines=machines, n_resamples=n_resamples,
                                         confidence_level=confidence_level, seed=seed))  # fmt: skip

    # coders who split the transcripts between them share few sentences, or none
    coders_per_unit = human_long.groupby("unit")["coder"].nunique()
    shared, everyone = int((coders_per_unit >= 2).sum()), int((coders_per_unit == len(humans)).sum())
    notes: list[str] = []
    if len(humans) >= 2 and not shared:
        notes.append("the human coders coded no sentence in common (each coded other transcripts), so there is "
                     "no human-human agreement; each coder is compared with the machine")  # fmt: skip
    elif len(humans) >= 2 and not everyone:
        notes.append("no sentence was coded by every human coder, so human-human and human-machine agreement "
                     "are not set side by side on the same sentences")  # fmt: skip
    out["human_human"] = summary(human_long) if len(humans) >= 2 and shared else None
    out["human_machine"] = {h: summary(long[long["coder"].isin([h, machine])], [machine]) for h in humans}
    out["comparison"] = (
        compare_coders(long, machines=[machine]).to_dict("records") if len(humans) >= 2 and everyone else None
    )
    out["notes"] = notes
    table = per_code_agreement(long, codes, machines=[machine], progress=progress, n_resamples=n_resamples,
                               confidence_level=confidence_level, seed=seed)  # fmt: skip
    out["per_code"] = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                       for row in table.to_dict("records")]  # fmt: skip
    used = set(table["code"])
    out["codes_never_applied"] = [c for c in codes if c not in used]
    return out, table

"""Human-human agreement on AnnoMI: every annotator pair and overall, with bootstrap intervals.

AnnoMI (Wu et al. 2022; 2023) has 7 motivational-interviewing transcripts that all 10 expert
annotators coded, utterance by utterance: therapist utterances with the main therapist
behaviour (reflection / question / therapist_input / other), client utterances with the talk
type (change / neutral / sustain). This script reports, for both schemes, the headline
coefficients (Fleiss' kappa, Krippendorff's alpha, Gwet's AC1, Brennan-Prediger, pairwise
percent agreement) with 95% bootstrap intervals over utterances, per-code agreement, and
Cohen's kappa for each of the 45 annotator pairs.

    python evaluation/agreement_annomi.py [--data ../shared/data/annomi] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from nlpthemes.agreement import summarize_agreement

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "annomi"
TASKS = {
    "therapist_behaviour": ("therapist", "main_therapist_behaviour"),
    "client_talk_type": ("client", "client_talk_type"),
}


def annomi_long(folder: Path, task: str) -> pd.DataFrame:
    """Long ``unit,coder,code`` rows for the transcripts every annotator coded."""
    interlocutor, column = TASKS[task]
    full = pd.read_csv(folder / "AnnoMI-full.csv")
    n_annotators = full["annotator_id"].nunique()
    per_transcript = full.groupby("transcript_id")["annotator_id"].nunique()
    shared = per_transcript[per_transcript == n_annotators].index
    rows = full[full["transcript_id"].isin(shared) & (full["interlocutor"] == interlocutor)]
    return pd.DataFrame({
        "unit": rows["transcript_id"].astype(str) + ":" + rows["utterance_id"].astype(str),
        "coder": "annotator" + rows["annotator_id"].astype(str),
        "code": rows[column].astype(str),
    })  # fmt: skip


def report(folder: Path, task: str, n_resamples: int, seed: int) -> dict[str, object]:
    long = annomi_long(folder, task)
    categories = sorted(set(long["code"]))
    start = time.perf_counter()
    summary = summarize_agreement(long, categories=categories, n_resamples=n_resamples, seed=seed)
    seconds = time.perf_counter() - start
    d = summary.to_dict()
    transcripts = long["unit"].str.split(":").str[0].nunique()
    print(
        f"\n== {task}: {d['n_units']} utterances in {transcripts} transcripts, "
        f"{d['n_coders']} annotators, {len(categories)} codes ({seconds:.1f} s) =="
    )
    print(f"{'metric':<22}{'value':>8}   95% CI ({n_resamples} resamples over utterances)")
    for name, value in d["metrics"].items():
        low, high = d["ci"].get(name, [None, None])
        ci = f"[{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
        print(f"{name:<22}{value:>8.3f}   {ci}")
    print(f"\n{'code':<18}{'alpha':>8}{'AC1':>8}{'agree':>8}")
    for code, v in d["per_code"].items():
        print(
            f"{code:<18}{v['krippendorff_alpha']:>8.3f}{v['gwet_ac1']:>8.3f}"
            f"{v['percent_agreement']:>8.3f}"
        )
    pairs = pd.DataFrame(d["pairs"])
    kappa = pairs["cohen_kappa"]
    print(
        f"\nCohen's kappa over {len(pairs)} annotator pairs: min {kappa.min():.3f}, "
        f"median {kappa.median():.3f}, max {kappa.max():.3f}"
    )
    names = sorted(set(pairs["coder_a"]) | set(pairs["coder_b"]))
    matrix = pd.DataFrame(index=names, columns=names, dtype=float)
    for row in pairs.itertuples(index=False):
        matrix.loc[row.coder_a, row.coder_b] = matrix.loc[row.coder_b, row.coder_a] = (
            row.cohen_kappa
        )
    matrix.index = matrix.columns = [n.replace("annotator", "a") for n in names]
    print(matrix.to_string(float_format=lambda x: f"{x:.2f}", na_rep="  -"))
    return d


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT, help="AnnoMI folder")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    if not (args.data / "AnnoMI-full.csv").is_file():
        print(f"AnnoMI-full.csv not found in {args.data}", file=sys.stderr)
        return 1
    results = {task: report(args.data, task, args.bootstrap, args.seed) for task in TASKS}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast does the machine learn from a coder's review? A human coder's real codes replayed as decisions.

For each data set with human codes, a simulated coder reviews sentences one at
a time, starting from nothing (the suggester zero-shot), and decides each
exactly as the human coder coded it. Two orders: the review page's "most useful
next" queue (nlpthemes.review.active_order, re-ranked after each refit) and a
random order (same seed for every data set). Every ``--refit-every`` decisions
the suggester is refitted on the decided sentences through the review's own
learner (nlpthemes.review.Learner: the same code path as the page), and Cohen's
kappa between the human's codes and the machine's (mean over codes present,
presence/absence per sentence) is measured on

* the sentences not yet reviewed (of the transcripts open for review), and
* held-out transcripts (``--held-out`` of them, never reviewed), the fairer
  comparison between the orders: the active order takes the hardest
  sentences out of the "not yet reviewed" pool, the random order does not.

Writes ``evaluation/results/review_sim_<data>.png`` (both curves) and
``review_sim_<data>.csv``, and prints after how many decisions kappa first
reaches 0.4 and 0.6.

Usage: python evaluation/review_sim.py [--shared ../shared/data] [--only ctrlshift games pdpilot]
       [--max-decisions 400] [--refit-every 25] [--held-out 0.25] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from nlpthemes.embed import load_embedder  # noqa: E402
from nlpthemes.review import Learner, Snapshot, active_order  # noqa: E402
from nlpthemes.suggest._calibrate import mean_kappa  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LEVELS = (0.4, 0.6)


def held_out_mask(cs: datasets.CodedSet, share: float, seed: int) -> np.ndarray:
    """Transcripts (answers) never reviewed, for the fair comparison."""
    ids = sorted({s.transcript_id for s in cs.sentences})
    rng = np.random.default_rng(seed + 1000)
    rng.shuffle(ids)
    held = set(ids[: max(1, round(share * len(ids)))])
    return np.array([s.transcript_id in held for s in cs.sentences])


def simulate(cs: datasets.CodedSet, embedder, vectors: np.ndarray, order: str, *, max_decisions: int,  # type: ignore[no-untyped-def]
             refit_every: int, held: np.ndarray, seed: int) -> list[dict]:  # fmt: skip
    participant = np.array([not s.is_interviewer for s in cs.sentences])
    pool = participant & ~held
    y = np.array([[c in g for c in cs.codes] for g in cs.gold])
    learner = Learner(cs.sentences, vectors, cs.codebook, embedder)
    decided: dict[int, frozenset[str]] = {}
    random_order = [int(i) for i in np.random.default_rng(seed).permutation(np.nonzero(pool)[0])]
    rows = []
    limit = min(max_decisions, int(pool.sum()))
    while True:
        exclude = ~pool.copy()
        exclude[list(decided)] = True
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = learner.fit(Snapshot(labels=dict(decided), exclude=exclude, decisions=len(decided)))
        columns = [scores.codes.index(c) for c in cs.codes]
        applied = scores.applied[:, columns]
        remaining = pool & ~np.isin(np.arange(len(cs.sentences)), list(decided))
        test = participant & held
        rows.append({
            "data": cs.name, "order": order, "decisions": len(decided), "mode": scores.mode,
            "kappa_remaining": mean_kappa(y[remaining], applied[remaining]) if remaining.any() else np.nan,
            "kappa_held_out": mean_kappa(y[test], applied[test]), "fit_s": time.perf_counter() - started,
        })  # fmt: skip
        if len(decided) >= limit:
            return rows
        step = min(refit_every, limit - len(decided))
        if order == "active":
            batch = active_order(scores, vectors, exclude, step)
        else:
            batch = [i for i in random_order if i not in decided][:step]
        for i in batch:
            decided[i] = cs.gold[i]


def first_reaching(curve: pd.DataFrame, column: str, level: float) -> str:
    hit = curve[curve[column] >= level]
    return str(int(hit["decisions"].iloc[0])) if len(hit) else f"not within {int(curve['decisions'].max())}"


def plot(frame: pd.DataFrame, name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=110)
    colours = {"active": "#1f77b4", "random": "#d62728"}
    labels = {"active": "most useful next (active learning)", "random": "random order"}
    for order, curve in frame.groupby("order", sort=False):
        ax.plot(curve["decisions"], curve["kappa_remaining"], "-o", ms=3, color=colours[order],
                label=f"{labels[order]}: not yet reviewed")  # fmt: skip
        ax.plot(curve["decisions"], curve["kappa_held_out"], "--", color=colours[order], alpha=0.7,
                label=f"{labels[order]}: held-out transcripts")  # fmt: skip
    for level in LEVELS:
        ax.axhline(level, color="#999", lw=0.8, ls=":")
    ax.set_xlabel("coder's decisions (sentences reviewed)")
    ax.set_ylabel("Cohen's κ, coder vs machine\n(mean over codes)")
    ax.set_title(f"{name}: the suggester learning from a review")
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(frame[["kappa_remaining", "kappa_held_out"]].to_numpy())) - 0.02))
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--only", nargs="*", default=list(datasets.LOADERS))
    parser.add_argument("--max-decisions", type=int, default=400)
    parser.add_argument("--refit-every", type=int, default=25)
    parser.add_argument("--held-out", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None, help="embedding model (default: what every command uses here; minilm-use on a CPU)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--summarize", action="store_true",
                        help="no simulation: tables and plots from the CSVs an earlier run wrote in --out")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    embedder = None if args.summarize else load_embedder(args.model, cache=True, progress=False)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = []
    for name in args.only:
        if embedder is None and not (args.out / f"review_sim_{name}.csv").is_file():
            print(f"{name}: no review_sim_{name}.csv yet (run without --summarize first); left out")
            continue
        loader = datasets.LOADERS[name]
        cs = loader() if name == "pdpilot" else loader(args.shared)
        if embedder is None:
            frame = pd.read_csv(args.out / f"review_sim_{name}.csv")
        else:
            vectors = np.asarray(embedder.encode([s.text for s in cs.sentences]), dtype=np.float32)
            held = held_out_mask(cs, args.held_out, args.seed)
            rows = []
            for order in ("active", "random"):
                rows += simulate(cs, embedder, vectors, order, max_decisions=args.max_decisions,
                                 refit_every=args.refit_every, held=held, seed=args.seed)  # fmt: skip
            frame = pd.DataFrame(rows)
            frame.round(4).to_csv(args.out / f"review_sim_{name}.csv", index=False)
        plot(frame, cs.name, args.out / f"review_sim_{name}.png")
        participant = sum(not s.is_interviewer for s in cs.sentences)
        for order, curve in frame.groupby("order", sort=False):
            last = curve.iloc[-1]
            remaining = curve.dropna(subset=["kappa_remaining"]).iloc[-1]  # all reviewed: nothing remains
            summary.append({
                "data": f"{cs.name} ({participant} sentences, {len(cs.codes)} codes)", "order": order,
                "κ at start (zero-shot)": round(float(curve["kappa_remaining"].iloc[0]), 3),
                "κ not yet reviewed, at the end": f"{remaining['kappa_remaining']:.3f} ({int(remaining['decisions'])})",
                "held-out κ at the end": f"{last['kappa_held_out']:.3f} ({int(last['decisions'])})",
                **{f"decisions to κ {level}": first_reaching(curve, "kappa_remaining", level) for level in LEVELS},
                **{f"held-out: to κ {level}": first_reaching(curve, "kappa_held_out", level) for level in LEVELS},
                "mean fit s": round(float(curve["fit_s"].mean()), 1),
            })  # fmt: skip
        print(f"{cs.name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    table = pd.DataFrame(summary)
    model = "from the CSVs of an earlier run" if embedder is None else f"model {embedder.name}"
    print(f"Review simulation: a human coder's codes replayed as decisions from a cold start; refit every "
          f"{args.refit_every} decisions, at most {args.max_decisions}; {args.held_out:.0%} of transcripts held out; "
          f"{model}; seed {args.seed}. (n): after n decisions")
    print(table.to_markdown(index=False))
    print(f"\nplots: {', '.join(str(args.out / f'review_sim_{n}.png') for n in args.only if (args.out / f'review_sim_{n}.png').is_file())}")
    print(f"wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Speed of Krippendorff's alpha: nlpthemes vs the ``krippendorff`` package, in one process.

100,000 units x 3 coders (5 categories, 10% missing by default). The two implementations
run alternately ``--repeat`` times each after a warm-up; the table shows the best (minimum)
seconds, as timeit advises on a shared machine, the ratio ``krippendorff / nlpthemes``
(above 1: nlpthemes is faster) and the ratio of the medians. Both must give the same alpha.

    python evaluation/bench_agreement.py [--units 100000] [--coders 3] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import krippendorff
import numpy as np

from nlpthemes.agreement import bootstrap_ci, krippendorff_alpha


def timed(
    ours: Callable[[], float], theirs: Callable[[], float], repeat: int
) -> tuple[float, float, list[float], list[float]]:
    """Alternate the two implementations, so a change of load on the machine hits both."""
    value_ours, value_theirs = ours(), theirs()  # warm-up (imports, caches)
    t_ours, t_theirs = [], []
    for _ in range(repeat):
        for function, times in ((ours, t_ours), (theirs, t_theirs)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return value_ours, value_theirs, t_ours, t_theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--categories", type=int, default=5)
    parser.add_argument("--missing", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    truth = rng.integers(1, args.categories + 1, args.units)
    noise = rng.integers(1, args.categories + 1, (args.units, args.coders))
    agree = rng.random((args.units, args.coders)) < 0.7
    data = np.where(agree, truth[:, None], noise).astype(np.float64)
    data[rng.random(data.shape) < args.missing] = np.nan

    print(
        f"{args.units:,} units x {args.coders} coders, {args.categories} categories, "
        f"{args.missing:.0%} missing; best of {args.repeat} runs"
    )
    print(
        f"{'level':<10}{'alpha':>10}{'nlpthemes s':>14}{'krippendorff s':>16}{'ratio':>8}"
        f"{'median ratio':>14}"
    )
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours, theirs, t_ours, t_theirs = timed(
            lambda lv=level: krippendorff_alpha(data, level=lv),
            lambda lv=level: krippendorff.alpha(reliability_data=data.T, level_of_measurement=lv),
            args.repeat,
        )
        if abs(ours - theirs) > 1e-9:
            print(f"MISMATCH at {level}: {ours} vs {theirs}", file=sys.stderr)
            return 1
        best = min(t_theirs) / min(t_ours)
        median = statistics.median(t_theirs) / statistics.median(t_ours)
        print(
            f"{level:<10}{ours:>10.4f}{min(t_ours):>14.4f}{min(t_theirs):>16.4f}{best:>8.2f}"
            f"{median:>14.2f}"
        )

    start = time.perf_counter()
    ci = bootstrap_ci(data, metric="krippendorff_alpha", n_resamples=1000, seed=0)
    print(
        f"\nbootstrap, 1000 resamples of {args.units:,} units (nominal): "
        f"[{ci.low:.4f}, {ci.high:.4f}] in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

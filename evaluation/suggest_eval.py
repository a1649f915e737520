"""Code suggestion quality on real coded data, next to the naive baselines, in one run.

For each data set: 20% of the transcripts (answers for open-ended data) are the
coder's training codes, the other 80% are held out; zero-shot uses no codes at
all. Reported per data set (mean over ``--seeds`` splits):

* per-code Cohen's kappa (machine vs human, mean over codes present in the
  held-out part), and per group (top-level code) where the codebook is nested;
* macro-F1 over codes; top-3 recall (the human's code among the three best
  suggestions, for sentences the human coded); expected calibration error.

Baselines (same sentences, same embeddings, same process): cosine similarity to
"name: definition" applying the best code; cosine to the code name alone; a
logistic regression per code on plain sentence embeddings trained on the 20%.

Usage: python evaluation/suggest_eval.py [--shared ../shared/data] [--seeds 3]
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
from nlpthemes.suggest import CodeSuggester  # noqa: E402
from nlpthemes.suggest._calibrate import mean_kappa  # noqa: E402


def split(cs: datasets.CodedSet, seed: int, share: float = 0.2) -> np.ndarray:
    ids = sorted({s.transcript_id for s in cs.sentences})
    rng = np.random.default_rng(seed)
    rng.shuffle(ids)
    train = set(ids[: max(1, round(share * len(ids)))])
    return np.array([s.transcript_id in train for s in cs.sentences])


def macro_f1(y: np.ndarray, a: np.ndarray) -> float:
    present = y.sum(0) > 0
    tp = (y & a).sum(0)
    f1 = 2 * tp / np.maximum(y.sum(0) + a.sum(0), 1)
    return float(f1[present].mean())


def top3(y: np.ndarray, scores: np.ndarray) -> float:
    has = y.any(1)
    best = np.argsort(-scores, axis=1)[:, :3]
    return float(np.mean([y[i, best[i]].any() for i in np.nonzero(has)[0]]))


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    yy, pp = y.ravel().astype(float), p.ravel()
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(pp, edges) - 1, 0, bins - 1)
    return float(sum((which == b).mean() * abs(yy[which == b].mean() - pp[which == b].mean())
                     for b in range(bins) if (which == b).any()))  # fmt: skip


def group_matrix(cs: datasets.CodedSet, y: np.ndarray) -> np.ndarray:
    groups = sorted({cs.group_of(c) for c in cs.codes})
    g = np.zeros((len(y), len(groups)), dtype=bool)
    for j, code in enumerate(cs.codes):
        g[:, groups.index(cs.group_of(code))] |= y[:, j]
    return g


def evaluate(cs: datasets.CodedSet, embedder, seeds: int) -> list[dict]:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression


    x = embedder.encode([s.text for s in cs.sentences])
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    codes = [cs.codebook.find(c) for c in cs.codes]
    y_all = np.array([[c in g for c in cs.codes] for g in cs.gold])
    defs = embedder.encode([f"{c.name}: {c.description}" if c.description else c.name for c in codes])
    names = embedder.encode([c.name for c in codes])
    nested = cs.codebook.max_depth() > 0
    rows = []
    for seed in range(seeds):
        train = split(cs, seed)
        test = ~train
        y = y_all[test]
        results: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
        for label, vecs in (("baseline: cosine to name+definition", defs), ("baseline: cosine to name", names)):
            s = xn @ (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).T
            results[label] = (s[test], s[test] == s[test].max(1, keepdims=True), None)
        lr = np.zeros(y_all.shape)
        for j in range(len(codes)):
            yt = y_all[train, j]
            if 0 < yt.sum() < len(yt):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    clf = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x[train], yt)
                lr[:, j] = clf.predict_proba(x)[:, 1]
        results["baseline: logistic regression (20%)"] = (lr[test], lr[test] > 0.5, lr[test])
        sentences_test = [s for s, t in zip(cs.sentences, test, strict=True) if t]
        zs = CodeSuggester(embedder=embedder).fit(cs.sentences, cs.codebook, embeddings=x)
        p = zs.predict_proba(sentences_test, embeddings=x[test])
        zs_cols = [zs.codes_.index(c) for c in cs.codes]
        results["nlpthemes zero-shot"] = (p[:, zs_cols], zs.decide(p)[:, zs_cols], None)
        codings = pd.DataFrame(
            [{"transcript": s.transcript_id, "start": s.start, "end": s.end, "code": c, "coder": "human"}
             for s, g, t in zip(cs.sentences, cs.gold, train, strict=True) if t for c in g]
        )  # fmt: skip
        if codings.empty:  # coded transcripts with no code at all: still training data
            first = next(s for s, t in zip(cs.sentences, train, strict=True) if t)
            codings = pd.DataFrame([{"transcript": first.transcript_id, "start": first.start,
                                     "end": first.end, "code": cs.codes[0], "coder": "human"}])  # fmt: skip
        started = time.perf_counter()
        learned = CodeSuggester(embedder=embedder).fit(cs.sentences, cs.codebook, codings=codings, embeddings=x)
        p = learned.predict_proba(sentences_test, embeddings=x[test])
        cols = [learned.codes_.index(c) for c in cs.codes]
        results["nlpthemes learned (20%)"] = (p[:, cols], learned.decide(p)[:, cols], p[:, cols])
        fit_s = time.perf_counter() - started
        for method, (scores, applied, proba) in results.items():
            row = {
                "data": cs.name, "method": method, "seed": seed,
                "kappa_code": mean_kappa(y, applied), "macro_f1": macro_f1(y, applied),
                "top3_recall": top3(y, scores),
                "ece": ece(y, proba) if proba is not None else np.nan,
                "kappa_group": mean_kappa(group_matrix(cs, y), group_matrix(cs, applied)) if nested else np.nan,
            }  # fmt: skip
            if method.startswith("nlpthemes learned"):
                row["fit_s"] = fit_s
                row["auto"] = f"context={learned.context_weight_}, examples={learned.example_weight_}, t={learned.threshold_}"
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(datasets.LOADERS))
    args = parser.parse_args()
    embedder = load_embedder(None, progress=False)
    rows = []
    for name in args.only:
        loader = datasets.LOADERS[name]
        cs = loader() if name == "pdpilot" else loader(args.shared)
        rows += evaluate(cs, embedder, args.seeds)
    frame = pd.DataFrame(rows)
    table = frame.groupby(["data", "method"], sort=False)[
        ["kappa_code", "kappa_group", "macro_f1", "top3_recall", "ece"]
    ].mean().round(3)
    print(f"Code suggestion: 20% of transcripts as training codes, 80% held out; mean of {args.seeds} splits")
    print(table.to_markdown() if hasattr(table, "to_markdown") else table.to_string())
    learned = frame[frame["method"].str.startswith("nlpthemes learned")][["data", "seed", "auto", "fit_s"]]
    print("\nchoices made by cross-fitting:\n" + learned.to_string(index=False))


if __name__ == "__main__":
    main()

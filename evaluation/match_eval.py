"""Theme-codebook matching on real coded interviews: do matched codes agree with the human codes?

For each data set, themes are fitted on all sentences (interviewer turns
excluded), then matched to the codebook. A theme's *human codes* are the codes
the human applied to at least ``--share`` of its sentences. Reported:

* matched: themes given a code, and how many of those codes are among the
  theme's human codes (precision), at leaf or parent level;
* uncovered: themes no code covers, and how many of those the human also left
  mostly uncoded (no code reaches the share);
* unsupported codes: codes no theme matched, and their human frequency.

Baseline in the same run: every theme takes its most similar code (no bar).

Usage: python evaluation/match_eval.py [--shared ../shared/data] [--share 0.3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from nlpthemes.embed import load_embedder  # noqa: E402
from nlpthemes.match import CodebookMatcher  # noqa: E402
from nlpthemes.themes import ThemeModel  # noqa: E402


def evaluate(cs: datasets.CodedSet, embedder, share: float) -> dict:  # type: ignore[no-untyped-def]
    keep = [i for i, s in enumerate(cs.sentences) if not s.is_interviewer]
    sentences = [cs.sentences[i] for i in keep]
    gold = [cs.gold[i] for i in keep]
    x = embedder.encode([s.text for s in sentences])
    model = ThemeModel().fit([s.text for s in sentences], x, sentences=sentences)
    themes = list(model.themes_)
    matcher = CodebookMatcher(embedder=embedder).fit(themes, model.centroids_, cs.codebook, sentence_embeddings=x)
    labels = np.asarray(model.labels_)
    human: dict[int, set[str]] = {}
    for t in themes:
        members = np.nonzero(labels == t.id)[0]
        counts = pd.Series([c for i in members for c in gold[i]]).value_counts()
        codes = set(counts[counts >= share * len(members)].index)
        # a parent code is right when one of its descendants is the human's code
        human[t.id] = codes | {cs.codebook.ref(a) for c in codes for a in cs.codebook.ancestors(cs.codebook.find(c))}
    matched = [m for m in matcher.matches_ if m["code"] is not None]
    correct = sum(m["code"] in human[m["theme"]] for m in matched)
    best_correct = sum(m["best_code"] in human[m["theme"]] for m in matcher.matches_)
    uncovered = [m for m in matcher.matches_ if m["code"] is None]
    uncovered_uncoded = sum(not human[m["theme"]] for m in uncovered)
    freq = pd.Series([c for g in gold for c in g]).value_counts()
    unsupported = matcher.unsupported()
    return {
        "data": cs.name, "sentences": len(sentences), "themes": len(themes),
        "outlier share": round(float(model.outlier_share_), 3),
        "bar": round(matcher.threshold_, 3),
        "matched": len(matched), "matched correct": correct,
        "precision": round(correct / len(matched), 3) if matched else float("nan"),
        "baseline (best code, no bar) precision": round(best_correct / len(themes), 3) if themes else float("nan"),
        "uncovered": len(uncovered), "uncovered and mostly uncoded by human": uncovered_uncoded,
        "unsupported codes": len(unsupported),
        "unsupported codes' human sentences (median)": float(np.median([freq.get(c, 0) for c in unsupported])) if unsupported else 0.0,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--only", nargs="*", default=["ctrlshift", "pdpilot"])
    args = parser.parse_args()
    embedder = load_embedder(None, progress=False)
    rows = []
    for name in args.only:
        loader = datasets.LOADERS[name]
        rows.append(evaluate(loader() if name == "pdpilot" else loader(args.shared), embedder, args.share))
    frame = pd.DataFrame(rows).set_index("data").T
    print(f"Theme-codebook matching (a theme's human codes: codes on >= {args.share:.0%} of its sentences)")
    print(frame.to_markdown())


if __name__ == "__main__":
    main()

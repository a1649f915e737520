"""How well do candidate themes line up with human codes? CTRL+Shift oral histories.

The CTRL+Shift project coded 11 interviews with poets at turn level with a
16-code codebook (../shared/data/ctrlshift_oral_history). We embed every
interviewee sentence once, then fit, in the same process, on the same
sentences and vectors:

* ``nlpthemes``: :class:`nlpthemes.themes.ThemeModel` with its defaults;
* ``BERTopic defaults``: ``BERTopic().fit_transform(sentences, vectors)``.

Both are scored against the human codes at turn level (a turn's theme is
the most common non-outlier theme of its sentences):

* AMI: adjusted mutual information between themes and codes, over turns
  with exactly one code (outliers count as one more cluster);
* per code, the theme that best matches it (F1) and that theme's precision
  and recall; ``macro F1`` averages the 16 codes;
* themes found and the outlier share (sentences left as -1, excluded
  fillers included).

Everything runs on the whole corpus and on each interview alone (the
single-interview case). Run::

    python evaluation/themes_ctrlshift.py [--data ../shared/data] [--model NAME] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlpthemes.corpus import Sentence, Transcript, Turn  # noqa: E402
from nlpthemes.segment import segment_transcript  # noqa: E402

INTERVIEWERS = {"DB", "Devin Becker", "KRISTIN", "Cable Guy"}
TYPOS = {"careeer": "career", "revsion": "revision", "beween": "between", "corresondence": "correspondence",
         "filesfiles": "files"}  # fmt: skip


def load_ctrlshift(
    root: Path, *, interviewers: bool = False
) -> tuple[list[Sentence], list[frozenset[str]], list[str]]:
    """Interviewee sentences, the codes of each sentence's turn, and the codebook's codes."""
    with open(root / "filters_codebook.csv", newline="", encoding="utf-8") as handle:
        codes = [row["tag"].strip() for row in csv.DictReader(handle)]
    sentences: list[Sentence] = []
    tags: list[frozenset[str]] = []
    for path in sorted((root / "transcripts").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        parts: list[str] = []
        turns: list[Turn] = []
        turn_tags: list[frozenset[str]] = []
        position, speaker = 0, "?"
        for row in rows:
            text = re.sub(r"<[^>]+>", "", html.unescape(row["words"] or "")).strip()
            label = (row["speaker"] or "").strip().rstrip(":").strip()
            speaker = label or speaker
            if not text:
                continue
            if parts:
                position += 2
            turns.append(Turn(position, position + len(text), speaker, speaker in INTERVIEWERS or speaker == "?"))
            raw = {TYPOS.get(t.strip().lower(), t.strip().lower()) for t in (row["tags"] or "").split(";")}
            turn_tags.append(frozenset(raw & set(codes)))
            parts.append(text)
            position += len(text)
        transcript = Transcript(id=path.stem, text="\n\n".join(parts), turns=tuple(turns), source=str(path))
        for s in segment_transcript(transcript, language="en"):
            if interviewers or not s.is_interviewer:
                sentences.append(s)
                tags.append(turn_tags[s.turn])
    return sentences, tags, codes


def score(labels: Sequence[int], sentences: Sequence[Sentence], tags: Sequence[frozenset[str]]) -> dict[str, Any]:
    """Turn-level agreement of theme labels with the human codes."""
    from sklearn.metrics import adjusted_mutual_info_score

    by_turn: dict[tuple[str, int], list[int]] = defaultdict(list)
    turn_codes: dict[tuple[str, int], frozenset[str]] = {}
    for label, s, t in zip(labels, sentences, tags, strict=True):
        by_turn[(s.transcript_id, s.turn)].append(int(label))
        turn_codes[(s.transcript_id, s.turn)] = t
    turn_theme = {}
    for key, ls in by_turn.items():
        counts = Counter(x for x in ls if x != -1)
        turn_theme[key] = min(counts, key=lambda x: (-counts[x], x)) if counts else -1
    coded = [k for k in by_turn if turn_codes[k]]
    single = [k for k in coded if len(turn_codes[k]) == 1]
    ami = adjusted_mutual_info_score([next(iter(turn_codes[k])) for k in single], [turn_theme[k] for k in single])
    members: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for k in coded:
        if turn_theme[k] != -1:
            members[turn_theme[k]].add(k)
    per_code = {}
    for code in sorted({c for k in coded for c in turn_codes[k]}):
        positives = {k for k in coded if code in turn_codes[k]}
        best = {"theme": None, "precision": 0.0, "recall": 0.0, "f1": 0.0, "turns": len(positives)}
        for theme in sorted(members):
            tp = len(members[theme] & positives)
            if not tp:
                continue
            p, r = tp / len(members[theme]), tp / len(positives)
            f1 = 2 * p * r / (p + r)
            if f1 > best["f1"]:
                best = {"theme": theme, "precision": p, "recall": r, "f1": f1, "turns": len(positives)}
        per_code[code] = best
    labels_arr = np.asarray(labels)
    return {
        "primary_metric": "ami",
        "ami": float(ami),
        "macro_f1": float(np.mean([v["f1"] for v in per_code.values()])),
        "n_themes": int(len(set(labels_arr.tolist()) - {-1})),
        "outlier_share": float((labels_arr == -1).mean()),
        "per_code": per_code,
    }


def fit_both(texts: list[str], vectors: Any, sentences: list[Sentence], seed: int) -> dict[str, Any]:
    """Fit nlpthemes and BERTopic defaults on the same sentences and vectors; labels and seconds."""
    import warnings

    from nlpthemes.themes import ThemeModel
    from nlpthemes.themes._engine import quiet_bertopic
    from nlpthemes.themes._imports import bertopic_module

    out: dict[str, Any] = {}
    started = time.perf_counter()
    model = ThemeModel(random_state=seed).fit(texts, vectors, sentences=sentences)
    out["nlpthemes"] = (model.labels_.tolist(), time.perf_counter() - started, model.plan_)
    started = time.perf_counter()
    try:
        with quiet_bertopic(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, _ = bertopic_module().BERTopic().fit_transform(texts, vectors)
        out["BERTopic defaults"] = (list(topics), time.perf_counter() - started, None)
    except (TypeError, ValueError) as exc:  # BERTopic fails on very small inputs
        out["BERTopic defaults"] = (None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    return out


def warm_up() -> None:
    """Compile UMAP's numba functions once, so neither method's timing includes the JIT."""
    from nlpthemes.themes._imports import bertopic_module, umap_class

    bertopic_module()
    x = np.random.default_rng(0).standard_normal((300, 8)).astype(np.float32)
    umap_class()(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=0, n_jobs=1).fit(x)
    umap_class()(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine").fit(x)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--model", default=None, help="embedding model (default: all-MiniLM-L6-v2)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-per-interview", action="store_true", help="skip the one-interview runs")
    parser.add_argument("--json", type=Path, default=None, help="write all numbers here")
    args = parser.parse_args(argv)
    root = args.data / "ctrlshift_oral_history"
    if not root.is_dir():
        print(f"CTRL+Shift data not found at {root}", file=sys.stderr)
        return 1
    from nlpthemes.embed import load_embedder

    sentences, tags, codes = load_ctrlshift(root)
    texts = [s.text for s in sentences]
    embedder = load_embedder(args.model, progress=True)
    started = time.perf_counter()
    unique = sorted(set(texts))
    position = {t: i for i, t in enumerate(unique)}
    vectors = embedder.encode(unique)[[position[t] for t in texts]]
    print(f"{len(sentences)} interviewee sentences from 11 interviews, {len(codes)} codes; "
          f"embedded with {embedder.info()['name']} in {time.perf_counter() - started:.0f} s\n")  # fmt: skip
    report: dict[str, Any] = {"n_sentences": len(sentences), "model": embedder.info()["name"]}

    started = time.perf_counter()
    warm_up()
    print(f"(numba JIT warm-up for UMAP, paid once per process: {time.perf_counter() - started:.0f} s)\n")
    fits = fit_both(texts, vectors, sentences, args.seed)
    report["corpus"] = {}
    print("Whole corpus (all 11 interviews):")
    print(f"{'method':<20} {'themes':>6} {'outliers':>8} {'AMI':>6} {'macroF1':>7} {'fit s':>6}")
    for name, (labels, seconds, extra) in fits.items():
        if labels is None:
            print(f"{name:<20} failed: {extra}")
            continue
        s = score(labels, sentences, tags)
        report["corpus"][name] = {**s, "seconds": seconds, "plan": extra}
        print(f"{name:<20} {s['n_themes']:>6} {s['outlier_share']:>8.1%} {s['ami']:>6.3f} "
              f"{s['macro_f1']:>7.3f} {seconds:>6.1f}")  # fmt: skip
    print("\nPer code, best-matching theme (turn level): precision / recall / F1")
    names = list(report["corpus"])
    print(f"{'code':<15} {'turns':>5}  " + "  ".join(f"{n:<22}" for n in names))
    for code in codes:
        cells = []
        for n in names:
            b = report["corpus"][n]["per_code"].get(code)
            cells.append(f"{b['precision']:.2f} / {b['recall']:.2f} / {b['f1']:.2f}  " if b else "-")
        turns = report["corpus"][names[0]]["per_code"].get(code, {}).get("turns", 0)
        print(f"{code:<15} {turns:>5}  " + "  ".join(f"{c:<22}" for c in cells))

    if not args.no_per_interview:
        print("\nEach interview alone (mean over 11; BERTopic failures count as 0 themes):")
        per: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rows = []
        for interview in sorted({s.transcript_id for s in sentences}):
            idx = [i for i, s in enumerate(sentences) if s.transcript_id == interview]
            sub = fit_both([texts[i] for i in idx], vectors[idx], [sentences[i] for i in idx], args.seed)
            row = [interview, len(idx)]
            for name, (labels, seconds, _) in sub.items():
                if labels is None:
                    s = {"n_themes": 0, "outlier_share": 1.0, "ami": 0.0, "macro_f1": 0.0}
                else:
                    s = score(labels, [sentences[i] for i in idx], [tags[i] for i in idx])
                per[name].append({**s, "seconds": seconds})
                row += [s["n_themes"], s["outlier_share"], s["ami"]]
            rows.append(row)
        print(f"{'interview':<12} {'sent.':>5}  {'ours: themes/outl/AMI':<24} {'BERTopic: themes/outl/AMI':<26}")
        for r in rows:
            print(f"{r[0]:<12} {r[1]:>5}  {r[2]:>3} / {r[3]:>5.1%} / {r[4]:>6.3f}      "
                  f"{r[5]:>3} / {r[6]:>5.1%} / {r[7]:>6.3f}")  # fmt: skip
        report["per_interview"] = {}
        for name, results in per.items():
            mean = {k: float(np.mean([r[k] for r in results]))
                    for k in ("n_themes", "outlier_share", "ami", "macro_f1", "seconds")}  # fmt: skip
            report["per_interview"][name] = mean
            print(f"mean {name:<18} themes {mean['n_themes']:.1f}, outliers {mean['outlier_share']:.1%}, "
                  f"AMI {mean['ami']:.3f}, macro F1 {mean['macro_f1']:.3f}, fit {mean['seconds']:.1f} s")  # fmt: skip
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

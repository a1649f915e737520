"""Which multilingual embedder for Korean (and other) interviews? Quality and speed.

Tasks, on ``../shared/data/multilingual``:

* **Cross-lingual retrieval** (XPersona, MIT): chit-chat utterances translated
  from English to Korean / Japanese and corrected by humans. Each translated
  utterance must find its English source among all English utterances of the
  set (top-1 accuracy), and the reverse. Dialogues are paired with their
  English source without any embedding model: among dialogues with the same
  number of turns, the one whose sequence of utterance lengths correlates
  best (Pearson r >= 0.8, at least 0.15 ahead of the runner-up).
* **Korean speech acts** (3i4K, CC BY-SA 4.0): a logistic regression on the
  vectors predicts the 7 intention classes of Korean utterances (5-fold
  cross-validated accuracy and macro-F1): how much of a Korean sentence's
  function the vectors keep.
* **Speed**: sentences per second over every text embedded, with load time.

The English-only default model (all-MiniLM-L6-v2) runs too, as the floor.

Usage::

    python evaluation/multilingual_embed.py [--data ../shared/data] [--speech-acts 3000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
MODELS = ("use-multilingual-v3", "multilingual-e5-small-q4", "all-MiniLM-L6-v2")
FILES = {
    "ko": "Ko_persona_split_test_human_annotated.json",
    "ja": "Jp_persona_split_test_human_annotated.json",
    "zh": "Zh_persona_split_test_human_annotated.json",
}


def _lengths(dialogue: dict) -> np.ndarray:
    return np.array([len(u) for turn in dialogue["dialogue"] for u in turn], dtype=float)


def parallel_utterances(folder: Path, language: str) -> list[tuple[str, str]]:
    """(translated, English) utterance pairs from confidently paired dialogues."""
    english = json.loads((folder / "En_persona_test.json").read_text(encoding="utf-8"))
    other = json.loads((folder / FILES[language]).read_text(encoding="utf-8"))
    pairs: list[tuple[str, str]] = []
    for dialogue in other:
        lengths = _lengths(dialogue)
        if len(lengths) < 6:
            continue
        scores = sorted(
            (
                (float(np.corrcoef(lengths, _lengths(e))[0, 1]), j)
                for j, e in enumerate(english)
                if len(e["dialogue"]) == len(dialogue["dialogue"])
            ),
            reverse=True,
        )
        if len(scores) < 2 or scores[0][0] < 0.8 or scores[0][0] - scores[1][0] < 0.15:
            continue
        source = english[scores[0][1]]
        for turn, source_turn in zip(dialogue["dialogue"], source["dialogue"], strict=True):
            pairs.extend(zip(turn, source_turn, strict=True))
    return pairs


def retrieval_accuracy(pairs: list[tuple[str, str]], embed) -> tuple[float, float, int]:
    """Top-1 accuracy translated->English and English->translated (a hit: same text)."""
    sources = sorted({en for _, en in pairs})
    targets = sorted({tr for tr, _ in pairs})
    src = embed(sources)
    tgt = embed(targets)
    src_row = {text: i for i, text in enumerate(sources)}
    tgt_row = {text: i for i, text in enumerate(targets)}
    forward = np.argmax(tgt @ src.T, axis=1)  # translated -> English
    backward = np.argmax(src @ tgt.T, axis=1)
    hit_f = [sources[forward[tgt_row[tr]]] == en for tr, en in pairs]
    hit_b = [targets[backward[src_row[en]]] == tr for tr, en in pairs]
    return float(np.mean(hit_f)), float(np.mean(hit_b)), len(sources) + len(targets)


def speech_acts(folder: Path, n: int) -> tuple[list[str], np.ndarray]:
    """A seeded random sample of ``n`` labelled utterances (the file is sorted by label)."""
    lines = (folder / "fci_test.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t", 1) for line in lines if "\t" in line]
    keep = np.random.default_rng(0).permutation(len(rows))[:n]
    return [rows[i][1] for i in keep], np.array([int(rows[i][0]) for i in keep])


def speech_act_scores(vectors: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    result = cross_validate(
        LogisticRegression(max_iter=2000), vectors, labels, cv=folds,
        scoring=("accuracy", "f1_macro"),
    )
    return float(result["test_accuracy"].mean()), float(result["test_f1_macro"].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--languages", nargs="+", default=["ko", "ja"], choices=sorted(FILES))
    parser.add_argument("--speech-acts", type=int, default=3000, help="3i4K utterances used")
    args = parser.parse_args()

    from nlpthemes.embed import load_embedder

    folder = args.data / "multilingual"
    pairs = {lang: parallel_utterances(folder / "xpersona_multi", lang) for lang in args.languages}
    texts, labels = speech_acts(folder / "3i4k_ko", args.speech_acts)
    print("cross-lingual pairs: " + ", ".join(f"{k}-en {len(v):,}" for k, v in pairs.items())
          + f"; 3i4K: {len(texts):,} Korean utterances, {len(set(labels))} classes")

    header = ["model", "dim"]
    for lang in args.languages:
        header += [f"{lang}->en", f"en->{lang}"]
    header += ["3i4K acc", "3i4K F1", "load s", "sent/s"]
    rows = []
    for name in args.models:
        start = time.perf_counter()
        embedder = load_embedder(name, cache=False, progress=False)
        embedder.encode(["warm-up"])
        load = time.perf_counter() - start
        spent, count = 0.0, 0

        def embed(batch: list[str], embedder=embedder) -> np.ndarray:
            nonlocal spent, count
            t = time.perf_counter()
            vectors = embedder.encode(batch)
            spent += time.perf_counter() - t
            count += len(batch)
            return vectors

        row = [name, str(embedder.dimension)]
        for lang in args.languages:
            forward, backward, _ = retrieval_accuracy(pairs[lang], embed)
            row += [f"{forward:.3f}", f"{backward:.3f}"]
        accuracy, f1 = speech_act_scores(embed(texts), labels)
        row += [f"{accuracy:.3f}", f"{f1:.3f}", f"{load:.1f}", f"{count / spent:,.0f}"]
        rows.append(row)
        print("  done: " + " ".join(row), flush=True)

    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()

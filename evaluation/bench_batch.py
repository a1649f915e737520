"""Batch speed and the coding quality it keeps: plain baseline vs nlpthemes default vs fast modes.

One run, the same sentences for every row (default 10,000: every sentence of
the CTRL+Shift oral histories, topped up with the Unix oral histories and
AnnoMI utterances from ``../shared/data``). Each row runs in its own process
(so its peak memory, ``ru_maxrss``, is its own) and times the whole
analysis from sentences: model load, embedding, themes, and, for nlpthemes
rows, code suggestions. Rows:

* ``plain``: sentence-transformers ``encode`` + ``BERTopic()`` with its defaults;
* ``default``: nlpthemes' default embedder (no ``--model``: on a CPU ``minilm-use``,
  the int8 ONNX export of MiniLM read together with multilingual USE; repeated
  sentences embedded once; empty cache) +
  ``ThemeModel`` + the default suggester (``make_suggester``: retriever + judge);
* ``cached``: the same again with the cache the previous row filled (vectors, the
  fitted themes and the fitted suggester, as the commands keep them);
* ``pytorch``: ``--model all-MiniLM-L6-v2``, the PyTorch model itself (the
  default before the int8 export was);
* ``onnx-fp32``, ``onnx-int8``: the ONNX Runtime exports (built once beforehand;
  ``onnx-int8`` is MiniLM alone, the CPU default before USE joined it);
* ``static``: model2vec static vectors distilled from MiniLM (built once beforehand).

Quality: Cohen's kappa (mean over codes) of the default suggester against the
human codes of CTRL+Shift, learning from 20% of the transcripts and judged on
the other 80%, with each row's vectors (for ``plain``, its own vectors), so
speed never silently costs quality. The derived models are built before the
timed rows (a one-off, reported apart). The ratios at the end are computed
in the same run: the default against plain end to end, and the cached re-run
against the cold default, end to end and for loading + embedding alone.

Usage::

    python evaluation/bench_batch.py [--shared ../shared/data] [-n 10000] [--rows plain default ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

ROWS = ("plain", "default", "cached", "pytorch", "onnx-fp32", "onnx-int8", "static")
DEFAULT_ROWS = ("plain", "default", "cached", "pytorch", "onnx-fp32", "static")
MODELS = {"default": None, "cached": None, "pytorch": "all-MiniLM-L6-v2", "onnx-fp32": "onnx-fp32",
          "onnx-int8": "onnx-int8", "static": "static"}  # fmt: skip


def _extra_sentences(shared: Path, n: int) -> list[str]:
    """``n`` sentences, half from the Unix oral histories, half AnnoMI utterances."""
    import pandas as pd

    from nlpthemes.io import read_corpus
    from nlpthemes.segment import segment_corpus

    if n <= 0:
        return []
    unix = read_corpus([shared / "unix_oral_history_mahoney" / "www.princeton.edu" / "~hos" / "mike" / "transcripts"])
    texts = [s.text for s in segment_corpus(unix)][: n - n // 2]
    annomi = pd.read_csv(shared / "annomi" / "AnnoMI-simple.csv")["utterance_text"].astype(str).tolist()
    return texts + annomi[: n - len(texts)]


def prepare(shared: Path, n: int, folder: Path) -> dict[str, Any]:
    """Write the sentences, gold codes and split the rows share; return what they are."""
    import pickle

    cs = datasets.ctrlshift(shared)
    ids = sorted({s.transcript_id for s in cs.sentences})
    rng = np.random.default_rng(0)
    rng.shuffle(ids)
    train = set(ids[: max(1, round(0.2 * len(ids)))])
    extra = _extra_sentences(shared, n - len(cs.sentences))
    with open(folder / "data.pkl", "wb") as handle:  # our own temporary file, read back by our own rows
        pickle.dump({"coded": cs, "train": train, "extra": extra}, handle)
    texts = [s.text for s in cs.sentences] + extra
    return {"n": len(texts), "unique": len(set(texts)), "ctrlshift": len(cs.sentences), "extra": len(extra),
            "train_transcripts": sorted(train)}  # fmt: skip


def _kappa(cs: Any, train: set[str], x: np.ndarray, embedder: Any) -> float:
    import pandas as pd

    from nlpthemes.jobs._common import suggester_memory
    from nlpthemes.suggest import make_suggester
    from nlpthemes.suggest._calibrate import mean_kappa

    mask = np.array([s.transcript_id in train for s in cs.sentences])
    codings = pd.DataFrame([{"transcript": s.transcript_id, "start": s.start, "end": s.end, "code": c, "coder": "h"}
                            for s, g, t in zip(cs.sentences, cs.gold, mask, strict=True) if t for c in g])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # as the commands do: the fit is kept in the cache folder (the plain model has no hash: never kept)
        model = make_suggester(embedder, memory=suggester_memory(True)).fit(cs.sentences, cs.codebook,
                                                                            codings=codings, embeddings=x)
    test = [s for s, t in zip(cs.sentences, mask, strict=True) if not t]
    applied = model.predict(test, embeddings=x[~mask])
    gold = np.array([[c in g for c in cs.codes] for g, t in zip(cs.gold, mask, strict=True) if not t])
    columns = [model.codes_.index(c) for c in cs.codes]
    return mean_kappa(gold, applied[:, columns])


class _Plain:
    """The plain model as an embedder for the suggester's code texts."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)


def run_row(row: str, folder: Path) -> dict[str, Any]:
    """Time one row in this process; return its numbers."""
    import pickle

    with open(folder / "data.pkl", "rb") as handle:
        data = pickle.load(handle)
    cs, train, extra = data["coded"], data["train"], data["extra"]
    texts = [s.text for s in cs.sentences] + extra
    started = time.perf_counter()
    if row == "plain":
        from bertopic import BERTopic
        from sentence_transformers import SentenceTransformer

        from nlpthemes.embed import resolve_model

        model = SentenceTransformer(str(resolve_model(None).path), device="cpu")
        t_embed = time.perf_counter()
        x = np.asarray(model.encode(texts), dtype=np.float32)
        t_themes = time.perf_counter()
        topics, _ = BERTopic().fit_transform(texts, x)
        n_themes = len(set(topics) - {-1})
        embedder: Any = _Plain(model)
        t_suggest = time.perf_counter()
    else:
        from nlpthemes.corpus import Sentence
        from nlpthemes.embed import load_embedder
        from nlpthemes.jobs._common import theme_memory
        from nlpthemes.themes import ThemeModel

        embedder = load_embedder(MODELS[row], progress=False)
        t_embed = time.perf_counter()
        x = embedder.encode(texts)
        t_themes = time.perf_counter()
        sentences = list(cs.sentences) + [Sentence("extra", i, 0, len(t), t) for i, t in enumerate(extra)]
        # as the commands do: the fit is kept in the cache folder (the run's own, empty at first)
        n_themes = len(ThemeModel(memory=theme_memory(True)).fit(texts, x, sentences=sentences).themes_)
        t_suggest = time.perf_counter()
    kappa = _kappa(cs, train, x[: len(cs.sentences)], embedder)
    done = time.perf_counter()
    return {
        "row": row, "load_s": t_embed - started, "embed_s": t_themes - t_embed, "themes_s": t_suggest - t_themes,
        "suggest_s": done - t_suggest if row != "plain" else 0.0,
        "total_s": done - started if row != "plain" else t_suggest - started,
        "kappa": kappa, "themes": n_themes, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_s": time.process_time(),
    }  # fmt: skip


def print_table(results: list[dict[str, Any]], n: int) -> None:
    """The results, one row per mode (CPU seconds are steadier than wall time on a shared machine)."""
    print(f"{'row':<12}{'total s':>9}{'CPU s':>8}{'load':>7}{'embed':>8}{'sent/s':>9}{'themes':>8}{'suggest':>9}"
          f"{'peak MB':>9}{'kappa':>8}{'#themes':>9}")  # fmt: skip
    for r in results:
        print(f"{r['row']:<12}{r['total_s']:9.1f}{r.get('cpu_s', float('nan')):8.1f}{r['load_s']:7.1f}{r['embed_s']:8.1f}"
              f"{n / max(r['embed_s'], 1e-9):9,.0f}{r['themes_s']:8.1f}{r['suggest_s']:9.1f}{r['peak_mb']:9,.0f}"
              f"{r['kappa']:8.3f}{r['themes']:9d}")  # fmt: skip


def build_derived(rows: list[str]) -> dict[str, float]:
    """Build the derived models once (not timed with the rows); returns seconds per model."""
    from nlpthemes.embed import load_embedder

    seconds = {}
    for row in rows:
        if row in ("default", "onnx-fp32", "onnx-int8", "static"):
            t = time.perf_counter()
            embedder = load_embedder(MODELS[row], cache=False, progress=True)
            embedder.encode(["warm up"])
            seconds[f"{row} ({embedder.name})" if row == "default" else row] = time.perf_counter() - t
    return seconds


def print_ratios(results: list[dict[str, Any]]) -> None:
    """The Done-means figures of the run, from its own rows."""
    by = {r["row"]: r for r in results}
    if "plain" in by and "default" in by:
        p, d = by["plain"], by["default"]
        print(f"default vs plain, end to end: {p['total_s'] / d['total_s']:.1f}x faster "
              f"(CPU {p['cpu_s'] / d['cpu_s']:.1f}x); kappa {d['kappa']:.3f} vs {p['kappa']:.3f} "
              f"(difference {d['kappa'] - p['kappa']:+.3f})")  # fmt: skip
    if "default" in by and "cached" in by:
        d, c = by["default"], by["cached"]
        print(f"cached re-run vs cold default: {d['total_s'] / c['total_s']:.1f}x faster end to end; "
              f"loading + embedding {(d['load_s'] + d['embed_s']) / (c['load_s'] + c['embed_s']):.0f}x "
              f"({d['load_s'] + d['embed_s']:.1f} s -> {c['load_s'] + c['embed_s']:.2f} s), themes "
              f"{d['themes_s'] / c['themes_s']:.1f}x (the fitted themes read from the cache), code suggestions "
              f"{d['suggest_s'] / c['suggest_s']:.1f}x (the fitted suggester read from the cache; its predictions "
              "made again)")  # fmt: skip
    if "default" in by and "pytorch" in by:
        d, t = by["default"], by["pytorch"]
        print(f"default vs the PyTorch model: {t['total_s'] / d['total_s']:.1f}x faster end to end, embedding "
              f"{t['embed_s'] / d['embed_s']:.1f}x; kappa {d['kappa']:.3f} vs {t['kappa']:.3f}")  # fmt: skip
    if "default" in by and "onnx-int8" in by:
        d, m = by["default"], by["onnx-int8"]
        print(f"default vs MiniLM alone (int8): {m['total_s'] / d['total_s']:.2f}x end to end, embedding "
              f"{m['embed_s'] / d['embed_s']:.2f}x; kappa {d['kappa']:.3f} vs {m['kappa']:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("-n", type=int, default=10_000, help="sentences (at least all of CTRL+Shift)")
    parser.add_argument("--rows", nargs="*", default=list(DEFAULT_ROWS), choices=ROWS)
    parser.add_argument("--row", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.row is not None:
        result = json.dumps(run_row(args.row, args.work))
        with open(args.work / "rows.jsonl", "a", encoding="utf-8") as handle:
            handle.write(result + "\n")
        print(result)
        return
    work = Path(tempfile.mkdtemp(prefix="nlpthemes-bench-batch-"))
    info = prepare(args.shared, args.n, work)
    built = build_derived(args.rows)
    vectors_cache = work / "cache"
    vectors_cache.mkdir()
    from nlpthemes.embed import default_cache_dir

    (default_cache_dir() / "models").mkdir(parents=True, exist_ok=True)
    (vectors_cache / "models").symlink_to(default_cache_dir() / "models")  # derived models, not vectors
    results = []
    for row in args.rows:
        env = {**os.environ, "NLPTHEMES_CACHE_DIR": str(vectors_cache)}
        done = subprocess.run([sys.executable, __file__, "--row", row, "--work", str(work)], env=env,
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            sys.exit(f"error: row {row} failed")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  {row}: {results[-1]['total_s']:.1f} s", file=sys.stderr, flush=True)
    n = info["n"]
    print(f"{n:,} sentences ({info['unique']:,} unique): {info['ctrlshift']:,} CTRL+Shift + {info['extra']:,} Unix "
          f"oral histories / AnnoMI; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("kappa: the default suggester (retriever + judge) vs CTRL+Shift human codes, learning from 20% of transcripts "
          f"({', '.join(info['train_transcripts'])}), judged on the other 80%")
    if built:
        print("one-off builds (not in the rows): " + ", ".join(f"{k} {v:.0f} s" for k, v in built.items()))
    print_table(results, n)
    print("plain: total is embedding + BERTopic (it suggests no codes); its kappa uses its vectors in the same suggester")
    print_ratios(results)


if __name__ == "__main__":
    main()

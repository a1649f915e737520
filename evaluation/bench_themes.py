"""Fit time of nlpthemes' ThemeModel against BERTopic's defaults, cold and warm.

Both get the same sentences and the same embeddings (embedding time is not
measured here: see the embed benchmark). Each measurement runs in a fresh
Python process with an empty numba cache folder (``NUMBA_CACHE_DIR``), so
"cold" includes what a first run on a new machine pays: importing
BERTopic/UMAP and numba's JIT compilation. In that process:

1. the first method is fitted (cold), then the other (after it; JIT partly
   shared), then both again (warm: same process, same data);
2. a second process runs the other method first, so each method has a
   cold number of its own;
3. a third process reuses the first one's numba cache folder and fits
   nlpthemes once: what every later run on the same machine pays.

Sentences: interview sentences from ../shared/data (CTRL+Shift oral
histories) and data/pdpilot, embedded with all-MiniLM-L6-v2 (through the
embedding cache). Sizes larger than that pool (about 12k sentences) are
drawn from it with replacement and a little Gaussian noise on the unit
vectors (cosine to the original about 0.95), so there are no exact
duplicates; the noise keeps the pool's topic structure. Run::

    python evaluation/bench_themes.py [--sizes 10000,100000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
METHODS = ("nlpthemes", "bertopic")
NOISE = 0.015  # per-dimension sd on 384-d unit vectors: cosine ~0.95 to the original


def sentence_pool(data: Path, model: str | None) -> tuple[list[str], np.ndarray]:
    """Real interview sentences and their embeddings."""
    from nlpthemes.embed import load_embedder
    from nlpthemes.jobs import run_segment

    sys.path.insert(0, str(REPO / "evaluation"))
    texts: list[str] = []
    ctrl = data / "ctrlshift_oral_history"
    if ctrl.is_dir():
        from themes_ctrlshift import load_ctrlshift

        texts += [s.text for s in load_ctrlshift(ctrl, interviewers=True)[0]]
    pdpilot = REPO / "data" / "pdpilot" / "transcripts"
    if pdpilot.is_dir():
        texts += [s.text for s in run_segment([pdpilot], None).sentences]
    if not texts:
        raise SystemExit(f"no interview sentences found under {data} or {pdpilot}")
    unique = sorted(set(texts))
    vectors = load_embedder(model, progress=True).encode(unique)
    return unique, np.asarray(vectors, dtype=np.float32)


def sample(texts: list[str], vectors: np.ndarray, n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``n`` sentences: the pool itself while it lasts, then noisy copies."""
    rng = np.random.default_rng(seed)
    if n <= len(texts):
        pick = rng.choice(len(texts), n, replace=False)
        return [texts[i] for i in pick], vectors[pick]
    pick = rng.integers(0, len(texts), n)
    noisy = vectors[pick] + NOISE * rng.standard_normal((n, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return [texts[i] for i in pick], noisy.astype(np.float32)


def fit_once(method: str, texts: list[str], vectors: np.ndarray) -> float:
    """Seconds for one fit."""
    started = time.perf_counter()
    if method == "nlpthemes":
        from nlpthemes.themes import ThemeModel

        ThemeModel().fit(texts, vectors)
    else:
        import warnings

        from nlpthemes.themes._engine import quiet_bertopic
        from nlpthemes.themes._imports import bertopic_module

        with quiet_bertopic(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bertopic_module().BERTopic().fit_transform(texts, vectors)
    return time.perf_counter() - started


def worker(data_file: Path, order: list[str], rounds: int) -> dict[str, Any]:
    """One process: import, then fit the methods in ``order``, ``rounds`` times."""
    started = time.perf_counter()
    from nlpthemes.themes._imports import bertopic_module

    bertopic_module()
    result: dict[str, Any] = {"import_s": time.perf_counter() - started, "fits": []}
    loaded = np.load(data_file, allow_pickle=False)
    texts, vectors = [str(t) for t in loaded["texts"]], loaded["vectors"]
    for round_ in range(rounds):
        for method in order:
            seconds = fit_once(method, texts, vectors)
            result["fits"].append({"method": method, "round": round_, "seconds": seconds})
            print(f"  {len(texts)} sentences, {method}, round {round_ + 1}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return result


def spawn(data_file: Path, order: list[str], rounds: int, numba_dir: str) -> dict[str, Any]:
    env = dict(os.environ, NUMBA_CACHE_DIR=numba_dir)
    cmd = [sys.executable, __file__, "--worker", str(data_file), "--order", ",".join(order), "--rounds", str(rounds)]
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker failed with exit code {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-reverse", action="store_true", help="skip the BERTopic-first process")
    parser.add_argument("--cold-only", action="store_true",
                        help="one fit per method in one process (nlpthemes first): for large sizes")  # fmt: skip
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--order", default="nlpthemes,bertopic", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.order.split(","), args.rounds)))
        return 0
    texts, vectors = sentence_pool(args.data, args.model)
    print(f"pool: {len(texts)} unique interview sentences, dimension {vectors.shape[1]}; "
          f"machine: {os.cpu_count()} CPUs\n")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            sub_texts, sub_vectors = sample(texts, vectors, n)
            data_file = Path(tmp) / f"data_{n}.npz"
            np.savez(data_file, texts=np.array(sub_texts), vectors=sub_vectors)
            cache_a, cache_b = tempfile.mkdtemp(dir=tmp), tempfile.mkdtemp(dir=tmp)
            first = spawn(data_file, ["nlpthemes", "bertopic"], 1 if args.cold_only else 2, cache_a)
            skip = args.no_reverse or args.cold_only
            second = None if skip else spawn(data_file, ["bertopic", "nlpthemes"], 1, cache_b)
            again = first if args.cold_only else spawn(data_file, ["nlpthemes"], 1, cache_a)
            fits = {(f["method"], f["round"]): f["seconds"] for f in first["fits"]}
            row = {
                "n": n,
                "import_cold_s": first["import_s"],
                "import_cached_s": again["import_s"],
                "nlpthemes_cold_s": fits[("nlpthemes", 0)],
                "bertopic_cold_s": second["fits"][0]["seconds"] if second else None,
                "bertopic_after_nlpthemes_s": fits[("bertopic", 0)],
                "nlpthemes_warm_s": fits.get(("nlpthemes", 1)),
                "bertopic_warm_s": fits.get(("bertopic", 1)),
                "nlpthemes_new_process_cached_s": None if args.cold_only else again["fits"][0]["seconds"],
            }
            rows.append(row)
            print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    print("\nfit seconds (import of BERTopic/UMAP not included; cold = first fit in a fresh process "
          "with an empty numba cache)")  # fmt: skip
    print(f"{'sentences':>9}  {'ours cold':>9} {'BERTopic cold':>13}  {'ours warm':>9} {'BERTopic warm':>13}  "
          f"{'ratio cold':>10} {'ratio warm':>10}  {'ours, 2nd process':>17}")  # fmt: skip
    def cell(value: float | None, width: int) -> str:
        return f"{value:>{width}.1f}" if value is not None else f"{'-':>{width}}"

    def ratio(b: float | None, a: float | None) -> str:
        return f"{b / a:>10.2f}" if a and b else f"{'-':>10}"

    for r in rows:
        print(f"{r['n']:>9}  {cell(r['nlpthemes_cold_s'], 9)} {cell(r['bertopic_cold_s'], 13)}  "
              f"{cell(r['nlpthemes_warm_s'], 9)} {cell(r['bertopic_warm_s'], 13)}  "
              f"{ratio(r['bertopic_cold_s'], r['nlpthemes_cold_s'])} {ratio(r['bertopic_warm_s'], r['nlpthemes_warm_s'])}  "
              f"{cell(r['nlpthemes_new_process_cached_s'], 17)}   (BERTopic right after ours: "
              f"{r['bertopic_after_nlpthemes_s']:.1f} s)")  # fmt: skip
    print("ratio = BERTopic seconds / nlpthemes seconds (above 1: nlpthemes is faster)")
    print(f"import (BERTopic, UMAP, numba): {rows[0]['import_cold_s']:.1f} s with an empty numba cache, "
          f"{rows[0]['import_cached_s']:.1f} s once nlpthemes' numba cache is filled")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

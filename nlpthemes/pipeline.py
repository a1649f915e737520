"""A fitted pipeline: embedder, theme model, code suggester and codebook, wired together.

This module only wires fitted steps; fitting, saving and loading a pipeline
folder live in :mod:`nlpthemes.jobs.pipeline`, and batch runs over new
interviews in :mod:`nlpthemes.jobs.batch`.

Examples
--------
>>> PipelineConfig().top_k
3
>>> PipelineConfig(novelty_quantile=2.0).validate()
Traceback (most recent call last):
...
nlpthemes.errors.InputError: novelty_quantile must be a number in (0, 0.5]; got 2.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.corpus import Sentence
from nlpthemes.errors import InputError

__all__ = ["Assignment", "Pipeline", "PipelineConfig"]


@dataclass(frozen=True)
class PipelineConfig:
    """Every setting of a fitted pipeline, saved beside it (``pipeline.json``).

    Parameters
    ----------
    model : str or None
        Embedding model (registry name or local folder); ``None`` is the default.
    n_themes, min_theme_size : int or "auto"
        As for :class:`nlpthemes.themes.ThemeModel`.
    include_interviewers : bool
        Cluster, assign and code interviewer sentences too.
    top_k : int
        Candidate codes listed per sentence.
    novelty_quantile : float
        A sentence is new when both its best code similarity and its best
        saved-theme similarity are below this quantile of the fit set's.
    seed : int
        Seed of every random step.
    judge, judge_model, judge_url : str
        The code suggester's judge (see :class:`nlpthemes.suggest.JudgeOptions`).
    """

    model: str | None = None
    n_themes: int | str = "auto"
    min_theme_size: int | str = "auto"
    include_interviewers: bool = False
    top_k: int = 3
    novelty_quantile: float = 0.1
    seed: int = 42
    judge: str = "features"
    judge_model: str | None = None
    judge_url: str | None = None

    def validate(self) -> PipelineConfig:
        """Raise :class:`InputError` naming a bad setting; return ``self``."""
        q = self.novelty_quantile
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q <= 0.5:
            raise InputError(None, f"novelty_quantile must be a number in (0, 0.5]; got {q!r}")
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 1:
            raise InputError(None, f"top_k must be a positive integer; got {self.top_k!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(None, f"seed must be a non-negative integer; got {self.seed!r}")
        from nlpthemes.suggest import JudgeOptions

        try:
            JudgeOptions(self.judge, self.judge_model, self.judge_url).validate()
        except ValueError as exc:
            raise InputError(None, str(exc)) from None
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready settings."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineConfig:
        """Settings read back from ``pipeline.json`` (unknown keys are an error)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(None, f"unknown pipeline settings: {', '.join(unknown)}")
        return cls(**data).validate()


@dataclass
class Assignment:
    """What the pipeline says about each sentence of one batch (arrays follow the sentences)."""

    sentences: list[Sentence]
    themes: NDArray[np.int64]
    probability: NDArray[np.float64]
    theme_similarity: NDArray[np.float32]
    code_similarity: NDArray[np.float32]
    excluded: list[str]
    novel: NDArray[np.bool_]
    proba: NDArray[np.float64]
    applied: NDArray[np.bool_]


def _unit(x: NDArray[Any]) -> NDArray[np.float32]:
    x = np.asarray(x, dtype=np.float32)
    out: NDArray[np.float32] = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return out


@dataclass
class Pipeline:
    """Fitted steps that process new sentences the same way as the fit set.

    Attributes
    ----------
    config : PipelineConfig
    embedder : Embedder
    theme_model : ThemeModel
    suggester : CodeSuggester
    codebook : Codebook
    code_bar : float
        Best-code similarity below which a sentence is far from every code.
    theme_bar : float
        Best-theme similarity below which a sentence is far from every saved theme.
    pipeline_id : str
        sha256 of the saved folder's identity (files, model, settings).
    folder : str or None
        Where it was saved or loaded from.
    """

    config: PipelineConfig
    embedder: Any
    theme_model: Any
    suggester: Any
    codebook: Any
    code_bar: float
    theme_bar: float
    pipeline_id: str = ""
    folder: str | None = None

    def excluded(self, sentences: Sequence[Sentence]) -> list[str]:
        """Per sentence ``""``, ``"interviewer"`` or ``"short"``, as the theme model excludes them."""
        from nlpthemes.themes._fillers import filler_reason

        model = self.theme_model
        out = []
        for s in sentences:
            if s.is_interviewer and not self.config.include_interviewers:
                out.append("interviewer")
            elif filler_reason(s.text, model.language, min_words=int(model.min_words)):
                out.append("short")
            else:
                out.append("")
        return out

    def assign(self, sentences: Sequence[Sentence], vectors: Any) -> Assignment:
        """Themes, code scores and novelty of ``sentences`` (one or more whole transcripts, in order).

        Examples
        --------
        >>> from nlpthemes.codebook import Code, Codebook
        >>> from nlpthemes.embed import FakeEmbedder
        >>> from nlpthemes.suggest import CodeSuggester
        >>> from nlpthemes.themes import ThemeModel
        >>> emb = FakeEmbedder()
        >>> texts = [f"{w} talk about {w} today {i}" for w in ("money", "school", "code") for i in range(6)]
        >>> s = [Sentence("p", i, 0, len(t), t) for i, t in enumerate(texts)]
        >>> book = Codebook([Code("m", "money"), Code("s", "school")])
        >>> themes = ThemeModel(n_themes=3).fit(texts, emb.encode(texts))
        >>> suggester = CodeSuggester(embedder=emb).fit(s, book)
        >>> p = Pipeline(PipelineConfig(), emb, themes, suggester, book, code_bar=0.2, theme_bar=0.2)
        >>> a = p.assign(s[:2], emb.encode(texts[:2]))
        >>> a.themes.tolist() == themes.transform(emb.encode(texts[:2])).tolist(), a.proba.shape
        (True, (2, 2))
        """
        x = _unit(np.asarray(vectors, dtype=np.float32))
        n = len(sentences)
        if x.shape[0] != n:
            raise ValueError(f"{x.shape[0]} vectors for {n} sentences")
        excluded = self.excluded(sentences)
        keep = np.array([not e for e in excluded], dtype=bool)
        if n == 0:
            themes = np.zeros(0, dtype=np.int64)
            probability = np.zeros(0)
            theme_sim = code_sim = np.zeros(0, dtype=np.float32)
        else:
            sims = x @ self.theme_model.centroids_.T
            theme_sim = sims.max(axis=1)
            themes = np.where(keep, self.theme_model.transform(x), -1).astype(np.int64)
            soft = self.theme_model.theme_probabilities(x)
            probability = np.where(themes >= 0, soft[np.arange(n), np.maximum(themes, 0)], 0.0)
            code_sim = (x @ np.asarray(self.suggester.prototypes_, dtype=np.float32).T).max(axis=1)
        novel = keep & (theme_sim < self.theme_bar) & (code_sim < self.code_bar)
        proba = self.suggester.predict_proba(list(sentences), embeddings=x)
        # each file is decided on its own, with the learned thresholds: a file's codes never depend
        # on which other files a batch holds (the judge's adapted thresholds would)
        applied = self.suggester.decide(proba, adapt=False)
        return Assignment(list(sentences), themes, probability, theme_sim, code_sim, excluded, novel, proba, applied)

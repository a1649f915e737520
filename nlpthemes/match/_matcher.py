"""The :class:`CodebookMatcher` estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.codebook import Codebook
from nlpthemes.errors import InputError, NotFittedError
from nlpthemes.suggest._codetext import code_text
from nlpthemes.suggest._context import normalise

__all__ = ["CodebookMatcher"]


class CodebookMatcher:
    """Match themes to codes by meaning.

    A theme is represented by three vectors: its centre (the mean of its
    sentences), its keywords, and its representative quotes; a code by its
    text (name, definition, inclusion criteria, examples) and, for a code
    with children, by its text together with its children's. The similarity
    of a theme and a code is the mean cosine similarity of the theme's
    vectors to the code's.

    A theme matches its most similar leaf code when that similarity clears
    the bar; failing that, its most similar parent code; failing that, no
    code covers it. The bar (``threshold="auto"``) is data-driven: the
    ``quantile`` of the similarities between all the corpus's sentences and
    the codes. A theme has to be as close to a code as the top sentences are,
    whatever the embedding model's similarity scale.

    Parameters
    ----------
    embedder : Embedder
        Encodes code texts, keywords and quotes (the model that embedded the sentences).
    threshold : float or "auto"
        Similarity a match needs.
    quantile : float
        For ``"auto"``: which quantile of sentence-code similarities is the bar.

    Attributes
    ----------
    codes_ : list of str
        Code references, in codebook order.
    similarity_ : ndarray of shape (n_themes, n_codes)
        Theme-code similarities.
    threshold_ : float
        The bar used.
    matches_ : list of dict
        One per theme: ``theme, code, level ("leaf"/"parent"/None), score``.

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> from nlpthemes.embed import FakeEmbedder
    >>> emb = FakeEmbedder(dimension=64)
    >>> cb = Codebook([Code("f", "funding money"), Code("t", "trust distrust")])
    >>> themes = [{"id": 0, "keywords": ["funding", "money"], "quotes": ["funding money"]},
    ...           {"id": 1, "keywords": ["weather"], "quotes": ["rain and sun"]}]
    >>> centres = emb.encode(["funding money", "rain and sun"])
    >>> m = CodebookMatcher(embedder=emb, threshold=0.5).fit(themes, centres, cb)
    >>> [(r["theme"], r["code"]) for r in m.matches_]
    [(0, 'funding money'), (1, None)]
    """

    def __init__(self, *, embedder: Any = None, threshold: float | str = "auto", quantile: float = 0.95) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.quantile = quantile

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        return {"embedder": self.embedder, "threshold": self.threshold, "quantile": self.quantile}

    def set_params(self, **params: Any) -> CodebookMatcher:
        """Set constructor parameters (scikit-learn convention)."""
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"unknown parameter {name!r}; valid: embedder, threshold, quantile")
            setattr(self, name, value)
        return self

    def _validate(self) -> None:
        if self.embedder is None:
            raise InputError(None, "CodebookMatcher needs an embedder (see nlpthemes.embed.load_embedder)")
        if isinstance(self.threshold, str):
            if self.threshold != "auto":
                raise ValueError(f"threshold must be a number or 'auto', got {self.threshold!r}")
        elif not -1 <= float(self.threshold) <= 1:
            raise ValueError(f"threshold must be between -1 and 1, got {self.threshold!r}")
        if not 0 < self.quantile < 1:
            raise ValueError(f"quantile must be between 0 and 1, got {self.quantile!r}")

    def _code_vectors(self, codebook: Codebook) -> tuple[list[str], NDArray[np.float32], NDArray[np.bool_]]:
        codes = list(codebook)
        own = normalise(np.asarray(self.embedder.encode([code_text(codebook, c) for c in codes]), np.float32))
        position = {c.id: i for i, c in enumerate(codes)}
        vectors = own.copy()
        is_leaf = np.ones(len(codes), dtype=bool)
        for i, code in enumerate(codes):
            below = codebook.descendants(code)
            if below:
                is_leaf[i] = False
                vectors[i] = own[i] + own[[position[d.id] for d in below]].mean(axis=0)
        return [codebook.ref(c) for c in codes], normalise(vectors), is_leaf

    def fit(
        self,
        themes: Sequence[Any],
        centroids: Any,
        codebook: Codebook,
        *,
        sentence_embeddings: Any = None,
    ) -> CodebookMatcher:
        """Score themes against codes and match them.

        Parameters
        ----------
        themes : sequence of Theme or dict
            Each with ``id``, ``keywords`` and ``quotes`` (Quote objects or strings).
        centroids : array of shape (n_themes, d)
            Theme centres, in the order of ``themes``.
        codebook : Codebook
            The human codebook.
        sentence_embeddings : array, optional
            The corpus's sentence embeddings, for the ``"auto"`` threshold
            (without them the bar is the quantile over theme centres).

        Returns
        -------
        self
        """
        self._validate()
        refs, code_vectors, is_leaf = self._code_vectors(codebook)
        codable = np.array([c.codable or not leaf for c, leaf in zip(codebook, is_leaf, strict=True)])
        views = [normalise(np.asarray(centroids, dtype=np.float32))]
        if len(themes):
            keywords = [", ".join(_get(t, "keywords")[:10]) or "-" for t in themes]
            views.append(normalise(np.asarray(self.embedder.encode(keywords), np.float32)))
            quote_texts = [[_quote_text(q) for q in _get(t, "quotes")] for t in themes]
            if all(quote_texts):
                flat = [q for qs in quote_texts for q in qs]
                encoded = normalise(np.asarray(self.embedder.encode(flat), np.float32))
                bounds = np.cumsum([0, *[len(qs) for qs in quote_texts]])
                views.append(normalise(np.stack([encoded[a:b].mean(axis=0) for a, b in zip(bounds, bounds[1:], strict=False)])))
        similarity = np.mean([v @ code_vectors.T for v in views], axis=0) if len(themes) else np.zeros((0, len(refs)))
        if self.threshold == "auto":
            basis = views[0] if sentence_embeddings is None else normalise(np.asarray(sentence_embeddings, np.float32))
            sample = basis[np.linspace(0, len(basis) - 1, min(len(basis), 20000)).astype(int)] if len(basis) else basis
            threshold = float(np.quantile(sample @ code_vectors[codable].T, self.quantile)) if len(sample) else 1.0
        else:
            threshold = float(self.threshold)
        matches = []
        for i, theme in enumerate(themes):
            row = np.where(codable, similarity[i], -np.inf)
            leaf = np.where(is_leaf, row, -np.inf)
            parent = np.where(~is_leaf, row, -np.inf)
            j_leaf, j_parent = int(np.argmax(leaf)), int(np.argmax(parent))
            best = int(np.argmax(row))
            if leaf[j_leaf] >= threshold:
                match = {"code": refs[j_leaf], "level": "leaf", "score": float(leaf[j_leaf])}
            elif np.isfinite(parent[j_parent]) and parent[j_parent] >= threshold:
                match = {"code": refs[j_parent], "level": "parent", "score": float(parent[j_parent])}
            else:
                match = {"code": None, "level": None, "score": float(row[best])}
            matches.append({"theme": _get(theme, "id"), "best_code": refs[best], **match})
        self.codes_ = refs
        self.is_leaf_ = is_leaf
        self.similarity_ = similarity
        self.threshold_ = threshold
        self.matches_ = matches
        return self

    def _check(self) -> None:
        if not hasattr(self, "matches_"):
            raise NotFittedError("this CodebookMatcher is not fitted yet: call fit first")

    def uncovered(self) -> list[Any]:
        """Ids of themes no code covers (candidate new codes)."""
        self._check()
        return [m["theme"] for m in self.matches_ if m["code"] is None]

    def unsupported(self) -> list[str]:
        """Codes (leaf or parent) that no theme matched, directly or through a child."""
        self._check()
        matched = {m["code"] for m in self.matches_ if m["code"] is not None}
        return [c for c in self.codes_ if c not in matched]


def _get(theme: Any, name: str, default: Any = None) -> Any:
    """A field of a Theme object or of a plain dict."""
    return theme.get(name, default) if isinstance(theme, dict) else getattr(theme, name, default)


def _quote_text(quote: Any) -> str:
    return quote if isinstance(quote, str) else str(quote.text)

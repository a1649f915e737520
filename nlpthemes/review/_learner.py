"""The suggester that learns while a coder reviews: refits in the background, never blocking.

:func:`new_suggester` is the one place that says which suggester a review
uses; anything with :class:`nlpthemes.suggest.CodeSuggester`'s API fits
(``fit(sentences, codebook, codings=, embeddings=)``, ``predict_proba``,
``decide``, ``codes_``, ``threshold_``, ``mode_``).
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.review._training import training_view

__all__ = ["Learner", "Scores", "Snapshot", "active_order", "new_suggester"]

TOP = 20  # the head of the queue whose change a refit reports


def _takes_groups(model: Any) -> bool:
    """Whether the suggester's ``fit`` can be told each sentence's real interview."""
    import inspect

    return "groups" in inspect.signature(model.fit).parameters


def new_suggester(embedder: Any) -> Any:
    """The suggester a review learns with: change the default here, and only here.

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> type(new_suggester(FakeEmbedder())).__name__
    'JudgedSuggester'
    """
    from nlpthemes.suggest import make_suggester

    return make_suggester(embedder)


@dataclass(frozen=True)
class Snapshot:
    """What a fit learns from: labels of sentences (position -> codes), and which sentences the queue leaves out."""

    labels: Mapping[int, Collection[str]]
    exclude: NDArray[np.bool_]
    decisions: int


@dataclass(frozen=True)
class Scores:
    """One fitted suggester's scores for every sentence (never changed once made).

    Attributes
    ----------
    fit : int
        0 for the fit at start, then 1, 2, ...
    proba, applied : arrays (n_sentences, n_codes)
        Scores, and where the suggester (as a coder) applies the code.
    codes : list of str
    threshold : float
        NaN when zero-shot.
    mode : str
    n_training : int
        Sentences it learned from.
    decisions : int
        The coder's decided sentences it learned from.
    seconds : float
    change : dict or None
        Against the previous fit: ``top`` (queue head size), ``kept`` (of
        those, still in the head), ``changed`` (undecided sentences whose
        applied codes changed).
    """

    fit: int
    proba: NDArray[np.float64]
    applied: NDArray[np.bool_]
    codes: list[str]
    threshold: float
    mode: str
    n_training: int
    decisions: int
    seconds: float
    change: dict[str, int] | None = None

    def ranked(self, i: int, k: int) -> list[tuple[str, float, int, bool]]:
        """The ``k`` best codes of sentence ``i``: ``(code, score, rank, applied)``, plus applied codes ranked lower."""
        order = np.argsort(-self.proba[i], kind="stable")
        out = []
        for rank, j in enumerate(order, start=1):
            if rank <= k or self.applied[i, j]:
                out.append((self.codes[j], round(float(self.proba[i, j]), 4), rank, bool(self.applied[i, j])))
        return out


def active_order(scores: Scores, vectors: NDArray[np.float32], exclude: NDArray[np.bool_], n: int) -> list[int]:
    """The ``n`` undecided sentences most useful to decide next (:func:`nlpthemes.suggest.next_to_code`).

    Zero-shot scores have no threshold: the median of the sentences' best
    scores stands in for it (the sentences the suggester is least sure of
    come first).
    """
    from nlpthemes.suggest import next_to_code

    if n <= 0 or exclude.all():
        return []
    threshold = scores.threshold
    if not math.isfinite(threshold):
        best = scores.proba[~exclude].max(axis=1)
        threshold = float(np.clip(np.median(best), 1e-3, 1 - 1e-3))
    return next_to_code(scores.proba, threshold, vectors, exclude=exclude, n=n)


@dataclass
class _Status:
    fitting: bool = False
    pending: bool = False
    error: str | None = None
    requested_at: int = 0
    started: float = 0.0


class Learner:
    """Fits the suggester on the codes given at start plus the coder's decisions, in a background thread.

    Parameters
    ----------
    sentences : sequence of Sentence
        The whole corpus, in order.
    vectors : array (n_sentences, d)
        Their embeddings (computed once).
    codebook : Codebook
    embedder : Embedder
        For the code texts.
    make : callable
        Embedder -> an unfitted suggester (default :func:`new_suggester`).
    on_fit : callable, optional
        Called with each new :class:`Scores` (in the fitting thread).
    """

    def __init__(
        self,
        sentences: Sequence[Sentence],
        vectors: NDArray[np.float32],
        codebook: Codebook,
        embedder: Any,
        *,
        make: Callable[[Any], Any] = new_suggester,
        on_fit: Callable[[Scores], None] | None = None,
    ) -> None:
        self.sentences = list(sentences)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.codebook = codebook
        self.embedder = embedder
        self.make = make
        self.on_fit = on_fit
        self.current: Scores | None = None
        self._status = _Status()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._fits = 0

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, snapshot: Snapshot) -> Scores:
        """Fit now, in this thread; the new scores replace the current ones."""
        started = time.perf_counter()
        view, codings = training_view(self.sentences, snapshot.labels)
        model = self.make(self.embedder)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            extra = {"groups": [s.transcript_id for s in self.sentences]} if _takes_groups(model) else {}
            model.fit(view, self.codebook, codings=codings if len(codings) else None, embeddings=self.vectors,
                      **extra)  # fmt: skip
            proba = np.asarray(model.predict_proba(self.sentences, embeddings=self.vectors), dtype=np.float64)
        applied = np.asarray(model.decide(proba), dtype=bool)
        with self._lock:
            number = self._fits
            self._fits += 1
            previous = self.current
        scores = Scores(fit=number, proba=proba, applied=applied, codes=list(model.codes_),
                        threshold=float(model.threshold_), mode=str(model.mode_), n_training=int(model.n_training_),
                        decisions=snapshot.decisions, seconds=time.perf_counter() - started)  # fmt: skip
        if previous is not None and previous.codes == scores.codes:
            scores = _with_change(scores, previous, self.vectors, snapshot.exclude)
        with self._lock:
            self.current = scores
        if self.on_fit is not None:
            self.on_fit(scores)
        return scores

    def refit_in_background(self, snapshot: Callable[[], Snapshot], decisions: int) -> bool:
        """Start a refit (taking the snapshot when it starts); if one is running, run once more after it.

        Returns ``True`` when a fit was started now.
        """
        with self._lock:
            self._status.requested_at = decisions
            if self._closed:
                return False
            if self._status.fitting:
                self._status.pending = True
                return False
            self._status.fitting, self._status.pending = True, False
            self._status.started = time.time()
            # a daemon thread: stopping the server (Ctrl+C) never waits for a refit; decisions are on disk already
            self._thread = threading.Thread(target=self._run, args=(snapshot,), name="nlpthemes-refit", daemon=True)
            self._thread.start()
            return True

    def _run(self, snapshot: Callable[[], Snapshot]) -> None:
        while True:
            try:
                self.fit(snapshot())
                error = None
            except Exception as exc:  # shown on the page; the review goes on with the last scores
                error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._status.error = error
                if not self._status.pending or self._closed:
                    self._status.fitting = False
                    return
                self._status.pending = False
                self._status.started = time.time()

    def status(self) -> dict[str, Any]:
        """``fitting``, ``pending``, ``error``, ``requested_at`` (decisions when the last refit was asked for)."""
        with self._lock:
            s = self._status
            return {"fitting": s.fitting, "pending": s.pending, "error": s.error, "requested_at": s.requested_at,
                    "running_for": round(time.time() - s.started, 1) if s.fitting else 0.0}  # fmt: skip

    def wait(self, timeout: float | None = None) -> None:
        """Block until no refit is running or pending (tests and the simulation)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError("the refit did not finish in time")

    def close(self) -> None:
        """Start no more refits; a running one finishes in its (daemon) thread, or ends with the process."""
        with self._lock:
            self._closed = True


def _with_change(scores: Scores, previous: Scores, vectors: NDArray[np.float32],
                 exclude: NDArray[np.bool_]) -> Scores:  # fmt: skip
    before = active_order(previous, vectors, exclude, TOP)
    after = active_order(scores, vectors, exclude, TOP)
    open_rows = ~exclude
    changed = int((previous.applied[open_rows] != scores.applied[open_rows]).any(axis=1).sum())
    change = {"top": len(after), "kept": len(set(before) & set(after)), "changed": changed}
    return Scores(**{**scores.__dict__, "change": change})


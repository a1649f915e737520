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
# one place in this many of the "most useful next" queue goes to a code with no example yet: the
# sentence where it stands out most (uncertainty alone never asks about such codes, whose
# probabilities are low; see active_order)
EXPLORE_EVERY = 5


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
    """What a fit learns from: labels of sentences (position -> codes), and which sentences the queue leaves out.

    ``asked``: the positions the coder decided in this review (``None``: every labelled one), from
    which :attr:`Scores.explored` is read; codes given at start were not asked about.
    """

    labels: Mapping[int, Collection[str]]
    exclude: NDArray[np.bool_]
    decisions: int
    asked: Collection[int] | None = None


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
    taught : frozenset of str
        Codes with at least one example among the sentences the fit learned from.
    explored : frozenset of str
        Codes without an example for which a decided sentence is the one where that code
        stands out most among such codes: the coder was asked about them and did not apply
        them there, so the queue does not ask about them again (see :func:`active_order`).
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
    taught: frozenset[str] = frozenset()
    explored: frozenset[str] = frozenset()

    def ranked(self, i: int, k: int) -> list[tuple[str, float, int, bool]]:
        """The ``k`` best codes of sentence ``i``: ``(code, score, rank, applied)``, plus applied codes ranked lower."""
        order = np.argsort(-self.proba[i], kind="stable")
        out = []
        for rank, j in enumerate(order, start=1):
            if rank <= k or self.applied[i, j]:
                out.append((self.codes[j], round(float(self.proba[i, j]), 4), rank, bool(self.applied[i, j])))
        return out


def active_order(scores: Scores, vectors: NDArray[np.float32], exclude: NDArray[np.bool_], n: int, *,
                 explore_every: int = EXPLORE_EVERY) -> list[int]:  # fmt: skip
    """The ``n`` undecided sentences most useful to decide next.

    Mostly the sentences the suggester is least sure of, not near-duplicates of each other
    (:func:`nlpthemes.suggest.next_to_code`). Zero-shot scores have no threshold: the
    median of the sentences' best scores stands in for it. Every ``explore_every``-th place
    (0: none) goes instead to a code that has no example yet and was not asked about already
    (in neither ``scores.taught`` nor ``scores.explored``): the undecided sentence where that
    code stands out most against the other undecided ones (its z-score), one sentence per
    code, the most striking first. Such codes get low probabilities, so uncertainty alone
    would never ask about them; each is asked about once. Replaying human codes as decisions
    (``evaluation/review_sim.py``'s protocol, held-out kappa averaged over the first 400
    decisions, 2-3 seeds) this raised kappa from 0.162 to 0.214 on PDPilot, 0.208 to 0.240
    on AnnoMI, 0.313 to 0.326 on games-as-art and 0.243 to 0.244 on CTRL+Shift; asking about
    such codes again and again instead lowered it on CTRL+Shift and AnnoMI, whose coders
    never use some codes.

    Examples
    --------
    >>> p = np.array([[0.5, 0.01], [0.45, 0.01], [0.55, 0.01], [0.4, 0.01], [0.05, 0.2]])
    >>> s = Scores(0, p, p > 0.5, ["a", "b"], 0.5, "learned", 3, 3, 0.0, taught=frozenset({"a"}))
    >>> v = np.eye(5, dtype=np.float32)
    >>> active_order(s, v, np.zeros(5, dtype=bool), 3, explore_every=0)  # the least sure first
    [0, 1, 2]
    >>> active_order(s, v, np.zeros(5, dtype=bool), 3, explore_every=3)  # "b" has no example yet
    [0, 1, 4]
    """
    from nlpthemes.suggest import next_to_code

    if n <= 0 or exclude.all():
        return []
    explore = _untaught_picks(scores, exclude, n // explore_every if explore_every > 0 else 0)
    if explore:
        exclude = exclude.copy()
        exclude[explore] = True
    uncertain: list[int] = []
    if not exclude.all():
        threshold = scores.threshold
        if not math.isfinite(threshold):
            best = scores.proba[~exclude].max(axis=1)
            threshold = float(np.clip(np.median(best), 1e-3, 1 - 1e-3))
        uncertain = next_to_code(scores.proba, threshold, vectors, exclude=exclude, n=n - len(explore))
    out: list[int] = []
    while explore or uncertain:
        if explore and (len(out) + 1) % explore_every == 0 or not uncertain:
            out.append(explore.pop(0))
        else:
            out.append(uncertain.pop(0))
    return out


def _standing_out(proba: NDArray[np.float64]) -> NDArray[np.float64]:
    """How far each sentence's score for each code stands out: its z-score over the rows given."""
    return np.asarray((proba - proba.mean(axis=0)) / np.maximum(proba.std(axis=0), 1e-9), dtype=np.float64)


def _explored(proba: NDArray[np.float64], codes: list[str], taught: frozenset[str],
              decided: list[int]) -> frozenset[str]:  # fmt: skip
    """The codes without an example that stand out most, among such codes, in a decided sentence.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.9], [0.2, 0.1, 0.1], [0.3, 0.15, 0.2]])
    >>> sorted(_explored(p, ["a", "b", "c"], frozenset({"a"}), [1]))
    ['c']
    """
    untaught = [j for j, c in enumerate(codes) if c not in taught]
    if not untaught or not decided:
        return frozenset()
    z = _standing_out(proba[:, untaught])
    return frozenset(codes[untaught[int(j)]] for j in z[decided].argmax(axis=1))


def _untaught_picks(scores: Scores, exclude: NDArray[np.bool_], k: int) -> list[int]:
    """Up to ``k`` undecided sentences, one per code without an example: where that code stands out most."""
    untaught = [j for j, c in enumerate(scores.codes) if c not in scores.taught and c not in scores.explored]
    if k <= 0 or not untaught:
        return []
    open_rows = np.nonzero(~exclude)[0]
    z = _standing_out(scores.proba[open_rows][:, untaught])
    best_code, best = z.argmax(axis=1), z.max(axis=1)
    picked: list[int] = []
    asked: set[int] = set()
    for i in np.argsort(-best, kind="stable"):
        if len(picked) >= k:
            break
        if int(best_code[i]) not in asked:
            asked.add(int(best_code[i]))
            picked.append(int(open_rows[i]))
    return picked


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
        taught = frozenset(c for codes in snapshot.labels.values() for c in codes) & set(model.codes_)
        asked = list(snapshot.labels) if snapshot.asked is None else list(snapshot.asked)
        explored = _explored(proba, list(model.codes_), taught, asked)
        scores = Scores(fit=number, proba=proba, applied=applied, codes=list(model.codes_),
                        threshold=float(model.threshold_), mode=str(model.mode_), n_training=int(model.n_training_),
                        decisions=snapshot.decisions, seconds=time.perf_counter() - started,
                        taught=taught, explored=explored)  # fmt: skip
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


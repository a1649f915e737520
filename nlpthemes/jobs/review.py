"""The ``review`` job: a coder goes through the machine's suggestions in a local web page.

:func:`prepare_review` reads the inputs, embeds the sentences, replays the
coder's earlier decisions and fits the suggester; :func:`run_review` then
serves the page until interrupted. The session itself is
:class:`nlpthemes.review.ReviewSession`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpthemes.io import ReadOptions
from nlpthemes.jobs._language import corpus_model

__all__ = ["ReviewSummary", "prepare_review", "run_review"]


@dataclass
class ReviewSummary:
    """What a review session left behind."""

    folder: Path
    coder: str
    decided: int
    codings: int
    seconds: float


def prepare_review(
    folder: str | Path,
    *,
    coder: str,
    transcripts: Sequence[str | Path] = (),
    codebook: str | Path | None = None,
    codings: Sequence[str | Path] = (),
    options: ReadOptions = ReadOptions(),
    attributes: str | Path | None = None,
    model: str | None = None,
    refit_every: int = 10,
    top_k: int = 3,
    min_coverage: float = 0.5,
    quiet: bool = True,
    step: Callable[[str], None] | None = None,
) -> Any:
    """Read, embed, replay and fit: a :class:`~nlpthemes.review.ReviewSession` ready to serve.

    Parameters
    ----------
    folder : path
        An ``analyze`` output folder, a folder as ``nlpthemes import`` writes
        it, or (with ``transcripts`` and ``codebook``) any folder: the
        coder's files go to ``folder/review/<coder>/``.
    coder : str
        The coder's name (the ``coder`` column of their ``codings.csv``).
    transcripts, codebook, codings
        The inputs, when not taken from ``folder``.
    options, attributes
        How to read the transcripts.
    model : str, optional
        Embedding model (default: the folder's, else the default embedder, or the
        multilingual one for Korean, Japanese or Chinese transcripts:
        :func:`~nlpthemes.jobs._language.corpus_model`).
    refit_every : int
        Refit after this many new decided sentences (0: only on demand).
    top_k : int
        Suggestions shown per sentence.
    min_coverage : float
        Share of a sentence a span must cover to give it the span's code.
    quiet : bool
        No progress bars.
    step : callable, optional
        Called with the name of each step as it starts.
    """
    from nlpthemes.embed import load_embedder
    from nlpthemes.review import ReviewSession, load_inputs

    def announce(name: str) -> None:
        if step is not None:
            step(name)

    announce("reading transcripts and codebook")
    inputs = load_inputs(folder, transcripts=transcripts, codebook=codebook, codings=codings, options=options,
                         attributes=attributes, model=model)  # fmt: skip
    embedder = load_embedder(corpus_model(inputs.model, inputs.corpus, options.language), cache=True,
                             progress=not quiet)
    announce(f"embedding {len(inputs.sentences)} sentences")
    vectors = embedder.encode([s.text for s in inputs.sentences])
    session = ReviewSession(inputs, coder, embedder=embedder, vectors=vectors, refit_every=refit_every, top_k=top_k,
                            min_coverage=min_coverage)  # fmt: skip
    announce("fitting the suggester")
    session.start()
    return session


def run_review(
    folder: str | Path,
    *,
    coder: str,
    host: str = "127.0.0.1",
    port: int = 0,
    remote: bool = False,
    ready: Callable[[Any], None] | None = None,
    **prepare: Any,
) -> ReviewSummary:
    """Prepare the session (:func:`prepare_review`) and serve it until interrupted.

    ``ready`` is called with the address (``.url`` has the token) once the
    page can be opened; ``remote`` allows a non-loopback ``host``.
    """
    from nlpthemes.review import serve
    from nlpthemes.review._server import bind, check_host

    check_host(host, remote=remote)  # before the long steps: a bad --host or a busy port fails at once
    sock = bind(host, port)
    started = time.perf_counter()
    try:
        session = prepare_review(folder, coder=coder, **prepare)
    except BaseException:
        sock.close()
        raise
    try:
        serve(session, host=host, port=port, remote=remote, ready=ready, sock=sock)
    except KeyboardInterrupt:
        pass
    stats = session.stats()
    return ReviewSummary(session.store.folder, session.coder, stats["decided"], stats["codings"],
                         time.perf_counter() - started)  # fmt: skip

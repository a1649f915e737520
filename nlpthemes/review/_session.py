"""A review session: one coder's decisions, the learning suggester and the views the page reads.

Every method is safe to call from several request threads at once; none waits
for the suggester to refit (that runs in its own thread).
"""

from __future__ import annotations

import bisect
import csv
import json
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes.errors import InputError
from nlpthemes.io._atomic import atomic_text
from nlpthemes.review._agreement import live_agreement
from nlpthemes.review._decisions import CoderState
from nlpthemes.review._inputs import ReviewInputs
from nlpthemes.review._learner import Learner, Scores, Snapshot, active_order, new_suggester
from nlpthemes.review._store import DecisionStore, coder_folder
from nlpthemes.review._training import sentence_labels
from nlpthemes.review._views import code_colours, codebook_tree, snippet, turns

__all__ = ["ORDERS", "ReviewSession"]

ORDERS = ("active", "transcript", "code")
_MAX_MEMO = 10_000


def _hold(folder: Path, coder: str) -> Any:
    """The coder's lock: one session per coder and folder (two would interleave one log); freed if the process dies."""
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(folder, f"{coder!r} is already reviewing this folder in another nlpthemes review: "
                                 "use that page, or stop it first") from None  # fmt: skip
    return lock


class ReviewSession:
    """One coder reviewing the machine's suggestions, the machine learning from each decision.

    Parameters
    ----------
    inputs : ReviewInputs
        Transcripts, sentences, codebook and the codes given at start.
    coder : str
        The coder's name (their files: ``review/<coder>/`` in ``inputs.folder``).
    embedder : Embedder
        Embeds the sentences (once) and the code texts.
    vectors : array, optional
        The sentences' embeddings, when already computed.
    refit_every : int
        Refit after this many new decided sentences (0: only on demand).
    top_k : int
        Suggestions shown per sentence.
    min_coverage : float
        Share of a sentence a span must cover to give it the span's code.
    make : callable
        Embedder -> unfitted suggester (default: :func:`~nlpthemes.review._learner.new_suggester`).
    """

    def __init__(self, inputs: ReviewInputs, coder: str, *, embedder: Any, vectors: Any = None,
                 refit_every: int = 10, top_k: int = 3, min_coverage: float = 0.5,
                 make: Callable[[Any], Any] = new_suggester) -> None:  # fmt: skip
        if refit_every < 0 or top_k < 1 or not 0 <= min_coverage <= 1:
            raise InputError(None, "refit_every must be >= 0, top_k >= 1 and min_coverage between 0 and 1")
        self.inputs = inputs
        self.codebook = inputs.codebook
        self.sentences = inputs.sentences
        self.refit_every, self.top_k, self.min_coverage = refit_every, top_k, min_coverage
        self.row = {(s.transcript_id, s.index): i for i, s in enumerate(self.sentences)}
        self.rows_of: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            self.rows_of.setdefault(s.transcript_id, []).append(i)
        self.starts = {t: [self.sentences[i].start for i in rows] for t, rows in self.rows_of.items()}
        self.interviewer = np.array([s.is_interviewer for s in self.sentences], dtype=bool)
        self.texts = {t.id: t.text for t in inputs.corpus.transcripts}
        self.codable = {self.codebook.ref(c) for c in self.codebook if c.codable}
        self.names = {self.codebook.ref(c): c.name for c in self.codebook}
        self.base = sentence_labels(self.sentences, inputs.codings, min_coverage=min_coverage)
        self._file_lock = _hold(coder_folder(inputs.folder, coder), coder)
        self.store = DecisionStore(inputs.folder, coder, {k: (self.sentences[i].start, self.sentences[i].end)
                                                          for k, i in self.row.items()})  # fmt: skip
        self.coder = self.store.coder
        self.warnings = [*inputs.warnings, *self.store.warnings]
        if vectors is None:
            vectors = embedder.encode([s.text for s in self.sentences])
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self._lock = threading.RLock()
        self._labels = self._coder_labels(self.store.state)
        self._suggestion_rows: dict[int, list[tuple[Any, ...]]] = {}
        self.learner = Learner(self.sentences, self.vectors, self.codebook, embedder, make=make, on_fit=self._fitted)
        self._last_refit_at = len(self._labels)

    # -- labels -----------------------------------------------------------------------------
    def _covered(self, transcript: str, start: int, end: int, *, share: float) -> list[int]:
        rows, starts = self.rows_of.get(transcript, []), self.starts.get(transcript, [])
        out = []
        for k in range(max(0, bisect.bisect_right(starts, start) - 1), len(rows)):
            s = self.sentences[rows[k]]
            if s.start >= end:
                break
            overlap = min(end, s.end) - max(start, s.start)
            if overlap > 0 and overlap >= share * (s.end - s.start):
                out.append(rows[k])
        return out

    def _coder_labels(self, state: CoderState) -> dict[int, set[str]]:
        """Decided sentence -> the coder's codes there, in the order first decided."""
        labels: dict[int, set[str]] = {}
        for key in state.touched:
            if key in self.row:
                labels[self.row[key]] = set()
        for coding in state.codings.values():
            anchor = self.row.get((coding.transcript, coding.sentence))
            covered = self._covered(coding.transcript, coding.start, coding.end, share=self.min_coverage)
            for i in ([anchor] if anchor is not None else []) + covered:
                labels.setdefault(i, set()).add(coding.code)
        return labels

    def _snapshot(self) -> Snapshot:
        with self._lock:
            labels: dict[int, frozenset[str]] = dict(self.base)
            labels.update({i: frozenset(v) for i, v in self._labels.items()})
            return Snapshot(labels=labels, exclude=self._exclude(labels), decisions=len(self._labels),
                            asked=list(self._labels))  # fmt: skip

    def _exclude(self, labelled: Mapping[int, Any]) -> NDArray[np.bool_]:
        exclude = self.interviewer.copy()
        exclude[list(labelled)] = True
        return exclude

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> Scores:
        """Fit the suggester on what is known now (in this thread); the page is served after this."""
        return self.learner.fit(self._snapshot())

    def close(self) -> None:
        """Stop refitting and let another session of this coder start."""
        self.learner.close()
        self._file_lock.release()

    @property
    def scores(self) -> Scores:
        scores = self.learner.current
        if scores is None:
            raise RuntimeError("the session was not started (call start())")
        return scores

    def _fitted(self, scores: Scores) -> None:
        """After each fit: the machine's remaining suggestions and a line of the learning log."""
        rows = {i: [(s.transcript_id, s.index, s.start, s.end, s.text, code, score, rank, int(applied))
                    for code, score, rank, applied in scores.ranked(i, self.top_k)]
                for i, s in enumerate(self.sentences) if not s.is_interviewer}  # fmt: skip
        with self._lock:
            self._suggestion_rows = rows
            self._write_remaining()
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "fit": scores.fit, "decisions": scores.decisions,
                "mode": scores.mode, "threshold": None if np.isnan(scores.threshold) else scores.threshold,
                "n_training": scores.n_training, "seconds": round(scores.seconds, 3), "change": scores.change}
        with open(self.store.folder / "learning.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def _write_remaining(self) -> None:
        """``suggestions.csv``: the latest suggestions for the sentences not decided yet (kept in step)."""
        from nlpthemes.suggest import SUGGESTION_COLUMNS

        with atomic_text(self.store.folder / "suggestions.csv", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SUGGESTION_COLUMNS)
            for i, rows in self._suggestion_rows.items():
                if i not in self._labels:
                    writer.writerows(rows)

    def _maybe_refit(self, force: bool = False) -> bool:
        decided = len(self._labels)
        due = self.refit_every > 0 and decided - self._last_refit_at >= self.refit_every
        if not (force or due):
            return False
        self._last_refit_at = decided
        self.learner.refit_in_background(self._snapshot, decided)
        return True

    def refit(self) -> dict[str, Any]:
        """Refit now (in the background)."""
        with self._lock:
            self._maybe_refit(force=True)
        return self.stats()

    # -- decisions ----------------------------------------------------------------------------
    def _sentence(self, payload: Mapping[str, Any]) -> int:
        try:
            key = (str(payload["transcript"]), int(payload["sentence"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(None, "a decision needs 'transcript' and 'sentence' (a number)") from None
        if key not in self.row:
            raise InputError(None, f"no sentence {key[1]} in transcript {key[0]!r}")
        return self.row[key]

    def _code(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.codable:
            raise InputError(None, f"{value!r} is not a codable code of the codebook")
        return value

    def _machine(self, i: int) -> dict[str, Any]:
        scores = self.scores
        return {"machine": [c for c, _, _, applied in scores.ranked(i, 0) if applied], "fit": scores.fit}

    def _check(self, payload: Mapping[str, Any]) -> tuple[dict[str, Any], list[int]]:
        """The decision to log (validated, with the machine's view added) and the sentences it touches."""
        kind = payload.get("op")
        if kind not in ("apply", "reject", "remove", "memo"):
            raise InputError(None, f"unknown decision {kind!r}; use one of: apply, reject, remove, memo")
        if kind == "remove":
            target = str(payload.get("target", ""))
            coding = self.store.state.codings.get(target)
            if coding is None:
                raise InputError(None, "no such applied code (already removed?)")
            return {"op": "remove", "target": target}, self._touching(coding.transcript, coding.start, coding.end)
        i = self._sentence(payload)
        s = self.sentences[i]
        base = {"transcript": s.transcript_id, "sentence": s.index}
        if kind == "apply":
            code = self._code(payload.get("code"))
            try:
                start, end = int(payload.get("start", s.start)), int(payload.get("end", s.end))
            except (TypeError, ValueError):
                raise InputError(None, "start and end must be numbers") from None
            if not 0 <= start < end <= len(self.texts[s.transcript_id]) or end <= s.start or start >= s.end:
                raise InputError(None, f"span [{start}, {end}) must lie in the transcript and overlap the sentence")
            if any((c.transcript, c.start, c.end, c.code) == (s.transcript_id, start, end, code)
                   for c in self.store.state.codings.values()):
                raise InputError(None, f"{code!r} is already applied to that span")
            j = self.scores.codes.index(code) if code in self.scores.codes else None
            extra = {"score": None if j is None else round(float(self.scores.proba[i, j]), 4),
                     "source": "suggestion" if payload.get("source") == "suggestion" else "chosen"}  # fmt: skip
            op = {"op": "apply", **base, "start": start, "end": end, "code": code, **extra, **self._machine(i)}
            return op, sorted({i, *self._touching(s.transcript_id, start, end)})
        if kind == "memo":
            text = payload.get("text", "")
            if not isinstance(text, str) or len(text) > _MAX_MEMO:
                raise InputError(None, f"a memo is text of at most {_MAX_MEMO} characters")
            return {"op": "memo", **base, "text": text}, [i]
        return {"op": "reject", **base, "codes": [self._code(c) for c in self._codes(payload)], **self._machine(i)}, [i]

    @staticmethod
    def _codes(payload: Mapping[str, Any]) -> list[Any]:
        codes = payload.get("codes", [])
        if not isinstance(codes, list):
            raise InputError(None, "'codes' must be a list")
        return codes

    def _touching(self, transcript: str, start: int, end: int) -> list[int]:
        return self._covered(transcript, start, end, share=0.0)

    def decide(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Log one decision (on disk before this returns); return the sentences it changed and the stats."""
        if not isinstance(payload, Mapping):
            raise InputError(None, "a decision is a JSON object")
        with self._lock:
            op, touched = self._check(payload)
            state = self.store.append(op)
            self._labels = self._coder_labels(state)
            self._write_remaining()
            self._maybe_refit()
            return {"sentences": [self.sentence_view(i) for i in touched], "stats": self.stats()}

    def undo(self) -> dict[str, Any]:
        """Take back the latest decision still in force; return the sentences it changed (``focus``: where it was)."""
        with self._lock:
            last = self.store.state.last()
            if last is None:
                raise InputError(None, "nothing to undo")
            if last["op"] == "remove":
                coding = next((fold_op for fold_op in self.store.state.effective if fold_op.get("id") == last["target"]),
                              None)  # fmt: skip
                span = coding if coding is not None else {}
            else:
                span = last
            transcript = str(span.get("transcript", ""))
            touched = set(self._touching(transcript, int(span["start"]), int(span["end"]))) if "start" in span else set()
            if "sentence" in span and (transcript, int(span["sentence"])) in self.row:
                touched.add(self.row[(transcript, int(span["sentence"]))])
            state = self.store.append({"op": "undo", "target": last["id"]})
            self._labels = self._coder_labels(state)
            self._write_remaining()
            focus = min(touched) if touched else None
            return {"undone": last["op"], "sentences": [self.sentence_view(i) for i in sorted(touched)],
                    "focus": None if focus is None else {"transcript": self.sentences[focus].transcript_id,
                                                         "sentence": self.sentences[focus].index},
                    "stats": self.stats()}  # fmt: skip

    # -- views ---------------------------------------------------------------------------------
    def sentence_view(self, i: int) -> dict[str, Any]:
        """One sentence with the machine's suggestions and the coder's codes, rejections and memo."""
        s = self.sentences[i]
        key = (s.transcript_id, s.index)
        state = self.store.state
        codings = [{"id": c.id, "code": c.code, "start": c.start, "end": c.end, "anchor": c.sentence == s.index}
                   for c in state.codings.values()
                   if c.transcript == s.transcript_id and c.start < s.end and c.end > s.start]  # fmt: skip
        suggestions = [] if s.is_interviewer else [
            {"code": c, "score": score, "rank": rank, "applied": applied}
            for c, score, rank, applied in self.scores.ranked(i, self.top_k)]  # fmt: skip
        return {"transcript": s.transcript_id, "sentence": s.index, "start": s.start, "end": s.end, "text": s.text,
                "speaker": s.speaker or "", "interviewer": s.is_interviewer, "suggestions": suggestions,
                "codings": codings, "rejected": sorted(state.rejected.get(key, ())), "memo": state.memos.get(key, ""),
                "decided": i in self._labels, "given": sorted(self.base.get(i, ()))}  # fmt: skip

    def transcript(self, transcript: str) -> dict[str, Any]:
        """A transcript as speaker turns, every sentence with its :meth:`sentence_view`, and for a survey
        answer the question it answers (``None`` otherwise)."""
        rows = self.rows_of.get(transcript)
        if rows is None:
            raise KeyError(transcript)
        with self._lock:
            sentences = [self.sentence_view(i) for i in rows]
        question = next((self.sentences[i].attributes["question"] for i in rows
                         if self.sentences[i].attributes.get("question")), None)  # fmt: skip
        return {"id": transcript, "question": question, "turns": turns([self.sentences[i] for i in rows]),
                "sentences": sentences}  # fmt: skip

    def queue(self, order: str = "active", *, code: str | None = None, after: tuple[str, int] | None = None,
              limit: int = 50) -> list[dict[str, Any]]:  # fmt: skip
        """The undecided participant sentences to review next, in the given order.

        ``active``: most useful to decide next (uncertain, varied); ``transcript``:
        in reading order from ``after``; ``code``: most likely to have ``code``
        first (all codes: grouped by the best code, in codebook order).
        """
        if order not in ORDERS:
            raise InputError(None, f"order={order!r} is not allowed; use one of: {', '.join(ORDERS)}")
        limit = max(1, min(int(limit), 500))
        scores = self.scores
        with self._lock:
            exclude = self.interviewer.copy()
            exclude[list(self._labels)] = True
        if order == "active":
            exclude[list(self.base)] = True  # codes given at start: nothing new to learn there
            picked = active_order(scores, self.vectors, exclude, limit)
        elif order == "transcript":
            start = 0 if after is None or after not in self.row else self.row[after] + 1
            candidates = [i for i in range(len(self.sentences)) if not exclude[i]]
            picked = [i for i in candidates if i >= start][:limit] or candidates[:limit]
        else:
            if code is not None and code not in scores.codes:
                raise InputError(None, f"{code!r} is not a code the suggester scores")
            open_rows = np.nonzero(~exclude)[0]
            if code is not None:
                j = scores.codes.index(code)
                picked = [int(i) for i in open_rows[np.argsort(-scores.proba[open_rows, j], kind="stable")][:limit]]
            else:
                position = {c: n for n, c in enumerate(self.codebook.ref(c) for c in self.codebook.walk())}
                best = scores.proba[open_rows].argmax(axis=1)
                keys = [(position.get(scores.codes[b], 0), -scores.proba[i, b]) for i, b in zip(open_rows, best, strict=True)]
                picked = [int(open_rows[k]) for k in sorted(range(len(keys)), key=keys.__getitem__)][:limit]
        return [{"transcript": self.sentences[i].transcript_id, "sentence": self.sentences[i].index,
                 "text": snippet(self.sentences[i].text), "top": scores.ranked(i, 1)[0][:2]} for i in picked]  # fmt: skip

    def overview(self) -> dict[str, Any]:
        """What the page needs once: coder, codebook tree with colours, transcripts, warnings."""
        transcripts = [{"id": t, "sentences": len(rows),
                        "participant": int(sum(not self.sentences[i].is_interviewer for i in rows))}
                       for t, rows in self.rows_of.items()]  # fmt: skip
        return {"coder": self.coder, "codebook": codebook_tree(self.codebook), "colours": code_colours(self.codebook),
                "transcripts": transcripts, "top_k": self.top_k, "refit_every": self.refit_every,
                "warnings": self.warnings, "folder": str(self.store.folder), "stats": self.stats()}  # fmt: skip

    def stats(self) -> dict[str, Any]:
        """Decisions so far, live coder-machine agreement, the learner's state."""
        with self._lock:
            state = self.store.state
            labels = dict(self._labels)
            units = [(self.row[k], op) for k, op in state.touched.items()
                     if k in self.row and "machine" in op and not self.interviewer[self.row[k]]]  # fmt: skip
        agreement = live_agreement([labels.get(i, set()) for i, _ in units], [set(op["machine"]) for _, op in units],
                                   names=self.names)  # fmt: skip
        scores = self.scores
        learner = {
            "fit": scores.fit, "mode": scores.mode, "n_training": scores.n_training, "decisions": scores.decisions,
            "threshold": None if np.isnan(scores.threshold) else round(scores.threshold, 3),
            "seconds": round(scores.seconds, 2), "change": scores.change, **self.learner.status(),
            "next_refit_in": None if self.refit_every == 0 else max(0, self.refit_every - (len(labels) - self._last_refit_at)),
        }  # fmt: skip
        open_rows = int((~self.interviewer).sum()) - sum(1 for i in labels if not self.interviewer[i])
        return {"decided": len(labels), "codings": len(state.codings), "memos": len(state.memos),
                "log": self.store.count, "undecided": open_rows, "agreement": agreement, "learner": learner,
                "can_undo": state.last() is not None}  # fmt: skip

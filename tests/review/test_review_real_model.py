"""A review on the shipped PDPilot sample with the real packaged model: from zero-shot to learned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from nlpthemes.io import ReadOptions
from nlpthemes.review import ReviewSession, load_inputs, sentence_labels

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "pdpilot"


@pytest.mark.slow
def test_a_review_of_real_interviews_teaches_the_suggester(tmp_path: Path, real_embedder: Any) -> None:
    inputs = load_inputs(tmp_path, transcripts=[SAMPLE / "transcripts"], codebook=SAMPLE / "codebook.csv",
                         options=ReadOptions(interviewers=("Dan",)))  # fmt: skip
    session = ReviewSession(inputs, "ana", embedder=real_embedder, refit_every=0)
    try:
        assert session.start().mode == "zero-shot"
        # the authors' codes of the first interview, replayed as the coder's decisions
        human = pd.read_csv(SAMPLE / "codings.csv")
        first = sorted(human["transcript"])[0]
        truth = sentence_labels(inputs.sentences, human[human["transcript"] == first], min_coverage=0.5)
        refs = {c.name: inputs.codebook.ref(c) for c in inputs.codebook}
        decided = 0
        for i, codes in sorted(truth.items()):
            s = inputs.sentences[i]
            if s.is_interviewer:
                continue
            for code in sorted(codes):
                session.decide({"op": "apply", "transcript": s.transcript_id, "sentence": s.index,
                                "code": refs.get(code, code)})  # fmt: skip
            if not codes:
                session.decide({"op": "reject", "transcript": s.transcript_id, "sentence": s.index, "codes": []})
            decided += 1
        session.refit()
        session.learner.wait(600)
        scores = session.scores
        assert scores.mode == "learned" and scores.decisions == decided and scores.n_training == decided
        assert scores.change is not None and scores.change["top"] == 20
        stats = session.stats()
        assert stats["decided"] == decided and stats["agreement"]["n_units"] == decided
        assert stats["agreement"]["overall"] is not None
        # codes the first interview never used get a place in five of the "most useful next" queue:
        # the sentences where one of them stands out most (uncertainty alone never asks about them)
        decided_rows = {i for i in truth if not inputs.sentences[i].is_interviewer}
        assert scores.taught == frozenset(refs.get(c, c) for i in decided_rows for c in truth[i]) & set(scores.codes)
        untaught = [j for j, c in enumerate(scores.codes) if c not in scores.taught]
        assert 0 < len(untaught) < len(scores.codes)
        rows = [session.row[(q["transcript"], q["sentence"])] for q in session.queue("active", limit=50)]
        open_rows = [i for i, x in enumerate(inputs.sentences) if not x.is_interviewer and i not in decided_rows]
        p = scores.proba[open_rows][:, untaught]
        stands_out = dict(zip(open_rows, ((p - p.mean(axis=0)) / p.std(axis=0)).max(axis=1), strict=True))
        explored = rows[4::5]
        assert len(explored) == 10 and len(set(rows)) == 50
        assert min(stands_out[i] for i in explored) > np.quantile(list(stands_out.values()), 0.9)
        remaining = pd.read_csv(session.store.folder / "suggestions.csv")
        assert first not in set(remaining["transcript"]) or set(remaining[remaining["transcript"] == first]["sentence"]) \
            .isdisjoint({inputs.sentences[i].index for i in truth})  # fmt: skip
    finally:
        session.close()

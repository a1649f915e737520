"""Judges that read both texts: the fine-tuned cross-encoder (packaged MiniLM + a pair head) and
the ms-marco reranker (installed with ``nlpthemes models install ms-marco-minilm-l12``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import ModelNotFoundError
from nlpthemes.suggest import JudgedSuggester, _scorers, load_suggester
from nlpthemes.suggest._cross import PairEncoder

pytestmark = pytest.mark.slow

BOOK = Codebook([Code("f", "Funding", "Money, grants, donations and budgets."),
                 Code("v", "Volunteers", "Unpaid helpers and their work."),
                 Code("t", "Trust", "Trust and suspicion between organisations.")])  # fmt: skip
LINES = {
    "Funding": ["We live on a government grant.", "Donations fell this year.", "The budget is tight.",
                "We applied for more money."],
    "Volunteers": ["Twenty volunteers help on weekends.", "Our helpers are unpaid.", "Volunteers run the shop.",
                   "We train new volunteers."],
    "Trust": ["They suspect our motives.", "We do not trust the ministry.", "Trust took years to build.",
              "Their suspicion hurt us."],
}  # fmt: skip


def _study() -> tuple[list[Sentence], pd.DataFrame]:
    sentences, rows = [], []
    for t in range(4):
        pos = 0
        for k in range(12):
            code = list(LINES)[(k + t) % 3]
            text = LINES[code][(k + t) % 4]
            sentences.append(Sentence(f"p{t}", k, pos, pos + len(text), text, speaker="P", turn=k))
            rows.append({"transcript": f"p{t}", "start": pos, "end": pos + len(text), "code": code, "coder": "h"})
            pos += len(text) + 1
    return sentences, pd.DataFrame(rows)


def test_pair_encoder_learns_pairs_and_saves() -> None:
    a = [text for texts in LINES.values() for text in texts] * 2
    b = [code for code, texts in LINES.items() for _ in texts] + [list(LINES)[(i + 1) % 3] for i in range(12)]
    y = [True] * 12 + [False] * 12
    encoder = PairEncoder(max_steps=30, epochs=10, batch_size=8, device="cpu", learning_rate=1e-4).fit(a, b, y)
    assert len(encoder.history_) == 30 and encoder.history_[-1] < encoder.history_[0]
    logits = encoder.decision_function(a, b)
    assert logits[:12].mean() > logits[12:].mean()


def test_cross_encoder_judge_fits_scores_and_reloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentences, codings = _study()
    quick = _scorers.CrossEncoderPairScorer
    monkeypatch.setattr(_scorers, "CrossEncoderPairScorer",
                        lambda **kw: quick(**{**kw, "max_steps": 8, "device": "cpu"}))  # fmt: skip
    train = codings[codings["transcript"].isin(["p0", "p1", "p2"])]
    model = JudgedSuggester(embedder=FakeEmbedder(dimension=32), judge="cross-encoder").fit(sentences, BOOK,
                                                                                            codings=train)  # fmt: skip
    assert model.stage_ == "judge"
    held = [s for s in sentences if s.transcript_id == "p3"]
    proba = model.predict_proba(held)
    assert proba.shape == (12, 3) and np.isfinite(proba).all()
    folder = model.save(tmp_path / "suggester")
    if model.scorer_ is not None:  # kept only when its score helped out of fold
        assert (folder / "cross_encoder_0" / "model.safetensors").is_file()
    again = load_suggester(folder, embedder=FakeEmbedder(dimension=32))
    np.testing.assert_allclose(again.predict_proba(held), proba, atol=1e-5)


def _reranker() -> Path:
    pytest.importorskip("onnxruntime")
    from nlpthemes.models import require_model

    try:
        return require_model("ms-marco-minilm-l12", kind="reranker")[1]
    except ModelNotFoundError as exc:
        pytest.skip(str(exc))


def test_zero_shot_reranker_judge_picks_the_relevant_code() -> None:
    _reranker()
    sentences, _ = _study()
    model = JudgedSuggester(embedder=FakeEmbedder(dimension=32), judge="reranker").fit(sentences, BOOK)
    assert model.stage_ == "zero-shot judge"
    proba = model.predict_proba(sentences[:12])
    best = [model.codes_[i] for i in proba.argmax(axis=1)]
    truth = [list(LINES)[k % 3] for k in range(12)]
    assert np.mean([b == t for b, t in zip(best, truth, strict=True)]) >= 0.75, (best, truth)


def test_reranker_pads_each_batch_to_its_longest_pair_only() -> None:
    # the shipped tokenizer.json pads every pair to 512 tokens: scoring was ten times slower
    from nlpthemes.suggest._cross import RerankerScorer

    scorer = RerankerScorer(model_dir=_reranker(), max_length=256)
    _, tokenizer = scorer._session()
    pair = tokenizer.encode("We ran out of money.", "Funding: money from grants")
    assert tokenizer.padding is None and len(pair.ids) < 20
    logits = scorer.decision_function(["We ran out of money.", "The weather was nice."],
                                      ["Funding: money from grants"] * 2)  # fmt: skip
    assert logits[0] > logits[1]

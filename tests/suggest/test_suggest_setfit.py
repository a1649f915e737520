"""The SetFit judge: the packaged MiniLM fine-tuned on the coder's codes, with a prototype head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.suggest import JudgedSuggester, _scorers, load_suggester
from nlpthemes.suggest._setfit import SetFitPairScorer, checkpoints

pytestmark = pytest.mark.slow

# codes named by letters only: the codebook's words say nothing, the coder's examples say it all
BOOK = Codebook([Code("a", "Code A", ""), Code("b", "Code B", ""), Code("c", "Code C", "")])
LINES = {
    "Code A": ["We live on a government grant.", "Donations fell this year.", "The budget is tight.",
               "We applied for more money.", "Our funders cut the grant.", "Cash runs out in March."],
    "Code B": ["Twenty volunteers help on weekends.", "Our helpers are unpaid.", "Volunteers run the shop.",
               "We train new volunteers.", "Students give their free time.", "Retired people lend a hand."],
    "Code C": ["They suspect our motives.", "We do not trust the ministry.", "Trust took years to build.",
               "Their suspicion hurt us.", "Nobody believed our promises.", "We doubt what officials say."],
}  # fmt: skip
# new sentences in new words, as a later interview brings them
NEW = {"Code A": ["Funding is our biggest worry.", "The foundation paid for the van."],
       "Code B": ["Unpaid neighbours cook the meals.", "A dozen helpers came on Sunday."],
       "Code C": ["The officials lied to us again.", "They never believed a word we said."]}  # fmt: skip


def _study(n: int = 6) -> tuple[list[Sentence], pd.DataFrame]:
    sentences, rows = [], []
    for t in range(n):
        pos = 0
        for k in range(12):
            code = list(LINES)[(k + t) % 3]
            text = LINES[code][(k + 2 * t) % 6]
            sentences.append(Sentence(f"p{t}", k, pos, pos + len(text), text, speaker="P", turn=k))
            rows.append({"transcript": f"p{t}", "start": pos, "end": pos + len(text), "code": code, "coder": "h"})
            pos += len(text) + 1
    return sentences, pd.DataFrame(rows)


def test_checkpoints_double_up_to_the_pairs_there_are() -> None:
    assert checkpoints(1000) == [256, 512, 1000]
    assert checkpoints(256) == [256]


def test_setfit_scores_are_honest_and_stop_early() -> None:
    from nlpthemes.suggest._scorers import PairTask

    sentences, _ = _study(4)
    names = list(LINES)
    labels = np.array([[s.text in LINES[c] for c in names] for s in sentences])
    task = PairTask(sentences, [s.text for s in sentences], names, names,
                    np.zeros((len(sentences), 2), np.float32), labels)  # fmt: skip
    rows = np.arange(len(sentences))
    candidates = np.ones((len(rows), 3), dtype=bool)
    scorer = SetFitPairScorer(max_pairs=96, device="cpu")
    scores = scorer.fit(task, rows, candidates)
    # each half is scored by the model trained on the other half: its codes still come out on top
    assert np.isfinite(scores).all() and (scores.argmax(axis=1) == labels.argmax(axis=1)).mean() > 0.8
    assert len(scorer.models_) == 2 and all(u in (0, *checkpoints(96)) for u in scorer.pairs_used_)
    again = scorer.score(task, rows[:5], candidates[:5])
    assert again.shape == (5, 3) and np.isfinite(again).all()
    assert scorer.describe()["pairs_used"] == scorer.pairs_used_


def test_setfit_judge_learns_codes_named_by_letters_and_reloads(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    sentences, codings = _study()
    quick = SetFitPairScorer
    monkeypatch.setattr("nlpthemes.suggest._setfit.SetFitPairScorer",
                        lambda **kw: quick(**{**kw, "max_pairs": 96, "device": "cpu"}))  # fmt: skip
    train = codings[codings["transcript"].isin(["p0", "p1", "p2", "p3"])]
    emb = FakeEmbedder(dimension=16)
    model = JudgedSuggester(embedder=emb, judge="setfit").fit(sentences, BOOK, codings=train)
    plain = JudgedSuggester(embedder=emb).fit(sentences, BOOK, codings=train)
    # hashed words cannot tell the paraphrases apart; the fine-tuned MiniLM can, and the judge keeps it
    assert model.stage_ == "judge" and model.feature_set_.endswith("+setfit")
    assert model.cv_kappa_ is not None and plain.cv_kappa_ is not None and model.cv_kappa_ > plain.cv_kappa_
    texts = [t for lines in NEW.values() for t in lines]
    held = [Sentence(f"new{k}", 0, 0, len(text), text, speaker="P") for k, text in enumerate(texts)]  # answers
    proba = model.predict_proba(held)
    truth = np.array([[s.text in NEW[c] for c in ("Code A", "Code B", "Code C")] for s in held])
    assert (proba.argmax(axis=1) == truth.argmax(axis=1)).mean() > (
        plain.predict_proba(held).argmax(axis=1) == truth.argmax(axis=1)).mean()
    folder = model.save(tmp_path / "suggester")
    assert (folder / "setfit_0").is_dir() and (folder / "setfit_1").is_dir()
    again = load_suggester(folder, embedder=emb)
    assert again.scorer_ is not None and again.scorer_.name == "setfit"
    np.testing.assert_allclose(again.predict_proba(held), proba, atol=1e-5)
    assert _scorers.make_scorer(model).name == "setfit"


def test_a_missing_base_model_folder_is_named(tmp_path: Path) -> None:
    from nlpthemes.errors import ModelNotFoundError

    sentences, codings = _study(2)
    with pytest.raises(ModelNotFoundError, match="setfit: model folder .*nowhere.* not found"):
        JudgedSuggester(embedder=FakeEmbedder(), judge="setfit",
                        judge_model=str(tmp_path / "nowhere")).fit(sentences, BOOK, codings=codings)  # fmt: skip

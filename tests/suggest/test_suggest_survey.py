"""Survey answers: the judge learns which codes belong to which question."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.segment import segment_corpus
from nlpthemes.suggest import CodeSuggester, JudgedSuggester, load_suggester

LIKED = "What did you like most about your stay?"
CHANGE = "What should the hotel change first?"
# the same short answers are given to both questions; only the question tells the codes apart
TOPICS = {
    "food": ["The breakfast buffet.", "The food in the restaurant.", "Breakfast, and the coffee."],
    "staff": ["The staff at the front desk.", "The people who work there.", "The reception team."],
    "room": ["The room itself.", "The beds and the pillows.", "The size of the rooms."],
}


def _survey(path: Path, n: int) -> pd.DataFrame:
    """``n`` respondents answering both questions, and the codes a coder gave each answer."""
    rng = np.random.default_rng(0)
    rows, codes = [], []
    for i in range(n):
        liked, change = rng.choice(list(TOPICS), size=2, replace=False)
        answers = (str(rng.choice(TOPICS[liked])), str(rng.choice(TOPICS[change])))
        rows.append({"id": f"r{i:02d}", "group": "guest", LIKED: answers[0], CHANGE: answers[1]})
        for q, topic, answer in (("Q1", liked, answers[0]), ("Q2", change, answers[1])):
            prefix = "liked" if q == "Q1" else "change"
            codes.append({"transcript": f"r{i:02d} {q}", "start": 0, "end": len(answer),
                          "code": f"{prefix} {topic}", "coder": "ana"})  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "group", LIKED, CHANGE])
        writer.writeheader()
        writer.writerows(rows)
    return pd.DataFrame(codes)


def test_the_question_an_answer_belongs_to_decides_its_code(real_embedder, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    codings = _survey(tmp_path / "survey.csv", 40)
    # answers of a few words: the question columns are named (they are too short to be found)
    corpus = read_corpus([tmp_path / "survey.csv"], ReadOptions(text_column=(LIKED, CHANGE)))
    sentences = segment_corpus(corpus)
    assert {s.attributes["question"] for s in sentences} == {LIKED, CHANGE}
    codebook = Codebook([Code(f"{p} {t}", f"{p} {t}") for p in ("liked", "change") for t in TOPICS])
    train = {f"r{i:02d} {q}" for i in range(24) for q in ("Q1", "Q2")}
    held = [s for s in sentences if s.transcript_id not in train]
    gold = {(c.transcript, c.code) for c in codings.itertuples()}

    def accuracy(model: JudgedSuggester, query: list) -> float:  # type: ignore[type-arg]
        best = np.asarray(model.predict_proba(query)).argmax(axis=1)
        return float(np.mean([(s.transcript_id, model.codes_[int(j)]) in gold for s, j in zip(query, best, strict=True)]))

    model = JudgedSuggester(embedder=real_embedder).fit(
        sentences, codebook, codings=codings[codings["transcript"].isin(train)])
    assert model.stage_ == "judge" and model.retriever_.question_weight_ > 0  # the question read with the answer
    asked = accuracy(model, held)  # 1.0 when measured
    # the same answers without their questions: "The breakfast buffet." is liked or to change, at random
    bare = [dataclasses.replace(s, attributes={}) for s in sentences]
    blind = JudgedSuggester(embedder=real_embedder).fit(bare, codebook, codings=codings[codings["transcript"].isin(train)])
    unasked = accuracy(blind, [s for s in bare if s.transcript_id not in train])  # 0.69
    assert asked >= 0.9 and unasked <= 0.7, (asked, unasked)
    # today's suggester alone (the retriever) reads the question with the answer too
    retriever = CodeSuggester(embedder=real_embedder).fit(sentences, codebook,
                                                          codings=codings[codings["transcript"].isin(train)])
    assert retriever.question_weight_ > 0 and accuracy(retriever, held) >= 0.9  # type: ignore[arg-type]
    # the judge without the question's text still learns which codes belong to which question (code rates)
    monkeypatch.setattr("nlpthemes.suggest._model._QUESTION_WEIGHTS", (0.0,))
    unread = JudgedSuggester(embedder=real_embedder).fit(sentences, codebook,
                                                         codings=codings[codings["transcript"].isin(train)])
    assert unread.retriever_.question_weight_ == 0 and accuracy(unread, held) >= 0.9
    # kept with the saved judge
    again = load_suggester(model.save(tmp_path / "judge"), embedder=real_embedder)
    assert np.array_equal(again.predict_proba(held), model.predict_proba(held))

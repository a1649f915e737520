"""CodeSuggester: the estimator contract, zero-shot and learned suggestions on real text."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlpthemes.codings import check_codes, read_codings
from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError, NotFittedError
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.segment import segment_corpus
from nlpthemes.suggest import CodeSuggester, suggestion_rows
from nlpthemes.suggest._calibrate import mean_kappa

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest"


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    c = read_corpus([DATA / "p1.txt", DATA / "p2.txt"], ReadOptions())
    return c, segment_corpus(c), read_codebook(DATA / "codebook.csv")


def test_constructor_only_stores_parameters() -> None:
    model = CodeSuggester(top_k=5, threshold=0.3)
    assert vars(model) == model.get_params()
    clone = type(model)(**model.get_params())
    assert clone.get_params() == model.get_params()


def test_fit_does_not_change_parameters(corpus) -> None:  # type: ignore[no-untyped-def]
    _, sentences, book = corpus
    model = CodeSuggester(embedder=FakeEmbedder(dimension=32))
    before = copy.copy(model.get_params())
    model.fit(sentences, book)
    assert model.get_params() == before
    assert model.mode_ == "zero-shot" and model.context_weight_ == 1.0


def test_not_fitted_error(corpus) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFittedError, match="not fitted"):
        CodeSuggester(embedder=FakeEmbedder()).predict_proba(corpus[1])


@pytest.mark.parametrize(
    ("params", "message"),
    [({"top_k": 0}, "top_k"), ({"threshold": "best"}, "threshold must be a number or 'auto'"),
     ({"context_weight": "autp"}, "context_weight"), ({"min_coverage": 2}, "min_coverage")],
)
def test_misspelled_options_are_named(corpus, params, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        CodeSuggester(embedder=FakeEmbedder(), **params).fit(corpus[1], corpus[2])


def test_one_code_codebook_is_a_clear_error(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "one.csv").write_text("code\nTrust\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least two codable codes"):
        CodeSuggester(embedder=FakeEmbedder()).fit(corpus[1], read_codebook(tmp_path / "one.csv"))


def test_suggestion_rows_contract(corpus) -> None:  # type: ignore[no-untyped-def]
    _, sentences, book = corpus
    model = CodeSuggester(embedder=FakeEmbedder(dimension=32), top_k=2).fit(sentences, book)
    proba = model.predict_proba(sentences)
    rows = suggestion_rows(sentences, model.codes_, proba, model.decide(proba), top_k=2)
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == ["transcript", "sentence", "start", "end", "text", "code", "score", "rank", "applied"]
    assert (frame.groupby(["transcript", "sentence"])["rank"].max() >= 2).all()
    assert frame["applied"].isin([0, 1]).all()
    # zero-shot applies at most the best code of a sentence
    assert (frame[frame["applied"] == 1]["rank"] == 1).all()


def answer_codes(model, sentences, proba=None):  # type: ignore[no-untyped-def]
    proba = model.predict_proba(sentences) if proba is None else proba
    best = np.asarray(model.codes_)[proba.argmax(axis=1)]
    return {s.text: code for s, code in zip(sentences, best, strict=True)}


@pytest.mark.slow
def test_zero_shot_ranks_the_fitting_code_first(corpus, real_embedder) -> None:  # type: ignore[no-untyped-def]
    _, sentences, book = corpus
    model = CodeSuggester(embedder=real_embedder).fit(sentences, book)
    best = answer_codes(model, sentences)
    assert best["Money, mostly."] == "Funding"
    assert best["We have twenty volunteers."] == "Volunteers"
    assert best["They suspect our motives, and we suspect theirs."] == "Trust"
    assert "Resources" in model.codes_  # codable parent codes are suggested too


@pytest.mark.slow
def test_learned_from_one_coded_interview_codes_the_other(corpus, real_embedder) -> None:  # type: ignore[no-untyped-def]
    c, sentences, book = corpus
    read = read_codings(DATA / "codings_p1.csv", c.by_id())
    assert list(read.unplaced["reason"]) == ["quote not found in the transcript"]
    codings, unknown = check_codes(read.codings, book, strict=False)
    assert unknown == {"Volunters": 1}
    model = CodeSuggester(embedder=real_embedder).fit(sentences, book, codings=codings)
    assert model.mode_ == "learned" and model.n_training_ == len([s for s in sentences if s.transcript_id == "p1"])
    p2 = [s for s in sentences if s.transcript_id == "p2"]
    proba = model.predict_proba(p2)
    assert ((proba >= 0) & (proba <= 1)).all()
    best = answer_codes(model, p2, proba)
    assert best["We have twenty volunteers."] == "Volunteers"
    assert best["We depend on donations and one government grant."] == "Funding"
    assert best["They suspect our motives, and we suspect theirs."] == "Trust"
    applied = model.decide(proba)
    interviewer_rows = [i for i, s in enumerate(p2) if s.is_interviewer]
    assert applied.any() and not applied.all()
    assert interviewer_rows  # interviewer turns are kept (they give context)


def _interviews(n: int) -> tuple[list[Sentence], pd.DataFrame]:
    """Interviews where the answer alone says nothing and only the question tells the topic."""
    sentences, rows = [], []
    questions = {"money": "What about the funding and the money from donors?",
                 "trust": "What about trust between families and social workers?"}  # fmt: skip
    for t in range(n):
        index, turn = 0, 0
        for k in range(6):
            code = "money" if (t + k) % 2 else "trust"
            question, answer = questions[code], "Yes, we had plenty of that in those years."
            sentences.append(Sentence(f"p{t}", index, index * 100, index * 100 + len(question), question,
                                      speaker="I", turn=turn, is_interviewer=True))  # fmt: skip
            sentences.append(Sentence(f"p{t}", index + 1, (index + 1) * 100, (index + 1) * 100 + len(answer), answer,
                                      speaker="P", turn=turn + 1))  # fmt: skip
            rows.append({"transcript": f"p{t}", "start": (index + 1) * 100, "end": (index + 1) * 100 + len(answer),
                         "code": code, "coder": "h"})  # fmt: skip
            index, turn = index + 2, turn + 2
    return sentences, pd.DataFrame(rows)


def test_the_interviewers_question_is_used_when_it_helps() -> None:
    from nlpthemes.codebook import Code, Codebook

    book = Codebook([Code("money", "money", "funding and money"), Code("trust", "trust", "trust and distrust")])
    sentences, codings = _interviews(6)
    train = codings[codings["transcript"].isin(["p0", "p1", "p2", "p3"])]
    embedder = FakeEmbedder(dimension=256)
    model = CodeSuggester(embedder=embedder, context_weight=0).fit(sentences, book, codings=train)
    assert model.question_weight_ == 0.5
    held = [s for s in sentences if s.transcript_id in ("p4", "p5")]  # whole transcripts, questions included
    answers = np.array([not s.is_interviewer for s in held])
    applied = model.predict(held)[answers]
    truth = codings[codings["transcript"].isin(["p4", "p5"])]["code"].tolist()
    assert [[model.codes_[j] for j in np.nonzero(row)[0]] for row in applied] == [[code] for code in truth]
    without = CodeSuggester(embedder=embedder, context_weight=0, question_weight=0).fit(sentences, book, codings=train)
    assert without.question_weight_ == 0.0
    assert len({tuple(r) for r in without.predict_proba(held)[answers].round(6)}) == 1  # same answers: no signal


def test_zero_shot_reads_survey_answers_alone_and_interview_sentences_with_neighbours(corpus) -> None:  # type: ignore[no-untyped-def]
    # open-ended answers, read by the same reader a user's CSV goes through: each answer is a
    # transcript of a few sentences and nobody asks questions, so no answer borrows from its
    # neighbours; the interviews of the `corpus` fixture keep their neighbourhood
    answers = segment_corpus(read_corpus([Path(__file__).parents[1] / "data" / "io" / "answers.csv"]))
    _, interview, book = corpus
    emb = FakeEmbedder(dimension=32)
    assert CodeSuggester(embedder=emb).fit(answers, book).context_weight_ == 0.0
    assert CodeSuggester(embedder=emb).fit(interview, book).context_weight_ == 1.0
    assert CodeSuggester(embedder=emb, context_weight=1.0).fit(answers, book).context_weight_ == 1.0  # asked for


def test_zero_shot_codes_survey_answers_better_read_alone(shared_data, coded_studies, real_embedder) -> None:  # type: ignore[no-untyped-def]
    # games-as-art: 90 answers with span codes; the few sentences of one answer make different
    # points, so reading each alone codes them better (0.243 against 0.238 with the code vectors
    # zero-shot suggesting uses now, the mean of each code's pieces; wider with the joined text)
    study = coded_studies.games_as_art(shared_data)
    sentences, gold, book = study.sentences, study.gold, study.codebook
    x = real_embedder.encode([s.text for s in sentences])
    kappas = {}
    for weight in ("auto", 1.0):
        model = CodeSuggester(embedder=real_embedder, context_weight=weight).fit(sentences, book, embeddings=x)
        y = np.array([[c in g for c in model.codes_] for g in gold])
        kappas[weight] = mean_kappa(y, model.predict(sentences, embeddings=x))
    assert model.mode_ == "zero-shot" and kappas["auto"] > kappas[1.0], kappas

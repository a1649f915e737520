"""Saving and loading a fitted CodeSuggester: JSON + .npz, no pickle, same predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpthemes.codings import check_codes, read_codings
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError, NotFittedError
from nlpthemes.io import read_corpus
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.segment import segment_corpus
from nlpthemes.suggest import CodeSuggester, load_suggester

DATA = Path(__file__).resolve().parents[1] / "data" / "batch"


@pytest.fixture(scope="module")
def study():  # type: ignore[no-untyped-def]
    corpus = read_corpus([DATA / "wave1"])
    sentences = segment_corpus(corpus)
    book = read_codebook(DATA / "codebook.csv")
    codings = read_codings(DATA / "codings.csv", corpus.by_id()).codings
    kept, _ = check_codes(codings, book, strict=False)
    return sentences, book, kept


@pytest.mark.parametrize("learned", [False, True])
def test_round_trip_predicts_the_same(study, learned: bool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentences, book, codings = study
    model = CodeSuggester(embedder=FakeEmbedder()).fit(sentences, book, codings=codings if learned else None)
    assert model.mode_ == ("learned" if learned else "zero-shot")
    folder = model.save(tmp_path / "s")
    assert sorted(p.name for p in folder.iterdir()) == ["suggester.json", "suggester.npz"]
    embedder = model.embedder
    again = CodeSuggester.load(folder, embedder=embedder)
    assert again.get_params() == model.get_params()
    assert again.codes_ == model.codes_ and again.mode_ == model.mode_
    np.testing.assert_array_equal(again.predict_proba(sentences), model.predict_proba(sentences))
    np.testing.assert_array_equal(again.predict(sentences), model.predict(sentences))
    with np.load(folder / "suggester.npz", allow_pickle=False) as arrays:  # loads without pickle
        assert ("calibrator_coef" in arrays.files) == learned


def test_unfitted_model_cannot_be_saved(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        CodeSuggester(embedder=FakeEmbedder()).save(tmp_path / "s")


def test_not_a_suggester_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a saved code suggester"):
        load_suggester(tmp_path, embedder=FakeEmbedder())


def test_newer_format_and_broken_arrays_are_refused(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentences, book, _ = study
    folder = CodeSuggester(embedder=FakeEmbedder()).fit(sentences, book).save(tmp_path / "s")
    meta = json.loads((folder / "suggester.json").read_text(encoding="utf-8"))
    meta["codes"] = meta["codes"][:-1]
    (folder / "suggester.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="do not match"):
        load_suggester(folder, embedder=FakeEmbedder())
    meta["format_version"] = 99
    (folder / "suggester.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="unsupported"):
        load_suggester(folder, embedder=FakeEmbedder())


def test_empty_input_gives_empty_scores(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentences, book, _ = study
    model = CodeSuggester(embedder=FakeEmbedder()).fit(sentences, book)
    again = load_suggester(model.save(tmp_path / "s"), embedder=FakeEmbedder())
    assert again.predict_proba([]).shape == (0, len(model.codes_))

"""Fitted suggesters kept in the cache folder: the same inputs read the fit back, nothing else does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlpthemes.suggest import JudgedSuggester, make_suggester
from nlpthemes.suggest._memo import suggester_key


@pytest.fixture(scope="module")
def counselling(shared_data, coded_studies, real_embedder):  # type: ignore[no-untyped-def]
    """30 AnnoMI sessions, their vectors, and the codes of every fifth session as the coder's."""
    study = coded_studies.annomi(shared_data)
    ids = sorted({s.transcript_id for s in study.sentences})[:30]
    keep = [i for i, s in enumerate(study.sentences) if s.transcript_id in set(ids)]
    sentences = [study.sentences[i] for i in keep]
    gold = [set(study.gold[i]) for i in keep]
    train = set(ids[::5])
    codings = pd.DataFrame(
        [{"transcript": s.transcript_id, "start": s.start, "end": s.end, "code": c, "coder": "A"}
         for s, g in zip(sentences, gold, strict=True) if s.transcript_id in train for c in sorted(g)]
    )  # fmt: skip
    x = real_embedder.encode([s.text for s in sentences])
    return sentences, study.codebook, codings, x


def _never_fitted(*args: object, **kwargs: object) -> None:
    raise AssertionError("fitted again although the same fit was kept")


def test_the_same_inputs_read_the_kept_fit_and_suggest_the_same(  # type: ignore[no-untyped-def]
    counselling, real_embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences, book, codings, x = counselling
    first = make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    assert first.stage_ == "judge"
    assert len(list(tmp_path.glob("suggester-*"))) == 1
    monkeypatch.setattr(JudgedSuggester, "_fit", _never_fitted)
    shuffled = codings.sample(frac=1.0, random_state=1)  # codes read in another order are the same codes
    again = make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=shuffled, embeddings=x)
    assert np.array_equal(again.predict_proba(sentences, embeddings=x), first.predict_proba(sentences, embeddings=x))
    assert again.describe() == first.describe() and again.cards_ == first.cards_
    # deciding with the learned thresholds is the same fit: read, not fitted again, and decided as asked
    from nlpthemes.suggest import JudgeOptions

    learned = make_suggester(real_embedder, judge=JudgeOptions(adapt=False), memory=tmp_path)
    learned.fit(sentences, book, codings=codings, embeddings=x)
    proba = first.predict_proba(sentences, embeddings=x)
    assert learned.adapt_thresholds is False and len(list(tmp_path.glob("suggester-*"))) == 1
    assert np.array_equal(learned.decide(proba), first.decide(proba, adapt=False))


def test_the_kept_fit_holds_no_text(counselling, real_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentences, book, codings, x = counselling
    make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    long_ones = [s.text for s in sentences if len(s.text) > 40][:200]
    assert long_ones and not [t for t in long_ones if t.encode() in stored]
    definitions = [c.description for c in book if c.description and len(c.description) > 20]
    assert definitions and not [d for d in definitions if d.encode() in stored]


def test_other_codes_or_parameters_fit_again(counselling, real_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentences, book, codings, x = counselling
    make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    fewer = codings.iloc[: len(codings) // 2]
    make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=fewer, embeddings=x)
    make_suggester(real_embedder, top_k=2, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    assert len(list(tmp_path.glob("suggester-*"))) == 3


def test_a_damaged_kept_fit_is_fitted_again_and_replaced(  # type: ignore[no-untyped-def]
    counselling, real_embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences, book, codings, x = counselling
    first = make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    (kept,) = tmp_path.glob("suggester-*")
    (kept / "judged.npz").write_bytes(b"not an archive")
    again = make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    assert np.array_equal(again.predict_proba(sentences, embeddings=x), first.predict_proba(sentences, embeddings=x))
    monkeypatch.setattr(JudgedSuggester, "_fit", _never_fitted)  # the fit was kept anew
    third = make_suggester(real_embedder, memory=tmp_path).fit(sentences, book, codings=codings, embeddings=x)
    assert third.stage_ == "judge"


def test_text_judges_and_unnamed_models_are_not_kept(counselling, real_embedder) -> None:  # type: ignore[no-untyped-def]
    sentences, book, codings, x = counselling

    class Unnamed:  # an embedder that does not say which weights it runs
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.asarray(real_embedder.encode(texts))

    assert suggester_key(JudgedSuggester(embedder=real_embedder), sentences, book, codings, x, None) is not None
    assert suggester_key(JudgedSuggester(embedder=Unnamed()), sentences, book, codings, x, None) is None
    assert suggester_key(JudgedSuggester(embedder=real_embedder, judge="cross-encoder"), sentences, book,
                         codings, x, None) is None  # fmt: skip


def test_edited_code_does_not_read_fits_older_code_made(  # type: ignore[no-untyped-def]
    counselling, real_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlpthemes.suggest._memo as memo

    sentences, book, codings, x = counselling
    before = suggester_key(JudgedSuggester(embedder=real_embedder), sentences, book, codings, x, None)
    monkeypatch.setattr(memo, "source_digest", lambda *parts: "edited")
    assert suggester_key(JudgedSuggester(embedder=real_embedder), sentences, book, codings, x, None) != before


def test_only_the_most_recently_used_fits_are_kept(  # type: ignore[no-untyped-def]
    counselling, real_embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlpthemes.suggest._memo as memo

    monkeypatch.setattr(memo, "KEEP", 2)
    sentences, book, codings, x = counselling

    def fit(top_k: int) -> str | None:
        model = make_suggester(real_embedder, top_k=top_k, memory=tmp_path)
        model.fit(sentences, book, codings=codings, embeddings=x)
        return suggester_key(model, sentences, book, codings, x, None)

    first, second = fit(3), fit(2)
    assert fit(3) == first  # read again: now the most recently used
    third = fit(1)
    assert {p.name for p in tmp_path.glob("suggester-*")} == {f"suggester-{first}", f"suggester-{third}"}
    assert second != first

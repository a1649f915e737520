"""Keywords: interview fillers are stop words, phrases stay inside a sentence, Korean works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from nlpthemes.embed import FakeEmbedder
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.segment import segment_corpus
from nlpthemes.themes import CJKAnalyzer, ThemeModel, make_vectorizer, stop_word_list
from nlpthemes.themes._keywords import BOUNDARY, WordAnalyzer, word_count

DATA = Path(__file__).resolve().parents[1] / "data" / "themes"


def test_interview_stop_words_cover_fillers() -> None:
    words = set(stop_word_list("interview"))
    assert {"yeah", "um", "uh", "like", "okay", "mm", "hmm", "kinda", "the", "and"} <= words
    assert "yeah" not in stop_word_list("english")
    assert stop_word_list(["Foo", "bar"]) == ["bar", "foo"]
    with pytest.raises(ValueError, match="stop_words must be one of"):
        stop_word_list("englsh")


def test_filler_phrases_are_removed_and_phrases_do_not_cross_sentences() -> None:
    analyze = WordAnalyzer(stop_word_list("interview"), ("you know", "kind of"))
    tokens = analyze(f"You know, grant money. {BOUNDARY} Budget cuts, kind of painful")
    assert "know" not in tokens and "kind" not in tokens
    assert "grant money" in tokens and "budget cuts" in tokens
    assert "money budget" not in tokens  # would span two sentences
    assert "cuts painful" not in tokens  # a comma breaks a phrase


def test_large_corpora_use_single_words() -> None:
    assert make_vectorizer(language="en", stop_words="interview", n_documents=300_000).analyzer.bigrams is False


def test_korean_analyzer_strips_particles() -> None:
    tokens = CJKAnalyzer("ko")("자원봉사자가 교육을 받고, 자원봉사자는 교육이 좋대요.")
    assert tokens.count("자원봉사자") == 2 and tokens.count("교육") == 2
    japanese = CJKAnalyzer("ja")("予算の問題です")
    assert "予算" in japanese and "問題" in japanese and "です" not in japanese
    with pytest.raises(ValueError, match="language must be one of"):
        CJKAnalyzer("en")


def test_word_count_for_languages_without_spaces() -> None:
    assert word_count("Yeah.") == 1
    assert word_count("予算の問題です", "ja") == 3


class StemEmbedder:
    """FakeEmbedder over the Korean analyzer's stems (so particles do not split words)."""

    def __init__(self) -> None:
        self.analyze = CJKAnalyzer("ko")
        self.inner = FakeEmbedder(dimension=64)

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        return self.inner.encode([" ".join(self.analyze(t)) or t for t in texts])


def korean_sentences() -> list[object]:
    corpus = read_corpus([DATA / "ko_interview.txt"], ReadOptions(interviewers=("질문자",)))
    return list(segment_corpus(corpus))


def test_korean_fixture_gives_readable_korean_keywords() -> None:
    sentences = korean_sentences()
    texts = [s.text for s in sentences]  # type: ignore[attr-defined]
    model = ThemeModel(language="ko", n_themes=3, min_words=2).fit(
        texts, StemEmbedder().encode(texts), sentences=sentences  # type: ignore[arg-type]
    )
    top = {kw for t in model.themes_ for kw in t.keywords[:3]}
    assert {"예산", "자원봉사자", "프로그램"} <= top
    assert all(not kw.isascii() for kw in top)  # BERTopic's English cleaning would have erased Hangul


@pytest.mark.slow
def test_korean_fixture_with_the_multilingual_model() -> None:
    from nlpthemes.embed import load_embedder

    sentences = korean_sentences()
    texts = [s.text for s in sentences]  # type: ignore[attr-defined]
    embedder = load_embedder("multilingual", cache=False, progress=False)
    model = ThemeModel(language="ko", min_words=2).fit(texts, embedder.encode(texts), sentences=sentences)  # type: ignore[arg-type]
    assert len(model.themes_) >= 3
    top = {kw for t in model.themes_ for kw in t.keywords[:3]}
    assert len(top & {"예산", "지원금", "자원봉사자", "교육", "프로그램", "컴퓨터"}) >= 3

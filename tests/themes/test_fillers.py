"""Fillers by language: backchannels go, short content stays (words counted from characters in CJK)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.themes import ThemeModel
from nlpthemes.themes._fillers import estimated_words, filler_reason, is_backchannel


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Yeah."), ("en", "Mm-hmm, mm-hmm."), ("en", "Oh yeah, yeah, right."), ("en", "That’s right."),
        ("en", "(Laughs) Okay."), ("en", "I don't know."),
        ("ko", "네."), ("ko", "네, 맞아요."), ("ko", "아 그렇구나"), ("ko", "음... 그렇죠"), ("ko", "ㅋㅋㅋ"),
        ("ja", "はい。"), ("ja", "うんうん、そうですね。"), ("ja", "なるほど"),
        ("zh", "嗯。"), ("zh", "对对对，是的。"), ("zh", "好的，明白了。"),
    ],
)  # fmt: skip
def test_backchannels_are_fillers_whatever_their_length(language: str, text: str) -> None:
    assert is_backchannel(text, language)
    assert filler_reason(text, language) == "short"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We plot the averages."), ("en", "Yeah, the budget was cut."), ("en", "I see the problem now."),
        ("ko", "사극영화 좋아해?"), ("ko", "네, 그 영화 좋아해요."), ("ko", "안녕하세요"), ("ko", "걱정 마세요"),
        ("ja", "映画が好きです。"), ("ja", "はい、予算が足りません。"),
        ("zh", "我喜欢狗。"), ("zh", "对，预算不够。"),
    ],
)  # fmt: skip
def test_short_content_is_kept(language: str, text: str) -> None:
    assert not is_backchannel(text, language)
    assert filler_reason(text, language) == ""


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Budget cuts."), ("ko", "연두색"), ("ko", "환경오염"), ("ja", "予算。"), ("zh", "预算。")],
)
def test_one_or_two_words_are_still_too_short(language: str, text: str) -> None:
    assert filler_reason(text, language) == "short"


def test_cjk_words_are_estimated_from_characters() -> None:
    # five Hangul syllables are 2.5 words, rounded up to 3: kept at min_words=3
    assert estimated_words("좋아하세요", "ko") == 2.5 and filler_reason("좋아하세요?", "ko") == ""
    assert filler_reason("좋아해요?", "ko") == "short"  # four syllables: two words
    assert filler_reason("좋아하세요?", "ko", min_words=4) == "short"
    assert estimated_words("Python 사용해요", "ko") == 3.0  # four syllables and a Latin word
    # before, Korean counted whitespace words: two phrases fell under three words
    from nlpthemes.themes._keywords import word_count

    assert word_count("사극영화 좋아해?", "ko") == 2


def test_theme_model_leaves_out_backchannels_and_keeps_short_korean_content() -> None:
    topics = ["예산 지원금 예산 부족", "아이들 학교 가족 교육", "컴퓨터 소프트웨어 코드 파일"]
    texts = [f"{t} {i}번째 이야기" for t in topics for i in range(12)]
    texts += ["네, 맞아요.", "사극영화 좋아해?", "그렇죠 그렇죠", "연두색"]
    sentences = [Sentence("t", i, 0, len(x), x, speaker="P") for i, x in enumerate(texts)]
    model = ThemeModel(language="ko").fit(texts, FakeEmbedder().encode(texts), sentences=sentences)
    assert list(model.excluded_[-4:]) == ["short", "", "short", "short"]
    assert model.n_analysed_ == 37


def test_pipeline_and_theme_model_agree_on_fillers() -> None:
    from nlpthemes.pipeline import Pipeline, PipelineConfig

    texts = ["Yeah, yeah.", "We cut the budget.", "네 맞아요", "사극영화 좋아해?", "Budget."]
    sentences = [Sentence("t", i, 0, len(x), x, speaker="P") for i, x in enumerate(texts)]
    for language in ("en", "ko"):
        model = ThemeModel(language=language)
        pipeline = Pipeline(PipelineConfig(), None, model, None, None, code_bar=0.0, theme_bar=0.0)
        assert pipeline.excluded(sentences) == list(model._excluded(texts, sentences))


@pytest.mark.shared
def test_korean_sentences_of_five_syllables_or_more_are_rarely_fillers(shared_data: Path) -> None:
    folder = shared_data / "multilingual"
    texts = [line.split("\t", 1)[1] for line in (folder / "3i4k_ko" / "fci_test.txt").read_text(encoding="utf-8").splitlines()
             if "\t" in line]  # fmt: skip
    for path in (folder / "kss_split_gold_ko").glob("*.txt"):
        texts += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    long = [t for t in texts if len(re.findall(r"[\uac00-\ud7a3]", t)) >= 5]
    assert len(long) > 5000
    left_out = [t for t in long if filler_reason(t, "ko")]
    assert len(left_out) / len(long) < 0.05, left_out[:20]

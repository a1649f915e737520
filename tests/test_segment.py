"""Sentence splitting: a real splitter, language-aware, never across turns."""

from __future__ import annotations

from nlpthemes.corpus import Transcript, Turn, check_offsets
from nlpthemes.segment import detect_language, segment_transcript, split_sentences


def spans(text: str, language: str = "en") -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, language=language)]


def test_english_abbreviations_do_not_split() -> None:
    text = "Dr. Smith met Mr. Jones at 3 p.m. in the U.S. office. They talked, e.g. about money. Fine."
    assert spans(text) == [
        "Dr. Smith met Mr. Jones at 3 p.m. in the U.S. office.",
        "They talked, e.g. about money.",
        "Fine.",
    ]


def test_korean_fallback_punctuation_and_line_breaks() -> None:
    text = "처음에는 신뢰가 없었어요. 정말 힘들었죠!\n그래서 어떻게 했냐면\n\"같이 일하자\"고 했어요."
    assert spans(text, "ko") == [
        "처음에는 신뢰가 없었어요.",
        "정말 힘들었죠!",
        "그래서 어떻게 했냐면",
        "\"같이 일하자\"고 했어요.",
    ]


def test_detects_korean_and_japanese() -> None:
    assert detect_language("북한이탈주민 지원 단체에서 일합니다.") == "ko"
    assert detect_language("それはとても難しいです。") == "ja"
    assert detect_language("We work with migrants.") == "en"


def test_sentences_never_cross_turns() -> None:
    text = "A: It was hard\nB: because nobody trusted us. Then it changed."
    t = Transcript("t", text, (Turn(3, 14, "A"), Turn(18, len(text), "B")))
    sentences = segment_transcript(t)
    check_offsets(t, sentences)
    assert [(s.speaker, s.text) for s in sentences] == [
        ("A", "It was hard"),
        ("B", "because nobody trusted us."),
        ("B", "Then it changed."),
    ]
    assert [s.index for s in sentences] == [0, 1, 2]


def test_whitespace_only_and_empty() -> None:
    assert split_sentences("   \n ") == []
    t = Transcript("t", "Just text without turns. Two.")
    assert [s.text for s in segment_transcript(t)] == ["Just text without turns.", "Two."]


def test_language_auto_on_transcript() -> None:
    t = Transcript("t", "네. 맞아요", language="auto")
    assert [s.text for s in segment_transcript(t)] == ["네.", "맞아요"]

"""Fillers: sentences too short or too empty to cluster, by language.

A sentence is a filler when it is only backchannels (``Yeah, yeah.``,
``Mm-hmm.``, ``네 맞아요``, ``はい、そうですね``, ``嗯，对``), or when it has
fewer than ``min_words`` words. Korean, Japanese and Chinese do not put a
space between words (Korean's spaces separate phrases of several words, so
``사극영화 좋아해?`` "do you like historical dramas?" is two), so there the
words are estimated from the characters: Hangul syllables, kanji and kana,
divided by how many characters an English word takes in each language, and
rounded. The ratios (:data:`CHARS_PER_WORD`) are the mean characters per
English word over the XPersona test dialogues, translated from the same
English dialogues into Korean, Japanese and Chinese (``evaluation/layouts_check.py``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["BACKCHANNELS", "CHARS_PER_WORD", "estimated_words", "filler_reason", "is_backchannel"]

#: Characters of Korean, Japanese and Chinese per English word, from the XPersona test dialogues
#: (Korean 20.3 syllables, Japanese 24.7, Chinese 14.0 characters per utterance where English has 10.1 words).
CHARS_PER_WORD = {"ko": 2.0, "ja": 2.45, "zh": 1.39}

#: Backchannels and fillers per language: a sentence made only of these is a filler, whatever its length.
BACKCHANNELS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """yeah yes yep yup yea ya no nope nah okay ok okey kay alright right sure uh-huh mm-hmm mhm mmhmm
        mm mmm hmm hm um umm uh uhm er erm ah ahh aha oh ooh wow so well anyway exactly absolutely
        definitely totally indeed true really cool great good nice fine perfect thanks gotcha
        laugh laughs laughing laughter chuckles chuckling sighs coughs pause crosstalk inaudible
        unintelligible""".split()
    ) | frozenset({
        "all right", "uh huh", "mm hmm", "i see", "i know", "i mean", "you know", "of course", "thank you",
        "that's true", "that's right", "that is right", "that's it", "got it", "fair enough", "makes sense",
        "that makes sense", "sounds good", "oh my god", "oh god", "oh my", "me too", "i guess", "i think so",
        "i don't know", "not really", "no problem", "that's good", "that's great", "that's interesting",
        "interesting", "sure thing", "yes indeed", "right on", "for sure",
    }),
    "ko": frozenset(
        """네 예 응 어 음 아 오 와 에 흠 으음 음음 네네 예예 응응 아하 어머 헐 맞아 맞아요 맞습니다 맞네 맞네요
        맞죠 맞지 그렇죠 그쵸 그죠 그렇지 그렇지요 그래 그래요 그래서요 그렇구나 그렇군요 그렇네요 그렇습니다
        그럼요 그럼 그러게 그러게요 그러니까요 알겠어요 알겠습니다 알았어 알았어요 좋아 좋아요 좋습니다 좋네요
        진짜 진짜요 정말 정말요 정말이요 대박 글쎄 글쎄요 감사합니다 고맙습니다 아니 아니요 아뇨 아니에요
        물론 물론이죠 물론이지 당연하죠 당연하지 그러믄요 ㅋㅋ ㅋㅋㅋ ㅎㅎ ㅎㅎㅎ""".split()
    ),
    "ja": frozenset(
        """はい ええ うん そう そうそう そうです そうですね そうですか そうか そうなんだ そうなんですね そうなんです
        そうだね そうね なるほど ああ あ あー へえ へー ほう ふーん うーん うんうん はいはい ええと えっと あの
        まあ 本当 ほんと 本当に ほんとに 確かに わかりました 分かりました わかる 分かる いいえ いや ありがとう
        ありがとうございます すごい すごいですね いいですね もちろん おお わあ ん はあ ね ですね""".split()
    ),
    "zh": frozenset(
        """嗯 嗯嗯 对 对对 对对对 对的 对啊 对呀 是 是的 是啊 是呀 是吗 好 好的 好吧 哦 噢 喔 啊 呃 额 哈哈 哈哈哈
        没错 明白 明白了 知道了 行 可以 当然 谢谢 那个 这个 真的 真的吗 这样啊 原来如此 嗯哼 哇""".split()
    ),
}

_CJK = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SPACE_LANGUAGE_WORD = re.compile(r"\w+")


def _letters(text: str) -> str:
    """Lower-cased text with punctuation turned into spaces (apostrophes and hyphens inside words kept)."""
    out = []
    for i, ch in enumerate(text.lower()):
        if ch.isalnum() or (ch in "'’-" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()):
            out.append("'" if ch == "’" else ch)
        elif unicodedata.category(ch).startswith(("L", "M")):
            out.append(ch)
        else:
            out.append(" ")
    return " ".join("".join(out).split())


@functools.lru_cache(maxsize=8)
def _longest(language: str) -> int:
    return max(len(entry.split()) if language not in CHARS_PER_WORD else len(entry)
               for entry in BACKCHANNELS.get(language, {""}))  # fmt: skip


def _covered(units: list[str], entries: frozenset[str], longest: int, joiner: str) -> bool:
    """Whether ``units`` split into a sequence of ``entries`` (word units joined by ``joiner``)."""
    if not units:
        return False
    reach = [True] + [False] * len(units)
    for i in range(len(units)):
        if not reach[i]:
            continue
        for j in range(i + 1, min(len(units), i + longest) + 1):
            if joiner.join(units[i:j]) in entries:
                reach[j] = True
    return reach[-1]


def is_backchannel(text: str, language: str = "en") -> bool:
    """Whether a sentence is only backchannels and fillers (any number of them).

    Examples
    --------
    >>> is_backchannel("Yeah, yeah. I see."), is_backchannel("Yeah, the budget.")
    (True, False)
    >>> is_backchannel("네, 맞아요.", "ko"), is_backchannel("사극영화 좋아해?", "ko")
    (True, False)
    >>> is_backchannel("はい、そうですね。", "ja"), is_backchannel("嗯，对。", "zh")
    (True, True)
    """
    entries = BACKCHANNELS.get(language, BACKCHANNELS["en"])
    cleaned = _letters(text)
    if language in CHARS_PER_WORD:
        chars = list(cleaned.replace(" ", ""))
        return _covered(chars, entries, _longest(language), "")
    return _covered(cleaned.split(), entries, _longest(language if language in BACKCHANNELS else "en"), " ")


def estimated_words(text: str, language: str = "en") -> float:
    """Words in a sentence; for Korean, Japanese and Chinese, estimated from its characters.

    Examples
    --------
    >>> estimated_words("We plot the averages."), estimated_words("사극영화 좋아해?", "ko")
    (4, 3.5)
    >>> estimated_words("我们讨论预算问题", "zh")
    5.76
    """
    if language in CHARS_PER_WORD:
        chars = len(_CJK.findall(text))
        latin = len(_LATIN_WORD.findall(_CJK.sub(" ", text)))
        return round(chars / CHARS_PER_WORD[language] + latin, 2)
    return len(_SPACE_LANGUAGE_WORD.findall(text))


def filler_reason(text: str, language: str = "en", *, min_words: int = 3) -> str:
    """``"short"`` when a sentence is a filler (backchannels only, or under ``min_words`` words), else ``""``.

    The word count of Korean, Japanese and Chinese is estimated from the
    characters (:func:`estimated_words`) and rounded half up, so a Korean
    sentence of five syllables counts as three words.

    Examples
    --------
    >>> [filler_reason(t) for t in ("Mm-hmm.", "Okay, yeah, right.", "We plot the averages.")]
    ['short', 'short', '']
    >>> [filler_reason(t, "ko") for t in ("네 그렇죠.", "사극영화 좋아해?", "연두색")]
    ['short', '', 'short']
    """
    if is_backchannel(text, language):
        return "short"
    words = estimated_words(text, language)
    if language in CHARS_PER_WORD:
        words = int(words + 0.5)
    return "short" if words < min_words else ""

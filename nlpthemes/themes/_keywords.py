"""Keyword extraction settings: stop words with interview fillers, and a CJK tokenizer.

BERTopic turns each theme's sentences into c-TF-IDF keywords with a
scikit-learn ``CountVectorizer``. Interview speech is full of fillers
("yeah", "um", "you know", "kind of") that would otherwise top every theme,
so the ``"interview"`` stop list adds them to scikit-learn's English list
and filler *phrases* are removed before tokenising. Korean, Chinese and
Japanese do not mark words with spaces the way English does, so they get
their own analyzer (see :class:`CJKAnalyzer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "BOUNDARY",
    "CJK_LANGUAGES",
    "FILLER_PHRASES",
    "FILLER_WORDS",
    "CJKAnalyzer",
    "WordAnalyzer",
    "make_vectorizer",
    "stop_word_list",
    "word_count",
]

CJK_LANGUAGES = frozenset({"ko", "ja", "zh"})
STOP_WORD_CHOICES = ("interview", "english", "none")

# Removed as whole phrases before tokenising (so "kind of" goes, "kind" elsewhere stays).
FILLER_PHRASES = (
    "you know", "i mean", "kind of", "sort of", "i guess", "i think", "a lot of", "a bit",
    "mm-hmm", "mm hmm", "uh-huh", "uh huh", "and stuff", "or something", "and so on",
    "at the end of the day", "to be honest", "let me see", "let me think",
)  # fmt: skip
# Added to scikit-learn's English stop words.
FILLER_WORDS = frozenset(
    """yeah yes yep yup yah nope um umm uh uhh uhm er erm ah ahh oh ooh hmm hm mm mhm mmhmm
    huh okay ok alright right like just really actually basically literally gonna wanna gotta
    kinda sorta stuff thing things lot lots bit know knew mean means think thought guess sure
    well pretty maybe probably kind sort also would could get got go going goes went say said
    says saying tell told little way one ones much something anything everything nothing
    exactly definitely totally absolutely obviously certainly quite wow cool great good
    interesting don didn doesn isn wasn aren weren haven hasn couldn wouldn shouldn won ve ll
    re let lets gets getting want wanted wants need make made makes doing did does done
    look looking see seen come came able time times day
    laughs laughter inaudible unintelligible crosstalk""".split()
)
# Korean and Japanese particles, endings and fillers that should never be keywords.
_KO_STOP = frozenset(
    """그 저 이 것 수 등 좀 그냥 네 예 아 음 어 뭐 그래서 그런데 근데 진짜 정말 너무 약간 되게
    이제 그러니까 그리고 하지만 그래도 그렇죠 그렇게 이렇게 저렇게 어떻게 왜 많이 조금 다 또
    제가 저는 저희 우리 우리가 나 내가 거 게 건 때 때문 같아요 같은 있어요 없어요 했어요
    해요 합니다 있습니다 했습니다 됩니다 있는 하는 있고 하고 하면 해서 되는 된 한 할 있었어요
    그게 이게 저게 그런 이런 저런 생각 사실 정도 부분 경우 아무래도 일단""".split()
)
# Common particles and endings stripped from the end of a Korean word (longest first).
_KO_SUFFIXES = tuple(
    sorted(
        """은 는 이 가 을 를 에 에서 에게 께 한테 의 도 로 으로 와 과 랑 이랑 하고 까지 부터 만
        보다 처럼 같이 이나 나 이라도 라도 에는 에서는 으로는 로는 에도 에서도 으로서 로서
        으로써 로써 이라는 라는 이라고 라고 들 들이 들은 들을 들의 들에게 인 이고 이며 이다
        입니다 이에요 예요 이었어요 였어요""".split(),
        key=len,
        reverse=True,
    )
)
_HAN = r"\u4e00-\u9fff\u3400-\u4dbf"
_KATAKANA = r"\u30a0-\u30ff"
_HIRAGANA = r"\u3040-\u309f"
_CJK_RUN = re.compile(f"[{_HAN}{_KATAKANA}{_HIRAGANA}]+")
_HIRAGANA_ONLY = re.compile(f"^[{_HIRAGANA}]+$")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[^\W\d_][\w'-]*")
_REDACTION = re.compile(r"^x{2,}$")  # "xxx", "XXXX": names blanked out in de-identified transcripts
BOUNDARY = "\x1e"  # appended to each sentence before BERTopic joins them
_SEGMENT_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d/\x1e]|\s[-\u2013\u2014]+\s|--")


def stop_word_list(stop_words: str | Sequence[str]) -> list[str]:
    """The stop words for a choice: ``"interview"``, ``"english"``, ``"none"`` or a list.

    Examples
    --------
    >>> words = stop_word_list("interview")
    >>> "yeah" in words, "the" in words, "plots" in words
    (True, True, False)
    >>> stop_word_list("none")
    []
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    if isinstance(stop_words, str):
        if stop_words == "interview":
            return sorted(ENGLISH_STOP_WORDS | FILLER_WORDS)
        if stop_words == "english":
            return sorted(ENGLISH_STOP_WORDS)
        if stop_words == "none":
            return []
        raise ValueError(f"stop_words must be one of {STOP_WORD_CHOICES} or a list of words, got {stop_words!r}")
    return sorted({str(w).lower() for w in stop_words})


class WordAnalyzer:
    """Words and two-word phrases for keywords (a picklable CountVectorizer analyzer).

    Text is lower-cased, filler phrases removed, and split at punctuation and
    at :data:`BOUNDARY` (which separates sentences when BERTopic joins a
    theme's sentences into one text), so a phrase never spans two sentences
    or a comma. Words start with a letter; an apostrophe ends a word
    ("poet's" -> "poet"). Stop words and redaction marks ("XXX") are dropped
    and break phrases.

    Parameters
    ----------
    stop_words : sequence of str
    phrases : sequence of str
        Filler phrases removed first.
    bigrams : bool
        Also emit two-word phrases.

    Examples
    --------
    >>> analyze = WordAnalyzer(stop_word_list("interview"), FILLER_PHRASES)
    >>> analyze("Yeah, you know, we kind of plot the ICE curves. Poets' drafts to XXX")
    ['plot', 'ice', 'curves', 'ice curves', 'poets', 'drafts', 'poets drafts']
    """

    def __init__(self, stop_words: Sequence[str] = (), phrases: Sequence[str] = (), bigrams: bool = True) -> None:
        self.stop_words = frozenset(stop_words)
        self.phrases = tuple(phrases)
        self.bigrams = bigrams
        pattern = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        self._fillers = re.compile(rf"\b(?:{pattern})\b") if pattern else None

    def __call__(self, text: str) -> list[str]:
        text = text.lower().replace("\u2019", "'")
        if self._fillers is not None:
            text = self._fillers.sub(" , ", text)
        tokens: list[str] = []
        for segment in _SEGMENT_BREAK.split(text):
            previous: str | None = None
            for match in _TOKEN.finditer(segment):
                word = match.group().split("'")[0]
                if len(word) < 2 or word in self.stop_words or _REDACTION.match(word):
                    previous = None
                    continue
                tokens.append(word)
                if self.bigrams and previous is not None:
                    tokens.append(f"{previous} {word}")
                previous = word
        return tokens


def _strip_korean(word: str) -> str:
    for suffix in _KO_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


class CJKAnalyzer:
    """Tokens for Korean, Chinese or Japanese keywords (a picklable analyzer).

    Korean separates words with spaces but glues particles to them
    ("사회복지사가", "사회복지사는"): each word loses its trailing particle or
    ending, so both count as "사회복지사". Chinese and Japanese use no
    spaces: runs of Han and katakana give character bigrams (the usual
    choice for c-TF-IDF in these languages), hiragana-only bigrams (mostly
    particles and endings) are dropped. Latin-script words are kept as
    lower-case words; stop words and one-character tokens are removed.

    Parameters
    ----------
    language : {"ko", "ja", "zh"}
        The language of the texts.
    stop_words : sequence of str
        Extra tokens to drop (English stop words, for mixed texts).

    Examples
    --------
    >>> CJKAnalyzer("ko")("사회복지사가 탈북민을 지원하는 일을 해요.")
    ['사회복지사', '탈북민', '지원하', '일을']
    >>> CJKAnalyzer("zh")("我们讨论预算问题")
    ['我们', '们讨', '讨论', '论预', '预算', '算问', '问题']
    """

    def __init__(self, language: str, stop_words: Sequence[str] = ()) -> None:
        if language not in CJK_LANGUAGES:
            raise ValueError(f"language must be one of {sorted(CJK_LANGUAGES)}, got {language!r}")
        self.language = language
        self.stop_words = frozenset(stop_words) | _KO_STOP

    def __call__(self, text: str) -> list[str]:
        tokens: list[str] = []
        if self.language == "ko":
            for word in _WORD.findall(text.lower()):
                stem = _strip_korean(word)
                if len(stem) >= 2 and stem not in self.stop_words and not stem.isdigit():
                    tokens.append(stem)
            return tokens
        for run in _CJK_RUN.findall(text):
            grams = [run[i : i + 2] for i in range(len(run) - 1)] or ([run] if len(run) > 1 else [])
            tokens.extend(g for g in grams if not _HIRAGANA_ONLY.match(g) and g not in self.stop_words)
        tokens.extend(w for w in (m.lower() for m in _LATIN_WORD.findall(text)) if w not in self.stop_words)
        return tokens


def word_count(text: str, language: str = "en") -> int:
    """Words in a text; for Chinese and Japanese, every two Han/kana characters count as one.

    Examples
    --------
    >>> word_count("Mm-hmm."), word_count("We plot the averages."), word_count("我们讨论预算问题", "zh")
    (2, 4, 4)
    """
    if language in ("ja", "zh"):
        chars = sum(len(run) for run in _CJK_RUN.findall(text))
        return chars // 2 + len(_LATIN_WORD.findall(text))
    return len(_WORD.findall(text))


def make_vectorizer(
    *, language: str, stop_words: str | Sequence[str], n_documents: int
) -> Any:
    """The ``CountVectorizer`` BERTopic uses for c-TF-IDF keywords.

    English and other space-separated languages: words and two-word phrases
    (fillers removed first); Korean/Chinese/Japanese: :class:`CJKAnalyzer`.
    For very large corpora (200k sentences or more) only single words are
    kept, so the vocabulary stays small.

    Examples
    --------
    >>> v = make_vectorizer(language="en", stop_words="interview", n_documents=100)
    >>> v.analyzer.bigrams
    True
    >>> type(make_vectorizer(language="ko", stop_words="interview", n_documents=100).analyzer).__name__
    'CJKAnalyzer'
    """
    from sklearn.feature_extraction.text import CountVectorizer

    words = stop_word_list(stop_words)
    if language in CJK_LANGUAGES:
        return CountVectorizer(analyzer=CJKAnalyzer(language, words))
    use_fillers = isinstance(stop_words, str) and stop_words == "interview"
    analyzer = WordAnalyzer(words, FILLER_PHRASES if use_fillers else (), bigrams=n_documents < 200_000)
    return CountVectorizer(analyzer=analyzer)

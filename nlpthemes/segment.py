"""Split transcripts into sentences that keep speaker, attributes and exact offsets.

Sentences come from pysbd (a rule-based splitter covering 23 languages) run on
each speaker turn, so a sentence never crosses a turn. Languages pysbd lacks
(Korean among them) fall back to splitting on sentence-final punctuation and
line breaks. Every sentence satisfies ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from nlpthemes.corpus import Corpus, Sentence, Transcript

__all__ = [
    "PYSBD_LANGUAGES", "SPLITTER_VERSION", "Splitter", "detect_language", "segment_corpus", "segment_transcript",
    "split_many", "split_sentences",
]

PYSBD_LANGUAGES = frozenset(
    "am ar bg da de el en es fa fr hi hy it ja kk mr my nl pl ru sk ur zh".split()
)
# A sentence ends at ., !, ?, …, or their full-width forms, with closing quotes or brackets,
# followed by white space; a line break always ends one.
# Bump when split_sentences changes what it returns: cached spans are keyed by it.
SPLITTER_VERSION = 1
Span = tuple[int, int]
Splitter = Callable[[Sequence[str], str], list[list[Span]]]
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FALLBACK_END = re.compile(r"[.!?…。！？]+[\"'”’)\]」』]*(?=\s)|\n+")


def detect_language(text: str) -> str:
    """Guess a language code from the script of the text (for splitting only).

    Hangul -> ``ko``, kana -> ``ja``, Han without kana -> ``zh``, otherwise ``en``.

    Examples
    --------
    >>> detect_language("저는 사회복지사입니다."), detect_language("Hello there.")
    ('ko', 'en')
    """
    counts = {"HANGUL": 0, "HIRAGANA": 0, "KATAKANA": 0, "CJK": 0, "LATIN": 0}
    sample = text[:5000]
    counts["LATIN"] = len(_ASCII_LETTERS.findall(sample))  # ASCII letters are all LATIN: no name look-up
    for ch in _NON_ASCII.findall(sample):
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script in counts:
            if name.startswith(script):
                counts[script] += 1
                break
    letters = sum(counts.values()) or 1
    if counts["HANGUL"] / letters > 0.3:
        return "ko"
    if (counts["HIRAGANA"] + counts["KATAKANA"]) / letters > 0.1:
        return "ja"
    if counts["CJK"] / letters > 0.3:
        return "zh"
    return "en"


@functools.lru_cache(maxsize=8)
def _pysbd(language: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False)


def _fallback_pieces(text: str) -> Iterator[str]:
    pos = 0
    for m in _FALLBACK_END.finditer(text):
        yield text[pos : m.end()]
        pos = m.end()
    if pos < len(text):
        yield text[pos:]


def split_sentences(text: str, *, language: str = "en") -> list[tuple[int, int]]:
    """Sentence spans of ``text`` as half-open ``(start, end)`` pairs, whitespace trimmed.

    Parameters
    ----------
    text : str
        The text to split (typically one speaker turn).
    language : str
        ISO 639-1 code. pysbd's languages use pysbd; others use punctuation and
        line breaks.

    Examples
    --------
    >>> t = "Dr. Smith came. He said hi!\\nOk"
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Dr. Smith came.', 'He said hi!', 'Ok']
    >>> t = "저는 괜찮아요. 정말요?\\n네"
    >>> [t[a:b] for a, b in split_sentences(t, language="ko")]
    ['저는 괜찮아요.', '정말요?', '네']
    """
    if not text.strip():
        return []
    pieces: Iterable[str]
    if language in PYSBD_LANGUAGES:
        pieces = _pysbd(language).segment(text)
    else:
        pieces = _fallback_pieces(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        core = piece.strip()
        if not core:
            continue
        found = text.find(core, cursor)
        if found < 0:
            # The splitter changed the text (should not happen with clean=False):
            # keep offsets honest by taking the rest of the text as one sentence.
            rest = text[cursor:]
            lead = len(rest) - len(rest.lstrip())
            if rest.strip():
                spans.append((cursor + lead, cursor + lead + len(rest.strip())))
            return spans
        if text[cursor:found].strip() and spans:
            # text the splitter skipped joins the previous sentence
            spans[-1] = (spans[-1][0], found + len(core))
        else:
            spans.append((found, found + len(core)))
        cursor = found + len(core)
    if text[cursor:].strip():
        rest = text[cursor:]
        lead = len(rest) - len(rest.lstrip())
        spans.append((cursor + lead, cursor + lead + len(rest.strip())))
    return spans


def split_many(texts: Sequence[str], language: str) -> list[list[Span]]:
    """:func:`split_sentences` of each text (the default :data:`Splitter`).

    Examples
    --------
    >>> split_many(["One. Two.", "Three"], "en")
    [[(0, 4), (5, 9)], [(0, 5)]]
    """
    return [split_sentences(text, language=language) for text in texts]


def _times(transcript: Transcript, start: int, end: int) -> tuple[float | None, float | None]:
    cues = transcript.cues
    if not cues:
        return None, None
    starts = [c.start for c in cues]
    first = cues[max(bisect.bisect_right(starts, start) - 1, 0)]
    last = cues[max(bisect.bisect_right(starts, max(end - 1, start)) - 1, 0)]
    return first.start_time, last.end_time


def segment_transcript(
    transcript: Transcript, *, language: str | None = None, splitter: Splitter = split_many
) -> list[Sentence]:
    """Split one transcript into sentences, turn by turn.

    Parameters
    ----------
    transcript : Transcript
        The transcript; if it has no turns, its whole text is one turn.
    language : str or None
        Overrides ``transcript.language``; ``"auto"`` detects it from the script.
    splitter : Splitter, default=split_many
        Gives the sentence spans of every turn's text at once (one call per
        transcript): :func:`split_many`, or one that remembers them
        (``nlpthemes.jobs._spans``).

    Examples
    --------
    >>> from nlpthemes.corpus import Turn
    >>> t = Transcript("p1", "I: Why? \\nAna: Because. It works.",
    ...                turns=(Turn(3, 7, "I", True), Turn(14, 32, "Ana")),
    ...                participants={"Ana": {"group": "NGO"}})
    >>> [(s.index, s.text, s.speaker, dict(s.attributes)) for s in segment_transcript(t)]
    [(0, 'Why?', 'I', {}), (1, 'Because.', 'Ana', {'group': 'NGO'}), (2, 'It works.', 'Ana', {'group': 'NGO'})]
    """
    from nlpthemes.corpus import Turn

    lang = language or transcript.language
    if lang == "auto":
        lang = detect_language(transcript.text)
    turns = transcript.turns or (Turn(0, len(transcript.text)),)
    spans = splitter([transcript.text[turn.start : turn.end] for turn in turns], lang)
    sentences: list[Sentence] = []
    for turn_index, turn in enumerate(turns):
        attributes = transcript.participants.get(turn.speaker or "", {})
        for a, b in spans[turn_index]:
            start, end = turn.start + a, turn.start + b
            t0, t1 = _times(transcript, start, end)
            sentences.append(
                Sentence(
                    transcript_id=transcript.id,
                    index=len(sentences),
                    start=start,
                    end=end,
                    text=transcript.text[start:end],
                    speaker=turn.speaker,
                    turn=turn_index,
                    is_interviewer=turn.is_interviewer,
                    attributes=attributes,
                    start_time=t0 if t0 is not None else turn.start_time,
                    end_time=t1 if t1 is not None else turn.end_time,
                )
            )
    return sentences


def segment_corpus(corpus: Corpus | Iterable[Transcript], *, language: str | None = None) -> list[Sentence]:
    """Sentences of every transcript, in corpus order.

    Examples
    --------
    >>> segment_corpus([Transcript("a", "One. Two.")])[1].text
    'Two.'
    """
    out: list[Sentence] = []
    for transcript in corpus:
        out.extend(segment_transcript(transcript, language=language))
    return out

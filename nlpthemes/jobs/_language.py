"""Which language a corpus is in, and so which embedding model reads it when none is named.

Korean, Japanese and Chinese transcripts are read with the best installed multilingual
model (:func:`nlpthemes.embed._resolve.multilingual_model`), whatever the command: the
English default reads them no better than multilingual USE alone and worse zero-shot
(README, *Korean transcripts*), and one model for every command keeps their vectors,
cache and fitted pipelines the same.
"""

from __future__ import annotations

from collections import Counter

from nlpthemes.corpus import Corpus
from nlpthemes.segment import detect_language

__all__ = ["CJK", "corpus_model", "keyword_language"]

CJK = frozenset({"ko", "ja", "zh"})


def keyword_language(corpus: Corpus, language: str) -> str:
    """The language for keywords: the given one, or the script most transcripts use.

    Examples
    --------
    >>> from nlpthemes.corpus import Transcript
    >>> keyword_language(Corpus([Transcript("a", "저는 괜찮아요."), Transcript("b", "네, 좋아요.")]), "auto")
    'ko'
    """
    if language != "auto":
        return language
    votes = Counter(detect_language(t.text) for t in corpus.transcripts)
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if votes else "en"


def corpus_model(model: str | None, corpus: Corpus, language: str = "auto") -> str | None:
    """The embedding model for ``corpus``: ``model`` when named, else the multilingual one for CJK text.

    ``None`` means the default (:func:`nlpthemes.embed.load_embedder`). ``language`` is the
    reading option (``"auto"``: detected from the transcripts).

    Examples
    --------
    >>> from nlpthemes.corpus import Transcript
    >>> corpus_model(None, Corpus([Transcript("a", "I was fine.")])) is None
    True
    >>> corpus_model(None, Corpus([Transcript("a", "저는 괜찮아요.")])) in ("embeddinggemma-300m", "use-multilingual-v3")
    True
    >>> corpus_model("fake", Corpus([Transcript("a", "저는 괜찮아요.")]))
    'fake'
    """
    if model is not None:
        return model
    if keyword_language(corpus, language) not in CJK:
        return None
    from nlpthemes.embed._resolve import multilingual_model

    return multilingual_model()

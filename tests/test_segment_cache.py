"""Sentence spans kept in the cache: a re-run gives the same sentences without splitting again."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpthemes.embed import EmbeddingCache
from nlpthemes.jobs import _spans, run_segment
from nlpthemes.segment import split_many

DATA = Path(__file__).resolve().parent / "data" / "io"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counted(texts, language):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return split_many(texts, language)

    monkeypatch.setattr(_spans, "split_many", counted)
    return calls


def test_a_rerun_reads_the_spans_and_gives_the_same_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    plain = run_segment([DATA], None).sentences
    first = run_segment([DATA], None, cache=True).sentences
    split_turns = sum(calls)
    assert split_turns > 0 and first == plain
    again = run_segment([DATA], None, cache=True).sentences
    assert again == plain and sum(calls) == split_turns  # nothing split the second time
    assert all(s.text for s in again)


def test_spans_depend_on_the_language_and_damaged_rows_are_misses(tmp_path: Path) -> None:
    cache = EmbeddingCache(folder=tmp_path)
    split = _spans.cached_splitter(cache)
    assert split(["Dr. Smith came. He left."], "en") == [[(0, 15), (16, 24)]]
    key = _spans.span_key("Dr. Smith came. He left.", "en")
    assert _spans.span_key("Dr. Smith came. He left.", "ko") != key
    import sqlite3

    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE sentence_spans SET spans = ? WHERE key = ?", (b"\x01\x02\x03", key))
    assert cache.get_spans([key]) == {}
    assert split(["Dr. Smith came. He left."], "en") == [[(0, 15), (16, 24)]]  # split again and stored again
    assert cache.get_spans([key]) == {key: [(0, 15), (16, 24)]}

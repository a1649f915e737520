"""Human codings in: offsets checked, quotes placed exactly or fuzzily, failures reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpthemes.codings import locate_quote, read_codings
from nlpthemes.errors import InputError
from nlpthemes.io import read_corpus

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest"


def test_quotes_are_placed_and_failures_reported() -> None:
    transcripts = read_corpus([DATA / "p1.txt"]).by_id()
    read = read_codings(DATA / "codings_p1.csv", transcripts)
    text = transcripts["p1"].text
    assert read.placement == {"exact": 5, "whitespace": 0, "fuzzy": 1}
    quotes = {text[r.start : r.end] for r in read.codings.itertuples()}
    assert "Honestly, the funding is still the hardest part." in quotes  # placed despite the missing comma
    assert len(read.unplaced) == 1 and read.unplaced.iloc[0]["text"].startswith("This quote")


def test_offsets_beyond_the_transcript(tmp_path: Path) -> None:
    transcripts = read_corpus([DATA / "p1.txt"]).by_id()
    (tmp_path / "c.csv").write_text("transcript,start,end,code,coder\np1,10,99999,Trust,Ana\n", encoding="utf-8")
    with pytest.raises(InputError, match="beyond the end of transcript 'p1'"):
        read_codings(tmp_path / "c.csv", transcripts)


def test_quotes_without_transcripts_is_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="transcripts are needed to place them"):
        read_codings(DATA / "codings_p1.csv")


def test_locate_quote_prefers_exact() -> None:
    assert locate_quote("b c", "a b c b c") == (2, 5, "exact")

"""Units built from coded spans: sentences (coverage share), characters, documents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nlpthemes import agreement as ag
from nlpthemes.agreement._files import load_agreement_input, load_character_agreement
from nlpthemes.agreement._units import merge_spans
from nlpthemes.corpus import Sentence
from nlpthemes.errors import InputError

SPANS = Path(__file__).resolve().parents[1] / "data" / "agreement" / "spans"

SENTENCES = pd.DataFrame(
    {"transcript": ["t"] * 3, "index": [0, 1, 2], "start": [0, 10, 20], "end": [10, 20, 30],
     "text": ["s0", "s1", "s2"]}
)  # fmt: skip


def codings(rows: list[tuple[str, int, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["transcript", "start", "end", "code", "coder"])


def as_dict(long: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for row in long.itertuples(index=False):
        out.setdefault((row.unit, row.coder), []).append(row.code)
    return out


@pytest.mark.parametrize(
    ("share", "coded"),
    [(0.0, True), (0.4, True), (0.5, False), (1.0, False)],
)
def test_sentence_counts_as_coded_from_the_coverage_share(share: float, coded: bool) -> None:
    spans = codings([("t", 16, 24, "x", "A"), ("t", 0, 30, "y", "B")])  # A covers 4/10 of s1
    long = ag.sentence_units(spans, SENTENCES, min_coverage=share)
    assert (as_dict(long)[("t#1", "A")] == ["x"]) is coded


def test_a_coders_spans_with_one_code_are_merged_before_measuring_coverage() -> None:
    spans = codings([("t", 10, 13, "x", "A"), ("t", 12, 16, "x", "A"), ("t", 0, 1, "x", "B")])
    long = ag.sentence_units(spans, SENTENCES, min_coverage=0.6)  # union 10..16 = 60%
    assert as_dict(long)[("t#1", "A")] == ["x"]


def test_sentence_objects_and_uncoded_sentences() -> None:
    sentences = [Sentence("t", i, 10 * i, 10 * i + 10, f"s{i}") for i in range(3)]
    long = ag.sentence_units(codings([("t", 0, 10, "x", "A"), ("t", 0, 10, "y", "B")]), sentences)
    got = as_dict(long)
    assert got[("t#0", "A")] == ["x"] and got[("t#2", "B")] == [""]
    assert set(long["text"]) == {"s0", "s1", "s2"}


def test_coded_transcripts_limits_who_coded_what() -> None:
    spans = codings([("t", 0, 10, "x", "A"), ("t", 0, 10, "x", "B")])
    long = ag.sentence_units(spans, SENTENCES, coded_transcripts={"A": ["t"], "B": []})
    assert set(long["coder"]) == {"A"}


def test_sentence_units_reject_unknown_transcripts_and_bad_spans() -> None:
    with pytest.raises(InputError, match="not read: u"):
        ag.sentence_units(codings([("u", 0, 5, "x", "A")]), SENTENCES)
    with pytest.raises(InputError, match="start < end"):
        ag.sentence_units(codings([("t", 5, 5, "x", "A")]), SENTENCES)
    with pytest.raises(InputError, match="min_coverage"):
        ag.sentence_units(codings([("t", 0, 5, "x", "A")]), SENTENCES, min_coverage=1.5)


def test_merge_spans() -> None:
    starts, ends = merge_spans([8, 0, 3, 20], [12, 4, 5, 21])
    assert starts.tolist() == [0, 8, 20] and ends.tolist() == [5, 12, 21]


def test_document_units_mark_presence() -> None:
    spans = codings([("t1", 0, 3, "x", "A"), ("t1", 5, 9, "x", "A"), ("t2", 0, 3, "y", "B")])
    got = as_dict(ag.document_units(spans, transcripts=["t1", "t2"]))
    assert got == {("t1", "A"): ["x"], ("t1", "B"): [""], ("t2", "A"): [""], ("t2", "B"): ["y"]}


def test_character_agreement_reports_uncoded_text_apart() -> None:
    spans = codings([("t", 0, 10, "x", "A"), ("t", 5, 15, "x", "B")])
    row = ag.character_agreement(spans, lengths={"t": 1000}).iloc[0]
    assert (row.both, row.only_a, row.only_b, row.neither) == (5, 5, 5, 985)
    assert row.agreement_on_coded == pytest.approx(1 / 3)
    # NVivo-style: the 985 uncoded characters count as agreement
    assert row.percent_agreement_all == pytest.approx(0.99)
    with pytest.raises(InputError, match="ends after"):
        ag.character_agreement(spans, lengths={"t": 12})


def test_span_files_to_sentence_units(tmp_path: Path) -> None:
    long = load_agreement_input(
        [SPANS / "coderA.csv", SPANS / "coderB.csv"], transcripts=[SPANS / "transcripts"]
    )
    got = as_dict(long)
    assert set(long["coder"]) == {"A", "coderB"}  # no coder column: the file stem
    assert got[("p01#2", "A")] == ["method"] and got[("p01#2", "coderB")] == ["method"]
    assert got[("p01#1", "coderB")] == [""]
    assert got[("p01#6", "A")] == ["emotion", "trust"]
    assert got[("p02#6", "coderB")] == [""]  # 15 of 35 characters < 50 %
    assert not any(u in {"p01#0", "p01#4"} for u, _ in got)  # interviewer questions left out
    looser = as_dict(load_agreement_input(
        [SPANS / "coderA.csv", SPANS / "coderB.csv"], transcripts=[SPANS / "transcripts"],
        min_coverage=0.4, include_interviewer=True,
    ))  # fmt: skip
    assert looser[("p02#6", "coderB")] == ["privacy"] and ("p01#0", "A") in looser


def test_span_files_need_transcripts_and_documents_do_not() -> None:
    files = [SPANS / "coderA.csv", SPANS / "coderB.csv"]
    with pytest.raises(InputError, match="--transcripts"):
        load_agreement_input(files)
    long = load_agreement_input(files, unit="document")
    assert set(long["unit"]) == {"p01", "p02"}


def test_suggestions_csv_acts_as_a_coder() -> None:
    long = load_agreement_input([SPANS / "suggestions.csv"], transcripts=[SPANS / "transcripts"])
    got = as_dict(long)
    assert got[("p01#6", "suggestions")] == ["trust"]  # the unapplied "cost" row is left out


def test_character_agreement_from_files() -> None:
    rows = load_character_agreement(
        [SPANS / "coderA.csv", SPANS / "coderB.csv"], transcripts=[SPANS / "transcripts"]
    )
    trust = rows[rows["code"] == "trust"].iloc[0]
    assert (trust.both, trust.only_a, trust.only_b) == (36, 29, 0)


def test_quote_codings_are_located_in_the_transcripts() -> None:
    files = [SPANS / "coderB.csv", SPANS / "quotes.csv"]
    got = as_dict(load_agreement_input(files, transcripts=[SPANS / "transcripts"]))
    assert got[("p01#3", "C")] == ["method"]  # double space in the quote: found ignoring spaces
    assert got[("p02#2", "C")] == got[("p02#2", "coderB")] == ["cost"]


def test_unplaceable_quotes_are_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("transcript,text,code,coder\np01,Nothing like this was said.,x,C\n")
    with pytest.raises(InputError, match="1 quote"):
        load_agreement_input([SPANS / "coderB.csv", bad], transcripts=[SPANS / "transcripts"])

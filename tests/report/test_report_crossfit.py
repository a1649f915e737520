"""The machine coder is honest: a transcript's machine codes never depend on its own human codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.jobs._agreement import agreement_long, per_code_agreement
from nlpthemes.jobs._crossfit import assign_folds, machine_codes

WORDS = {"m": "money grant budget funding", "t": "trust suspicion partners distrust", "f": "family kids home parents"}


def _corpus() -> tuple[list[Sentence], pd.DataFrame]:
    sentences, rows = [], []
    for t in ("a", "b", "c", "d"):
        start = 0
        for i, key in enumerate(["m", "t", "f", "m", "t", "f"]):
            text = f"{WORDS[key]} {t} {i}"
            sentences.append(Sentence(t, i, start, start + len(text), text))
            rows.append({"transcript": t, "start": start, "end": start + len(text), "code": key, "coder": "A"})
            start += len(text) + 1
    return sentences, pd.DataFrame(rows)


@pytest.fixture()
def setup() -> tuple[list[Sentence], pd.DataFrame, Codebook, FakeEmbedder]:
    sentences, codings = _corpus()
    book = Codebook([Code("m", "m", "money"), Code("t", "t", "trust"), Code("f", "f", "family")])
    return sentences, codings, book, FakeEmbedder(dimension=32)


def test_machine_codes_ignore_the_held_out_transcripts_own_codes(setup) -> None:  # type: ignore[no-untyped-def]
    sentences, codings, book, emb = setup
    vectors = emb.encode([s.text for s in sentences])
    first = machine_codes(sentences, vectors, book, codings, embedder=emb, folds=4)
    # scramble transcript a's human codes: its own machine codes must not move
    changed = codings.copy()
    changed.loc[changed["transcript"] == "a", "code"] = "t"
    second = machine_codes(sentences, vectors, book, changed, embedder=emb, folds=4)
    rows = np.array([s.transcript_id == "a" for s in sentences])
    assert np.allclose(first.proba[rows], second.proba[rows])
    assert not np.allclose(first.proba[~rows], second.proba[~rows])  # the others did learn from a


def test_one_coded_transcript_gives_zero_shot_codes(setup) -> None:  # type: ignore[no-untyped-def]
    sentences, codings, book, emb = setup
    vectors = emb.encode([s.text for s in sentences])
    only_a = codings[codings["transcript"] == "a"]
    result = machine_codes(sentences, vectors, book, only_a, embedder=emb, folds=3)
    held = [f for f in result.folds if f["fold"] == 0][0]
    assert held["transcripts"] == ["a"] and held["mode"] == "zero-shot"
    rest = [f for f in result.folds if f["fold"] == -1][0]  # uncoded transcripts: learned from a
    assert rest["mode"] == "learned" and rest["transcripts"] == ["b", "c", "d"]


def test_assign_folds_validates_and_balances() -> None:
    folds = assign_folds([f"P{i}" for i in range(7)], 3, seed=1)
    assert sorted(np.bincount(list(folds.values()))) == [2, 2, 3]
    with pytest.raises(ValueError, match="folds must be an integer of at least 2"):
        assign_folds(["a"], 1)


def test_agreement_long_and_per_code_rows(setup) -> None:  # type: ignore[no-untyped-def]
    sentences, codings, _, _ = setup
    two = pd.concat([codings, codings.assign(coder="B")], ignore_index=True)
    applied = np.zeros((len(sentences), 3), dtype=bool)
    applied[:, 0] = [s.text.startswith("money") for s in sentences]
    long = agreement_long(sentences, two, machine_applied=applied, codes=["m", "t", "f"], machine="machine")
    assert set(long["coder"]) == {"A", "B", "machine"}
    table = per_code_agreement(long, ["m", "t", "f"], machines=["machine"], n_resamples=0)
    m = table[(table["code"] == "m")].set_index("kind")
    assert m.loc["human-human", "cohen_kappa"] == 1.0
    assert (table[table["kind"] == "human-machine"].set_index("code").loc["m", "cohen_kappa"] == [1.0, 1.0]).all()
    t_rows = table[(table["code"] == "t") & (table["kind"] == "human-machine")]
    assert (t_rows["n_b"] == 0).all() and t_rows["cohen_kappa"].eq(0.0).all()


def test_coders_who_split_the_transcripts_are_each_compared_with_the_machine(setup) -> None:  # type: ignore[no-untyped-def]
    """Two coders, each on other transcripts (a team that splits the work): no human-human figure, a note saying
    why, and each coder against the machine, instead of an error at the end of the analysis."""
    from nlpthemes.jobs._agreement import agreement_results

    sentences, codings, _, _ = setup
    split = codings.assign(coder=np.where(codings["transcript"].isin(["a", "b"]), "A", "B"))
    applied = np.zeros((len(sentences), 3), dtype=bool)
    applied[:, 0] = [s.text.startswith("money") for s in sentences]
    long = agreement_long(sentences, split, machine_applied=applied, codes=["m", "t", "f"], machine="machine")
    out, table = agreement_results(long, ["m", "t", "f"], machine="machine", method={}, n_resamples=0)
    assert out["human_human"] is None and out["comparison"] is None
    assert "coded no sentence in common" in out["notes"][0]
    assert set(out["human_machine"]) == {"A", "B"}
    assert "human-human" not in set(table["kind"])
    assert set(table.loc[table["coder_a"].eq("A") | table["coder_b"].eq("A"), "n_units"]) == {12}

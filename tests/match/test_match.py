"""Theme <-> codebook matching: matched codes, uncovered themes, unsupported codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import NotFittedError
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.match import CodebookMatcher, match_tables

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest"

THEMES = {
    0: ["We applied for a government grant.", "The budget was cut again this year.", "Donations pay the rent."],
    1: ["Twenty volunteers come every weekend.", "Retired teachers help with classes.", "Students give their time."],
    2: ["The bus to the centre takes two hours.", "Traffic in the city is terrible.", "We drive in from the suburbs."],
}


def themes_and_centres(embedder):  # type: ignore[no-untyped-def]
    themes, centres = [], []
    for tid, quotes in THEMES.items():
        vectors = embedder.encode(quotes)
        centres.append(vectors.mean(axis=0))
        themes.append({"id": tid, "label": f"theme {tid}", "size": len(quotes), "keywords": quotes[0].lower().split()[:4], "quotes": quotes})
    return themes, np.stack(centres)


def test_contract_and_not_fitted() -> None:
    m = CodebookMatcher(embedder=FakeEmbedder(), threshold=0.3)
    assert vars(m) == m.get_params()
    with pytest.raises(NotFittedError):
        m.uncovered()
    with pytest.raises(ValueError, match="threshold must be a number or 'auto'"):
        CodebookMatcher(embedder=FakeEmbedder(), threshold="high").fit([], np.zeros((0, 8)), Codebook([Code("a", "a")]))


@pytest.mark.slow
def test_real_model_matches_leaves_and_reports_the_rest(real_embedder) -> None:  # type: ignore[no-untyped-def]
    book = read_codebook(DATA / "codebook.csv")
    themes, centres = themes_and_centres(real_embedder)
    sentences = real_embedder.encode([q for qs in THEMES.values() for q in qs] + ["Yes.", "I see.", "Right, okay."])
    m = CodebookMatcher(embedder=real_embedder).fit(themes, centres, book, sentence_embeddings=sentences)
    got = {r["theme"]: r["code"] for r in m.matches_}
    assert got[0] == "Funding" and got[1] == "Volunteers"
    assert got[2] is None and m.uncovered() == [2]  # commuting: no code covers it
    assert "Trust" in m.unsupported()  # nothing in these themes is about trust
    tables = match_tables(m, themes)
    assert [r["theme"] for r in tables["uncovered"]] == [2]
    assert tables["uncovered"][0]["quote_1"].startswith("The bus")
    assert {r["code"] for r in tables["unsupported"]} == set(m.unsupported())


@pytest.mark.slow
def test_a_theme_falls_back_to_the_parent_code(real_embedder) -> None:  # type: ignore[no-untyped-def]
    book = Codebook([
        Code("r", "Resources", "What organisations bring to a partnership: money, people, places"),
        Code("b", "Buildings", "Offices, rooms and premises", parent="r"),
        Code("t", "Trust", "Trust and suspicion between partners"),
    ])  # fmt: skip
    themes, centres = themes_and_centres(real_embedder)
    m = CodebookMatcher(embedder=real_embedder, threshold=0.2).fit(themes[:1], centres[:1], book)
    assert (m.matches_[0]["code"], m.matches_[0]["level"]) == ("Resources", "parent")

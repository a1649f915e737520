"""The Codebook data model: hierarchy, lookup by id / name / path, validation."""

from __future__ import annotations

import dataclasses

import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.errors import InputError


@pytest.fixture()
def book() -> Codebook:
    return Codebook([
        Code("aims", "Aims", "Why", codable=False),
        Code("obj", "Objectives", parent="aims"),
        Code("act1", "Activity", parent="obj", examples=("we ran a workshop",)),
        Code("act2", "Activity", parent="aims"),
        Code("feel", "Feelings", color="#00ff00"),
    ])


def test_hierarchy(book: Codebook) -> None:
    assert [c.id for c in book.roots()] == ["aims", "feel"]
    assert [c.id for c in book.children("aims")] == ["obj", "act2"]
    assert [c.id for c in book.ancestors("act1")] == ["aims", "obj"]
    assert book.parent("obj") == book["aims"] and book.parent("aims") is None
    assert [c.id for c in book.descendants("aims")] == ["obj", "act1", "act2"]
    assert [c.id for c in book.leaves()] == ["act1", "act2", "feel"]
    assert [c.id for c in book.walk()] == ["aims", "obj", "act1", "act2", "feel"]
    assert book.depth("act1") == 2 and book.max_depth() == 2
    assert [c.id for c in book.codable()] == ["obj", "act1", "act2", "feel"]
    assert len(book) == 5 and "obj" in book and "nope" not in book


def test_paths_and_references(book: Codebook) -> None:
    assert book.path("act1") == "Aims > Objectives > Activity"
    assert book.ref("act1") == "Aims > Objectives > Activity"  # name repeats
    assert book.ref("obj") == "Objectives"
    assert book.find("Aims > Activity").id == "act2"
    assert book.find("Aims>Objectives  >Activity").id == "act1"
    assert book.find("Feelings").id == "feel"
    with pytest.raises(KeyError, match="ambiguous.*'Aims > Objectives > Activity'"):
        book.find("Activity")
    with pytest.raises(KeyError, match="no code named 'Nope'"):
        book.find("Nope")
    assert book.names() == ["Aims", "Objectives", "Aims > Objectives > Activity",
                            "Aims > Activity", "Feelings"]


def test_names_containing_the_separator() -> None:
    book = Codebook([Code("a", "A"), Code("b", "B", parent="a"), Code("x", "C > D")])
    assert book.ref("x") == "C > D" and book.find("C > D").id == "x"
    with pytest.raises(InputError, match="two codes have the path 'A > B'"):
        Codebook([Code("a", "A"), Code("b", "B", parent="a"), Code("x", "A > B")])


def test_parents_may_follow_children() -> None:
    book = Codebook([Code("c", "Child", parent="p"), Code("p", "Parent")])
    assert book.path("c") == "Parent > Child"


@pytest.mark.parametrize(("codes", "message"), [
    ([], "no codes"),
    ([Code("a", "A"), Code("a", "B")], "two codes have the id 'a'"),
    ([Code("a", "A", parent="zz")], "unknown parent 'zz'"),
    ([Code("a", "A"), Code("b", "A")], "'A' is used twice at the top level"),
    ([Code("p", "P"), Code("a", "A", parent="p"), Code("b", "A", parent="p")],
     "'A' is used twice under 'P'"),
    ([Code("a", "A", parent="b"), Code("b", "B", parent="a")], "cycle"),
    ([Code("a", "A", parent="a")], "cycle"),
    ([Code("a", "  ")], "empty name"),
    ([Code("a", "A", color="red")], "colour 'red'"),
])
def test_invalid_codebooks_raise_input_errors(codes: list[Code], message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        Codebook(codes, source="cb.csv")
    assert str(info.value).startswith("cb.csv: ")


def test_one_code_is_allowed_and_has_length_one() -> None:
    assert len(Codebook([Code("a", "A")])) == 1


def test_codes_are_frozen_and_codebooks_compare_by_content(book: Codebook) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        book["aims"].name = "x"  # type: ignore[misc]
    assert book == Codebook(list(book))
    assert book != Codebook([Code("a", "A")])
    assert "5 codes" in repr(book)
    with pytest.raises(KeyError, match="no code with id"):
        book["missing"]


def test_a_reference_in_another_case_or_spacing_names_the_one_code_it_can_mean() -> None:
    import pandas as pd

    from nlpthemes.codings import check_codes

    book = Codebook([Code("s", "Support"), Code("p", "Peer Support", parent="s"), Code("t", "Trust"),
                     Code("t2", "trust", parent="s")])  # fmt: skip
    kept, unknown = check_codes(pd.DataFrame({"code": ["peer support", " Support > peer   support", "TRUST"]}), book,
                                strict=False)  # fmt: skip
    assert kept["code"].tolist() == ["Peer Support", "Peer Support"]
    assert unknown == {"TRUST": 1}  # 'Trust' and 'Support > trust' differ only in case: no guess
    assert book.find("Trust").id == "t" and book.find("trust").id == "t2"  # exact names still win

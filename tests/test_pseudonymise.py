"""Pseudonyms: stable, key kept apart, roles untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpthemes.corpus import Transcript, Turn
from nlpthemes.errors import InputError
from nlpthemes.pseudonymise import Pseudonymiser, read_key, write_key


def corpus() -> list[Transcript]:
    a = Transcript("a", "Interviewer: Hi?\nMaria Lopez: Hello.", (Turn(13, 16, "Interviewer", True), Turn(30, 36, "Maria Lopez")))
    b = Transcript("b", "Dan: Ok?\nSeo-yeon: Maria said so.", (Turn(5, 8, "Dan", True), Turn(19, 33, "Seo-yeon")))
    return [a, b]


def test_pseudonyms_in_order_with_interviewers_apart() -> None:
    p = Pseudonymiser()
    p.add_corpus(corpus())
    assert p.key == {"Maria Lopez": "P01", "Dan": "I01", "Seo-yeon": "P02"}
    assert p.speaker("Interviewer") == "Interviewer"
    assert p.text("Maria said so, and MARIA LOPEZ agreed with Dan.") == "P01 said so, and P01 agreed with I01."
    assert p.text("Dante is not Dan.") == "Dante is not I01."


def test_extra_names_and_stable_key(tmp_path: Path) -> None:
    p = Pseudonymiser()
    p.add_corpus(corpus())
    p.add_names(["Hope Center", "Busan"])
    write_key(p.key, tmp_path / "key.csv")
    again = Pseudonymiser(key=read_key(tmp_path / "key.csv"))
    again.add_corpus(list(reversed(corpus())))  # another order: same pseudonyms
    assert again.key == p.key
    assert again.text("We moved from Busan to the Hope Center.") == "We moved from N02 to the N01."


def test_bad_key_file(tmp_path: Path) -> None:
    (tmp_path / "k.csv").write_text("real,fake\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="k.csv: a pseudonym key needs the columns name,pseudonym"):
        read_key(tmp_path / "k.csv")

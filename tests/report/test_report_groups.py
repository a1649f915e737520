"""Which attribute groups participants when none is named."""

from __future__ import annotations

from nlpthemes.corpus import Sentence
from nlpthemes.jobs._tables import choose_groups


def _answers(attributes: list[dict[str, str]]) -> list[Sentence]:
    """Each respondent answers two questions."""
    return [Sentence(f"r{i} Q{q}", 0, 0, 1, "x", speaker=f"r{i}", attributes={**a, "question": f"question {q}"})
            for i, a in enumerate(attributes) for q in (1, 2)]  # fmt: skip


def test_a_column_different_for_everyone_groups_nobody() -> None:
    people = [{"Timestamp": f"2024-03-0{i} 10:00", "Group": "NGO" if i % 2 else "Government"} for i in range(1, 9)]
    assert choose_groups(_answers(people), None, None)[:2] == ("Group", ("Government", "NGO"))
    # without a group column, the questions are compared
    column, pair, _ = choose_groups(_answers([{"Timestamp": p["Timestamp"]} for p in people]), None, None)
    assert (column, pair) == ("question", ("question 1", "question 2"))


def test_interview_groups_are_counted_by_participant() -> None:
    # seven interviews whose participants are all labelled "Participant": three sectors still group them
    sentences = [Sentence(f"p{i}", j, 0, 1, "x", speaker="Participant", attributes={"sector": "abc"[i % 3]})
                 for i in range(7) for j in range(3)]  # fmt: skip
    assert choose_groups(sentences, None, None)[0] == "sector"

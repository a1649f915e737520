"""Fitted themes kept in the cache folder: read back on the same inputs, with no text kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlpthemes.jobs import run_themes

REPO = Path(__file__).resolve().parents[2]
INTERVIEWS = [REPO / "data" / "pdpilot" / "transcripts" / f"P{i}.txt" for i in (1, 2)]


def _outputs(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("themes.csv", "quotes.csv", "sentence_themes.csv", "themes_by_group.csv")}  # fmt: skip


@pytest.fixture
def interviews() -> list[Path]:
    if not all(p.is_file() for p in INTERVIEWS):
        pytest.skip("data/pdpilot transcripts not present")
    return INTERVIEWS


def test_a_second_run_reads_the_themes_and_writes_the_same_outputs(  # type: ignore[no-untyped-def]
    interviews, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_themes(interviews, tmp_path / "first")
    import nlpthemes.themes._model as fitting

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("clustered again although the same fit was kept")

    monkeypatch.setattr(fitting, "cluster", never)
    again = run_themes(interviews, tmp_path / "again")
    assert _outputs(tmp_path / "again") == _outputs(tmp_path / "first")
    assert [t.label for t in again.model.themes_] == [t.label for t in first.model.themes_]
    assert (again.model.labels_ == first.model.labels_).all()
    # the saved BERTopic model is made again from the kept themes: the same topics and keywords
    saved = [json.loads((tmp_path / run / "model" / "bertopic" / "topics.json").read_text(encoding="utf-8"))
             for run in ("first", "again")]  # fmt: skip
    for part in ("topic_representations", "topics", "topic_sizes", "topic_labels"):
        assert saved[0][part] == saved[1][part], part


def test_the_kept_themes_hold_no_text(interviews, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    result = run_themes(interviews, tmp_path / "out", save_model=False)
    cache = Path(os.environ["NLPTHEMES_CACHE_DIR"]) / "themes"
    (kept,) = cache.glob("themes-*")
    stored = b"".join(p.read_bytes() for p in kept.rglob("*") if p.is_file()).lower()
    quotes = [q.text for t in result.model.themes_ for q in t.quotes]
    keywords = {w for t in result.model.themes_ for w in t.keywords if len(w) >= 6}
    assert quotes and keywords
    assert not [q for q in quotes if q.lower().encode() in stored]
    # as whole words: a keyword may be part of a field name ("cluster" in "clustering")
    assert not [w for w in keywords if re.search(rb"\b" + re.escape(w.encode()) + rb"\b", stored)]


def test_other_parameters_or_a_damaged_entry_fit_again(  # type: ignore[no-untyped-def]
    interviews, tmp_path: Path
) -> None:
    import os

    first = run_themes(interviews, tmp_path / "a", save_model=False)
    cache = Path(os.environ["NLPTHEMES_CACHE_DIR"]) / "themes"
    run_themes(interviews, tmp_path / "b", save_model=False, seed=7)
    assert len(list(cache.glob("themes-*"))) == 2
    for kept in cache.glob("themes-*"):
        (kept / "fit.json").write_text("{", encoding="utf-8")
    again = run_themes(interviews, tmp_path / "c", save_model=False)
    assert [t.keywords for t in again.model.themes_] == [t.keywords for t in first.model.themes_]
    readable = []
    for kept in cache.glob("themes-*"):
        try:
            readable.append(json.loads((kept / "fit.json").read_text(encoding="utf-8")))
        except json.JSONDecodeError:
            pass
    assert len(readable) == 1  # the damaged entry that was read again is replaced; the other is left as it is

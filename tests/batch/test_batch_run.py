"""``run_batch``: outputs, what is new, the shift, resuming, and inputs left untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from batch_support import DATA, tree_digest

from nlpthemes.errors import InputError
from nlpthemes.jobs.batch import run_batch
from nlpthemes.suggest import SUGGESTION_COLUMNS

NEW_WORDS = ("pandemic", "lockdown", "zoom", "masks", "quarantine", "vaccine", "isolation", "curfew")


@pytest.fixture
def wave2(tmp_path: Path) -> Path:
    folder = tmp_path / "wave2"
    shutil.copytree(DATA / "wave2", folder)
    return folder


def test_outputs_per_transcript_and_combined(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    before = tree_digest(wave2)
    result = run_batch([wave2], fitted, tmp_path / "out", attributes=DATA / "attributes.csv")
    out = tmp_path / "out"
    assert tree_digest(wave2) == before  # inputs are only read
    assert result.processed == 4 and result.skipped == 0 and not result.errors
    for tid in ("dev", "eli", "fay", "gus"):
        names = sorted(p.name for p in (out / "transcripts" / tid).iterdir())
        assert names == ["sentence_themes.csv", "sentences.csv", "suggestions.csv"]
    sentences = pd.read_csv(out / "sentences.csv")
    themes = pd.read_csv(out / "sentence_themes.csv", keep_default_na=False)
    assert len(sentences) == len(themes) == result.combined.n_sentences == 110
    assert set(themes.loc[themes["excluded"] != "interviewer", "site"]) == {"north", "south"}
    assert (themes.loc[themes["excluded"] == "interviewer", "theme"] == -1).all()
    suggestions = pd.read_csv(out / "suggestions.csv")
    assert list(suggestions.columns) == list(SUGGESTION_COLUMNS)
    assert set(suggestions["code"]) <= {"Resources", "Funding", "People", "Tools"}
    for name in ("theme_shift.csv", "new_themes.csv", "new_theme_quotes.csv", "novel_sentences.csv",
                 "summary.txt", "manifest.json"):  # fmt: skip
        assert (out / name).is_file(), name
    assert not list(out.rglob("*.tmp"))


def test_new_wave_topics_become_candidate_themes(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    result = run_batch([wave2], fitted, tmp_path / "out", attributes=DATA / "attributes.csv")
    novel = pd.read_csv(tmp_path / "out" / "novel_sentences.csv")
    assert len(novel) >= 10
    about_new = novel["text"].str.lower().str.contains("|".join(NEW_WORDS))
    # mostly the wave's new topic, which no code or theme covers, and most of what it says about it
    assert about_new.mean() > 0.5 and about_new.sum() >= 10
    new_themes = pd.read_csv(tmp_path / "out" / "new_themes.csv")
    assert len(new_themes) >= 1 and new_themes["size"].sum() <= len(novel)
    assert {"nearest_theme", "nearest_code", "keywords"} <= set(new_themes.columns)
    quotes = pd.read_csv(tmp_path / "out" / "new_theme_quotes.csv")
    assert set(quotes["theme"]) <= set(new_themes["id"])
    assert "candidate new themes" in result.summary


def test_shift_in_theme_shares_per_group(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    result = run_batch([wave2], fitted, tmp_path / "out", attributes=DATA / "attributes.csv")
    shift = pd.read_csv(tmp_path / "out" / "theme_shift.csv", keep_default_na=False)
    assert list(shift.columns) == ["by", "group", "theme", "label", "old_count", "old_share", "new_count",
                                   "new_share", "shift"]  # fmt: skip
    assert {("all", "all"), ("site", "north"), ("site", "south")} <= set(zip(shift["by"], shift["group"], strict=True))
    for (_, _), part in shift.groupby(["by", "group"]):
        assert part["new_share"].sum() == pytest.approx(1, abs=1e-3)
        assert part["old_share"].sum() == pytest.approx(1, abs=1e-3)
    outliers = shift[(shift["by"] == "all") & (shift["theme"] == -1)]
    assert float(outliers["shift"].iloc[0]) > 0  # the new topic fits no saved theme
    assert "largest shifts in theme shares" in result.summary and "site=" in result.summary


def test_second_run_skips_finished_work(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    first = run_batch([wave2], fitted, tmp_path / "out")
    outputs = tree_digest(tmp_path / "out", skip=("manifest.json",))
    again = run_batch([wave2], fitted, tmp_path / "out")
    assert (again.processed, again.skipped) == (0, 4)
    assert tree_digest(tmp_path / "out", skip=("manifest.json",)) == outputs
    assert again.summary == first.summary


def test_changed_input_is_redone(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    run_batch([wave2], fitted, tmp_path / "out")
    with open(wave2 / "gus.txt", "a", encoding="utf-8") as handle:
        handle.write("Gus: One more thing about the grant money and the budget.\n")
    again = run_batch([wave2], fitted, tmp_path / "out")
    assert (again.processed, again.skipped) == (1, 3)
    assert "grant money and the budget" in (tmp_path / "out" / "transcripts" / "gus" / "sentences.csv").read_text()


def test_lost_output_is_redone(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    run_batch([wave2], fitted, tmp_path / "out")
    (tmp_path / "out" / "transcripts" / "eli" / "suggestions.csv").unlink()
    again = run_batch([wave2], fitted, tmp_path / "out")
    assert (again.processed, again.skipped) == (1, 3)


def test_two_files_with_one_transcript_id_are_refused(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    (wave2 / "more").mkdir()
    shutil.copy(wave2 / "dev.txt", wave2 / "more" / "dev.txt")
    with pytest.raises(InputError, match="gives transcript id 'dev', as does"):
        run_batch([wave2], fitted, tmp_path / "out")


def test_unreadable_file_is_reported_and_others_go_on(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    (wave2 / "broken.docx").write_bytes(b"not a zip")
    result = run_batch([wave2], fitted, tmp_path / "out")
    assert [p for p, _ in result.errors] == [str(wave2 / "broken.docx")]
    assert result.combined.n_transcripts == 4 and "files not read (1)" in result.summary


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"engine": "spark"}, "engine must be one of local, dask"), ({"embed_batch": 0}, "embed_batch"),
])  # fmt: skip
def test_bad_options_are_named(fitted: Path, wave2: Path, tmp_path: Path, kwargs: dict[str, object],
                               message: str) -> None:  # fmt: skip
    with pytest.raises(InputError, match=message):
        run_batch([wave2], fitted, tmp_path / "out", **kwargs)  # type: ignore[arg-type]


def test_empty_folder_is_an_error(fitted: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no supported files"):
        run_batch([tmp_path / "empty"], fitted, tmp_path / "out")


def test_transcript_ids_cannot_escape_the_output_folder(fitted: Path, tmp_path: Path) -> None:
    from nlpthemes.io import ReadOptions

    answers = tmp_path / "answers.csv"
    answers.write_text("id,answer\n../../evil,The budget and the grant money ran out.\na/b,Volunteers need training.\n",
                       encoding="utf-8")  # fmt: skip
    result = run_batch([answers], fitted, tmp_path / "out", options=ReadOptions(id_column="id", text_column="answer"))
    folders = sorted(p.name for p in (tmp_path / "out" / "transcripts").iterdir())
    assert len(folders) == 2 and all("/" not in f and not f.startswith(".") for f in folders)
    assert not (tmp_path / "evil").exists() and result.combined.n_transcripts == 2
    table = pd.read_csv(tmp_path / "out" / "sentences.csv")
    assert set(table["transcript"]) == {"../../evil", "a/b"}  # the ids themselves are kept in the tables


def test_output_folder_inside_the_inputs_is_not_read_back(fitted: Path, wave2: Path) -> None:
    first = run_batch([wave2], fitted, wave2 / "out")
    again = run_batch([wave2], fitted, wave2 / "out")
    assert (first.processed, again.processed, again.skipped) == (4, 0, 4)
    assert not again.errors and again.combined.n_transcripts == 4

"""Batch outputs with pseudonyms: no real name in any output, one key for every worker and resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from batch_support import DATA, tree_digest

from nlpthemes.jobs._common import PseudonymOptions
from nlpthemes.jobs.batch import run_batch
from nlpthemes.pseudonymise import read_key

NAMES = ("Dev", "Eli", "Fay", "Gus")


@pytest.fixture
def wave2(tmp_path: Path) -> Path:
    folder = tmp_path / "wave2"
    shutil.copytree(DATA / "wave2", folder)
    # a name inside the text, too
    with open(folder / "dev.txt", "a", encoding="utf-8") as handle:
        handle.write("Dev: My colleague Eli said the grant was gone.\n")
    return folder


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.csv")) if p.name != "pseudonym_key.csv")


def test_no_real_name_in_any_output(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "kept_apart" / "key.csv"
    out = tmp_path / "out"
    run_batch([wave2], fitted, out, pseudonyms=PseudonymOptions(enabled=True, key_file=key_file))
    key = read_key(key_file)
    assert sorted(key) == sorted(NAMES) and sorted(key.values()) == ["P01", "P02", "P03", "P04"]
    text = _all_text(out)
    for name in NAMES:
        assert f"{name}," not in text and f" {name} " not in text, name
    assert key["Dev"] in text and f"colleague {key['Eli']} said" in text
    assert (out / "summary.txt").read_text(encoding="utf-8").count("Eli") == 0
    # without pseudonyms the same run keeps the names (and the key is not needed)
    plain = tmp_path / "plain"
    run_batch([wave2], fitted, plain)
    assert "colleague Eli said" in _all_text(plain)


def test_resume_keeps_the_key_and_the_outputs(fitted: Path, wave2: Path, tmp_path: Path) -> None:
    options = PseudonymOptions(enabled=True, key_file=tmp_path / "key.csv")
    whole, part = tmp_path / "whole", tmp_path / "part"
    run_batch([wave2], fitted, whole, pseudonyms=options)
    key_before = (tmp_path / "key.csv").read_bytes()
    # an interrupted run: the key was written before the work, two files' work is lost
    shutil.copytree(whole, part)
    markers = sorted((part / ".batch" / "done").glob("*.json"))
    for marker in markers[:2]:
        marker.unlink()
    result = run_batch([wave2], fitted, part, pseudonyms=options)
    assert (result.processed, result.skipped) == (2, 2)
    assert (tmp_path / "key.csv").read_bytes() == key_before
    assert tree_digest(part, skip=("manifest.json",)) == tree_digest(whole, skip=("manifest.json",))
    # another key (here: one more name to hide) gives other outputs, so everything is redone
    names = tmp_path / "names.txt"
    names.write_text("grant\n", encoding="utf-8")
    redone = run_batch([wave2], fitted, part, pseudonyms=PseudonymOptions(enabled=True, names_file=names,
                                                                          key_file=tmp_path / "key.csv"))  # fmt: skip
    assert redone.processed == 4
    texts = " ".join(" ".join(pd.read_csv(f)["text"].str.lower()) for f in (part / "transcripts").rglob("sentences.csv"))
    assert "grant" not in texts and "n01 and funding" in texts

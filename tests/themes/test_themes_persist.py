"""Saving and loading a fitted theme model: JSON + centroids + BERTopic safetensors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError
from nlpthemes.themes import ThemeModel, load_theme_model

TEXTS = [f"We talk about {w} and more {w} with {v} {i}." for w, v in
         (("budget", "grant"), ("volunteers", "training"), ("software", "database")) for i in range(8)]  # fmt: skip


@pytest.fixture(scope="module")
def model() -> ThemeModel:
    return ThemeModel(n_themes=3, min_theme_size=3).fit(TEXTS, FakeEmbedder().encode(TEXTS))


def test_round_trip_keeps_themes_and_assignment(model: ThemeModel, tmp_path: Path) -> None:
    folder = model.save(tmp_path / "model")
    assert {p.name for p in folder.iterdir()} == {"theme_model.json", "centroids.npy", "bertopic"}
    assert (folder / "bertopic" / "topics.json").is_file()
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))
    again = load_theme_model(folder)
    assert again.get_params() == model.get_params()
    assert again.themes_ == model.themes_ and again.groups_ == model.groups_
    new = FakeEmbedder().encode(["We talk about budget and more budget with grant 99.", "Something else entirely."])
    assert again.transform(new).tolist() == model.transform(new).tolist()
    assert again.topic_model_ is None


def test_bertopic_part_loads_on_request(model: ThemeModel, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    again = load_theme_model(tmp_path / "m", bertopic=True)
    assert again.topic_model_ is not None
    assert [w for w, _ in again.topic_model_.get_topic(0)] == [w for w, _ in model.topic_model_.get_topic(0)]


def test_bad_folders_are_input_errors(model: ThemeModel, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a saved theme model"):
        load_theme_model(tmp_path)
    folder = model.save(tmp_path / "m", bertopic=False)
    meta = json.loads((folder / "theme_model.json").read_text(encoding="utf-8"))
    meta["format_version"] = 99
    (folder / "theme_model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="unsupported theme model format 99"):
        load_theme_model(folder)
    meta["format_version"] = 1
    (folder / "theme_model.json").write_text(json.dumps(meta), encoding="utf-8")
    np.save(folder / "centroids.npy", np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(InputError, match="does not match the themes"):
        load_theme_model(folder)

"""Saved pipelines: the folder, its identity, and loading that refuses mismatches clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError
from nlpthemes.jobs import pipeline as jobs_pipeline
from nlpthemes.jobs.pipeline import load_pipeline
from nlpthemes.pipeline import PipelineConfig

BATCH_DATA = Path(__file__).resolve().parents[1] / "data" / "batch"


def test_folder_holds_every_part_and_no_pickle(fitted: Path) -> None:
    names = sorted(p.relative_to(fitted).as_posix() for p in fitted.rglob("*") if p.is_file())
    assert names == ["baseline_shares.csv", "codebook.csv", "manifest.json", "pipeline.json",
                     "suggester/judged.json", "suggester/judged.npz",
                     "suggester/retriever/suggester.json", "suggester/retriever/suggester.npz",
                     "themes/centroids.npy", "themes/theme_model.json"]  # fmt: skip
    identity = json.loads((fitted / "pipeline.json").read_text(encoding="utf-8"))
    assert identity["embedding"]["name"] == "fake-bow-32" and len(identity["embedding"]["model_hash"]) == 64
    assert identity["config"] == PipelineConfig(model="fake", novelty_quantile=0.25).to_dict()
    assert identity["nlpthemes_version"] and identity["fit"]["suggester_mode"] == "learned"
    manifest = json.loads((fitted / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["versions"]["numpy"] and manifest["outputs"]["pipeline_id"] == identity["id"]


def test_load_gives_the_same_pipeline(fitted: Path) -> None:
    identity = json.loads((fitted / "pipeline.json").read_text(encoding="utf-8"))
    pipeline = load_pipeline(fitted, cache=False)
    assert pipeline.pipeline_id == identity["id"]
    assert pipeline.suggester.mode_ == "learned" and len(pipeline.theme_model.themes_) >= 2
    assert 0 < pipeline.code_bar < 1 and pipeline.theme_bar > 0


def test_other_package_version_is_refused(pipeline_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_pipeline, "package_versions", lambda names: {"nlpthemes": "9.9.0"})
    with pytest.raises(InputError, match=r"pipe: saved by nlpthemes .*, this is 9\.9\.0"):
        load_pipeline(pipeline_copy, cache=False)
    assert load_pipeline(pipeline_copy, cache=False, allow_version_mismatch=True).pipeline_id


def test_other_model_weights_are_refused(pipeline_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpthemes.embed

    monkeypatch.setattr(nlpthemes.embed, "load_embedder", lambda *a, **k: FakeEmbedder(seed=1))
    with pytest.raises(InputError, match=r"pipe: fitted with embedding model fake-bow-32 \(weights sha256"):
        load_pipeline(pipeline_copy, cache=False)


def test_altered_files_are_refused(pipeline_copy: Path) -> None:
    path = pipeline_copy / "codebook.csv"
    path.write_text(path.read_text(encoding="utf-8") + "Extra,another code\n", encoding="utf-8")
    with pytest.raises(InputError, match="files changed since the pipeline was saved: codebook.csv"):
        load_pipeline(pipeline_copy, cache=False)


def test_edited_identity_is_refused(pipeline_copy: Path) -> None:
    path = pipeline_copy / "pipeline.json"
    identity = json.loads(path.read_text(encoding="utf-8"))
    identity["code_bar"] = 0.99
    path.write_text(json.dumps(identity), encoding="utf-8")
    with pytest.raises(InputError, match="was edited after saving"):
        load_pipeline(pipeline_copy, cache=False)


def test_not_a_pipeline_and_newer_format(tmp_path: Path, pipeline_copy: Path) -> None:
    with pytest.raises(InputError, match="not a saved pipeline"):
        load_pipeline(tmp_path)
    path = pipeline_copy / "pipeline.json"
    identity = json.loads(path.read_text(encoding="utf-8"))
    identity["format_version"] = 99
    path.write_text(json.dumps(identity), encoding="utf-8")
    with pytest.raises(InputError, match="newer than this nlpthemes reads"):
        load_pipeline(pipeline_copy)


def test_saving_over_a_folder_needs_overwrite(fitted: Path, tmp_path: Path) -> None:
    from nlpthemes.jobs.pipeline import fit_pipeline

    data = Path(__file__).resolve().parents[1] / "data" / "batch"
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="exists and is not empty"):
        fit_pipeline([data / "wave1"], data / "codebook.csv", tmp_path / "busy", cache=False,
                     config=PipelineConfig(model="fake"))  # fmt: skip
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("settings", "message"), [
    ({"novelty_quantile": 0.9}, "novelty_quantile"), ({"top_k": 0}, "top_k"), ({"seed": -1}, "seed"),
])  # fmt: skip
def test_bad_settings_are_named(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        PipelineConfig(**settings).validate()  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown pipeline settings: colour"):
        PipelineConfig.from_dict({"colour": "red"})


def test_a_files_codes_do_not_depend_on_the_other_files_of_the_batch(fitted: Path) -> None:
    # the judge's thresholds adapt to the sentences decided together; a batch decides file by file
    # with the learned ones, so a file gets the same codes alone or beside others
    import numpy as np

    from nlpthemes.io import read_corpus
    from nlpthemes.segment import segment_corpus

    pipeline = load_pipeline(fitted, cache=False)
    assert pipeline.suggester.stage_ == "judge"
    sentences = segment_corpus(read_corpus([BATCH_DATA / "wave2"]))
    vectors = pipeline.embedder.encode([s.text for s in sentences])
    first = np.array([s.transcript_id == sentences[0].transcript_id for s in sentences])
    alone = pipeline.assign([s for s, f in zip(sentences, first, strict=True) if f], vectors[first])
    together = pipeline.assign(sentences, vectors)
    assert first.sum() < len(sentences) and together.applied[first].any()
    np.testing.assert_array_equal(alone.applied, together.applied[first])
    np.testing.assert_array_equal(together.applied, pipeline.suggester.decide(together.proba, adapt=False))


@pytest.mark.slow
def test_a_pipeline_fitted_with_an_earlier_default_keeps_its_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU default became minilm-use; a pipeline fitted before, with no --model, still loads its own model."""
    from nlpthemes.embed import _load
    from nlpthemes.jobs.pipeline import fit_pipeline

    data = BATCH_DATA
    with monkeypatch.context() as patch:  # the previous default: MiniLM alone (int8 on a CPU)
        patch.setattr(_load, "cpu_joined_default", lambda *a, **k: None)
        fitted = fit_pipeline([data / "wave1"], data / "codebook.csv", tmp_path / "old", quiet=True,
                              codings=[data / "codings.csv"], config=PipelineConfig())  # fmt: skip
    assert fitted.pipeline.config.model is None and fitted.pipeline.embedder.name == "all-MiniLM-L6-v2-onnx-int8"
    loaded = load_pipeline(tmp_path / "old")
    assert loaded.embedder.name == "all-MiniLM-L6-v2-onnx-int8" and loaded.embedder.dimension == 384
    fresh = fit_pipeline([data / "wave1"], data / "codebook.csv", tmp_path / "new", quiet=True,
                         codings=[data / "codings.csv"], config=PipelineConfig())  # fmt: skip
    assert fresh.pipeline.embedder.name == "minilm-use" and load_pipeline(tmp_path / "new").embedder.name == "minilm-use"

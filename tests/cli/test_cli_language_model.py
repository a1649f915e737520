"""Korean, Japanese or Chinese transcripts are read with the multilingual model by every command.

With an English codebook on Korean utterances, the English default codes no better than
multilingual USE alone, and worse zero-shot (README, *Korean transcripts*); ``themes`` and
``analyze`` already chose the multilingual model, and ``suggest``, ``fit``, ``embed`` and
``review`` must agree with them so that one study gets one model, one cache and one pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.jobs._language import corpus_model
from nlpthemes.jobs.pipeline import load_pipeline

DATA = Path(__file__).resolve().parents[1] / "data"
KOREAN = DATA / "themes" / "ko_interview.txt"
ENGLISH = DATA / "suggest" / "p1.txt"
CODEBOOK = DATA / "suggest" / "codebook.csv"  # written in English, as in the seed study
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_gemma(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # an empty model folder: the multilingual model is USE (a dependency), not an installed Gemma
    monkeypatch.setenv("NLPTHEMES_MODEL_DIR", str(tmp_path / "models"))


def _manifest_model(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["model"]["name"])


def test_suggest_reads_korean_with_the_multilingual_model_and_english_with_the_default(tmp_path: Path) -> None:
    from nlpthemes.embed import load_embedder

    default = load_embedder(None, cache=False, progress=False).info()["name"]
    assert default != "use-multilingual-v3"
    for transcript, expected in ((KOREAN, "use-multilingual-v3"), (ENGLISH, default)):
        out = tmp_path / transcript.stem / "suggestions.csv"
        result = runner.invoke(app, ["suggest", str(transcript), "--codebook", str(CODEBOOK), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
        assert _manifest_model(out.parent / "suggest_manifest.json") == expected


def test_a_named_model_wins_over_the_language(tmp_path: Path) -> None:
    out = tmp_path / "suggestions.csv"
    result = runner.invoke(app, ["suggest", str(KOREAN), "--codebook", str(CODEBOOK), "--out", str(out),
                                 "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _manifest_model(tmp_path / "suggest_manifest.json").startswith("fake")


def test_an_explicit_language_option_decides_over_detection() -> None:
    from nlpthemes.io import read_corpus

    corpus = read_corpus([KOREAN])
    assert corpus_model(None, corpus, "en") is None
    assert corpus_model(None, corpus, "ko") == "use-multilingual-v3"


def test_fit_and_embed_read_korean_with_the_multilingual_model_and_batch_reloads_it(tmp_path: Path) -> None:
    fitted = runner.invoke(app, ["fit", str(KOREAN), "--codebook", str(CODEBOOK), "--save", str(tmp_path / "pipe"),
                                 "-q"])  # fmt: skip
    assert fitted.exit_code == 0, fitted.output
    assert load_pipeline(tmp_path / "pipe").embedder.info()["name"] == "use-multilingual-v3"
    embedded = runner.invoke(app, ["embed", str(KOREAN), "-o", str(tmp_path / "emb"), "-q"])
    assert embedded.exit_code == 0, embedded.output
    assert _manifest_model(next((tmp_path / "emb").glob("*manifest.json"))) == "use-multilingual-v3"


def test_the_review_page_suggests_for_korean_with_the_multilingual_model(tmp_path: Path) -> None:
    from nlpthemes.jobs.review import prepare_review

    session = prepare_review(tmp_path, coder="ana", transcripts=[KOREAN], codebook=CODEBOOK)
    try:
        assert session.learner.embedder.info()["name"] == "use-multilingual-v3"
    finally:
        session.close()

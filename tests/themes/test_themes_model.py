"""ThemeModel: estimator contract, sizing, outliers, order invariance, assignment."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError, NotFittedError
from nlpthemes.themes import ThemeModel, plan_for

TOPICS = {
    "money": "budget money funding grant donors",
    "people": "volunteers training staff recruiting trainers",
    "tools": "software database computer records reports",
}


def corpus(n_per_topic: int = 12, seed: int = 0) -> tuple[list[str], list[Sentence]]:
    """Sentences on three topics spread over three transcripts, with interviewer lines and fillers."""
    rng = random.Random(seed)
    texts: list[str] = []
    sentences: list[Sentence] = []
    position = {"a": 0, "b": 0, "c": 0}
    for topic, words in TOPICS.items():
        vocabulary = words.split()
        for i in range(n_per_topic):
            picked = rng.sample(vocabulary, 3)
            texts.append(f"We talk about {picked[0]} and {picked[1]} with {picked[2]} {topic} {i}.")
    texts += ["Yeah.", "Mm-hmm.", "Could you tell me more about the funding budget grant?"]
    for n, text in enumerate(texts):
        tid = "abc"[n % 3]
        interviewer = text.startswith("Could")
        sentences.append(
            Sentence(tid, position[tid], 100 * n, 100 * n + len(text), text,
                     speaker="I" if interviewer else f"P-{tid}", is_interviewer=interviewer)
        )  # fmt: skip
        position[tid] += 1
    return texts, sentences


def topic_of(keyword: str) -> str:
    """The topic whose vocabulary holds every word of a keyword ('' if none)."""
    for topic, words in TOPICS.items():
        if set(keyword.split()) <= {topic, *words.split()}:
            return topic
    return ""


def fitted(**params: object) -> tuple[ThemeModel, list[str], list[Sentence]]:
    texts, sentences = corpus()
    model = ThemeModel(**params).fit(texts, FakeEmbedder().encode(texts), sentences=sentences)  # type: ignore[arg-type]
    return model, texts, sentences


def test_constructor_only_stores_parameters() -> None:
    model = ThemeModel(min_theme_size=4, language="ko")
    assert vars(model) == model.get_params()
    assert type(model)(**model.get_params()).get_params() == model.get_params()


def test_fit_returns_self_and_keeps_parameters() -> None:
    model = ThemeModel()
    before = dict(model.get_params())
    texts, sentences = corpus()
    assert model.fit(texts, FakeEmbedder().encode(texts), sentences=sentences) is model
    assert model.get_params() == before
    assert {k for k in vars(model) if not k.endswith("_")} == set(before)


def test_not_fitted_errors() -> None:
    model = ThemeModel()
    with pytest.raises(NotFittedError, match="not fitted"):
        model.transform(np.zeros((1, 32), dtype=np.float32))
    with pytest.raises(NotFittedError):
        model.save("unused")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"reduce_outliers": "embedding"}, "reduce_outliers must be one of None, 'embeddings'"),
        ({"clustering": "dbscan"}, "clustering must be one of 'auto', 'kmeans', 'hdbscan'"),
        ({"n_themes": 1}, "n_themes must be 'auto' or an integer >= 2"),
        ({"min_theme_size": "big"}, "min_theme_size must be 'auto' or an integer >= 2"),
        ({"stop_words": "englsh"}, "stop_words must be one of 'interview', 'english', 'none'"),
        ({"outlier_threshold": 3}, "outlier_threshold must be a number in"),
        ({"memory": 3}, "memory must be a folder"),
    ],
)
def test_misspelled_options_name_parameter_and_choices(params: dict[str, object], message: str) -> None:
    texts, _ = corpus()
    with pytest.raises(InputError, match=message):
        ThemeModel(**params).fit(texts, FakeEmbedder().encode(texts))  # type: ignore[arg-type]


def test_too_few_sentences_is_a_clear_input_error() -> None:
    texts = ["One budget sentence here.", "Another grant sentence here.", "Yeah."]
    with pytest.raises(InputError, match=r"only 2 sentence\(s\) of at least 3 words .*at least 10"):
        ThemeModel().fit(texts, FakeEmbedder().encode(texts))


def test_mismatched_inputs() -> None:
    with pytest.raises(InputError, match=r"embeddings must have shape \(2, d\)"):
        ThemeModel().fit(["a b c", "d e f"], np.zeros((3, 4)))


def test_single_small_interview_gets_several_themes_not_all_outliers() -> None:
    model, texts, _ = fitted()
    assert len(model.themes_) >= 3
    assert model.plan_["reduction"] == "none" and model.plan_["clustering"] == "kmeans"
    assert model.outlier_share_ < 0.2
    assert sum(t.size for t in model.themes_) + round(model.outlier_share_ * model.n_analysed_) == 36


def test_fillers_and_interviewers_are_excluded_with_a_reason() -> None:
    model, texts, _ = fitted()
    reasons = dict(zip(texts, model.excluded_, strict=True))
    assert reasons["Yeah."] == "short" and reasons["Mm-hmm."] == "short"
    assert reasons["Could you tell me more about the funding budget grant?"] == "interviewer"
    assert all(model.labels_[model.excluded_ != ""] == -1)
    assert np.isnan(model.probabilities_[model.excluded_ != ""]).all()
    included, *_ = fitted(include_interviewers=True)
    assert "interviewer" not in set(included.excluded_)


def test_themes_are_readable() -> None:
    model, _, _ = fitted()
    for theme in model.themes_:
        assert theme.label and theme.keywords
        assert not {"yeah", "um", "we", "talk", "and"} & set(theme.keywords[:3])
        assert 1 <= len(theme.quotes) <= 5
        assert {q.transcript for q in theme.quotes} == {"a", "b", "c"}  # spread over transcripts
        assert all(q.speaker and q.start is not None for q in theme.quotes)
    assert sorted(topic_of(t.keywords[0]) for t in model.themes_) == sorted(TOPICS)


def test_probabilities_are_probabilities() -> None:
    model, _, _ = fitted()
    analysed = model.excluded_ == ""
    p = model.probabilities_[analysed]
    assert ((p >= 0) & (p <= 1)).all()
    assert (p[model.labels_[analysed] >= 0] > 0.5).all()
    rows = model.theme_probabilities(FakeEmbedder().encode(["grant money budget"]))
    assert rows.shape == (1, len(model.themes_)) and rows.sum() == pytest.approx(1.0)


def test_order_of_input_does_not_change_anything() -> None:
    texts, sentences = corpus()
    vectors = FakeEmbedder().encode(texts)
    first = ThemeModel().fit(texts, vectors, sentences=sentences)
    order = list(range(len(texts)))
    random.Random(3).shuffle(order)
    second = ThemeModel().fit([texts[i] for i in order], vectors[order], sentences=[sentences[i] for i in order])
    assert second.labels_.tolist() == first.labels_[order].tolist()
    assert [t.keywords for t in second.themes_] == [t.keywords for t in first.themes_]
    assert [t.quotes for t in second.themes_] == [t.quotes for t in first.themes_]
    assert np.array_equal(second.centroids_, first.centroids_)


def test_transform_assigns_new_sentences_and_rejects_unrelated_ones() -> None:
    model, texts, _ = fitted()
    vectors = FakeEmbedder().encode(["We talk about donors and grant with budget money 99.", "Zebra quantum violin."])
    money = next(t.id for t in model.themes_ if topic_of(t.keywords[0]) == "money")
    assert model.transform(vectors).tolist() == [money, -1]
    with pytest.raises(InputError, match=r"shape \(n, 32\)"):
        model.transform(np.zeros((1, 5)))


def test_fixed_number_of_themes_uses_kmeans() -> None:
    model, _, _ = fitted(n_themes=4)
    assert model.plan_["k"] == 4 and len(model.themes_) <= 4


@pytest.mark.parametrize("strategy", ["embeddings", "c-tf-idf", "distributions"])
def test_reduce_outliers_only_when_asked(strategy: str) -> None:
    texts, sentences = corpus()
    texts = texts[:-3] + ["The weather in winter is cold and grey today."] * 1 + texts[-3:]
    sentences = sentences[:-3] + [Sentence("a", 99, 9000, 9046, texts[-4], speaker="P-a")] + sentences[-3:]
    vectors = FakeEmbedder().encode(texts)
    kept = ThemeModel(min_theme_size=5).fit(texts, vectors, sentences=sentences)
    reduced = ThemeModel(min_theme_size=5, reduce_outliers=strategy).fit(texts, vectors, sentences=sentences)
    assert kept.outlier_share_ > 0
    assert reduced.outlier_share_ <= kept.outlier_share_
    assert (reduced.labels_[reduced.excluded_ != ""] == -1).all()  # excluded stay excluded


def test_hierarchy_levels_when_there_are_enough_themes() -> None:
    texts, sentences = corpus(n_per_topic=20)
    model = ThemeModel(n_themes=9, min_theme_size=2).fit(texts, FakeEmbedder().encode(texts), sentences=sentences)
    assert model.hierarchy_ is not None
    assert model.groups_ and all(len(g.themes) >= 2 for g in model.groups_)
    ids = {g.id for g in model.groups_}
    assert all(t.parent in ids for t in model.themes_ if t.parent is not None)
    assert any(t.parent is not None for t in model.themes_)


def test_sizing_plan() -> None:
    assert (plan_for(150).reduction, plan_for(150).k) == ("none", 6)
    assert (plan_for(5_000).reduction, plan_for(5_000).clustering) == ("umap", "kmeans")
    big = plan_for(1_000_000)
    assert (big.reduction, big.clustering, big.minibatch, big.k) == ("pca", "kmeans", True, 200)
    assert plan_for(5_000, reduction="pca", clustering="hdbscan").clustering == "hdbscan"


def blobs(n_per: int, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.repeat(np.eye(k, 16, dtype=np.float32), n_per, axis=0)
    x += 0.1 * rng.standard_normal(x.shape).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_scalable_path_pca_and_minibatch_kmeans() -> None:
    from nlpthemes.themes._cluster import cluster
    from nlpthemes.themes._sizing import Plan

    plan = Plan(n=400, reduction="pca", clustering="kmeans", min_theme_size=5, n_themes=None, k=4, minibatch=True)
    labels = cluster(blobs(100, 4), plan, random_state=0).labels
    assert sorted(np.bincount(labels[labels >= 0]).tolist()) == [100, 100, 100, 100] or (labels == -1).sum() <= 4


@pytest.fixture
def reductions(monkeypatch):  # type: ignore[no-untyped-def]
    """The number of rows of each reduction computed (not read from memory), in order."""
    from nlpthemes.themes import _cluster

    calls: list[int] = []
    real = _cluster._reduce
    monkeypatch.setattr(_cluster, "_reduce", lambda x, plan, seed: calls.append(len(x)) or real(x, plan, seed))
    return calls


def test_a_refit_on_the_same_vectors_reads_the_reduction_kept_in_memory(tmp_path, reductions) -> None:  # type: ignore[no-untyped-def]
    calls = reductions
    texts = [f"sentence number {i} here" for i in range(300)]
    x = blobs(75, 4)
    first = ThemeModel(reduction="pca", memory=tmp_path).fit(texts, x)
    again = ThemeModel(reduction="pca", memory=tmp_path).fit(texts, x)
    assert len(calls) == 1 and (again.labels_ == first.labels_).all()
    kept = list(tmp_path.glob("pca-*.npy"))
    assert len(kept) == 1
    ThemeModel(reduction="pca", n_themes=6, memory=tmp_path).fit(texts, x)  # another number of themes: read
    assert len(calls) == 1
    ThemeModel(reduction="pca", memory=tmp_path, random_state=1).fit(texts, x)  # another seed: computed
    assert len(calls) == 2
    kept[0].write_bytes(b"not an array")  # damaged: computed again and replaced
    # (another number of quotes: the fitted themes are not the kept ones, the reduction is)
    repaired = ThemeModel(reduction="pca", memory=tmp_path, n_quotes=4).fit(texts, x)
    assert len(calls) == 3 and (repaired.labels_ == first.labels_).all()
    assert np.load(kept[0], allow_pickle=False).shape == (300, 16)
    ThemeModel(reduction="pca").fit(texts, x)  # no memory: computed every time
    assert len(calls) == 4
    # the folder is this machine's: a saved model does not carry it
    saved = again.save(tmp_path / "model")
    assert str(tmp_path) not in (saved / "theme_model.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_umap_reduction_kept_with_other_umap_settings_is_not_read(tmp_path, reductions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nlpthemes.themes import _cluster

    calls = reductions
    texts = [f"sentence number {i} here" for i in range(300)]
    x = blobs(60, 5)
    ThemeModel(reduction="umap", memory=tmp_path).fit(texts, x)
    ThemeModel(reduction="umap", memory=tmp_path).fit(texts, x)
    assert len(calls) == 1  # the same settings: read
    ThemeModel(reduction="umap", n_themes=6, memory=tmp_path).fit(texts, x)  # another fit, the same reduction
    assert len(calls) == 1
    # another number of epochs (in a release, the themes' source digest changes with it too, so
    # the kept fits are not read either; here another number of themes stands for that)
    monkeypatch.setattr(_cluster, "UMAP_EPOCHS", 50)
    ThemeModel(reduction="umap", n_themes=7, memory=tmp_path).fit(texts, x)
    assert len(calls) == 2 and len(list(tmp_path.glob("umap-*.npy"))) == 2


@pytest.mark.slow
def test_umap_and_hdbscan_path() -> None:
    texts = [f"sentence number {i} here" for i in range(300)]
    model = ThemeModel(reduction="umap", clustering="hdbscan", min_theme_size=20).fit(texts, blobs(60, 5))
    assert model.plan_["reduction"] == "umap" and len(model.themes_) == 5


def test_fitting_themes_does_not_import_the_transformers_stack() -> None:
    # BERTopic's optional parts we never use (image backends, text generation) pull in
    # sentence-transformers and transformers; with the ONNX embedder nothing else needs them
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nlpthemes.embed import FakeEmbedder\n"
        "from nlpthemes.themes import ThemeModel\n"
        "texts = [f'{w} and {w} {i}' for w in ('money budget', 'school kids', 'code files') for i in range(12)]\n"
        "model = ThemeModel().fit(texts, FakeEmbedder().encode(texts))\n"
        "assert len(model.themes_) == 3, model.themes_\n"
        "print(sorted(m for m in ('transformers', 'sentence_transformers', 'bertopic') if m in sys.modules))\n"
        "print([k for k, v in sys.modules.items() if v is None])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["['bertopic']", "[]"], done.stdout + done.stderr

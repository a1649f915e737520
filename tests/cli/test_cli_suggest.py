"""nlpthemes suggest: the output contract, learning from codings, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlpthemes.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest"
runner = CliRunner()


@pytest.mark.slow
def test_suggest_learns_from_codings_and_writes_contract(tmp_path: Path) -> None:
    out = tmp_path / "suggestions.csv"
    result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), str(DATA / "p2.txt"), "--codebook",
                                 str(DATA / "codebook.csv"), "--codings", str(DATA / "codings_p1.csv"),
                                 "--top-k", "2", "--out", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 quotes could not be placed" in result.stderr
    assert "'Volunters' (1)" in result.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["transcript", "sentence", "start", "end", "text", "code", "score", "rank", "applied"]
    texts = {"p1": (DATA / "p1.txt").read_text(encoding="utf-8"), "p2": (DATA / "p2.txt").read_text(encoding="utf-8")}
    assert all(texts[r["transcript"]][int(r["start"]) : int(r["end"])] == r["text"] for r in rows)
    assert not any(r["text"].endswith("?") and r["text"].startswith("How") for r in rows)  # interviewer excluded
    assert (tmp_path / "next_to_code.csv").exists() and (tmp_path / "suggest_manifest.json").exists()


def test_codes_from_one_transcript_say_why_the_retriever_decided(tmp_path: Path) -> None:
    # one coded transcript, too short to check the judge on its parts: the line says the retriever
    # learned, and why (it used to say the judge needs three transcripts, which it no longer does)
    result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), str(DATA / "p2.txt"), "--codebook",
                                 str(DATA / "codebook.csv"), "--codings", str(DATA / "codings_p1.csv"),
                                 "--model", "fake", "--out", str(tmp_path / "s.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "coded sentences by the retriever: with codes from one transcript, the judge takes over" in result.stderr
    assert "at least 3 transcripts" not in result.output
    assert "used in no coding yet" not in result.stderr  # every code without sub-codes has an example


def test_the_codes_no_coding_uses_yet_are_named(tmp_path: Path) -> None:
    # the same codings without the Volunteers rows: that code is suggested from its words alone, and
    # the user is told so (Resources, a category whose sub-codes are used, is not named)
    rows = (DATA / "codings_p1.csv").read_text(encoding="utf-8").splitlines()
    codings = tmp_path / "codings.csv"
    codings.write_text("\n".join(r for r in rows if not r.endswith(",Volunteers,Ana")) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), str(DATA / "p2.txt"), "--codebook",
                                 str(DATA / "codebook.csv"), "--codings", str(codings), "--model", "fake",
                                 "--out", str(tmp_path / "s.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ("warning: 1 of the 3 codes without sub-codes is used in no coding yet ('Volunteers'): it is "
            "suggested from the codebook's words alone") in result.stderr  # fmt: skip
    manifest = json.loads((tmp_path / "suggest_manifest.json").read_text(encoding="utf-8"))
    assert any("('Volunteers')" in w for w in manifest["outputs"]["warnings"])


def test_suggest_one_code_codebook_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("code\nTrust\n", encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), "--codebook", str(tmp_path / "one.csv"),
                                 "--out", str(tmp_path / "s.csv"), "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 1
    assert "needs at least two codable codes" in result.stderr
    assert "Traceback" not in result.output


def test_suggest_empty_codebook_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("code\n", encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), "--codebook", str(tmp_path / "empty.csv"),
                                 "--out", str(tmp_path / "s.csv"), "--model", "fake", "-q"])  # fmt: skip
    assert result.exit_code == 1 and "error:" in result.stderr


@pytest.mark.parametrize("command", ["suggest", "analyze", "fit"])
def test_a_bad_judge_choice_is_a_usage_error_before_any_work(command: str, tmp_path: Path) -> None:
    target = ["--out", str(tmp_path / "s.csv")] if command != "fit" else ["--save", str(tmp_path / "pipe")]
    base = [command, str(DATA / "p1.txt"), "--codebook", str(DATA / "codebook.csv"), *target, "--model", "fake", "-q"]
    unknown = runner.invoke(app, [*base, "--judge", "oracle"])
    assert unknown.exit_code == 2 and "judge must be one of features, cross-encoder, setfit, reranker, llm" in unknown.stderr
    url_without_llm = runner.invoke(app, [*base, "--judge-url", "http://127.0.0.1:9/v1"])
    assert url_without_llm.exit_code == 2 and "a judge URL is for the LLM judge" in url_without_llm.stderr
    missing = runner.invoke(app, [*base, "--judge", "setfit", "--judge-model", str(tmp_path / "no-model")])
    assert missing.exit_code == 2 and "setfit: model folder" in missing.stderr and "no-model" in missing.stderr
    (tmp_path / "empty").mkdir()
    not_a_model = runner.invoke(app, [*base, "--judge", "cross-encoder", "--judge-model", str(tmp_path / "empty")])
    assert not_a_model.exit_code == 2 and "has no config.json: not a model folder" in not_a_model.stderr
    assert "Traceback" not in unknown.output + url_without_llm.output + missing.output + not_a_model.output
    assert not (tmp_path / "s.csv").exists() and not (tmp_path / "pipe").exists()


@pytest.mark.slow
def test_thresholds_adapt_to_the_transcripts_unless_the_coder_asks_for_the_learned_ones(tmp_path: Path) -> None:
    import json

    sample = Path(__file__).resolve().parents[2] / "data" / "pdpilot"
    common = ["suggest", str(sample / "transcripts"), "--codebook", str(sample / "codebook.csv"),
              "--codings", str(sample / "codings.csv"), "--interviewer", "Dan", "-q"]  # fmt: skip
    decided = {}
    for name, extra in (("adapted", []), ("learned", ["--learned-thresholds"])):
        out = tmp_path / name / "suggestions.csv"
        result = runner.invoke(app, [*common, *extra, "--out", str(out)])
        assert result.exit_code == 0, result.output
        manifest = json.loads((out.parent / "suggest_manifest.json").read_text(encoding="utf-8"))
        assert manifest["outputs"]["stage"] == "judge"
        assert manifest["outputs"]["thresholds"] == ("learned" if extra else "adapted to the sentences decided")
        with open(out, newline="", encoding="utf-8") as handle:
            decided[name] = {(r["transcript"], r["sentence"], r["code"]) for r in csv.DictReader(handle) if r["applied"] == "1"}
    assert decided["adapted"] != decided["learned"] and decided["learned"]


def test_fit_does_not_offer_learned_thresholds_since_batch_always_uses_them(tmp_path: Path) -> None:
    # batch decides each file on its own with the learned thresholds, so the option would do nothing there
    for command, offered in (("fit", False), ("suggest", True), ("analyze", True)):
        assert ("--learned-thresholds" in runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output) is offered
    result = runner.invoke(app, ["fit", "x.txt", "-c", "cb.csv", "-s", str(tmp_path / "p"), "--learned-thresholds"])
    assert result.exit_code == 2 and "No such option" in result.output
    assert not (tmp_path / "p").exists()


def test_a_codebook_as_typed_is_read_and_what_is_not_read_is_said(tmp_path: Path) -> None:
    """Headers such as 'Code name' and 'Definition' are read; a column nobody reads is named (on stderr, even
    with -q) rather than dropped without a word."""
    with open(DATA / "codebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    typed = tmp_path / "typed.csv"
    with open(typed, "w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Code name", "Definition", "Parent code", "Example quotes", "Coder memo"])
        writer.writerows([[r["code"], r["description"], r["parent"], r["examples"], "see notes"] for r in rows])
    outs = {}
    for name, book in (("plain", DATA / "codebook.csv"), ("typed", typed)):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["suggest", str(DATA / "p1.txt"), "--codebook", str(book), "--out", str(out),
                                     "--model", "fake", "-q"])  # fmt: skip
        assert result.exit_code == 0, result.output
        outs[name] = out.read_text(encoding="utf-8")
        if name == "typed":
            assert "typed.csv: columns not read: 'Coder memo'" in result.stderr
    assert outs["typed"] == outs["plain"]  # the same codes, definitions and so suggestions

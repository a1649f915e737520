"""nlpthemes analyze: every output of the contract, honest machine agreement, pseudonyms, clear errors."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from nlpthemes.cli import analyze as analyze_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
TRANSCRIPTS = [str(DATA / f"{name}.txt") for name in ("n1", "n2", "s1", "s2")]
CONTRACT = ("sentences.csv", "themes.csv", "theme_code_matches.csv", "uncovered_themes.csv", "unsupported_codes.csv",
            "suggestions.csv", "agreement.json", "report.html", "results.xlsx", "manifest.json")
NAMES = ("Mina", "Joon", "Seo", "Hana")
runner = CliRunner()


def _app() -> typer.Typer:
    """A fresh app with the analyze command (the lead registers it in nlpthemes.cli._commands)."""
    app = typer.Typer()
    analyze_cli.register(app)
    app.command("version")(lambda: None)  # two commands: typer keeps "analyze" as a subcommand
    return app


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    out = tmp_path_factory.mktemp("analyze") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NLPTHEMES_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        result = runner.invoke(_app(), ["analyze", *TRANSCRIPTS, "--codebook", str(DATA / "codebook.csv"),
                                        "--codings", str(DATA / "codings.csv"), "--attributes",
                                        str(DATA / "attributes.csv"), "--out", str(out), "--model", "fake",
                                        "--folds", "2", "--bootstrap", "50", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    yield out, result.output


def test_analyze_writes_every_file_of_the_contract(fixture_run: tuple[Path, str]) -> None:
    out, _ = fixture_run
    for name in (*CONTRACT, "agreement_per_code.csv", "disagreements.csv", "code_frequencies.csv",
                 "cooccurrence.csv", "group_comparison.csv", "methods.md", "pseudonym_key.csv"):
        assert (out / name).is_file(), name
    with open(out / "suggestions.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == ["transcript", "sentence", "start", "end", "text", "code", "score", "rank", "applied"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "analyze" and manifest["seed"] == 42
    assert {i["path"].rsplit("/", 1)[-1] for i in manifest["inputs"]} >= {"n1.txt", "codebook.csv", "codings.csv"}
    assert manifest["timings_s"]["total"] > 0 and manifest["model"]["name"] == "fake-bow-32"
    sheets = openpyxl.load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert {"themes", "suggestions", "theme_code_matches", "agreement_per_code", "group_comparison"} <= set(sheets)


def test_machine_agreement_is_cross_fitted_by_transcript(fixture_run: tuple[Path, str]) -> None:
    out, _ = fixture_run
    agreement = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    assert agreement["coders"] == ["A", "B"] and agreement["machine"] == "machine"
    folds = [f for f in agreement["machine_coder"]["folds"] if f["fold"] >= 0]
    held = sorted(t for f in folds for t in f["transcripts"])
    assert len(folds) == agreement["folds"] == 2 and held == ["n1", "n2", "s1", "s2"]
    assert all(f["mode"] == "learned" and f["n_training"] > 0 for f in folds)  # learned from the other fold
    assert not set(folds[0]["transcripts"]) & set(folds[1]["transcripts"])
    # the methods paragraph says how the machine coded, as the folds record it (here the judge in both)
    assert all({"stage", "passage", "thresholds"} <= set(f) for f in folds)
    methods = (out / "methods.md").read_text(encoding="utf-8")
    assert ("second model, the judge, then re-scored" in methods) == any(f["stage"] == "judge" for f in folds)
    assert agreement["human_human"]["n_coders"] == 2 and set(agreement["human_machine"]) == {"A", "B"}
    kinds = {(row["code"], row["kind"]) for row in agreement["per_code"]}
    assert ("Funding", "human-human") in kinds and ("Funding", "human-machine") in kinds
    funding = [r for r in agreement["per_code"] if r["code"] == "Funding" and r["kind"] == "human-human"][0]
    assert funding["kappa_low"] <= funding["cohen_kappa"] <= funding["kappa_high"]


def test_outputs_are_pseudonymised(fixture_run: tuple[Path, str]) -> None:
    out, _ = fixture_run
    key = (out / "pseudonym_key.csv").read_text(encoding="utf-8")
    assert all(name in key for name in NAMES)
    for path in out.iterdir():
        if path.name in ("pseudonym_key.csv", "results.xlsx"):
            continue
        text = path.read_text(encoding="utf-8")
        found = [name for name in NAMES if re.search(rf"\b{name}\b", text)]
        assert not found, f"{path.name} names {found}"


def test_groups_are_compared_and_codes_related(fixture_run: tuple[Path, str]) -> None:
    out, _ = fixture_run
    with open(out / "group_comparison.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    family = [r for r in rows if r["item"] == "Family" and r["source"] == "human"][0]
    assert (family["group_a"], family["group_b"], family["higher_in"]) == ("NK", "SK", "NK")
    assert int(family["count_a"]) > int(family["count_b"]) == 0
    assert any(r["kind"] == "theme" for r in rows)
    with open(out / "cooccurrence.csv", newline="", encoding="utf-8") as handle:
        pairs = {(r["source"], r["code_a"], r["code_b"]) for r in csv.DictReader(handle)}
    assert ("human", "Family", "Trust") in pairs  # "We still trust our families": one turn, both codes


def test_summary_and_report(fixture_run: tuple[Path, str]) -> None:
    out, _ = fixture_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "human-machine" in html and "cross-fitted by transcript" in html
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html


def test_quiet_run_prints_nothing_but_warnings(fixture_run: tuple[Path, str]) -> None:
    _, output = fixture_run
    assert "Traceback" not in output and "·" not in output


def test_themes_only_without_codebook_and_without_pseudonyms(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(_app(), ["analyze", *TRANSCRIPTS, "--out", str(out), "--model", "fake",
                                    "--no-pseudonymise", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("sentences.csv", "themes.csv", "report.html", "results.xlsx", "manifest.json"):
        assert (out / name).is_file(), name
    for name in ("theme_code_matches.csv", "suggestions.csv", "agreement.json", "pseudonym_key.csv"):
        assert not (out / name).exists(), name
    assert "Mina" in (out / "sentences.csv").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "No codebook given." in html and "Not pseudonymised" in html


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--codebook", str(DATA / "codebook.csv")], 2, "give the transcripts"),
        ([TRANSCRIPTS[0], "--folds", "1"], 2, "--folds must be >= 2"),
        ([TRANSCRIPTS[0], "--compare", "NK"], 2, "--compare needs two groups"),
        ([TRANSCRIPTS[0], "--themes", "many"], 2, "--themes must be 'auto'"),
        ([TRANSCRIPTS[0], "--codebook", str(DATA / "missing.csv")], 1, "missing.csv"),
        ([TRANSCRIPTS[0], "--codings", str(DATA / "codings.csv")], 1, "codings need the codebook"),
    ],
)
def test_usage_and_data_errors_are_one_line(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(_app(), ["analyze", *args, "--out", str(tmp_path / "o"), "--model", "fake", "-q"])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_missing_sample_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpthemes

    monkeypatch.setattr(nlpthemes, "__file__", str(tmp_path / "site" / "nlpthemes" / "__init__.py"))
    result = runner.invoke(_app(), ["analyze", "--out", str(tmp_path / "o"), "--model", "fake", "-q"])
    assert result.exit_code == 1
    assert "sample data (data/pdpilot) is not here" in result.output


@pytest.mark.slow
def test_analyze_on_the_shipped_sample_with_the_real_model(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(_app(), ["analyze", "--out", str(out), "--folds", "2", "--bootstrap", "200", "-q"])
    assert result.exit_code == 0, result.output
    for name in CONTRACT:
        assert (out / name).is_file(), name
    agreement = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    assert agreement["coders"] == ["PDPilot authors"] and agreement["human_human"] is None
    machine = [r for r in agreement["per_code"] if r["kind"] == "human-machine"]
    assert len({r["code"] for r in machine}) >= 20
    defined = [r for r in machine if r["krippendorff_alpha"] is not None]
    assert defined and all(-1 <= r["krippendorff_alpha"] <= 1 for r in defined)
    assert all(t for f in agreement["machine_coder"]["folds"] for t in f["transcripts"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Dan" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)  # the interviewer is pseudonymised
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
    if browser is not None:
        dumped = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
             "--virtual-time-budget=15000", "--dump-dom", (out / "report.html").resolve().as_uri()],
            capture_output=True, text=True, timeout=180, check=False, env={**os.environ},
        )  # fmt: skip
        root = re.search(r"<html([^>]*)>", dumped.stdout)
        assert root is not None and 'data-ready="1"' in root.group(1), dumped.stderr[-1000:]
        assert "data-script-errors" not in root.group(1)
        assert int(re.search(r'data-plots="(\d+)"', root.group(1)).group(1)) >= 6  # type: ignore[union-attr]

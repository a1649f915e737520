"""evaluation/datasets.project: any coded study in the import layout, evaluated like the shared sets."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlpthemes.embed._onnx import cpu_description
from nlpthemes.io import ReadOptions

REPO = Path(__file__).resolve().parents[2]
# loaded under its own name: "datasets" is also a Hugging Face package
_spec = importlib.util.spec_from_file_location("nlpthemes_eval_datasets", REPO / "evaluation" / "datasets.py")
assert _spec is not None and _spec.loader is not None
datasets = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = datasets
_spec.loader.exec_module(datasets)


def test_a_study_in_the_import_layout_reads_as_its_own_loader_does() -> None:
    folder = REPO / "data" / "pdpilot"  # transcripts/, codebook.csv, codings.csv: what 'nlpthemes import' writes
    found = datasets.project(folder, options=ReadOptions(interviewers=("Dan",)))
    known = datasets.pdpilot(folder)
    assert [s.text for s in found.sentences] == [s.text for s in known.sentences]
    assert found.gold == known.gold and found.codes == known.codes


def test_a_folder_that_is_no_study_or_a_coder_who_coded_too_little_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a coded study"):
        datasets.project(tmp_path)
    with pytest.raises(SystemExit, match="'Nobody' coded fewer than two transcripts"):
        datasets.project(REPO / "data" / "pdpilot", coder="Nobody")
    study = tmp_path / "study"
    shutil.copytree(REPO / "data" / "pdpilot" / "transcripts", study / "transcripts")
    shutil.copy(REPO / "data" / "pdpilot" / "codebook.csv", study)
    rows = (REPO / "data" / "pdpilot" / "codings.csv").read_text(encoding="utf-8").splitlines()
    (study / "codings.csv").write_text("\n".join([*rows, "P7,0,10,No such code,PDPilot authors"]) + "\n",
                                       encoding="utf-8")  # fmt: skip
    with pytest.raises(SystemExit, match=r"codings.csv.*No such code"):
        datasets.project(study)


def test_export_keeps_the_question_of_survey_answers(tmp_path: Path) -> None:
    from nlpthemes.corpus import Sentence

    cs = datasets.pdpilot()
    cs.sentences[0] = Sentence(**{**cs.sentences[0].__dict__, "attributes": {"question": "Why?"}})
    datasets.export([cs], tmp_path / "sets.json.gz")
    again = datasets.load_export(tmp_path / "sets.json.gz")["PDPilot"]
    assert again.sentences[0].attributes == {"question": "Why?"} and again.sentences[1].attributes == {}


def test_suggest_eval_runs_on_a_project(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(REPO / "evaluation" / "suggest_eval.py"), "--project",
                          str(REPO / "data" / "pdpilot"), "--seeds", "1", "--methods", "baselines", "--model", "fake",
                          "--out", str(tmp_path / "results.md")],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "('pdpilot', 'baseline: cosine to name')" in run.stdout
    # the second table: one coded interview of seven leaves about half the held-out coded sentences
    # with only codes it never used (53% in the first split), which no learning can rank from examples
    second = run.stdout[run.stdout.index("top3_unseen |"):]
    row = next(line for line in second.splitlines() if "'baseline: cosine to name')" in line)
    unseen_only, top3_seen, top3_unseen = (float(v) for v in row.strip(" |").split("|")[1:])
    assert 0.3 < unseen_only < 0.8
    assert 0 < top3_seen < 1 and 0 < top3_unseen < 1
    # the results file says on which CPU it ran: int8 vectors, and so the figures, move with it
    first = (tmp_path / "results.md").read_text(encoding="utf-8").splitlines()[2]
    assert first.startswith("`python evaluation/suggest_eval.py --project") and f" on {cpu_description()['model']} (" in first


def test_names_only_keeps_the_codes_and_drops_what_defines_them() -> None:
    known = datasets.pdpilot(REPO / "data" / "pdpilot")
    bare = datasets.names_only(known)
    assert [bare.codebook.path(c) for c in bare.codebook] == [known.codebook.path(c) for c in known.codebook]
    assert bare.codes == known.codes and bare.gold == known.gold
    assert any(c.description for c in known.codebook) and not any(c.description for c in bare.codebook)

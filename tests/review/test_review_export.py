"""A review's codes go out as they are: to QDPX (the coder and the machine as REFI users) and to `agree`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from nlpthemes.cli import app
from nlpthemes.embed import load_embedder
from nlpthemes.io.refi import export_project, read_project
from nlpthemes.io.refi.importer import coding_rows
from nlpthemes.review import ReviewSession, load_inputs
from nlpthemes.suggest import CodeSuggester


def review(folder: Path, coder: str, decisions: list[tuple[str, str, str]]) -> ReviewSession:
    embedder = load_embedder("fake", cache=False, progress=False)
    session = ReviewSession(load_inputs(folder), coder, embedder=embedder, refit_every=0,
                            make=lambda e: CodeSuggester(embedder=e, context_weight=1.0, example_weight=1.0,
                                                         question_weight=0.0))  # fmt: skip
    session.start()
    for transcript, text, code in decisions:
        s = next(x for x in session.sentences if x.transcript_id == transcript and x.text.startswith(text))
        if code:
            session.decide({"op": "apply", "transcript": transcript, "sentence": s.index, "code": code})
        else:
            session.decide({"op": "reject", "transcript": transcript, "sentence": s.index, "codes": []})
    session.close()
    return session


def test_export_has_each_coder_and_the_machines_remaining_suggestions(study: Path, tmp_path: Path) -> None:
    ana = review(study, "ana", [("p1", "We applied", "Funding"), ("p2", "We hired volunteers", "Staff"),
                                ("p1", "Trust took", "")])  # fmt: skip
    review(study, "ben", [("p1", "We applied", "Policy")])
    result = export_project(study, tmp_path / "study.qdpx")
    project = read_project(tmp_path / "study.qdpx")
    names = {u.name for u in project.users}
    assert {"Dana", "ana", "ben", "nlpthemes after review by ana", "nlpthemes after review by ben"} <= names
    rows = pd.DataFrame(coding_rows(project).codings)
    assert sorted(map(tuple, rows[rows["coder"] == "ana"][["transcript", "code"]].values.tolist())) == [
        ("p1", "Funding"), ("p2", "Staff")]
    assert rows[rows["coder"] == "ben"]["code"].tolist() == ["Policy"]
    machine = rows[rows["coder"] == "nlpthemes after review by ana"]
    remaining = pd.read_csv(ana.store.folder / "suggestions.csv")
    assert len(machine) == int(remaining["applied"].sum()) > 0
    decided = {(t, s.start) for t, s in ((s.transcript_id, s) for s in ana.sentences)
               if (t, s.index) in ana.store.state.touched}  # fmt: skip
    assert decided and not decided & set(zip(machine["transcript"], machine["start"], strict=True))
    assert result.suggestions > 0


def test_the_coders_codings_feed_agree_as_they_are(study: Path) -> None:
    decisions: list[tuple[str, str, str]] = [("p3", "We got a grant", "Funding"), ("p3", "The money paid", "Funding"),
                                             ("p3", "We trusted our", "Trust"), ("p3", "Trust was never", "Trust"),
                                             ("p3", "The policy of", "Policy"), ("p3", "We had some", "")]  # fmt: skip
    session = review(study, "ana", decisions)
    result: Any = CliRunner().invoke(app, ["agree", str(study / "codings.csv"), str(session.store.codings_path),
                                           "-t", str(study / "transcripts"), "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"n_coders": 2' in result.output


def test_a_folder_without_transcripts_exports_with_them_named(study: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"  # a fresh start: the review's files only, as for an analyze folder
    embedder = load_embedder("fake", cache=False, progress=False)
    inputs = load_inputs(notes, transcripts=[study / "transcripts"], codebook=study / "codebook.csv")
    session = ReviewSession(inputs, "ana", embedder=embedder, refit_every=0,
                            make=lambda e: CodeSuggester(embedder=e, context_weight=1.0, example_weight=1.0,
                                                         question_weight=0.0))  # fmt: skip
    session.start()
    s = next(x for x in session.sentences if x.text.startswith("We hired two"))
    session.decide({"op": "apply", "transcript": s.transcript_id, "sentence": s.index, "code": "Staff"})
    session.close()
    result: Any = CliRunner().invoke(app, ["export", str(notes), "--out", str(tmp_path / "notes.qdpx"),
                                           "--transcripts", str(study / "transcripts"),
                                           "--codebook", str(study / "codebook.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = pd.DataFrame(coding_rows(read_project(tmp_path / "notes.qdpx")).codings)
    assert rows[rows["coder"] == "ana"][["transcript", "start", "end", "code"]].values.tolist() == [
        [s.transcript_id, s.start, s.end, "Staff"]]
    missing: Any = CliRunner().invoke(app, ["export", str(notes), "--out", str(tmp_path / "x.qdpx")])
    assert missing.exit_code == 1 and "no transcripts" in missing.output

"""A review session: where it starts from, what it accepts, what it shows, and one coder at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from nlpthemes.embed import load_embedder
from nlpthemes.errors import InputError
from nlpthemes.review import ReviewSession, load_inputs
from nlpthemes.suggest import CodeSuggester


def fast(embedder: Any) -> CodeSuggester:
    return CodeSuggester(embedder=embedder, context_weight=1.0, example_weight=1.0, question_weight=0.0)


def open_session(folder: Path, coder: str = "ana", **kwargs: Any) -> ReviewSession:
    embedder = load_embedder("fake", cache=False, progress=False)
    session = ReviewSession(load_inputs(folder, **kwargs), coder, embedder=embedder, refit_every=0, make=fast)
    session.start()
    return session


def sentence(session: ReviewSession, transcript: str, text: str) -> Any:
    return next(s for s in session.sentences if s.transcript_id == transcript and s.text.startswith(text))


def test_an_imported_folder_an_analyze_folder_and_a_fresh_start(study: Path, tmp_path: Path) -> None:
    imported = load_inputs(study)
    assert sorted(t.id for t in imported.corpus.transcripts) == ["p1", "p2", "p3"]
    assert set(imported.codings["coder"]) == {"Dana"} and len(imported.codings) == 6
    assert any(s.is_interviewer for s in imported.sentences)

    out = tmp_path / "out"
    out.mkdir()
    manifest = {"command": "analyze", "parameters": {
        "paths": [str(study / "transcripts")], "codebook": str(study / "codebook.csv"),
        "codings": [str(study / "codings.csv")], "interviewers": ["Interviewer"], "language": "en", "model": "fake"}}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    analysed = load_inputs(out)
    assert analysed.model == "fake" and len(analysed.codings) == 6
    assert [s.text for s in analysed.sentences] == [s.text for s in imported.sentences]

    fresh = load_inputs(tmp_path / "new", transcripts=[study / "transcripts" / "p1.txt"], codebook=study / "codebook.csv")
    assert [t.id for t in fresh.corpus.transcripts] == ["p1"] and fresh.codings is None
    assert (tmp_path / "new").is_dir()


def test_the_review_reads_the_files_as_the_analysis_did(study: Path, tmp_path: Path) -> None:
    from nlpthemes.io import ReadOptions

    survey = Path(__file__).resolve().parents[1] / "data" / "io" / "survey_questions.csv"
    change = "What would you change about it?"
    out = tmp_path / "out"
    out.mkdir()
    # the analysis read one question of the survey (--text-column), and only the manifest says so
    manifest = {"command": "analyze", "parameters": {
        "paths": [str(survey)], "codebook": str(study / "codebook.csv"), "codings": [], "model": "fake",
        "read_options": ReadOptions(text_column=(change,), language="en").record()}}  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert [t.id for t in load_inputs(out).corpus.transcripts] == ["s01", "s03"]
    # what the coder names when starting the review wins
    useful = "What did you find most useful in the programme?"
    both = load_inputs(out, options=ReadOptions(text_column=(useful, change)))
    assert [t.id for t in both.corpus.transcripts] == ["s01 Q1", "s01 Q2", "s02 Q1", "s03 Q1", "s03 Q2"]


def test_a_survey_answer_shows_its_question(study: Path, tmp_path: Path) -> None:
    survey = Path(__file__).resolve().parents[1] / "data" / "io" / "survey_questions.csv"
    session = open_session(tmp_path / "review", transcripts=[survey], codebook=study / "codebook.csv")
    try:
        assert session.transcript("s01 Q2")["question"] == "What would you change about it?"
    finally:
        session.close()
    interview = open_session(study)
    try:
        assert interview.transcript("p1")["question"] is None
    finally:
        interview.close()


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: None, "no such folder"),
    (lambda d: d.mkdir(), "neither an 'nlpthemes analyze' output folder"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text('{"command": "suggest"}')), "not the manifest of"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text("{oops")), "not valid JSON"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(
        '{"command": "analyze", "parameters": {"paths": ["gone/"], "codebook": "gone.csv"}}')), "is not there any more"),
    (lambda d: (d.mkdir(), (d / "transcripts").mkdir()), "no codebook.csv"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(json.dumps({"command": "analyze", "parameters": {
        "paths": [], "codebook": str(d / "manifest.json"), "read_options": {"layout": "xyz"}}}))),
     "manifest.json: its reading options cannot be used: layout must be"),
])  # fmt: skip
def test_a_folder_that_cannot_be_reviewed_says_why(tmp_path: Path, setup: Any, message: str) -> None:
    folder = tmp_path / "x"
    setup(folder)
    with pytest.raises(InputError, match=message):
        load_inputs(folder)


def test_decisions_are_checked_before_they_are_logged(study: Path) -> None:
    session = open_session(study)
    try:
        s = sentence(session, "p1", "We applied")
        bad = [
            ({"op": "apply", "transcript": "p1", "sentence": s.index, "code": "Nope"}, "not a codable code"),
            ({"op": "apply", "transcript": "p9", "sentence": 0, "code": "Trust"}, "no sentence 0 in transcript 'p9'"),
            ({"op": "apply", "transcript": "p1", "sentence": s.index, "code": "Trust", "start": 0, "end": 5},
             "must lie in the transcript and overlap the sentence"),
            ({"op": "apply", "transcript": "p1", "sentence": s.index, "code": "Trust", "start": s.start,
              "end": 10**6}, "must lie in the transcript"),
            ({"op": "reject", "transcript": "p1", "sentence": s.index, "codes": "Trust"}, "must be a list"),
            ({"op": "remove", "target": "nothing"}, "no such applied code"),
            ({"op": "memo", "transcript": "p1", "sentence": s.index, "text": "x" * 10_001}, "at most"),
            ({"op": "delete-everything"}, "unknown decision"),
            ({"transcript": "p1"}, "unknown decision"),
        ]  # fmt: skip
        for payload, message in bad:
            with pytest.raises(InputError, match=message):
                session.decide(payload)
        with pytest.raises(InputError, match="nothing to undo"):
            session.undo()
        assert session.store.count == 0 and not session.store.log_path.exists()
    finally:
        session.close()


def test_a_wider_span_codes_every_sentence_it_covers(study: Path) -> None:
    session = open_session(study)
    try:
        first, second = sentence(session, "p1", "We applied"), sentence(session, "p1", "The money came")
        result = session.decide({"op": "apply", "transcript": "p1", "sentence": first.index, "code": "Funding",
                                 "start": first.start, "end": second.end})  # fmt: skip
        views = {v["sentence"]: v for v in result["sentences"]}
        assert set(views) == {first.index, second.index}
        assert all(v["decided"] and [c["code"] for c in v["codings"]] == ["Funding"] for v in views.values())
        assert views[first.index]["codings"][0]["anchor"] and not views[second.index]["codings"][0]["anchor"]
        rows = pd.read_csv(session.store.codings_path)
        assert rows.values.tolist() == [["p1", first.start, second.end, "Funding", "ana"]]
        with pytest.raises(InputError, match="already applied to that span"):  # a key pressed twice
            session.decide({"op": "apply", "transcript": "p1", "sentence": first.index, "code": "Funding",
                            "start": first.start, "end": second.end})  # fmt: skip
        text = session.texts["p1"]
        assert text[first.start:second.end] == f"{first.text} {second.text}"
        undone = session.undo()
        assert undone["undone"] == "apply" and undone["focus"] == {"transcript": "p1", "sentence": first.index}
        assert all(not v["decided"] and not v["codings"] for v in undone["sentences"])
    finally:
        session.close()


def test_agreement_compares_with_what_the_machine_said_before_the_decision(study: Path) -> None:
    session = open_session(study)
    try:
        s = sentence(session, "p1", "We applied")
        i = session.row[("p1", s.index)]
        machine = {c for c, _, _, applied in session.scores.ranked(i, 0) if applied}
        assert machine, "the fixture's first money sentence should get a code from the machine"
        chosen = sorted(machine)[0]
        session.decide({"op": "apply", "transcript": "p1", "sentence": s.index, "code": chosen})
        other = sentence(session, "p2", "The new government")
        session.decide({"op": "reject", "transcript": "p2", "sentence": other.index, "codes": []})
        agreement = session.stats()["agreement"]
        assert agreement["n_units"] == 2
        row = next(r for r in agreement["per_code"] if r["code"] == chosen)
        assert row["coder"] == 1 and row["both"] == 1
        op = session.store.ops[0]
        assert set(op["machine"]) == machine and op["fit"] == 0 and op["source"] == "chosen"
    finally:
        session.close()


def test_codes_given_at_start_are_taught_but_no_code_counts_as_asked_before_a_decision(study: Path) -> None:
    # the queue asks once about each code with no example; the codes given at start teach, and
    # only the coder's own decisions count as having asked about the others
    session = open_session(study)
    try:
        scores = session.scores
        assert scores.taught == frozenset(session.inputs.codings["code"]) & set(scores.codes)
        assert set(scores.codes) - scores.taught and scores.explored == frozenset()
        s = sentence(session, "p1", "We applied")
        session.decide({"op": "reject", "transcript": "p1", "sentence": s.index, "codes": []})
        session.refit()
        session.learner.wait(60)
        assert len(session.scores.explored) == 1 and not session.scores.explored & session.scores.taught
    finally:
        session.close()


def test_queues_leave_out_decided_interviewer_and_given_sentences(study: Path) -> None:
    session = open_session(study)
    try:
        s = sentence(session, "p1", "We applied")
        session.decide({"op": "reject", "transcript": "p1", "sentence": s.index, "codes": []})
        active = session.queue("active", limit=100)
        keys = {(q["transcript"], q["sentence"]) for q in active}
        participant = {(x.transcript_id, x.index) for x in session.sentences if not x.is_interviewer}
        assert keys and keys <= participant - {("p1", s.index)}
        assert not any(t == "p3" for t, _ in keys)  # Dana coded p3 already
        ordered = session.queue("transcript", after=("p1", s.index), limit=3)
        assert [(q["transcript"], q["sentence"]) for q in ordered] == [("p1", s.index + 1), ("p1", s.index + 2),
                                                                       ("p1", s.index + 4)]  # fmt: skip
        by_code = session.queue("code", code="Policy", limit=100)
        j = session.scores.codes.index("Policy")
        scores = [session.scores.proba[session.row[(q["transcript"], q["sentence"])], j] for q in by_code]
        assert scores == sorted(scores, reverse=True) and len(by_code) == len(session.queue("code", limit=100))
        with pytest.raises(InputError, match="order='best' is not allowed"):
            session.queue("best")
    finally:
        session.close()


def test_one_session_per_coder_and_folder_and_restarts_keep_everything(study: Path) -> None:
    session = open_session(study)
    s = sentence(session, "p2", "We hired volunteers")
    session.decide({"op": "apply", "transcript": "p2", "sentence": s.index, "code": "Staff"})
    session.decide({"op": "memo", "transcript": "p2", "sentence": s.index, "text": "check with Ben"})
    with pytest.raises(InputError, match="already reviewing this folder"):
        open_session(study)
    other = open_session(study, coder="ben")  # another coder may review the same folder at the same time
    other.close()
    session.close()
    again = open_session(study)
    try:
        view = again.sentence_view(again.row[("p2", s.index)])
        assert [c["code"] for c in view["codings"]] == ["Staff"] and view["memo"] == "check with Ben"
        assert again.stats()["decided"] == 1 and again.stats()["can_undo"]
    finally:
        again.close()

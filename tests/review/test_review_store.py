"""The coder's decisions on disk: the log is the truth, codings.csv follows it, nothing is lost."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from nlpthemes.errors import InputError
from nlpthemes.review import DecisionStore, coder_folder, fold

SPANS = {("p1", 0): (0, 10), ("p1", 1): (11, 20), ("p2", 0): (0, 8)}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _apply(store: DecisionStore, transcript: str, sentence: int, code: str) -> str:
    start, end = SPANS[(transcript, sentence)]
    store.append({"op": "apply", "transcript": transcript, "sentence": sentence, "start": start, "end": end, "code": code})
    return str(store.ops[-1]["id"])


def test_replaying_the_log_gives_back_every_decision(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path, "ana", SPANS)
    _apply(store, "p1", 0, "Trust")
    second = _apply(store, "p1", 1, "Funding")
    store.append({"op": "reject", "transcript": "p2", "sentence": 0, "codes": ["Policy", "Staff"]})
    store.append({"op": "memo", "transcript": "p1", "sentence": 1, "text": "ask Ben; \"quoted\", with a comma"})
    store.append({"op": "remove", "target": second})

    again = DecisionStore(tmp_path, "ana", SPANS)
    assert again.count == 5
    assert again.state.codings == store.state.codings
    assert again.state.rejected == {("p2", 0): {"Policy", "Staff"}}
    assert again.state.memos == {("p1", 1): "ask Ben; \"quoted\", with a comma"}
    assert _rows(again.codings_path) == [{"transcript": "p1", "start": "0", "end": "10", "code": "Trust", "coder": "ana"}]
    assert _rows(again.memos_path) == [{"transcript": "p1", "start": "11", "end": "20", "coder": "ana",
                                        "memo": "ask Ben; \"quoted\", with a comma"}]  # fmt: skip


def test_undo_takes_back_the_latest_decision_still_in_force(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path, "ana", SPANS)
    first = _apply(store, "p1", 0, "Trust")
    removal = {"op": "remove", "target": first}
    store.append(removal)
    assert store.state.codings == {}
    store.append({"op": "undo", "target": store.state.last()["id"]})  # undo the removal: the code is back
    assert [c.code for c in store.state.codings.values()] == ["Trust"]
    store.append({"op": "undo", "target": store.state.last()["id"]})  # undo the apply itself
    assert store.state.codings == {} and store.state.last() is None
    assert _rows(store.codings_path) == []
    assert fold(store.ops).codings == {}


def test_a_line_torn_by_a_kill_is_set_aside_and_the_rest_kept(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path, "ana", SPANS)
    _apply(store, "p1", 0, "Trust")
    with open(store.log_path, "ab") as handle:  # the process died in the middle of writing a decision
        handle.write(b'{"v":1,"id":"abc","op":"apply","transcript":"p1","sen')
    again = DecisionStore(tmp_path, "ana", SPANS)
    assert again.count == 1 and [c.code for c in again.state.codings.values()] == ["Trust"]
    assert any("incomplete last line" in w for w in again.warnings)
    assert store.log_path.with_name("decisions.jsonl.torn").read_bytes().startswith(b'{"v":1,"id":"abc"')
    _apply(again, "p1", 1, "Funding")  # the log goes on cleanly after the torn line
    lines = store.log_path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["Trust", "Funding"]


def test_an_edited_log_is_refused_with_the_line(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path, "ana", SPANS)
    _apply(store, "p1", 0, "Trust")
    _apply(store, "p1", 1, "Trust")
    lines = store.log_path.read_text(encoding="utf-8").splitlines()
    store.log_path.write_text(lines[0] + "\nnot json\n" + lines[1] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2 is not a decision"):
        DecisionStore(tmp_path, "ana", SPANS)


def test_codings_csv_is_rebuilt_from_the_log_on_start(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path, "ana", SPANS)
    _apply(store, "p1", 0, "Trust")
    store.codings_path.write_text("garbage", encoding="utf-8")  # e.g. an older copy put back by hand
    DecisionStore(tmp_path, "ana", SPANS)
    assert _rows(store.codings_path) == [{"transcript": "p1", "start": "0", "end": "10", "code": "Trust", "coder": "ana"}]


def test_codings_csv_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpthemes.io._atomic as atomic

    store = DecisionStore(tmp_path, "ana", SPANS)
    _apply(store, "p1", 0, "Trust")
    before = store.codings_path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError):
        _apply(store, "p1", 1, "Funding")
    monkeypatch.undo()
    assert store.codings_path.read_bytes() == before  # the old file, complete
    assert not list(store.folder.glob(".codings.csv.*"))  # no temporary file left behind
    # the decision reached the log before the table: the next start has it
    assert [c.code for c in DecisionStore(tmp_path, "ana", SPANS).state.codings.values()] == ["Trust", "Funding"]


def test_two_coders_never_write_the_same_file(tmp_path: Path) -> None:
    ana = DecisionStore(tmp_path, "Ana", SPANS)
    ben = DecisionStore(tmp_path, "Ben B.", SPANS)
    _apply(ana, "p1", 0, "Trust")
    _apply(ben, "p1", 0, "Funding")
    _apply(ana, "p2", 0, "Policy")
    assert ana.folder != ben.folder and ana.folder.parent == ben.folder.parent == tmp_path / "review"
    assert {r["coder"] for r in _rows(ana.codings_path)} == {"Ana"} and len(_rows(ana.codings_path)) == 2
    assert _rows(ben.codings_path) == [{"transcript": "p1", "start": "0", "end": "10", "code": "Funding",
                                        "coder": "Ben B."}]  # fmt: skip


def test_coder_names_become_safe_folder_names(tmp_path: Path) -> None:
    assert coder_folder(tmp_path, "../../etc").parent == tmp_path / "review"
    assert coder_folder(tmp_path, "Ana María").name == "Ana_María"
    with pytest.raises(InputError, match="empty"):
        coder_folder(tmp_path, "  ")

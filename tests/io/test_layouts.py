"""Layouts: hand-written exports of each tool read into the right speakers, roles, times and offsets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError, ReadingWarning
from nlpthemes.io import ReadOptions, read_corpus, read_transcripts
from nlpthemes.io.layouts import LAYOUT_NAMES, read_layout
from nlpthemes.segment import segment_transcript

DATA = Path(__file__).resolve().parents[1] / "data" / "layouts"
README = Path(__file__).resolve().parents[2] / "README.md"
FIXTURES = sorted(p.name.removesuffix(".expected.json") for p in DATA.glob("*.expected.json"))
# A timestamp, a cue arrow, a hard-break backslash or emphasis at an edge: never inside a sentence here.
LEFTOVER = re.compile(r"\d{1,2}:\d{2}|-->|\\$|^[*_\\]|[*_]$|SPEAKER_\d")


def expected(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))


def read(name: str, options: ReadOptions = ReadOptions()) -> Transcript:
    (transcript,) = read_transcripts(DATA / name, options)
    return transcript


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_reads_as_expected(name: str) -> None:
    t = read(name)
    want = expected(name)
    assert t.reading is not None and t.reading.layout == want["layout"] and t.reading.detected
    assert {k: dict(v) for k, v in t.participants.items()} == want["participants"]
    got = [[x.speaker, x.is_interviewer, x.start_time, x.end_time, x.start, x.end, t.text[x.start : x.end]]
           for x in t.turns]  # fmt: skip
    assert got == want["turns (speaker, interviewer, start_time, end_time, start, end, text)"]


@pytest.mark.parametrize("name", FIXTURES)
def test_no_label_or_timestamp_inside_a_sentence(name: str) -> None:
    t = read(name)
    sentences = segment_transcript(t)
    assert sentences
    speakers = {x.speaker for x in t.turns if x.speaker}
    for s in sentences:
        assert t.text[s.start : s.end] == s.text
        assert not LEFTOVER.search(s.text), s.text
        for name in speakers:  # no label in any form: "Name:", "[Name]", "Name, Role", "**Name**", "Name (00:"
            assert not any(f"{name}{end}" in s.text for end in (":", "]", ", ", "*", " (", "  ")), s.text
            assert s.text != name
        # sentences carry their turn's times
        turn = t.turns[s.turn]
        assert (s.start_time, s.end_time) == (turn.start_time, turn.end_time)


@pytest.mark.parametrize("name", ["otter.txt", "teams_cues.txt", "nvivo.txt", "teams.txt"])
def test_crlf_and_bom_offsets_map_back_to_the_file(name: str) -> None:
    raw = (DATA / name).read_bytes()
    source = raw.decode("utf-8-sig")
    t = read(name)
    assert "\r" not in t.text and not t.text.startswith("\ufeff")
    for s in segment_transcript(t):
        assert source[t.to_source_offset(s.start) : t.to_source_offset(s.end)] == s.text


def test_every_readme_layout_is_detected_and_every_layout_is_in_the_readme() -> None:
    section = README.read_text(encoding="utf-8").split("### Layouts", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^\| `([a-z-]+)` \|", section, re.M)
    assert sorted(listed) == sorted(LAYOUT_NAMES)
    detected = {read(name).reading.layout for name in FIXTURES}  # type: ignore[union-attr]
    assert set(listed) <= detected


def test_layout_option_overrides_detection() -> None:
    forced = read("pandoc.md", ReadOptions(layout="markdown"))
    assert forced.reading is not None and not forced.reading.detected
    assert forced.turns == read("pandoc.md").turns
    with pytest.warns(ReadingWarning, match=r"pandoc.md: every speaker turn is given to Interviewer although "
                                            r"the markdown layout finds 2 speakers here.*--layout markdown"):
        inline = read("pandoc.md", ReadOptions(layout="inline"))
    assert inline.reading is not None and inline.reading.layout == "inline"
    assert {x.speaker for x in inline.turns} == {None, "Interviewer"}  # what main used to do


def test_unknown_layout_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"layout must be 'auto' or one of inline, markdown, .*; got 'otter'"):
        ReadOptions(layout="otter")


@pytest.mark.parametrize(("name", "layout", "hint"), [("otter.txt", "inline", "name-time"),
                                                      ("teams_cues.txt", "plain", "teams-cues")])  # fmt: skip
def test_no_speaker_in_a_dialogue_warns_with_the_file(name: str, layout: str, hint: str) -> None:
    with pytest.warns(ReadingWarning, match=rf"{re.escape(name)}: no speaker was found .*--layout {hint}"):
        t = read(name, ReadOptions(layout=layout))
    assert t.reading is not None and len(t.reading.warnings) == 1


def test_speaker_names_alone_on_lines_warn(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("Interviewer\nHow did it start?\nRespondent\nWe met in 2019.\nInterviewer\nWhy?\n"
                    "Respondent\nIt was cheap.\n", encoding="utf-8")  # fmt: skip
    with pytest.warns(ReadingWarning, match=r"names.txt: no speaker was found although 2 short lines recur like "
                                            r"speaker names alone on a line \(the first is line 1\)"):
        read_transcripts(path)


def test_no_warning_for_a_monologue_or_an_essay() -> None:
    assert read("plain.txt").reading.warnings == ()  # type: ignore[union-attr]
    text = "Participant: I grew up here.\nParticipant: Then I left for ten years."
    assert read_layout(text).reading.warnings == ()


def test_generic_labels_are_ordinary_speakers() -> None:
    t = read("otter_group.txt")
    assert t.speakers() == ["Speaker 1", "Speaker 2", "Unknown Speaker", "Speaker 3"]
    assert not any(x.is_interviewer for x in t.turns)  # three voices: no guess
    assert read("otter_group.txt", ReadOptions(interviewers=("speaker 1",))).turns[0].is_interviewer
    whisper = read("whisper.txt")
    assert {x.speaker for x in whisper.turns if x.is_interviewer} == {"SPEAKER_00"}  # the one who asks


def test_roles_become_attributes_unless_the_attributes_file_says_otherwise(tmp_path: Path) -> None:
    t = read("teams.txt")
    s = segment_transcript(t)
    assert {x.speaker: dict(x.attributes) for x in s if x.speaker} == {
        "Kim": {"role": "Interviewer"}, "Lee": {"role": "Participant"}
    }
    attributes = tmp_path / "people.csv"
    attributes.write_text("speaker,role,group\nLee,tenant,co-op\n", encoding="utf-8")
    (t,) = read_corpus([DATA / "teams.txt"], attributes=attributes).transcripts
    assert dict(t.participants["Lee"]) == {"role": "tenant", "group": "co-op"}
    assert dict(t.participants["Kim"]) == {"role": "Interviewer"}


def test_teams_docx_paragraphs_read_like_the_text_export(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Interview 4 - housing co-op")
    for who, when, words in [("Kim, Interviewer", "0:03", "Can you hear me all right?"),
                             ("Lee, Participant", "0:06", "Yes, loud and clear. The line is good."),
                             ("Kim, Interviewer", "0:09", "Great. Tell me about the first year.")]:  # fmt: skip
        paragraph = document.add_paragraph(f"{who}   {when}")
        paragraph.add_run().add_break()  # new Teams: name and time, a line break, the words
        paragraph.add_run(words)
    for when, who, words in [("0:0:12.0 --> 0:0:20.5", "Lee, Participant", "It was chaotic.")]:
        document.add_paragraph(when)
        document.add_paragraph(who)
        document.add_paragraph(words)
    document.save(tmp_path / "teams.docx")
    t = read_transcripts(tmp_path / "teams.docx")[0]
    assert t.reading is not None and t.reading.layout == "name-time"
    assert [(x.speaker, x.is_interviewer, x.start_time) for x in t.turns[1:4]] == [
        ("Kim", True, 3.0), ("Lee", False, 6.0), ("Kim", True, 9.0)
    ]
    assert t.text[t.turns[2].start : t.turns[2].end] == "Yes, loud and clear. The line is good."
    with pytest.warns(ReadingWarning, match="every speaker turn is given to Lee although the name-time layout finds 2"):
        cues = read_transcripts(tmp_path / "teams.docx", ReadOptions(layout="teams-cues"))[0]
    assert [(x.speaker, x.start_time, x.end_time) for x in cues.turns if x.speaker] == [("Lee", 12.0, 20.5)]


def test_sentence_times_reach_the_sentences_table(tmp_path: Path) -> None:
    from nlpthemes.jobs import run_segment

    result = run_segment([DATA / "whisper.txt"], tmp_path / "s.csv")
    rows = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("transcript,index,start,end,speaker,text,turn,interviewer,start_time,end_time")
    assert [(s.start_time, s.end_time) for s in result.sentences[1:3]] == [(4.8, 12.3), (4.8, 12.3)]
    manifest = json.loads((tmp_path / "s.manifest.json").read_text(encoding="utf-8"))
    assert manifest["reading"][0]["layout"] == "whisper"
    assert manifest["reading"][0]["speakers"] == [
        {"speaker": "SPEAKER_00", "interviewer": True, "sentences": 3},
        {"speaker": "SPEAKER_01", "interviewer": False, "sentences": 6},
    ]

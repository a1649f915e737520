"""Property: for every reader, every sentence is an exact view of its transcript's text."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpthemes.corpus import Sentence, Transcript
from nlpthemes.io import read_transcripts
from nlpthemes.segment import segment_transcript

# Letters of several scripts (Latin, Hangul, Han, emoji outside the BMP), digits,
# punctuation that ends or does not end sentences, spaces and line breaks.
ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789 ,;:'\"()-")
    + list(".!?…") + list("가나다한국어") + list("中文。") + ["é", "ß", "😀", "𝔘", "\t"]
)
UTTERANCE = st.text(ALPHABET, min_size=1, max_size=80).filter(lambda s: s.strip() != "")
NAMES = st.sampled_from(["Interviewer", "Maria Lopez", "P1", "Q", "A", "Dr. Kim", "김민준"])
TURNS = st.lists(st.tuples(NAMES, st.lists(UTTERANCE, min_size=1, max_size=3)), min_size=1, max_size=6)
SETTINGS = settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip


def check(transcript: Transcript) -> list[Sentence]:
    sentences = segment_transcript(transcript)
    previous_end = 0
    for s in sentences:
        assert transcript.text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= previous_end
        previous_end = s.end
        turn = transcript.turns[s.turn]
        assert turn.start <= s.start and s.end <= turn.end
    return sentences


def one_line(text: str) -> str:
    return " ".join(text.split())


@SETTINGS
@given(turns=TURNS, crlf=st.booleans(), bom=st.booleans())
def test_text_reader_offsets(tmp_path_factory, turns, crlf: bool, bom: bool) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join(f"{name}: {' '.join(parts)}" for name, parts in turns)
    raw = body.replace("\n", "\r\n") if crlf else body
    path = tmp_path_factory.mktemp("txt") / "t.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw.encode("utf-8"))
    (t,) = read_transcripts(path)
    assert t.text == body
    for s in check(t):  # offsets also map back onto the source file's characters
        assert raw[t.to_source_offset(s.start) : t.to_source_offset(s.end)] == s.text


@SETTINGS
@given(turns=TURNS)
def test_docx_reader_offsets(tmp_path_factory, turns) -> None:  # type: ignore[no-untyped-def]
    import docx

    document = docx.Document()
    for name, parts in turns:
        document.add_paragraph(f"{name}: {' '.join(parts)}")
    path = tmp_path_factory.mktemp("docx") / "t.docx"
    document.save(path)
    (t,) = read_transcripts(path)
    check(t)


@SETTINGS
@given(turns=TURNS, srt=st.booleans())
def test_subtitle_reader_offsets(tmp_path_factory, turns, srt: bool) -> None:  # type: ignore[no-untyped-def]
    blocks = []
    for i, (name, parts) in enumerate(turns):
        text = one_line(" ".join(parts)).replace("-->", "->")
        a, b = f"00:00:{i:02d}", f"00:00:{i + 1:02d}"
        if srt:
            blocks.append(f"{i + 1}\n{a},000 --> {b},000\n{name}: {text}\n")
        else:
            blocks.append(f"{a}.000 --> {b}.000\n<v {name}>{text}\n")
    content = "\n".join(blocks) if srt else "WEBVTT\n\n" + "\n".join(blocks)
    path = tmp_path_factory.mktemp("sub") / ("t.srt" if srt else "t.vtt")
    path.write_text(content, encoding="utf-8")
    (t,) = read_transcripts(path)
    for s in check(t):
        assert s.start_time is not None and s.end_time is not None and s.start_time <= s.end_time


@SETTINGS
@given(answers=st.lists(UTTERANCE, min_size=1, max_size=5))
def test_csv_answers_offsets(tmp_path_factory, answers: list[str]) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("csv") / "a.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([f"r{i}", a] for i, a in enumerate(answers))
    for t in read_transcripts(path):
        check(t)


@SETTINGS
@given(turns=TURNS)
def test_csv_turn_table_offsets(tmp_path_factory, turns) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("csv") / "turns.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["speaker", "words"])
        writer.writerows([name, " ".join(parts)] for name, parts in turns)
    (t,) = read_transcripts(path)
    check(t)

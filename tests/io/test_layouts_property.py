"""Property: in every layout, random interviews read back into their speakers and times, offsets exact."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpthemes.io import ReadOptions
from nlpthemes.io.text import transcript_from_text
from nlpthemes.segment import segment_transcript

# Words in several scripts with sentence punctuation, but nothing that makes a label or a timestamp
# (no colon, no digits, no brackets, no emphasis or backslash).
WORD = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCXYZ'é가나다한국中文")), min_size=1, max_size=9)
SENTENCE = st.builds(lambda ws, end: " ".join(ws) + end, st.lists(WORD, min_size=1, max_size=8),
                     st.sampled_from([".", "?", "!", "…", "", "。"]))  # fmt: skip
UTTERANCE = st.builds(" ".join, st.lists(SENTENCE, min_size=1, max_size=3))
SPEAKERS = st.sampled_from(["Interviewer", "Participant", "Moderator", "Respondent"])
TURNS = st.lists(st.tuples(SPEAKERS, UTTERANCE), min_size=2, max_size=6)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clock(seconds: int, *, hours: bool = True) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


Render = Callable[[str, str, int], str]
LAYOUTS: dict[str, tuple[Render, str]] = {
    # name -> (one turn, the separator between turns)
    "inline": (lambda who, words, t: f"{who}: {words}", "\n"),
    "markdown": (lambda who, words, t: f"**{who}**\\\n{words}", "\n\n"),
    "name-time": (lambda who, words, t: f"{who}  {clock(t, hours=False)}\n{words}", "\n\n"),
    "rev": (lambda who, words, t: f"{who} ({clock(t)}):\n{words}", "\n\n"),
    "zoom": (lambda who, words, t: f"[{who}] {clock(t)}\n{words}", "\n"),
    "time-name": (lambda who, words, t: f"{clock(t)} {who}\n{words}", "\n\n"),
    "teams-cues": (lambda who, words, t: f"0:0:{t}.0 --> 0:0:{t + 5}.0\n{who}\n{words}", "\n\n"),
    "whisper": (lambda who, words, t: f"[{clock(t)}.000 --> {clock(t + 5)}.500] {who}: {words}", "\n"),
}


@SETTINGS
@given(layout=st.sampled_from(sorted(LAYOUTS)), turns=TURNS, crlf=st.booleans(), forced=st.booleans())
def test_every_layout_reads_back_its_speakers_times_and_exact_offsets(
    layout: str, turns: list[tuple[str, str]], crlf: bool, forced: bool
) -> None:
    render, between = LAYOUTS[layout]
    times = [7 * i + 3 for i in range(len(turns))]
    text = between.join(render(who, words, t) for (who, words), t in zip(turns, times, strict=True))
    options = ReadOptions(layout=layout if forced else "auto", guess_interviewers=False)
    t = transcript_from_text(text, "p", options=options)
    assert t.reading is not None and t.reading.layout == layout
    assert t.reading.warnings == ()
    spoken = [x for x in t.turns if x.speaker is not None]
    # markdown splits a turn at nothing here (no hard breaks inside the words): one turn per label
    assert [(x.speaker, t.text[x.start : x.end]) for x in spoken] == [(who, words.strip()) for who, words in turns]
    if layout not in ("inline", "markdown"):
        assert [x.start_time for x in spoken] == [float(s) for s in times]
    if layout in ("teams-cues", "whisper"):
        assert [x.end_time for x in spoken] == [s + 5.0 + (0.5 if layout == "whisper" else 0) for s in times]
    asked = {x.speaker for x in spoken if x.is_interviewer}
    assert asked == {who for who, _ in turns} & {"Interviewer", "Moderator"}
    previous = 0
    for s in segment_transcript(t):
        assert t.text[s.start : s.end] == s.text and s.start >= previous
        previous = s.end
        assert not any(mark in s.text for mark in ("-->", "**", "\\", "[", "]")), s.text
        assert not any(f"{who}:" in s.text or s.text == who for who, _ in turns), s.text
    if crlf:  # the reader's normalisation keeps offsets mappable to the CRLF file
        from nlpthemes.io._decode import normalise_newlines

        normalised, offsets = normalise_newlines(text.replace("\n", "\r\n"))
        assert normalised == text
        again = transcript_from_text(normalised, "p", options=options, newline_offsets=offsets)
        raw = text.replace("\n", "\r\n")
        for s in segment_transcript(again):
            assert raw[again.to_source_offset(s.start) : again.to_source_offset(s.end)] == s.text

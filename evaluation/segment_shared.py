"""Segment every transcript set in ../shared/data and check that every offset holds.

Prints one markdown row per set: files, transcripts, sentences, speakers,
interviewers found, sentences per second, and whether text[start:end] == text
held for every sentence.

Usage: python evaluation/segment_shared.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from nlpthemes.io import ReadOptions, read_corpus  # noqa: E402
from nlpthemes.segment import segment_transcript  # noqa: E402

SETS = {
    "CTRL+Shift oral histories (CSV turn tables)": ("ctrlshift_oral_history/transcripts", ReadOptions()),
    "Unix oral histories (HTML)": ("unix_oral_history_mahoney", ReadOptions(interviewers=("MSM",))),
    "Games-as-art answers (CSV, cp1252)": ("games_as_art_llmcode/bopp_test.csv", ReadOptions(text_column="experience")),
    "AnnoMI counselling (CSV turn table)": ("annomi/AnnoMI-simple.csv", ReadOptions(text_column="utterance_text")),
    "PDPilot interviews (data/pdpilot, TXT)": ("", ReadOptions(interviewers=("Dan",))),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    args = parser.parse_args()
    print("| data | transcripts | sentences | speakers | interviewer sentences | sentences/s | offsets hold |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, (path, options) in SETS.items():
        where = datasets.REPO / "data" / "pdpilot" / "transcripts" if not path else args.shared / path
        started = time.perf_counter()
        corpus = read_corpus([where], options)
        sentences = [s for t in corpus for s in segment_transcript(t)]
        seconds = time.perf_counter() - started
        by_id = corpus.by_id()
        holds = all(by_id[s.transcript_id].text[s.start : s.end] == s.text for s in sentences)
        speakers = len({(s.transcript_id, s.speaker) for s in sentences if s.speaker})
        asked = sum(s.is_interviewer for s in sentences)
        print(f"| {name} | {len(corpus)} | {len(sentences)} | {speakers} | {asked} | "
              f"{len(sentences) / seconds:.0f} | {'yes' if holds else 'NO'} |")  # fmt: skip


if __name__ == "__main__":
    main()

"""Coded data sets for evaluation, read from ../shared/data (or a given path).

Each loader returns a :class:`CodedSet`: sentences (with exact offsets), the
human code set of every sentence, and the codebook. Nothing here is tuned to a
data set; the same loaders feed every evaluation script.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence, Transcript, Turn
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.segment import segment_corpus, segment_transcript

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(os.environ.get("NLPTHEMES_SHARED_DATA", REPO.parent / "shared" / "data"))


@dataclass
class CodedSet:
    """Sentences with human codes (one coder) and the codebook they come from."""

    name: str
    sentences: list[Sentence]
    gold: list[frozenset[str]]
    codebook: Codebook
    codes: list[str]  # the codes evaluated (codable codes used at least once)

    def group_of(self, code: str) -> str:
        """Top-level ancestor's reference (the code itself when top-level)."""
        c = self.codebook.find(code)
        ancestors = self.codebook.ancestors(c)
        return self.codebook.ref(ancestors[-1]) if ancestors else self.codebook.ref(c)


def _finish(name: str, sentences: list[Sentence], gold: list[set[str]], codebook: Codebook) -> CodedSet:
    used = sorted({c for g in gold for c in g})
    return CodedSet(name, sentences, [frozenset(g) for g in gold], codebook, used)


def ctrlshift(shared: Path = DEFAULT_SHARED) -> CodedSet:
    """CTRL+Shift oral histories: turn-level tags inherited by each sentence of the turn."""
    folder = shared / "ctrlshift_oral_history"
    rows = list(csv.DictReader(open(folder / "filters_codebook.csv", encoding="utf-8")))
    codebook = Codebook([Code(r["tag"].strip(), r["tag"].strip(), r["description"].strip()) for r in rows])
    known = {c.name for c in codebook}
    corpus = read_corpus([folder / "transcripts"])
    sentences: list[Sentence] = []
    gold: list[set[str]] = []
    for transcript in corpus:
        table = list(csv.DictReader(open(transcript.source or "", encoding="utf-8")))
        tags = [
            {t.strip().lower() for t in (r.get("tags") or "").split(";")} & known
            for r in table if (r.get("words") or "").strip()
        ]  # fmt: skip
        if len(tags) != len(transcript.turns):
            raise RuntimeError(f"{transcript.id}: {len(tags)} rows vs {len(transcript.turns)} turns")
        for s in segment_transcript(transcript):
            sentences.append(s)
            gold.append(tags[s.turn])
    return _finish("CTRL+Shift", sentences, gold, codebook)


_SPAN = re.compile(r"\*\*(.+?)\*\*<sup>(.*?)</sup>", re.DOTALL)


def games_as_art(shared: Path = DEFAULT_SHARED) -> CodedSet:
    """Games-as-art answers: inline span codes ``**span**<sup>a; b</sup>`` on 90 texts."""
    folder = shared / "games_as_art_llmcode" / "games_as_art"
    descriptions = pd.read_csv(folder / "bopp_test_code_descriptions.csv")
    codebook = Codebook(
        [Code(str(r.code).strip(), str(r.code).strip(), str(r.description).strip()) for r in descriptions.itertuples()]
    )
    known = {c.name for c in codebook}
    coded = pd.read_csv(folder / "bopp_test_coded_texts.csv")
    sentences: list[Sentence] = []
    gold: list[set[str]] = []
    for i, row in enumerate(coded.itertuples()):
        marked = str(row.coded_text)
        plain_parts: list[str] = []
        spans: list[tuple[int, int, set[str]]] = []
        pos, cursor = 0, 0
        for m in _SPAN.finditer(marked):
            before = marked[pos : m.start()]
            plain_parts.append(before)
            cursor += len(before)
            span = m.group(1)
            plain_parts.append(span)
            codes = {c.strip() for c in m.group(2).split(";")} & known
            spans.append((cursor, cursor + len(span), codes))
            cursor += len(span)
            pos = m.end()
        plain_parts.append(marked[pos:])
        text = "".join(plain_parts)
        t = Transcript(f"answer{i:03d}", text, (Turn(0, len(text), f"answer{i:03d}"),))
        for s in segment_transcript(t):
            codes: set[str] = set()
            for a, b, cs in spans:
                overlap = min(b, s.end) - max(a, s.start)
                if overlap >= 0.5 * (s.end - s.start):
                    codes |= cs
            sentences.append(s)
            gold.append(codes)
    return _finish("games-as-art", sentences, gold, codebook)


def pdpilot(data: Path = REPO / "data" / "pdpilot") -> CodedSet:
    """PDPilot interviews shipped in data/: coded segments aligned to sentences (coverage >= 0.5)."""
    from nlpthemes.agreement._units import sentence_units

    codebook = read_codebook(data / "codebook.csv")
    corpus = read_corpus([data / "transcripts"], ReadOptions(interviewers=("Dan",)))
    sentences = [s for s in segment_corpus(corpus)]
    codings = pd.read_csv(data / "codings.csv")
    units = sentence_units(codings, sentences, min_coverage=0.5)
    by_unit: dict[str, set[str]] = {}
    for row in units.itertuples():
        if row.code:
            by_unit.setdefault(row.unit, set()).add(codebook.ref(codebook.find(row.code)))
    gold = [by_unit.get(f"{s.transcript_id}#{s.index}", set()) for s in sentences]
    return _finish("PDPilot", sentences, gold, codebook)


LOADERS = {"ctrlshift": ctrlshift, "games": games_as_art, "pdpilot": pdpilot}

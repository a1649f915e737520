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

import numpy as np
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


def names_only(cs: CodedSet) -> CodedSet:
    """The same set with a codebook of code names alone: what a codebook whose definition, example
    and criteria columns are not read gives the suggester."""
    import dataclasses

    bare = [dataclasses.replace(c, description="", examples=(), inclusion="", exclusion="") for c in cs.codebook]
    return dataclasses.replace(cs, codebook=Codebook(bare, source=cs.codebook.source))


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
PROJECT_CODEBOOKS = ("codebook.csv", "codebook.yaml", "codebook.yml", "codebook.xlsx", "codebook.qdc")


def project(folder: Path, coder: str | None = None, options: ReadOptions = ReadOptions()) -> CodedSet:
    """Any coded study in the layout ``nlpthemes import`` writes: ``transcripts/``, a codebook and ``codings.csv``.

    A study exported from NVivo, ATLAS.ti, MAXQDA or QualCoder as QDPX becomes this folder with
    ``nlpthemes import``. The codes of one coder are the gold (``coder``, default: the coder with
    the most codes); only the transcripts that coder coded are kept. Transcripts are read as every
    command reads them (a survey's answers keep their ``question``).
    """
    from nlpthemes.codings import check_codes, read_codings
    from nlpthemes.errors import InputError
    from nlpthemes.suggest._labels import label_matrix

    folder = Path(folder)
    book = next((folder / n for n in PROJECT_CODEBOOKS if (folder / n).is_file()), None)
    if book is None or not (folder / "codings.csv").is_file() or not (folder / "transcripts").is_dir():
        raise SystemExit(f"{folder}: not a coded study (transcripts/, a codebook and codings.csv, as "
                         "'nlpthemes import' writes them)")  # fmt: skip
    try:
        codebook = read_codebook(book)
        corpus = read_corpus([folder / "transcripts"], options)
        sentences = segment_corpus(corpus)
        codings = read_codings(folder / "codings.csv", {t.id: t for t in corpus.transcripts}).codings
        codings, _ = check_codes(codings, codebook, source=folder / "codings.csv")
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None
    if coder is None and not codings.empty:
        coder = str(codings["coder"].astype(str).value_counts().index[0])
    codings = codings[codings["coder"].astype(str) == coder]

    codable = [codebook.ref(c) for c in codebook if c.codable]
    labels, coded = label_matrix(sentences, codings, codable)
    kept = np.nonzero(coded)[0]
    if len({sentences[i].transcript_id for i in kept}) < 2:
        raise SystemExit(f"{folder}: {coder!r} coded fewer than two transcripts; the evaluation learns from 20% "
                         "of the transcripts and judges the rest")  # fmt: skip
    gold = [{codable[j] for j in np.nonzero(labels[i])[0]} for i in kept]
    return _finish(folder.name, [sentences[i] for i in kept], gold, codebook)


CODEBOOKS = Path(__file__).resolve().parent / "codebooks"


def _table_transcript(tid: str, rows: list[tuple[str, str, bool]]) -> tuple[Transcript, list[Sentence]]:
    """A transcript from ``(speaker, text, is_interviewer)`` rows, one row per line and per unit.

    Consecutive rows of one speaker form a turn; every row is kept as one unit
    (sentence) so that row-level human codes stay aligned.
    """
    lines: list[str] = []
    turns: list[Turn] = []
    spans: list[tuple[int, int, str, bool, int]] = []
    pos = 0
    for speaker, text, interviewer in rows:
        text = " ".join(str(text).split())
        if turns and turns[-1].speaker == speaker:
            turns[-1] = Turn(turns[-1].start, pos + len(text), speaker, interviewer)
        else:
            turns.append(Turn(pos, pos + len(text), speaker, interviewer))
        spans.append((pos, pos + len(text), speaker, interviewer, len(turns) - 1))
        lines.append(text)
        pos += len(text) + 1
    full = "\n".join(lines)
    transcript = Transcript(tid, full, tuple(turns))
    sentences = [Sentence(tid, i, a, b, full[a:b], speaker=sp, turn=turn, is_interviewer=iv)
                 for i, (a, b, sp, iv, turn) in enumerate(spans)]  # fmt: skip
    return transcript, sentences


_ANNOMI_CODES = {
    "question": "Question", "reflection": "Reflection", "therapist_input": "Therapist input",
    "other": "Other therapist talk", "change": "Change talk", "neutral": "Neutral talk", "sustain": "Sustain talk",
}  # fmt: skip


def annomi(shared: Path = DEFAULT_SHARED) -> CodedSet:
    """AnnoMI counselling transcripts: every utterance has one code (therapist behaviour or client
    talk type), kept as one unit; the therapist is the interviewer. Codebook written for this
    evaluation (evaluation/codebooks/annomi.csv), from the papers' descriptions of the codes."""
    table = pd.read_csv(shared / "annomi" / "AnnoMI-simple.csv")
    codebook = read_codebook(CODEBOOKS / "annomi.csv")
    sentences: list[Sentence] = []
    gold: list[set[str]] = []
    for tid, rows in table.groupby("transcript_id", sort=True):
        rows = rows.sort_values("utterance_id")
        units = [(str(r.interlocutor), str(r.utterance_text), r.interlocutor == "therapist")
                 for r in rows.itertuples()]  # fmt: skip
        _, units_s = _table_transcript(f"annomi{int(tid):03d}", units)
        for s, r in zip(units_s, rows.itertuples(), strict=True):
            label = r.main_therapist_behaviour if r.interlocutor == "therapist" else r.client_talk_type
            sentences.append(s)
            gold.append({_ANNOMI_CODES[label]} if label in _ANNOMI_CODES else set())
    return _finish("AnnoMI", sentences, gold, codebook)


def annomi_human_kappa(shared: Path = DEFAULT_SHARED) -> float:
    """Human-human agreement on AnnoMI: per-code Cohen's kappa (presence/absence over the
    utterances of the role the code belongs to), averaged over the 45 annotator pairs of the 7
    transcripts all 10 annotators coded, then over codes."""
    from itertools import combinations

    from nlpthemes.suggest._calibrate import mean_kappa

    full = pd.read_csv(shared / "annomi" / "AnnoMI-full.csv")
    per = full.groupby("transcript_id")["annotator_id"].nunique()
    full = full[full["transcript_id"].isin(per[per == per.max()].index)]
    kappas: dict[str, list[float]] = {}
    for role, column in (("therapist", "main_therapist_behaviour"), ("client", "client_talk_type")):
        part = full[full["interlocutor"] == role]
        wide = part.pivot_table(index=["transcript_id", "utterance_id"], columns="annotator_id",
                                values=column, aggfunc="first").dropna()  # fmt: skip
        codes = sorted(set(wide.values.ravel()))
        for a, b in combinations(wide.columns, 2):
            ya = np.array([[v == c for c in codes] for v in wide[a]])
            yb = np.array([[v == c for c in codes] for v in wide[b]])
            for j, code in enumerate(codes):
                kappas.setdefault(code, []).append(mean_kappa(ya[:, [j]], yb[:, [j]]))
    return float(np.mean([np.nanmean(v) for v in kappas.values()]))


_TALKMOVES_TEACHER = {
    2: "Keeping everyone together", 3: "Getting students to relate", 4: "Restating", 5: "Revoicing",
    6: "Marking", 7: "Context", 8: "Pressing for accuracy", 9: "Pressing for reasoning",
}  # fmt: skip
_TALKMOVES_STUDENT = {
    2: "Relating to another student", 3: "Asking for more information", 4: "Making a claim",
    5: "Providing evidence or reasoning",
}  # fmt: skip


def _talkmove(value: object, table: dict[int, str]) -> str | None:
    m = re.match(r"\s*(\d+)", str(value)) if isinstance(value, str) else None
    return table.get(int(m.group(1))) if m else None


def talkmoves(shared: Path = DEFAULT_SHARED, n_transcripts: int = 40, seed: int = 0) -> CodedSet:
    """TalkMoves maths lessons: sentence rows with teacher or student talk-move codes. A seeded
    sample of ``n_transcripts`` of the 567 lessons (the whole set has 237k sentences); the teacher
    is the interviewer. Codebook written for this evaluation from the coding manual's categories."""
    files = sorted((shared / "talkmoves" / "data").rglob("*.xlsx"))
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(files), size=min(n_transcripts, len(files)), replace=False))
    codebook = read_codebook(CODEBOOKS / "talkmoves.csv")
    sentences: list[Sentence] = []
    gold: list[set[str]] = []
    for i in picked:
        table = pd.read_excel(files[i])
        table = table[table["Sentence"].astype(str).str.strip().ne("") & table["Sentence"].notna()]
        units, labels = [], []
        for speaker, text, t_tag, s_tag in zip(table["Speaker"], table["Sentence"], table["Teacher Tag"],
                                               table["Student Tag"], strict=True):  # fmt: skip
            teacher = str(speaker).strip().upper().startswith("T")
            units.append(("Teacher" if teacher else str(speaker).strip(), str(text), teacher))
            code = _talkmove(t_tag, _TALKMOVES_TEACHER) if teacher else _talkmove(s_tag, _TALKMOVES_STUDENT)
            labels.append({code} if code else set())
        _, units_s = _table_transcript(f"lesson{i:03d}", units)
        sentences += units_s
        gold += labels
    return _finish("TalkMoves", sentences, gold, codebook)


_3I4K = ("Fragment", "Statement", "Question", "Command", "Rhetorical question", "Rhetorical command",
         "Intonation-dependent")  # fmt: skip


def speech_acts_ko(shared: Path = DEFAULT_SHARED, n: int = 1500, seed: int = 0) -> CodedSet:
    """Korean utterances (3i4K) coded with an English codebook of 7 speech acts: the seed study's
    case of Korean talk and an English codebook. A seeded sample of ``n`` utterances, each its own
    transcript (as answers to an open question)."""
    lines = (shared / "multilingual" / "3i4k_ko" / "fci_test.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t", 1) for line in lines if "\t" in line]
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(rows), size=min(n, len(rows)), replace=False))
    codebook = read_codebook(CODEBOOKS / "speech_acts_3i4k.csv")
    sentences: list[Sentence] = []
    gold: list[set[str]] = []
    for i in picked:
        label, text = rows[i]
        text = text.strip()
        sentences.append(Sentence(f"utt{i:04d}", 0, 0, len(text), text, speaker="respondent"))
        gold.append({_3I4K[int(label)]})
    return _finish("3i4K (ko)", sentences, gold, codebook)


LOADERS.update({"annomi": annomi, "talkmoves": talkmoves})
EXTRA_LOADERS = {"speech_acts_ko": speech_acts_ko}
NAMES = {"ctrlshift": "CTRL+Shift", "games": "games-as-art", "pdpilot": "PDPilot", "annomi": "AnnoMI",
         "talkmoves": "TalkMoves", "speech_acts_ko": "3i4K (ko)"}  # loader -> CodedSet.name


def export(sets: list[CodedSet], path: Path) -> None:
    """Write coded sets to one gzipped JSON file (sentences, gold codes, codebook as CSV text), so an
    evaluation can run where ../shared is not (a GPU machine)."""
    import gzip
    import json

    from nlpthemes.io.codebook_files import write_codebook

    out = []
    for cs in sets:
        buffer = Path(f"/tmp/_export_{os.getpid()}.csv")
        write_codebook(cs.codebook, buffer)
        out.append({
            "name": cs.name, "codes": cs.codes, "codebook_csv": buffer.read_text(encoding="utf-8"),
            "gold": [sorted(g) for g in cs.gold],
            "sentences": [[s.transcript_id, s.index, s.start, s.end, s.text, s.speaker, s.turn, s.is_interviewer,
                           dict(s.attributes)] for s in cs.sentences],
        })  # fmt: skip
        buffer.unlink()
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(out, handle)


def load_export(path: Path) -> dict[str, CodedSet]:
    """The coded sets written by :func:`export`, by name."""
    import gzip
    import json
    import tempfile

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    sets = {}
    for item in data:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as tmp:
            tmp.write(item["codebook_csv"])
        codebook = read_codebook(tmp.name)
        os.unlink(tmp.name)
        sentences = [Sentence(t, i, a, b, text, speaker=sp, turn=turn, is_interviewer=iv,
                              attributes=dict(rest[0]) if rest else {})  # files written before: no attributes
                     for t, i, a, b, text, sp, turn, iv, *rest in item["sentences"]]  # fmt: skip
        sets[item["name"]] = CodedSet(item["name"], sentences, [frozenset(g) for g in item["gold"]], codebook,
                                      list(item["codes"]))  # fmt: skip
    return sets

"""How transcripts are read: layouts on hand-written exports, the shared data read as before, fillers by language.

Prints markdown tables:

1. every hand-written export in ``tests/data/layouts`` with the layout detected
   and its speakers (the interviewer starred);
2. the shared data sets (Unix oral histories, CTRL+Shift, AnnoMI, PDPilot,
   games-as-art): transcripts, sentences, speakers, layouts detected and a
   fingerprint of every sentence (transcript, offsets, text, speaker,
   interviewer flag). With ``--baseline-rev REV`` the same data is read by the
   package as it was at git revision REV (in a child process) and compared
   sentence by sentence;
3. the cost of layout detection: finding turns by trying every layout
   against the inline layout alone (what reading did before), in this process;
4. Korean conversation (KSS gold sentences and 3i4K utterances made into
   two-speaker transcripts): participant sentences with five or more Hangul
   syllables left out as fillers, by the old rule (fewer than three
   whitespace-separated words) and the current one;
5. English interviews (PDPilot, CTRL+Shift, Unix): participant sentences left out
   as fillers by both rules, and the twenty most frequent ones now.

Usage: python evaluation/layouts_check.py [--shared ../shared/data] [--baseline-rev main]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from segment_shared import SETS  # noqa: E402

from nlpthemes.corpus import Sentence, Transcript  # noqa: E402
from nlpthemes.io import ReadOptions, read_corpus  # noqa: E402
from nlpthemes.segment import segment_transcript  # noqa: E402

LAYOUT_SAMPLES = datasets.REPO / "tests" / "data" / "layouts"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _where(path: str, shared: Path) -> Path:
    return datasets.REPO / "data" / "pdpilot" / "transcripts" if not path else shared / path


def dump(shared: Path) -> dict[str, list[list[Any]]]:
    """Every sentence of every shared set as ``[transcript, start, end, text, speaker, interviewer]``."""
    out: dict[str, list[list[Any]]] = {}
    for name, (path, options) in SETS.items():
        corpus = read_corpus([_where(path, shared)], options)
        out[name] = [[s.transcript_id, s.start, s.end, s.text, s.speaker, bool(s.is_interviewer)]
                     for t in corpus for s in segment_transcript(t)]  # fmt: skip
    return out


def _fingerprint(rows: list[list[Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:12]


def _baseline(rev: str, shared: Path) -> dict[str, list[list[Any]]]:
    """Read the shared sets with the package as it was at ``rev`` (git archive into a temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(datasets.REPO), "archive", rev, "nlpthemes"],
                                 capture_output=True, check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = Path(tmp) / "dump.json"
        env = {**os.environ, "PYTHONPATH": tmp}
        subprocess.run([sys.executable, __file__, "--shared", str(shared), "--dump", str(out)], env=env, check=True)
        data: dict[str, list[list[Any]]] = json.loads(out.read_text(encoding="utf-8"))
        return data


def samples_table() -> None:
    print("| file | layout | speakers (sentences; * interviewer) | timed sentences | warnings |")
    print("|---|---|---|---:|---|")
    for path in sorted(LAYOUT_SAMPLES.glob("*.expected.json")):
        source = path.with_name(path.name.removesuffix(".expected.json"))
        (t,) = read_corpus([source]).transcripts
        sentences = segment_transcript(t)
        counts = Counter((s.speaker, s.is_interviewer) for s in sentences if s.speaker)
        who = ", ".join(f"{sp}{'*' if asks else ''} {n}" for (sp, asks), n in counts.items())
        timed = sum(s.start_time is not None for s in sentences)
        assert t.reading is not None
        print(f"| {source.name} | {t.reading.layout} | {who or '-'} | {timed} | {len(t.reading.warnings)} |")


def shared_table(shared: Path, rev: str | None) -> None:
    now = dump(shared)
    before = _baseline(rev, shared) if rev else None
    head = "| data | transcripts | sentences | speakers | layouts | fingerprint |"
    line = "|---|---:|---:|---:|---|---|"
    if before is not None:
        head += f" sentences at {rev} | same offsets + text | same speaker | same interviewer flag |"
        line += "---:|---:|---:|---:|"
    print(head)
    print(line)
    for name, (path, options) in SETS.items():
        corpus = read_corpus([_where(path, shared)], options)
        layouts = Counter(t.reading.layout if t.reading else "?" for t in corpus)
        rows = now[name]
        speakers = len({(r[0], r[4]) for r in rows if r[4]})
        cells = (f"| {name} | {len(corpus)} | {len(rows)} | {speakers} | "
                 f"{', '.join(f'{k} {v}' for k, v in layouts.most_common())} | {_fingerprint(rows)} |")  # fmt: skip
        if before is not None:
            old = {tuple(r[:4]): r for r in before[name]}
            same = [r for r in rows if tuple(r[:4]) in old]
            cells += (f" {len(before[name])} | {len(same)} | {sum(old[tuple(r[:4])][4] == r[4] for r in same)} |"
                      f" {sum(old[tuple(r[:4])][5] == r[5] for r in same)} |")  # fmt: skip
        print(cells)


def _best(func: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def detection_cost(shared: Path) -> None:
    """Finding turns by trying every layout, against the inline layout alone (what reading did before)."""
    from nlpthemes.io._turns import find_turns
    from nlpthemes.io.layouts import read_layout

    print("| data | files | characters | inline layout alone (s) | every layout tried (s) | ratio | whole read (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (path, options) in SETS.items():
        if "CSV" in name:
            continue  # tables have no layouts
        where = _where(path, shared)
        whole = _best(lambda: read_corpus([where], options))  # noqa: B023
        texts = [t.text for t in read_corpus([where], options)]
        alone = _best(lambda: [find_turns(t, interviewers=options.interviewers) for t in texts])  # noqa: B023
        every = _best(lambda: [read_layout(t, options) for t in texts])  # noqa: B023
        print(f"| {name} | {len(texts)} | {sum(map(len, texts)):,} | {alone:.3f} | {every:.3f} | "
              f"{every / alone:.1f} | {whole:.3f} |")


def _korean_transcripts(shared: Path) -> list[Transcript]:
    """KSS paragraphs and 3i4K statements answer 3i4K questions, turn by turn."""
    from nlpthemes.io.text import transcript_from_text

    folder = shared / "multilingual"
    utterances = [line.split("\t", 1) for line in (folder / "3i4k_ko" / "fci_test.txt").read_text(encoding="utf-8").splitlines()
                  if "\t" in line]  # fmt: skip
    questions = [u.strip() for label, u in utterances if label in ("2", "4") and u.strip()]
    answers_3i4k = [u.strip() for label, u in utterances if label not in ("2", "4") and u.strip()]
    groups: list[list[str]] = []
    for path in sorted((folder / "kss_split_gold_ko").glob("*.txt")):
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
        groups.append([" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs if p.strip()])
    groups.append(answers_3i4k)
    out = []
    q = 0
    for n, answers in enumerate(groups):
        lines = []
        for answer in answers:
            lines += [f"Interviewer: {questions[q % len(questions)]}", f"Participant: {answer}"]
            q += 1
        out.append(transcript_from_text("\n".join(lines), f"ko{n}", options=ReadOptions(language="ko")))
    return out


def _excluded(sentences: list[Sentence], language: str) -> tuple[list[bool], list[bool]]:
    """Per participant sentence: left out as a filler by the old rule, and by the current one."""
    from nlpthemes.themes import ThemeModel
    from nlpthemes.themes._keywords import word_count

    texts = [s.text for s in sentences]
    now = ThemeModel(language=language)._excluded(texts, sentences)
    old = [word_count(t, language) < 3 for t in texts]
    return old, [reason == "short" for reason in now]


def korean_fillers(shared: Path) -> None:
    transcripts = _korean_transcripts(shared)
    sentences = [s for t in transcripts for s in segment_transcript(t) if not s.is_interviewer]
    old, now = _excluded(sentences, "ko")
    long = [i for i, s in enumerate(sentences) if len(HANGUL.findall(s.text)) >= 5]
    print("| participant sentences | with >= 5 Hangul syllables | left out then (< 3 eojeol) | left out now | "
          "left out now, all lengths |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|")
    print(f"| {len(sentences)} | {len(long)} | {sum(old[i] for i in long)} ({100 * sum(old[i] for i in long) / len(long):.1f}%) "
          f"| {sum(now[i] for i in long)} ({100 * sum(now[i] for i in long) / len(long):.1f}%) | "
          f"{sum(now)} ({100 * sum(now) / len(sentences):.1f}%) |")  # fmt: skip
    kept = Counter(sentences[i].text for i in long if old[i] and not now[i])
    print(f"\nNow clustered, left out before (most frequent of {sum(kept.values())}): "
          + ", ".join(f"`{t}`" for t, _ in kept.most_common(8)))
    still = Counter(sentences[i].text for i in long if now[i])
    print(f"\nStill left out with >= 5 syllables ({sum(still.values())}): "
          + (", ".join(f"`{t}`" for t, _ in still.most_common(8)) or "none"))


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w'\- ]+", " ", text.lower().replace("’", "'")).split())


def _kind(text: str, raw: Counter[str]) -> str:
    """What a left-out sentence is: a backchannel, an annotation, punctuation, one or two words."""
    from nlpthemes.themes._fillers import is_backchannel

    example = raw.most_common(1)[0][0]
    if not text:
        return f"punctuation only (`{example}`)"
    if re.fullmatch(r"[\[(].*[\])]", example.strip()):
        return f"annotation (`{example}`)"
    if is_backchannel(text):
        return "backchannel"
    return f"{'one word' if len(text.split()) == 1 else 'two words'} (`{example}`)"


def english_fillers(shared: Path) -> None:
    names = ["PDPilot interviews (data/pdpilot, TXT)", "CTRL+Shift oral histories (CSV turn tables)",
             "Unix oral histories (HTML)"]  # fmt: skip
    print("| data | participant sentences | left out then (< 3 words) | left out now | newly left out | no longer left out |")
    print("|---|---:|---:|---:|---:|---:|")
    top: Counter[str] = Counter()
    added: Counter[str] = Counter()
    raw: dict[str, Counter[str]] = {}
    for name in names:
        path, options = SETS[name]
        corpus = read_corpus([_where(path, shared)], options)
        sentences = [s for t in corpus for s in segment_transcript(t) if not s.is_interviewer]
        old, now = _excluded(sentences, "en")
        for s, x in zip(sentences, now, strict=True):
            if x:
                top[_normal(s.text)] += 1
                raw.setdefault(_normal(s.text), Counter())[s.text] += 1
        added.update(_normal(s.text) for s, a, b in zip(sentences, old, now, strict=True) if b and not a)
        print(f"| {name} | {len(sentences)} | {sum(old)} | {sum(now)} | {sum(b and not a for a, b in zip(old, now, strict=True))} "
              f"| {sum(a and not b for a, b in zip(old, now, strict=True))} |")  # fmt: skip
    print("\nThe twenty fillers left out most often now (all three sets, lower-cased, punctuation dropped):\n")
    print("| filler | times | what it is |")
    print("|---|---:|---|")
    kinds: Counter[str] = Counter()
    for text, n in top.most_common():
        kinds[_kind(text, raw[text]).split(" (")[0]] += n
    for text, n in top.most_common(20):
        print(f"| {text or '(none)'} | {n} | {_kind(text, raw[text])} |")
    print("\nAll fillers left out now: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print("\nNewly left out (backchannels of three words or more), most frequent: "
          + ", ".join(f"`{t}` {n}" for t, n in added.most_common(10)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=datasets.DEFAULT_SHARED)
    parser.add_argument("--baseline-rev", help="git revision whose reading of the shared data to compare with")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # used by --baseline-rev
    args = parser.parse_args()
    if args.dump:
        args.dump.write_text(json.dumps(dump(args.shared), ensure_ascii=False), encoding="utf-8")
        return
    warnings.simplefilter("ignore")  # reading warnings are counted in the tables
    print("Hand-written exports (tests/data/layouts):\n")
    samples_table()
    print("\nShared data sets:\n")
    shared_table(args.shared, args.baseline_rev)
    print("\nLayout detection cost (best of 3, this process; the whole read includes detection):\n")
    detection_cost(args.shared)
    print("\nKorean conversation (KSS + 3i4K as two-speaker transcripts), fillers left out:\n")
    korean_fillers(args.shared)
    print("\nEnglish interviews, fillers left out:\n")
    english_fillers(args.shared)


if __name__ == "__main__":
    main()

"""Convert the PDPilot user study's MAXQDA PDF exports into text and CSV.

Reads ``results/transcripts/P1..P7.pdf``, ``results/code-system.pdf`` and
``results/coded-segments.pdf`` from the source folder and writes, into the
output folder, ``transcripts/P<n>.txt`` (one speaker turn per paragraph),
``codebook.csv``, ``codings_text.csv`` (quotes as in the PDF),
``codings.csv`` (the quotes located in the transcripts as character offsets),
``placement.csv`` (how each quote was located), ``unplaced_segments.csv`` and
``LICENSE``. Re-run it with::

    python data/pdpilot/convert.py --source ../shared/data/pdpilot_user_study --out data/pdpilot

``python data/pdpilot/convert.py --check --out data/pdpilot`` only re-reads
the written files and prints the placement statistics.

Layout facts this relies on (checked as it runs, with an error if they fail):

- Transcripts: words of 10 pt Arial; speaker labels (``Dan:``,
  ``Participant:``) in bold at the start of a paragraph; paragraph numbers in
  a separate column left of x = 40; page footers ``n/N`` in Lucida Grande; a
  24 pt title ``Interview``. Each page is a window on one long page, so a line
  cut by the top edge of a page repeats the last line of the page before.
- Code system: one row per code; the indentation of the name (x = 44, 64,
  84) gives the level, the memo column starts at x = 459, the frequency
  column at x = 1400.
- Coded segments: a three-column table whose row boxes are filled rectangles
  (x 20-205 | 205-877 | 877-1460); a row cut by a page break continues on the
  next page.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from rapidfuzz import fuzz

CODER = "PDPilot authors"
SPEAKERS = {"Dan:": "Dan", "Participant:": "Participant", "Particpant:": "Participant"}
FUZZY_MIN = 90.0  # rapidfuzz partial_ratio (0-100) needed to place a quote fuzzily
TRANSCRIPTS = [f"P{n}" for n in range(1, 8)]

Word = dict[str, Any]


@dataclass
class Line:
    top: float
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def starts_bold(self) -> bool:
        return "Bold" in self.words[0]["fontname"]


@dataclass
class Stats:
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def group_lines(words: list[Word], tol: float = 1.5) -> list[Line]:
    """Group words into lines by their top coordinate, left to right."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1].top) <= tol:
            lines[-1].words.append(w)
        else:
            lines.append(Line(w["top"], [w]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def join_lines(lines: list[Line]) -> str:
    """Join wrapped lines with single spaces.

    A line that ends in a hyphen right after a letter, followed by a line that
    starts with a letter, is a compound broken at its hyphen by the layout
    (``non-`` / ``monotonic``): it is joined without a space.
    """
    out = ""
    for line in lines:
        text = line.text
        if not text:
            continue
        if not out:
            out = text
        elif re.search(r"[^\W\d_]-$", out) and text[0].isalpha():
            out += text
        else:
            out += " " + text
    return out


def drop_carryover(lines: list[Line], previous: list[Line], stats: Stats, where: str) -> list[Line]:
    """Drop lines cut by the top edge that repeat the previous page's last lines."""
    tail = {line.text for line in previous[-3:]}
    kept = []
    for line in lines:
        if line.top < 0 and line.text in tail:
            stats.counts["repeated lines dropped at page tops"] += 1
            continue
        if line.top < 0:
            stats.notes.append(f"{where}: line above the page top kept (no repeat): {line.text!r}")
        kept.append(line)
    return kept


def _words(page: Any) -> list[Word]:
    words: list[Word] = page.extract_words(extra_attrs=["fontname", "size"])
    return [w for w in words if w["top"] < page.height]


# --- transcripts ----------------------------------------------------------------------------


def read_transcript(path: Path, stats: Stats) -> str:
    """Return the transcript as ``Speaker: text`` paragraphs separated by blank lines."""
    turns: list[tuple[str, list[Line]]] = []
    previous: list[Line] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            body = []
            for w in _words(page):
                if w["x0"] < 40:  # paragraph-number column
                    continue
                if "Lucida" in w["fontname"] and re.fullmatch(r"\d+/\d+", w["text"]):
                    stats.counts["page footers removed"] += 1
                    continue
                if w["size"] >= 20:  # the document title "Interview"
                    stats.counts["title words removed"] += 1
                    continue
                body.append(w)
            lines = group_lines(body)
            lines = drop_carryover(lines, previous, stats, f"{path.name} p.{number}")
            previous = lines
            for line in lines:
                first = line.words[0]["text"]
                if line.starts_bold and first in SPEAKERS:
                    if first != "Participant:" and SPEAKERS[first] == "Participant":
                        note = f"{path.stem}: speaker label {first!r} read as Participant"
                        stats.notes.append(note)
                    turns.append((SPEAKERS[first], [Line(line.top, line.words[1:])]))
                elif not turns:
                    raise ValueError(f"{path}: text before the first speaker label: {line.text!r}")
                else:
                    turns[-1][1].append(line)
                bold = [w["text"] for w in line.words[1:] if "Bold" in w["fontname"]]
                if bold:
                    stats.notes.append(f"{path.stem}: bold words inside a line: {bold}")
    paragraphs = [f"{speaker}: {join_lines(lines)}".rstrip() for speaker, lines in turns]
    return "\n\n".join(paragraphs) + "\n"


# --- code system ----------------------------------------------------------------------------


@dataclass
class Code:
    name: str
    description: str
    parent: str
    level: int
    frequency: int


def read_codebook(path: Path) -> list[Code]:
    """Read the MAXQDA code system table; the name's indentation gives the level."""
    codes: list[Code] = []
    stack: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for line in group_lines(_words(page)):
                name = [w for w in line.words if w["x0"] < 450]
                memo = [w for w in line.words if 450 <= w["x0"] < 1400]
                freq = [w for w in line.words if w["x0"] >= 1400]
                if not name or not freq or not freq[0]["text"].isdigit():
                    continue  # title and column headers
                if name[0]["x0"] < 40:
                    continue  # the root "Code System" row (total frequency)
                level = round((name[0]["x0"] - 44) / 20) + 1
                if level < 1 or level > len(stack) + 1:
                    raise ValueError(f"{path}: unexpected indentation for {line.text!r}")
                del stack[level - 1 :]
                label = " ".join(w["text"] for w in name)
                parent = stack[-1] if stack else ""
                text = " ".join(w["text"] for w in memo)
                codes.append(Code(label, text, parent, level, int(freq[0]["text"])))
                stack.append(label)
    names = Counter(c.name for c in codes)
    repeated = [n for n, k in names.items() if k > 1]
    if repeated:  # disambiguate as "Parent > Child" (none in this export)
        for c in codes:
            if c.name in repeated:
                c.name = f"{c.parent} > {c.name}"
    return codes


# --- coded segments -------------------------------------------------------------------------


@dataclass
class Segment:
    document: str
    path: str
    turns: list[list[Line]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(join_lines(lines) for lines in self.turns)


def read_segments(path: Path, stats: Stats) -> list[Segment]:
    """Read the Coded Segments table, joining rows that a page break cuts in two."""
    segments: list[Segment] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            words = _words(page)
            boxes = sorted(
                (r for r in page.rects
                 if round(r["x0"]) == 20 and round(r["x1"]) == 205 and r["height"] > 1.5),
                key=lambda r: r["top"],
            )  # fmt: skip
            for box in boxes:
                inside = [w for w in words if box["top"] - 0.5 <= w["top"] < box["bottom"]]
                doc = " ".join(w["text"] for w in inside if w["x0"] < 205)
                code = " ".join(w["text"] for w in inside if 205 <= w["x0"] < 877)
                lines = group_lines([w for w in inside if w["x0"] >= 877])
                if doc == "Document name":
                    continue
                if box["top"] < 0:  # continuation of the previous page's last row
                    if not segments or doc not in ("", segments[-1].document):
                        raise ValueError(f"{path} p.{number}: continuation row without a start")
                    stats.counts["table rows continued over a page break"] += 1
                    seg = segments[-1]
                    lines = drop_carryover(lines, seg.turns[-1], stats, f"{path.name} p.{number}")
                else:
                    if not re.fullmatch(r"P[1-7]", doc) or not code:
                        raise ValueError(f"{path} p.{number}: bad row {doc!r} {code!r}")
                    seg = Segment(doc, code)
                    segments.append(seg)
                for line in lines:
                    if not seg.turns or (line.starts_bold and line.words[0]["text"] in SPEAKERS):
                        seg.turns.append([])
                    seg.turns[-1].append(line)
    return segments


# --- locating quotes ------------------------------------------------------------------------

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u2026": "..."})  # fmt: skip


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold quotes/dashes, collapse whitespace; return the text and a map to source offsets."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.translate(_FOLD)
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            folded = " "
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def place(quote: str, text: str) -> tuple[int, int, str, float, int]:
    """Locate ``quote`` in ``text``: (start, end, method, score, exact hits); start -1 if not."""
    hits = text.count(quote)
    if hits:
        start = text.find(quote)
        return start, start + len(quote), "exact", 100.0, hits
    norm_text, where = normalise(text)
    norm_quote = normalise(quote)[0].strip()
    k = norm_text.find(norm_quote)
    if k >= 0:
        return where[k], where[k + len(norm_quote) - 1] + 1, "normalised", 100.0, 0
    found = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=FUZZY_MIN)
    if found is None:
        best = fuzz.partial_ratio(norm_quote, norm_text)
        return -1, -1, "unplaced", round(best, 1), 0
    # The window has the quote's length; let its ends move a few characters to fit best.
    best_score, lo, hi = -1.0, found.dest_start, found.dest_end
    for a in range(max(0, lo - 3), lo + 4):
        for b in range(max(a + 1, hi - 3), min(len(norm_text), hi + 3) + 1):
            score = fuzz.ratio(norm_quote, norm_text[a:b])
            if score > best_score:
                best_score, start, end = score, where[a], where[b - 1] + 1
    return start, end, "fuzzy", round(best_score, 1), 0


# --- writing and checking -------------------------------------------------------------------


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def convert(source: Path, out: Path) -> Stats:
    stats = Stats()
    results = source / "results"
    (out / "transcripts").mkdir(parents=True, exist_ok=True)
    texts = {}
    for name in TRANSCRIPTS:
        texts[name] = read_transcript(results / "transcripts" / f"{name}.pdf", stats)
        (out / "transcripts" / f"{name}.txt").write_text(texts[name], encoding="utf-8")
        stats.counts["turns"] += texts[name].count("\n\n") + 1

    codes = read_codebook(results / "code-system.pdf")
    _write_csv(out / "codebook.csv", ["code", "description", "parent"],
               [[c.name, c.description, c.parent] for c in codes])  # fmt: skip
    by_name = {c.name: c for c in codes}

    segments = read_segments(results / "coded-segments.pdf", stats)
    text_rows, offset_rows, placement_rows, unplaced_rows = [], [], [], []
    per_code: Counter[str] = Counter()
    for i, seg in enumerate(segments):
        parts = seg.path.split(" > ")
        leaf = parts[-1]
        chain = [leaf]
        while by_name[chain[-1]].parent:
            chain.append(by_name[chain[-1]].parent)
        if chain[::-1] != parts:
            raise ValueError(f"code path {seg.path!r} disagrees with the code system")
        per_code[leaf] += 1
        quote = seg.text
        text_rows.append([seg.document, quote, leaf, CODER])
        start, end, method, score, hits = place(quote, texts[seg.document])
        stats.counts[f"placed {method}"] += 1
        if hits > 1:
            stats.counts["exact quotes found more than once (first taken)"] += 1
        placement_rows.append([i, seg.document, leaf, method, score, start, end, hits])
        if start < 0:
            reason = f"best partial_ratio {score} < {FUZZY_MIN}"
            unplaced_rows.append([i, seg.document, leaf, reason])
        else:
            offset_rows.append([seg.document, start, end, leaf, CODER])
    _write_csv(out / "codings_text.csv", ["transcript", "text", "code", "coder"], text_rows)
    _write_csv(out / "codings.csv", ["transcript", "start", "end", "code", "coder"], offset_rows)
    _write_csv(out / "placement.csv",
               ["segment", "transcript", "code", "method", "score", "start", "end", "exact_hits"],
               placement_rows)  # fmt: skip
    _write_csv(out / "unplaced_segments.csv", ["segment", "transcript", "code", "reason"],
               unplaced_rows)  # fmt: skip
    for c in codes:  # the export's counts should equal the code system's frequencies
        if per_code[c.name] != c.frequency:
            stats.notes.append(
                f"code {c.name!r}: {per_code[c.name]} exported segments, frequency {c.frequency}"
            )
    stats.counts["codes"] = len(codes)
    stats.counts["segments"] = len(segments)
    stats.counts["code-system total frequency"] = sum(c.frequency for c in codes)
    shutil.copyfile(source / "LICENSE", out / "LICENSE")
    return stats


def check(out: Path) -> int:
    """Re-read the written files, verify every offset and print the statistics."""
    files = sorted((out / "transcripts").glob("*.txt"))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in files}
    quotes = _read_csv(out / "codings_text.csv")
    codings = _read_csv(out / "codings.csv")
    placed = [r for r in _read_csv(out / "placement.csv") if r["method"] != "unplaced"]
    codes = {r["code"]: r["parent"] for r in _read_csv(out / "codebook.csv")}
    problems = 0
    if len(placed) != len(codings):
        print(f"placement.csv has {len(placed)} placed rows, codings.csv {len(codings)}")
        problems += 1
    scores = []
    for row, p in zip(codings, placed, strict=False):
        quote = quotes[int(p["segment"])]["text"]
        span = texts[row["transcript"]][int(row["start"]) : int(row["end"])]
        score = fuzz.ratio(" ".join(quote.split()), " ".join(span.split()))
        scores.append(score)
        exact = span == quote
        if row["code"] not in codes or (p["method"] == "exact" and not exact) or score < FUZZY_MIN:
            print(f"segment {p['segment']}: span does not match its quote (ratio {score:.1f})")
            problems += 1
    methods = Counter(r["method"] for r in _read_csv(out / "placement.csv"))
    parents = set(codes.values()) - {""}
    print(f"transcripts: {len(texts)}, characters: {sum(map(len, texts.values()))}")
    print(f"codes: {len(codes)} (groups with children: {len(parents)}, "
          f"leaves: {len(codes) - len(parents)})")  # fmt: skip
    print(f"segments: {len(quotes)}; placement: {dict(methods)}")
    print(f"span vs quote, whitespace-normalised ratio: min {min(scores):.1f}, "
          f"identical {sum(s == 100 for s in scores)}/{len(scores)}")  # fmt: skip
    print("check:", "OK" if not problems else f"{problems} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, help="the pdpilot_user_study folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--check", action="store_true", help="only verify the written files")
    args = parser.parse_args(argv)
    if not args.check:
        if args.source is None:
            parser.error("--source is required unless --check is given")
        stats = convert(args.source, args.out)
        for key, value in sorted(stats.counts.items()):
            print(f"{key}: {value}")
        for note in stats.notes:
            print("note:", note)
    return check(args.out)


if __name__ == "__main__":
    sys.exit(main())

"""Checks on the shipped sample data in data/ (PDPilot study and the seed study's Table 1).

Quotes are compared with their located spans after collapsing whitespace; a span counts as
"nearly" the quote when rapidfuzz's ``fuzz.ratio`` is at least NEAR_MIN (95 of 100).
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from rapidfuzz import fuzz

DATA = Path(__file__).resolve().parents[2] / "data"
PDPILOT = DATA / "pdpilot"
SEED = DATA / "seed_ngo"
NEAR_MIN = 95.0
TURN = re.compile(r"(Dan|Participant): \S")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def transcripts() -> dict[str, str]:
    files = sorted((PDPILOT / "transcripts").glob("*.txt"))
    return {p.stem: p.read_bytes().decode("utf-8") for p in files}


def check_hierarchy(rows: list[dict[str, str]]) -> None:
    names = [r["code"] for r in rows]
    assert len(names) == len(set(names)), "code names repeat"
    parent = {r["code"]: r["parent"] for r in rows}
    for code, up in parent.items():
        assert up == "" or up in parent, f"{code}: parent {up!r} is not a code"
        seen = {code}
        while up:
            assert up not in seen, f"cycle through {code}"
            seen.add(up)
            up = parent[up]


def test_seven_transcripts_with_speaker_turns() -> None:
    texts = transcripts()
    assert sorted(texts) == [f"P{n}" for n in range(1, 8)]
    for name, text in texts.items():
        assert text.strip(), name
        assert "\r" not in text and "\t" not in text and not text.startswith("\ufeff"), name
        paragraphs = text.rstrip("\n").split("\n\n")
        assert all(TURN.match(p) for p in paragraphs), name
        assert all("\n" not in p for p in paragraphs), f"{name}: a turn spans lines"
        speakers = {p.split(":", 1)[0] for p in paragraphs}
        assert speakers == {"Dan", "Participant"}, name


def test_pdpilot_codebook_hierarchy() -> None:
    rows = read_csv(PDPILOT / "codebook.csv")
    assert list(rows[0]) == ["code", "description", "parent"]
    check_hierarchy(rows)
    assert len(rows) == 91
    assert sum(r["parent"] == "" for r in rows) == 9


def test_codings_use_codebook_codes_and_valid_offsets() -> None:
    texts = transcripts()
    codes = {r["code"] for r in read_csv(PDPILOT / "codebook.csv")}
    codings = read_csv(PDPILOT / "codings.csv")
    quotes = read_csv(PDPILOT / "codings_text.csv")
    placement = read_csv(PDPILOT / "placement.csv")
    unplaced = read_csv(PDPILOT / "unplaced_segments.csv")
    assert list(codings[0]) == ["transcript", "start", "end", "code", "coder"]
    assert list(quotes[0]) == ["transcript", "text", "code", "coder"]
    assert len(quotes) == len(placement) == len(codings) + len(unplaced)
    placed = [p for p in placement if p["method"] != "unplaced"]
    assert len(placed) == len(codings)
    exact = 0
    for row, where in zip(codings, placed, strict=True):
        quote = quotes[int(where["segment"])]
        assert row["code"] in codes
        assert (row["transcript"], row["code"]) == (quote["transcript"], quote["code"])
        text = texts[row["transcript"]]
        start, end = int(row["start"]), int(row["end"])
        assert 0 <= start < end <= len(text)
        span = text[start:end]
        assert span.strip()
        exact += span == quote["text"]
        ratio = fuzz.ratio(" ".join(span.split()), " ".join(quote["text"].split()))
        assert ratio >= NEAR_MIN, (where["segment"], ratio)
    assert exact >= 0.95 * len(codings)
    assert {q["code"] for q in quotes} <= codes


def test_seed_codebook_three_levels_and_yaml_equivalent() -> None:
    rows = read_csv(SEED / "codebook.csv")
    check_hierarchy(rows)
    parent = {r["code"]: r["parent"] for r in rows}

    def depth(code: str) -> int:
        return 1 if not parent[code] else 1 + depth(parent[code])

    assert sorted({depth(c) for c in parent}) == [1, 2, 3]
    assert [sum(depth(c) == d for c in parent) for d in (1, 2, 3)] == [3, 6, 12]

    def walk(nodes: list[dict[str, object]], up: str) -> list[tuple[str, str, str]]:
        out = []
        for node in nodes:
            out.append((str(node["code"]), str(node.get("description", "")), up))
            out += walk(node.get("children", []), str(node["code"]))  # type: ignore[arg-type]
        return out

    tree = yaml.safe_load((SEED / "codebook.yaml").read_text(encoding="utf-8"))
    assert walk(tree["codes"], "") == [(r["code"], r["description"], r["parent"]) for r in rows]


def test_data_folder_is_small() -> None:
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 1_000_000


def load_converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pdpilot_convert", PDPILOT / "convert.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
def test_converter_reproduces_shipped_files(shared_data: Path) -> None:
    results = shared_data / "pdpilot_user_study" / "results"
    convert = load_converter()
    text = convert.read_transcript(results / "transcripts" / "P1.pdf", convert.Stats())
    assert text == (PDPILOT / "transcripts" / "P1.txt").read_text(encoding="utf-8")
    codes = convert.read_codebook(results / "code-system.pdf")
    shipped = read_csv(PDPILOT / "codebook.csv")
    assert [(c.name, c.description, c.parent) for c in codes] == [
        (r["code"], r["description"], r["parent"]) for r in shipped
    ]

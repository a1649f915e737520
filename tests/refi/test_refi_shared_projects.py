"""The two real REFI-QDA projects in ../shared (AGPL, read in place, never copied)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlpthemes.io.codebook_files import read_codebook
from nlpthemes.io.refi import diff_facts, export_project, import_project, read_project
from nlpthemes.io.refi import schema_errors as errors_of
from nlpthemes.io.refi._text import decode_source
from nlpthemes.io.refi.qdc import guid_key

pytestmark = pytest.mark.shared

# users, codes, text sources, selections, codings (README of the data set)
EXPECTED = {"demo.qdpx": (1, 262, 2, 158, 205), "nvivo_project.qdpx": (2, 262, 2, 0, 0)}


@pytest.fixture(params=sorted(EXPECTED))
def project(request: pytest.FixtureRequest, shared_data: Path) -> Path:
    path = shared_data / "qualitative_coding_demo_qdpx" / request.param
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


def test_import_counts_and_every_coding_matches_its_source_span(project: Path,
                                                                 tmp_path: Path) -> None:
    result = import_project(project, tmp_path / "out")
    assert result.problems == []
    assert (result.users, result.codes, result.transcripts, result.selections,
            result.codings) == EXPECTED[project.name]
    parsed = read_project(project)
    assert errors_of(parsed.tree) == []
    texts = {p.stem: decode_source(p.read_bytes()) for p in (tmp_path / "out" /
                                                             "transcripts").glob("*.txt")}
    book = read_codebook(tmp_path / "out" / "codebook.csv")
    with (tmp_path / "out" / "codings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = sorted(
        (s.transcript, s.text.stored[sel.start:sel.end].replace("\r\n", "\n"), guid_key(c.code))
        for s in parsed.sources if s.text is not None for sel in s.selections for c in sel.codings)
    got = sorted((r["transcript"], texts[r["transcript"]].text[int(r["start"]):int(r["end"])],
                  guid_key(book.find(r["code"]).id)) for r in rows)
    assert got == expected and len(got) == EXPECTED[project.name][4]


@pytest.mark.parametrize("with_original", [False, True])
def test_round_trip_is_lossless_and_valid(project: Path, tmp_path: Path,
                                          with_original: bool) -> None:
    import_project(project, tmp_path / "out")
    out = tmp_path / "back.qdpx"
    export_project(tmp_path / "out", out, original=project if with_original else None)
    after = read_project(out)
    assert errors_of(after.tree) == []
    assert diff_facts(read_project(project), after) == {}

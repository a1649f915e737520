"""Hostile archives and XML are refused with clear errors; nothing is written anywhere."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from nlpthemes.errors import InputError
from nlpthemes.io.refi import ArchiveLimits, export_project, import_project, read_qdc
from nlpthemes.io.refi._xml import parse_xml
from nlpthemes.io.refi._zip import read_archive

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"


@pytest.mark.parametrize(("name", "message"), [
    ("hostile_zip_slip.qdpx", "'../evil.txt' points outside the archive"),
    ("hostile_absolute.qdpx", "'/tmp/evil.txt' has an absolute path"),
    ("hostile_symlink.qdpx", "'sources/link.txt' is a symbolic link"),
    ("hostile_zip_bomb.qdpx", "'sources/bomb.txt' inflates 1\\d\\d\\d times.*zip bomb"),
    ("hostile_entity_expansion.qdpx", "refused: the XML declares a DOCTYPE"),
    ("hostile_external_entity.qdpx", "refused: the XML declares a DOCTYPE"),
])
def test_hostile_fixture_is_refused_and_nothing_written(tmp_path: Path, name: str,
                                                        message: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(InputError, match=message) as info:
        import_project(DATA / name, out)
    assert str(info.value).startswith(str(DATA / name))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # the same refusals apply to an original given to an export
    folder = tmp_path / "folder" / "transcripts"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        export_project(folder.parent, tmp_path / "x.qdpx", original=DATA / name)
    assert not (tmp_path / "x.qdpx").exists()


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_backslash_and_drive_letter_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside the archive"):
        read_archive(_zip(tmp_path / "a.qdpx", {"sources\\..\\..\\x.txt": b"x"}))
    with pytest.raises(InputError, match="absolute path"):
        read_archive(_zip(tmp_path / "b.qdpx", {"C:/x.txt": b"x"}))


def test_size_ratio_and_count_limits(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.qdpx", {"a.txt": b"x" * 5000, "b.txt": b"y" * 5000})
    assert set(read_archive(path)) == {"a.txt", "b.txt"}
    with pytest.raises(InputError, match="'a.txt' inflates to more than"):
        read_archive(path, ArchiveLimits(max_entry_bytes=4000))
    with pytest.raises(InputError, match="archive inflates to more than"):
        read_archive(path, ArchiveLimits(max_total_bytes=8000))
    with pytest.raises(InputError, match="inflates \\d+ times"):
        read_archive(path, ArchiveLimits(ratio_floor=100, max_ratio=10))
    with pytest.raises(InputError, match="2 entries \\(limit 1\\)"):
        read_archive(path, ArchiveLimits(max_entries=1))


def test_an_entry_larger_than_its_header_claims_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.qdpx", {"a.txt": b"z" * 100_000})
    data = bytearray(path.read_bytes())
    size = (100_000).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 3) if data[i:i + 4] == size]:
        data[at:at + 4] = (10).to_bytes(4, "little")  # local and central headers lie
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="'a.txt'"):
        read_archive(path)


def test_duplicate_entries_and_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("a.txt", b"1")
        archive.writestr("a.txt", b"2")
    with pytest.raises(InputError, match="'a.txt' appears twice"):
        read_archive(path)
    (tmp_path / "no.qdpx").write_text("plain text")
    with pytest.raises(InputError, match="not a valid .qdpx"):
        read_archive(tmp_path / "no.qdpx")
    with pytest.raises(InputError, match="file not found"):
        read_archive(tmp_path / "missing.qdpx")


def test_archive_without_a_project(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no project.qde"):
        import_project(_zip(tmp_path / "a.qdpx", {"x.txt": b"x"}), tmp_path / "out")
    bad = _zip(tmp_path / "b.qdpx", {"project.qde": b"<Project name='x'"})
    with pytest.raises(InputError, match="not well-formed XML"):
        import_project(bad, tmp_path / "out")
    other = _zip(tmp_path / "c.qdpx", {"project.qde": b"<CodeBook/>"})
    with pytest.raises(InputError, match="root element is 'CodeBook'"):
        import_project(other, tmp_path / "out")


def test_xml_parser_never_expands_or_fetches(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    doc = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>').encode()
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_xml(doc, "doc.xml")
    qdc = tmp_path / "cb.qdc"
    qdc.write_bytes(b'<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(InputError, match="DOCTYPE"):
        read_qdc(qdc)


def test_output_paths_cannot_escape_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "transcripts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="outside the output folder"):
        import_project(DATA / "minimal.qdpx", out)
    assert list(outside.iterdir()) == []

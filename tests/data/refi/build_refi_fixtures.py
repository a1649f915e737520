# ruff: noqa: E501  (the project XML is easier to read on long lines)
"""Build the REFI-QDA test fixtures in this folder (run: python build_refi_fixtures.py).

* ``minimal.qdpx`` — a hand-built project: two users, a codebook with a
  non-codable category, a repeated name under two parents, colours and
  criteria; a UTF-8 source with a BOM, CRLF line ends and an emoji; an inline
  (``PlainTextContent``) source; a whole-source coding; variables and cases;
  notes; and elements nlpthemes does not use (a PDF source, a graph, a link, a set).
* ``hostile_*.qdpx`` — one archive per attack the reader must refuse.

Everything is deterministic (fixed timestamps), and each file is under 10 KB.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = (2024, 1, 1, 0, 0, 0)

U1 = "11111111-1111-4111-8111-111111111111"
U2 = "22222222-2222-4222-8222-222222222222"
C_AIMS, C_OBJ, C_ACT1, C_ACT2 = (f"c0000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))
C_FEEL, C_POS = "c0000000-0000-4000-8000-000000000005", "c0000000-0000-4000-8000-000000000006"
S1, S2, S3 = (f"50000000-0000-4000-8000-00000000000{i}" for i in range(1, 4))

# stored text of source 1: BOM, CRLF line ends, one character outside the BMP
STORED_1 = ("Interviewer: How did the workshop go?\r\n"
            "Ana: It was great \U0001F600 we learned a lot.\r\n"
            "Ana: Next time we aim to reach every school.\r\n")
INLINE_2 = "Short answer: we want X.\nAnother line."


def span(text: str, quote: str) -> tuple[int, int]:
    """Code-point positions of ``quote`` in the stored text."""
    start = text.index(quote)
    return start, start + len(quote)


def _sel(guid: str, text: str, quote: str, codings: list[tuple[str, str, str]],
         extra: str = "") -> str:
    start, end = span(text, quote)
    inner = "".join(f'<Coding guid="{g}" creatingUser="{u}"><CodeRef targetGUID="{c}"/></Coding>'
                    for g, c, u in codings)
    return (f'<PlainTextSelection guid="{guid}" name="{quote[:12].replace(chr(13) + chr(10), " ")}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{codings[0][2] if codings else U1}">'
            f"{inner}{extra}</PlainTextSelection>")


def minimal_project() -> str:
    """The ``project.qde`` of ``minimal.qdpx``."""
    sel1 = _sel("a0000000-0000-4000-8000-000000000001", STORED_1, "we learned a lot.",
                [("b0000000-0000-4000-8000-000000000001", C_POS, U1),
                 ("b0000000-0000-4000-8000-000000000002", C_POS, U2)])
    sel2 = _sel("a0000000-0000-4000-8000-000000000002", STORED_1,
                "we aim to reach every school.",
                [("b0000000-0000-4000-8000-000000000003", C_ACT1, U1),
                 ("b0000000-0000-4000-8000-000000000004", C_ACT2, U2)],
                '<NoteRef targetGUID="e0000000-0000-4000-8000-000000000003"/>')
    sel3 = _sel("a0000000-0000-4000-8000-000000000003", STORED_1, "a lot.\r\nAna: Next",
                [("b0000000-0000-4000-8000-000000000005", C_OBJ, U2)])
    sel4 = _sel("a0000000-0000-4000-8000-000000000004", INLINE_2, "we want X",
                [("b0000000-0000-4000-8000-000000000006", C_OBJ, U1)])
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="minimal" origin="hand-built">
<Users><User guid="{U1}" name="ana coder" id="AC"/><User guid="{U2}" name="ben"/></Users>
<CodeBook><Codes>
 <Code guid="{C_AIMS}" name="Aims" isCodable="false" color="#FF0000">
  <Description>Why the project exists.

Inclusion: stated goals
Examples:
- we aim</Description>
  <Code guid="{C_OBJ}" name="Objectives" isCodable="true">
   <Description>Goals set.</Description>
   <NoteRef targetGUID="e0000000-0000-4000-8000-000000000002"/>
   <Code guid="{C_ACT1}" name="Activity" isCodable="true"/>
  </Code>
  <Code guid="{C_ACT2}" name="Activity" isCodable="true"/>
 </Code>
 <Code guid="{C_FEEL}" name="Feelings" isCodable="true">
  <Code guid="{C_POS}" name="Positive" isCodable="true" color="#0a0"/>
 </Code>
</Codes></CodeBook>
<Variables>
 <Variable guid="d0000000-0000-4000-8000-000000000001" name="age" typeOfVariable="Integer"/>
 <Variable guid="d0000000-0000-4000-8000-000000000002" name="group" typeOfVariable="Text"/>
</Variables>
<Cases><Case guid="f0000000-0000-4000-8000-000000000001" name="Ana">
 <VariableValue><VariableRef targetGUID="d0000000-0000-4000-8000-000000000001"/><IntegerValue>34</IntegerValue></VariableValue>
 <VariableValue><VariableRef targetGUID="d0000000-0000-4000-8000-000000000002"/><TextValue>teachers</TextValue></VariableValue>
 <SourceRef targetGUID="{S1}"/>
</Case></Cases>
<Sources>
 <TextSource guid="{S1}" name="interview_crlf.txt" plainTextPath="internal://{S1}.txt" richTextPath="internal://{S1}.docx">{sel1}{sel2}{sel3}<Coding guid="b0000000-0000-4000-8000-000000000007" creatingUser="{U2}"><CodeRef targetGUID="{C_FEEL}"/></Coding></TextSource>
 <TextSource guid="{S2}" name="inline answer"><PlainTextContent>{INLINE_2}</PlainTextContent>{sel4}<VariableValue><VariableRef targetGUID="d0000000-0000-4000-8000-000000000002"/><TextValue>survey</TextValue></VariableValue></TextSource>
 <PDFSource guid="{S3}" name="scan" path="internal://scan.pdf"><PDFSelection guid="a0000000-0000-4000-8000-000000000009" page="1" firstX="1" firstY="1" secondX="50" secondY="50"><Coding guid="b0000000-0000-4000-8000-000000000009" creatingUser="{U1}"><CodeRef targetGUID="{C_POS}"/></Coding></PDFSelection></PDFSource>
</Sources>
<Notes>
 <Note guid="e0000000-0000-4000-8000-000000000001" name="Project memo" creatingUser="{U1}"><PlainTextContent>Overall impressions.</PlainTextContent></Note>
 <Note guid="e0000000-0000-4000-8000-000000000002" name="Code memo"><PlainTextContent>Objectives need care.</PlainTextContent></Note>
 <Note guid="e0000000-0000-4000-8000-000000000003" name="Quote memo" creatingUser="{U2}"><PlainTextContent>A clear aim.</PlainTextContent></Note>
</Notes>
<Links><Link guid="70000000-0000-4000-8000-000000000001" name="supports" originGUID="{C_OBJ}" targetGUID="{C_POS}"/></Links>
<Sets><Set guid="80000000-0000-4000-8000-000000000001" name="core"><MemberCode targetGUID="{C_OBJ}"/></Set></Sets>
<Graphs><Graph guid="90000000-0000-4000-8000-000000000001" name="map"><Vertex guid="90000000-0000-4000-8000-000000000002" representedGUID="{C_OBJ}" firstX="0" firstY="0"/></Graph></Graphs>
<NoteRef targetGUID="e0000000-0000-4000-8000-000000000001"/>
</Project>
"""


def _write(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            if isinstance(info, str):
                info = zipfile.ZipInfo(info, STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def _project(extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> list[tuple[zipfile.ZipInfo | str,
                                                                        bytes]]:
    qde = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
    return [("project.qde", qde), *extra]


def build(folder: Path = HERE) -> None:
    """Write every fixture into ``folder``."""
    _write(folder / "minimal.qdpx", [
        ("project.qde", minimal_project().encode("utf-8")),
        (f"sources/{S1}.txt", b"\xef\xbb\xbf" + STORED_1.encode("utf-8")),
        (f"sources/{S1}.docx", b"PK not really a docx"),
        ("sources/scan.pdf", b"%PDF-1.4 tiny placeholder"),
    ])
    _write(folder / "hostile_zip_slip.qdpx", _project([("../evil.txt", b"x")]))
    _write(folder / "hostile_absolute.qdpx", _project([("/tmp/evil.txt", b"x")]))
    link = zipfile.ZipInfo("sources/link.txt", STAMP)
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    _write(folder / "hostile_symlink.qdpx", _project([(link, b"/etc/passwd")]))
    _write(folder / "hostile_zip_bomb.qdpx", _project([("sources/bomb.txt", b"\0" * (3 << 20))]))
    laughs = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "lol">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                        for i in range(8))
              + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&i;"/>')
    _write(folder / "hostile_entity_expansion.qdpx", [("project.qde", laughs.encode())])
    external = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    _write(folder / "hostile_external_entity.qdpx", [("project.qde", external.encode())])


if __name__ == "__main__":
    build()

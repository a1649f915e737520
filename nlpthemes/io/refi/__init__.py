"""Exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder through REFI-QDA (QDA-XML 1.0).

* :func:`import_project` reads a ``.qdpx`` project into a folder of nlpthemes
  inputs (transcripts, ``codebook.csv``, ``codings.csv`` with one coder per REFI
  user, attributes, memos);
* :func:`export_project` writes such a folder back as a ``.qdpx``, with the
  machine's applied suggestions as one more coder, optionally carrying an
  original project over untouched;
* :func:`read_qdc` / :func:`write_qdc` read and write ``.qdc`` codebooks;
* :func:`read_project` and :func:`project_facts` give the parsed project and a
  content comparison for round-trip checks.

Archives and XML are untrusted: see :mod:`._zip` and :mod:`._xml` for what is
refused. Offsets: see :mod:`._text`.
"""

from nlpthemes.io.refi._text import OFFSET_UNITS, SourceText
from nlpthemes.io.refi._xml import schema_errors
from nlpthemes.io.refi._zip import ArchiveLimits
from nlpthemes.io.refi.export import ExportResult, export_project, machine_user_name
from nlpthemes.io.refi.facts import FACT_KINDS, diff_facts, project_facts
from nlpthemes.io.refi.importer import ImportResult, import_project
from nlpthemes.io.refi.model import RefiProject, read_project
from nlpthemes.io.refi.qdc import read_qdc, write_qdc

__all__ = [
    "FACT_KINDS",
    "OFFSET_UNITS",
    "ArchiveLimits",
    "ExportResult",
    "ImportResult",
    "RefiProject",
    "SourceText",
    "diff_facts",
    "export_project",
    "import_project",
    "machine_user_name",
    "project_facts",
    "read_project",
    "read_qdc",
    "schema_errors",
    "write_qdc",
]

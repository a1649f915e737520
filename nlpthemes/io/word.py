"""Word ``.docx`` interviews (python-docx), paragraph breaks and turns kept."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError
from nlpthemes.io._options import ReadOptions
from nlpthemes.io.text import transcript_from_text

__all__ = ["docx_text", "open_docx", "read_docx"]


def _table_lines(table: Any) -> list[str]:
    lines = []
    for row in table.rows:
        cells = [c.text.strip() for c in row.cells]
        cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged cells
        if not cells:
            continue
        # A two-column "Speaker | What was said" table becomes "Speaker: what was said".
        if len(cells) == 2 and len(cells[0]) <= 40 and "\n" not in cells[0]:
            lines.append(f"{cells[0].rstrip(':')}: {cells[1]}")
        else:
            lines.append("\t".join(cells))
    return lines


def open_docx(path: Path) -> Any:
    """The python-docx ``Document`` of ``path``.

    Raises
    ------
    InputError
        A missing, corrupt or damaged file, named.
    """
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise InputError(path, "reading .docx needs python-docx: pip install python-docx") from exc
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(path, f"not a valid .docx file ({type(exc).__name__})") from None
    except Exception as exc:  # lxml errors on a damaged document part
        raise InputError(path, f"damaged .docx file ({exc})") from None


def docx_text(path: Path) -> str:
    """The text of a .docx: one line per paragraph, tables row by row, in body order.

    Raises
    ------
    InputError
        When the file is not a valid .docx.
    """
    document = open_docx(path)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text.replace("\r", "").replace("\x0b", "\n"))
    return "\n".join(lines)


def read_docx(path: Path, options: ReadOptions = ReadOptions()) -> Transcript:
    """Read a ``.docx`` interview (paragraphs become lines; turns as in text files)."""
    text = docx_text(path)
    if not text.strip():
        raise InputError(path, "the document has no text")
    return transcript_from_text(text, path.stem, options=options, source=str(path))

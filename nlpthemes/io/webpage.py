"""HTML transcripts (e.g. oral histories published as web pages)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError
from nlpthemes.io._decode import decode_bytes
from nlpthemes.io._options import ReadOptions
from nlpthemes.io.text import transcript_from_text

__all__ = ["html_to_text", "read_html"]

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dir", "blockquote",
          "table", "ul", "ol", "dd", "dt", "pre", "hr", "title"}  # fmt: skip
_SKIP = {"script", "style", "head"}
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: one line per block, spaces collapsed.

    Examples
    --------
    >>> html_to_text("<p>MSM:&#9;Is it <b>six</b>?</p><p>Ken: Yes.</p>")
    'MSM: Is it six?\\nKen: Yes.'
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    raw = "".join(parser.parts).replace("\xa0", " ")
    lines = (re.sub(r"[ \t\f\v]+", " ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def read_html(path: Path, options: ReadOptions = ReadOptions()) -> Transcript:
    """Read an ``.html``/``.htm`` transcript: visible text, then turns as in text files."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    encoding = options.encoding
    if encoding is None and (m := _CHARSET.search(data[:4096])):
        import codecs

        try:
            encoding = codecs.lookup(m.group(1).decode("ascii")).name
            data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            encoding = None
    text = html_to_text(decode_bytes(data, path, encoding=encoding).text)
    if not text.strip():
        raise InputError(path, "the page has no text")
    return transcript_from_text(text, path.stem, options=options, source=str(path))

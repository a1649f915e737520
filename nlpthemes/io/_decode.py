"""Turn a file's bytes into normalised text: detected encoding, ``\\n`` line ends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlpthemes.errors import InputError

__all__ = ["DecodedText", "decode_bytes", "normalise_newlines", "read_text_file"]

# Encodings tried in order before asking charset-normalizer: UTF-8 (with or without BOM) is
# by far the most common; cp1252 is what Word and Excel on Windows write.
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from a file.

    Attributes
    ----------
    text : str
        Normalised text (no BOM, ``\\n`` line ends).
    encoding : str
        The encoding the bytes were decoded with.
    newline_offsets : tuple of int
        Offsets in ``text`` where the source had ``\\r\\n``.
    had_bom : bool
        Whether the source started with a byte-order mark.
    """

    text: str
    encoding: str
    newline_offsets: tuple[int, ...] = ()
    had_bom: bool = False


def normalise_newlines(text: str) -> tuple[str, tuple[int, ...]]:
    """Replace ``\\r\\n`` and lone ``\\r`` by ``\\n``; return where ``\\r\\n`` was.

    Examples
    --------
    >>> normalise_newlines("a\\r\\nb\\rc")
    ('a\\nb\\nc', (1,))
    """
    if "\r" not in text:
        return text, ()
    out: list[str] = []
    crlf: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("\r", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if j + 1 < n and text[j + 1] == "\n":
            crlf.append(j - len(crlf))
            i = j + 2
        else:
            i = j + 1
        out.append("\n")
    return "".join(out), tuple(crlf)


def _looks_binary(data: bytes) -> bool:
    head = data[:_BINARY_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with BOM
    return b"\x00" in head


def decode_bytes(data: bytes, path: str | Path | None = None, *, encoding: str | None = None) -> DecodedText:
    """Decode bytes: the given encoding, else UTF-8 (BOM or not), else detection.

    Raises
    ------
    InputError
        When the bytes are binary or cannot be decoded with any likely encoding.

    Examples
    --------
    >>> decode_bytes("caf\\u00e9".encode("cp1252")).text
    'café'
    >>> decode_bytes(b"\\xef\\xbb\\xbfhi\\r\\n").text, decode_bytes(b"\\xef\\xbb\\xbfhi").had_bom
    ('hi\\n', True)
    """
    if encoding is not None:
        try:
            raw = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(path, f"cannot be decoded as {encoding}: {exc}") from None
        return _finish(raw, encoding)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _finish(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid UTF-16 text: {exc}") from None
    if _looks_binary(data):
        raise InputError(path, "looks like a binary file, not text")
    try:
        return _finish(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # No NUL bytes were seen, so UTF-16/32 without a BOM is impossible whatever the
    # detector says (it does say so for very short inputs).
    candidates = [
        m.encoding
        for m in from_bytes(data)
        if m.encoding and not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    # charset-normalizer often names a close relative of Windows-1252 for Western
    # text; cp1252 is what such files almost always are.
    western = {"latin_1", "iso8859_15", "cp1250", "cp1257", "cp1252", "mac_roman"}
    # On a few hundred bytes detection is guesswork: take the common case first.
    if not candidates or candidates[0] in western or len(data) < 256:
        candidates.insert(0, "cp1252")
    for enc in candidates:
        try:
            return _finish(data.decode(enc), enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(path, "text encoding could not be detected; save it as UTF-8")


def _finish(raw: str, encoding: str) -> DecodedText:
    had_bom = raw.startswith("\ufeff")
    if had_bom:
        raw = raw[1:]
    text, crlf = normalise_newlines(raw)
    return DecodedText(text=text, encoding=encoding, newline_offsets=crlf, had_bom=had_bom)


def read_text_file(path: Path, *, encoding: str | None = None) -> DecodedText:
    """Read and decode a text file, with errors that name it.

    Raises
    ------
    InputError
        Missing, unreadable, binary or undecodable file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    return decode_bytes(data, path, encoding=encoding)

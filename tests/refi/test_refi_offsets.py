"""REFI positions <-> nlpthemes offsets: CRLF, lone CR, BOM, non-BMP characters, UTF-16 units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpthemes.io.refi._text import decode_source, from_text

_alphabet = st.sampled_from(["a", "b", " ", "\n", "\r\n", "\r", "é", "\u4e2d", "\U0001F600",
                             "\U00020000", "\u200d"])
_texts = st.lists(_alphabet, max_size=40).map("".join)


@given(stored=_texts, bom=st.booleans())
def test_positions_and_offsets_are_inverse_and_slice_the_same_text(stored: str,
                                                                   bom: bool) -> None:
    source = decode_source((("\ufeff" if bom else "") + stored).encode("utf-8"))
    assert source.stored == stored and source.had_bom == bom
    text = source.text
    assert "\r" not in text
    utf16 = stored.encode("utf-16-le")
    for a in range(len(text) + 1):
        for unit in ("codepoint", "utf16"):
            assert source.to_offset(source.to_position(a, unit), unit) == a  # type: ignore[arg-type]
        for b in range(a, len(text) + 1):
            p, q = source.to_position(a), source.to_position(b)
            assert stored[p:q].replace("\r\n", "\n").replace("\r", "\n") == text[a:b]
            p16, q16 = source.to_position(a, "utf16"), source.to_position(b, "utf16")
            assert utf16[2 * p16:2 * q16].decode("utf-16-le") == stored[p:q]
    assert source.length() == len(stored)
    assert source.length("utf16") == len(utf16) // 2


def test_positions_inside_a_pair_map_to_its_start() -> None:
    source = decode_source("a\r\nb\U0001F600c".encode())
    assert source.to_offset(2) == 1  # between \r and \n: the line break
    assert source.to_offset(5, "utf16") == 3  # between two surrogates: the emoji


def test_encode_restores_the_stored_bytes() -> None:
    data = "\ufeffx\r\ny\rz".encode()
    assert decode_source(data).encode() == data
    assert decode_source("x".encode("utf-16")).text == "x"


def test_inline_content_is_normalised_like_a_file() -> None:
    source = from_text("a\r\nb")
    assert (source.text, source.to_position(2)) == ("a\nb", 3)


def test_offset_unit_is_validated() -> None:
    with pytest.raises(ValueError, match="must be one of codepoint, utf16, not 'bytes'"):
        from_text("x").to_position(0, "bytes")  # type: ignore[arg-type]

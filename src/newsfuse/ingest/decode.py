"""Bytes to text: UTF-8 first, then the charset the page declares, then Windows-1252, then Latin-1."""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
# Codecs Python knows that no page is written in: escapes and transforms that can make lone surrogates or raise.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "utf-7", "idna", "punycode", "undefined"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if Python knows it."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, html: bool = False) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``. Never fails: Latin-1 maps every byte."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    candidates = ["utf-8"]
    if html and (declared := declared_charset(data)) and declared not in _NOT_CHARSETS:
        candidates.append(declared)
    candidates += ["cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeError, LookupError):  # UnicodeError too: the 'undefined' and 'idna' codecs raise it
            continue
        if encoding not in ("utf-8", "cp1252", "latin-1"):  # a declared codec may make lone surrogates
            text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return text, encoding
    return data.decode("latin-1"), "latin-1"  # unreachable: latin-1 decodes everything


def looks_binary(text: str, sample: int = 8192) -> bool:
    """True when the text has NUL bytes or more than 5% control characters: not a page someone wrote."""
    head = text[:sample]
    if not head:
        return False
    if "\x00" in head:
        return True
    return len(_CONTROL.findall(head)) / len(head) > 0.05

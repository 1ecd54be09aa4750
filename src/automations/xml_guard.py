"""XML from people we do not trust (scenario files, data a scenario parses): the parser settings
and the DOCTYPE check every reader uses.

libxml2 expands internal entities inside attribute values even with `resolve_entities=False`
(a 300-byte document gives a 100,000-character attribute), so a document with a DOCTYPE must
be refused before the parser sees it: `doctype_offset` finds one in the prolog, whatever the
encoding (`prolog_view` first).
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

_NAME_START = re.compile(rb"<[A-Za-z_:\x80-\xff]")
_DECLARED_ENCODING = re.compile(rb"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
# Encodings whose markup bytes the prolog scan can read (ASCII-compatible, or UTF-16/32 which it
# decodes). Anything else (UTF-7, EBCDIC, ...) could hide a DOCTYPE from the scan: refused.
_SCANNABLE_ENCODINGS = frozenset(
    ["utf-8", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
    + [f"iso8859-{n}" for n in range(1, 17)]
    + [f"cp{n}" for n in range(1250, 1259)]
)


def hardened_parser(encoding: str | None = None) -> etree.XMLParser:
    """A new parser with entities, DTDs and the network off (lxml parsers keep state: one per
    call, never shared between threads). `encoding` overrides the document's declaration (for
    text we encoded ourselves)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        encoding=encoding,
    )


def prolog_view(data: bytes) -> bytes:
    """The bytes as ASCII-compatible text, so markup can be found whatever the encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    head = data[:4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")):
        if head == bom:
            return data[4:].decode(codec, "replace").encode("utf-8", "replace")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        codec = _utf16_codec(head)
        return data.decode(codec, "replace").lstrip("\ufeff").encode("utf-8", "replace")
    return data


def unscannable_encoding(text: bytes) -> str | None:
    """The declared encoding of `text` (a `prolog_view`) when the DOCTYPE scan cannot read it."""
    text = text.lstrip(b" \t\r\n")
    declared = _DECLARED_ENCODING.match(text, 0, text.find(b"?>") + 2)
    if declared is None:
        return None
    label = declared.group(1).decode("ascii", "replace")
    try:
        canonical = codecs.lookup(label).name
    except LookupError:
        canonical = ""
    return None if canonical in _SCANNABLE_ENCODINGS else label


def doctype_offset(text: bytes) -> int:
    """Walk the prolog (declaration, comments, PIs) up to the root; -1 when there is no DOCTYPE."""
    i = 0
    while True:
        i = text.find(b"<", i)
        if i < 0:
            return -1
        if text.startswith(b"<?", i):
            i = _skip_past(text, b"?>", i)
        elif text.startswith(b"<!--", i):
            i = _skip_past(text, b"-->", i + 4)
        elif text[i : i + 9].upper() == b"<!DOCTYPE":
            return i
        elif _NAME_START.match(text, i):
            return -1  # the root element: a DOCTYPE cannot come after it
        else:
            # Anything else in the prolog is not XML; if it hides "<!DOCTYPE" further on,
            # refuse anyway rather than letting libxml2 recover through it.
            return text.upper().find(b"<!DOCTYPE", i)
        if i < 0:
            return -1


def _skip_past(text: bytes, end: bytes, start: int) -> int:
    at = text.find(end, start)
    return at + len(end) if at >= 0 else -1


def _utf16_codec(head: bytes) -> str:
    if head[:2] == b"\xff\xfe" or (len(head) > 1 and head[1:2] == b"\x00"):
        return "utf-16-le"
    return "utf-16-be"

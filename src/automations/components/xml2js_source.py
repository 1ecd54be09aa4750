"""What xml2js sees in an XML text and a conforming XML parser throws away, recovered from the
source before lxml parses it (`prepare`), for `xml2js.xml_to_json`.

xml2js reads XML with the `sax` package in its strict mode, which is looser than XML 1.0 in
ways users' documents rely on. lxml (libxml2) is the project's hardened parser and stays the one
that decides whether a text is XML and decodes it; the source is rewritten first so that what it
gives is what sax gives:

- line ends and tabs are kept as written: a carriage return in text, and a tab, line feed or
  carriage return in an attribute value, become character references (XML would turn CR LF into
  LF, and whitespace in attributes into spaces); a CDATA section is split around each CR;
- HTML's named entities (`&nbsp;`, `&laquo;`, in any letter case as sax looks them up) become
  character references; `<` in an attribute value and `]]>` in text are escaped; a repeated
  attribute keeps its first value; namespace declarations become plain attributes and every
  prefix gets a placeholder declaration on the root (sax does not process namespaces);
- the XML declaration counts as the processing instruction sax takes it for, so leading
  whitespace before it is no error; CDATA before the root and everything after the root
  element are ignored (xml2js returns as soon as the root closes);
- before each CDATA section (but an empty one) a processing instruction with an unused target
  (`marker`) tells the builder where CDATA was, which libxml2 does not report;
- each start tag's name and attribute names are kept as written, in order (`elements`): lxml's
  attributes of the element are their values, in the same order.

The scanner trusts lxml for well-formedness: on text it cannot split into markup it stops, and
the caller lets lxml say what is wrong.
"""

from __future__ import annotations

import bisect
import html.entities
import re
from dataclasses import dataclass, field

# sax's entity table in its default (non-strictEntities) mode: XML's five and HTML 4's.
_NAMED = {**html.entities.name2codepoint, "apos": 39}

_TOKEN = re.compile(
    r"""
      (?P<comment><!--.*?-->)
    | <!\[CDATA\[(?P<cdata>.*?)\]\]>
    | (?P<pi><\?(?P<target>[^\s?]*).*?\?>)
    | (?P<doctype><!DOCTYPE)
    | (?P<end></[^\s>]+\s*>)
    | (?P<start><(?P<name>[^\s/>!?<][^\s/><]*)
      (?P<attrs>(?:\s+[^\s=/><]+\s*=\s*(?:"[^"]*"|'[^']*'))*)(?P<space>\s*)(?P<empty>/?)>)
    | (?P<text>[^<]+)
    """,
    re.S | re.X | re.I,
)
_ATTRIBUTE = re.compile(r"""(\s+)([^\s=/><]+)(\s*=\s*)(["'])(.*?)\4""", re.S)
_ENTITY = re.compile(r"&(#[xX][0-9A-Fa-f]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);")
# A reference libxml2 reads as sax does needs no rewriting (most of them: a fast path).
_FOREIGN_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")
_PLACEHOLDER_NS = "urn:automations:xml2js:undeclared:"


@dataclass(frozen=True)
class ElementFacts:
    """A start tag as written: its name and its attributes' names, in order (first of a repeated
    one only)."""

    name: str
    attributes: tuple[str, ...]


@dataclass
class Prepared:
    """The text for lxml and what the builder needs beside lxml's tree."""

    text: str
    elements: list[ElementFacts] = field(default_factory=list)
    marker: str = ""
    has_root: bool = False
    stray_text: bool = False  # text other than whitespace outside the root
    complete: bool = True  # False: the scanner met something that is not XML (lxml will say)
    # (offset in `text`, offset in the source) at each token, to place lxml's errors
    offsets: list[tuple[int, int]] = field(default_factory=list)

    def source_offset(self, prepared_offset: int) -> int:
        """Where an offset of the prepared text came from in the source."""
        at = bisect.bisect_right(self.offsets, (prepared_offset, 1 << 62)) - 1
        if at < 0:
            return prepared_offset
        prepared_start, source_start = self.offsets[at]
        following = self.offsets[at + 1] if at + 1 < len(self.offsets) else None
        span = following[1] - source_start if following else prepared_offset - prepared_start
        return source_start + min(prepared_offset - prepared_start, span)


class DoctypeRefused(ValueError):
    """The text carries a document type declaration (refused: entities could expand)."""


def prepare(source: str) -> Prepared:
    """The source as lxml must parse it to give what sax gives; see the module docstring."""
    marker = _unused_target(source)
    prepared = Prepared(text="", marker=marker)
    parts: list[str] = []
    length = 0
    depth = 0
    prefixes: set[str] = set()
    root_part = root_token = -1
    position = 0
    for token in _TOKEN.finditer(source):
        if token.start() != position:
            break  # not XML from here: lxml will say what
        kind = token.lastgroup
        prepared.offsets.append((length, position))
        piece = _rewrite(kind, token, depth, marker, prepared, prefixes)
        if kind == "start":
            if depth == 0 and not prepared.has_root:
                root_part, root_token = len(parts), len(prepared.offsets) - 1
                prepared.has_root = True
            depth += 0 if token["empty"] else 1
        elif kind == "end":
            depth -= 1
        parts.append(piece)
        length += len(piece)
        position = token.end()
        if prepared.has_root and depth <= 0:
            break  # the root closed: xml2js has answered and reads no further
    prepared.complete = position == len(source) or (prepared.has_root and depth <= 0)
    if not prepared.complete:
        prepared.offsets.append((length, position))
        parts.append(source[position:])
    if root_part >= 0:
        declared = _declare(parts[root_part], prefixes)
        shift = len(declared) - len(parts[root_part])
        parts[root_part] = declared
        prepared.offsets[root_token + 1 :] = [
            (at + shift, source_at) for at, source_at in prepared.offsets[root_token + 1 :]
        ]
    prepared.text = "".join(parts)
    return prepared


def _rewrite(
    kind: str | None,
    token: re.Match[str],
    depth: int,
    marker: str,
    prepared: Prepared,
    prefixes: set[str],
) -> str:
    if kind == "text":
        if depth <= 0:
            prepared.stray_text |= bool(token[0].strip(" \t\r\n"))
            return token[0]  # outside the root: only whitespace is XML, lxml checks
        text = _entities(token[0])
        if "\r" in text:
            text = text.replace("\r", "&#13;")
        return text.replace("]]>", "]]&gt;") if "]]>" in text else text
    if kind == "start":
        return _start_tag(token, prepared, prefixes)
    if kind == "doctype":
        raise DoctypeRefused("a DOCTYPE")
    if kind == "cdata":
        if depth <= 0:
            return _blank(token[0])  # sax takes CDATA before the root as text there: ignored
        if not token["cdata"]:
            return ""  # sax reports no empty section: xml2js does not mark the element
        body = token["cdata"].replace("\r", "]]>&#13;<![CDATA[")
        return f"<?{marker}?><![CDATA[{body}]]>"
    if kind == "pi" and token["target"].lower() == "xml":
        # sax reads the declaration as a processing instruction, wherever it is and however
        # written; libxml2 wants it first and lower-case. Blank (keeping line breaks, for error
        # positions) and decode as given.
        return _blank(token[0]) if depth <= 0 else ""
    return token[0]


def _blank(markup: str) -> str:
    return re.sub(r"[^\n]", " ", markup)


def _start_tag(token: re.Match[str], prepared: Prepared, prefixes: set[str]) -> str:
    name = token["name"]
    if ":" in name:
        _note_prefix(name, prefixes)
    if not token["attrs"]:
        prepared.elements.append(ElementFacts(name, ()))
        return token[0]
    names: list[str] = []
    written: list[str] = []
    for space, attribute, equals, quote, value in _ATTRIBUTE.findall(token["attrs"]):
        if attribute in names:
            continue  # sax keeps the first value of a repeated attribute
        names.append(attribute)
        if attribute == "xmlns" or attribute.startswith("xmlns:"):
            # Declarations become plain attributes (sax does not process namespaces, and
            # libxml2 refuses some, `xmlns:p=""`): their value comes back in order with the rest.
            attribute = f"{prepared.marker}-{len(names)}"
        else:
            _note_prefix(attribute, prefixes)
        written.append(f"{space}{attribute}{equals}{quote}{_attribute_value(value)}{quote}")
    prepared.elements.append(ElementFacts(name, tuple(names)))
    return f"<{name}{''.join(written)}{token['space']}{token['empty']}>"


def _attribute_value(value: str) -> str:
    value = _entities(value).replace("<", "&lt;")
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _entities(text: str) -> str:
    """Named and numeric references as sax reads them, written as decimal references (the
    invalid ones stay as they are, for lxml to refuse as sax does)."""
    if "&" not in text or not _FOREIGN_ENTITY.search(text):
        return text
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    name = match[1]
    if name.startswith("#"):
        digits = name[1:].lower()
        code = int(digits[1:], 16) if digits.startswith("x") else int(digits)
        return f"&#{code};" if code <= 0x10FFFF else match[0]
    code_point = _NAMED.get(name, _NAMED.get(name.lower()))
    return match[0] if code_point is None else f"&#{code_point};"


def _note_prefix(name: str, prefixes: set[str]) -> None:
    prefix, colon, _ = name.partition(":")
    if colon and prefix not in ("xml", "xmlns"):
        prefixes.add(prefix)


def _declare(root_tag: str, prefixes: set[str]) -> str:
    """The root's start tag with a placeholder declaration of each prefix the document uses
    (the document's own declarations are plain attributes now), so that no prefix is a
    namespace error."""
    if not prefixes:
        return root_tag
    extra = "".join(f' xmlns:{prefix}="{_PLACEHOLDER_NS}{prefix}"' for prefix in sorted(prefixes))
    end = len(root_tag) - (2 if root_tag.endswith("/>") else 1)
    return root_tag[:end] + extra + root_tag[end:]


def _unused_target(source: str) -> str:
    target, n = "automations-cdata", 0
    while target in source:
        n += 1
        target = f"automations-cdata-{n}"
    return target

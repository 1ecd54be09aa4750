"""XML text to JSON exactly as npm `xml2js` 0.6's `parseString` builds it (the product's
"XML → JSON" converter follows xml2js), with the options under xml2js's own names.

The shape, for the default options: the root element is the one key of the result; an element
becomes an object whose attributes sit under `$` and whose text sits under `_`, every child
element name holding an array of the children so named. An element with text only becomes that
text, an element with nothing in it `""` (its whitespace, if that is all it holds). Text is all
of an element's text joined (around its children, comments and processing instructions);
whitespace-only text is dropped unless it came in CDATA. Names are kept as written, namespace
prefixes and `xmlns` declarations included (xml2js does not resolve namespaces).

Options (`Xml2JsOptions`, xml2js's names and defaults):
- `attrkey` (`$`), `charkey` (`_`): the keys of the attributes and of the text;
- `explicitCharkey`: text goes under `charkey` even when the element has nothing else;
- `trim`: strip the text's leading and trailing whitespace; `normalize`: also turn each run of
  two or more whitespace characters into one space;
- `normalizeTags`: element names in lower case (attribute names are kept);
- `explicitRoot`: the result is `{root name: root}`, else the root itself;
- `emptyTag`: what an empty element becomes (`""` keeps the element's whitespace, as xml2js);
- `explicitArray`: children always in arrays, else an array only when a name repeats;
- `ignoreAttrs`: attributes dropped; `mergeAttrs`: attributes become keys of the element beside
  its children (in arrays when `explicitArray`).

Where xml2js's reading (the `sax` package) is looser than XML, the same looser reading is
given (see `xml2js_source`): HTML entities such as `&nbsp;`, line ends kept as written,
undeclared prefixes, anything after the root ignored, an empty text giving `None`. xml2js's
quirks are kept too: an element named like a JavaScript object member (`constructor`,
`toString`...) starts its array with `null`, a CDATA section before a child named `cdata`
shows up as `true` in that array.

On purpose unlike xml2js (the project's hardened parsing): a DOCTYPE is refused, characters XML
does not allow (control characters), names with two colons and elements nested more than 256
deep are errors, and `bytes` are
decoded by their byte order mark or declared encoding (xml2js would read every buffer as UTF-8).
Options xml2js itself trips over are refused: `attrkey` equal to `charkey`, or either named
`cdata`, `#name`, a JavaScript object member or an array index.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from automations.components.xml2js_source import DoctypeRefused, ElementFacts, Prepared, prepare
from automations.xml_guard import doctype_offset, hardened_parser


class Xml2JsError(ValueError):
    """The text is not XML xml2js would read (the message says where), or the options clash."""


# JavaScript's whitespace (`\s`, String.prototype.trim): xml2js tests and trims text with it.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_BLANK = re.compile(f"[{_JS_SPACE}]*")
_JS_RUN = re.compile(f"[{_JS_SPACE}]{{2,}}")
_JS_TRIM = re.compile(f"^[{_JS_SPACE}]+|[{_JS_SPACE}]+$")

# Members every JavaScript object inherits: xml2js's `key in obj` finds them, so the first child
# so named is pushed after the inherited value (a function: null in JSON; `__proto__`: {}).
_INHERITED: dict[str, Any] = {
    name: None
    for name in (
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    )
}
_INHERITED["__proto__"] = {}
_RESERVED_KEYS = frozenset(_INHERITED) | {"cdata", "#name"}
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_CDATA_FLAG = "cdata"  # the member xml2js marks an element with when it held CDATA
_DECLARED_ENCODING = re.compile(rb"^<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class Xml2JsOptions(BaseModel):
    """xml2js's parsing options that make sense for data (no functions); see the module
    docstring. An `emptyTag` array is not taken: xml2js would share and grow one array."""

    model_config = ConfigDict(extra="forbid")

    # (camelCase: xml2js's own names, as scenarios write them)
    attrkey: str = "$"
    charkey: str = "_"
    explicitCharkey: bool = False
    trim: bool = False
    normalize: bool = False
    normalizeTags: bool = False
    explicitRoot: bool = True
    emptyTag: str | bool | int | float | dict[str, Any] | None = ""
    explicitArray: bool = True
    ignoreAttrs: bool = False
    mergeAttrs: bool = False

    @field_validator("attrkey", "charkey")
    @classmethod
    def _usable_key(cls, key: str) -> str:
        # Keys xml2js itself trips over (it crashes or loses text) or that JavaScript would
        # order first (array indexes).
        if key in _RESERVED_KEYS or _ARRAY_INDEX.fullmatch(key):
            raise ValueError(f"{key!r} cannot be used as a key")
        return key

    @model_validator(mode="after")
    def _distinct_keys(self) -> Xml2JsOptions:
        if self.attrkey == self.charkey:
            raise ValueError("attrkey and charkey must differ")
        return self


def xml_to_json(text: str | bytes, options: Xml2JsOptions) -> Any:
    """The JSON value xml2js's `parseString(text, options)` gives; `None` for an empty text.

    Raises `Xml2JsError` when the text is not XML (naming the line and column), carries a
    DOCTYPE, or trips xml2js itself (an attribute merged under the `charkey` name)."""
    source = _decoded(text) if isinstance(text, bytes) else text
    if not _JS_TRIM.sub("", source):
        return None  # xml2js answers null for an empty or whitespace-only text
    source = source.removeprefix("\ufeff")
    try:
        prepared = prepare(source)
    except DoctypeRefused:
        raise Xml2JsError("XML with a DOCTYPE is refused") from None
    if prepared.complete and not prepared.has_root:
        if prepared.stray_text:
            raise Xml2JsError("the XML has text outside any element")
        return None  # only a declaration, comments or processing instructions
    root = _parse(prepared, source)
    value = _Builder(options, prepared).element(root, iter(prepared.elements))
    return {value[0]: value[1]} if options.explicitRoot else value[1]


def _decoded(data: bytes) -> str:
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARED_ENCODING.match(data.lstrip(b" \t\r\n"))
        encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    try:
        return data.decode(encoding)
    except LookupError:
        raise Xml2JsError(f"the XML declares an unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise Xml2JsError(
            f"the XML is not valid {encoding} text (byte {exc.start + 1} is not)"
        ) from None


def _parse(prepared: Prepared, source: str) -> etree._Element:
    try:
        encoded = prepared.text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Xml2JsError(
            f"the XML text holds a lone surrogate at character {exc.start + 1}"
        ) from None
    if doctype_offset(encoded) >= 0:  # (the scanner refuses one too; this is the guard's word)
        raise Xml2JsError("XML with a DOCTYPE is refused")
    try:
        # The text is a Python string we encoded: UTF-8, whatever its declaration said.
        return etree.fromstring(encoded, hardened_parser("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise Xml2JsError(_syntax_message(exc, prepared, source)) from None


def _syntax_message(exc: etree.XMLSyntaxError, prepared: Prepared, source: str) -> str:
    line, column = exc.position
    reason = re.sub(r", line \d+, column \d+$", "", exc.msg or "not well-formed")
    line, column = _source_position(prepared, source, line, column)
    if reason.startswith("Excessive depth"):  # (libxml2's limit, without its advice)
        return f"the XML nests elements more than 256 deep (at line {line}, column {column})"
    return f"the XML is not well-formed at line {line}, column {column}: {reason}"


def _source_position(prepared: Prepared, source: str, line: int, column: int) -> tuple[int, int]:
    """lxml's (line, column) in the prepared text, as a line and column of the source."""
    starts = [0] + [m.end() for m in re.finditer("\n", prepared.text)]
    if not 1 <= line <= len(starts):
        return line, column
    offset = prepared.source_offset(starts[line - 1] + max(column - 1, 0))
    offset = min(offset, len(source))
    source_line = source.count("\n", 0, offset) + 1
    return source_line, offset - (source.rfind("\n", 0, offset) + 1) + 1


class _Builder:
    """xml2js's object building, replayed over lxml's tree: each element starts as
    `{charkey: ""}` plus its attributes, gathers its text and children in document order, and
    is reduced when it closes."""

    def __init__(self, options: Xml2JsOptions, prepared: Prepared) -> None:
        self.options = options
        self.marker = prepared.marker

    def element(self, node: etree._Element, facts: Iterator[ElementFacts]) -> tuple[str, Any]:
        written = next(facts)
        charkey = self.options.charkey
        obj: dict[str, Any] = {charkey: ""}
        if written.attributes and not self.options.ignoreAttrs:
            self._attributes(obj, node, written)
        self._text(obj, node.text)
        for child in node:
            if isinstance(child.tag, str):
                name, value = self.element(child, facts)
                self._assign_or_push(obj, name, value)
            elif isinstance(child, etree._ProcessingInstruction) and child.target == self.marker:
                obj[_CDATA_FLAG] = True
            self._text(obj, child.tail)
        name = written.name.lower() if self.options.normalizeTags else written.name
        return name, self._closed(obj, name)

    def _attributes(self, obj: dict[str, Any], node: etree._Element, written: ElementFacts) -> None:
        values = node.attrib.values()  # (the prepared text's attributes, as written, in order)
        for name, value in zip(written.attributes, values, strict=True):
            if self.options.mergeAttrs:
                self._assign_or_push(obj, name, value)
            else:
                obj.setdefault(self.options.attrkey, {})[name] = value

    def _text(self, obj: dict[str, Any], text: str | None) -> None:
        if text:
            current = obj[self.options.charkey]
            obj[self.options.charkey] = (
                current + text if isinstance(current, str) else _js_string(current) + text
            )

    def _assign_or_push(self, obj: dict[str, Any], key: str, value: Any) -> None:
        if key in obj:
            if not isinstance(obj[key], list):
                obj[key] = [obj[key]]
            obj[key].append(value)
        elif key in _INHERITED:
            obj[key] = [copy.copy(_INHERITED[key]), value]
        else:
            obj[key] = [value] if self.options.explicitArray else value

    def _closed(self, obj: dict[str, Any], name: str) -> Any:
        options, charkey = self.options, self.options.charkey
        cdata = obj.get(_CDATA_FLAG) is True
        if cdata:
            del obj[_CDATA_FLAG]
        text = obj[charkey]
        if not isinstance(text, str):
            raise Xml2JsError(
                f"element <{name}> has an attribute or child named {charkey!r}, the charkey:"
                " its text has nowhere to go (choose another charkey)"
            )
        value: Any = obj
        empty_text = ""
        if _JS_BLANK.fullmatch(text) and not cdata:
            empty_text = text
            del obj[charkey]
        else:
            if options.trim:
                text = _JS_TRIM.sub("", text)
            if options.normalize:
                text = _JS_TRIM.sub("", _JS_RUN.sub(" ", text))
            obj[charkey] = text
            if len(obj) == 1 and not options.explicitCharkey:
                value = text
        if value == {}:
            empty = options.emptyTag
            value = copy.deepcopy(empty) if empty != "" else empty_text
        return value


def _js_string(value: Any) -> str:
    """JavaScript's String(value) for what can sit under a key xml2js appends text to."""
    if isinstance(value, list):
        return ",".join("" if item is None else _js_string(item) for item in value)
    if isinstance(value, dict):
        if "toString" in value:  # (its own toString, an array, is no function: JS throws)
            raise Xml2JsError(
                "an element's text collides with a child named like the charkey that holds"
                " a <toString> element: it cannot be made text (choose another charkey)"
            )
        return "[object Object]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

"""Read a BPMN file safely: size limit, no DTD, no entities, no network, then the BPMN XSD.

The file comes from whoever edits a scenario, so it is treated as hostile. Anything wrong at this
level (too big, not XML, a DOCTYPE, the wrong root, an XSD violation) becomes a `Problem` with a
line and an element; nothing here raises anything but `ScenarioInvalid`.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NoReturn, Protocol, cast

from lxml import etree

from automations.bpmn.errors import Problem, ScenarioInvalid
from automations.bpmn.model import AUTO_NS, BPMN_NS
from automations.xml_guard import doctype_offset, hardened_parser, prolog_view, unscannable_encoding

DEFINITIONS_TAG = f"{{{BPMN_NS}}}definitions"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_XSD_PROBLEMS = 50  # one broken construct can cascade; past this the list stops helping
NO_ELEMENT = "-"  # Problem.element for the file as a whole

_XSD_DIR = Path(__file__).with_name("xsd")
_NOT_XML = "not well-formed XML: the file does not start with '<'"
# Byte order marks, UTF-32 first (its little-endian mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How '<' (and '<?') look in UTF-16/32 without a mark (XML 1.0, appendix F).
_UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_DECLARED_ENCODING = re.compile(rb"\s*<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_DECLARATION_LABEL = re.compile(r"(\s*<\?xml\s[^>]*?\bencoding\s*=\s*[\"'])([^\"']*)([\"'])")
_PRETTY_NS = {BPMN_NS: "bpmn:", AUTO_NS: "auto:"}


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed, well-formed BPMN file whose root is `bpmn:definitions`."""

    file: str
    tree: etree._ElementTree

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()


def read_document(
    source: str | bytes | Path, *, file: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Parse `source` (a Path to read, XML bytes, or XML text) with every XML attack closed.

    Raises ScenarioInvalid with one problem when the file cannot be used at all.
    """
    name = file or (str(source) if isinstance(source, Path) else "<string>")
    data = _load_bytes(source, name, max_bytes)
    _refuse_doctype(data, name)
    tree = _parse(data, name, from_text=isinstance(source, str))
    _check_root(tree, name)
    return Document(name, tree)


class _XsdError(Protocol):
    """The parts of lxml's `_LogEntry` used here (lxml-stubs does not describe it)."""

    line: int
    message: str
    path: str | None


def xsd_problems(doc: Document) -> list[Problem]:
    """Validate against the BPMN 2.0 XSD; each error points at the nearest element with an id."""
    schema = _schema()
    with _SCHEMA_LOCK:
        if schema.validate(doc.tree):
            return []
        entries = list(cast(Iterable[_XsdError], schema.error_log))[:MAX_XSD_PROBLEMS]
    lines = _line_index(doc)  # built only when the file is invalid
    return [_xsd_problem(doc, entry, lines) for entry in entries]


def source_line(el: etree._Element) -> int:
    """The element's line in the file, 0 when lxml does not know it."""
    line: object = el.sourceline
    return line if isinstance(line, int) else 0


def document_text(data: bytes, *, file: str = "<string>") -> str:
    """The text of a BPMN file's bytes, read as the XML parser reads them: by its byte order
    mark, else by how its first '<' is encoded, else by its declared encoding, else as UTF-8.

    A declared encoding is made to say UTF-8: the text is kept, and served, as UTF-8 from then
    on. Raises ScenarioInvalid when the bytes are not text in that encoding.
    """
    codec, skip = _encoding_of(data)
    try:
        text = data[skip:].decode(codec)
    except (UnicodeDecodeError, LookupError):
        _fail(file, 1, f"the file is not valid {codec} text; save it as UTF-8")
    return _DECLARATION_LABEL.sub(_utf8_label, text, count=1)


def _encoding_of(data: bytes) -> tuple[str, int]:
    """The codec to read `data` with, and how many bytes of byte order mark to skip."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    for start, codec in _UNMARKED:
        if data.startswith(start):
            return codec, 0
    declared = _DECLARED_ENCODING.match(data)
    if declared is not None:
        return declared.group(1).decode("ascii", "replace"), 0
    return "utf-8", 0


def _utf8_label(found: re.Match[str]) -> str:
    return f"{found.group(1)}UTF-8{found.group(3)}"


def element_label(el: etree._Element) -> str:
    """The id a problem names: the element's own id, else the nearest ancestor's, else its tag."""
    node: etree._Element | None = el
    while node is not None:
        ident = node.get("id")
        if ident:
            return ident
        node = node.getparent()
    return etree.QName(el).localname


# -- reading -------------------------------------------------------------------------------


def _load_bytes(source: str | bytes | Path, name: str, max_bytes: int) -> bytes:
    if isinstance(source, Path):
        data = _read_file(source, name, max_bytes)
    elif isinstance(source, str):
        data = _encode_text(source, name)
    else:
        data = bytes(source)
    if len(data) > max_bytes:
        _fail(name, 1, f"file is larger than the {max_bytes} byte limit")
    if not data.strip():
        _fail(name, 1, "file is empty")
    return data


def _encode_text(text: str, name: str) -> bytes:
    stripped = text.lstrip()
    if stripped and not stripped.startswith(("<", "\ufeff<")):
        _fail(name, 1, _NOT_XML)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: no XML can hold them
        _fail(name, 1, "not XML: the text holds characters that are not Unicode scalars")


def _read_file(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        # Read one byte past the limit rather than trusting stat: /dev/zero has size 0.
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except OSError as exc:
        _fail(name, 0, f"cannot read the file: {exc.strerror or exc}")


def _refuse_doctype(data: bytes, name: str) -> None:
    """Refuse a DOCTYPE before lxml sees it: even with entities off, libxml2 expands internal
    entities inside attribute values, so a billion-laughs file must never reach the parser."""
    text = prolog_view(data)
    _check_encoding(text, name)
    at = doctype_offset(text)
    if at >= 0:
        line = text.count(b"\n", 0, at) + 1
        _fail(name, line, "DOCTYPE declarations are not allowed in a scenario; remove it")


def _check_encoding(text: bytes, name: str) -> None:
    if not text.lstrip(b" \t\r\n").startswith(b"<"):
        _fail(name, 1, _NOT_XML)
    label = unscannable_encoding(text)
    if label is not None:
        _fail(name, 1, f"encoding {label!r} is not supported; save the file as UTF-8")


def _parse(data: bytes, name: str, *, from_text: bool) -> etree._ElementTree:
    try:
        # Text was handed over as str: its encoding declaration no longer applies.
        root = etree.fromstring(data, hardened_parser("utf-8" if from_text else None))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        message = (exc.msg or "syntax error").splitlines()[0]
        _fail(name, max(line, 1), f"not well-formed XML: {_strip_location(message)}")
    except (ValueError, LookupError) as exc:  # e.g. an unknown declared encoding
        _fail(name, 1, f"not well-formed XML: {exc}")
    tree = root.getroottree()
    docinfo: object = tree.docinfo
    if getattr(docinfo, "doctype", "") or getattr(docinfo, "internalDTD", None) is not None:
        # Second line of defence: the prolog scan above should already have refused it.
        _fail(name, 1, "DOCTYPE declarations are not allowed in a scenario; remove it")
    return tree


def _strip_location(message: str) -> str:
    # libxml2 appends ", line N, column M"; the Problem already carries the line.
    return re.sub(r", line \d+, column \d+(?: \(.*\))?$", "", message)


def _check_root(tree: etree._ElementTree, name: str) -> None:
    root = tree.getroot()
    if root.tag == DEFINITIONS_TAG:
        return
    found = _pretty(str(root.tag))
    _fail(
        name,
        source_line(root) or 1,
        f"root element must be bpmn:definitions in namespace {BPMN_NS}, found {found}",
        element_label(root),
    )


def _fail(name: str, line: int, message: str, element: str = NO_ELEMENT) -> NoReturn:
    raise ScenarioInvalid([Problem(name, line, element, message)])


# -- XSD -----------------------------------------------------------------------------------


# lxml keeps the last validation's errors on the schema object itself: one validation at a time.
_SCHEMA_LOCK = threading.Lock()


@cache
def _schema() -> etree.XMLSchema:
    """The BPMN 2.0 schema, compiled once (~7 ms); its imports are the vendored local files."""
    parser = hardened_parser()
    return etree.XMLSchema(etree.parse(str(_XSD_DIR / "BPMN20.xsd"), parser))


def _xsd_problem(doc: Document, entry: _XsdError, lines: dict[int, etree._Element]) -> Problem:
    el = _element_at(doc, entry, lines)
    label = element_label(el if el is not None else doc.root)
    line = entry.line if entry.line > 0 else (source_line(el) if el is not None else 0) or 1
    return Problem(doc.file, line, label, f"not valid BPMN: {_xsd_message(entry.message)}")


def _element_at(
    doc: Document, entry: _XsdError, lines: dict[int, etree._Element]
) -> etree._Element | None:
    """The element an XSD error is about: by libxml2's node path, else the first on its line."""
    path = entry.path
    if path:
        namespaces = {k: v for k, v in doc.root.nsmap.items() if k}
        try:
            found = doc.tree.xpath(path, namespaces=namespaces)
        except etree.XPathError:
            found = None
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
    return lines.get(entry.line)


def _line_index(doc: Document) -> dict[int, etree._Element]:
    index: dict[int, etree._Element] = {}
    for el in doc.root.iter():
        if isinstance(el.tag, str):
            index.setdefault(source_line(el), el)
    return index


def _xsd_message(message: str) -> str:
    text = _pretty(message.strip())
    # Duplicate ids and ids like "1st" both surface as this type error; say what an id needs.
    text = text.replace(
        "is not a valid value of the atomic type 'xs:ID'",
        "is not a valid id (ids are unique in the file and start with a letter or _)",
    )
    # "Expected is one of ( a, b, ... )" can list dozens of names; keep the first few.
    match = re.search(r"Expected is (?:one of )?\( (.*) \)\.?$", text)
    if match:
        names = [n.strip() for n in match.group(1).split(",")]
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else ".")
        text = text[: match.start()] + f"Expected one of: {shown}"
    return " ".join(text.split())


def _pretty(text: str) -> str:
    for ns, prefix in _PRETTY_NS.items():
        text = text.replace(f"{{{ns}}}", prefix)
    return text

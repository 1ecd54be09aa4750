"""What kind of Office file a template is, checked before any library parses it.

A DOCX or XLSX file is a ZIP of XML parts, and both come from people we do not trust: before
python-docx or openpyxl sees one, every part is read here within a budget (a small ZIP may
inflate to gigabytes; the declared sizes bound what `zipfile` reads, so they are what is
counted) and every XML part is refused if it has a DOCTYPE (entities are the way to make a
small part explode or read local files, and no Office part needs one).
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from lxml import etree

from automations.xml_guard import doctype_offset, hardened_parser, prolog_view, unscannable_encoding

Kind = Literal["docx", "xlsx"]

MAX_PARTS = 5_000
MAX_INFLATED_BYTES = 100 * 1024 * 1024

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The main part's content type says what the package is (its extension need not).
_MAIN_TYPES: dict[str, Kind] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
}

MEDIA_TYPES: dict[Kind, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PackageInvalid(ValueError):
    """The file is not a DOCX or XLSX package this component will open (`message` says why)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def checked_kind(data: bytes, what: str) -> Kind:
    """`docx` or `xlsx` for a package that passed the checks; PackageInvalid naming `what`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise PackageInvalid(f"{what} is not a DOCX or XLSX file (not a ZIP package)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise PackageInvalid(f"{what} has more than {MAX_PARTS} parts")
        if sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
            raise PackageInvalid(f"{what} unpacks to more than {MAX_INFLATED_BYTES} bytes")
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _check_part(archive, member, what)
        return _kind(archive, what)


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, what: str) -> None:
    try:
        view = prolog_view(archive.read(member))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise PackageInvalid(f"{what}: part {member.filename} cannot be read ({exc})") from None
    if unscannable_encoding(view) is not None or doctype_offset(view) >= 0:
        raise PackageInvalid(
            f"{what}: part {member.filename} declares a DOCTYPE or an unusual encoding, "
            "which Office files never need"
        )


def _kind(archive: zipfile.ZipFile, what: str) -> Kind:
    try:
        types = etree.fromstring(archive.read("[Content_Types].xml"), hardened_parser())
    except (KeyError, etree.XMLSyntaxError):
        raise PackageInvalid(f"{what} is not a DOCX or XLSX file (no content types)") from None
    for override in types.iter(f"{_CT}Override"):
        kind = _MAIN_TYPES.get(override.get("ContentType", ""))
        if kind is not None:
            return kind
    raise PackageInvalid(f"{what} is not a DOCX or XLSX file")

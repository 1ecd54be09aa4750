"""A DOCX template filled with data (`document.generate`).

Word splits a paragraph's text into runs wherever formatting, spell checking or an edit
session changed, so `{{client.name}}` typed once may be stored as `{{cli` + `ent.na` + `me}}`.
Tags are found in the paragraph's text as a whole (its `w:t` elements in order, wherever they
sit: plain runs, hyperlinks, tracked insertions), and each tag's value is written into the `w:t`
where the tag starts: the text takes the formatting of the tag's first run, and the rest of the
tag is cut out of the runs it spread over, whose other text and formatting stay as they were.

Filled: the body, headers and footers, tables nested in tables, content controls and text
boxes (footnotes, endnotes and comments are left as they are). A table row whose tags run
into a list is repeated once per item (in place of the row); so is a paragraph outside such a
row (the first item of a bulleted list, say). A line break in a value becomes a line break in
the document.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from automations.components.template_tags import (
    Scope,
    Tag,
    ThroughList,
    find_tags,
    repeated_list,
    text_of,
    value_of,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _T, _TBL, _TR, _TC, _BR = (f"{_W}{name}" for name in ("p", "t", "tbl", "tr", "tc", "br"))
_SDT, _SDT_CONTENT, _TEXT_BOX = f"{_W}sdt", f"{_W}sdtContent", f"{_W}txbxContent"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

Element = Any  # lxml elements of python-docx's own classes


def fill_docx(template: bytes, data: dict[str, Any]) -> bytes:
    """The template with its tags filled from `data`; TemplateProblem names a tag and where."""
    document = docx.Document(io.BytesIO(template))
    scope = Scope(data)
    _fill_blocks(document.element.body, scope, "")
    for where, part in _header_footer_parts(document):
        _fill_blocks(part.element, scope, where)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _header_footer_parts(document: Any) -> Iterator[tuple[str, Any]]:
    seen: set[int] = set()
    numbers = {RT.HEADER: 0, RT.FOOTER: 0}
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in numbers or id(rel.target_part) in seen:
            continue
        seen.add(id(rel.target_part))
        numbers[rel.reltype] += 1
        kind = "header" if rel.reltype == RT.HEADER else "footer"
        yield f"{kind} {numbers[rel.reltype]}, ", rel.target_part


# ---------------------------------------------------------------------------------------------
# Blocks: paragraphs and tables, in the body, a cell, a header or a text box


def _blocks(container: Element) -> Iterator[Element]:
    """The paragraphs and tables of a container, content controls opened."""
    for child in container:
        if child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif child.tag in (_P, _TBL):
            yield child


def _fill_blocks(container: Element, scope: Scope, where: str) -> None:
    paragraphs = tables = 0
    for block in list(_blocks(container)):
        if block.tag == _P:
            paragraphs += 1
            _fill_paragraph_block(block, scope, f"{where}paragraph {paragraphs}")
        else:
            tables += 1
            _fill_table(block, scope, f"{where}table {tables}")


def _fill_paragraph_block(paragraph: Element, scope: Scope, where: str) -> None:
    texts = _own_texts(paragraph)
    tags = find_tags("".join(t.text or "" for t in texts), where)
    repeated = repeated_list(scope, tags, where)
    if repeated is None:
        _fill_paragraph(paragraph, scope, where)
        return
    for copy_of, item_scope in _copies(paragraph, repeated, scope):
        _fill_paragraph(copy_of, item_scope, where)


def _copies(
    element: Element, repeated: ThroughList, scope: Scope
) -> Iterator[tuple[Element, Scope]]:
    """A copy of `element` per item, in its place (none for an empty list: it goes)."""
    for number, item in enumerate(repeated.items, start=1):
        duplicate = copy.deepcopy(element)
        element.addprevious(duplicate)
        yield duplicate, scope.with_item(repeated.path, item, number)
    element.getparent().remove(element)


def _children(element: Element, tag: str) -> Iterator[Element]:
    """The `tag` children of an element, content controls around them opened."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)


def _fill_table(table: Element, scope: Scope, where: str) -> None:
    for number, row in enumerate(list(_children(table, _TR)), start=1):
        row_where = f"{where}, row {number}"
        tags = [tag for text in _row_texts(row, table) for tag in find_tags(text, row_where)]
        repeated = repeated_list(scope, tags, row_where)
        if repeated is None:
            _fill_row(row, scope, row_where)
            continue
        for copy_of, item_scope in _copies(row, repeated, scope):
            _fill_row(copy_of, item_scope, row_where)


def _row_texts(row: Element, table: Element) -> Iterator[str]:
    """The text of each paragraph of a row's cells (not of tables nested in them)."""
    for paragraph in row.iter(_P):
        if _nearest(paragraph, _TBL) is table:
            yield "".join(t.text or "" for t in _own_texts(paragraph))


def _fill_row(row: Element, scope: Scope, where: str) -> None:
    for number, cell in enumerate(list(_children(row, _TC)), start=1):
        _fill_blocks(cell, scope, f"{where}, cell {number}, ")


# ---------------------------------------------------------------------------------------------
# One paragraph's text


def _nearest(element: Element, tag: str) -> Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _own_texts(paragraph: Element) -> list[Element]:
    """The `w:t` elements of this paragraph, not of a text box's paragraphs inside it."""
    return [t for t in paragraph.iter(_T) if _nearest(t, _P) is paragraph]


def _fill_paragraph(paragraph: Element, scope: Scope, where: str) -> None:
    texts = _own_texts(paragraph)
    whole = "".join(t.text or "" for t in texts)
    tags = find_tags(whole, where)
    values = [text_of(value_of(scope, tag, where)) for tag in tags]
    spans: list[tuple[Element, int, int]] = []
    offset = 0
    for t in texts:
        length = len(t.text or "")
        spans.append((t, offset, offset + length))
        offset += length
    # From the last tag back, so that the offsets of the earlier ones still hold.
    for tag, value in reversed(list(zip(tags, values, strict=True))):
        _replace(spans, tag, value)
    for t in texts:
        if "\n" in (t.text or ""):
            _break_lines(t)
    for box in [b for b in paragraph.iter(_TEXT_BOX) if _nearest(b, _P) is paragraph]:
        _fill_blocks(box, scope, f"{where}, text box, ")


def _replace(spans: list[tuple[Element, int, int]], tag: Tag, value: str) -> None:
    first = True
    for t, start, end in spans:
        if end <= tag.start or start >= tag.end or (start == end):
            continue
        text = t.text or ""
        cut_from, cut_to = max(tag.start - start, 0), min(tag.end - start, len(text))
        t.text = text[:cut_from] + (value if first else "") + text[cut_to:]
        t.set(_XML_SPACE, "preserve")
        first = False


def _break_lines(t: Element) -> None:
    """Split a `w:t` holding line feeds into texts with `w:br` between them, in its run."""
    lines = (t.text or "").split("\n")
    t.text = lines[0]
    last = t
    for line in lines[1:]:
        br = etree.Element(_BR)
        following = etree.Element(_T)
        following.text = line
        following.set(_XML_SPACE, "preserve")
        last.addnext(br)
        br.addnext(following)
        last = following

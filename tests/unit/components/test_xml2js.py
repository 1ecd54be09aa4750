"""`xml_to_json` on its own (no Node): the shapes xml2js gives, its options, errors and limits.

The differential test against xml2js itself is `tests/conformance/test_xml2js_oracle.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from automations.components.xml2js import Xml2JsError, Xml2JsOptions, xml_to_json


def convert(xml: str | bytes, **options: Any) -> Any:
    return xml_to_json(xml, Xml2JsOptions(**options))


def test_default_shape_puts_children_in_arrays_and_attributes_under_dollar() -> None:
    xml = '<order id="7"><item sku="a">Tea</item><item sku="b"/><note>hi</note></order>'
    assert convert(xml) == {
        "order": {
            "$": {"id": "7"},
            "item": [{"_": "Tea", "$": {"sku": "a"}}, {"$": {"sku": "b"}}],
            "note": ["hi"],
        }
    }


def test_the_product_documentation_example() -> None:
    xml = "<CAT>\n  <NAME>Izzy</NAME>\n  <AGE>6</AGE>\n</CAT>"
    assert convert(xml, explicitArray=False) == {"CAT": {"NAME": "Izzy", "AGE": "6"}}


def test_text_is_joined_around_children_comments_and_instructions() -> None:
    assert convert("<p>a<b>x</b>b<!-- c -->c<?pi?>d</p>") == {"p": {"_": "abcd", "b": ["x"]}}


def test_whitespace_only_text_is_dropped_but_cdata_whitespace_is_kept() -> None:
    assert convert("<a>\n  <b/>\n</a>") == {"a": {"b": [""]}}
    assert convert("<a x='1'><![CDATA[  ]]></a>") == {"a": {"_": "  ", "$": {"x": "1"}}}


def test_an_empty_element_keeps_its_whitespace_unless_emptytag_says() -> None:
    assert convert("<a>  </a>") == {"a": "  "}
    assert convert("<a>  </a>", emptyTag=None) == {"a": None}


def test_trim_and_normalize_follow_javascript_whitespace() -> None:
    assert convert("<a>\u00a0 x \u3000</a>", trim=True) == {"a": "x"}
    # normalize collapses runs of two or more; a single line feed stays
    assert convert("<a>  x   y\nz </a>", normalize=True) == {"a": "x y\nz"}


def test_explicit_charkey_and_custom_keys() -> None:
    assert convert("<a>t</a>", explicitCharkey=True) == {"a": {"_": "t"}}
    assert convert("<a k='v'>t</a>", attrkey="@", charkey="#") == {"a": {"#": "t", "@": {"k": "v"}}}


def test_merge_attrs_puts_attributes_beside_children() -> None:
    xml = "<a id='1'><id>2</id></a>"
    assert convert(xml, mergeAttrs=True) == {"a": {"id": ["1", "2"]}}
    assert convert("<a id='1'/>", mergeAttrs=True, explicitArray=False) == {"a": {"id": "1"}}


def test_ignore_attrs_normalize_tags_and_explicit_root() -> None:
    assert convert("<A x='1'><B>t</B></A>", ignoreAttrs=True, normalizeTags=True) == {
        "a": {"b": ["t"]}
    }
    assert convert("<a>t</a>", explicitRoot=False) == "t"


def test_names_and_namespace_declarations_are_kept_as_written_in_order() -> None:
    xml = '<rss version="2.0" xmlns:atom="urn:a"><atom:link href="h"/></rss>'
    result = convert(xml)
    assert list(result["rss"]["$"]) == ["version", "xmlns:atom"]
    assert result["rss"]["atom:link"] == [{"$": {"href": "h"}}]
    assert convert("<ns2:r ns3:k='v'/>") == {"ns2:r": {"$": {"ns3:k": "v"}}}


def test_line_ends_tabs_and_html_entities_read_as_sax_reads_them() -> None:
    assert convert("<a v='x\ty\r\nz'>1\r\n2&nbsp;&laquo;</a>") == {
        "a": {"_": "1\r\n2\u00a0«", "$": {"v": "x\ty\r\nz"}}
    }


def test_what_follows_the_root_is_ignored_and_empty_texts_give_none() -> None:
    assert convert("<a/><b/>trailing") == {"a": ""}
    assert convert("  \n") is None
    assert convert("<?xml version='1.0'?><!-- only -->") is None


def test_javascript_member_names_start_their_array_with_null() -> None:
    assert convert("<a><constructor>x</constructor></a>", explicitArray=False) == {
        "a": {"constructor": [None, "x"]}
    }


def test_bytes_are_decoded_by_their_declaration() -> None:
    data = '<?xml version="1.0" encoding="windows-1251"?><a>Привет</a>'.encode("cp1251")
    assert convert(data) == {"a": "Привет"}
    assert convert("<a>é</a>".encode("utf-16")) == {"a": "é"}


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        ("<a>\n  <b>text</a>", "line 2, column 14"),
        ("<a>\n\r\n x\r\n &bad;</a>", "line 4, column 7"),
    ],
)
def test_malformed_xml_names_the_line_and_column_of_the_source(xml: str, where: str) -> None:
    with pytest.raises(Xml2JsError, match=where):
        convert(xml)


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
        "<?xml version='1.0'?>\n<!doctype a SYSTEM 'http://x/'><a/>",
    ],
)
def test_a_doctype_is_refused(xml: str) -> None:
    with pytest.raises(Xml2JsError, match="DOCTYPE is refused"):
        convert(xml)


def test_nesting_deeper_than_libxml2_allows_is_an_error_in_words() -> None:
    assert convert("<a>" * 256 + "</a>" * 256) is not None
    with pytest.raises(Xml2JsError, match="more than 256 deep"):
        convert("<a>" * 5000 + "</a>" * 5000)


def test_a_huge_attribute_expansion_cannot_happen() -> None:
    # (without a DTD no entity can be defined, so references stay errors)
    with pytest.raises(Xml2JsError, match="not well-formed"):
        convert("<a v='&lol9;'/>")


def test_an_attribute_named_like_the_charkey_is_an_error_as_in_xml2js() -> None:
    with pytest.raises(Xml2JsError, match="charkey"):
        convert("<a _='1'/>", mergeAttrs=True)


def test_bad_bytes_and_unknown_encodings_are_errors() -> None:
    with pytest.raises(Xml2JsError, match="not valid utf-8"):
        convert(b"<a>\xff</a>")
    with pytest.raises(Xml2JsError, match="unknown encoding 'klingon'"):
        convert(b"<?xml version='1.0' encoding='klingon'?><a/>")


@pytest.mark.parametrize(
    "options",
    [
        {"attrkey": "_"},
        {"charkey": "cdata"},
        {"attrkey": "constructor"},
        {"charkey": "0"},
        {"trims": True},
    ],
)
def test_options_xml2js_would_trip_over_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Xml2JsOptions(**options)


def test_empty_tag_objects_are_not_shared_between_elements() -> None:
    result = convert("<a><b/><c/></a>", emptyTag={}, explicitArray=False)
    result["a"]["b"]["changed"] = True
    assert result["a"]["c"] == {}

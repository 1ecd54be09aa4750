"""The `parse` component: JSONPath, XPath and regex, what each returns and how each fails."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from automations.components import parse as parse_module
from automations.components import registry
from automations.components.errors import ComponentFailed
from automations.components.parse import (
    MAX_DATA_BYTES,
    MAX_QUERY_CHARS,
    ParseInput,
    ParseResult,
    run,
)
from automations.components.registry import ComponentContext

BOOKS = {
    "store": {
        "book": [
            {"author": "Толстой", "title": "Война и мир", "price": 10},
            {"author": "Достоевский", "title": "Преступление и наказание", "price": 25},
        ]
    }
}

CATALOG_XML = """<?xml version="1.0" encoding="UTF-8"?>
<catalog>
  <item id="a1"><name>Чай</name><price>120</price></item>
  <item id="a2"><name>Кофе</name><price>300</price></item>
</catalog>"""


def parse(**inputs: Any) -> Any:
    return run(ParseInput(**inputs), ComponentContext()).value


def failure(**inputs: Any) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        run(ParseInput(**inputs), ComponentContext())
    return caught.value


# --- registration ------------------------------------------------------------------------


def test_parse_is_registered_with_its_contract() -> None:
    spec = registry.get("parse")
    assert spec.errors == ("parse.invalid_data", "parse.invalid_query", "parse.timeout")
    assert spec.input_names == {"data", "method", "query", "returns", "group"}
    assert spec.result_model is ParseResult


def test_unknown_input_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ParseInput(data="{}", query="$", pattern="x")  # type: ignore[call-arg]
    assert "pattern" in str(caught.value)


def test_negative_group_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ParseInput(data="x", method="regex", query="x", group=-1)
    assert "group" in str(caught.value)


# --- JSONPath ----------------------------------------------------------------------------


def test_jsonpath_all_returns_every_match_as_in_the_product_example() -> None:
    value = parse(data=BOOKS, query="$.store.book[*].author", returns="all")
    assert value == ["Толстой", "Достоевский"]


def test_jsonpath_is_the_default_method_and_first_the_default_choice() -> None:
    value = parse(data=BOOKS, query="$.store.book[*].author")
    assert value == "Толстой"


def test_jsonpath_last() -> None:
    value = parse(data=BOOKS, query="$.store.book[*].title", returns="last")
    assert value == "Преступление и наказание"


def test_jsonpath_over_json_text() -> None:
    value = parse(data='{"order": {"id": 42, "lines": [1, 2]}}', query="$.order.lines")
    assert value == [1, 2]


def test_jsonpath_filter_expression() -> None:
    value = parse(data=BOOKS, query="$.store.book[?(@.price > 20)].author", returns="all")
    assert value == ["Достоевский"]


def test_jsonpath_nothing_found_is_null_or_empty_list() -> None:
    first = parse(data=BOOKS, query="$.store.magazine")
    assert first is None
    everything = parse(data=BOOKS, query="$.store.magazine", returns="all")
    assert everything == []


def test_jsonpath_found_null_is_returned_as_null() -> None:
    value = parse(data={"a": None}, query="$.a", returns="all")
    assert value == [None]


def test_jsonpath_over_a_scalar_document() -> None:
    value = parse(data=5, query="$")
    assert value == 5


def test_jsonpath_invalid_json_text_is_invalid_data() -> None:
    error = failure(data="{not json", query="$.a")
    assert error.code == "parse.invalid_data"


def test_jsonpath_deeply_nested_json_is_invalid_data_not_a_crash() -> None:
    error = failure(data="[" * 200_000 + "]" * 200_000, query="$")
    assert error.code == "parse.invalid_data"


def test_jsonpath_bad_query_is_invalid_query() -> None:
    error = failure(data=BOOKS, query="$.store.book[")
    assert error.code == "parse.invalid_query"
    assert "$.store.book[" in error.message


# --- XPath -------------------------------------------------------------------------------


def test_xpath_text_nodes() -> None:
    value = parse(data=CATALOG_XML, method="xpath", query="//item/name/text()", returns="all")
    assert value == ["Чай", "Кофе"]


def test_xpath_attribute_last() -> None:
    value = parse(data=CATALOG_XML, method="xpath", query="//item/@id", returns="last")
    assert value == "a2"


def test_xpath_element_is_returned_as_markup() -> None:
    value = parse(data=CATALOG_XML, method="xpath", query="//item[@id='a1']/price")
    assert value == "<price>120</price>"


def test_xpath_number_and_boolean_results() -> None:
    count = parse(data=CATALOG_XML, method="xpath", query="count(//item)")
    assert count == 2
    average = parse(data=CATALOG_XML, method="xpath", query="sum(//price) div 3")
    assert average == 140
    cheap = parse(data=CATALOG_XML, method="xpath", query="//price < 200")
    assert cheap is True


def test_xpath_nothing_found() -> None:
    value = parse(data=CATALOG_XML, method="xpath", query="//nothing", returns="all")
    assert value == []


def test_xpath_uses_the_documents_namespace_prefixes() -> None:
    data = '<r:root xmlns:r="urn:x"><r:v>1</r:v></r:root>'
    value = parse(data=data, method="xpath", query="/r:root/r:v/text()")
    assert value == "1"


def test_xpath_ignores_a_declared_encoding_of_text_already_decoded() -> None:
    data = '<?xml version="1.0" encoding="windows-1251"?><a>Привет</a>'
    value = parse(data=data, method="xpath", query="/a/text()")
    assert value == "Привет"


def test_xpath_malformed_xml_is_invalid_data() -> None:
    error = failure(data="<a><b></a>", method="xpath", query="//b")
    assert error.code == "parse.invalid_data"


def test_xpath_json_value_is_invalid_data() -> None:
    error = failure(data={"a": 1}, method="xpath", query="//a")
    assert error.code == "parse.invalid_data"


def test_xpath_doctype_is_refused() -> None:
    data = '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'
    error = failure(data=data, method="xpath", query="/a/text()")
    assert error.code == "parse.invalid_data"
    assert "DOCTYPE" in error.message


def test_xpath_doctype_is_refused_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # libxml2 expands internal entities in attribute values even with entities off.
    laughs = '<!ENTITY a "xxxxxxxxxx">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(4)
    )
    data = f'<?xml version="1.0"?><!-- x --><!DOCTYPE r [{laughs}]><r v="&e;"/>'

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the document reached the parser")

    monkeypatch.setattr(parse_module.etree, "fromstring", never)
    error = failure(data=data, method="xpath", query="/r/@v")
    assert error.code == "parse.invalid_data"
    assert "DOCTYPE" in error.message


def test_xpath_external_entity_is_never_read() -> None:
    data = '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>'
    error = failure(data=data, method="xpath", query="/a/text()")
    assert error.code == "parse.invalid_data"
    assert "root:" not in error.message


def test_xpath_undefined_entity_is_invalid_data() -> None:
    error = failure(data="<a>&nbsp;</a>", method="xpath", query="/a")
    assert error.code == "parse.invalid_data"


def test_xpath_bad_syntax_is_invalid_query() -> None:
    error = failure(data=CATALOG_XML, method="xpath", query="//item[")
    assert error.code == "parse.invalid_query"


def test_xpath_unknown_prefix_is_invalid_query() -> None:
    error = failure(data=CATALOG_XML, method="xpath", query="//x:item")
    assert error.code == "parse.invalid_query"


# --- regex -------------------------------------------------------------------------------


def test_regex_group_as_in_the_product_example() -> None:
    value = parse(data="Ваш заказ №12345 подтверждён", method="regex", query="/№(\\d+)/", group=1)
    assert value == "12345"


def test_regex_plain_pattern_whole_match() -> None:
    value = parse(data="a1 b22 c333", method="regex", query=r"\d+", returns="all")
    assert value == ["1", "22", "333"]


def test_regex_last() -> None:
    value = parse(data="a1 b22 c333", method="regex", query=r"[a-z](\d+)", returns="last", group=1)
    assert value == "333"


def test_regex_flags_in_delimited_form() -> None:
    data = "Total: 10\nTOTAL: 20"
    value = parse(data=data, method="regex", query="/^total: (\\d+)$/gim", group=1, returns="all")
    assert value == ["10", "20"]


def test_regex_group_that_did_not_take_part_is_null() -> None:
    value = parse(data="ab", method="regex", query="a(x)?b", group=1, returns="all")
    assert value == [None]


def test_regex_nothing_found() -> None:
    first = parse(data="abc", method="regex", query=r"\d")
    assert first is None
    everything = parse(data="abc", method="regex", query=r"\d", returns="all")
    assert everything == []


def test_regex_over_a_json_value_searches_its_json_text() -> None:
    value = parse(data={"phone": "+7 900 123"}, method="regex", query=r"\+\d[\d ]+")
    assert value == "+7 900 123"


def test_regex_slash_without_known_flags_is_a_plain_pattern() -> None:
    value = parse(data="path /a/b here", method="regex", query="/a/b")
    assert value == "/a/b"


def test_regex_bad_pattern_is_invalid_query() -> None:
    error = failure(data="abc", method="regex", query="(unclosed")
    assert error.code == "parse.invalid_query"


def test_regex_missing_group_is_invalid_query() -> None:
    error = failure(data="abc", method="regex", query="(a)", group=2)
    assert error.code == "parse.invalid_query"
    assert "1 group" in error.message


def test_regex_that_backtracks_catastrophically_fails_at_its_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parse_module, "REGEX_SECONDS", 0.2)
    error = failure(data="a" * 40 + "!", method="regex", query="/^(a|aa)+$/", returns="all")
    assert error.code == "parse.timeout"
    assert "0.2 s" in error.message


# --- limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["jsonpath", "xpath", "regex"])
def test_data_over_the_size_limit_is_invalid_data(method: str) -> None:
    error = failure(data="x" * (MAX_DATA_BYTES + 1), method=method, query="$")
    assert error.code == "parse.invalid_data"
    assert str(MAX_DATA_BYTES) in error.message


def test_size_limit_counts_utf8_bytes() -> None:
    error = failure(data="я" * (MAX_DATA_BYTES // 2 + 1), method="regex", query="x")
    assert error.code == "parse.invalid_data"


def test_query_over_the_length_limit_is_invalid_query() -> None:
    error = failure(data="abc", method="regex", query="a" * (MAX_QUERY_CHARS + 1))
    assert error.code == "parse.invalid_query"

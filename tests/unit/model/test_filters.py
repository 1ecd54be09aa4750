from __future__ import annotations

import pytest

from automations.model.catalog import Catalog, CatalogField, FieldType
from automations.model.errors import FilterInvalid
from automations.model.filter_parse import FilterContext, parse_filters, search_text_filter
from automations.model.filters import (
    AllOf,
    AnyOf,
    ContactContains,
    HasAny,
    IdIn,
    InRange,
    IsEmpty,
    LinksAny,
    OneOf,
    TextContains,
    matches,
)

CATALOG = Catalog(
    id="21",
    name="Deals",
    fields=[
        CatalogField(id="2", type=FieldType.TEXT),
        CatalogField(id="3", type=FieldType.NUMBER),
        CatalogField(id="4", type=FieldType.DATE),
        CatalogField(id="5", type=FieldType.DROPDOWN),
        CatalogField(id="6", type=FieldType.CONTACT),
        CatalogField(id="7", type=FieldType.USER),
        CatalogField(id="8", type=FieldType.OBJECT),
        CatalogField(id="9", type=FieldType.FILE),
        CatalogField(id="10", type=FieldType.ADDRESS),
        CatalogField(id="11", type=FieldType.STARS),
    ],
)


def test_array_format_means_all_of() -> None:
    raw = [
        {
            "fieldId": "4",
            "value": {"at": "2015-10-27T00:00:00+03:00", "to": "2015-11-19T23:59:59+03:00"},
        },
        {
            "fieldId": "8",
            "value": [{"catalogId": "18", "recordId": "9"}, {"catalogId": 18, "recordId": 10}],
        },
    ]
    expr = parse_filters(CATALOG, raw)
    assert expr == AllOf(
        (
            InRange("4", "2015-10-26T21:00:00.000Z", "2015-11-19T20:59:59.000Z"),
            LinksAny("8", (("18", "9"), ("18", "10"))),
        )
    )


def test_object_format_with_or_and_and_per_field() -> None:
    raw = {"$or": [{"2": "Ива"}, {"5": {"$and": [["1"], ["2"]]}}], "3": {"at": 10}}
    expr = parse_filters(CATALOG, raw)
    assert expr == AllOf(
        (
            AnyOf(
                (
                    AllOf((TextContains("2", "Ива"),)),
                    AllOf((AllOf((HasAny("5", ("1",)), HasAny("5", ("2",)))),)),
                )
            ),
            InRange("3", 10.0, None),
        )
    )


def test_bare_dates_are_whole_local_days() -> None:
    expr = parse_filters(
        CATALOG,
        {"4": {"at": "2024-01-01", "to": "2024-01-31"}},
        FilterContext(timezone_offset_minutes=180),
    )
    assert expr == AllOf((InRange("4", "2023-12-31T21:00:00.000Z", "2024-01-31T20:59:59.999Z"),))


def test_null_date_and_current_user() -> None:
    expr = parse_filters(
        CATALOG, {"4": "NULL_DATE", "7": ["21", "CURRENT_USER"]}, FilterContext(user_id="5")
    )
    assert expr == AllOf((IsEmpty("4"), HasAny("7", ("21", "5"), key="id")))


def test_numbers_from_query_strings_and_contact_and_address() -> None:
    expr = parse_filters(CATALOG, {"3": "42", "6": "7926", "10": "Моск", "11": ["4", 5]})
    assert expr == AllOf(
        (
            OneOf("3", (42.0,)),
            ContactContains("6", "7926"),
            TextContains("10", "Моск", key="value"),
            OneOf("11", (4.0, 5.0)),
        )
    )


@pytest.mark.parametrize(
    ("raw", "field_id"),
    [
        ({"99": "x"}, "99"),
        ({"9": "x"}, "9"),
        ({"3": {"from": 1}}, "3"),
        ({"3": "many"}, "3"),
        ({"4": {"at": "not a date"}}, "4"),
        ({"8": [{"catalogId": "18", "filters": [{"fieldId": 5, "value": 5}]}]}, "8"),
    ],
)
def test_bad_filters_name_the_field(raw: object, field_id: str) -> None:
    with pytest.raises(FilterInvalid) as caught:
        parse_filters(CATALOG, raw)
    assert caught.value.field_id == field_id


def test_filters_must_be_array_or_object_and_bounded() -> None:
    with pytest.raises(FilterInvalid):
        parse_filters(CATALOG, "2=x")
    deep: object = {"2": "x"}
    for _ in range(20):
        deep = {"$or": [deep]}
    with pytest.raises(FilterInvalid):
        parse_filters(CATALOG, deep)


def test_search_text_covers_text_contact_and_address() -> None:
    expr = search_text_filter(CATALOG, "abc")
    assert expr == AnyOf(
        (
            TextContains("2", "abc"),
            ContactContains("6", "abc"),
            TextContains("10", "abc", key="value"),
        )
    )


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (TextContains("2", "иВА"), True),
        (TextContains("2", "x"), False),
        (ContactContains("6", "8901 234"), True),
        (InRange("3", 10, 40), True),
        (InRange("3", 34, None), False),
        (InRange("4", "2015-11-06T00:00:00.000Z", "2015-11-07T00:00:00.000Z"), True),
        (InRange("4", 1, 2), False),
        (OneOf("3", (33.0,)), True),
        (HasAny("5", ("2", "9")), True),
        (HasAny("7", ("1",), key="id"), True),
        (LinksAny("8", (("5", "33"),)), True),
        (LinksAny("8", (("5", "34"),)), False),
        (IsEmpty("9"), True),
        (IsEmpty("2"), False),
        (IdIn(("1", "30991")), True),
        (AnyOf(()), False),
        (AllOf(()), True),
        (TextContains("10", "моск", key="value"), True),
        (TextContains("2", "ив", key="value"), False),
    ],
)
def test_python_meaning(expr: object, expected: bool) -> None:
    values = {
        "2": "Иван",
        "3": 33,
        "4": "2015-11-06T21:00:00.000Z",
        "5": ["1", "2"],
        "6": [{"contact": "8-901-234-56-78", "comment": ""}],
        "7": [{"id": "1"}],
        "8": [{"catalogId": "5", "recordId": "33"}],
        "9": [],
        "10": {"value": "г Москва", "provider": None, "data": {}},
    }
    assert matches(expr, "30991", values) is expected  # type: ignore[arg-type]

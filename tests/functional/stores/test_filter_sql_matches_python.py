"""Every adapter's `find` selects exactly what the Python reference (`filters.matches`) selects:
SQLite through its SQL compilation of each kind of filter, DynamoDB by filtering what it read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from automations.model.catalog import Catalog
from automations.model.filter_parse import FilterContext, parse_filters, search_text_filter
from automations.model.filters import FilterExpr, IdIn, IsEmpty, matches
from automations.model.record import Record, RecordQuery
from automations.ports import RecordStore

RECORDS: list[dict[str, Any]] = [
    {
        "1": "Иван Петров",
        "2": 100,
        "3": "2024-01-15T10:00:00.000Z",
        "4": ["1", "2"],
        "5": [{"contact": "+7 (926) 123-45-67", "comment": ""}],
        "6": [{"id": "1"}],
        "7": [{"catalogId": "5", "recordId": "33"}],
        "8": {"value": "г Москва, Кремлёвская наб", "provider": "dadata", "data": {}},
        "9": 5,
    },
    {
        "1": "ПЁТР",
        "2": 2.5,
        "3": "2024-02-01T00:00:00.000Z",
        "4": ["3"],
        "6": [{"id": "2"}, {"id": "3"}],
        "9": 1,
    },
    {
        "1": "",
        "2": None,
        "4": [],
        "5": [],
        "7": [{"catalogId": "5", "recordId": "34"}, {"catalogId": "6", "recordId": "33"}],
    },
    {
        "1": "ivan",
        "2": -7,
        "3": None,
        "5": [{"contact": "ivan@example.com", "comment": "work"}],
        "9": 0,
    },
    {},
]

FILTERS: list[Any] = [
    {"1": "иван"},
    {"1": "Пётр"},
    {"1": None},
    {"2": {"at": 0, "to": 100}},
    {"2": {"to": "3"}},
    {"2": 100},
    {"2": None},
    {"3": {"at": "2024-01-01", "to": "2024-01-31"}},
    {"3": "NULL_DATE"},
    {"3": {"at": "2024-01-15T13:00:00+03:00"}},
    {"4": ["2", "3"]},
    {"4": {"$and": [["1"], ["2"]]}},
    {"4": None},
    {"5": "926123"},
    {"5": "EXAMPLE"},
    {"6": ["3"]},
    {"6": ["CURRENT_USER"]},
    {"7": [{"catalogId": "5", "recordId": "33"}]},
    {"7": [{"catalogId": 6, "recordId": 33}, {"catalogId": "5", "recordId": "34"}]},
    {"8": "кремлёвская"},
    {"9": [5, 0]},
    {"9": {"at": 1}},
    {"$or": [{"1": "ivan"}, {"2": {"at": 50}}]},
    {"$and": [{"1": "иван"}, {"4": ["1"]}], "9": [5]},
    {"1": {"$or": ["пётр", "ivan"]}},
    [{"fieldId": "2", "value": {"at": "-10", "to": "10"}}, {"fieldId": "1", "value": "i"}],
]


@pytest.fixture
def loaded(
    record_store: RecordStore, catalog: Catalog, put: Callable[[dict[str, Any]], Record]
) -> tuple[Any, RecordStore, list[str]]:
    ids = [put(values).id for values in RECORDS]
    return catalog, record_store, ids


def _both(
    catalog: Any, store: RecordStore, ids: list[str], expr: FilterExpr
) -> tuple[list[str], list[str]]:
    by_sql = sorted(r.id for r in store.find(catalog.id, RecordQuery(where=expr, limit=1000)))
    by_python = sorted(
        i for i, values in zip(ids, RECORDS, strict=True) if matches(expr, i, values)
    )
    return by_sql, by_python


@pytest.mark.parametrize("raw", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_sql_equals_python(loaded: tuple[Any, RecordStore, list[str]], raw: Any) -> None:
    catalog, store, ids = loaded
    expr = parse_filters(catalog, raw, FilterContext(user_id="3", timezone_offset_minutes=180))
    by_sql, by_python = _both(catalog, store, ids, expr)
    assert by_sql == by_python


def test_sql_equals_python_for_search_ids_and_empty(
    loaded: tuple[Any, RecordStore, list[str]],
) -> None:
    catalog, store, ids = loaded
    for expr in (search_text_filter(catalog, "ИВАН"), IdIn((ids[1], "999", "x")), IsEmpty("7")):
        by_sql, by_python = _both(catalog, store, ids, expr)
        assert by_sql == by_python


def test_filters_select_something(loaded: tuple[Any, RecordStore, list[str]]) -> None:
    # Guards the equivalence test against passing because both sides select nothing.
    catalog, store, ids = loaded
    sizes = [
        len(_both(catalog, store, ids, parse_filters(catalog, raw, FilterContext(user_id="3")))[0])
        for raw in FILTERS
    ]
    assert sum(1 for size in sizes if 0 < size < len(RECORDS)) >= len(FILTERS) - 3

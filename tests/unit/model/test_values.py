from __future__ import annotations

from typing import Any

import pytest

from automations.model.catalog import Catalog, CatalogField, FieldType
from automations.model.errors import ValuesInvalid
from automations.model.values import VALIDATORS, validate_values


def _catalog(*fields: CatalogField) -> Catalog:
    return Catalog(id="1", name="C", fields=list(fields))


def _field(field_type: FieldType, **extra: Any) -> CatalogField:
    return CatalogField(id="2", name="F", type=field_type, **extra)


def test_every_field_type_has_a_validator() -> None:
    missing = set(FieldType) - set(VALIDATORS)
    assert missing == set()


@pytest.mark.parametrize(
    ("field_type", "config", "value", "stored"),
    [
        (FieldType.TEXT, {}, "Иван", "Иван"),
        (FieldType.NUMBER, {}, 3.2, 3.2),
        (FieldType.NUMBER, {}, -7, -7),
        (FieldType.DATE, {}, "2015-11-06T21:00:00.000Z", "2015-11-06T21:00:00.000Z"),
        (FieldType.DATE, {}, "2015-11-07T00:00:00+03:00", "2015-11-06T21:00:00.000Z"),
        (FieldType.DATE, {}, "2024-03-19", "2024-03-19T00:00:00.000Z"),
        (FieldType.DROPDOWN, {"items": [{"id": "1"}, {"id": "2"}]}, ["1", 2], ["1", "2"]),
        (FieldType.CHECKBOXES, {}, ["3", "3"], ["3"]),
        (FieldType.RADIOBUTTON, {}, 2, ["2"]),
        (FieldType.PROGRESS, {}, 28, 28),
        (FieldType.STARS, {}, 5, 5),
        (FieldType.STARS, {}, 4.0, 4),
        (
            FieldType.CONTACT,
            {},
            [{"contact": "8-901", "comment": "main", "x": 1}],
            [{"contact": "8-901", "comment": "main"}],
        ),
        (FieldType.USER, {}, [{"id": "1", "title": "V"}, {"id": 2}], [{"id": "1"}, {"id": "2"}]),
        (
            FieldType.OBJECT,
            {"catalogs": [{"id": "5"}]},
            [{"catalogId": 5, "recordId": "33", "recordTitle": "x"}],
            [{"catalogId": "5", "recordId": "33"}],
        ),
        (
            FieldType.FILE,
            {},
            [{"id": 96}, {"src": "https://a.example/x.png", "title": "x", "mimeType": "image/png"}],
            [
                {"id": "96"},
                {"src": "https://a.example/x.png", "title": "x", "mimeType": "image/png"},
            ],
        ),
        (
            FieldType.ADDRESS,
            {},
            {"value": "Москва", "provider": "dadata", "data": {"geo_lat": "55.7"}},
            {"value": "Москва", "provider": "dadata", "data": {"geo_lat": "55.7"}},
        ),
    ],
)
def test_valid_values_are_stored_in_canonical_form(
    field_type: FieldType, config: dict[str, Any], value: Any, stored: Any
) -> None:
    clean = validate_values(_catalog(_field(field_type, config=config)), {"2": value})
    assert clean == {"2": stored}


@pytest.mark.parametrize(
    ("field_type", "config", "value", "code"),
    [
        (FieldType.TEXT, {}, 5, "wrong_type"),
        (FieldType.NUMBER, {}, "5", "wrong_type"),
        (FieldType.NUMBER, {}, True, "wrong_type"),
        (FieldType.NUMBER, {}, float("inf"), "wrong_type"),
        (FieldType.DATE, {}, "yesterday", "wrong_type"),
        (FieldType.DATE, {}, 20151106, "wrong_type"),
        (FieldType.DROPDOWN, {"items": [{"id": "1"}]}, ["7"], "unknown_choice"),
        (FieldType.CHECKBOXES, {}, [{"id": "1"}], "wrong_type"),
        (FieldType.RADIOBUTTON, {}, ["1", "2"], "too_many"),
        (FieldType.PROGRESS, {}, 101, "out_of_range"),
        (FieldType.STARS, {}, 6, "out_of_range"),
        (FieldType.STARS, {}, 2.5, "wrong_type"),
        (FieldType.CONTACT, {}, [{"comment": "no contact"}], "wrong_type"),
        (FieldType.CONTACT, {}, "8-901", "wrong_type"),
        (FieldType.USER, {}, [{"id": "abc"}], "wrong_type"),
        (FieldType.USER, {"multiselect": False}, [{"id": "1"}, {"id": "2"}], "too_many"),
        (
            FieldType.OBJECT,
            {"catalogs": [{"id": "5"}]},
            [{"catalogId": "6", "recordId": "1"}],
            "wrong_catalog",
        ),
        (FieldType.OBJECT, {}, [{"catalogId": "6"}], "wrong_type"),
        (FieldType.FILE, {}, [{"src": "file:///etc/passwd", "title": "x"}], "wrong_type"),
        (FieldType.FILE, {}, [{"title": "nothing"}], "wrong_type"),
        (FieldType.ADDRESS, {}, "Москва", "wrong_type"),
        (FieldType.GROUP, {}, "x", "not_writable"),
        (FieldType.BUTTON, {}, True, "not_writable"),
        (FieldType.TEXT, {}, [1] * 0 + ["x"], "wrong_type"),
    ],
)
def test_wrong_values_name_the_field(
    field_type: FieldType, config: dict[str, Any], value: Any, code: str
) -> None:
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(_catalog(_field(field_type, config=config)), {"2": value})
    assert (caught.value.field_id, caught.value.problems[0].code) == ("2", code)


def test_unknown_field_is_named() -> None:
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(_catalog(_field(FieldType.TEXT)), {"2": "ok", "99": "x"})
    assert caught.value.field_id == "99"
    assert "field 99" in str(caught.value)


def test_every_problem_is_listed() -> None:
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(_catalog(_field(FieldType.NUMBER)), {"2": "x", "3": 1})
    assert [p.field_id for p in caught.value.problems] == ["2", "3"]


def test_null_clears_any_field() -> None:
    clean = validate_values(_catalog(_field(FieldType.DATE)), {"2": None})
    assert clean == {"2": None}


def test_required_field_missing_on_a_complete_record() -> None:
    catalog = _catalog(_field(FieldType.TEXT, required=True))
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(catalog, {}, complete=True)
    assert caught.value.problems[0].code == "required"


def test_required_field_may_be_left_out_of_a_change_but_not_emptied() -> None:
    catalog = _catalog(
        _field(FieldType.TEXT, required=True), CatalogField(id="3", name="n", type=FieldType.NUMBER)
    )
    assert validate_values(catalog, {"3": 1}) == {"3": 1}
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(catalog, {"2": ""})
    assert caught.value.problems[0].code == "required"


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        (FieldType.TEXT, "\u0000"),
        (FieldType.TEXT, "before\u0000after"),
        (FieldType.CONTACT, [{"contact": "8-901", "comment": "a\u0000"}]),
        (FieldType.FILE, [{"src": "https://a.example/x", "title": "x\u0000.png"}]),
        (FieldType.ADDRESS, {"value": "Москва", "data": {"k\u0000": "v"}}),
        (FieldType.ADDRESS, {"value": "Москва", "data": {"deep": [[{"x": "\u0000"}]]}}),
    ],
)
def test_nul_in_any_text_of_a_value_is_refused_naming_the_field(
    field_type: FieldType, value: Any
) -> None:
    with pytest.raises(ValuesInvalid) as caught:
        validate_values(_catalog(_field(field_type)), {"2": value})
    problem = caught.value.problems[0]
    assert (caught.value.field_id, problem.code) == ("2", "nul_character")
    assert "NUL character (U+0000)" in problem.message


def test_other_control_characters_are_kept() -> None:
    assert validate_values(_catalog(_field(FieldType.TEXT)), {"2": "a\tb\u0001"}) == {
        "2": "a\tb\u0001"
    }

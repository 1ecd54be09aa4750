"""`sql.query`'s placeholders: found where the server would see them, left alone inside literals,
names and comments, and written in each driver's style (the values bound, never spliced)."""

from __future__ import annotations

import pytest

from automations.components.sql_placeholders import PlaceholderMissing, template_of


def test_named_and_variable_placeholders_in_pyformat() -> None:
    template = template_of(
        "select * from t where a > :min_id and b = ${minId} and c = :min_id",
        "postgresql",
        "pyformat",
    )
    assert template.text == "select * from t where a > %(p0)s and b = %(p1)s and c = %(p2)s"
    assert template.bind({"min_id": 3, "minId": "x"}) == {"p0": 3, "p1": "x", "p2": 3}


def test_qmark_binds_by_position() -> None:
    template = template_of("select :a, ${b}, :a", "sqlite", "qmark")
    assert template.text == "select ?, ?, ?"
    assert template.bind({"a": 1, "b": None}) == [1, None, 1]


@pytest.mark.parametrize(
    ("query", "dialect"),
    [
        ("select '10:30 :x ${x}' as t", "postgresql"),
        ("select x::int from t -- :x ${x}\n", "postgresql"),
        ("select 1 /* :x /* nested :y */ ${x} */", "postgresql"),
        ("select $$ :x ${x} $$, $tag$ :y $tag$", "postgresql"),
        ("select E'it\\'s :x' as t", "postgresql"),
        ('select "col:x" from t', "postgresql"),
        ("select 'it\\'s :x' # :y\n", "mysql"),
        ("select `a:b` from t", "mysql"),
        ("select [col:x] from t", "mssql"),
        ("select 'a'':x' from t", "sqlite"),
    ],
)
def test_no_placeholder_inside_literals_names_and_comments(query: str, dialect: str) -> None:
    template = template_of(query, dialect, "qmark")
    assert template.placeholders == ()
    assert template.text == query


def test_a_word_before_a_colon_is_no_placeholder() -> None:
    template = template_of("select arr[1:2], a:b, @v := 1", "mysql", "qmark")
    assert template.placeholders == ()


def test_percent_is_doubled_for_pyformat_only() -> None:
    assert template_of("select '%' || :a", "postgresql", "pyformat").text == (
        "select '%%' || %(p0)s"
    )
    assert template_of("select '%' || :a", "sqlite", "qmark").text == "select '%' || ?"


def test_a_quoted_variable_becomes_a_text_parameter() -> None:
    template = template_of(
        "select * from t where name = '${name}' and n = '${n}'", "mysql", "pyformat"
    )
    assert template.text == "select * from t where name = %(p0)s and n = %(p1)s"
    assert template.bind({"name": "O'Brien", "n": 5}) == {"p0": "O'Brien", "p1": "5"}


def test_dotted_variables_look_up_a_path() -> None:
    template = template_of("select ${order.id}, ${a.b}", "sqlite", "qmark")
    assert template.bind({"order": {"id": 7}, "a.b": "exact key wins"}) == [7, "exact key wins"]


def test_missing_values_are_named_as_written() -> None:
    template = template_of("select :a, ${b.c}, :a, :d", "postgresql", "pyformat")
    with pytest.raises(PlaceholderMissing) as missing:
        template.bind({"d": None})
    assert missing.value.names == [":a", "${b.c}"]


def test_unicode_names() -> None:
    template = template_of("select :имя_параметра, ${Минимум}", "postgresql", "named")
    assert template.text == "select :p0, :p1"
    assert template.bind({"имя_параметра": 1, "Минимум": 2}) == {"p0": 1, "p1": 2}

"""The tags of `document.generate`: paths, what a path names (lists repeat), values as text."""

from __future__ import annotations

import pytest

from automations.components.template_tags import (
    Found,
    Missing,
    Scope,
    TemplateProblem,
    ThroughList,
    filled_text,
    find_tags,
    look_up,
    repeated_list,
    text_of,
)

DATA = {
    "client": {"name": "ООО «Ромашка»", "full name": "Ромашка", "phone": None},
    "items": [{"sku": "A", "lines": [{"n": 1}, {"n": 2}]}, {"sku": "B", "lines": []}],
    "tags": ["x", "y"],
}


def test_paths_are_keys_joined_by_dots_with_spaces_around_them_ignored() -> None:
    [one, two] = find_tags("{{ client.full name }} / {{items.0.sku}}", "paragraph 1")
    assert one.path == ("client", "full name") and one.shown == "{{client.full name}}"
    assert two.path == ("items", "0", "sku")


@pytest.mark.parametrize(
    ("path", "found"),
    [
        (("client", "name"), Found("ООО «Ромашка»")),
        (("client", "phone"), Found(None)),  # there, and null
        (("client", "email"), Missing()),
        (("client", "name", "first"), Missing()),  # a text has no keys
        (("items", "1", "sku"), Found("B")),
        (("items", "5", "sku"), ThroughList(("items",), DATA["items"])),
        (("items", "sku"), ThroughList(("items",), DATA["items"])),
        (("tags",), ThroughList(("tags",), ["x", "y"])),
    ],
)
def test_what_a_path_names(path: tuple[str, ...], found: object) -> None:
    assert look_up(Scope(DATA), path) == found


def test_a_bound_item_stands_for_its_list_and_a_deeper_list_is_found_in_it() -> None:
    scope = Scope(DATA).with_item(("items",), DATA["items"][0], 1)
    assert look_up(scope, ("items", "sku")) == Found("A")
    assert look_up(scope, ("items", "lines", "n")) == ThroughList(
        ("items", "lines"), [{"n": 1}, {"n": 2}]
    )
    deeper = scope.with_item(("items", "lines"), {"n": 2}, 2)
    assert look_up(deeper, ("items", "lines", "n")) == Found(2)
    assert deeper.note == " (item 2 of items.lines) (item 1 of items)"
    assert filled_text(deeper, "{{items.sku}}-{{items.lines.n}}", "cell") == "A-2"


def test_a_row_follows_one_list() -> None:
    tags = find_tags("{{items.sku}} {{client.name}} {{items.lines.n}}", "row 2")
    chosen = repeated_list(Scope(DATA), tags, "row 2")
    assert chosen is not None and chosen.path == ("items",)
    with pytest.raises(TemplateProblem, match="two lists, items and tags"):
        repeated_list(Scope(DATA), find_tags("{{items.sku}} {{tags}}", "row 2"), "row 2")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (True, "true"), (12, "12"), (12.0, "12"), (42.5, "42.5"), (1e20, "1e+20"),
     ("a\nb", "a\nb")],
)  # fmt: skip
def test_values_as_text(value: object, text: str) -> None:
    assert text_of(value) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{{client.email}}", "tag {{client.email}} in paragraph 7 has no data"),
        ("{{client}}", "names an object"),
        ("{{items.sku}}", "names the list items"),
        ("{{client.name", "not closed"),
        ("{{a{b}}", "not closed"),
        ("{{.a}}", "not a path"),
    ],
)
def test_problems_name_the_tag_and_where(text: str, says: str) -> None:
    with pytest.raises(TemplateProblem, match=says.replace("{", r"\{").replace("}", r"\}")):
        filled_text(Scope(DATA), text, "paragraph 7")

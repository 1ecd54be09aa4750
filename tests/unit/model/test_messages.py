"""Mentions in a message's text (the product's `<@catalogId:recordId;Title/@>`) and what a
message may hold."""

from __future__ import annotations

import pytest

from automations.model.message import (
    MAX_ATTACHMENTS,
    MAX_TEXT_CHARS,
    Mention,
    MessageInvalid,
    checked_text,
    parse_mentions,
)


def test_mentions_are_listed_in_order_with_the_text_kept() -> None:
    text = "Hi <@$users:7;Anton/@>, see <@12:345;Order 345 / urgent/@> now"
    assert parse_mentions(text) == [
        Mention(catalog_id="$users", record_id="7", title="Anton"),
        Mention(catalog_id="12", record_id="345", title="Order 345 / urgent"),
    ]


def test_a_text_without_mentions_has_none_and_plain_angle_brackets_are_text() -> None:
    assert parse_mentions("2 < 3 and a@b.c > 1") == []


def test_an_empty_title_is_allowed() -> None:
    assert parse_mentions("<@3:1;/@>") == [Mention(catalog_id="3", record_id="1", title="")]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("see <@$users:7 Anton/@>", 5),  # no `;`
        ("ok <@$users:7;Anton/@> then <@users;x/@>", 29),  # the second has no record id
        ("unclosed <@3:4;Title", 10),
        ("<@3:4;a<b/@>", 1),  # angle brackets inside the title
    ],
)
def test_a_malformed_mention_names_where_it_starts(text: str, position: int) -> None:
    with pytest.raises(MessageInvalid) as caught:
        parse_mentions(text)
    assert caught.value.field == "text"
    assert f"at character {position} " in str(caught.value)
    assert "<@catalogId:recordId;Title/@>" in str(caught.value)


def test_a_message_needs_text_or_a_file() -> None:
    with pytest.raises(MessageInvalid, match="needs text or at least one file"):
        checked_text("  \n ", 0)
    assert checked_text("", 1) == ""


def test_text_and_attachments_have_limits() -> None:
    assert checked_text("x" * MAX_TEXT_CHARS, 0)
    with pytest.raises(MessageInvalid, match="over the limit of 10000") as caught:
        checked_text("x" * (MAX_TEXT_CHARS + 1), 0)
    assert caught.value.field == "text"
    with pytest.raises(MessageInvalid) as too_many:
        checked_text("files", MAX_ATTACHMENTS + 1)
    assert too_many.value.field == "attachments"

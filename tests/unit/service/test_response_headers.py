"""Response headers a scenario sets: refused when they could inject or not be sent, encoded per
RFC 8187 where the header has ext-value parameters."""

from __future__ import annotations

from typing import Any

import pytest

from automations.service.errors import HeaderRefused
from automations.service.headers import BAD_HEADER, header_value, response_headers
from automations.service.webrequests import answer_problem


@pytest.mark.parametrize(
    ("name", "value", "sent"),
    [
        ("X-Plain", "yes", "yes"),
        ("X-Latin1", "café", "café"),  # Latin-1 is what HTTP/1.1 carries
        ("X-Tab", "a\tb", "a\tb"),
        ("X-Number", 5, "5"),
        ("X-Object", {"a": [1]}, '{"a": [1]}'),
        (
            "Content-Disposition",
            'attachment; filename="Отчёт.pdf"',
            "attachment; filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf",
        ),
        (
            "content-disposition",
            'inline; filename="café ж.txt"; size=12',
            "inline; filename*=UTF-8''caf%C3%A9%20%D0%B6.txt; size=12",
        ),
        (  # quoted separators and escapes stay inside the value
            "Content-Disposition",
            r'attachment; filename="a;b,\"Ж\".txt"',
            "attachment; filename*=UTF-8''a%3Bb%2C%22%D0%96%22.txt",
        ),
        (  # each link of a Link header on its own; its URI is never touched
            "Link",
            '<https://example.com/a?x=1,2>; rel="next"; title="Далее", <https://example.com/b>; '
            "title*=UTF-8''b",
            "<https://example.com/a?x=1,2>; rel=\"next\"; title*=UTF-8''%D0%94%D0%B0%D0%BB%D0%B5%D0%B5"
            ", <https://example.com/b>; title*=UTF-8''b",
        ),
        (
            "Content-Disposition",
            'attachment; filename="plain.txt"',
            'attachment; filename="plain.txt"',
        ),
    ],
)
def test_values_that_can_be_sent(name: str, value: Any, sent: str) -> None:
    assert header_value(name, value) == sent
    sent.encode("latin-1")  # what the servers write: it must never fail


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("X-Echo", "Ж", "holds U+0416, which an HTTP header cannot carry"),
        ("X-Echo", "bad \ufffd byte", "holds U+FFFD"),  # undecodable request bytes echoed
        ("X-Bad", "a\r\nSet-Cookie: x=1", "control character U+000D (header injection)"),
        ("X-Bad", "a\nb", "U+000A"),
        ("X-Bad", "a\x00b", "U+0000"),
        ("X-Bad", "a\x1bb", "U+001B"),
        ("Bad Name", "v", "name that is not an HTTP token"),
        ("X:Colon", "v", "name that is not an HTTP token"),
        ("", "v", "name that is not an HTTP token"),
        ("Заголовок", "v", "name that is not an HTTP token"),
        ("Content-Disposition", "вложение; filename=a", "holds U+0432"),  # the type is a token
        ("Link", "<https://example.com/Ж>; rel=next", "holds U+0416"),  # a URI is ASCII
        ("Content-Disposition", "attachment; filename*=Ж", "holds U+0416"),
        (
            "Content-Disposition",
            "attachment; filename=\"Ж\"; filename*=UTF-8''x",
            "gives both filename* and filename",
        ),
    ],
)
def test_values_that_are_refused_name_the_header(name: str, value: Any, says: str) -> None:
    with pytest.raises(HeaderRefused) as refused:
        header_value(name, value)
    assert refused.value.message.startswith(f"response header {name!r} ")
    assert says in refused.value.message


def test_framing_headers_are_dropped_and_one_spelling_kept() -> None:
    headers = response_headers(
        {"Transfer-Encoding": "chunked", "x-a": "1", "X-A": "2", "Content-Length": "9"}
    )
    assert headers == {"X-A": "2"}


def test_a_process_answer_with_a_bad_header_is_a_problem_naming_it() -> None:
    good = {"response": {"headers": {"X-Ok": "да".encode().decode("latin-1")}}}
    bad = {"response": {"status": 200, "headers": {"X-Ok": "1", "X-Echo": "Ж"}}}
    assert answer_problem(good) is None
    assert answer_problem({}) is None
    problem = answer_problem(bad)
    assert problem is not None
    assert problem[0] == BAD_HEADER
    assert "'X-Echo'" in problem[1]

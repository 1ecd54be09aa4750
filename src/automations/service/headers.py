"""The response headers a web request's scenario sets (`$response.headers`), checked before they
are sent: the same rules on Lambda and on the dev server, so neither can be made to break.

- A name must be an HTTP token (RFC 9110: letters, digits and ``!#$%&'*+-.^_`|~``).
- A value may not hold a line break, NUL or any other control character but tab: that is how
  headers are injected. A value that is not a string is sent as its JSON text.
- A value goes out as Latin-1 bytes (what HTTP/1.1 carries). Characters beyond Latin-1 are
  allowed only in the parameters of the headers listed in `EXT_VALUE_HEADERS`, which RFC 8187
  defines ext-values for: there a parameter whose value is not plain ASCII (Latin-1 letters
  included: RFC 6266 finds them not interoperable) is sent as `name*=UTF-8''<percent-encoded>`
  instead (`filename="Отчёт.pdf"` becomes `filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf`).
- Framing headers (`OWN_HEADERS`) are the server's and dropped; past `MAX_HEADERS` the rest are.

Anything else wrong raises HeaderRefused naming the header: the process then fails with
`BAD_HEADER`, and the caller gets 502 saying why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from automations.service.errors import HeaderRefused

BAD_HEADER = "Response.BadHeader"
MAX_HEADERS = 100
# Headers whose parameters RFC 8187 ext-values may carry: Content-Disposition (RFC 6266) and
# Link (RFC 8288, `title*`). Lower case.
EXT_VALUE_HEADERS = frozenset({"content-disposition", "link"})
# Headers the server itself owns: a scenario setting them would corrupt the framing.
OWN_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"}
)

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_ATTR_CHAR_EXTRAS = "!#$&+-.^_`|~"  # RFC 8187 attr-char, beside letters and digits
_PARAMETER = re.compile(r"\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(.*?)\s*", re.DOTALL)


def response_headers(raw: Mapping[str, Any]) -> dict[str, str]:
    """The headers to send for `$response.headers`; HeaderRefused when one cannot be sent."""
    headers: dict[str, str] = {}
    for name, value in list(raw.items())[:MAX_HEADERS]:
        text = header_value(str(name), value)
        if name.lower() in OWN_HEADERS:
            continue
        # Keep the case the scenario wrote, but never two spellings of one header.
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        headers[name] = text
    return headers


def header_value(name: str, value: Any) -> str:
    """The text sent for one header (Latin-1 only); HeaderRefused when it cannot be sent."""
    if not _TOKEN.fullmatch(name):
        raise HeaderRefused(name, "has a name that is not an HTTP token (letters, digits, -...)")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    control = _CONTROL.search(text)
    if control is not None:
        raise HeaderRefused(
            name, f"holds the control character {_code_point(control.group())} (header injection)"
        )
    if name.lower() in EXT_VALUE_HEADERS and not text.isascii():
        return _with_ext_values(name, text)
    if _BEYOND_LATIN1.search(text) is not None:
        raise _not_latin1(name, text)
    return text


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _not_latin1(name: str, text: str) -> HeaderRefused:
    char = _BEYOND_LATIN1.search(text)
    shown = _code_point(char.group()) if char is not None else "a character"
    return HeaderRefused(
        name,
        f"holds {shown}, which an HTTP header cannot carry (only the parameters of "
        "Content-Disposition and Link may hold any text: they are sent encoded per RFC 8187)",
    )


def _with_ext_values(name: str, text: str) -> str:
    """`text` with every parameter that is not plain ASCII written as an RFC 8187 ext-value."""
    out: list[str] = []
    for group in _groups(list(_split(text))):
        out += _group_with_ext_values(name, group)
    return "".join(out)


def _groups(parts: list[str]) -> Iterator[list[str]]:
    """The pieces of each comma-separated element (one link of a Link header), commas kept."""
    group: list[str] = []
    for part in parts:
        group.append(part)
        if part == ",":
            yield group
            group = []
    yield group


def _group_with_ext_values(name: str, parts: list[str]) -> list[str]:
    given = {m.group(1).lower() for part in parts if (m := _PARAMETER.fullmatch(part))}
    out: list[str] = []
    for part in parts:
        match = _PARAMETER.fullmatch(part)
        if part.isascii() or part in ";,":
            out.append(part)
        elif match is None or match.group(1).endswith("*"):
            # A link's URI, a disposition type, an ext-value: never encoded by us.
            if _BEYOND_LATIN1.search(part) is not None:
                raise _not_latin1(name, part)
            out.append(part)
        elif f"{match.group(1).lower()}*" in given:
            raise HeaderRefused(
                name, f"gives both {match.group(1)}* and {match.group(1)}, which is not ASCII"
            )
        else:
            plain = _unquoted(match.group(2))
            encoded = quote(plain, safe=_ATTR_CHAR_EXTRAS, encoding="utf-8")
            out.append(f"{part[: match.start(1)]}{match.group(1)}*=UTF-8''{encoded}")
    return out


def _split(text: str) -> Iterator[str]:
    """The pieces of a header value between `;` and `,` (each separator a piece of its own),
    outside quoted strings and `<...>` references."""
    start, quoted, escaped, bracketed = 0, False, False, False
    for at, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            escaped, quoted = char == "\\", char != '"'
        elif char == '"':
            quoted = True
        elif char in "<>":
            bracketed = char == "<"
        elif char in ";," and not bracketed:
            yield text[start:at]
            yield char
            start = at + 1
    yield text[start:]


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)
    return value

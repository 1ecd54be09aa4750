"""`parse`: find fragments in JSON, XML or plain text (the product's "Парсер").

Inputs:
- `data`: the text to search. A non-string (object, array, number...) is taken as JSON that
  is already parsed, so `$values` can be passed as it is.
- `method`: `jsonpath` (default), `xpath` or `regex`.
- `query`: the JSONPath / XPath expression or the regular expression. A regular expression may
  be written as in the product, `/№(\\d+)/i` (flags `i m s x`; `g` and `u` are accepted and
  ignored, since `returns` says how many matches are wanted).
- `returns`: `first` (default), `last` or `all`.
- `group`: for `regex`, which group to return (0 = the whole match).

Result: `{value}` - the first or last match, or the list of all matches; nothing found gives
`null` (`[]` for `all`). XPath returns elements as their XML markup, attributes and text nodes
as strings, `count()`/`sum()` as numbers and comparisons as booleans.

Error codes (what boundary events can catch):
- `parse.invalid_data`: `data` is not valid JSON (jsonpath), not well-formed XML or carries a
  DOCTYPE (xpath), is not text where text is needed (xpath), or is larger than 1 MB; or its
  JSON nests deeper than `AUTOMATIONS_MAX_JSON_DEPTH` levels (64 by default).
- `parse.invalid_query`: the JSONPath, XPath or regular expression does not compile or cannot be
  evaluated, the asked regex group does not exist, or the query is longer than 2000 characters.
- `parse.timeout`: the regular expression was still matching after 2 s (catastrophic
  backtracking: `(a|aa)+$` against a long run of `a`s).

Safety: XML is parsed with entities, DTDs and network access off, and a DOCTYPE is refused.
Regular expressions run on the `regex` module (the syntax of `re`) with a time limit, releasing
the interpreter while they match; data is at most 1 MB and a pattern 2000 characters. Nothing
is ever evaluated as code.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Literal

import regex
from jsonpath_ng import JSONPath
from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext.parser import parse as parse_jsonpath
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field

from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.json_depth import text_depth_over, too_deep_message
from automations.xml_guard import doctype_offset, hardened_parser

INVALID_DATA = "parse.invalid_data"
INVALID_QUERY = "parse.invalid_query"
TIMEOUT = "parse.timeout"
ERRORS = (INVALID_DATA, INVALID_QUERY, TIMEOUT)

MAX_DATA_BYTES = 1_000_000
MAX_QUERY_CHARS = 2000
REGEX_SECONDS = 2.0

Method = Literal["jsonpath", "xpath", "regex"]
Returns = Literal["first", "last", "all"]


class ParseInput(BaseModel):
    """What `parse` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    data: Any
    method: Method = "jsonpath"
    query: str
    returns: Returns = "first"
    group: int = Field(default=0, ge=0)


class ParseResult(BaseModel):
    """The found value (`first`/`last`) or the list of found values (`all`)."""

    value: Any = None


# ---------------------------------------------------------------------------------------------
# JSONPath


@lru_cache(maxsize=256)
def _compile_jsonpath(query: str) -> JSONPath:
    # Building a JSONPath parser is slow (ply tables); scenarios repeat the same few queries.
    try:
        return parse_jsonpath(query)
    except (JSONPathError, ValueError, TypeError, AttributeError) as exc:
        raise ComponentFailed(INVALID_QUERY, f"invalid JSONPath {query!r}: {exc}") from None


def _find_jsonpath(data: Any, query: str, group: int) -> Iterable[Any]:
    path = _compile_jsonpath(query)
    document = _load_json(data) if isinstance(data, str) else data
    try:
        return [match.value for match in path.find(document)]
    except (JSONPathError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # Filters can fail at run time (e.g. an operator the extension does not support).
        raise ComponentFailed(INVALID_QUERY, f"JSONPath {query!r} failed: {exc}") from None


def _load_json(text: str) -> Any:
    _check_size(text)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ComponentFailed(INVALID_DATA, f"data is not valid JSON: {exc}") from None


# ---------------------------------------------------------------------------------------------
# XPath


def _find_xpath(data: Any, query: str, group: int) -> Iterable[Any]:
    root = _load_xml(data)
    namespaces = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    try:
        found = etree.XPath(query, namespaces=namespaces)(root)
    except etree.XPathError as exc:
        raise ComponentFailed(INVALID_QUERY, f"invalid XPath {query!r}: {exc}") from None
    items = found if isinstance(found, list) else [found]
    return [_xpath_value(item) for item in items]


def _load_xml(data: Any) -> etree._Element:
    if not isinstance(data, str):
        raise ComponentFailed(INVALID_DATA, "XPath needs XML text, got a JSON value")
    encoded = _check_size(data)
    if doctype_offset(encoded) >= 0:
        # Before parsing: libxml2 would expand internal entities in attribute values.
        raise ComponentFailed(INVALID_DATA, "XML with a DOCTYPE is refused")
    try:
        # The text is a Python string we encoded as UTF-8, whatever its declaration says.
        return etree.fromstring(encoded, hardened_parser("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise ComponentFailed(INVALID_DATA, f"data is not well-formed XML: {exc}") from None


def _xpath_value(item: Any) -> Any:
    if isinstance(item, etree._Element):
        return etree.tostring(item, encoding="unicode", with_tail=False)
    if isinstance(item, bool):
        return item
    if isinstance(item, float):
        # XPath numbers are doubles; count() = 2.0 reads better as 2, NaN is not JSON.
        if math.isnan(item) or math.isinf(item):
            return None
        return int(item) if item.is_integer() else item
    if isinstance(item, tuple):  # the namespace axis yields (prefix, uri)
        return [str(part) if part is not None else None for part in item]
    return str(item)  # attribute values and text nodes ("smart strings")


# ---------------------------------------------------------------------------------------------
# Regular expressions

_DELIMITED = re.compile(r"/(?P<pattern>.*)/(?P<flags>[gimsux]*)", re.DOTALL)
_FLAGS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "x": regex.VERBOSE}


@lru_cache(maxsize=256)
def _compile_regex(query: str) -> regex.Pattern[str]:
    pattern, flags = query, regex.VERSION0  # version 0: the syntax and meaning of `re`
    delimited = _DELIMITED.fullmatch(query)
    if delimited:  # the product's JavaScript-like `/pattern/flags`
        pattern = delimited["pattern"]
        for letter in delimited["flags"]:
            flags |= _FLAGS.get(letter, 0)
    try:
        return regex.compile(pattern, flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise ComponentFailed(INVALID_QUERY, f"invalid regular expression: {exc}") from None


def _find_regex(data: Any, query: str, group: int) -> Iterable[Any]:
    pattern = _compile_regex(query)
    if group > pattern.groups:
        raise ComponentFailed(
            INVALID_QUERY,
            f"the regular expression has {pattern.groups} group(s), group {group} was asked",
        )
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    _check_size(text)
    matches = pattern.finditer(text, timeout=REGEX_SECONDS, concurrent=True)
    return _regex_groups(matches, group)


def _regex_groups(matches: Iterator[regex.Match[str]], group: int) -> Iterator[str | None]:
    # Lazy, so that `first` stops at the first match instead of scanning the whole text.
    try:
        for match in matches:
            yield match.group(group)
    except TimeoutError:  # the limit counts from the first search, across all matches
        raise ComponentFailed(
            TIMEOUT, f"the regular expression was still matching after {REGEX_SECONDS:g} s"
        ) from None


# ---------------------------------------------------------------------------------------------


def _check_size(text: str) -> bytes:
    encoded = text.encode("utf-8", errors="surrogatepass")
    if len(encoded) > MAX_DATA_BYTES:
        raise ComponentFailed(
            INVALID_DATA, f"data is {len(encoded)} bytes, more than the {MAX_DATA_BYTES} allowed"
        )
    return encoded


def _check_depth(text: str, max_depth: int) -> None:
    # Before parsing: what is found in the data becomes process data, held to this depth.
    depth = text_depth_over(text, max_depth)
    if depth is not None:
        raise ComponentFailed(
            INVALID_DATA, too_deep_message("the JSON data", max_depth, f"{depth} levels")
        )


Finder = Callable[[Any, str, int], Iterable[Any]]

_FINDERS: dict[str, Finder] = {
    "jsonpath": _find_jsonpath,
    "xpath": _find_xpath,
    "regex": _find_regex,
}


def _select(found: Iterable[Any], returns: Returns) -> Any:
    if returns == "all":
        return list(found)
    if returns == "first":
        return next(iter(found), None)
    tail = deque(found, maxlen=1)  # walks the matches keeping only the last one
    return tail[0] if tail else None


def run(params: ParseInput, ctx: ComponentContext) -> ParseResult:
    """Find `query` in `data` and return the first, last or all matches."""
    if len(params.query) > MAX_QUERY_CHARS:
        raise ComponentFailed(
            INVALID_QUERY, f"the query is longer than {MAX_QUERY_CHARS} characters"
        )
    if params.method == "jsonpath" and isinstance(params.data, str):
        _check_depth(params.data, ctx.max_json_depth)
    found = _FINDERS[params.method](params.data, params.query, params.group)
    return ParseResult(value=_select(found, params.returns))


SPEC = register(
    ComponentSpec(
        name="parse",
        input_model=ParseInput,
        result_model=ParseResult,
        errors=ERRORS,
        run=run,
        summary="Find values in JSON (JSONPath), XML (XPath) or text (regular expression).",
    )
)

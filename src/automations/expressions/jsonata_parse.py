"""`simple_expression`: what the compiler asks of an everyday JSONata text, without the library.

Validating and compiling a scenario asks three things of each expression: does it parse, which
variables does it read (`free_variables`), and can it give nothing (`gives_value`). jsonata-python
answers by parsing (tens of microseconds) and walking the tree; most expressions in scenarios
are one operand or two joined by one operator (`$total * 1.2`, `$order.status = 'paid'`,
`$result.body`), whose answers a scan of their tokens gives exactly.

Exactness over coverage: `simple_expression(text)` returns the answers only for texts of this
form, tokenized as the library tokenizes them, and None for anything else (then the library
decides, and its messages are the ones users read):

    text     := operand | operand OPERATOR operand
    operand  := $name ('.' name)* | number | 'string' | "string" | true | false | null
    OPERATOR := + - * / % = != < <= > >= & and or in

with ASCII names (letters, digits and `_`, not starting with a digit, not a keyword), numbers
without sign, exponent or leading zero (at most 15 digits on each side of the point), strings
without backslashes, and any spaces between tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from automations.expressions.definite import gives_value
from automations.expressions.free_vars import RESERVED, free_variables

# What the library's tokenizer reads at each point, in its order: two-character operators
# before one-character ones, strings, numbers, then names (up to a space or an operator
# character). A token that the grammar above does not know ends the scan.
_SPACE = r"[ \t\n\r]"  # the only characters the library's tokenizer skips
_ENDS_NAME = rf"(?={_SPACE}|[.\[\]{{}}(),@\#;:?+\-*/%|=<>^&!~]|\Z)"  # a space or operator char
_TOKEN = re.compile(
    rf"""{_SPACE}*(?:
      (?P<op2>!=|<=|>=|\*\*|\.\.|:=|~>|\?:|\?\?)
    | (?P<op1>[.\[\]{{}}(),@\#;:?+\-*/%|=<>^&!~])
    | '(?P<single>[^'\\]*)'
    | "(?P<double>[^"\\]*)"
    | (?P<number>(?:0|[1-9][0-9]{{0,14}})(?:\.[0-9]{{1,15}})?){_ENDS_NAME}
    | (?P<variable>\$[A-Za-z_][A-Za-z0-9_]*){_ENDS_NAME}
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*){_ENDS_NAME}
    )""",
    re.VERBOSE,
)
_TRAILING_SPACE = re.compile(rf"{_SPACE}*\Z")
_BINARY = frozenset({"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&"})
_WORD_OPERATORS = frozenset({"and", "or", "in"})
_VALUES = frozenset({"true", "false", "null"})
# Operators whose result is a value even when an operand is nothing (expressions/definite.py).
_GIVE_VALUE = frozenset({"=", "!=", "<", "<=", ">", ">=", "and", "or", "in", "&"})
_CACHED_CHARS = 200  # longer texts are rarely of this form; the cache stays small


@dataclass(frozen=True, slots=True)
class SimpleExpression:
    """The answers for a text of the simple form: what `free_variables` and `gives_value`
    give for it (and it parses)."""

    variables: frozenset[str]
    gives_value: bool


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "operator", "operand" (a value), "variable", "name"
    text: str


def simple_expression(text: str) -> SimpleExpression | None:
    """The answers for `text` if it has the simple form above, else None (ask the library)."""
    if len(text) > _CACHED_CHARS:
        return None
    return _simple(text)


@lru_cache(maxsize=4096)
def _simple(text: str) -> SimpleExpression | None:
    tokens = _tokens(text)
    if tokens is None:
        return None
    left, rest = _operand(tokens)
    if left is None:
        return None
    if not rest:
        return SimpleExpression(left.variables, left.gives_value)
    operator = rest[0]
    if operator.kind != "operator" or operator.text not in _BINARY | _WORD_OPERATORS:
        return None
    right, rest = _operand(rest[1:])
    if right is None or rest:
        return None
    return SimpleExpression(left.variables | right.variables, operator.text in _GIVE_VALUE)


def _tokens(text: str) -> list[_Token] | None:
    tokens: list[_Token] = []
    position = 0
    end = _TRAILING_SPACE.search(text).start()  # type: ignore[union-attr]  # (always matches)
    while position < end:
        found = _TOKEN.match(text, position)
        if found is None:
            return None
        position = found.end()
        kind = found.lastgroup
        if kind in ("op2", "op1"):
            tokens.append(_Token("operator", found.group(kind)))
        elif kind in ("single", "double", "number"):
            tokens.append(_Token("operand", found.group(kind)))
        elif kind == "variable":
            tokens.append(_Token("variable", found.group(kind)[1:]))
        else:
            word = found.group("name")
            if word in _WORD_OPERATORS:
                tokens.append(_Token("operator", word))
            elif word in _VALUES:
                tokens.append(_Token("operand", word))
            else:
                tokens.append(_Token("name", word))
    return tokens if tokens else None


def _operand(tokens: list[_Token]) -> tuple[SimpleExpression | None, list[_Token]]:
    """One operand from the front of `tokens`, and the tokens after it."""
    if not tokens:
        return None, tokens
    first = tokens[0]
    if first.kind == "operand":  # a literal: always a value, reads nothing
        return SimpleExpression(frozenset(), True), tokens[1:]
    if first.kind != "variable":
        return None, tokens
    rest = tokens[1:]
    while rest and rest[0].kind == "operator" and rest[0].text == ".":
        if len(rest) < 2 or rest[1].kind != "name":
            return None, tokens
        rest = rest[2:]
    variables = frozenset({first.text}) - RESERVED
    return SimpleExpression(variables, False), rest  # a variable or path may select nothing


def quick_free_variables(text: str) -> set[str]:
    """`free_variables(text)`, without the library when the text is simple."""
    simple = simple_expression(text)
    return set(simple.variables) if simple is not None else free_variables(text)


def quick_gives_value(text: str) -> bool:
    """`gives_value(text)`, without the library when the text is simple."""
    simple = simple_expression(text)
    return simple.gives_value if simple is not None else gives_value(text)

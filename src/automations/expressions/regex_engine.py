"""Regular expressions in JSONata (`/.../im` literals) whose running time is bounded.

Python's `re` backtracks without limit and holds the interpreter while it does:
`/^(a|aa)+$/` against forty `a`s and a `!` would stop every thread of the server for hours.
The `regex` module keeps the syntax our users write (the Perl/JavaScript family: lookaround,
back-references, lazy quantifiers — which a linear-time engine such as RE2 refuses), gives up
after a timeout, and releases the interpreter while it matches (`concurrent=True`), so other
threads go on. Each call gets what is left of the calling thread's time bound (`overstay`),
or `DEFAULT_TIMEOUT_SECONDS` outside one. (The `parse` component calls `regex` itself, with
a timeout of its own for the whole search: it has no expression's bound around it.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

import regex
from jsonata.regex_engine import RegexFlags

from automations.expressions.errors import RegexTimedOut
from automations.expressions.overstay import expire, remaining

DEFAULT_TIMEOUT_SECONDS: Final = 1.0
_GROUP_REFERENCE = re.compile(r"\\g<(\d+)>")
T = TypeVar("T")


def _timeout() -> float:
    left = remaining()
    return DEFAULT_TIMEOUT_SECONDS if left is None else left


class BoundedPattern:
    """A compiled pattern with the four methods jsonata-python calls, each time-bounded."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: regex.Pattern[str]) -> None:
        self._pattern = pattern

    @property
    def groups(self) -> int:
        return int(self._pattern.groups)

    def search(self, string: str) -> regex.Match[str] | None:
        return _bounded(lambda t: self._pattern.search(string, timeout=t, concurrent=True))

    def finditer(self, string: str) -> Iterator[regex.Match[str]]:
        matches = self._pattern.finditer(string, timeout=_timeout(), concurrent=True)
        while True:  # the timeout is raised by the iterator as it looks for the next match
            found = _bounded(lambda _t: next(matches, None))
            if found is None:
                return
            yield found

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        try:
            return str(
                _bounded(
                    lambda t: self._pattern.sub(repl, string, count, timeout=t, concurrent=True)
                )
            )
        except regex.error as err:
            raise _as_re_error(err, repl, self.groups) from None

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return list(
            _bounded(lambda t: self._pattern.split(string, maxsplit, timeout=t, concurrent=True))
        )


def _bounded(call: Callable[[float], T]) -> T:
    try:
        return call(_timeout())
    except TimeoutError:
        expire(RegexTimedOut)  # the time of the bound that gave the timeout is up


def _as_re_error(err: Exception, repl: Any, groups: int) -> Exception:
    """jsonata-python recovers from a reference to a group the pattern lacks (`$3` with two
    groups) by reading `re`'s message, which names the group; `regex` names only a position."""
    if isinstance(repl, str) and "invalid group reference" in str(err):
        for found in _GROUP_REFERENCE.finditer(repl):
            if int(found.group(1)) > groups:
                return re.error(
                    f"invalid group reference {found.group(1)} at position {found.start() + 1}"
                )
    return err


def compile_pattern(pattern: str, flags: int = 0) -> BoundedPattern:
    """Compile with `regex` (version 0: `re`'s semantics); raises `regex.error` when malformed."""
    return BoundedPattern(regex.compile(pattern, flags | regex.VERSION0))


def jsonata_engine(pattern: str, flags: RegexFlags) -> BoundedPattern:
    """The `regex_engine` jsonata-python compiles a regex literal (`/.../im`) with."""
    native = (regex.IGNORECASE if flags.case_insensitive else 0) | (
        regex.MULTILINE if flags.multiline else 0
    )
    return compile_pattern(pattern, native)

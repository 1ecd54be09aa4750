"""`code.js`: run a piece of JavaScript in the scenario (the product's "Код (JavaScript)").

Inputs:
- `code` (required): the body of a function, ending in `return <value>`. It runs in strict
  mode (declare names with `let`, `const` or `var`), on V8 with the language's built-ins,
  lodash as `_` and moment (with its locales) as `moment`.
- `variables`: an object; each key becomes a local name the code sees (`{"price": 42}` ->
  `price`). The code sees nothing else of the process. Keys that cannot be JavaScript names
  (`order-id`, `class`) are not bound.

Result: `$result` is the returned value, as JSON. Inside it, `undefined` is dropped from an
object and null in an array, as JSON.stringify does, and an object's `toJSON` is used (a
moment or a Date becomes its ISO text); everything else that JSON cannot hold is an error.

Error codes (what boundary events and `auto:retry` can name):
- `code.error`: the code does not compile or throws; the message is the error's own, with the
  line and column in the code (line 1 is the code's first line).
- `code.timeout`: the code was still running after the time limit (5 s by default).
- `code.memory`: the code's heap reached the limit (128 MB by default).
- `code.result`: the code returned nothing (`undefined`: a missing `return`) or a value that is
  not JSON - a function, a symbol, a BigInt, NaN or Infinity, a Map, Set, Promise, regular
  expression or Error object, a value that contains itself, or one nesting deeper than
  `AUTOMATIONS_MAX_JSON_DEPTH` levels. The message names the place (`$.totals[2]`).

Not there: `require`, `process`, `fetch` and any network, files, `console`, `setTimeout`,
`setInterval`, `setImmediate` and other timers, WebAssembly, `ArrayBuffer` and typed arrays.
No call sees what another left: see `code_sandbox` for how (SES compartments in a reused V8).

Configuration, read at each call: `AUTOMATIONS_CODE_TIMEOUT_SECONDS` (default 5, at most 60)
and `AUTOMATIONS_CODE_MAX_HEAP_MB` (default 128, 16 to 2048).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from automations.components.code_sandbox import (
    POOL,
    CodeError,
    CodeFailed,
    CodeMemory,
    CodeResultInvalid,
    CodeTimeout,
    Limits,
)
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.errors import SettingsInvalid

NAME = "code.js"
ERROR = "code.error"
TIMEOUT = "code.timeout"
MEMORY = "code.memory"
RESULT = "code.result"
ERRORS = (ERROR, TIMEOUT, MEMORY, RESULT)
DESCRIPTIONS = {
    ERROR: "the code does not compile or throws (message with line and column)",
    TIMEOUT: "the code was still running at the time limit",
    MEMORY: "the code used more memory than allowed",
    RESULT: "the code returned undefined or a value that is not JSON",
}
TIMEOUT_ENV = "AUTOMATIONS_CODE_TIMEOUT_SECONDS"
HEAP_ENV = "AUTOMATIONS_CODE_MAX_HEAP_MB"
MAX_CODE_CHARS = 100_000
_FAILURES: dict[type[CodeFailed], str] = {
    CodeError: ERROR,
    CodeTimeout: TIMEOUT,
    CodeMemory: MEMORY,
    CodeResultInvalid: RESULT,
}
# Words a parameter cannot be called in strict mode (ECMAScript's reserved words and the two
# names strict mode keeps); a variable named so is not bound.
_RESERVED = frozenset(
    [
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "arguments",
        "eval",
    ]
)


class CodeJsInput(BaseModel):
    """What `code.js` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=MAX_CODE_CHARS)
    variables: dict[str, Any] = Field(default_factory=dict)


class CodeJsResult(RootModel[Any]):
    """The value the code returned (any JSON value)."""


class CodeLimits(BaseModel):
    """The limits a call runs under, from the environment (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    max_heap_mb: int = Field(default=128, ge=16, le=2048)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> CodeLimits:
        env = os.environ if environ is None else environ
        values = {
            field: env[name].strip()
            for field, name in (("timeout_seconds", TIMEOUT_ENV), ("max_heap_mb", HEAP_ENV))
            if env.get(name, "").strip()
        }
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{TIMEOUT_ENV if e['loc'][0] == 'timeout_seconds' else HEAP_ENV}: {e['msg']}"
                for e in exc.errors()
            )
            raise SettingsInvalid(problems) from None


def is_js_name(name: str) -> bool:
    """Whether `name` can be a parameter of a strict-mode function (ASCII `$` included)."""
    return name.replace("$", "_").isidentifier() and name not in _RESERVED


def run(params: CodeJsInput, ctx: ComponentContext) -> CodeJsResult:
    """Run the code with the variables as its local names; its returned value is the result."""
    limits = CodeLimits.from_environment()
    bound = {name: value for name, value in params.variables.items() if is_js_name(name)}
    call_limits = Limits(
        seconds=limits.timeout_seconds,
        heap_bytes=limits.max_heap_mb * 1024 * 1024,
        max_depth=ctx.max_json_depth,
    )
    try:
        value = POOL.run(params.code, bound, call_limits)
    except CodeFailed as failed:
        raise ComponentFailed(_FAILURES[type(failed)], failed.message) from None
    return CodeJsResult(value)


SPEC = register(
    ComponentSpec(
        name=NAME,
        input_model=CodeJsInput,
        result_model=CodeJsResult,
        errors=ERRORS,
        run=run,
        summary="Run JavaScript (lodash and moment at hand) on the given variables.",
        title="Code (JavaScript)",
        family="actions",
        error_descriptions=DESCRIPTIONS,
    )
)

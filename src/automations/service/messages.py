"""A failure's words as a scenario's author reads them, from the words Step Functions uses.

Both runtimes word an expression's failure as AWS does ("An error occurred while executing the
state 'Convert' (entered at the event id #6). The JSONata expression '($result :=
$states.result.Payload; $number($result.code))' specified for the field 'Assign/amount' threw an
error during evaluation: ..."), so that they agree. A process's error says the same in the
scenario's terms: the element, which of its outputs, inputs or conditions, the expression as the
author wrote it, what went wrong. Anything not in that shape is kept as it is.
"""

from __future__ import annotations

import re

from automations.compiler.jsonata_text import GUARD_BINDING, GUARD_TEST
from automations.state_names import element_of

_STATE = re.compile(
    r"An error occurred while executing the state '(?P<state>[^']*)' "
    r"\(entered at the event id #\d+\)\. (?P<rest>.*)",
    re.DOTALL,
)
_EXPRESSION = re.compile(
    r"The JSONata expression '(?P<text>.*)' specified for the field '(?P<field>[^']*)' "
    r"(?P<what>returned nothing \(undefined\)\.|threw an error during evaluation: |"
    r"could not be parsed: |returned an unsupported result type\.|"
    r"returned an unexpected result type\. )(?P<detail>.*)",
    re.DOTALL,
)
_WHAT = {
    "returned nothing (undefined).": "gave no value (a property or variable it reads is missing)",
    "threw an error during evaluation: ": "failed: ",
    "could not be parsed: ": "is not valid JSONata: ",
    "returned an unsupported result type.": "gave a value that is not JSON (a function?)",
    "returned an unexpected result type. ": "gave a value of the wrong type: ",
}
# A Python exception's name where a library let one through ("ValueError: ...").
_PYTHON_ERROR = re.compile(r"^(?:[A-Za-z_][\w.]*)?(?:Error|Exception): ")
# What the compiler binds before an author's expression (`$result`, `$error`, a loop's item).
_COMPILED_NAMES = (
    ("$states.result.Payload", "$result"),
    ("$states.result.Output", "$result"),
)


def plain_cause(cause: str) -> str:
    """`Convert: the expression `$number($result.code)` of the output `amount` failed: ...`."""
    state = _STATE.fullmatch(cause)
    if state is None:
        return _without_python_names(cause)
    element = element_of(state["state"])
    rest = state["rest"]
    expression = _EXPRESSION.fullmatch(rest)
    if expression is None:
        return f"{element}: {_without_python_names(rest)}"
    text = authored(expression["text"])
    where = _field(expression["field"])
    what = _WHAT[expression["what"]]
    detail = _without_python_names(expression["detail"])
    return f"{element}: the expression `{text}` of {where} {what}{detail}".rstrip()


def authored(text: str) -> str:
    """The author's expression inside the block the compiler wrapped it in: `($result :=
    $states.result.Payload; x)` is `x`. Only blocks whose first binding reads `$states`
    (which scenarios never name) are the compiler's."""
    parts = _top_level_parts(text)
    if len(parts) > 1 and parts[-1] == GUARD_TEST and parts[-2].startswith(GUARD_BINDING):
        # The compiler's null guard holds the author's expression, whole (see `or_null`).
        text = parts[-2].removeprefix(GUARD_BINDING)
    elif len(parts) > 1 and re.match(r"\$\w+ := .*\$states\.", parts[0], re.DOTALL):
        text = parts[-1]
    for compiled, name in _COMPILED_NAMES:
        text = text.replace(compiled, name)
    return text


def _top_level_parts(text: str) -> list[str]:
    """The expressions of a block `(a; b; c)`, or `[text]` when it is not one block."""
    if not (text.startswith("(") and text.endswith(")")):
        return [text]
    parts, depth, quote, start = [], 0, "", 1
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return [text]  # `(a) + (b)`: two groups, not one block
        elif char == ";" and depth == 1:
            parts.append(text[start:index].strip())
            start = index + 1
        index += 1
    parts.append(text[start:-1].strip())
    return parts


def _field(field: str) -> str:
    """`Assign/amount` -> the output `amount`; `Arguments/Payload/inputs/url` -> the input
    `url`; a gateway's condition; the items of a multi-instance."""
    if field.startswith("Assign/"):
        return f"the output `{field.removeprefix('Assign/')}`"
    if field.startswith("Arguments/Payload/inputs/"):
        name = field.removeprefix("Arguments/Payload/inputs/").split("/")[0]
        return f"the input `{name}`"
    if "Condition" in field:
        return "a condition"
    if field == "Items":
        return "the collection to loop over"
    return f"the field `{field}`"


def _without_python_names(text: str) -> str:
    return _PYTHON_ERROR.sub("", text)

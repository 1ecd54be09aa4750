"""compiler/jsonata_text.py: the JSONata text the compiler writes around a scenario's own
expressions (bodies, blocks, bindings, outputs that see the ones before them)."""

from __future__ import annotations

from automations.bpmn.model import Param
from automations.compiler import jsonata_text as jt
from automations.expressions import compile_jsonata, expression_text, free_variables


def _outs(*pairs: tuple[str, str]) -> list[Param]:
    return [Param(name, value, 1) for name, value in pairs]


def _evaluate(text: str, variables: dict[str, object] | None = None) -> object:
    return compile_jsonata(expression_text(text)).evaluate(None, variables or {})


# -- body, wrap, field, block --------------------------------------------------------------


def test_body_of_an_expression_is_its_jsonata_and_of_a_literal_a_string_literal() -> None:
    assert jt.body("{% $a + 1 %}") == "$a + 1"
    assert jt.body("plain") == '"plain"'
    # Quotes are escaped and non-ASCII kept, so the literal reads back as the same text.
    assert jt.body('say "hi" — Привет') == '"say \\"hi\\" — Привет"'
    assert jt.body("") == '""'


def test_wrap_and_field() -> None:
    assert jt.wrap("$a") == "{% $a %}"
    assert jt.field("and") == "`and`"  # a keyword as a field name still reads as a field
    assert _evaluate(jt.wrap(f"$o.{jt.field('and')}"), {"o": {"and": 1}}) == 1


def test_block_binds_in_order_and_is_the_bare_final_without_bindings() -> None:
    assert jt.block([], "$x") == "$x"
    assert jt.block([("a", "1"), ("b", "$a + 1")], "$b * 2") == "($a := 1; $b := $a + 1; $b * 2)"
    assert _evaluate(jt.wrap(jt.block([("a", "1"), ("b", "$a + 1")], "$b * 2"))) == 4


# -- reads, bound, value_with --------------------------------------------------------------


def test_reads_matches_a_whole_variable_name_only() -> None:
    assert jt.reads("$error.code", "error")
    assert jt.reads("$count($error)", "error")  # also where a built-in of that name could be
    assert not jt.reads("$errors", "error")
    assert not jt.reads("$error_2", "error")
    assert not jt.reads("error", "error")  # a field, not the variable
    assert jt.reads("$a+$b", "b")


def test_bound_binds_only_the_locals_the_expression_reads() -> None:
    locals_ = {"result": "$states.result.Payload", "error": "$states.input"}
    assert jt.bound("$result.x", locals_) == "($result := $states.result.Payload; $result.x)"
    assert jt.bound("$other", locals_) == "$other"


def test_value_with_keeps_a_literal_and_binds_an_expression() -> None:
    locals_ = {"item": "$states.input"}
    # A literal that looks like a reference stays text: only `{% %}` is evaluated.
    assert jt.value_with("$item", locals_) == "$item"
    assert jt.value_with("{% $item.id %}", locals_) == "{% ($item := $states.input; $item.id) %}"
    assert jt.value_with("{% $n %}", locals_) == "{% $n %}"


# -- sequential_assign ---------------------------------------------------------------------


def test_outputs_without_anything_to_bind_are_assigned_as_written() -> None:
    assign = jt.sequential_assign(_outs(("a", "text"), ("b", "{% $n + 1 %}")), {}, free_variables)
    assert assign == {
        "a": "text",
        "b": "{% ($__value := $n + 1; $exists($__value) ? $__value : null) %}",
    }


def test_an_output_recomputes_the_earlier_outputs_it_reads_transitively() -> None:
    outputs = _outs(
        ("a", "{% 1 %}"), ("b", "{% $a + 1 %}"), ("c", "{% $x %}"), ("d", "{% $b * 10 %}")
    )
    assign = jt.sequential_assign(outputs, {}, free_variables)
    assert assign["b"] == "{% ($a := 1; $__value := $a + 1; $exists($__value) ? $__value : null) %}"
    assert (
        assign["c"] == "{% ($__value := $x; $exists($__value) ? $__value : null) %}"
    )  # c reads no earlier output
    assert (
        assign["d"]
        == "{% ($a := 1; $b := ($__value := $a + 1; $exists($__value) ? $__value : null); $__value := $b * 10; $exists($__value) ? $__value : null) %}"
    )  # not c: d does not read it
    assert _evaluate(assign["d"]) == 20


def test_a_literal_read_by_a_later_output_is_bound_as_a_string() -> None:
    assign = jt.sequential_assign(_outs(("a", "x"), ("b", "{% $a & 'y' %}")), {}, free_variables)
    assert assign == {"a": "x", "b": "{% ($a := \"x\"; $a & 'y') %}"}
    assert _evaluate(assign["b"]) == "xy"


def test_an_output_given_twice_reads_its_earlier_value_and_the_last_one_is_assigned() -> None:
    assign = jt.sequential_assign(
        _outs(("x", "{% 1 %}"), ("x", "{% $x + 1 %}")), {}, free_variables
    )
    assert assign == {
        "x": "{% ($x := 1; $__value := $x + 1; $exists($__value) ? $__value : null) %}"
    }
    assert _evaluate(assign["x"]) == 2


def test_locals_come_first_when_the_output_or_an_earlier_one_it_needs_reads_them() -> None:
    locals_ = {"result": "$states.result.Payload", "error": "$states.input"}
    outputs = _outs(("v", "{% $result.value %}"), ("w", "{% $v * 2 %}"), ("k", "{% 3 %}"))
    assign = jt.sequential_assign(outputs, locals_, free_variables)
    assert (
        assign["v"]
        == "{% ($result := $states.result.Payload; $__value := $result.value; $exists($__value) ? $__value : null) %}"
    )
    # w reads only $v, whose text reads $result: the prelude binds it before $v.
    assert assign["w"] == (
        "{% ($result := $states.result.Payload; $v := ($__value := $result.value; $exists($__value) ? $__value : null); $__value := $v * 2; $exists($__value) ? $__value : null) %}"
    )
    assert assign["k"] == "{% 3 %}"


def test_write_renames_the_assigned_variable_not_the_names_inside() -> None:
    outputs = _outs(("a", "{% 1 %}"), ("b", "{% $a %}"))
    assign = jt.sequential_assign(outputs, {}, free_variables, lambda name: f"{name}__s1")
    assert assign == {
        "a__s1": "{% 1 %}",
        "b__s1": "{% ($a := 1; $__value := $a; $exists($__value) ? $__value : null) %}",
    }


# -- sequential_value ----------------------------------------------------------------------


def test_sequential_value_is_the_final_text_after_the_outputs_it_needs() -> None:
    outputs = _outs(("a", "{% $item * 2 %}"), ("b", "{% 0 %}"))
    value = jt.sequential_value(outputs, "$a + 1", {"item": "$states.input"}, free_variables)
    assert (
        value
        == "{% ($item := $states.input; $a := ($__value := $item * 2; $exists($__value) ? $__value : null); $__value := $a + 1; $exists($__value) ? $__value : null) %}"
    )
    assert (
        jt.sequential_value([], "$result", {}, free_variables)
        == "{% ($__value := $result; $exists($__value) ? $__value : null) %}"
    )

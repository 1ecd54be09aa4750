"""`code.js` on the real V8 (mini-racer) with the real lodash, moment and SES from node_modules:
what the code sees and does not, its errors with the user's own line, its limits ending the
call (and a dev server staying responsive, its memory coming back), no state from one call in
the next, and a script task and an error boundary through the engine."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.scenario_files import run_file
from automations.components import code_sandbox, registry
from automations.components.code_js import HEAP_ENV, TIMEOUT_ENV, CodeLimits
from automations.components.errors import ComponentError
from automations.components.invoke import invoke
from automations.components.registry import ComponentContext
from automations.errors import SettingsInvalid
from support.bpmn_documents import chain, make_xml, task_with
from support.devserver import Dev, starter, stop_all

SPEC = registry.get("code.js")


def call(code: str, variables: dict[str, Any] | None = None, **context: Any) -> Any:
    payload = {"code": code, "variables": variables or {}}
    return invoke(SPEC, payload, ComponentContext(**context))


def failure(code: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    with pytest.raises(ComponentError) as caught:
        call(code, variables)
    return type(caught.value).__name__, str(caught.value)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    monkeypatch.setenv(HEAP_ENV, "32")


# --- what the code sees ----------------------------------------------------------------------


def test_the_variables_are_local_names_and_the_return_is_the_result() -> None:
    code = (
        "const lines = order.lines;\nreturn {total: lines.reduce((s, l) => s + l.qty * price, 0)}"
    )
    assert call(code, {"order": {"lines": [{"qty": 2}, {"qty": 3}]}, "price": 10}) == {"total": 50}


def test_lodash_and_moment_are_there() -> None:
    code = (
        "const byCity = _.groupBy(people, 'city');\n"
        "return {cities: _.sortBy(_.keys(byCity)), oldest: _.maxBy(people, 'age').name,\n"
        "  due: moment.utc('2024-01-31').add(1, 'month').format('YYYY-MM-DD'),\n"
        "  ru: moment.utc('2024-03-08').locale('ru').format('D MMMM'),\n"
        "  days: moment.utc('2024-03-01').diff(moment.utc('2024-02-01'), 'days')}"
    )
    people = [
        {"name": "Ann", "city": "Omsk", "age": 40},
        {"name": "Bob", "city": "Kazan", "age": 30},
    ]
    assert call(code, {"people": people}) == {
        "cities": ["Kazan", "Omsk"],
        "oldest": "Ann",
        "due": "2024-02-29",
        "ru": "8 марта",
        "days": 29,
    }


@pytest.mark.parametrize(
    "name",
    [
        "require",
        "process",
        "fetch",
        "setTimeout",
        "setInterval",
        "setImmediate",
        "console",
        "WebAssembly",
        "ArrayBuffer",
        "Uint8Array",
        "XMLHttpRequest",
        "__codejs",
        "global",
        "module",
    ],
)
def test_what_the_code_cannot_reach_is_absent(name: str) -> None:
    assert call(f"return [typeof {name}, typeof globalThis.{name}]") == ["undefined", "undefined"]


def test_the_built_ins_and_the_libraries_cannot_be_changed() -> None:
    assert failure("Array.prototype.sum = 1; return 1") == (
        "code.error",
        "TypeError: Cannot add property sum, object is not extensible (line 1, column 21)",
    )
    assert failure("_.map = null; return 1")[0] == "code.error"
    assert call("return [1, 2].map(x => x * 2)") == [2, 4]
    assert call("return _.map([1], x => x + 1)") == [2]


def test_a_class_of_the_code_may_still_override_inherited_methods() -> None:
    # Frozen built-ins must not stop `F.prototype.toString = ...` (SES's override taming).
    code = (
        "function F() {}\nF.prototype.toString = function () { return 'F!'; };\nreturn `${new F()}`"
    )
    assert call(code) == "F!"


# --- errors ----------------------------------------------------------------------------------


def test_a_thrown_error_names_its_line_and_column_in_the_code() -> None:
    code = "const a = 1;\nconst b = items.length;\n\n  return b.missing.field;"
    assert failure(code, {"items": []}) == (
        "code.error",
        "TypeError: Cannot read properties of undefined (reading 'field') (line 4, column 20)",
    )


def test_a_syntax_error_names_its_line_and_column() -> None:
    assert failure("const a = 1;\nconst b = (a +;\nreturn b") == (
        "code.error",
        "SyntaxError: Unexpected token ';' (line 2, column 15)",
    )


def test_a_thrown_value_that_is_not_an_error_is_its_message() -> None:
    assert failure("throw 'no customer'") == ("code.error", "no customer")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("const a = 1;", "the code returned undefined: end it with `return <value>`"),
        ("return {f: () => 1}", "the returned value is not JSON: a function at $.f"),
        ("return [1, 0 / 0]", "the returned value is not JSON: NaN at $[1] is not a JSON number"),
        ("return {a: {b: 1 / 0}}", "not JSON: Infinity at $.a.b is not a JSON number"),
        ("return 10n", "not JSON: a BigInt at $: convert it with Number() or String()"),
        ("return {m: new Map()}", "not JSON: a Map at $.m"),
        ("const a = {}; a.me = [a]; return a", "not JSON: the value at $.me[0] contains itself"),
        ("return {'odd key': Symbol()}", 'not JSON: a symbol at $["odd key"]'),
    ],
)
def test_a_result_that_is_not_json_is_refused_by_name(code: str, message: str) -> None:
    code_name, text = failure(code)
    assert code_name == "code.result"
    assert text.endswith(message)


def test_what_json_drops_anyway_is_dropped_and_dates_are_iso_text() -> None:
    code = "return {gone: undefined, list: [undefined, 1], at: new Date(0), m: moment.utc(0)}"
    assert call(code) == {
        "list": [None, 1],
        "at": "1970-01-01T00:00:00.000Z",
        "m": "1970-01-01T00:00:00.000Z",
    }


def test_a_result_deeper_than_the_process_data_limit_is_refused() -> None:
    code = "let v = 1; for (let i = 0; i < 20; i++) v = [v]; return v"
    with pytest.raises(ComponentError) as caught:
        call(code, max_json_depth=8)
    assert type(caught.value).__name__ == "code.result"
    assert "nests deeper than 8 levels" in str(caught.value)


def test_an_endless_loop_ends_as_a_timeout_and_the_next_call_works(small_limits: None) -> None:
    assert failure("let i = 0;\nwhile (true) { i++; }") == (
        "code.timeout",
        "the code was still running after 0.5 s",
    )
    assert call("return 2 + 2") == 4


def test_an_allocation_storm_ends_as_memory_and_the_next_call_works(small_limits: None) -> None:
    storm = "const keep = [];\nwhile (true) keep.push(new Array(1e6).fill(keep.length));"
    assert failure(storm) == ("code.memory", "the code used more than 32 MB of memory")
    assert call("return _.sum([1, 2])") == 3


def test_limits_that_do_not_fit_are_a_settings_error() -> None:
    with pytest.raises(SettingsInvalid, match=TIMEOUT_ENV):
        CodeLimits.from_environment({TIMEOUT_ENV: "0"})
    assert CodeLimits.from_environment({HEAP_ENV: "64"}).max_heap_mb == 64


# --- nothing passes from one call to the next ------------------------------------------------


def test_a_thousand_calls_in_a_row_see_nothing_of_each_other() -> None:
    made = code_sandbox.POOL.created
    code = (
        "const seen = [typeof leaked, typeof globalThis.mark, moment.locale()];\n"
        "globalThis.mark = n; leakedSet(); moment.locale('ru');\n"
        "function leakedSet() { globalThis.leaked = n; }\n"
        "return {n, seen}"
    )
    for n in range(1000):
        assert call(code, {"n": n}) == {"n": n, "seen": ["undefined", "undefined", "en"]}
    # The same engine served them all (a new isolate per call would not be < 1 ms).
    assert code_sandbox.POOL.created - made <= 1


def test_a_call_that_changes_moments_inner_settings_uses_the_engine_up() -> None:
    call("moment.updateLocale('en', {months: Array(12).fill('M')}); return 1")
    assert call("return moment.utc('2024-05-01').format('MMMM')") == "May"


def test_concurrent_calls_each_get_an_engine_of_their_own() -> None:
    from concurrent.futures import ThreadPoolExecutor

    code = "globalThis.mine = n; let s = 0; for (let i = 0; i < 1e5; i++) s += i; return [n, mine]"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: call(code, {"n": n}), range(40)))
    assert results == [[n, n] for n in range(40)]


# --- in scenarios ----------------------------------------------------------------------------


def boundary_scenario(code: str) -> str:
    extensions = (
        '<auto:component type="code.js"/>'
        f'<auto:input name="code" value="{code}"/>'
        '<auto:input name="variables" value="{% {\'items\': $items} %}"/>'
        '<auto:output name="total" value="{% $result %}"/>'
    )
    body = (
        '<bpmn:startEvent id="Start"/>'
        + task_with("Sum", extensions, "serviceTask")
        + '<bpmn:boundaryEvent id="Failed" attachedToRef="Sum"><bpmn:extensionElements>'
        '<auto:output name="problem" value="{% $error %}"/></bpmn:extensionElements>'
        '<bpmn:errorEventDefinition errorRef="CodeError"/></bpmn:boundaryEvent>'
        '<bpmn:endEvent id="End"/><bpmn:endEvent id="Caught"/>'
        + chain("Start", "Sum", "End")
        + '<bpmn:sequenceFlow id="b1" sourceRef="Failed" targetRef="Caught"/>'
    )
    return make_xml(body, after='<bpmn:error id="CodeError" errorCode="code.error"/>\n')


def test_a_thrown_error_reaches_an_error_boundary_with_its_message_and_line(
    tmp_path: Path,
) -> None:
    code = "if (!items.length) {&#10;  throw new Error('no items');&#10;}&#10;return _.sum(items)"
    path = tmp_path / "sum.bpmn"
    path.write_text(boundary_scenario(code), encoding="utf-8")
    done = run_file(path, {"items": [1, 2, 3]})
    assert (done.status, done.output["total"]) == ("completed", 6)
    caught = run_file(path, {"items": []})
    assert caught.status == "completed"
    assert caught.output["problem"] == {
        "code": "code.error",
        "message": "Error: no items (line 2, column 9)",
    }
    assert caught.trace[-2:] == ["Failed", "Caught"]


SCRIPT_TASK = """<bpmn:startEvent id="Start"/>
<bpmn:scriptTask id="Score" scriptFormat="{format}">
  <bpmn:extensionElements><auto:output name="score" value="{{% $result.score %}}"/>
  </bpmn:extensionElements>
  <bpmn:script><![CDATA[const score = _.sumBy(values.answers, 'points') * weight;
return {{score: score, seen: typeof item}};]]></bpmn:script>
</bpmn:scriptTask>
<bpmn:endEvent id="End"/>
""" + chain("Start", "Score", "End")


@pytest.mark.parametrize("script_format", ["javascript", "JavaScript", "text/javascript", "js"])
def test_a_javascript_script_task_sees_the_process_variables_by_name(
    tmp_path: Path, script_format: str
) -> None:
    path = tmp_path / "score.bpmn"
    path.write_text(make_xml(SCRIPT_TASK.format(format=script_format)), encoding="utf-8")
    answers = [{"points": 2}, {"points": 5}]
    done = run_file(path, {"values": {"answers": answers}, "weight": 3})
    assert done.status == "completed", done.error
    assert done.output["score"] == 21


# --- a dev server around the limits ----------------------------------------------------------

# 8 MB a round: past the heap limit in a few rounds, well before the time limit, however loaded
# the machine is (small objects took longer than 0.5 s to fill 64 MB on a busy CI machine).
STORM = "const keep = [];&#10;while (true) keep.push(new Array(1e6).fill(keep.length));"
LOOP = "while (true) {}"


def code_scenario(code: str) -> str:
    extensions = (
        f'<auto:component type="code.js"/><auto:input name="code" value="{code}"/>'
        '<auto:output name="out" value="{% $result %}"/>'
    )
    body = (
        '<bpmn:startEvent id="Start"/>'
        + task_with("Code", extensions, "serviceTask")
        + '<bpmn:endEvent id="End"/>'
        + chain("Start", "Code", "End")
    )
    return make_xml(body)


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[Dev]:
    started: list[Dev] = []
    try:
        yield starter(tmp_path, started)(code_timeout_seconds=0.5, code_max_heap_mb=64)
    finally:
        stop_all(started)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def run_on(dev: Dev, scenario_id: str) -> dict[str, Any]:
    return dev.ok("POST", f"/api/v1/scenarios/{scenario_id}/run", json={"input": {}})  # type: ignore[no-any-return]


def test_a_dev_server_stays_responsive_and_gets_its_memory_back(dev: Dev) -> None:
    for name, code in (("ok", "return 1"), ("loop", LOOP), ("storm", STORM)):
        xml = code_scenario(code)
        headers = {"Content-Type": "application/xml"}
        dev.ok("PUT", f"/api/v1/scenarios/{name}", content=xml, headers=headers)
    assert run_on(dev, "ok")["output"]["out"] == 1
    assert dev.proc is not None
    before = rss_mb(dev.proc.pid)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as background:
        for name, code in (("loop", "code.timeout"), ("storm", "code.memory")):
            for _ in range(3):
                running = background.submit(run_on, dev, name)
                # While a call spins or allocates, the server answers other requests.
                while not running.done():
                    dev.ok("GET", "/api/v1/components")
                    time.sleep(0.05)
                assert running.result()["error"]["code"] == code
    assert run_on(dev, "ok")["output"]["out"] == 1
    after = rss_mb(dev.proc.pid)
    assert after < before + 150, json.dumps({"before": before, "after": after})

"""Benchmark: parse + validate + compile of generated scenarios of 50, 200 and 1,000 elements.

    .venv/bin/python bench/compile.py [--repeat 30]

A scenario is a chain of segments; each segment has a task with outputs, an exclusive split
with a default branch and a merge, a parallel block of two branches, and a `parse` service
task: the element kinds real scenarios are made of. Prints a Markdown table for
docs/benchmarks.md (median and best of N runs, and time per element to show the growth),
once with the expressions' compiled forms cached (a scenario saved again) and once cold.
"""

from __future__ import annotations

import argparse
import statistics
import time

from automations.expressions.free_vars import _free_variables
from automations.expressions.jsonata_expr import compile_jsonata
from automations.service.scenarios import compile_bpmn

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="Defs" targetNamespace="urn:bench">\n'
    '<bpmn:process id="bench" isExecutable="true">\n'
)
SEGMENT_SIZE = 12  # flow nodes per segment, see _segment


def _segment(i: int, prev: str) -> tuple[list[str], str]:
    """Twelve flow nodes and their flows; returns (xml lines, id of the last node)."""
    n = f"s{i}"
    nodes = [
        f'<bpmn:task id="{n}_calc"><bpmn:extensionElements>'
        f'<auto:output name="v{i}" value="{{% $counter + {i} %}}"/>'
        f'<auto:output name="counter" value="{{% $counter + 1 %}}"/>'
        "</bpmn:extensionElements></bpmn:task>",
        f'<bpmn:exclusiveGateway id="{n}_split" default="{n}_f3"/>',
        f'<bpmn:task id="{n}_big"><bpmn:extensionElements><auto:output name="size" value="big"/>'
        "</bpmn:extensionElements></bpmn:task>",
        f'<bpmn:task id="{n}_small"><bpmn:extensionElements>'
        '<auto:output name="size" value="small"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:exclusiveGateway id="{n}_merge"/>',
        f'<bpmn:parallelGateway id="{n}_fork"/>',
        f'<bpmn:task id="{n}_left"><bpmn:extensionElements><auto:output name="left{i}" '
        f'value="{{% $v{i} * 2 %}}"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:task id="{n}_right"><bpmn:extensionElements><auto:output name="right{i}" '
        f'value="{{% $v{i} * 3 %}}"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:parallelGateway id="{n}_join"/>',
        f'<bpmn:serviceTask id="{n}_parse"><bpmn:extensionElements>'
        '<auto:component type="parse"/><auto:input name="data" value="{% $doc %}"/>'
        '<auto:input name="query" value="$.a"/>'
        f'<auto:output name="p{i}" value="{{% $result.value %}}"/></bpmn:extensionElements>'
        "</bpmn:serviceTask>",
        f'<bpmn:intermediateCatchEvent id="{n}_wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>",
        f'<bpmn:task id="{n}_done"/>',
    ]
    flows = [
        (prev, f"{n}_calc", ""),
        (f"{n}_calc", f"{n}_split", ""),
        (f"{n}_split", f"{n}_big", f"{{% $v{i} &gt; 10 %}}"),
        (f"{n}_split", f"{n}_small", ""),
        (f"{n}_big", f"{n}_merge", ""),
        (f"{n}_small", f"{n}_merge", ""),
        (f"{n}_merge", f"{n}_fork", ""),
        (f"{n}_fork", f"{n}_left", ""),
        (f"{n}_fork", f"{n}_right", ""),
        (f"{n}_left", f"{n}_join", ""),
        (f"{n}_right", f"{n}_join", ""),
        (f"{n}_join", f"{n}_parse", ""),
        (f"{n}_parse", f"{n}_wait", ""),
        (f"{n}_wait", f"{n}_done", ""),
    ]
    lines = list(nodes)
    for k, (src, dst, cond) in enumerate(flows):
        fid = f"{n}_f{k}"
        if cond:
            lines.append(
                f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">'
                f"<bpmn:conditionExpression>{cond}</bpmn:conditionExpression></bpmn:sequenceFlow>"
            )
        else:
            lines.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}"/>')
    return lines, f"{n}_done"


def scenario(elements: int) -> tuple[str, int]:
    """A valid scenario with about `elements` flow nodes; returns it and its exact node count."""
    lines = ['<bpmn:startEvent id="start"/>']
    prev = "start"
    segments = max(1, (elements - 2) // SEGMENT_SIZE)
    for i in range(segments):
        segment, prev = _segment(i, prev)
        lines += segment
    lines += [
        '<bpmn:endEvent id="end"/>',
        f'<bpmn:sequenceFlow id="last" sourceRef="{prev}" targetRef="end"/>',
    ]
    text = HEAD + "\n".join(lines) + "\n</bpmn:process>\n</bpmn:definitions>\n"
    return text, segments * SEGMENT_SIZE + 2


def _forget_expressions() -> None:
    """Cold run: no JSONata text has been seen before (the XSD stays loaded, as in a server)."""
    compile_jsonata.cache_clear()
    _free_variables.cache_clear()


def measure(text: str, repeat: int, *, cold: bool) -> list[float]:
    data = text.encode()
    compile_bpmn(data, file="bench.bpmn")  # load the XSD and warm the interpreter first
    times = []
    for _ in range(repeat):
        if cold:
            _forget_expressions()
        start = time.perf_counter()
        compile_bpmn(data, file="bench.bpmn")
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(
        "| elements (flow nodes) | flows | expressions seen before | median ms | best ms "
        "| µs per element (median) |"
    )
    print("|---:|---:|---|---:|---:|---:|")
    for size in (50, 200, 1000):
        text, nodes = scenario(size)
        flows = text.count("<bpmn:sequenceFlow")
        for cold in (False, True):
            times = measure(text, args.repeat, cold=cold)
            median = statistics.median(times)
            print(
                f"| {nodes} | {flows} | {'no' if cold else 'yes'} | {median:.2f} "
                f"| {min(times):.2f} | {median / nodes * 1000:.1f} |"
            )


if __name__ == "__main__":
    main()

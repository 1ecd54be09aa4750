"""Benchmark: parse + validate + compile of generated scenarios of 50 to 5,000 elements.

    .venv/bin/python bench/compile.py [--repeat 5] [--sizes 50,200,1000,2000,5000]

A scenario is a chain of segments; each segment has a task with outputs, an exclusive split
with a default branch and a merge, a parallel block of two branches, and a `parse` service
task: the element kinds real scenarios are made of. Every expression in a file is a different
text (its number says where it is). Prints a Markdown table for docs/benchmarks.md (median and
spread of N runs, and time per element to show the growth), in two cases:

- expressions seen before: the same file compiled again (a scenario saved again, or validated
  by the editor after a change elsewhere in it);
- every expression new: each run compiles a file whose expressions are texts this process has
  never seen (the same shape, other numbers), so no cache of any kind can answer for them.

To compare two trees, run it once per tree (`PYTHONPATH=<copy of src> .venv/bin/python ...`).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

from automations.service.scenarios import compile_bpmn

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="Defs" targetNamespace="urn:bench">\n'
    '<bpmn:process id="bench" isExecutable="true">\n'
)
SEGMENT_SIZE = 12  # flow nodes per segment, see _segment


def _segment(i: int, prev: str, salt: int) -> tuple[list[str], str]:
    """Twelve flow nodes and their flows; returns (xml lines, id of the last node).

    `salt` makes each expression's number (and so its text) one no other salt gives."""
    n = f"s{i}"
    # Seven expressions per segment, each with its own number.
    num = [salt * 10**8 + i * 10 + position for position in range(7)]
    nodes = [
        f'<bpmn:task id="{n}_calc"><bpmn:extensionElements>'
        f'<auto:output name="v{i}" value="{{% $counter + {num[0]} %}}"/>'
        f'<auto:output name="counter" value="{{% $counter + {num[1]} %}}"/>'
        "</bpmn:extensionElements></bpmn:task>",
        f'<bpmn:exclusiveGateway id="{n}_split" default="{n}_f3"/>',
        f'<bpmn:task id="{n}_big"><bpmn:extensionElements><auto:output name="size" value="big"/>'
        "</bpmn:extensionElements></bpmn:task>",
        f'<bpmn:task id="{n}_small"><bpmn:extensionElements>'
        '<auto:output name="size" value="small"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:exclusiveGateway id="{n}_merge"/>',
        f'<bpmn:parallelGateway id="{n}_fork"/>',
        f'<bpmn:task id="{n}_left"><bpmn:extensionElements><auto:output name="left{i}" '
        f'value="{{% $v{i} * {num[2]} %}}"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:task id="{n}_right"><bpmn:extensionElements><auto:output name="right{i}" '
        f'value="{{% $v{i} * {num[3]} %}}"/></bpmn:extensionElements></bpmn:task>',
        f'<bpmn:parallelGateway id="{n}_join"/>',
        f'<bpmn:serviceTask id="{n}_parse"><bpmn:extensionElements>'
        '<auto:component type="parse"/>'
        f'<auto:input name="data" value="{{% $doc.d{num[4]} %}}"/>'
        '<auto:input name="query" value="$.a"/>'
        f'<auto:output name="p{i}" value="{{% $result.v{num[5]} %}}"/></bpmn:extensionElements>'
        "</bpmn:serviceTask>",
        f'<bpmn:intermediateCatchEvent id="{n}_wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>",
        f'<bpmn:task id="{n}_done"/>',
    ]
    flows = [
        (prev, f"{n}_calc", ""),
        (f"{n}_calc", f"{n}_split", ""),
        (f"{n}_split", f"{n}_big", f"{{% $v{i} &gt; {num[6]} %}}"),
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


def scenario(elements: int, salt: int = 0) -> tuple[str, int]:
    """A valid scenario with about `elements` flow nodes; returns it and its exact node count."""
    lines = ['<bpmn:startEvent id="start"/>']
    prev = "start"
    segments = max(1, (elements - 2) // SEGMENT_SIZE)
    for i in range(segments):
        segment, prev = _segment(i, prev, salt)
        lines += segment
    lines += [
        '<bpmn:endEvent id="end"/>',
        f'<bpmn:sequenceFlow id="last" sourceRef="{prev}" targetRef="end"/>',
    ]
    text = HEAD + "\n".join(lines) + "\n</bpmn:process>\n</bpmn:definitions>\n"
    return text, segments * SEGMENT_SIZE + 2


_salts = itertools.count(1)  # salt 0 is the file whose expressions are seen before


def measure(size: int, repeat: int, *, new_expressions: bool) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `compile_bpmn` per run (the XSD loaded and the interpreter
    warm first). On a shared machine the CPU time moves less with the load than the wall time."""
    compile_bpmn(scenario(size)[0].encode(), file="bench.bpmn")
    wall, cpu = [], []
    for _ in range(repeat):
        data = scenario(size, next(_salts) if new_expressions else 0)[0].encode()
        start, start_cpu = time.perf_counter(), time.process_time()
        compile_bpmn(data, file="bench.bpmn")
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def _load() -> str:
    return " ".join(f"{average:.2f}" for average in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="50,200,1000,2000,5000")
    args = parser.parse_args()
    print(f"load average before: {_load()}")
    print(
        "| elements (flow nodes) | flows | expressions | median ms | spread ms "
        "| µs per element (median) | CPU ms (median) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        text, nodes = scenario(size)
        flows = text.count("<bpmn:sequenceFlow")
        for new in (False, True):
            times, cpu = measure(size, args.repeat, new_expressions=new)
            median = statistics.median(times)
            print(
                f"| {nodes} | {flows} | {'every one new' if new else 'seen before'} "
                f"| {median:.2f} | {min(times):.2f}–{max(times):.2f} "
                f"| {median / nodes * 1000:.1f} | {statistics.median(cpu):.2f} |",
                flush=True,
            )
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()

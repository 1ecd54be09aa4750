"""Small BPMN documents for the tests: a process body wrapped into a complete file."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from automations import bpmn
from automations.components.registry import CATALOGUE

HEADER = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:auto="urn:automations:bpmn:1" id="Defs" targetNamespace="urn:test">\n'
)
# Start -> End: the smallest process that loads.
MINIMAL_BODY = """<bpmn:startEvent id="Start"/>
<bpmn:endEvent id="End"/>
<bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End"/>"""


def make_xml(
    body: str = MINIMAL_BODY, *, after: str = "", process: str = 'id="P" isExecutable="true"'
) -> str:
    """A definitions document: line 1 the root, line 2 the process, the body from line 3."""
    return f"{HEADER}<bpmn:process {process}>\n{body}\n</bpmn:process>\n{after}</bpmn:definitions>"


def flow(ident: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def chain(*ids: str) -> str:
    """Sequence flows c1, c2, ... linking the given element ids in order."""
    return "\n".join(flow(f"c{i}", a, b) for i, (a, b) in enumerate(pairwise(ids)))


def task_with(ident: str, extensions: str, tag: str = "task", inner: str = "") -> str:
    return (
        f'<bpmn:{tag} id="{ident}"><bpmn:extensionElements>{extensions}'
        f"</bpmn:extensionElements>{inner}</bpmn:{tag}>"
    )


def load_scenario(source: bpmn.Source, **options: Any) -> bpmn.Scenario:
    """`automations.bpmn.load_scenario` knowing the product's components unless told others, as
    the use cases call it (`automations validate`, the API): validation is handed them."""
    options.setdefault("known_components", CATALOGUE)
    return bpmn.load_scenario(source, **options)

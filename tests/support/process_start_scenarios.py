"""Scenarios the process.start tests save: a child that doubles a number, parents that start a
scenario through `process.start`, a child that fails, a scenario that starts itself."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="Defs" targetNamespace="urn:test">\n'
)


def child() -> str:
    """`doubled = n * 2`, and `seen` = who started it ($event.id)."""
    return (
        HEAD
        + """<bpmn:process id="double" isExecutable="true">
  <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:task id="Double">
    <bpmn:extensionElements>
      <auto:output name="doubled" value="{% $n * 2 %}"/>
      <auto:output name="seen" value="{% $event.id %}"/>
    </bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  </bpmn:task>
  <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Double"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Double" targetRef="End"/>
</bpmn:process>
</bpmn:definitions>
"""
    )


def failing() -> str:
    """Ends at an error end event `child.refused`."""
    return (
        HEAD
        + """<bpmn:error id="E" name="refused" errorCode="child.refused"/>
<bpmn:process id="failing" isExecutable="true">
  <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:endEvent id="Refuse"><bpmn:incoming>f1</bpmn:incoming>
    <bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Refuse"/>
</bpmn:process>
</bpmn:definitions>
"""
    )


def starter(
    process_id: str, scenario: str, variables: str, wait: bool, *, catch: str | None = None
) -> str:
    """A process.start of `scenario` (a literal or an expression) with `variables` (an
    expression); `started` holds its result. With `catch`, an error boundary for that code
    (or every code: "") sets `failure` to the error."""
    boundary = ""
    if catch is not None:
        ref = ' errorRef="Caught"' if catch else ""
        boundary = f"""  <bpmn:boundaryEvent id="Failed" attachedToRef="Start1">
    <bpmn:extensionElements><auto:output name="failure" value="{{% $error %}}"/></bpmn:extensionElements>
    <bpmn:outgoing>f3</bpmn:outgoing><bpmn:errorEventDefinition{ref}/>
  </bpmn:boundaryEvent>
  <bpmn:endEvent id="Caught1"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="Failed" targetRef="Caught1"/>
"""
    error = f'<bpmn:error id="Caught" name="caught" errorCode="{catch}"/>\n' if catch else ""
    return (
        HEAD
        + error
        + f"""<bpmn:process id="{process_id}" isExecutable="true">
  <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:serviceTask id="Start1">
    <bpmn:extensionElements>
      <auto:component type="process.start"/>
      <auto:input name="scenarioId" value={quoteattr(scenario)}/>
      <auto:input name="variables" value={quoteattr(variables)}/>
      <auto:input name="wait" value="{{% {str(wait).lower()} %}}"/>
      <auto:output name="started" value="{{% $result %}}"/>
    </bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  </bpmn:serviceTask>
{boundary}  <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Start1"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Start1" targetRef="End"/>
</bpmn:process>
</bpmn:definitions>
"""
    )

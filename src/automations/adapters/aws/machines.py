"""State machines for compiled scenarios: names, ARN substitution, create once and reuse.

A compiled definition names what it calls with placeholders (`${Component.<name>}` for a
component's Lambda function, `${Scenario.<id>}` for the latest STANDARD machine of a called
scenario). `Machines.ensure` replaces them with ARNs and makes sure the machine exists.

Machines are content-addressed: the name is `<prefix><scenario id>-<std|exp>-<hash>` (the prefix,
`STATE_MACHINE_PREFIX`, is the stack's name and `-`, so IAM rights and the end-event rule can
name this stack's machines and no others), where the hash
covers the machine's own definition and the definitions of every scenario it can reach through
call activities (cycles included: a scenario that calls itself, or two that call each other).
So a name always stands for one definition text: saving an unchanged scenario finds its machine,
a changed scenario (or a changed called scenario) gets a new one, and every ARN is known before
anything is created. Old machines are never updated in place: executions started on them keep
running the definition they started with, as AWS does for a machine version.

Every machine is created with the LoggingConfiguration the environment names
(`machine_logs.py`: level ERROR, execution data off unless turned on); a machine keeps the one
it was created with, so a changed setting reaches the machines created after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from automations.adapters.aws.client_errors import Meaning, meaning, step_functions_failed
from automations.adapters.aws.errors import CalledScenarioMissing, MachineSetupInvalid
from automations.adapters.aws.machine_logs import logging_configuration
from automations.service.processes import EXPRESS, STANDARD

COMPONENT_PREFIX_ENV = "COMPONENT_FUNCTION_PREFIX"
ROLE_ENV = "STATE_MACHINE_ROLE_ARN"
PREFIX_ENV = "STATE_MACHINE_PREFIX"  # the stack's name and "-": IAM rights name these machines
MAX_PREFIX = 40
NAME_LIMIT = 80  # Step Functions' limit on a state machine name
HASH_CHARS = 16  # 64 bits of SHA-256: enough that two definitions never share a name
_TAG = {STANDARD: "std", EXPRESS: "exp"}
_ID_CHARS = NAME_LIMIT - len("-std-") - HASH_CHARS
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PLACEHOLDER = re.compile(r"^\$\{(Component|Scenario)\.([^}]+)\}$")

ChildLookup = Callable[[str], tuple[str, Mapping[str, Any]] | None]
ComponentArn = Callable[[str], str]
_Key = tuple[str, str, str]  # scenario id, flavour, definition text


def component_arn_from_prefix(prefix: str) -> ComponentArn:
    """The convention of template.yaml: the function of component `a.b` is `<prefix>a-b`."""
    return lambda name: f"{prefix}{name.replace('.', '-')}"


def canonical_text(definition: Mapping[str, Any]) -> str:
    """The one text of a definition: sorted keys (a store may not keep key order; ASL gives
    object key order no meaning), compact, UTF-8 kept."""
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def machine_name(scenario_id: str, flavour: str, digest: str, prefix: str = "") -> str:
    """`<prefix><scenario id>-<std|exp>-<hash>`, within 80 characters of `[A-Za-z0-9_-]`."""
    readable = _UNSAFE.sub("_", scenario_id)[: _ID_CHARS - len(prefix)]
    return f"{prefix}{readable}-{_TAG[flavour]}-{digest[:HASH_CHARS]}"


@dataclass(frozen=True, slots=True)
class _Node:
    """One machine to name: its scenario, flavour and definition with components replaced."""

    scenario_id: str
    flavour: str
    template: Any  # the definition, `${Scenario.x}` still in place
    text: str  # canonical text of `template`
    calls: tuple[str, ...]  # scenario ids it calls, sorted

    @property
    def key(self) -> _Key:
        return self.scenario_id, self.flavour, self.text


@dataclass(frozen=True, slots=True)
class Machine:
    """A machine as it must exist: name, ARN and the definition text to create it with."""

    name: str
    arn: str
    flavour: str
    definition: str


class Machines:
    """Names, substitutes and creates state machines (thread-safe; caches what exists)."""

    def __init__(
        self,
        client: Any,
        *,
        role_arn: str,
        component_arn: ComponentArn,
        children: ChildLookup,
        prefix: str = "",
        logging: Mapping[str, Any] | None = None,
    ) -> None:
        """`logging`: the `loggingConfiguration` every created machine gets (None: none)."""
        if len(prefix) > MAX_PREFIX or _UNSAFE.search(prefix):
            raise MachineSetupInvalid(
                f"{PREFIX_ENV} must be at most {MAX_PREFIX} of [A-Za-z0-9_-] (a shorter stack "
                f"name), not {prefix!r}"
            )
        self._prefix = prefix
        self._client = client
        self._role_arn = role_arn
        self._arn_prefix = _machine_arn_prefix(role_arn, str(client.meta.region_name))
        self._component_arn = component_arn
        self._children = children
        self._logging = {"loggingConfiguration": dict(logging)} if logging else {}
        self._existing: set[str] = set()  # names known to exist (names never change content)
        self._lock = threading.Lock()

    @classmethod
    def from_environment(
        cls, client: Any, children: ChildLookup, environ: Mapping[str, str] | None = None
    ) -> Machines:
        """Role, component prefix and machine name prefix from STATE_MACHINE_ROLE_ARN,
        COMPONENT_FUNCTION_PREFIX and STATE_MACHINE_PREFIX (optional); logging from
        STATE_MACHINE_LOG_GROUP_ARN and STATE_MACHINE_LOG_EXECUTION_DATA (optional)."""
        source = os.environ if environ is None else environ
        missing = [name for name in (ROLE_ENV, COMPONENT_PREFIX_ENV) if not source.get(name)]
        if missing:
            raise MachineSetupInvalid(f"missing environment variables: {', '.join(missing)}")
        return cls(
            client,
            role_arn=source[ROLE_ENV],
            component_arn=component_arn_from_prefix(source[COMPONENT_PREFIX_ENV]),
            children=children,
            prefix=source.get(PREFIX_ENV, ""),
            logging=logging_configuration(source),
        )

    # --- the public operations --------------------------------------------------------------

    def ensure(self, scenario_id: str, flavour: str, definition: Mapping[str, Any]) -> str:
        """The ARN of this definition's machine, created (with the machines it calls) if
        missing. A machine that exists already is reused, whoever created it."""
        machines = self.plan(scenario_id, flavour, definition)
        for machine in reversed(machines):  # called machines first
            self._create(machine)
        return machines[0].arn

    def arn_of(self, scenario_id: str, flavour: str, definition: Mapping[str, Any]) -> str:
        """The ARN `ensure` would return, without calling AWS."""
        return self.plan(scenario_id, flavour, definition)[0].arn

    def plan(self, scenario_id: str, flavour: str, definition: Mapping[str, Any]) -> list[Machine]:
        """The machine of this definition first, then every machine it reaches (called
        scenarios at their latest STANDARD version), each with its final definition text."""
        root = self._node(scenario_id, flavour, definition)
        nodes, edges = self._graph(root)
        names = {key: _name(key, edges, self._prefix) for key in nodes}
        arns = {key: self._arn_prefix + name for key, name in names.items()}
        machines = []
        for key, node in nodes.items():
            called = {child[0]: arns[child] for child in edges[key]}
            final = _substitute(node.template, "Scenario", called.__getitem__)
            machines.append(Machine(names[key], arns[key], node.flavour, canonical_text(final)))
        return machines

    # --- planning ---------------------------------------------------------------------------

    def _node(self, scenario_id: str, flavour: str, definition: Mapping[str, Any]) -> _Node:
        template = _substitute(definition, "Component", self._component_arn)
        calls = tuple(sorted(set(_placeholders(template, "Scenario"))))
        return _Node(scenario_id, flavour, template, canonical_text(template), calls)

    def _graph(self, root: _Node) -> tuple[dict[_Key, _Node], dict[_Key, list[_Key]]]:
        """Every node reachable from `root` (dict order: root first) and its called nodes."""
        nodes = {root.key: root}
        edges: dict[_Key, list[_Key]] = {}
        latest: dict[str, _Node] = {}
        pending = [root]
        while pending:
            node = pending.pop()
            edges[node.key] = []
            for called in node.calls:
                if called not in latest:
                    found = self._children(called)
                    if found is None:
                        raise CalledScenarioMissing(
                            f"scenario {node.scenario_id} calls scenario {called}, which has "
                            "no saved version"
                        )
                    latest[called] = self._node(called, STANDARD, found[1])
                child = latest[called]
                edges[node.key].append(child.key)
                if child.key not in nodes:
                    nodes[child.key] = child
                    pending.append(child)
        return nodes, edges

    # --- creating ---------------------------------------------------------------------------

    def _create(self, machine: Machine) -> None:
        with self._lock:
            if machine.name in self._existing:
                return
        if not self._exists(machine.arn):
            try:
                self._client.create_state_machine(
                    name=machine.name,
                    definition=machine.definition,
                    roleArn=self._role_arn,
                    type=machine.flavour,
                    **self._logging,
                )
            except ClientError as exc:
                # Another caller created it meanwhile: same name, same content.
                if meaning(exc) is not Meaning.ALREADY_EXISTS:
                    raise step_functions_failed("CreateStateMachine", exc) from exc
        with self._lock:
            self._existing.add(machine.name)

    def _exists(self, arn: str) -> bool:
        try:
            self._client.describe_state_machine(stateMachineArn=arn)
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return False
            raise step_functions_failed("DescribeStateMachine", exc) from exc
        return True


def _name(key: _Key, edges: Mapping[_Key, list[_Key]], prefix: str) -> str:
    """Hash of every definition reachable from `key` (itself included), in a fixed order:
    whatever changes in what a machine runs changes its name."""
    reach = {key}
    pending = [key]
    while pending:
        for child in edges[pending.pop()]:
            if child not in reach:
                reach.add(child)
                pending.append(child)
    digest = hashlib.sha256()
    digest.update("\x1e".join(key).encode())  # the machine itself comes first
    for other in sorted(reach - {key}):
        digest.update(b"\x1d" + "\x1e".join(other).encode())
    scenario_id, flavour, _ = key
    return machine_name(scenario_id, flavour, digest.hexdigest(), prefix)


def _machine_arn_prefix(role_arn: str, region: str) -> str:
    """`arn:<partition>:states:<region>:<account>:stateMachine:` from the role's ARN, so that
    every machine's ARN is known before it is created."""
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[4].isdigit():
        raise MachineSetupInvalid(f"not an IAM role ARN: {role_arn!r} ({ROLE_ENV})")
    return f"arn:{parts[1]}:states:{region}:{parts[4]}:stateMachine:"


def execution_arn(machine_arn: str, execution_name: str) -> str:
    """The ARN of the execution named `execution_name` of this machine."""
    return machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + execution_name


def _substitute(value: Any, kind: str, arn_of: Callable[[str], str]) -> Any:
    """A copy of `value` where every string that is exactly `${<kind>.<name>}` is an ARN."""
    if isinstance(value, str):
        found = _PLACEHOLDER.match(value)
        return arn_of(found.group(2)) if found and found.group(1) == kind else value
    if isinstance(value, Mapping):
        return {k: _substitute(v, kind, arn_of) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, kind, arn_of) for v in value]
    return value


def _placeholders(value: Any, kind: str) -> Iterable[str]:
    if isinstance(value, str):
        found = _PLACEHOLDER.match(value)
        if found and found.group(1) == kind:
            yield found.group(2)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _placeholders(item, kind)
    elif isinstance(value, list):
        for item in value:
            yield from _placeholders(item, kind)

"""State machines for compiled scenarios: one per scenario and kind, a version per change.

A compiled definition names what it calls with placeholders (`${Component.<name>}` for a
component's Lambda function, `${Scenario.<id>}` for a called scenario). The machine text has
them replaced by ARNs: a component's function, and the called scenario's STANDARD machine,
unqualified, so a call activity runs the called scenario's newest version at the moment of the
call (as the embedded engine does), and a caller's text does not change when its callee does.

Each scenario has one machine per kind, `<prefix><scenario id>-<std|exp>` (the prefix,
`STATE_MACHINE_PREFIX`, is the deployment's name and `-`, so IAM rights, the end-event rule and
the teardown name this stack's machines and no others). Saving a changed scenario updates the
machine and publishes a Step Functions version (UpdateStateMachine with publish); saving an
unchanged one publishes nothing. A process starts on the version whose text is its scenario
version's, found among the machine's versions by content (newest first, then cached): so a
process of version 3 runs version 3 after version 4 was saved, whichever Lambda starts it, and
a redrive goes on with the version its execution started on (AWS keeps it with the execution).

Versions pile up: Step Functions keeps at most 1,000 per machine and then refuses to publish.
`prune` (after each save) deletes versions beyond the newest `KEEP_VERSIONS` that no execution
can still need: none running, none ended within the 14 days in which a retry may redrive it
(EXPRESS runs last 5 minutes at most and are never redriven). Deleting a version does not end
its running executions anyway; it only stops new ones from starting on it. So the 1,000 limit is
reached only when more than 980 versions each keep a running or redrivable execution; a save
then fails with Step Functions' ServiceQuotaExceededException (the version stays saved).

Machines get the LoggingConfiguration the environment names (`machine_logs.py`) when created,
and again with every changed save, so a changed setting reaches a machine at its next change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from automations.adapters.aws.client_errors import Meaning, meaning, step_functions_failed
from automations.adapters.aws.errors import (
    CalledScenarioMissing,
    MachineSetupInvalid,
    MachineVersionGone,
    StepFunctionsFailed,
)
from automations.adapters.aws.machine_logs import logging_configuration
from automations.service.processes import EXPRESS, STANDARD

logger = logging.getLogger(__name__)

COMPONENT_PREFIX_ENV = "COMPONENT_FUNCTION_PREFIX"
ROLE_ENV = "STATE_MACHINE_ROLE_ARN"
PREFIX_ENV = "STATE_MACHINE_PREFIX"  # the stack's name and "-": IAM rights name these machines
MAX_PREFIX = 40
NAME_LIMIT = 80  # Step Functions' limit on a state machine name
ID_HASH_CHARS = 8  # keeps two long scenario ids with the same beginning apart
KEEP_VERSIONS = 20  # newest versions never pruned: queued processes of recent saves use them
PRUNE_PER_SAVE = 10  # older versions looked at per save: a save's cost stays bounded
REDRIVE_WINDOW = timedelta(days=14)  # Step Functions redrives an execution within 14 days
EXPRESS_LONGEST = timedelta(minutes=5)
PUBLISH_ATTEMPTS = 3  # concurrent publishes of one machine conflict: look again and retry
_TAG = {STANDARD: "std", EXPRESS: "exp"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PLACEHOLDER = re.compile(r"^\$\{(Component|Scenario)\.([^}]+)\}$")
_REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
_OPEN = frozenset({"RUNNING", "PENDING_REDRIVE"})

ChildLookup = Callable[[str], tuple[str, Mapping[str, Any]] | None]
ComponentArn = Callable[[str], str]
Newest = Callable[[], bool]


def component_arn_from_prefix(prefix: str) -> ComponentArn:
    """The convention of template.yaml: the function of component `a.b` is `<prefix>a-b`."""
    return lambda name: f"{prefix}{name.replace('.', '-')}"


def canonical_text(definition: Mapping[str, Any]) -> str:
    """The one text of a definition: sorted keys (a store may not keep key order; ASL gives
    object key order no meaning), compact, UTF-8 kept."""
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def machine_name(scenario_id: str, flavour: str, prefix: str = "") -> str:
    """`<prefix><scenario id>-<std|exp>`, within 80 characters of `[A-Za-z0-9_-]`: an id too
    long (or with other characters) is cut and ends in a hash of the whole id."""
    room = NAME_LIMIT - len(prefix) - len("-") - len(_TAG[flavour])
    readable = _UNSAFE.sub("_", scenario_id)
    if readable != scenario_id or len(readable) > room:
        digest = hashlib.sha256(scenario_id.encode()).hexdigest()[:ID_HASH_CHARS]
        readable = f"{readable[: room - ID_HASH_CHARS - 1]}_{digest}"
    return f"{prefix}{readable}-{_TAG[flavour]}"


def execution_arn(machine_arn: str, execution_name: str) -> str:
    """The ARN of the execution named `execution_name` of this (unqualified) machine: an
    execution started on a version is named after the machine, not the version."""
    return machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + execution_name


def unqualified(version_arn: str) -> str:
    """The machine ARN of a version ARN (`...:stateMachine:<name>:<n>` -> without `:<n>`)."""
    head, _, tail = version_arn.rpartition(":")
    return head if tail.isdigit() and head.count(":") == 6 else version_arn


class Machines:
    """Names, publishes, finds and prunes machine versions (thread-safe; caches what it found)."""

    def __init__(
        self,
        client: Any,
        *,
        role_arn: str,
        component_arn: ComponentArn,
        children: ChildLookup,
        prefix: str = "",
        logging: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`children`: a called scenario's newest STANDARD definition, to create its machine
        when it has none yet; `logging`: the `loggingConfiguration` machines get (None: none)."""
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
        self._clock = clock
        self._versions: dict[tuple[str, str], str] = {}  # (machine ARN, text) -> version ARN
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

    def machine_arn(self, scenario_id: str, flavour: str) -> str:
        """The scenario's machine of this kind, unqualified (no AWS call)."""
        return self._arn_prefix + machine_name(scenario_id, flavour, self._prefix)

    def text(self, definition: Mapping[str, Any]) -> str:
        """The machine text of a compiled definition: every placeholder an ARN."""
        return canonical_text(self._final(definition))

    def publish(
        self, scenario_id: str, flavour: str, definition: Mapping[str, Any], description: str = ""
    ) -> str:
        """Make this definition the machine's current one (creating the machine, and those of
        called scenarios that have none) and return its version ARN. An unchanged definition
        publishes nothing: the version it already has is returned."""
        return self._publish(scenario_id, flavour, definition, description, {scenario_id})

    def version_of(
        self,
        scenario_id: str,
        flavour: str,
        definition: Mapping[str, Any],
        newest: Newest = lambda: False,
    ) -> str:
        """The version ARN that runs this definition. When none does, and `newest()` says it
        is the scenario's newest (its save did not reach Step Functions), it is published;
        otherwise MachineVersionGone."""
        arn = self.machine_arn(scenario_id, flavour)
        text = self.text(definition)
        with self._lock:
            cached = self._versions.get((arn, text))
        if cached is not None:
            return cached
        found = self._find(arn, text)
        if found is not None:
            return self._remember(arn, text, found)
        if newest():
            return self.publish(scenario_id, flavour, definition)
        raise MachineVersionGone(
            f"scenario {scenario_id}: the Step Functions version of this process's scenario "
            f"version is no longer kept ({KEEP_VERSIONS} newest versions and those in use are); "
            "start the scenario again to run its current version"
        )

    def forget(self, version_arn: str) -> None:
        """Look `version_arn` up again next time (it was found deleted)."""
        with self._lock:
            for key in [k for k, v in self._versions.items() if v == version_arn]:
                del self._versions[key]

    def prune(self, scenario_id: str, flavour: str, keep: int = KEEP_VERSIONS) -> list[str]:
        """Delete versions no execution can need, oldest first, past the newest `keep` (module
        docstring); the ARNs deleted. A failure is logged, never raised: the next save prunes
        again."""
        arn = self.machine_arn(scenario_id, flavour)
        deleted: list[str] = []
        try:
            versions = list(self._listed_versions(arn))  # newest first
            oldest_first = range(len(versions) - 1, max(keep, 1) - 1, -1)
            for index in list(oldest_first)[:PRUNE_PER_SAVE]:
                replaced_at = versions[index - 1]["creationDate"]  # when a newer one came
                version = str(versions[index]["stateMachineVersionArn"])
                if self._needed(version, flavour, replaced_at):
                    continue
                self._client.delete_state_machine_version(stateMachineVersionArn=version)
                deleted.append(version)
        except ClientError as exc:
            logger.warning("pruning %s stopped: %s", arn, step_functions_failed("Prune", exc))
        for version in deleted:
            self.forget(version)
        return deleted

    # --- publishing -------------------------------------------------------------------------

    def _publish(
        self,
        scenario_id: str,
        flavour: str,
        definition: Mapping[str, Any],
        description: str,
        visiting: set[str],
    ) -> str:
        self._ensure_called(definition, visiting)
        arn = self.machine_arn(scenario_id, flavour)
        text = self.text(definition)
        for _ in range(PUBLISH_ATTEMPTS):
            try:
                version = self._publish_once(arn, flavour, text, description)
            except ClientError as exc:
                if meaning(exc) in (Meaning.ALREADY_EXISTS, Meaning.CONFLICT):
                    continue  # another save created or published it meanwhile: look again
                raise step_functions_failed("PublishStateMachineVersion", exc) from exc
            return self._remember(arn, text, version)
        raise StepFunctionsFailed(
            "PublishStateMachineVersion", "ConflictException", f"{arn} is being changed by others"
        )

    def _publish_once(self, arn: str, flavour: str, text: str, description: str) -> str:
        described = self._describe(arn)
        said = {"versionDescription": description} if description else {}
        if described is None:
            created = self._client.create_state_machine(
                name=arn.rsplit(":", 1)[1],
                definition=text,
                roleArn=self._role_arn,
                type=flavour,
                publish=True,
                **said,
                **self._logging,
            )
            return str(created["stateMachineVersionArn"])
        if described["definition"] == text:
            found = self._find(arn, text)
            if found is not None:
                return found
            # Current but never published (or its version deleted by hand): AWS gives the
            # revision's version if it has one, else makes it.
            revision = {"revisionId": described["revisionId"]} if "revisionId" in described else {}
            published = self._client.publish_state_machine_version(
                stateMachineArn=arn, **revision, **_described(description)
            )
            return str(published["stateMachineVersionArn"])
        updated = self._client.update_state_machine(
            stateMachineArn=arn, definition=text, publish=True, **said, **self._logging
        )
        return str(updated["stateMachineVersionArn"])

    def _ensure_called(self, definition: Mapping[str, Any], visiting: set[str]) -> None:
        """Give every called scenario without a machine one, from its newest version (a
        scenario being published further up this call is skipped: cycles end)."""
        for called in sorted(set(_placeholders(definition, "Scenario")) - visiting):
            if self._describe(self.machine_arn(called, STANDARD)) is not None:
                continue
            found = self._children(called)
            if found is None:
                raise CalledScenarioMissing(
                    f"a scenario calls scenario {called}, which has no saved version"
                )
            self._publish(called, STANDARD, found[1], "", visiting | {called})

    # --- finding ----------------------------------------------------------------------------

    def _find(self, arn: str, text: str) -> str | None:
        """The newest version of `arn` whose text is `text` (None: none, or no machine)."""
        try:
            for listed in self._listed_versions(arn):
                version = str(listed["stateMachineVersionArn"])
                described = self._describe(version)
                if described is not None and described["definition"] == text:
                    return version
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return None
            raise step_functions_failed("ListStateMachineVersions", exc) from exc
        return None

    def _listed_versions(self, arn: str) -> Iterator[dict[str, Any]]:
        """Newest first (botocore has no paginator for this one)."""
        token: dict[str, str] = {}
        while True:
            page = self._client.list_state_machine_versions(stateMachineArn=arn, **token)
            yield from page.get("stateMachineVersions", [])
            if not page.get("nextToken"):
                return
            token = {"nextToken": page["nextToken"]}

    def _describe(self, arn: str) -> dict[str, Any] | None:
        try:
            described: dict[str, Any] = self._client.describe_state_machine(stateMachineArn=arn)
        except ClientError as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return None
            raise step_functions_failed("DescribeStateMachine", exc) from exc
        return described

    def _remember(self, arn: str, text: str, version: str) -> str:
        with self._lock:
            self._versions[(arn, text)] = version
        return version

    # --- pruning ----------------------------------------------------------------------------

    def _needed(self, version: str, flavour: str, replaced_at: datetime) -> bool:
        """Whether an execution may still use `version`: one running or redrivable (STANDARD),
        or one that may still be running (EXPRESS: no list of executions, 5 minutes at most)."""
        now = self._clock()
        if flavour == EXPRESS:
            return now - replaced_at < EXPRESS_LONGEST
        pages = self._client.get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=version):
            for execution in page.get("executions", []):
                if execution["status"] in _OPEN:
                    return True
                stopped = execution.get("stopDate")
                if execution["status"] in _REDRIVABLE and (
                    stopped is None or now - stopped < REDRIVE_WINDOW
                ):
                    return True
        return False

    # --- substituting -----------------------------------------------------------------------

    def _final(self, definition: Mapping[str, Any]) -> Any:
        components = _substitute(definition, "Component", self._component_arn)
        return _substitute(components, "Scenario", lambda sid: self.machine_arn(sid, STANDARD))


def _described(description: str) -> dict[str, str]:
    return {"description": description} if description else {}


def _machine_arn_prefix(role_arn: str, region: str) -> str:
    """`arn:<partition>:states:<region>:<account>:stateMachine:` from the role's ARN, so that
    every machine's ARN is known before it is created."""
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[4].isdigit():
        raise MachineSetupInvalid(f"not an IAM role ARN: {role_arn!r} ({ROLE_ENV})")
    return f"arn:{parts[1]}:states:{region}:{parts[4]}:stateMachine:"


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

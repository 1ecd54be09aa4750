"""The Lambda functions' wiring: every port on DynamoDB and Step Functions, built once per cold
start and only as far as a function's path needs (mirrors `adapters/local/runtime.py`).

    runtime = aws_runtime()          # one per process; nothing is built yet
    runtime.api().resolve(event, context)
    runtime.dispatch_record(record)  # one stream record -> its processes, queued
    runtime.pump()

Each part is a cached property, built on first use: the `http.request` step-runner never
imports boto3, a records step-runner builds the record stores but no API, the webhook builds no
records API. Table names, the state-machine role and the component prefix come from the
environment the template sets (`RECORDS_TABLE`, `AUTOMATIONS_TABLE`, `SESSIONS_TABLE` for the
API alone, `STATE_MACHINE_ROLE_ARN`, `COMPONENT_FUNCTION_PREFIX`), the limits and the web app's
folder (`AUTOMATIONS_WEB_ROOT`) from `AUTOMATIONS_*` (`Settings`).

On AWS there is no outbox: the Records table's stream is the change feed, so `NoOutbox` stands in
for the ChangeFeed port and every stream record goes through `dispatch_event`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from automations.adapters.aws.tables import AUTOMATIONS, RECORDS, SESSIONS, table_name
from automations.model.event import ChangeEvent
from automations.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from automations.adapters.aws.live_trace import AwsLiveTraces
    from automations.adapters.aws.machines import Machines
    from automations.adapters.aws.processes import DynamoProcessStore
    from automations.adapters.aws.stepfunctions import StepFunctionsExecutor
    from automations.api.services import Services
    from automations.asl.ports import Clock
    from automations.model.catalog import Catalog
    from automations.model.message import MessageAuthor
    from automations.model.process import ProcessRecord
    from automations.ports import FileStore, ProcessStarter, ScenarioStore, Secrets
    from automations.service.automation import Automation
    from automations.service.hooks import ScenarioHooks
    from automations.service.processes import Processes
    from automations.service.record_access import FindSpec, RecordAccess
    from automations.service.record_messages import MessageDeps
    from automations.service.records import RecordDeps

SyncCall = Callable[..., dict[str, Any]]


class NoOutbox:
    """The ChangeFeed port on AWS: the Records stream delivers events, nothing is pending."""

    def pending(self, limit: int = 100) -> list[ChangeEvent]:
        return []

    def get(self, event_id: str) -> ChangeEvent | None:
        return None

    def mark_delivered(self, event_ids: Sequence[str]) -> None:
        return None


def process_id_of(execution_arn: str) -> str:
    """The process id an execution ARN names (the execution name; EXPRESS ARNs carry a run id
    after it): `arn:aws:states:r:a:execution|express:<machine>:<name>[:<run>]`."""
    parts = execution_arn.split(":")
    return parts[7] if len(parts) > 7 else execution_arn


class AwsRuntime:
    """Everything a Lambda function of this deployment may use, each part built on first use."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        session: Any = None,
        clock: Clock | None = None,
        sync_call: SyncCall | None = None,
    ) -> None:
        """`session`: a boto3 Session (default: a new one); `sync_call` replaces
        StartSyncExecution (tests: moto lacks it)."""
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.settings = Settings.from_environment(self.environ)
        self._session = session
        self._clock = clock
        self._sync_call = sync_call
        self._lock = threading.Lock()
        self._api: APIGatewayRestResolver | None = None
        self._webhook: APIGatewayRestResolver | None = None

    # --- AWS clients ------------------------------------------------------------------------

    @cached_property
    def session(self) -> Any:
        import boto3  # ~150 ms: only functions that reach AWS pay it

        return self._session or boto3.session.Session()

    @cached_property
    def dynamodb(self) -> Any:
        return self.session.client("dynamodb")

    @cached_property
    def stepfunctions(self) -> Any:
        return self.session.client("stepfunctions")

    @cached_property
    def records_table(self) -> str:
        return table_name(RECORDS, self.environ)

    @cached_property
    def automations_table(self) -> str:
        return table_name(AUTOMATIONS, self.environ)

    @cached_property
    def sessions_table(self) -> str:
        return table_name(SESSIONS, self.environ)

    @cached_property
    def secrets(self) -> Secrets:
        """The Secrets port on Secrets Manager (names under `SECRETS_PREFIX`; an ARN as it is)."""
        from automations.adapters.aws.secrets import PREFIX_VARIABLE, SecretsManagerSecrets

        return SecretsManagerSecrets(
            self.session.client("secretsmanager"), prefix=self.environ.get(PREFIX_VARIABLE, "")
        )

    @cached_property
    def clock(self) -> Clock:
        from automations.asl.clock import RealClock

        return self._clock or RealClock()

    # --- stores -----------------------------------------------------------------------------

    @cached_property
    def record_deps(self) -> RecordDeps:
        """Catalogs, records and the before-hooks (which run processes)."""
        from automations.adapters.aws.catalogs import DynamoCatalogStore
        from automations.adapters.aws.records import DynamoRecordStore
        from automations.service.records import RecordDeps

        return RecordDeps(
            catalogs=DynamoCatalogStore(
                self.dynamodb, self.automations_table, records_table=self.records_table
            ),
            records=DynamoRecordStore(
                self.dynamodb, self.records_table, automations_table=self.automations_table
            ),
            clock=self.clock,
            hooks=self.hooks,
        )

    @cached_property
    def message_deps(self) -> MessageDeps:
        """Messages on records (the Automations table), the records they go on, the files.
        The record stores are its own: `record_deps` would build the hooks, which a function
        that only writes messages never runs."""
        from automations.adapters.aws.catalogs import DynamoCatalogStore
        from automations.adapters.aws.messages import DynamoRecordMessageStore
        from automations.adapters.aws.records import DynamoRecordStore
        from automations.service.record_messages import MessageDeps

        return MessageDeps(
            catalogs=DynamoCatalogStore(
                self.dynamodb, self.automations_table, records_table=self.records_table
            ),
            records=DynamoRecordStore(
                self.dynamodb, self.records_table, automations_table=self.automations_table
            ),
            messages=DynamoRecordMessageStore(self.dynamodb, self.automations_table),
            clock=self.clock,
            files=self.files,
        )

    def message_author(self, process_id: str) -> MessageAuthor:
        """Process `process_id` as the author of the messages it writes (its scenario read
        from its record; a nested call activity's execution is no process and has none)."""
        from automations.service.record_messages import process_author

        process = self.process_store.get(process_id)
        return process_author(process_id, "" if process is None else process.scenario_id)

    @cached_property
    def process_store(self) -> DynamoProcessStore:
        from automations.adapters.aws.process_parts import BUCKET_VARIABLE, S3ProcessParts
        from automations.adapters.aws.processes import DynamoProcessStore

        # The large parts of records past DynamoDB's item limit (`process_parts.py`).
        bucket = self.environ.get(BUCKET_VARIABLE, "")
        parts = S3ProcessParts(self.session.client("s3"), bucket) if bucket else None
        return DynamoProcessStore(self.dynamodb, self.automations_table, parts)

    @cached_property
    def plain_scenarios(self) -> ScenarioStore:
        from automations.adapters.aws.scenarios import DynamoScenarioStore

        return DynamoScenarioStore(self.dynamodb, self.automations_table, self.clock)

    @cached_property
    def machines(self) -> Machines:
        from automations.adapters.aws.machines import Machines
        from automations.service.processes import latest_standard

        return Machines.from_environment(
            self.stepfunctions, latest_standard(self.plain_scenarios), self.environ
        )

    @cached_property
    def scenarios(self) -> ScenarioStore:
        """Scenario versions; saving one creates its state machines."""
        from automations.adapters.aws.provisioning import ProvisioningScenarioStore

        return ProvisioningScenarioStore(self.plain_scenarios, self.machines)

    # --- use cases --------------------------------------------------------------------------

    @cached_property
    def executor(self) -> StepFunctionsExecutor:
        from automations.adapters.aws.stepfunctions import StepFunctionsExecutor, sync_client

        sync_call = self._sync_call or sync_client(self.session).start_sync_execution
        return StepFunctionsExecutor(
            self.stepfunctions,
            self.machines,
            processes=self.process_store,
            versions=self.plain_scenarios,
            sync_call=sync_call,
        )

    @cached_property
    def processes(self) -> Processes:
        from automations.service.processes import ProcessDeps, Processes
        from automations.waiting import PollingWaits, ThreadSafeCounters

        # A stopped run's end is stored by the dispatcher, from the execution's end event.
        waits = PollingWaits(poll_seconds=0.25)
        deps = ProcessDeps(
            self.scenarios,
            self.process_store,
            self.executor,
            self.clock,
            self.settings,
            ThreadSafeCounters(),
            waits,
            traces=self.live_traces,
        )
        return Processes(deps)

    @cached_property
    def live_traces(self) -> AwsLiveTraces:
        """A running process's path, caught up from its execution's newest events."""
        from automations.adapters.aws.live_trace import AwsLiveTraces

        return AwsLiveTraces(
            self.stepfunctions, self.process_store, self.executor.standard_execution
        )

    @cached_property
    def subscriptions(self) -> Any:
        from automations.adapters.aws.subscriptions import DynamoSubscriptionStore

        return DynamoSubscriptionStore(self.dynamodb, self.automations_table)

    @cached_property
    def hooks(self) -> ScenarioHooks:
        from automations.service.hooks import ScenarioHooks

        return ScenarioHooks(self.subscriptions, self.processes)

    @cached_property
    def automation(self) -> Automation:
        from automations.adapters.aws.deliveries import DynamoDeliveryStore
        from automations.adapters.aws.schedules import DynamoScheduleStore
        from automations.adapters.aws.webrequests import DynamoWebRequestStore
        from automations.service.automation import Automation

        return Automation(
            catalogs=self.record_deps.catalogs,
            feed=NoOutbox(),
            scenarios=self.scenarios,
            subscriptions=self.subscriptions,
            webrequests=DynamoWebRequestStore(self.dynamodb, self.automations_table),
            schedules=DynamoScheduleStore(self.dynamodb, self.automations_table),
            processes=self.processes,
            records=self.record_deps,
            clock=self.clock,
            settings=self.settings,
            # Built only when a messenger's webhook is called (or a subscription names one).
            connections=_LazyConnections(self),
            deliveries=DynamoDeliveryStore(self.dynamodb, self.automations_table),
        )

    @cached_property
    def services(self) -> Services:
        from pathlib import Path

        from automations.adapters.aws.sessions import DynamoSessionStore, DynamoSignInThrottle
        from automations.adapters.aws.users import DynamoApiKeyStore, DynamoUserStore
        from automations.api.services import ApiConfig, Services

        web_root = self.settings.web_root
        return Services(
            catalogs=self.record_deps.catalogs,
            records=self.record_deps.records,
            users=DynamoUserStore(self.dynamodb, self.automations_table, self.clock),
            api_keys=DynamoApiKeyStore(self.dynamodb, self.automations_table, self.clock),
            clock=self.clock,
            hooks=self.hooks,
            config=ApiConfig(
                max_body_bytes=self.settings.max_body_bytes,
                max_file_bytes=self.settings.max_file_bytes,
                max_json_depth=self.settings.max_json_depth,
                web_root=Path(web_root) if web_root else None,
            ),
            automation=self.automation,
            sessions=DynamoSessionStore(self.dynamodb, self.sessions_table),
            sign_ins=DynamoSignInThrottle(self.dynamodb, self.sessions_table),
            files=self.files,
            messages=self.message_deps.messages,
        )

    # --- what the functions call --------------------------------------------------------------

    def api(self) -> APIGatewayRestResolver:
        """The records and management API (one resolver: a Lambda serves one event at a time);
        its first use creates the admin user when that login does not exist."""
        with self._lock:
            if self._api is None:
                from automations.api.app import build_app

                self.ensure_admin()
                self._api = build_app(self.services)
            return self._api

    def webhook(self) -> APIGatewayRestResolver:
        """Only the public routes: `/api/webrequest/{urlId}` and the messengers'
        `/api/messengers/{connection}`, with the API's error answers."""
        with self._lock:
            if self._webhook is None:
                self._webhook = _webhook_app(self.automation, self.settings.max_body_bytes)
            return self._webhook

    def ensure_admin(self) -> bool:
        """Create the admin user unless the login exists (then make it an admin if it is not);
        True if new. The password is read through the Secrets port: the Secrets Manager secret
        that `AUTOMATIONS_ADMIN_PASSWORD_SECRET` names (as deployed), else
        `AUTOMATIONS_ADMIN_PASSWORD`."""
        from automations.service.users import admin_password, ensure_admin

        password = admin_password(self.settings, self.secrets)
        return ensure_admin(self.services.users, self.settings.admin_email, password)

    def dispatch_record(self, record: Mapping[str, Any]) -> int:
        """One Records-stream record: the processes its event starts, stored queued; how many
        were new (0 for a redelivery or a record that is no event of ours)."""
        from automations.adapters.aws.streams import change_event
        from automations.service.dispatch import dispatch_event

        event = change_event(record)
        if event is None:
            return 0
        return dispatch_event(self.automation.dispatch_deps(), event)

    def finish_execution(self, detail: Mapping[str, Any]) -> ProcessRecord | None:
        """A Step Functions status-change `detail`: record how the process ended (its slot is
        freed by the store) and start queued ones. None when no running process is that
        execution (a nested call activity's run, or one already finished by its waiting
        caller): its history is then not even read."""
        from automations.adapters.aws.history import execution_end
        from automations.model.process import ProcessStatus

        arn = str(detail.get("executionArn", ""))
        current = self.process_store.get(process_id_of(arn))
        if current is None or current.status is not ProcessStatus.RUNNING:
            return None
        if detail.get("status") == "SUCCEEDED":
            # Its path from the events since the stored cursor; no older event is read.
            process_id, end = execution_end(detail, self.stepfunctions, read_history=False)
            end = self.live_traces.ended(current, end, arn)
        else:  # the variables kept at a failure come from the whole history
            process_id, end = execution_end(detail, self.stepfunctions)
        finished = self.processes.finish(process_id, end)
        self.processes.pump()
        return finished

    def tick(self) -> tuple[int, int]:
        """The scheduled tick: fire due schedules, then start queued processes (a pump missed
        after an end is caught up here). (schedules fired, processes started)."""
        from automations.service.schedules import fire_due

        fired = fire_due(self.automation.schedule_deps())
        return fired, self.processes.pump()

    def pump(self) -> int:
        """Start queued processes while slots are free; how many started."""
        return self.processes.pump()

    def component_services(self, execution_arn: str) -> Mapping[str, Any]:
        """What a component running in execution `execution_arn` reaches (records, bound to
        that process's chain depth), built only if the component asks for it."""
        return _LazyServices(self, process_id_of(execution_arn))

    @cached_property
    def connections(self) -> Any:
        """The operator's named connections: one secret each under `CONNECTIONS_PREFIX`."""
        from automations.adapters.aws.connections import PREFIX_VARIABLE, SecretsManagerConnections

        return SecretsManagerConnections(
            self.session.client("secretsmanager"), prefix=self.environ.get(PREFIX_VARIABLE, "")
        )

    @cached_property
    def background(self) -> Any:
        """Calls nobody waits for: this function invoked again, asynchronously."""
        from automations.adapters.aws.background import FUNCTION_VARIABLE, LambdaBackgroundCalls

        return LambdaBackgroundCalls(
            self.session.client("lambda"), self.environ.get(FUNCTION_VARIABLE, "")
        )

    @cached_property
    def files(self) -> FileStore | None:
        """The file store on the bucket `FILES_BUCKET` names (None when the deployment has none)."""
        from automations.adapters.aws.files import BUCKET_VARIABLE, S3FileStore

        bucket = self.environ.get(BUCKET_VARIABLE, "")
        if not bucket:
            return None
        client = self.session.client("s3")
        return S3FileStore(client, bucket, self.clock, self.settings.max_file_bytes)

    def process_starts(self, process_id: str) -> ProcessStarter:
        """`process.start`'s port for a component of process `process_id`: what it starts is
        one step deeper in the chain (a nested call activity's execution is no process: its
        starts count from depth 1)."""
        from automations.service.process_starts import ProcessStarts

        process = self.process_store.get(process_id)
        depth = process.depth if process is not None else 0
        return ProcessStarts(self.processes, parent_id=process_id, depth=depth + 1)


# ComponentContext.services keys (records_common, connections, sql_query, process_start and the
# mail components name them alike).
_SERVICE_KEYS = ("records", "connections", "background", "files", "processes", "messages")


class _LazyServices(Mapping[str, Any]):
    """ComponentContext.services for a step-runner: each is built on first access, so a
    component that never asks (http.request, parse) touches no table and no secret."""

    def __init__(self, runtime: AwsRuntime, process_id: str) -> None:
        self._runtime = runtime
        self._process_id = process_id
        self._built: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in _SERVICE_KEYS:
            raise KeyError(key)
        if key not in self._built:
            if key == "records":
                self._built[key] = ProcessRecords(self._runtime, self._process_id)
            elif key == "processes":  # (the runtime's `processes` are the use cases)
                self._built[key] = self._runtime.process_starts(self._process_id)
            elif key == "messages":
                self._built[key] = self._process_messages()
            else:
                self._built[key] = getattr(self._runtime, key)
        return self._built[key]

    def _process_messages(self) -> Any:
        from automations.service.record_messages import ProcessMessages

        runtime, process_id = self._runtime, self._process_id
        return ProcessMessages(runtime.message_deps, lambda: runtime.message_author(process_id))

    def __iter__(self) -> Any:
        return iter(_SERVICE_KEYS)

    def __len__(self) -> int:
        return len(_SERVICE_KEYS)


class _LazyConnections:
    """The Connections port, its Secrets Manager client made on the first lookup (the API and
    the dispatcher build the use cases and mostly never look one up)."""

    def __init__(self, runtime: AwsRuntime) -> None:
        self._runtime = runtime

    def get(self, name: str) -> str | None:
        found: str | None = self._runtime.connections.get(name)
        return found


class ProcessRecords:
    """The records port of one running process: reads need nothing more; writes carry the
    process's chain depth plus one, read from its process record on the first write (a nested
    call activity's execution is no process: its writes count from depth 1)."""

    def __init__(self, runtime: AwsRuntime, process_id: str) -> None:
        self._runtime = runtime
        self._process_id = process_id
        self._reader: RecordAccess | None = None
        self._writer: RecordAccess | None = None

    def _reads(self) -> RecordAccess:
        from automations.service.record_access import RecordAccess

        if self._reader is None:
            self._reader = RecordAccess(self._runtime.record_deps, depth=0)
        return self._reader

    def _writes(self) -> RecordAccess:
        from automations.service.record_access import RecordAccess

        if self._writer is None:
            process = self._runtime.process_store.get(self._process_id)
            depth = process.depth if process is not None else 0
            self._writer = RecordAccess(self._runtime.record_deps, depth=depth + 1)
        return self._writer

    def catalog(self, catalog_id: str) -> Catalog:
        return self._reads().catalog(catalog_id)

    def get(self, catalog_id: str, record_id: str, fields: set[str] | None) -> dict[str, Any]:
        return self._reads().get(catalog_id, record_id, fields)

    def find(self, catalog_id: str, spec: FindSpec) -> tuple[list[dict[str, Any]], int]:
        return self._reads().find(catalog_id, spec)

    def create(self, catalog_id: str, values: dict[str, Any]) -> str:
        return self._writes().create(catalog_id, values)

    def update(self, catalog_id: str, record_id: str, values: dict[str, Any]) -> None:
        self._writes().update(catalog_id, record_id, values)

    def delete(self, catalog_id: str, record_id: str) -> None:
        self._writes().delete(catalog_id, record_id)


def _webhook_app(automation: Automation, max_body_bytes: int) -> APIGatewayRestResolver:
    from automations.api import messengers, webhook
    from automations.api.app import ApiResolver, body_size
    from automations.api.errors import BodyTooLarge, register_error_handlers

    def gate(event: Mapping[str, Any]) -> None:
        # Public: no credentials (the scenario decides what to trust); only the size limit.
        if body_size(event) > max_body_bytes:
            raise BodyTooLarge(f"the request body is larger than {max_body_bytes} bytes")

    app = ApiResolver(gate)
    app.include_router(webhook.router(automation))
    app.include_router(messengers.router(automation))
    public = (webhook.PREFIX, messengers.PREFIX)
    register_error_handlers(app, lambda path: path.startswith(public))
    return app


_RUNTIME: list[AwsRuntime] = []
_RUNTIME_LOCK = threading.Lock()


def aws_runtime() -> AwsRuntime:
    """The runtime of this Lambda process (built on first call, from the environment)."""
    with _RUNTIME_LOCK:
        if not _RUNTIME:
            _RUNTIME.append(AwsRuntime())
        return _RUNTIME[0]


def reset_runtime(runtime: AwsRuntime | None = None) -> None:
    """Forget (or replace) the process's runtime: tests give each case its own."""
    with _RUNTIME_LOCK:
        _RUNTIME.clear()
        if runtime is not None:
            _RUNTIME.append(runtime)

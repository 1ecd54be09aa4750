"""The embedded server's wiring: every port on SQLite, the engine executor, the use cases and the
background loops, built once over one database file.

    runtime = build_runtime("automations.db", Settings.from_environment())
    runtime.start()      # recover, then dispatcher / scheduler / pump loops
    app = runtime.app()  # one API resolver (build one per worker thread)
    runtime.close()
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from automations.adapters.local.connections import EnvConnections
from automations.adapters.local.executor import EmbeddedExecutor
from automations.adapters.local.loops import Bell, Doorbell, Loop, RingingRecordStore, stop_all
from automations.adapters.local.secrets import EnvSecrets
from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.checkpoints import SqliteCheckpointStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.deliveries import SqliteDeliveryStore
from automations.adapters.sqlite.files import SqliteFileStore, files_folder
from automations.adapters.sqlite.group_commit import GroupCommit
from automations.adapters.sqlite.messages import SqliteRecordMessageStore
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.adapters.sqlite.scenarios import SqliteScenarioStore
from automations.adapters.sqlite.schedules import SqliteScheduleStore
from automations.adapters.sqlite.sessions import SqliteSessionStore, SqliteSignInThrottle
from automations.adapters.sqlite.subscriptions import SqliteSubscriptionStore
from automations.adapters.sqlite.users import SqliteApiKeyStore, SqliteUserStore
from automations.adapters.sqlite.webrequests import SqliteWebRequestStore
from automations.api.app import build_app
from automations.api.services import ApiConfig, Services
from automations.api.webapp import default_root as default_web_root
from automations.asl.clock import RealClock
from automations.asl.ports import Clock
from automations.components.connections import SERVICE_KEY as CONNECTIONS_KEY
from automations.components.message_send import SERVICE_KEY as MESSAGES_KEY
from automations.components.process_start import SERVICE_KEY as PROCESSES_KEY
from automations.components.records_common import SERVICE_KEY
from automations.ports import ExecutionRequest, Primary, RecordsPort, Secrets
from automations.service.automation import Automation
from automations.service.dispatch import BATCH, dispatch_pending
from automations.service.hooks import ScenarioHooks
from automations.service.process_starts import ProcessStarts
from automations.service.processes import ProcessDeps, Processes, latest_standard
from automations.service.record_access import RecordAccess
from automations.service.record_messages import MessageDeps, ProcessMessages, process_author
from automations.service.records import RecordDeps
from automations.service.schedules import fire_due
from automations.settings import Settings
from automations.waiting import PollingWaits, ThreadSafeCounters

PUMP_SECONDS = 2.0
FILES_KEY = "files"  # ComponentContext.services: the FileStore port


@dataclass
class LocalRuntime:
    """Everything the embedded server runs; `close()` stops it (processes stay recoverable)."""

    db: Database
    services: Services
    automation: Automation
    executor: EmbeddedExecutor
    settings: Settings
    dispatch_bell: Doorbell
    group: GroupCommit
    loops: list[Loop] = field(default_factory=list)
    # Passwords and tokens by name (the admin's when a secret is configured; connections').
    secrets: Secrets = field(default_factory=EnvSecrets)
    # What a running process's components reach (records, files, messages, process starts).
    services_for: Callable[[ExecutionRequest], Mapping[str, Any]] | None = None

    def component_services(self, process_id: str, scenario_id: str) -> Mapping[str, Any]:
        """The ports a process `process_id` of `scenario_id` gives its components, for a run
        outside the server's queue (`automations run --db`)."""
        assert self.services_for is not None
        request = ExecutionRequest(process_id, {}, "", {}, scenario_id=scenario_id)
        return self.services_for(request)

    def app(self) -> APIGatewayRestResolver:
        """A new API resolver over these services (not re-entrant: one per thread)."""
        return build_app(self.services)

    def start(self) -> int:
        """Recover what a previous run left, then start the loops; how many runs resumed."""
        resumed = self.automation.processes.recover()
        deps = self.automation.dispatch_deps()
        schedule_deps = self.automation.schedule_deps()
        self.loops = [
            Loop(
                "dispatcher",
                lambda: dispatch_pending(deps) >= BATCH,
                self.settings.dispatch_poll_seconds,
                self.dispatch_bell,
            ),
            Loop(
                "scheduler", lambda: fire_due(schedule_deps), self.settings.scheduler_tick_seconds
            ),
            Loop("pump", self.automation.processes.pump, PUMP_SECONDS),
        ]
        for loop in self.loops:
            loop.start()
        return resumed

    def wake(self, loop: str) -> None:
        """Ring a loop's bell ("dispatcher", "scheduler" or "pump"): it has work now."""
        for running in self.loops:
            if running.name == loop:
                running.bell.ring()

    def close(self) -> None:
        """Stop the loops and the engine, then close the database."""
        stop_all(self.loops)
        self.executor.close()
        self.db.close()


class PrimaryLink(Primary, Bell, Protocol):
    """How a worker process reaches the primary: `ring()` when it wrote events, `pump()` when
    it queued processes, `stop(id)` for a process the primary runs."""


def build_runtime(
    db_path: str | Path,
    settings: Settings,
    *,
    clock: Clock | None = None,
    primary: PrimaryLink | None = None,
    secrets: Secrets | None = None,
) -> LocalRuntime:
    """Open (or create) the database and wire every part of the embedded server on it (as a
    worker of `primary` when given: then `start()` must not be called, the loops are its).
    Secrets are the environment's `AUTOMATIONS_SECRET_<NAME>` variables unless given."""
    db = Database(db_path)
    clock = clock or RealClock()
    bell = Doorbell()
    catalogs = SqliteCatalogStore(db)
    records = RingingRecordStore(SqliteRecordStore(db), primary or bell)
    scenarios = SqliteScenarioStore(db, clock)
    subscriptions = SqliteSubscriptionStore(db)
    # Components reach records through the use cases; those need the hooks, which need the
    # processes, which need the executor: the executor gets the record ports once they exist.
    record_deps: list[RecordDeps] = []

    # The operator's named connections (sql.query, mail.*): `AUTOMATIONS_CONNECTIONS`.
    connections = EnvConnections(EnvSecrets() if secrets is None else secrets)

    # Files beside the database (`automations.db` -> `automations.files/`).
    files = SqliteFileStore(db, files_folder(db_path), clock, settings.max_file_bytes)
    started: list[Processes] = []  # process.start's use cases, once they exist
    messages = SqliteRecordMessageStore(db)
    message_deps = MessageDeps(catalogs, records, messages, clock, files)

    def services_for(request: ExecutionRequest) -> Mapping[str, Any]:
        port: RecordsPort = RecordAccess(record_deps[0], depth=request.depth + 1)
        starts = ProcessStarts(started[0], parent_id=request.process_id, depth=request.depth + 1)
        author = process_author(request.process_id, request.scenario_id)
        return {
            SERVICE_KEY: port,
            CONNECTIONS_KEY: connections,
            FILES_KEY: files,
            PROCESSES_KEY: starts,
            MESSAGES_KEY: ProcessMessages(message_deps, lambda: author),
        }

    group = GroupCommit(db)
    store = SqliteProcessStore(db, group)
    executor = EmbeddedExecutor(
        checkpoints=SqliteCheckpointStore(db),
        services_for=services_for,
        children=latest_standard(scenarios),
        max_payload_bytes=settings.max_process_data_bytes,
        max_json_depth=settings.max_json_depth,
        on_trace=store.set_trace,  # a background run's path, stored as it goes
    )
    # The end of a stopped run is stored by the engine's thread or the primary: a short poll of
    # the local database.
    waits = PollingWaits(poll_seconds=0.02)
    deps = ProcessDeps(scenarios, store, executor, clock, settings, ThreadSafeCounters(), waits)
    processes = Processes(deps, primary)
    started.append(processes)
    hooks = ScenarioHooks(subscriptions, processes)
    record_deps.append(RecordDeps(catalogs=catalogs, records=records, clock=clock, hooks=hooks))
    automation = Automation(
        catalogs=catalogs,
        feed=SqliteChangeFeed(db, clock),
        scenarios=scenarios,
        subscriptions=subscriptions,
        webrequests=SqliteWebRequestStore(db),
        schedules=SqliteScheduleStore(db),
        processes=processes,
        records=record_deps[0],
        clock=clock,
        settings=settings,
        connections=connections,
        deliveries=SqliteDeliveryStore(db),
    )
    services = Services(
        catalogs=catalogs,
        records=records,
        users=SqliteUserStore(db, clock),
        api_keys=SqliteApiKeyStore(db, clock),
        clock=clock,
        hooks=hooks,
        config=ApiConfig(
            max_body_bytes=settings.max_body_bytes,
            max_file_bytes=settings.max_file_bytes,
            max_json_depth=settings.max_json_depth,
            web_root=Path(settings.web_root) if settings.web_root else default_web_root(),
        ),
        automation=automation,
        sessions=SqliteSessionStore(db),
        sign_ins=SqliteSignInThrottle(db),
        files=files,
        messages=messages,
    )
    return LocalRuntime(
        db=db,
        services=services,
        automation=automation,
        executor=executor,
        settings=settings,
        dispatch_bell=bell,
        group=group,
        secrets=EnvSecrets() if secrets is None else secrets,
        services_for=services_for,
    )

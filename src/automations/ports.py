"""Ports: what the service layer needs from storage and the outside world, as small Protocols.

SQLite adapters (`automations.adapters.sqlite`, wired by `automations.adapters.local`) and
DynamoDB adapters (`automations.adapters.aws`) implement the same Protocols; the service layer
never knows which it got. Ids are strings everywhere (the product's ids are strings of digits).
"Not found" is `None` (or False for a delete); a write that would break uniqueness raises
`StoreConflict`. The one Clock of the project is the engine's, `automations.asl.ports.Clock`: it
is not re-exported here, because the components import this module (`RecordsPort`) and must
not reach the engine through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from automations.errors import AutomationsError
from automations.model.catalog import Catalog, CatalogDraft
from automations.model.event import ChangeEvent, EventType, HookDecision
from automations.model.file import StoredFile
from automations.model.filters import FilterExpr
from automations.model.message import MessageDraft, MessagePage, RecordMessage
from automations.model.process import (
    ProcessChange,
    ProcessError,
    ProcessRecord,
    ProcessStatus,
    TraceStep,
)
from automations.model.record import Record, RecordQuery
from automations.model.scenario import ScenarioVersion, Schedule, WebRequestEndpoint
from automations.model.session import Session, SignInFailures
from automations.model.subscription import Subscription
from automations.model.user import ApiKey, Role, User

__all__ = [
    "ApiKeyStore",
    "AttachmentMissing",
    "BeforeHooks",
    "CatalogNotFound",
    "CatalogStore",
    "ChangeFeed",
    "Counters",
    "DeliveryStore",
    "ExecutionEnd",
    "ExecutionRequest",
    "Executor",
    "FileStore",
    "FindSpec",
    "MessagesPort",
    "Primary",
    "ProcessQuery",
    "ProcessStarter",
    "ProcessStats",
    "ProcessStore",
    "RecordMessageStore",
    "RecordNotFound",
    "RecordStore",
    "RecordsPort",
    "ScenarioStore",
    "ScheduleStore",
    "Secrets",
    "SessionStore",
    "SignInThrottle",
    "StartedProcess",
    "SubscriptionStore",
    "UserStore",
    "Waits",
    "WebRequestStore",
    "WriteConflict",
    "WriteRefused",
]


class CatalogStore(Protocol):
    """Catalogs and their fields."""

    def get(self, catalog_id: str) -> Catalog | None: ...

    def all(self, section_id: str | None = None) -> list[Catalog]:
        """All catalogs (of one section when given), by id."""
        ...

    def create(self, draft: CatalogDraft) -> Catalog:
        """Store a new catalog under a fresh id; its fields are numbered from 1."""
        ...

    def save(self, catalog: Catalog) -> None:
        """Replace a catalog's name, icon, section and fields (see `patched_catalog`)."""
        ...

    def delete(self, catalog_id: str) -> bool:
        """Delete a catalog and its records; False when there was none."""
        ...


class RecordStore(Protocol):
    """Records of catalogs. Every write stores its outbox event in the same transaction:
    both are kept or neither is."""

    def next_id(self, catalog_id: str) -> str:
        """A fresh id for a record of this catalog: ids are numbered per catalog, as in the
        product (its first record is 1), and never reused in it (a refused write may leave a
        gap). A catalog with records but no counter yet continues after its largest id."""
        ...

    def get(self, catalog_id: str, record_id: str) -> Record | None: ...

    def find(self, catalog_id: str, query: RecordQuery) -> list[Record]:
        """Records of the catalog matching `query.where`, sorted, one page."""
        ...

    def count(self, catalog_id: str, where: FilterExpr | None = None) -> int:
        """How many records of the catalog match `where` (all of them when None)."""
        ...

    def create(self, record: Record, event: ChangeEvent) -> None:
        """Insert the record (its id from `next_id(record.catalog_id)`) and the event;
        StoreConflict if the id is taken in that catalog."""
        ...

    def update(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        """Replace the record if its stored revision is `expected_revision` (else False)."""
        ...

    def delete(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        """Delete the record if its stored revision is `expected_revision` (else False)."""
        ...


class RecordMessageStore(Protocol):
    """Messages written on records (the product's comments), a record's newest first."""

    def add(self, draft: MessageDraft) -> RecordMessage:
        """Store a message under the next id (ids grow: a later message has a larger one)."""
        ...

    def page(
        self, catalog_id: str, record_id: str, *, limit: int, before: str | None = None
    ) -> MessagePage:
        """Up to `limit` of the record's messages, newest first, those with an id below
        `before` when given (the `next_before` of the previous page)."""
        ...


class ChangeFeed(Protocol):
    """The outbox: record events in the order they were written, until delivered."""

    def pending(self, limit: int = 100) -> list[ChangeEvent]:
        """Undelivered events, oldest first."""
        ...

    def get(self, event_id: str) -> ChangeEvent | None: ...

    def mark_delivered(self, event_ids: Sequence[str]) -> None:
        """Mark events delivered; marking one twice (a redelivery) changes nothing."""
        ...


class BeforeHooks(Protocol):
    """Synchronous `$record.before.*` subscriptions: may refuse a write or replace its values."""

    def before(
        self,
        event_type: EventType,
        catalog_id: str,
        record_id: str | None,
        values: dict[str, Any],
        prev_values: dict[str, Any] | None,
        *,
        user_id: str | None = None,
        depth: int = 0,
    ) -> HookDecision:
        """Decide on a write by `user_id` (None: the system) at chain `depth`."""
        ...


class ScenarioStore(Protocol):
    """Saved versions of scenarios (versions count from 1, never change once saved)."""

    def add_version(
        self, scenario_id: str, bpmn: str, compiled: dict[str, dict[str, Any]]
    ) -> ScenarioVersion:
        """Save the next version of the scenario."""
        ...

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None: ...

    def latest(self, scenario_id: str) -> ScenarioVersion | None: ...

    def versions(self, scenario_id: str) -> list[int]:
        """The scenario's version numbers, ascending."""
        ...

    def all(self) -> list[ScenarioVersion]:
        """The latest version of every scenario, by scenario id."""
        ...

    def delete(self, scenario_id: str) -> bool:
        """Retire the scenario: `latest` and `all` no longer find it, while its versions stay
        readable by number (its processes keep running and showing their diagram). Saving it
        again makes the next number its latest. False when it had no live version."""
        ...


class SubscriptionStore(Protocol):
    """Which events start which scenarios."""

    def put(self, subscription: Subscription) -> None:
        """Create or replace by id."""
        ...

    def get(self, subscription_id: str) -> Subscription | None: ...

    def delete(self, subscription_id: str) -> bool: ...

    def all(self, catalog_id: str | None = None) -> list[Subscription]: ...

    def matching(self, catalog_id: str, event_type: EventType) -> list[Subscription]:
        """Active subscriptions of this catalog to this event type, by id."""
        ...

    def for_connection(self, connection: str, event_type: EventType) -> list[Subscription]:
        """Active subscriptions of this messenger connection to this event type, by id."""
        ...


class DeliveryStore(Protocol):
    """Updates a messenger delivered (platforms deliver at least once), each remembered under
    its key (connection and the platform's update id) until it expires."""

    def first_seen(self, key: str, at: datetime, expires_at: datetime) -> datetime:
        """When the update `key` was first delivered: `at` when it is new (or its memory has
        expired: it is remembered anew until `expires_at`), else the time stored then. One
        atomic write: of two deliveries at once, exactly one is new."""
        ...


class WebRequestStore(Protocol):
    """Web-request endpoints (`/api/webrequest/{urlId}`)."""

    def put(self, endpoint: WebRequestEndpoint) -> None:
        """Create or replace by id; StoreConflict when another endpoint has the urlId."""
        ...

    def get(self, endpoint_id: str) -> WebRequestEndpoint | None: ...

    def by_url_id(self, url_id: str) -> WebRequestEndpoint | None: ...

    def delete(self, endpoint_id: str) -> bool: ...

    def all(self) -> list[WebRequestEndpoint]: ...


class ScheduleStore(Protocol):
    """Scheduled starts of scenarios."""

    def put(self, schedule: Schedule) -> None: ...

    def get(self, schedule_id: str) -> Schedule | None: ...

    def delete(self, schedule_id: str) -> bool: ...

    def all(self) -> list[Schedule]: ...

    def due(self, now: datetime) -> list[Schedule]:
        """Active schedules whose next run is at or before `now`, earliest first."""
        ...

    def set_next_run(
        self, schedule_id: str, previous: datetime | None, following: datetime
    ) -> bool:
        """Move the next run from `previous` to `following`; False if another runner did."""
        ...


@dataclass(frozen=True, slots=True)
class ProcessQuery:
    """Filters of a process list; `since`/`until` bound the time it was queued."""

    scenario_id: str | None = None
    status: ProcessStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    initiator_id: str | None = None  # only the processes this user started
    limit: int = 100
    offset: int = 0
    event_type: str | None = None  # `$record.after.create`, `$manual`, ...


@dataclass(frozen=True, slots=True)
class ProcessStats:
    """Processes queued in a window: how many per hour and status, and percentiles of how long
    the ended ones took (over all of them, or over what a store that bounds its reads read:
    `complete` says which)."""

    per_hour: Mapping[str, Mapping[str, int]]  # `2026-01-02T13` -> status -> count
    percentiles_ms: Mapping[str, int | None]  # p50, p90, p99
    ended: int  # processes the percentiles are over
    complete: bool = True


class ProcessStore(Protocol):
    """Processes; every status change is a compare-and-set."""

    def create(self, process: ProcessRecord) -> bool:
        """Insert; False when a process with this id exists (a redelivered event)."""
        ...

    async def create_async(self, process: ProcessRecord) -> bool:
        """`create` for a coroutine: its loop serves others while the write waits (it may be
        committed together with other writes)."""
        ...

    def get(self, process_id: str) -> ProcessRecord | None: ...

    def change(
        self, process_id: str, expected: frozenset[ProcessStatus], change: ProcessChange
    ) -> ProcessRecord | None:
        """Apply `change` if the status is one of `expected`; the new row, or None if not."""
        ...

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        """Newest first."""
        ...

    def count(self, status: ProcessStatus) -> int: ...

    def stats(self, since: datetime, until: datetime, scenario_id: str | None) -> ProcessStats:
        """Counts per hour (of `queued_at`) and status, and duration percentiles, of the
        processes queued in [since, until]; computed in the store, never by listing them."""
        ...

    def claim_queued(self, max_running: int, now: datetime) -> list[ProcessRecord]:
        """Move the oldest queued processes to `running` while fewer than `max_running` run."""
        ...

    def admit(self, process: ProcessRecord, max_running: int) -> bool:
        """Insert `process` as running if fewer than `max_running` run; False (nothing stored)
        when none is free. A synchronous caller cannot wait in the queue."""
        ...


class UserStore(Protocol):
    """People who call the API; passwords are kept as salted scrypt hashes.

    There is always an admin once there was one: `change` and `delete` raise LastAdmin rather
    than take the role from the last."""

    def create(self, login: str, password: str, name: str = "", role: Role = Role.MEMBER) -> User:
        """StoreConflict when the login (case-insensitive) exists."""
        ...

    def get(self, user_id: str) -> User | None: ...

    def by_login(self, login: str) -> User | None:
        """The user with this login (case-insensitive as at creation)."""
        ...

    def all(self) -> list[User]:
        """Every user, in the order they were created."""
        ...

    def change(
        self, user_id: str, *, name: str | None = None, role: Role | None = None
    ) -> User | None:
        """Set what is not None; the changed user, or None when there is none."""
        ...

    def delete(self, user_id: str) -> bool:
        """Remove the user and their API keys; False when there is none."""
        ...

    def authenticate(self, login: str, password: str) -> User | None:
        """The active user with this login and password, or None (no hint which was wrong)."""
        ...

    def set_password(self, user_id: str, password: str) -> bool:
        """Replace the user's password (`PATCH /api/v1/users/{id}`); False when there is none."""
        ...


class ApiKeyStore(Protocol):
    """API keys: `<key id>.<secret>`; only a hash of the secret is stored."""

    def create(self, user_id: str, name: str = "", role: Role | None = None) -> tuple[ApiKey, str]:
        """A new key and its full text, shown once. Its role is the user's unless given;
        RoleTooHigh when the given one is above the user's."""
        ...

    def authenticate(self, key: str) -> User | None:
        """The active user owning this unrevoked key, acting with the key's role or their own,
        whichever is lower (a demoted user's keys are demoted with them); or None."""
        ...

    def revoke(self, key_id: str) -> bool:
        """Revoke a key (it authenticates no more, and stays listed); False when there is no
        such key or it is revoked already."""
        ...

    def of_user(self, user_id: str) -> list[ApiKey]:
        """The user's keys, revoked ones included, in the order they were made."""
        ...


class SessionStore(Protocol):
    """Browser sessions by id (the hash of the cookie's token; see `model/session.py`)."""

    def create(self, session: Session) -> None:
        """Store a new session (ids are random: they never clash)."""
        ...

    def get(self, session_id: str) -> Session | None:
        """The session, or None; an expired one may still be returned (the caller checks)."""
        ...

    def delete(self, session_id: str) -> bool:
        """End one session (sign-out); False when there was none."""
        ...

    def delete_user(self, user_id: str) -> int:
        """End every session of a user (their password changed, or they are gone); how many."""
        ...


class SignInThrottle(Protocol):
    """Failed sign-ins per login, counted in windows that start at a window's first failure."""

    def failures(self, login: str) -> SignInFailures | None:
        """The current window of this login's failures, or None when it has none."""
        ...

    def add_failure(self, login: str, now: float, window_seconds: float) -> SignInFailures:
        """Count one failure: in the current window, or in a new one starting `now` when the
        last began `window_seconds` or more ago. Atomic (two servers counting at once both
        count)."""
        ...

    def clear(self, login: str) -> None:
        """Forget the login's failures (it signed in)."""
        ...


class Secrets(Protocol):
    """Secrets (database passwords, tokens) by name, so scenarios never contain them."""

    def get(self, name: str) -> str | None: ...


class Connections(Protocol):
    """The operator's named connections (databases, mail servers): a name -> its URL, password
    included (`postgresql://user:password@host/db`). Components reach it through
    `ComponentContext.services["connections"]`; a scenario names a connection and never holds
    its password."""

    def get(self, name: str) -> str | None:
        """The URL of connection `name`, None when there is no such connection."""
        ...


class BackgroundCalls(Protocol):
    """Component calls nobody waits for (`sql.query` with `wait: false`), at
    `ComponentContext.services["background"]`: on AWS the component's own function invoked
    asynchronously (a Lambda cannot keep working after it answered); where the service is
    absent, a component runs the call on a thread of its own process."""

    def submit(self, component: str, inputs: Mapping[str, Any]) -> None:
        """Start `component` on `inputs` and return at once; its failure is only logged."""
        ...


class FileStore(Protocol):
    """Files that processes and the API keep (mail attachments, documents, uploads): a folder
    beside the database locally, an S3 bucket on AWS. Components reach it through
    `ComponentContext.services["files"]`."""

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        """Store `data` under a fresh id; `errors.FileTooLarge` (a ValueError) when it is over
        the store's limit."""
        ...

    def info(self, file_id: str) -> StoredFile | None:
        """What is known of a stored file, without reading it (None: no such file)."""
        ...

    def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        """A stored file and its content (None: no such file)."""
        ...


# Why a start did not give a process that ran: the scenario has no saved version, the chain of
# processes starting each other is at its limit, every slot is taken (a waited start cannot
# queue), the waited run outlived the synchronous limit, the variables break a data limit.
StartRefusal = Literal["not_found", "chain_too_deep", "busy", "timeout", "invalid_variables"]


@dataclass(frozen=True, slots=True)
class StartedProcess:
    """What `ProcessStarter.start` did: the process it stored (every start stores one, refused
    ones too, so it can be looked at), and when waited for, how it ended."""

    process_id: str
    status: ProcessStatus
    variables: dict[str, Any] | None = None  # a completed run's final variables
    error: ProcessError | None = None
    refusal: StartRefusal | None = None


class ProcessStarter(Protocol):
    """Starts scenarios as processes of their own (`process.start`), at
    `ComponentContext.services["processes"]`: the server binds it to the running process, so
    what it starts is one step deeper in the chain (AUTOMATIONS_MAX_CHAIN_DEPTH)."""

    def start(
        self, scenario_id: str, variables: Mapping[str, Any], *, wait: bool
    ) -> StartedProcess:
        """Start the scenario's latest version with these start variables: run it to its end
        when `wait` (within the synchronous limit), else queue it and return at once."""
        ...


@dataclass(frozen=True, slots=True)
class ExecutionRequest:
    """One run of a compiled scenario: the process it is, its machine and start variables.

    `definition_key` names the definition for caches (a scenario version and flavour);
    `depth` is the chain depth of the event that started it (writes made by it count one more);
    `scenario_id` names what AWS state machines are named after.
    """

    process_id: str
    definition: Mapping[str, Any]
    definition_key: str
    input: dict[str, Any]
    express: bool = False
    depth: int = 0
    scenario_id: str = ""


@dataclass(frozen=True, slots=True)
class ExecutionEnd:
    """How a run ended, in Step Functions terms (SUCCEEDED, FAILED, TIMED_OUT, ABORTED)."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False  # a run the caller waited for outlived its time limit
    # The whole path, when the executor built it as the run went (then `history` may hold
    # only the events since: AWS reads no more of it at a successful end).
    trace: list[TraceStep] | None = None


OnEnd = Callable[[ExecutionEnd], None]


class TraceSource(Protocol):
    """Where a runtime that does not store a running process's path as it goes catches it up
    when someone reads the process (AWS: from its execution's history events since the last
    look, `adapters/aws/live_trace.py`)."""

    def caught_up(self, process: ProcessRecord) -> ProcessRecord:
        """The running `process` with its trace up to now (as it was when that cannot be read)."""
        ...


class Executor(Protocol):
    """Runs compiled scenarios: in the background, or while the caller waits."""

    def start(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        """Run in the background; `on_end` is called once with how it ended."""
        ...

    def resume(self, request: ExecutionRequest, on_end: OnEnd) -> None:
        """Continue from the last checkpoint (from the start when there is none)."""
        ...

    def run(self, request: ExecutionRequest, timeout_seconds: float) -> ExecutionEnd:
        """Run while the caller waits; after `timeout_seconds` the run is stopped and its end
        says `timed_out` (with the history up to then)."""
        ...

    def can_run_now(self, request: ExecutionRequest) -> bool:
        """Whether `run_now` can run this request: its machine can never wait (no task, no
        timer), so it ends in the calling thread without giving way."""
        ...

    def run_now(self, request: ExecutionRequest, budget_seconds: float) -> ExecutionEnd | None:
        """Run to the end in the calling thread (only when `can_run_now`); None, with nothing
        done that anyone could see, when the run is still going after `budget_seconds`."""
        ...

    def stop(self, process_id: str) -> bool:
        """Stop a run of this executor; its `on_end` reports ABORTED. False if none runs."""
        ...

    def redrive(
        self, request: ExecutionRequest, variables: Mapping[str, Any] | None, on_end: OnEnd
    ) -> None:
        """Run an execution that ended unsuccessfully on from the states that failed (Step
        Functions' RedriveExecution), `variables` changed first; `on_end` as for `start`.
        Raises RedriveRefused, before anything runs, when it cannot be."""
        ...


class RedriveRefused(AutomationsError):
    """Raised by `Executor.redrive` when the execution cannot go on; the message says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Primary(Protocol):
    """The server process that runs background processes, as another server process sees it
    (several embedded server processes may share one database; only one runs these). The dev
    server implements it (`devserver/workers.py:PipeToPrimary`)."""

    def pump(self) -> None:
        """Processes were queued: start what the limit allows."""
        ...

    def stop(self, process_id: str) -> None:
        """Stop this process if it runs there (else end it in the store)."""
        ...


class Counters(Protocol):
    """Counters of one server since it started, for operators and the limit tests; each
    runtime counts in the way its threads need (the use cases hold no locks)."""

    def add(self, name: str, amount: int = 1) -> None: ...

    def at_least(self, name: str, value: int) -> None:
        """Raise the counter `name` to `value` if it is lower (a high-water mark)."""
        ...

    def snapshot(self) -> dict[str, int]: ...


class Waits(Protocol):
    """How a use case waits for what another thread or process does (a stopped run to be
    recorded as ended): the runtime knows when its stores change, the use case does not."""

    def until(self, done: Callable[[], bool], seconds: float) -> bool:
        """Return True as soon as `done()` is true, False if it is still false after `seconds`."""
        ...


# -- the records port: records as a running process's components reach them ----------------


class CatalogNotFound(AutomationsError):
    """Raised when the catalog a request names does not exist."""

    def __init__(self, catalog_id: str) -> None:
        self.catalog_id = catalog_id
        super().__init__(f"catalog {catalog_id} not found")


class RecordNotFound(AutomationsError):
    """Raised when the record a request names does not exist in that catalog."""

    def __init__(self, catalog_id: str, record_id: str) -> None:
        self.catalog_id = catalog_id
        self.record_id = record_id
        super().__init__(f"record {record_id} not found in catalog {catalog_id}")


class WriteRefused(AutomationsError):
    """Raised when a before-hook refuses a write, or could not run; nothing was stored."""

    def __init__(self, message: str | None) -> None:
        self.message = message or "the write was refused"
        super().__init__(self.message)


class WriteConflict(AutomationsError):
    """Raised when a record kept changing under an update or delete (every attempt lost)."""


class AttachmentMissing(AutomationsError):
    """Raised when a message names a file the file store does not hold (or there is none)."""

    def __init__(self, file_id: str) -> None:
        self.file_id = file_id
        self.field_id = "attachments"  # the part of the message at fault
        super().__init__(f"attachments: no stored file {file_id[:40]}")


class MessagesPort(Protocol):
    """Writing a message on a record as a running process (`message.send`'s port, at
    `ComponentContext.services["messages"]`; the server binds it to the process, its author).

    Raises CatalogNotFound, RecordNotFound, the model's MessageInvalid, AttachmentMissing."""

    def send(
        self, catalog_id: str, record_id: str, text: str, attachments: Sequence[str]
    ) -> RecordMessage: ...


@dataclass(frozen=True, slots=True)
class FindSpec:
    """What `records.find` asks for: filters in either of the product's formats, a sort, a
    page and the fields to return (None = all)."""

    filters: Any = None
    search_text: str | None = None
    sort_field: str | None = None
    descending: bool = False
    limit: int = 100
    offset: int = 0
    fields: set[str] | None = None


class RecordsPort(Protocol):
    """Record use cases as one running process performs them (the records components' port).

    Besides the errors above, bad values, catalogs or filters raise the model's
    `ValuesInvalid`, `CatalogInvalid` and `FilterInvalid`; nothing else is expected.
    """

    def catalog(self, catalog_id: str) -> Catalog: ...

    def get(self, catalog_id: str, record_id: str, fields: set[str] | None) -> dict[str, Any]: ...

    def find(self, catalog_id: str, spec: FindSpec) -> tuple[list[dict[str, Any]], int]: ...

    def create(self, catalog_id: str, values: dict[str, Any]) -> str: ...

    def update(self, catalog_id: str, record_id: str, values: dict[str, Any]) -> None: ...

    def delete(self, catalog_id: str, record_id: str) -> None: ...

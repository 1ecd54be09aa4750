"""Everything the automation side is built from, in one place the API and the server share.

A bootstrap builds one `Automation` over its adapters (SQLite here, DynamoDB later); the use
case modules each take the few ports they need from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from automations.asl.ports import Clock
from automations.ports import (
    CatalogStore,
    ChangeFeed,
    Connections,
    DeliveryStore,
    ScenarioStore,
    ScheduleStore,
    SubscriptionStore,
    WebRequestStore,
)
from automations.service.dispatch import DispatchDeps
from automations.service.hooks import UpdatingDeps
from automations.service.messengers import MessengerDeps
from automations.service.processes import Processes
from automations.service.records import RecordDeps
from automations.service.scenario_deletion import DeletionDeps
from automations.service.schedules import ScheduleDeps
from automations.service.webrequests import WebRequestDeps
from automations.settings import Settings


@dataclass(frozen=True, slots=True)
class Automation:
    """The stores and use cases of events, scenarios and processes."""

    catalogs: CatalogStore
    feed: ChangeFeed
    scenarios: ScenarioStore
    subscriptions: SubscriptionStore
    webrequests: WebRequestStore
    schedules: ScheduleStore
    processes: Processes
    records: RecordDeps
    clock: Clock
    settings: Settings
    # Messenger webhooks: the operator's connections (bots and their secrets), deliveries seen.
    connections: Connections
    deliveries: DeliveryStore

    def dispatch_deps(self) -> DispatchDeps:
        return DispatchDeps(self.feed, self.subscriptions, self.processes)

    def updating_deps(self) -> UpdatingDeps:
        return UpdatingDeps(self.records, self.subscriptions, self.processes)

    def deletion_deps(self) -> DeletionDeps:
        return DeletionDeps(self.scenarios, self.subscriptions, self.webrequests, self.schedules)

    def messenger_deps(self) -> MessengerDeps:
        return MessengerDeps(
            self.connections, self.deliveries, self.subscriptions, self.processes, self.clock
        )

    def webrequest_deps(self) -> WebRequestDeps:
        return WebRequestDeps(self.webrequests, self.scenarios, self.processes)

    def schedule_deps(self) -> ScheduleDeps:
        return ScheduleDeps(
            self.schedules,
            self.scenarios,
            self.processes,
            self.clock,
            allow_seconds=self.settings.schedule_allow_seconds,
        )

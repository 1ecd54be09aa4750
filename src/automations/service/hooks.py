"""Synchronous record events: `$record.before.*` (may refuse or rewrite a write) and
`$record.updating` (a card being edited gets new values and a message).

Subscriptions run one after the other, by id; each sees the values as the ones before it left
them, and `$prevValues`: the record as stored (`{}` before a create, whose record does not exist
yet; before a delete, the same values as `$values`). A before-hook whose process fails refuses
the write (a check that could not run must not let the write through); `$response.status` >=
400 refuses it with `$response.body.message`; `$response.body.values` replaces values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automations.model.errors import ValuesInvalid
from automations.model.event import EventType, HookDecision
from automations.model.process import ProcessRecord, ProcessStatus
from automations.model.subscription import Subscription
from automations.model.values import validate_values
from automations.ports import SubscriptionStore
from automations.service import records as record_use_cases
from automations.service.errors import HookAnswerInvalid, ProcessFailed
from automations.service.processes import Processes, Start
from automations.service.response import response_of
from automations.service.variables import Trigger


def _matching(
    subscriptions: SubscriptionStore, catalog_id: str, event_type: EventType, changed: list[str]
) -> list[Subscription]:
    return [s for s in subscriptions.matching(catalog_id, event_type) if s.watches(changed)]


def _start(
    sub: Subscription, event_type: EventType, user_id: str | None, depth: int, facts: dict[str, Any]
) -> Start:
    return Start(
        scenario_id=sub.scenario_id,
        trigger=Trigger(event_type, sub.id, user_id, sync=True, facts=facts),
        subscription_id=sub.id,
        depth=depth,
    )


def _failure(process: ProcessRecord) -> str:
    error = process.error
    what = f"{error.code}: {error.message}" if error is not None else str(process.status)
    return f"scenario {process.scenario_id} failed (process {process.id}): {what}"


class ScenarioHooks:
    """The BeforeHooks port run by scenarios subscribed to `$record.before.*`."""

    def __init__(self, subscriptions: SubscriptionStore, processes: Processes) -> None:
        self._subscriptions = subscriptions
        self._processes = processes

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
        current = dict(values)
        replaced = False
        for sub in _matching(self._subscriptions, catalog_id, event_type, list(values)):
            facts: dict[str, Any] = {"catalogId": catalog_id, "values": current}
            if record_id is not None:
                facts["recordId"] = record_id
            facts["prevValues"] = {} if prev_values is None else prev_values
            process = self._processes.run_sync(_start(sub, event_type, user_id, depth, facts))
            if process.status is not ProcessStatus.COMPLETED:
                return HookDecision(allowed=False, message=_failure(process))
            response = response_of(process.output)
            if response.refuses:
                message = response.body_field("message")
                return HookDecision(
                    allowed=False,
                    message=message
                    if isinstance(message, str)
                    else f"refused by {sub.scenario_id}",
                )
            new_values = response.body_field("values")
            if isinstance(new_values, dict):
                current.update({str(k): v for k, v in new_values.items()})
                replaced = True
        return HookDecision(allowed=True, values=current if replaced else None)


@dataclass(frozen=True, slots=True)
class CardAnswer:
    """What the card being edited gets: new field values and a message to show."""

    values: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


@dataclass(frozen=True, slots=True)
class UpdatingDeps:
    """The ports `$record.updating` needs."""

    records: record_use_cases.RecordDeps
    subscriptions: SubscriptionStore
    processes: Processes


def card_updating(
    deps: UpdatingDeps,
    catalog_id: str,
    record_id: str | None,
    values: dict[str, Any],
    all_values: dict[str, Any] | None = None,
    user_id: str | None = None,
) -> CardAnswer:
    """Run the `$record.updating` scenarios for fields changed in a card (nothing is stored).

    `values` are the fields the person changed; `all_values` the whole card (by default the
    stored record with those changes, or just the changes for a new card).
    """
    catalog = record_use_cases.catalog_of(deps.records, catalog_id)
    changed = validate_values(catalog, values)
    base: dict[str, Any] = {}
    if record_id is not None:
        base = record_use_cases.get_record(deps.records, catalog_id, record_id)[1].values
    card = validate_values(catalog, all_values) if all_values is not None else {**base, **changed}
    answer: dict[str, Any] = {}
    message: str | None = None
    for sub in _matching(deps.subscriptions, catalog_id, EventType.UPDATING, list(changed)):
        facts: dict[str, Any] = {"catalogId": catalog_id, "values": changed, "allValues": card}
        if record_id is not None:
            facts["recordId"] = record_id
        process = deps.processes.run_sync(_start(sub, EventType.UPDATING, user_id, 0, facts))
        if process.status is not ProcessStatus.COMPLETED:
            raise ProcessFailed(_failure(process), process.id)
        response = response_of(process.output)
        new_values = response.body_field("values")
        if isinstance(new_values, dict):
            try:
                accepted = validate_values(catalog, {str(k): v for k, v in new_values.items()})
            except ValuesInvalid as exc:
                raise HookAnswerInvalid(
                    f"scenario {sub.scenario_id} answered values the catalog refuses: {exc}",
                    process.id,
                ) from None
            answer.update(accepted)
            card.update(accepted)
        said = response.body_field("message")
        if isinstance(said, str):
            message = said
    return CardAnswer(values=answer, message=message)

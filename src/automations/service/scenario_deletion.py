"""Deleting a scenario: refused while anything would still start it, else it is retired.

What starts a scenario is set up apart from it (subscriptions, web request endpoints, schedules,
other scenarios' call activities), often by someone else: deleting those silently would turn a
published URL into a 404 or stop a catalog's automation without anyone deciding it. So a
scenario still in use is not deleted, and the refusal names every use, for the user to remove or
point elsewhere first (an inactive trigger counts: switching it on again would start nothing).

A retired scenario's versions stay (`ScenarioStore.delete`): processes already queued or running
go on with the version they started with, and every process keeps showing its diagram.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from automations.compiler.activities import scenario_arn
from automations.model.subscription import Subscription
from automations.ports import ScenarioStore, ScheduleStore, SubscriptionStore, WebRequestStore
from automations.service.errors import ScenarioInUse, ScenarioNotFound


@dataclass(frozen=True, slots=True)
class ScenarioUse:
    """One thing that would start the scenario: its kind, id, and how the user knows it."""

    kind: str  # subscription | webrequest | schedule | scenario
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class DeletionDeps:
    """The stores that say what uses a scenario."""

    scenarios: ScenarioStore
    subscriptions: SubscriptionStore
    webrequests: WebRequestStore
    schedules: ScheduleStore


def _source(subscription: Subscription) -> str:
    if subscription.connection is not None:  # a messenger's: its bot
        return f"of connection {subscription.connection}"
    return f"in catalog {subscription.catalog_id}"


def scenario_uses(deps: DeletionDeps, scenario_id: str) -> list[ScenarioUse]:
    """Every subscription, endpoint, schedule and other scenario that would start this one."""
    uses = [
        ScenarioUse(
            "subscription",
            s.id,
            f"subscription to {', '.join(map(str, s.events))} {_source(s)}",
        )
        for s in deps.subscriptions.all()
        if s.scenario_id == scenario_id
    ]
    uses += [
        ScenarioUse("webrequest", e.id, f"web request endpoint /api/webrequest/{e.url_id}")
        for e in deps.webrequests.all()
        if e.scenario_id == scenario_id
    ]
    uses += [
        ScenarioUse("schedule", s.id, f"schedule {s.expression}")
        for s in deps.schedules.all()
        if s.scenario_id == scenario_id
    ]
    # A call activity compiles to a Task naming the called scenario's machine placeholder.
    called = json.dumps(scenario_arn(scenario_id))
    uses += [
        ScenarioUse("scenario", v.scenario_id, f"call activity in scenario {v.scenario_id}")
        for v in deps.scenarios.all()
        if v.scenario_id != scenario_id and called in json.dumps(v.compiled)
    ]
    return uses


def delete_scenario(deps: DeletionDeps, scenario_id: str) -> None:
    """Retire the scenario; ScenarioNotFound when it has no saved version, ScenarioInUse
    (nothing changed) while anything would still start it."""
    if deps.scenarios.latest(scenario_id) is None:
        raise ScenarioNotFound(f"scenario {scenario_id[:100]} not found")
    uses = scenario_uses(deps, scenario_id)
    if uses:
        raise ScenarioInUse(
            f"scenario {scenario_id} is still used by: "
            + "; ".join(u.label for u in uses)
            + ". Delete these or point them at another scenario first.",
            uses=[(u.kind, u.id, u.label) for u in uses],
        )
    if not deps.scenarios.delete(scenario_id):  # deleted meanwhile by another request
        raise ScenarioNotFound(f"scenario {scenario_id[:100]} not found")

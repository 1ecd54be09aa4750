"""`$schedule`: schedules start their scenario when due, once per due time.

Each firing has a process id fixed by (schedule, due time) and is stored before the schedule's
next run moves on, so a crash between the two fires nothing twice: after a restart the same due
time finds its process and only the move is repeated. Runs missed while the server was down are
not caught up one by one: the schedule fires once for the oldest and then waits for its next
time after now (as a person who restarts a server expects).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.event import EventType
from automations.model.process_ids import process_id_for
from automations.model.scenario import Schedule
from automations.ports import ScenarioStore, ScheduleStore
from automations.service.errors import BindingInvalid, ExpressionInvalid
from automations.service.processes import Processes, Start
from automations.service.recurrence import Recurrence, parse_recurrence
from automations.service.variables import Trigger


@dataclass(frozen=True, slots=True)
class ScheduleDeps:
    """The ports schedules need."""

    schedules: ScheduleStore
    scenarios: ScenarioStore
    processes: Processes
    clock: Clock
    allow_seconds: bool = False


def recurrence_of(deps: ScheduleDeps, expression: str) -> Recurrence:
    """The parsed expression, or BindingInvalid naming the field."""
    try:
        return parse_recurrence(expression, allow_seconds=deps.allow_seconds)
    except ExpressionInvalid as exc:
        raise BindingInvalid(f"expression: {exc}", field="expression") from None


def create_schedule(
    deps: ScheduleDeps, expression: str, scenario_id: str, *, active: bool = True
) -> Schedule:
    """A new schedule, its first run the expression's next time after now."""
    recurrence = recurrence_of(deps, expression)
    if deps.scenarios.latest(scenario_id) is None:
        raise BindingInvalid(f"scenario {scenario_id} has no saved version", field="scenarioId")
    now = from_epoch(deps.clock.now())
    schedule = Schedule(
        id=uuid.uuid4().hex,
        expression=expression.strip(),
        scenario_id=scenario_id,
        active=active,
        next_run_at=recurrence.next_after(now),
    )
    deps.schedules.put(schedule)
    return schedule


def fire_due(deps: ScheduleDeps) -> int:
    """Start every due schedule's scenario once; how many fired."""
    now = from_epoch(deps.clock.now())
    fired = 0
    for schedule in deps.schedules.due(now):
        due = schedule.next_run_at
        assert due is not None  # due() lists only schedules with a next run
        time = utc_iso(due)
        facts = {"schedule": {"id": schedule.id, "time": time}}
        deps.processes.enqueue(
            Start(
                scenario_id=schedule.scenario_id,
                trigger=Trigger(EventType.SCHEDULE, schedule.id, None, sync=False, facts=facts),
                process_id=process_id_for(due, "schedule", schedule.id, time),
            )
        )
        try:
            recurrence = parse_recurrence(schedule.expression, allow_seconds=deps.allow_seconds)
            following = recurrence.next_after(due)
            if following <= now:
                following = recurrence.next_after(now)
        except ExpressionInvalid:
            continue  # stored before a rule changed: it stays due, and fires nothing twice
        if deps.schedules.set_next_run(schedule.id, due, following):
            fired += 1
    if fired:
        deps.processes.pump()
    return fired


NEXT_RUNS = 5


def next_runs(deps: ScheduleDeps, schedule: Schedule, count: int = NEXT_RUNS) -> list[str]:
    """The schedule's next `count` firing times (ISO, UTC) from its next run on; none for an
    inactive schedule or an expression that no longer parses."""
    if not schedule.active or schedule.next_run_at is None:
        return []
    try:
        recurrence = parse_recurrence(schedule.expression, allow_seconds=deps.allow_seconds)
    except ExpressionInvalid:
        return []
    times = [schedule.next_run_at]
    while len(times) < count:
        try:
            times.append(recurrence.next_after(times[-1]))
        except ExpressionInvalid:  # a cron that stops firing (a year list that ends)
            break
    return [utc_iso(t) for t in times]

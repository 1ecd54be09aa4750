"""Scenario versions, web-request endpoints and schedules: what a saved scenario is bound to."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from automations.model.base import CamelModel, UtcDateTime

UrlId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}$")]


class ScenarioVersion(CamelModel):
    """One saved version of a scenario: the BPMN text and its ASL per flavour.

    `compiled` maps a flavour name (`STANDARD`, `EXPRESS`) to the state machine definition.
    """

    id: str
    scenario_id: str
    version: int
    bpmn: str
    compiled: dict[str, dict[str, Any]] = Field(default_factory=dict)
    created_at: UtcDateTime


class WebRequestEndpoint(CamelModel):
    """`/api/webrequest/{url_id}` starts `scenario_id` (latin letters, digits, `-` and `_`)."""

    id: str
    url_id: UrlId
    scenario_id: str
    active: bool = True


class Schedule(CamelModel):
    """Starts `scenario_id` on a cron or rate `expression` (as EventBridge writes them)."""

    id: str
    expression: str
    scenario_id: str
    active: bool = True
    next_run_at: UtcDateTime | None = None

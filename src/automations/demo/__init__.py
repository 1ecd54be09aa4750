"""The demo `automations dev` seeds on its first start: an Orders catalog, three scenarios (from
`examples/`, adapted to the catalog), their subscriptions and a web request endpoint.

- `demo-approve-order` on `$record.after.create`: writes a decision back into the new order.
- `demo-check-order` on `$record.before.create` / `.before.update`: refuses a negative total,
  trims the title.
- `demo-quote` at `/api/webrequest/quote`: answers a discount for a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from automations.model.event import EventType
from automations.service.automation import Automation
from automations.service.scenarios import save_scenario
from automations.service.subscriptions import SubscriptionDraft, create_subscription
from automations.service.webrequests import create_endpoint

CATALOG_NAME = "Orders (demo)"
URL_ID = "quote"
SCENARIOS = ("demo-approve-order", "demo-check-order", "demo-quote")
SUBSCRIPTIONS: tuple[tuple[str, tuple[EventType, ...]], ...] = (
    ("demo-approve-order", (EventType.AFTER_CREATE,)),
    ("demo-check-order", (EventType.BEFORE_CREATE, EventType.BEFORE_UPDATE)),
)


@dataclass(frozen=True, slots=True)
class Demo:
    """What the demo consists of (to print and to try)."""

    catalog_id: str
    url_id: str
    created: bool


def _catalog_draft() -> CatalogDraft:
    return CatalogDraft(
        name=CATALOG_NAME,
        icon="content-34",
        fields=[
            FieldDraft(name="Title", type=FieldType.TEXT, required=True),
            FieldDraft(name="Total", type=FieldType.NUMBER),
            FieldDraft(
                name="Status",
                type=FieldType.DROPDOWN,
                config={"items": [{"name": "waiting"}, {"name": "approved"}]},
            ),
            FieldDraft(name="Note", type=FieldType.TEXT),
        ],
    )


def bpmn_text(scenario_id: str) -> str:
    """A demo scenario's BPMN, shipped inside the package."""
    return (resources.files(__package__) / f"{scenario_id}.bpmn").read_text(encoding="utf-8")


def seed_demo(automation: Automation) -> Demo:
    """Create the demo unless it exists (recognised by its catalog's name)."""
    existing = next((c for c in automation.catalogs.all() if c.name == CATALOG_NAME), None)
    if existing is not None:
        return Demo(catalog_id=existing.id, url_id=URL_ID, created=False)
    catalog = automation.catalogs.create(_catalog_draft())
    timeout = automation.settings.process_timeout_seconds
    for scenario_id in SCENARIOS:
        save_scenario(
            automation.scenarios, scenario_id, bpmn_text(scenario_id), timeout_seconds=timeout
        )
    for scenario_id, events in SUBSCRIPTIONS:
        draft = SubscriptionDraft(
            catalog_id=catalog.id, events=list(events), scenario_id=scenario_id
        )
        create_subscription(
            automation.subscriptions, automation.catalogs, automation.scenarios, draft
        )
    if automation.webrequests.by_url_id(URL_ID) is None:
        create_endpoint(automation.webrequests, automation.scenarios, URL_ID, "demo-quote")
    return Demo(catalog_id=catalog.id, url_id=URL_ID, created=True)

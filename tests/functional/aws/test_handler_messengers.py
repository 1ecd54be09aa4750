"""functions/webhook fed API Gateway proxy events for `/api/messengers/{connection}`: the
connection is a Secrets Manager secret (moto), deliveries are remembered in the Automations
table, and a Telegram update delivered twice stores one process, started on Step Functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import handler_support as support
import pytest
import sfn_support

from automations.adapters.aws.tables import create_tables
from automations.model.event import EventType
from automations.model.subscription import Subscription
from automations.ports import ProcessQuery
from automations.service.processes import STANDARD
from automations.service.scenarios import save_scenario

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
TABLES = {"Records": "msg-records", "Automations": "msg-automations"}
SCENARIO = Path(__file__).parents[2] / "e2e" / "scenarios" / "messenger-telegram.bpmn"
SECRET = "tg-secret_1"
PREFIX = "automations-test/connections/"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Messengers:
    def __init__(self, moto: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        account = moto._role.split(":")[4]
        region = sfn_support.REGION
        prefix = f"arn:aws:lambda:{region}:{account}:function:{sfn_support.FUNCTION_PREFIX}"
        support.handler_env(
            monkeypatch,
            TABLES,
            STATE_MACHINE_ROLE_ARN=moto._role,
            COMPONENT_FUNCTION_PREFIX=prefix,
            CONNECTIONS_PREFIX=PREFIX,
        )
        self.dynamodb = boto3.client("dynamodb", region_name=region)
        create_tables(self.dynamodb, TABLES)
        secrets = boto3.client("secretsmanager", region_name=region)
        url = f"telegram://123:AA-token@api.telegram.org?webhookSecret={SECRET}"
        secrets.create_secret(Name=f"{PREFIX}bot", SecretString=url)
        self.runtime = support.install_runtime(sync_call=sfn_support.MotoSyncCall(moto.sfn))
        automation = self.runtime.automation
        save_scenario(automation.scenarios, "hear", SCENARIO.read_text(encoding="utf-8"))
        automation.subscriptions.put(
            Subscription(
                id="sub-1",
                connection="bot",
                events=[EventType.TELEGRAM_MESSAGE],
                scenario_id="hear",
            )
        )
        self.handler = support.load_handler("webhook").handler

    def deliver(self, connection: str, body: str, secret: str | None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[HEADER] = secret
        event = support.proxy_event(
            "POST",
            f"/api/messengers/{connection}",
            body=body,
            headers=headers,
            resource="/api/messengers/{connection}",
        )
        event["pathParameters"] = {"connection": connection}
        return self.handler(event, support.LambdaContext())  # type: ignore[no-any-return]


@pytest.fixture
def messengers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Messengers]:
    with sfn_support.moto_support.moto_step_functions() as moto:
        deployment = Messengers(moto, monkeypatch)
        try:
            yield deployment
        finally:
            deployment.runtime.executor.close()


def update(update_id: int, text: str) -> str:
    message = {"message_id": 1, "chat": {"id": 55, "type": "private"}, "text": text}
    return json.dumps({"update_id": update_id, "message": message})


def test_an_update_delivered_twice_stores_and_starts_one_process(messengers: Messengers) -> None:
    first = messengers.deliver("bot", update(10, "hello"), SECRET)
    again = messengers.deliver("bot", update(10, "hello"), SECRET)

    assert (first["statusCode"], again["statusCode"]) == (200, 200)
    assert support.json_body(first) == {"ok": True}
    [process] = messengers.runtime.process_store.find(ProcessQuery())
    assert process.subscription_id == "sub-1"
    assert process.input["telegram"]["text"] == "hello"
    assert process.input["telegram"]["chatId"] == 55
    # Started on the scenario's STANDARD machine (the answer did not wait for it).
    executions = messengers.runtime.stepfunctions.list_executions(
        stateMachineArn=messengers.runtime.machines.machine_arn("hear", STANDARD)
    )["executions"]
    assert [e["name"] for e in executions] == [process.id]
    # The delivery is remembered in the Automations table, for its TTL to forget.
    item = messengers.dynamodb.get_item(
        TableName=TABLES["Automations"],
        Key={"pk": {"S": "DELIVERY#telegram:bot:10"}, "sk": {"S": "DELIVERY"}},
    )["Item"]
    assert int(item["expiresAt"]["N"]) > int(item["firstSeen"]["N"])


def test_a_wrong_secret_and_an_unknown_connection_start_nothing(messengers: Messengers) -> None:
    wrong = messengers.deliver("bot", update(11, "forged"), "guess")
    missing = messengers.deliver("nobody", update(11, "x"), SECRET)
    invalid = messengers.deliver("bot", "not json", SECRET)

    assert wrong["statusCode"] == 401
    assert support.json_body(wrong)["code"] == "messenger.unverified"
    assert missing["statusCode"] == 404
    assert invalid["statusCode"] == 400
    assert "not JSON" in support.json_body(invalid)["message"]
    assert messengers.runtime.process_store.find(ProcessQuery()) == []

"""`examples/classify-request.bpmn` end to end, as `automations run --db` runs it: a customer's
letter goes to a language model (the stand-in AI service), the order it names is found in a
local database's orders catalog, a comment mentioning it is written on that order, and the
manager's chat is told through Telegram's Bot API (the stand-in Telegram server). When the
model refuses the key, the error boundary's path still finds the order (by the number in the
letter), comments that a person must read it and tells the manager, and the key stays out.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from automations.adapters.local.connections import VARIABLE as CONNECTIONS_ENV
from automations.adapters.local.runtime import build_runtime
from automations.cli import main
from automations.model.message import RecordMessage
from automations.settings import Settings
from support.ai_servers import AiStandIn
from support.messenger_servers import TelegramServer
from support.runtime_api import runtime_api

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "classify-request.bpmn"
KEY = "sk-classify-right-key-0123"
WRONG_KEY = "sk-classify-WRONG-key-9876"
MANAGER_CHAT = -1001234567890  # the example's Settings
LETTER = "Здравствуйте! Заказ № 1042 так и не приехал, хотя обещали в понедельник. Когда его ждать?"
CLASSIFIED = {"category": "доставка", "urgent": True, "orderNumber": "1042"}


@dataclass(frozen=True, slots=True)
class Shop:
    """The local database: the orders catalog, order 1042 and a decoy numbered 10420."""

    db: Path
    catalog: str
    order: str
    decoy: str

    def messages(self, record: str) -> list[RecordMessage]:
        runtime = build_runtime(self.db, Settings(demo=False))
        try:
            assert runtime.services.messages is not None
            return runtime.services.messages.page(self.catalog, record, limit=10).messages
        finally:
            runtime.close()


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    db = tmp_path / "shop.db"
    fields: list[dict[str, Any]] = [
        {"name": "Title", "type": "text", "required": True},
        {"name": "Number", "type": "number"},
        {"name": "Customer", "type": "text"},
    ]
    with runtime_api(db) as (api, _):
        catalog = api.catalog(fields)
        ids = []
        for number in (1042, 10420):
            values = {"1": f"Заказ № {number}", "2": number, "3": "Иван Петров"}
            answer = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": values})
            assert answer.status == 200, answer.body
            ids.append(str(answer.body["id"]))
    # The example's Settings name catalog 1 and its field 2, as a user who picked them would.
    assert catalog == "1"
    return Shop(db=db, catalog=catalog, order=ids[0], decoy=ids[1])


@pytest.fixture
def telegram() -> Iterator[TelegramServer]:
    with TelegramServer() as server:
        yield server


@pytest.fixture
def start_ai() -> Iterator[Callable[[dict[str, Any]], AiStandIn]]:
    """A stand-in model service answering every chat with the given JSON object."""
    started: list[AiStandIn] = []

    def start(answer: dict[str, Any]) -> AiStandIn:
        server = AiStandIn(key=KEY, reply=lambda _body: json.dumps(answer, ensure_ascii=False))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def connect(
    monkeypatch: pytest.MonkeyPatch, ai: AiStandIn, telegram: TelegramServer, key: str = KEY
) -> None:
    """The operator's connections `assistant` and `manager-bot`; loopback allowed for both."""
    assistant = ai.connection_url("deepseek").replace(quote(KEY, safe=""), quote(key, safe=""))
    connections = {"assistant": assistant, "manager-bot": telegram.connection}
    monkeypatch.setenv(CONNECTIONS_ENV, json.dumps(connections))
    monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", raising=False)


def run(shop: Shop, capsys: pytest.CaptureFixture[str], letter: str = LETTER) -> dict[str, Any]:
    """`automations run examples/classify-request.bpmn --db ... --json` on a web request's body."""
    variables = {"method": "POST", "body": {"text": letter}}
    args = ["run", str(EXAMPLE), "--db", str(shop.db), "--input", json.dumps(variables), "--json"]
    code = main(args)
    out = capsys.readouterr()
    result: dict[str, Any] = json.loads(out.out)
    assert (code, result["status"]) == (0, "completed"), result["error"]
    result["_printed"] = out.out + out.err
    return result


def sent_messages(telegram: TelegramServer) -> list[dict[str, Any]]:
    assert all(r.path == f"/bot{telegram.token}/sendMessage" for r in telegram.requests)
    return [r.json for r in telegram.requests]


def test_a_classified_letter_is_commented_on_its_order_and_the_manager_told(
    shop: Shop,
    telegram: TelegramServer,
    start_ai: Callable[[dict[str, Any]], AiStandIn],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ai = start_ai(CLASSIFIED)
    connect(monkeypatch, ai, telegram)

    result = run(shop, capsys)

    assert "AiFailed" not in result["trace"]
    assert ai.problems == []
    [chat] = ai.chats()
    body = chat.json
    assert chat.headers["authorization"] == f"Bearer {KEY}"
    assert body["messages"][-1] == {"role": "user", "content": LETTER}
    assert body["response_format"] == {"type": "json_object"}
    assert body["temperature"] == 0
    [system] = [m["content"] for m in body["messages"] if m["role"] == "system"]
    assert "category (one of: доставка, оплата, возврат, вопрос, другое)" in system

    mention = f"<@{shop.catalog}:{shop.order};Заказ № 1042/@>"
    [comment] = shop.messages(shop.order)
    assert comment.text == f"Письмо клиента по {mention}: доставка, срочно.\n\n{LETTER}"
    assert [(m.catalog_id, m.record_id, m.title) for m in comment.mentions] == [
        (shop.catalog, shop.order, "Заказ № 1042")
    ]
    assert (comment.author.kind, comment.author.title) == ("process", "classify-request")
    assert shop.messages(shop.decoy) == [], "the number is matched exactly, not as a part"

    [notice] = sent_messages(telegram)
    assert notice["chat_id"] == MANAGER_CHAT
    assert notice["text"] == (
        f"Письмо клиента: доставка, срочно\nЗаказ: Заказ № 1042, комментарий записан\n\n{LETTER}"
    )
    assert "disable_notification" not in notice, "an urgent letter is announced with a sound"

    output = result["output"]
    assert output["classification"] == CLASSIFIED
    assert (output["category"], output["urgent"], output["orderNumber"]) == (
        "доставка",
        True,
        "1042",
    )
    assert (output["needsHuman"], output["order"]["id"]) == (False, shop.order)
    assert output["commentId"] == comment.id
    assert output["notified"] is True
    assert output["response"] == {"status": 200, "body": {"received": True, "needsHuman": False}}


def test_a_refused_key_takes_the_boundary_path_and_a_person_is_asked(
    shop: Shop,
    telegram: TelegramServer,
    start_ai: Callable[[dict[str, Any]], AiStandIn],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ai = start_ai(CLASSIFIED)
    connect(monkeypatch, ai, telegram, key=WRONG_KEY)
    caplog.set_level(logging.DEBUG)

    result = run(shop, capsys)

    trace = result["trace"]
    assert trace.index("AiFailed") < trace.index("FindNumberInLetter") < trace.index("FindOrder")
    [chat] = ai.chats()  # the key was sent (and refused): 401 is not tried again
    assert chat.headers["authorization"] == f"Bearer {WRONG_KEY}"
    output = result["output"]
    assert (output["needsHuman"], output["aiError"], output["orderNumber"]) == (
        True,
        "ai.auth",
        "1042",
    )
    # The stand-in echoes the key it got in its refusal; the component masks it.
    assert "***" in output["aiErrorMessage"]
    assert WRONG_KEY not in result["_printed"]
    assert WRONG_KEY not in caplog.text

    mention = f"<@{shop.catalog}:{shop.order};Заказ № 1042/@>"
    [comment] = shop.messages(shop.order)
    assert comment.text == (
        f"Письмо клиента по {mention} требует ответа человека: ИИ не разобрал его (ai.auth)."
        f"\n\n{LETTER}"
    )
    [notice] = sent_messages(telegram)
    assert notice["chat_id"] == MANAGER_CHAT
    assert notice["text"] == (
        "Письмо требует ответа человека (ai.auth)\n"
        f"Заказ: Заказ № 1042, комментарий записан\n\n{LETTER}"
    )
    assert "disable_notification" not in notice
    assert output["response"] == {"status": 200, "body": {"received": True, "needsHuman": True}}


@pytest.mark.parametrize(
    ("answer", "order_line"),
    [
        ({"category": "вопрос", "urgent": False, "orderNumber": None}, "Номер заказа не указан"),
        ({"category": "вопрос", "urgent": False, "orderNumber": 9999}, "Заказ № 9999 не найден"),
    ],
    ids=["no-number", "unknown-number"],
)
def test_without_a_known_order_only_the_manager_is_told_quietly(
    answer: dict[str, Any],
    order_line: str,
    shop: Shop,
    telegram: TelegramServer,
    start_ai: Callable[[dict[str, Any]], AiStandIn],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ai = start_ai(answer)
    connect(monkeypatch, ai, telegram)
    letter = "Добрый день! Можно ли оплатить картой при получении?"

    result = run(shop, capsys, letter)

    assert "WriteComment" not in result["trace"]
    assert ("FindOrder" in result["trace"]) is (answer["orderNumber"] is not None)
    assert shop.messages(shop.order) == [] and shop.messages(shop.decoy) == []
    [notice] = sent_messages(telegram)
    assert notice["text"] == f"Письмо клиента: вопрос\n{order_line}\n\n{letter}"
    assert notice["disable_notification"] is True, "a calm question makes no sound"
    assert result["output"]["order"] is None

"""`ai.request`: ask a large language model (the product's "ИИ-запрос").

The service and its API key come from an operator's named connection (`ai_services`: the URL
forms, the services and their models); a scenario never holds the key.

Inputs:
- `connection` (required): the name of an AI connection.
- `service`: `deepseek`, `grok`, `perplexity`, `yandexgpt`, `gigachat` or `openai-compatible`;
  by default the connection's. When given it must be the connection's (a scenario written for
  one service is not silently sent to another).
- `model`: one of the service's models (`ai_services.SERVICES`) or any name the service knows;
  by default the service's first. YandexGPT: a short name (`yandexgpt`, `yandexgpt-lite/rc`)
  becomes `gpt://<folder>/<name>/latest` (`/latest` unless a branch is named), a full `gpt://`
  URI is sent as it is.
- `folderId`: YandexGPT's Yandex Cloud folder, when the connection has no `folder` option.
- `context`: name -> value pairs given to the model as its instructions (the system message,
  one `name: value` line each; values that are not text are written as JSON). A list of
  `{name, value}` is read too.
- `prompt` (required): the request itself (the user message).
- `creativity`, `vocabulary` (0-100 %): mapped linearly onto the service's ranges: creativity to
  `temperature` (0-2; YandexGPT 0-1), vocabulary to `frequency_penalty` (0-2: the more
  vocabulary, the less the model repeats itself; GigaChat: `repetition_penalty` 1-2). Not given:
  not sent, the service's default holds.
- `maxTokens`: the most tokens the answer may have (`max_tokens`).
- `parameters`: further fields of the request body, sent as they are (the product's "additional
  parameters": `top_p`, `presence_penalty`, `search_domain_filter`...); they win over the fields
  above, except `model` and `messages`, which they may not name.
- `timeoutSeconds` (default 60, at most 300): the whole call, retries and GigaChat's token
  included.
- `resultType`: `text` (default: the answer's text), `json` (the service is asked for a JSON
  object: `response_format` where it takes one, an instruction always; the text is parsed, a
  JSON fence around it tolerated) or `response` (the service's whole response object).

Result: `{answer, model, usage: {promptTokens, completionTokens, totalTokens}, finishReason}`:
`answer` is what `resultType` asks for, `model` the model that answered, `usage` the tokens the
call was billed for (also logged, with the service and model, for the operator).

Error codes:
- `ai.auth`: the service refused the key (401/403), GigaChat's token included.
- `ai.rate_limited`: still 429 after the retries (or `Retry-After` asks for more time than left).
- `ai.timeout`: no answer within `timeoutSeconds`.
- `ai.bad_json`: `resultType` is `json` and the answer is not JSON; the message has the text
  (its first 1000 characters).
- `ai.service`: the service answered another error (the message has its status and its own
  `error.message`), still 5xx after the retries, or an answer that is not a chat completion.
- `ai.forbidden_address`: the service's host leads to an address the address guard refuses.
- `ai.connection`: the connection is missing or unusable (or not the `service` asked for), the
  server cannot be reached, or its certificate is not trusted.

429 and 5xx are retried with back-off, honouring `Retry-After` (`ai_http`). The key is sent in
the Authorization header only; it is taken out of any message a service sends back.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator

from automations.components import ai_http
from automations.components.ai_http import CONNECTION, FORBIDDEN_ADDRESS, SERVICE, TIMEOUT
from automations.components.ai_services import (
    SERVICES,
    AiConnection,
    ai_connection_of,
    header_safe,
)
from automations.components.errors import ComponentFailed
from automations.components.gigachat_token import TOKENS, Token, TokenCache
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.json_depth import text_depth_over, too_deep_message, value_depth_over

AUTH = "ai.auth"
RATE_LIMITED = "ai.rate_limited"
BAD_JSON = "ai.bad_json"
ERRORS = (AUTH, RATE_LIMITED, TIMEOUT, BAD_JSON, SERVICE, FORBIDDEN_ADDRESS, CONNECTION)

MAX_TIMEOUT_SECONDS = 300.0
EXCERPT_CHARS = 1000
JSON_INSTRUCTION = "Answer with one JSON object and nothing else: no text, no code fences."
_RESERVED = frozenset({"model", "messages"})
_FENCE = re.compile(r"^```[A-Za-z]*\s*\n(.*)\n\s*```$", re.DOTALL)

ServiceName = Literal[
    "deepseek", "grok", "perplexity", "yandexgpt", "gigachat", "openai-compatible"
]

log = logging.getLogger(__name__)


class AiRequestInput(BaseModel):
    """What `ai.request` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    # camelCase on purpose: field names are the `auto:input` names a scenario writes.
    connection: str = Field(min_length=1, max_length=200)
    service: ServiceName | None = None
    model: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        examples=[m for service in SERVICES.values() for m in service.models],
    )
    folderId: str | None = Field(default=None, min_length=1, max_length=100)
    context: dict[str, Any] = Field(default_factory=dict)
    prompt: str = Field(min_length=1)
    creativity: float | None = Field(default=None, ge=0, le=100)
    vocabulary: float | None = Field(default=None, ge=0, le=100)
    maxTokens: int | None = Field(default=None, ge=1, le=1_000_000)
    parameters: dict[str, Any] = Field(default_factory=dict)
    timeoutSeconds: float = Field(default=60.0, gt=0, le=MAX_TIMEOUT_SECONDS)
    resultType: Literal["text", "json", "response"] = "text"

    @field_validator("context", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        # The product's editor writes a list of name = value pairs.
        if isinstance(value, list):
            pairs: dict[str, Any] = {}
            for item in value:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise ValueError("each context pair is {name, value}")
                pairs[item["name"]] = item.get("value")
            return pairs
        return value

    @field_validator("parameters")
    @classmethod
    def _not_reserved(cls, value: dict[str, Any]) -> dict[str, Any]:
        taken = sorted(_RESERVED & value.keys())
        if taken:
            raise ValueError(f"{', '.join(taken)} cannot be set through `parameters`")
        return value


class Usage(BaseModel):
    """The tokens a call was billed for, as the service counted them."""

    promptTokens: int = 0
    completionTokens: int = 0
    totalTokens: int = 0


class AiRequestResult(BaseModel):
    """The answer (text, JSON or the whole response), who gave it and what it cost."""

    answer: Any = None
    model: str = ""
    usage: Usage = Field(default_factory=Usage)
    finishReason: str | None = None


# ---------------------------------------------------------------------------------------------
# The request


def _model_of(params: AiRequestInput, connection: AiConnection) -> str:
    service = connection.service
    model = params.model or service.default_model
    if model is None:
        raise ComponentFailed(
            CONNECTION, f"{connection.label} is an {service.name} server: name the `model`"
        )
    if service.name != "yandexgpt" or model.startswith("gpt://"):
        return model
    folder = params.folderId or connection.options.get("folder")
    if not folder:
        raise ComponentFailed(
            CONNECTION,
            f"YandexGPT needs a Yandex Cloud folder: give `folderId`, or the option "
            f"`folder` of {connection.label}",
        )
    return f"gpt://{folder}/{model}" + ("" if "/" in model else "/latest")


def _messages(params: AiRequestInput) -> list[dict[str, str]]:
    lines = [f"{name}: {_as_text(value)}" for name, value in params.context.items()]
    if params.resultType == "json":
        lines.append(JSON_INSTRUCTION)
    messages = [{"role": "system", "content": "\n".join(lines)}] if lines else []
    return [*messages, {"role": "user", "content": params.prompt}]


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _body(params: AiRequestInput, connection: AiConnection) -> dict[str, Any]:
    service = connection.service
    body: dict[str, Any] = {"model": _model_of(params, connection), "messages": _messages(params)}
    if params.creativity is not None:
        body["temperature"] = round(params.creativity / 100 * service.temperature_max, 4)
    if params.vocabulary is not None:
        share = params.vocabulary / 100
        if service.penalty == "frequency":
            body["frequency_penalty"] = round(share * service.penalty_max, 4)
        else:  # multiplicative: 1 is no penalty
            body["repetition_penalty"] = round(1 + share * (service.penalty_max - 1), 4)
    if params.maxTokens is not None:
        body["max_tokens"] = params.maxTokens
    if params.resultType == "json" and connection.json_format:
        body["response_format"] = {"type": "json_object"}
    body.update(params.parameters)
    return body


def _what(connection: AiConnection) -> str:
    return f"{connection.service.title} ({connection.label})"


# ---------------------------------------------------------------------------------------------
# Talking to the service


def _bearer(connection: AiConnection, deadline: ai_http.Deadline) -> str | None:
    if connection.service.oauth:
        return _gigachat_token(connection, deadline)
    return connection.key or None


def _gigachat_token(connection: AiConnection, deadline: ai_http.Deadline) -> str:
    what = f"GigaChat's OAuth ({connection.label})"

    def fetch() -> Token:
        headers = {
            "Authorization": f"Basic {connection.key}",
            "RqUID": str(uuid.uuid4()),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        content = urlencode({"scope": connection.scope}).encode("ascii")
        reply = ai_http.post_retrying(connection.oauth_url, headers, content, deadline, what)
        _check_status(reply, connection, what)
        data = _json_of(reply, connection, what, 64)
        token = data.get("access_token") if isinstance(data, dict) else None
        expires = data.get("expires_at") if isinstance(data, dict) else None
        if (
            not isinstance(token, str)
            or not header_safe(token)
            or not isinstance(expires, (int, float))
        ):
            raise ComponentFailed(SERVICE, f"{what} answered no access_token and expires_at")
        return Token(token, expires / 1000)  # milliseconds since the epoch

    key = TokenCache.key_of(connection.oauth_url, connection.scope, connection.key)
    return TOKENS.get(key, fetch)


def _chat(connection: AiConnection, body: dict[str, Any], timeout: float) -> ai_http.Reply:
    deadline = ai_http.Deadline(timeout)
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    what = _what(connection)
    bearer = _bearer(connection, deadline)
    reply = ai_http.post_retrying(connection.chat_url, _headers(bearer), content, deadline, what)
    if reply.status == 401 and connection.service.oauth and bearer is not None:
        # A kept token the service no longer takes (revoked, clock skew): one fresh try.
        cache_key = TokenCache.key_of(connection.oauth_url, connection.scope, connection.key)
        TOKENS.forget(cache_key, bearer)
        bearer = _bearer(connection, deadline)
        reply = ai_http.post_retrying(
            connection.chat_url, _headers(bearer), content, deadline, what
        )
    _check_status(reply, connection, what)
    return reply


def _headers(bearer: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    return headers


def _check_status(reply: ai_http.Reply, connection: AiConnection, what: str) -> None:
    if 200 <= reply.status < 300:
        return
    said = connection.redact(_service_message(reply))
    detail = f"{reply.status}: {said}" if said else str(reply.status)
    if reply.status in (401, 403):
        raise ComponentFailed(AUTH, f"{what} refused the key ({detail})")
    if reply.status == 429:
        raise ComponentFailed(RATE_LIMITED, f"{what} is rate limiting the calls ({detail})")
    raise ComponentFailed(SERVICE, f"{what} answered {detail}")


def _service_message(reply: ai_http.Reply) -> str:
    """The service's own words: `error.message` (OpenAI's shape), or `message`, or the text."""
    text = reply.content.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        error = data.get("error")
        nested = error.get("message") if isinstance(error, dict) else None
        for found in (nested, error, data.get("message"), data.get("detail")):
            if isinstance(found, str):
                return found
    return " ".join(text.split())[:200]


def _json_of(reply: ai_http.Reply, connection: AiConnection, what: str, max_depth: int) -> Any:
    depth = text_depth_over(reply.content, max_depth)
    if depth is not None:
        raise ComponentFailed(
            SERVICE, too_deep_message(f"the answer of {what}", max_depth, f"{depth} levels")
        )
    try:
        return json.loads(reply.content)
    except ValueError:
        raise ComponentFailed(SERVICE, f"{what} answered something that is not JSON") from None


# ---------------------------------------------------------------------------------------------
# The result


def _completion(data: Any, what: str) -> tuple[str, str | None]:
    """The first choice's text and finish reason of a chat completion."""
    choices = data.get("choices") if isinstance(data, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        raise ComponentFailed(SERVICE, f"{what} answered no chat completion (no choices[0])")
    content = message.get("content")
    if isinstance(content, list):  # content parts, as some servers write them
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    reason = first.get("finish_reason") if isinstance(first, dict) else None
    return (content if isinstance(content, str) else ""), (
        reason if isinstance(reason, str) else None
    )


def _usage(data: Any) -> Usage:
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return Usage()

    def count(name: str) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) and value >= 0 else 0

    prompt, completion = count("prompt_tokens"), count("completion_tokens")
    return Usage(
        promptTokens=prompt,
        completionTokens=completion,
        totalTokens=count("total_tokens") or prompt + completion,
    )


def parse_json_answer(text: str, max_depth: int) -> Any:
    """The model's JSON answer (a ```json fence around it tolerated); `ai.bad_json` otherwise."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        value = json.loads(stripped)
    except ValueError:
        excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
        raise ComponentFailed(BAD_JSON, f"the model's answer is not JSON: {excerpt}") from None
    if value_depth_over(value, max_depth) is not None:
        raise ComponentFailed(
            BAD_JSON, too_deep_message("the model's JSON answer", max_depth, "parsed")
        )
    return value


def run(params: AiRequestInput, ctx: ComponentContext) -> AiRequestResult:
    """Send the prompt to the connection's service and return its answer."""
    connection = ai_connection_of(ctx, params.connection)
    if params.service is not None and params.service != connection.service.name:
        raise ComponentFailed(
            CONNECTION,
            f"{connection.label} is a {connection.service.name} connection, not {params.service}",
        )
    what = _what(connection)
    reply = _chat(connection, _body(params, connection), params.timeoutSeconds)
    data = _json_of(reply, connection, what, ctx.max_json_depth)
    text, reason = _completion(data, what)
    usage = _usage(data)
    model = data.get("model") if isinstance(data.get("model"), str) else ""
    log.info(
        "ai.request %s %s: %d tokens (%d prompt, %d completion)",
        connection.service.name,
        model,
        usage.totalTokens,
        usage.promptTokens,
        usage.completionTokens,
    )
    answer: Any = text
    if params.resultType == "json":
        answer = parse_json_answer(text, ctx.max_json_depth)
    elif params.resultType == "response":
        answer = data
    return AiRequestResult(answer=answer, model=model, usage=usage, finishReason=reason)


SPEC = register(
    ComponentSpec(
        name="ai.request",
        input_model=AiRequestInput,
        result_model=AiRequestResult,
        errors=ERRORS,
        run=run,
        summary="Ask a language model (DeepSeek, Grok, Sonar, YandexGPT, GigaChat or a "
        "compatible server) through a named connection.",
        title="AI request",
        error_descriptions={
            AUTH: "the service refused the key",
            RATE_LIMITED: "still rate limited after the retries",
            TIMEOUT: "no answer in time",
            BAD_JSON: "the answer is not JSON",
            SERVICE: "the service answered an error",
            FORBIDDEN_ADDRESS: "the service's address is refused",
            CONNECTION: "the connection is unusable or the server unreachable",
        },
    )
)

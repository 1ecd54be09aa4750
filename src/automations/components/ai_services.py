"""The language-model services `ai.request` can call, and the named connections that reach them.

A service is a row of `SERVICES`: where its API is by default, the models it offers, the ranges
its sampling parameters take and whether it can be asked for a JSON object. Every one of them
speaks the chat completions protocol (POST `<base>/chat/completions`, Bearer auth); GigaChat
puts it under `/api/v1` and gets its Bearer token from an OAuth endpoint first.

A connection is an operator's URL (`ports.Connections`), the API key in its user info:

    deepseek://sk-...@api.deepseek.com            https, the base URL as written
    grok://xai-...@api.x.ai/v1                    a base path is kept (`/v1` here)
    deepseek://:sk-...@                           no host: the service's own base URL
    openai-compatible+http://127.0.0.1:8080/v1    `+http`: plain HTTP (a gateway, the tests)
    yandexgpt://AQVN...@?folder=b1g...            YandexGPT's folder (or the `folderId` input)
    gigachat://<authorization key>@?scope=GIGACHAT_API_CORP&oauth=https://...

The scheme names the service; the key is the password when there is one (how a `passwordSecret`
puts it there: `{"url": "deepseek://", "passwordSecret": "DEEPSEEK_KEY"}`), the user otherwise.
Options: `folder` (YandexGPT), `scope` and `oauth` (GigaChat's OAuth scope and URL),
`jsonFormat=false` (a compatible server that refuses `response_format`). The key never leaves
this module's `AiConnection` except in an Authorization header: not in `repr`, not in messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from automations.components.connections import SERVICE_KEY
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext

CONNECTION = "ai.connection"

# How "vocabulary" reaches the model: OpenAI's additive frequency penalty (0 = none), or
# GigaChat's multiplicative repetition penalty (1 = none).
Penalty = Literal["frequency", "repetition"]

GIGACHAT_OAUTH_URL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"
GIGACHAT_SCOPE = "GIGACHAT_API_PERS"
GIGACHAT_SCOPES = ("GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP")


@dataclass(frozen=True, slots=True)
class AiService:
    """One service: its API, its models and the ranges its parameters take."""

    name: str
    title: str
    base_url: str  # "" : the connection must name the server
    chat_path: str
    models: tuple[str, ...]
    default_model: str | None
    temperature_max: float
    penalty: Penalty = "frequency"
    penalty_max: float = 2.0
    json_format: bool = True  # takes response_format {"type": "json_object"}
    oauth: bool = False  # a Bearer token from GigaChat's OAuth endpoint, not the key itself
    needs_key: bool = True


SERVICES: dict[str, AiService] = {
    service.name: service
    for service in (
        AiService(
            name="deepseek",
            title="DeepSeek",
            base_url="https://api.deepseek.com",
            chat_path="/chat/completions",
            models=("deepseek-chat", "deepseek-reasoner"),
            default_model="deepseek-chat",
            temperature_max=2.0,
        ),
        AiService(
            name="grok",
            title="Grok",
            base_url="https://api.x.ai/v1",
            chat_path="/chat/completions",
            models=("grok-4", "grok-3", "grok-3-mini"),
            default_model="grok-3-mini",
            temperature_max=2.0,
        ),
        AiService(
            name="perplexity",
            title="Sonar (Perplexity)",
            base_url="https://api.perplexity.ai",
            chat_path="/chat/completions",
            models=("sonar", "sonar-pro", "sonar-reasoning", "sonar-reasoning-pro"),
            default_model="sonar",
            temperature_max=2.0,
            json_format=False,  # Sonar takes json_schema formats only: the instruction does it
        ),
        AiService(
            name="yandexgpt",
            title="YandexGPT",
            base_url="https://llm.api.cloud.yandex.net/v1",
            chat_path="/chat/completions",
            models=("yandexgpt", "yandexgpt-lite", "yandexgpt/rc", "yandexgpt-lite/rc"),
            default_model="yandexgpt",
            temperature_max=1.0,
        ),
        AiService(
            name="gigachat",
            title="GigaChat",
            base_url="https://gigachat.devices.sberbank.ru",
            chat_path="/api/v1/chat/completions",
            models=(
                "GigaChat-2",
                "GigaChat-2-Pro",
                "GigaChat-2-Max",
                "GigaChat",
                "GigaChat-Pro",
                "GigaChat-Max",
            ),
            default_model="GigaChat-2",
            temperature_max=2.0,
            penalty="repetition",
            penalty_max=2.0,
            json_format=False,
            oauth=True,
        ),
        AiService(
            name="openai-compatible",
            title="OpenAI-compatible server",
            base_url="",
            chat_path="/chat/completions",
            models=(),
            default_model=None,
            temperature_max=2.0,
            needs_key=False,  # a server of one's own may take none
        ),
    )
}
SERVICE_NAMES = tuple(SERVICES)

_OPTIONS = {
    "yandexgpt": frozenset({"folder"}),
    "gigachat": frozenset({"scope", "oauth"}),
    "openai-compatible": frozenset({"jsonFormat"}),
}


@dataclass(frozen=True, slots=True)
class AiConnection:
    """A named connection to a service, read: the base URL without user info, and the key."""

    name: str
    service: AiService
    base_url: str
    key: str = field(default="", repr=False)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"connection {self.name!r}"

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + self.service.chat_path

    @property
    def json_format(self) -> bool:
        if self.options.get("jsonFormat", "").lower() in {"false", "0", "no"}:
            return False
        return self.service.json_format

    @property
    def oauth_url(self) -> str:
        return self.options.get("oauth") or GIGACHAT_OAUTH_URL

    @property
    def scope(self) -> str:
        return self.options.get("scope") or GIGACHAT_SCOPE

    def redact(self, text: str) -> str:
        """`text` (a service's message) with the key taken out, should the service echo it."""
        return text.replace(self.key, "***") if len(self.key) >= 4 else text


def parse_ai_connection(url: str, name: str) -> AiConnection:
    """Read an AI connection's URL; `ai.connection` (naming `name`, never the URL) if it is none."""
    what = f"connection {name!r}"
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        raise ComponentFailed(CONNECTION, f"{what} is not a URL (service://key@host)")
    service_name, plus, transport = scheme.lower().partition("+")
    service = SERVICES.get(service_name)
    if service is None or (plus and transport != "http"):
        known = ", ".join(f"{s}://" for s in SERVICES)
        raise ComponentFailed(
            CONNECTION, f"{what} is not an AI connection (its scheme is not one of {known})"
        )
    before_query, _, query = rest.partition("?")
    userinfo, at, place = before_query.rpartition("@")
    user, _, password = userinfo.partition(":") if at else ("", "", "")
    key = unquote(password or user)
    options = _options(query, service, what)
    base = _base_url(place, "http" if plus else "https", service, what)
    if service.needs_key and not key:
        raise ComponentFailed(CONNECTION, f"{what} holds no API key (service://KEY@host)")
    if not header_safe(key):
        raise ComponentFailed(
            CONNECTION, f"{what} holds a key with spaces or characters beyond ASCII"
        )
    return AiConnection(name=name, service=service, base_url=base, key=key, options=options)


def header_safe(text: str) -> bool:
    """Whether `text` can go into an HTTP header as it is (a key, a token): printable ASCII
    without spaces. Anything else would make the HTTP library refuse the header, quoting it."""
    return all("!" <= c <= "~" for c in text)


def _base_url(place: str, transport: str, service: AiService, what: str) -> str:
    if not place or place == "/":
        if not service.base_url:
            raise ComponentFailed(CONNECTION, f"{what} names no server (its host is empty)")
        return service.base_url
    try:
        parts = urlsplit(f"//{place}")
        port = parts.port
    except ValueError:
        raise ComponentFailed(CONNECTION, f"{what} has an invalid host or port") from None
    if not parts.hostname:
        raise ComponentFailed(CONNECTION, f"{what} names no host")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{transport}://{host}{f':{port}' if port else ''}{parts.path.rstrip('/')}"


def _options(query: str, service: AiService, what: str) -> dict[str, str]:
    allowed = _OPTIONS.get(service.name, frozenset())
    options: dict[str, str] = {}
    for item in query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key, value = unquote(key), unquote(value.replace("+", " "))
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ComponentFailed(
                CONNECTION, f"{what} has the unknown option {key!r} (known: {known})"
            )
        options[key] = value
    if service.oauth and options.get("scope", GIGACHAT_SCOPE) not in GIGACHAT_SCOPES:
        raise ComponentFailed(
            CONNECTION, f"{what}: scope must be one of {', '.join(GIGACHAT_SCOPES)}"
        )
    return options


def ai_connection_of(ctx: ComponentContext, name: str) -> AiConnection:
    """The operator's connection `name`, read; `ai.connection` when it is missing or unusable."""
    connections: Any = ctx.services.get(SERVICE_KEY)
    try:
        url = None if connections is None else connections.get(name)
    except Exception as exc:  # a secret store that cannot be read: say which connection
        raise ComponentFailed(CONNECTION, f"cannot read connection {name!r}: {exc}") from None
    if url is None:
        raise ComponentFailed(CONNECTION, f"there is no connection {name!r}")
    return parse_ai_connection(url, name)

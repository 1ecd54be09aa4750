"""The component registry: name -> what the component takes, returns and may fail with.

The engines read it to run a component; validation reads `CATALOGUE` to check `auto:input`
names and `auto:retry` codes (its caller hands it over: the BPMN package imports no component).
Each component module registers itself once, at import; `BUILTIN` is a table of the built-in
components: the module that holds each one, its inputs and its error codes. Asking for one
imports that module only (a Lambda deployed for one component does not pay for importing the
others), and validating a scenario imports none (a test checks the table against the modules).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from automations.components.errors import UnknownComponent
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH


@dataclass(frozen=True, slots=True)
class ComponentContext:
    """What a running component may know besides its inputs (ports come in through here)."""

    process_id: str = ""
    element_id: str = ""
    services: Mapping[str, Any] = field(default_factory=dict)
    # How deep JSON a component reads may nest (AUTOMATIONS_MAX_JSON_DEPTH): its result becomes
    # process data, which is held to that depth.
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH


Runner = Callable[[Any, ComponentContext], BaseModel]


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """A component: its stable name, input and result models, error codes and its code."""

    name: str
    input_model: type[BaseModel]
    result_model: type[BaseModel]
    errors: tuple[str, ...]
    run: Runner
    summary: str = ""
    # How the editor shows it: a title in English, the palette group (`family_of` the name
    # when empty) and what each error code means (`error_description`).
    title: str = ""
    family: str = ""
    error_descriptions: Mapping[str, str] = field(default_factory=dict)

    @property
    def palette_title(self) -> str:
        """The title, or one made of the name (`records.create` -> `Records: create`)."""
        return self.title or title_of(self.name)

    @property
    def palette_family(self) -> str:
        return self.family or family_of(self.name)

    def error_description(self, code: str) -> str:
        """What an error code means, or the code's own words when the spec says nothing."""
        return self.error_descriptions.get(code) or code.rpartition(".")[2].replace("_", " ")

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(
            _input_name(name, info) for name, info in self.input_model.model_fields.items()
        )

    @property
    def shape(self) -> ComponentShape:
        """What validation knows of this component, read from its models."""
        fields = self.input_model.model_fields
        return ComponentShape(
            module=self.run.__module__,
            inputs=tuple(_input_name(name, info) for name, info in fields.items()),
            required=tuple(
                _input_name(name, info) for name, info in fields.items() if info.is_required()
            ),
            errors=self.errors,
        )


# Palette groups by the name's prefix; a prefix not listed is its own group.
FAMILIES: Mapping[str, str] = {
    "records": "records",
    "document": "records",
    "file": "records",
    "ai": "actions",
    "code": "actions",
    "http": "actions",
    "process": "actions",
    "mail": "communications",
    "max": "communications",
    "telegram": "communications",
    "whatsapp": "communications",
    "convert": "data",
    "parse": "data",
    "sql": "data",
}


def family_of(name: str) -> str:
    """The palette group of a component that names none, from its name's prefix."""
    prefix = name.partition(".")[0]
    return FAMILIES.get(prefix, prefix)


def title_of(name: str) -> str:
    """A title made of a name: `sql.query` -> `Sql: query`, `parse` -> `Parse`."""
    head, _, tail = name.partition(".")
    words = head.replace("_", " ").capitalize()
    return f"{words}: {tail.replace('_', ' ').replace('.', ' ')}" if tail else words


def _input_name(name: str, info: FieldInfo) -> str:
    # An alias is the name a scenario writes where the Python name cannot be it (`from`).
    return info.alias or name


@dataclass(frozen=True, slots=True)
class ComponentShape:
    """A component as validation sees it, known without importing it: the module that
    registers it, its inputs (in the input model's order), the required ones, its error codes."""

    module: str
    inputs: tuple[str, ...]
    required: tuple[str, ...]
    errors: tuple[str, ...]


_REGISTRY: dict[str, ComponentSpec] = {}


def register(spec: ComponentSpec) -> ComponentSpec:
    """Add a component; registering the same name twice is a programming error."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"component {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


_RECORD_ERRORS = (
    "records.catalog_not_found",
    "records.not_found",
    "records.invalid_values",
    "records.refused",
    "records.conflict",
    "records.unavailable",
)
_READ_ERRORS = (
    "records.catalog_not_found",
    "records.not_found",
    "records.invalid_query",
    "records.unavailable",
)

_MAIL_SERVER_INPUTS = (
    "connection",
    "host",
    "port",
    "secure",
    "user",
    "password",
    "timeoutSeconds",
)

# What a messenger component (`telegram.send`, `whatsapp.send`, `max.send`) may fail with, after
# its prefix (`messenger_http.WHATS`).
_MESSENGER_ERRORS = (
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "rate_limited",
    "failed",
    "connection",
    "file",
    "forbidden_address",
)

# Built-in components: name -> the module that registers it, its inputs and errors. Adding a
# component is adding its module and one entry here (a test checks each module registers the
# name it is listed under, with these inputs and errors).
BUILTIN: dict[str, ComponentShape] = {
    "ai.request": ComponentShape(
        module="automations.components.ai_request",
        inputs=(
            "connection",
            "service",
            "model",
            "folderId",
            "context",
            "prompt",
            "creativity",
            "vocabulary",
            "maxTokens",
            "parameters",
            "timeoutSeconds",
            "resultType",
        ),
        required=("connection", "prompt"),
        errors=(
            "ai.auth",
            "ai.rate_limited",
            "ai.timeout",
            "ai.bad_json",
            "ai.service",
            "ai.forbidden_address",
            "ai.connection",
        ),
    ),
    "code.js": ComponentShape(
        module="automations.components.code_js",
        inputs=("code", "variables"),
        required=("code",),
        errors=("code.error", "code.timeout", "code.memory", "code.result"),
    ),
    "convert": ComponentShape(
        module="automations.components.convert",
        inputs=(
            "type",
            "fileId",
            "url",
            "content",
            "contentBase64",
            "parameters",
            "fileName",
            "catalogId",
            "recordId",
            "fieldId",
            "timeoutSeconds",
        ),
        required=("type",),
        errors=("convert.source", "convert.failed", "convert.too_large", "convert.record"),
    ),
    "document.generate": ComponentShape(
        module="automations.components.document_generate",
        inputs=(
            "templateFileId",
            "templateUrl",
            "data",
            "fileName",
            "catalogId",
            "recordId",
            "fieldId",
            "timeoutSeconds",
        ),
        required=("data",),
        errors=("document.source", "document.template", "document.data", "document.record"),
    ),
    "file.upload": ComponentShape(
        module="automations.components.file_upload",
        inputs=(
            "url",
            "content",
            "contentBase64",
            "fileName",
            "type",
            "catalogId",
            "recordId",
            "fieldId",
            "timeoutSeconds",
        ),
        required=(),
        errors=("file.source", "file.too_large", "file.forbidden_address", "file.record"),
    ),
    "http.request": ComponentShape(
        module="automations.components.http_request",
        inputs=(
            "url",
            "method",
            "headers",
            "query",
            "body",
            "timeoutSeconds",
            "responseType",
            "failOnStatus",
        ),
        required=("url",),
        errors=(
            "http.timeout",
            "http.connection",
            "http.status",
            "http.forbidden_address",
            "http.invalid_response",
            "http.too_large",
            "http.too_deep",
        ),
    ),
    "mail.receive": ComponentShape(
        module="automations.components.mail_receive",
        inputs=(
            *_MAIL_SERVER_INPUTS,
            "folder",
            "criteria",
            "since",
            "before",
            "from",
            "subject",
            "limit",
            "markSeen",
            "moveTo",
            "saveAttachments",
            "maxTextChars",
        ),
        required=(),
        errors=(
            "mail.connection",
            "mail.auth",
            "mail.folder",
            "mail.forbidden_address",
            "mail.attachment",
        ),
    ),
    "mail.send": ComponentShape(
        module="automations.components.mail_send",
        inputs=(
            *_MAIL_SERVER_INPUTS,
            "from",
            "to",
            "cc",
            "bcc",
            "replyTo",
            "subject",
            "text",
            "html",
            "attachments",
        ),
        required=("from",),
        errors=(
            "mail.connection",
            "mail.auth",
            "mail.rejected",
            "mail.forbidden_address",
            "mail.attachment",
        ),
    ),
    "max.send": ComponentShape(
        module="automations.components.max_send",
        inputs=(
            "connection",
            "action",
            "chatId",
            "userId",
            "text",
            "format",
            "file",
            "fileType",
            "silent",
            "timeoutSeconds",
        ),
        required=("connection",),
        errors=tuple(f"max.{what}" for what in _MESSENGER_ERRORS),
    ),
    "message.send": ComponentShape(
        module="automations.components.message_send",
        inputs=("catalogId", "recordId", "text", "attachments"),
        required=("catalogId", "recordId"),
        errors=(
            "message.record_not_found",
            "message.catalog_not_found",
            "message.invalid",
            "message.attachment",
            "message.unavailable",
        ),
    ),
    "parse": ComponentShape(
        module="automations.components.parse",
        inputs=("data", "method", "query", "returns", "group"),
        required=("data", "query"),
        errors=("parse.invalid_data", "parse.invalid_query", "parse.timeout"),
    ),
    "process.start": ComponentShape(
        module="automations.components.process_start",
        inputs=("scenarioId", "variables", "wait"),
        required=("scenarioId",),
        errors=(
            "process.not_found",
            "process.chain_too_deep",
            "process.busy",
            "process.timeout",
            "process.invalid_variables",
            "process.failed",
            "process.unavailable",
        ),
    ),
    "records.create": ComponentShape(
        module="automations.components.records_create",
        inputs=("catalogId", "values"),
        required=("catalogId",),
        errors=_RECORD_ERRORS,
    ),
    "records.delete": ComponentShape(
        module="automations.components.records_delete",
        inputs=("catalogId", "recordId"),
        required=("catalogId", "recordId"),
        errors=tuple(e for e in _RECORD_ERRORS if e != "records.invalid_values"),
    ),
    "records.find": ComponentShape(
        module="automations.components.records_find",
        inputs=(
            "catalogId",
            "filters",
            "searchText",
            "sortField",
            "sortType",
            "limit",
            "offset",
            "fields",
        ),
        required=("catalogId",),
        errors=_READ_ERRORS,
    ),
    "records.get": ComponentShape(
        module="automations.components.records_get",
        inputs=("catalogId", "recordId", "fields"),
        required=("catalogId", "recordId"),
        errors=_READ_ERRORS,
    ),
    "records.structure": ComponentShape(
        module="automations.components.records_structure",
        inputs=("catalogId",),
        required=("catalogId",),
        errors=("records.catalog_not_found", "records.unavailable"),
    ),
    "records.update": ComponentShape(
        module="automations.components.records_update",
        inputs=("catalogId", "recordId", "values"),
        required=("catalogId", "recordId"),
        errors=_RECORD_ERRORS,
    ),
    "sql.query": ComponentShape(
        module="automations.components.sql_query",
        inputs=(
            "connection",
            "databaseType",
            "host",
            "port",
            "database",
            "user",
            "password",
            "query",
            "parameters",
            "rowLimit",
            "timeoutSeconds",
            "wait",
        ),
        required=("query",),
        errors=(
            "sql.connection",
            "sql.syntax",
            "sql.constraint",
            "sql.timeout",
            "sql.parameters",
            "sql.forbidden_address",
            "sql.failed",
        ),
    ),
    "telegram.send": ComponentShape(
        module="automations.components.telegram_send",
        inputs=(
            "connection",
            "action",
            "chatId",
            "text",
            "format",
            "buttons",
            "replyTo",
            "silent",
            "latitude",
            "longitude",
            "phone",
            "firstName",
            "lastName",
            "fromChatId",
            "messageId",
            "file",
            "timeoutSeconds",
        ),
        required=("connection", "chatId"),
        errors=tuple(f"telegram.{what}" for what in _MESSENGER_ERRORS),
    ),
    "whatsapp.send": ComponentShape(
        module="automations.components.whatsapp_send",
        inputs=(
            "connection",
            "action",
            "to",
            "text",
            "previewUrl",
            "latitude",
            "longitude",
            "name",
            "address",
            "phone",
            "firstName",
            "lastName",
            "messageId",
            "emoji",
            "file",
            "replyTo",
            "timeoutSeconds",
        ),
        required=("connection", "to"),
        errors=tuple(f"whatsapp.{what}" for what in _MESSENGER_ERRORS),
    ),
}


def get(name: str) -> ComponentSpec:
    spec = _REGISTRY.get(name)
    if spec is None and name in BUILTIN:
        importlib.import_module(BUILTIN[name].module)
        spec = _REGISTRY.get(name)
    if spec is None:
        raise UnknownComponent(f"unknown component {name!r}")
    return spec


def names() -> list[str]:
    """Every component's name (built-in or registered), sorted; imports none of them."""
    return sorted({*BUILTIN, *_REGISTRY})


class _Catalogue(Mapping[str, ComponentShape]):
    """Every component's shape by name: a built-in one from `BUILTIN` (nothing is imported),
    one registered otherwise from its spec. A live view: a component registered later is in it."""

    def __getitem__(self, name: str) -> ComponentShape:
        if name in BUILTIN:
            return BUILTIN[name]
        spec = _REGISTRY.get(name)
        if spec is None:
            raise KeyError(name)
        return spec.shape

    def __iter__(self) -> Iterator[str]:
        return iter(names())

    def __len__(self) -> int:
        return len(names())


CATALOGUE: Mapping[str, ComponentShape] = _Catalogue()

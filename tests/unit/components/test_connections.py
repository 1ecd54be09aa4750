"""Connections: URLs read into `Connection`s, named connections resolved through the port (the
local environment adapter and the AWS secret forms), and passwords kept out of every text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.aws.connections import ConnectionSecretInvalid, url_of_secret
from automations.adapters.local.connections import (
    VARIABLE,
    ConnectionsSettingInvalid,
    EnvConnections,
)
from automations.adapters.local.secrets import EnvSecrets
from automations.components.connections import (
    SQL_SCHEMES,
    Connection,
    ConnectionInvalid,
    connection_of,
    parse_connection,
    with_password,
)
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext

SECRET = "s3cr:t/p@ss%word"


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "database"),
    [
        ("postgresql://u:p@db.example.com:6543/crm", "postgresql", "db.example.com", 6543, "crm"),
        ("postgres://u@db/crm", "postgresql", "db", None, "crm"),
        ("postgresql+psycopg://u@db/crm", "postgresql", "db", None, "crm"),
        ("mysql://root@127.0.0.1:3306/test", "mysql", "127.0.0.1", 3306, "test"),
        ("mariadb://root@10.0.0.7/orders", "mysql", "10.0.0.7", None, "orders"),
        ("mssql://sa:x@sql.local:1433/master", "mssql", "sql.local", 1433, "master"),
        ("oracle://scott:tiger@ora.local:1521/ORCL", "oracle", "ora.local", 1521, "ORCL"),
        ("smtps://mailer:x@smtp.example.com", "smtps", "smtp.example.com", None, ""),
        ("imap://reader@[2001:db8::1]:143", "imap", "2001:db8::1", 143, ""),
    ],
)
def test_urls_are_read(url: str, scheme: str, host: str, port: int | None, database: str) -> None:
    connection = parse_connection(url, "c")
    assert (connection.scheme, connection.host, connection.port, connection.database) == (
        scheme,
        host,
        port,
        database,
    )
    assert connection.name == "c"


def test_user_password_and_options_are_decoded() -> None:
    url = with_password(
        "postgresql://app%40corp@db:5432/crm?sslmode=require&application_name=a+b", SECRET
    )
    connection = parse_connection(url)
    assert connection.user == "app@corp"
    assert connection.password == SECRET
    assert dict(connection.options) == {"sslmode": "require", "application_name": "a b"}


def test_sqlite_paths() -> None:
    assert parse_connection("sqlite:///data/app.db").database == "data/app.db"
    assert parse_connection("sqlite:////var/lib/app.db").database == "/var/lib/app.db"
    with pytest.raises(ConnectionInvalid):
        parse_connection("sqlite://app.db")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("db.example.com:5432", "is not a URL"),
        ("redis://h:6379", "unknown scheme redis://"),
        (f"postgresql://u:{SECRET}@:5432/db", "names no host"),
        (f"postgresql://u:{SECRET}@h:99999/db", "invalid host or port"),
    ],
)
def test_malformed_urls_name_the_connection_not_the_url(url: str, says: str) -> None:
    with pytest.raises(ConnectionInvalid) as invalid:
        parse_connection(url, "crm")
    assert says in invalid.value.message
    assert "'crm'" in invalid.value.message
    assert SECRET not in invalid.value.message and "s3cr" not in invalid.value.message


def test_password_is_kept_out_of_repr_str_and_driver_messages() -> None:
    connection = parse_connection(with_password("postgresql://app@db/crm", SECRET), "crm")
    assert SECRET not in repr(connection)
    assert SECRET not in str(connection)
    assert str(connection) == "postgresql://app:***@db/crm"
    assert connection.url(with_password=True).startswith("postgresql://app:s3cr%3At")
    encoded = "s3cr%3At%2Fp%40ss%25word"
    message = f'password "{SECRET}" refused; dsn=postgresql://app:{encoded}@db/crm'
    assert connection.redact(message) == 'password "***" refused; dsn=postgresql://app:***@db/crm'


class Table:
    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls

    def get(self, name: str) -> str | None:
        return self.urls.get(name)


def context(urls: dict[str, str]) -> ComponentContext:
    return ComponentContext(services={"connections": Table(urls)})


def test_connection_of_resolves_a_name() -> None:
    ctx = context({"crm": "postgresql://u:p@db/crm"})
    connection = connection_of(ctx, "crm", None, SQL_SCHEMES)
    assert connection.host == "db" and connection.named


@pytest.mark.parametrize(
    ("name", "schemes", "code", "says"),
    [
        ("nope", SQL_SCHEMES, "sql.connection", "there is no connection 'nope'"),
        ("crm", ("smtp", "smtps"), "mail.connection", "is a postgresql:// connection"),
        ("broken", SQL_SCHEMES, "sql.connection", "connection 'broken' has the unknown scheme"),
    ],
)
def test_connection_of_fails_in_user_terms(
    name: str, schemes: tuple[str, ...], code: str, says: str
) -> None:
    ctx = context(
        {"crm": f"postgresql://u:{SECRET}@db/crm", "broken": f"pgsql://u:{SECRET}@db/crm"}
    )
    with pytest.raises(ComponentFailed) as failed:
        connection_of(ctx, name, None, schemes)
    assert failed.value.code == code
    assert says in failed.value.message
    assert SECRET not in failed.value.message


def test_connection_of_takes_the_inline_server_when_no_name() -> None:
    inline = Connection(scheme="smtps", host="smtp.example.com", password=SECRET)
    assert connection_of(ComponentContext(), None, inline, ("smtp", "smtps")) is inline
    with pytest.raises(ComponentFailed) as failed:
        connection_of(ComponentContext(), None, inline, SQL_SCHEMES)
    assert failed.value.code == "sql.connection"


def test_connection_of_without_a_port_configured() -> None:
    with pytest.raises(ComponentFailed) as failed:
        connection_of(ComponentContext(), "crm", None, SQL_SCHEMES)
    assert "there is no connection 'crm'" in failed.value.message


# --- the local adapter -------------------------------------------------------------------


def test_env_connections_from_a_json_object_with_a_secret_password() -> None:
    environ = {
        VARIABLE: json.dumps(
            {
                "crm": "postgresql://u:p@db/crm",
                "orders": {"url": "mysql://app@10.0.0.7/orders", "passwordSecret": "orders-db"},
            }
        ),
        "AUTOMATIONS_SECRET_ORDERS_DB": SECRET,
    }
    connections = EnvConnections(EnvSecrets(environ), environ)
    assert connections.get("crm") == "postgresql://u:p@db/crm"
    assert parse_connection(connections.get("orders") or "").password == SECRET
    assert connections.get("other") is None
    assert connections.names() == ["crm", "orders"]


def test_env_connections_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "connections.json"
    path.write_text(json.dumps({"local": "sqlite:///app.db"}), encoding="utf-8")
    environ = {VARIABLE: str(path)}
    assert EnvConnections(EnvSecrets({}), environ).get("local") == "sqlite:///app.db"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (f'{{"crm": "postgresql://u:{SECRET}@db/crm",}}', "is not JSON (line 1"),
        ("[1, 2]", "must be a JSON object"),
        ('{"crm": 5}', "connection 'crm' must be a URL"),
        ('{"crm": {"url": "mysql://a@h/d", "passwordSecret": "missing"}}', "no secret 'missing'"),
        ("/nonexistent/connections.json", "cannot read AUTOMATIONS_CONNECTIONS file"),
    ],
)
def test_env_connections_errors_never_show_the_setting(setting: str, says: str) -> None:
    environ = {VARIABLE: setting}
    with pytest.raises(ConnectionsSettingInvalid) as invalid:
        EnvConnections(EnvSecrets({}), environ).get("crm")
    assert says in str(invalid.value)
    assert SECRET not in str(invalid.value)


def test_an_unreadable_setting_fails_the_component_with_its_code() -> None:
    environ = {VARIABLE: f'{{"crm": "postgresql://u:{SECRET}@db/crm"'}
    ctx = ComponentContext(services={"connections": EnvConnections(EnvSecrets({}), environ)})
    with pytest.raises(ComponentFailed) as failed:
        connection_of(ctx, "crm", None, SQL_SCHEMES)
    assert failed.value.code == "sql.connection"
    assert "cannot read connection 'crm'" in failed.value.message
    assert SECRET not in failed.value.message


# --- the AWS secret forms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ({"url": "postgresql://app@db/crm", "password": SECRET}, ("postgresql", "db", "crm")),
        (
            {
                "engine": "mariadb",
                "host": "orders.rds.amazonaws.com",
                "port": 3306,
                "username": "admin",
                "password": SECRET,
                "dbname": "orders",
            },
            ("mysql", "orders.rds.amazonaws.com", "orders"),
        ),
    ],
)
def test_aws_secret_forms(secret: dict[str, Any], expected: tuple[str, str, str]) -> None:
    connection = parse_connection(url_of_secret("c", json.dumps(secret)), "c")
    assert (connection.scheme, connection.host, connection.database) == expected
    assert connection.password == SECRET


def test_aws_secret_of_an_unknown_form() -> None:
    with pytest.raises(ConnectionSecretInvalid) as invalid:
        url_of_secret("c", json.dumps({"engine": "redis", "password": SECRET}))
    assert SECRET not in str(invalid.value)

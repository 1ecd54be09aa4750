"""The messenger connections' URL forms (`messenger_http.parse_account`): where the API is,
which part of the user info is the token, and that the token shows nowhere."""

from __future__ import annotations

import pytest

from automations.components.connections import with_password
from automations.components.errors import ComponentFailed
from automations.components.messenger_http import Kind, parse_account

TOKEN = "7012345678:AAH-xY_z0123456789abcdefghijklmnopq"


@pytest.mark.parametrize(
    ("url", "kind", "base", "token", "user"),
    [
        (f"telegram://{TOKEN}@api.telegram.org", "telegram", "https://api.telegram.org", TOKEN, ""),
        (
            f"telegram://:{TOKEN.replace(':', '%3A')}@api.telegram.org",
            "telegram",
            "https://api.telegram.org",
            TOKEN,
            "",
        ),
        (
            f"telegram+http://{TOKEN}@127.0.0.1:8081/tg/",
            "telegram",
            "http://127.0.0.1:8081/tg",
            TOKEN,
            "",
        ),
        (
            "whatsapp://106540352242922:EAAGtoken@graph.facebook.com?version=v20.0",
            "whatsapp",
            "https://graph.facebook.com",
            "EAAGtoken",
            "106540352242922",
        ),
        (
            "max://f9LHodD0cOI@platform-api.max.ru",
            "max",
            "https://platform-api.max.ru",
            "f9LHodD0cOI",
            "",
        ),
        (
            "max://:f9LHodD0cOI@platform-api2.max.ru",
            "max",
            "https://platform-api2.max.ru",
            "f9LHodD0cOI",
            "",
        ),
    ],
)
def test_each_form_gives_the_api_base_and_the_token(
    url: str, kind: Kind, base: str, token: str, user: str
) -> None:
    account = parse_account(url, "bot", kind)
    assert (account.base, account.token, account.user) == (base, token, user)
    assert token not in repr(account)


@pytest.mark.parametrize(
    ("url", "kind", "base"),
    [
        (f"telegram://:{TOKEN}@", "telegram", "https://api.telegram.org"),
        ("whatsapp://1065:EAAGtoken@", "whatsapp", "https://graph.facebook.com"),
        ("max://:f9LHodD0cOI@", "max", "https://platform-api2.max.ru"),
    ],
)
def test_no_host_is_the_apis_own(url: str, kind: Kind, base: str) -> None:
    assert parse_account(url, "bot", kind).base == base


def test_whatsapps_version_is_an_option() -> None:
    account = parse_account("whatsapp://1:t@graph.facebook.com?version=v20.0", "w", "whatsapp")
    assert account.options == {"version": "v20.0"}


def test_a_secret_kept_apart_from_its_url_reads_as_the_token() -> None:
    # {"url": "telegram://api.telegram.org", "password": token}, as the AWS adapter joins it
    url = with_password("telegram://", TOKEN)
    account = parse_account(url, "bot", "telegram")
    assert (account.token, account.base) == (TOKEN, "https://api.telegram.org")


@pytest.mark.parametrize(
    ("url", "kind", "words"),
    [
        (f"max://{TOKEN}@platform-api.max.ru", "telegram", "is not a telegram:// connection"),
        ("telegram://api.telegram.org", "telegram", "holds no token"),
        ("whatsapp://EAAGtoken@graph.facebook.com", "whatsapp", "holds no token"),
        (f"telegram://{TOKEN}@host:99999", "telegram", "invalid host or port"),
    ],
)
def test_a_url_that_is_not_the_kinds_is_a_connection_error_without_the_url(
    url: str, kind: Kind, words: str
) -> None:
    with pytest.raises(ComponentFailed) as caught:
        parse_account(url, "bot", kind)
    assert caught.value.code == f"{kind}.connection"
    assert words in caught.value.message and "connection 'bot'" in caught.value.message
    assert TOKEN not in caught.value.message and "EAAGtoken" not in caught.value.message


def test_redact_takes_the_token_out_as_written_and_as_a_url_carries_it() -> None:
    account = parse_account(f"telegram://{TOKEN}@api.telegram.org", "bot", "telegram")
    text = f"failed: /bot{TOKEN}/sendMessage and /bot{TOKEN.replace(':', '%3A')}/x"
    assert account.redact(text) == "failed: /bot***/sendMessage and /bot***/x"

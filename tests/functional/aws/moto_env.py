"""The environment every moto test runs in: fake credentials and a region, so nothing can reach
a real account (shared by the AWS tests and the store contract tests)."""

from __future__ import annotations

import pytest

AWS_ENV = {
    # With current botocore, stream calls go to an account endpoint moto does not intercept.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

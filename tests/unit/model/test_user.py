from __future__ import annotations

from automations.model.user import hash_api_secret, hash_password, same_secret_hash, verify_password


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second
    assert verify_password("s3cret", first)
    assert not verify_password("S3cret", first)


def test_malformed_stored_hash_never_verifies() -> None:
    assert not verify_password("x", "plain-text")
    assert not verify_password("x", "md5$1$1$1$AAAA$AAAA")


def test_api_secret_hash_comparison() -> None:
    digest = hash_api_secret("key")
    assert same_secret_hash(digest, hash_api_secret("key"))
    assert not same_secret_hash(digest, hash_api_secret("other"))

"""The FileStore contract, run over both adapters: the folder beside SQLite and S3 (moto)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.files import SqliteFileStore, files_folder
from automations.asl.clock import VirtualClock
from automations.errors import FileTooLarge
from automations.model.file import is_file_id
from automations.ports import FileStore

T0 = 1_767_323_045.0  # 2026-01-02T03:04:05Z
LIMIT = 64 * 1024
BUCKET = "automations-files-test"

# A store of each adapter over one place: calling it again gives a second store there.
Reopen = Callable[[], FileStore]


@pytest.fixture(params=["sqlite", "s3"])
def reopen(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Reopen]:
    clock = VirtualClock(start=T0)
    if request.param == "sqlite":
        db = Database(tmp_path / "automations.db")
        yield lambda: SqliteFileStore(db, files_folder(db.path), clock, max_bytes=LIMIT)
        db.close()
        return
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.files import S3FileStore

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield lambda: S3FileStore(client, BUCKET, clock, max_bytes=LIMIT)


@pytest.fixture
def store(reopen: Reopen) -> FileStore:
    return reopen()


def test_a_stored_file_reads_back_byte_for_byte_with_what_describes_it(store: FileStore) -> None:
    data = bytes(range(256)) * 3 + b"\x00\xff"
    stored = store.put("Счёт №5 (final).pdf", "application/pdf", data)

    assert is_file_id(stored.id)
    assert (stored.name, stored.type, stored.size) == (
        "Счёт №5 (final).pdf",
        "application/pdf",
        770,
    )
    assert stored.created.timestamp() == T0
    assert store.info(stored.id) == stored
    assert store.read(stored.id) == (stored, data)


def test_another_store_over_the_same_place_reads_what_the_first_wrote(reopen: Reopen) -> None:
    stored = reopen().put("a.txt", "text/plain; charset=utf-8", "привет".encode())
    assert reopen().read(stored.id) == (stored, "привет".encode())


def test_an_empty_file_is_a_file(store: FileStore) -> None:
    stored = store.put("empty.bin", "application/octet-stream", b"")
    assert store.read(stored.id) == (stored, b"")


def test_every_file_gets_its_own_random_id_whatever_its_name(store: FileStore) -> None:
    first = store.put("same.txt", "text/plain", b"one")
    second = store.put("same.txt", "text/plain", b"two")
    assert first.id != second.id
    assert store.read(first.id)[1] == b"one"  # type: ignore[index]
    assert store.read(second.id)[1] == b"two"  # type: ignore[index]


@pytest.mark.parametrize(
    "wrong", ["0" * 31, "0" * 33, "../" + "0" * 32, "0" * 32 + "/", "files/x", "", "A" * 32]
)
def test_a_text_that_is_not_an_id_names_no_file(store: FileStore, wrong: str) -> None:
    store.put("x.txt", "text/plain", b"x")
    assert store.info(wrong) is None
    assert store.read(wrong) is None


def test_an_unknown_id_names_no_file(store: FileStore) -> None:
    assert store.info("0123456789abcdef0123456789abcdef") is None
    assert store.read("0123456789abcdef0123456789abcdef") is None


def test_a_file_over_the_limit_is_refused_naming_the_limit(store: FileStore) -> None:
    assert store.put("limit.bin", "application/octet-stream", b"x" * LIMIT).size == LIMIT
    with pytest.raises(FileTooLarge) as refused:
        store.put("big.bin", "application/octet-stream", b"x" * (LIMIT + 1))
    assert (refused.value.size, refused.value.limit) == (LIMIT + 1, LIMIT)
    assert f"{LIMIT} bytes" in str(refused.value)
    # The mail components catch a store's refusal as a ValueError (their port's contract).
    assert isinstance(refused.value, ValueError)


# --- the folder ------------------------------------------------------------------------------


def test_on_disk_a_file_is_named_by_its_id_alone_and_no_part_file_is_left(tmp_path: Path) -> None:
    db = Database(tmp_path / "automations.db")
    folder = files_folder(db.path)
    store = SqliteFileStore(db, folder, VirtualClock(start=T0))
    stored = store.put("../../etc/passwd", "text/plain", b"not a path")
    db.close()

    assert folder == tmp_path / "automations.files"
    assert [p.name for p in folder.iterdir()] == [stored.id]
    assert (folder / stored.id).read_bytes() == b"not a path"
    assert not (tmp_path.parent / "etc").exists()
    assert folder.stat().st_mode & 0o077 == 0  # the folder is the server user's only


def test_a_refused_file_leaves_nothing_behind(tmp_path: Path) -> None:
    db = Database(tmp_path / "automations.db")
    folder = files_folder(db.path)
    store = SqliteFileStore(db, folder, VirtualClock(start=T0), max_bytes=3)
    with pytest.raises(FileTooLarge):
        store.put("big", "text/plain", b"four")
    count = db.connection().execute("SELECT COUNT(*) FROM files").fetchone()[0]
    db.close()
    assert (list(folder.iterdir()), count) == ([], 0)


def test_a_row_whose_bytes_were_removed_reads_as_no_file(tmp_path: Path) -> None:
    db = Database(tmp_path / "automations.db")
    folder = files_folder(db.path)
    store = SqliteFileStore(db, folder, VirtualClock(start=T0))
    stored = store.put("a", "text/plain", b"a")
    (folder / stored.id).unlink()
    assert store.read(stored.id) is None
    db.close()


# --- the bucket ------------------------------------------------------------------------------


def test_in_s3_the_key_is_the_id_and_the_name_travels_as_ascii_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.files import S3FileStore

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        stored = S3FileStore(client, BUCKET, VirtualClock(start=T0)).put(
            "отчёт.csv", "text/csv", b"a,b"
        )
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET)["Contents"]]
        head = client.head_object(Bucket=BUCKET, Key=keys[0])

    assert keys == [f"files/{stored.id}"]
    assert head["ContentType"] == "text/csv"
    assert head["Metadata"]["name"].isascii()
    assert head["Metadata"]["created"] == "2026-01-02T03:04:05.000Z"

"""Where the shared conformance corpora live, and what to do when they are not there.

The corpora sit beside the project (`../shared/conformance/<name>`), not inside it. A developer
without them gets a clear skip; CI sets AUTOMATIONS_REQUIRE_CONFORMANCE=1 and fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CONFORMANCE_ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
REQUIRE_ENV = "AUTOMATIONS_REQUIRE_CONFORMANCE"


def corpus_dir(name: str) -> Path:
    """The folder of corpus `name`; skips the calling test (or fails it in CI) when absent."""
    folder = CONFORMANCE_ROOT / name
    if folder.is_dir():
        return folder
    reason = f"conformance corpus {name!r} not found at {folder}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")

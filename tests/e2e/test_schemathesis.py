"""schemathesis against the OpenAPI document of a live `automations dev` (with its demo data):
no generated request may get a 5xx answer. Only 127.0.0.1 is ever targeted."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

from support.devserver import ADMIN, StartDev

MAX_EXAMPLES = 20


def test_no_generated_request_gets_a_server_error(dev_server: StartDev, tmp_path: Path) -> None:
    dev = dev_server(demo="true")
    assert dev.url.startswith("http://127.0.0.1:")
    credentials = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{dev.url}/api/v1/openapi.json",
        "--url",
        dev.url,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Basic {credentials}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout

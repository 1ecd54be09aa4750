"""On Lambda the package's log lines are the handler's JSON lines, with its appended keys."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Logger

from automations.adapters.aws.lambda_logs import PACKAGE, share_logger


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    """The package's logger, put back as it was (powertools stops its propagation)."""
    package = logging.getLogger(PACKAGE)
    saved = (list(package.handlers), package.propagate, package.level)
    yield package
    package.handlers, package.propagate = saved[0], saved[1]
    package.setLevel(saved[2])


def test_on_lambda_a_component_line_carries_the_process_id(
    package_logger: logging.Logger,
) -> None:
    out = io.StringIO()
    # A service of its own: powertools shares one Logger per name (the handlers' are taken).
    logger = Logger(service=f"logs-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(out))

    shared = share_logger(logger, {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})
    logger.append_keys(process="0123abcd", element="FetchRate")
    logging.getLogger("automations.components.http_request").info("retrying after %s", "503")

    assert shared is True
    line = json.loads(out.getvalue().strip().splitlines()[-1])
    assert line["message"] == "retrying after 503"
    assert line["process"] == "0123abcd" and line["element"] == "FetchRate"
    assert line["name"] == "automations.components.http_request"


def test_elsewhere_logging_is_left_alone(package_logger: logging.Logger) -> None:
    before = (list(package_logger.handlers), package_logger.propagate)
    logger = Logger(service=f"logs-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler())

    assert share_logger(logger, {}) is False
    assert share_logger(logger, {"AWS_LAMBDA_FUNCTION_NAME": "automations-http-request"}) is False
    assert (list(package_logger.handlers), package_logger.propagate) == before

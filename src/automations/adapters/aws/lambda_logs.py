"""One log format on Lambda: the package's own loggers write through the handler's
powertools Logger, so their lines are JSON too and carry the keys the handler appended (the
process id above all), not the runtime's plain `[INFO] time request-id text`."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

PACKAGE = "automations"


def share_logger(logger: Logger, environ: Mapping[str, str] | None = None) -> bool:
    """In Lambda's runtime (AWS_EXECUTION_ENV `AWS_Lambda_...`, which only the runtime sets:
    tests that stand for a function set AWS_LAMBDA_FUNCTION_NAME at most), route the package's
    loggers through `logger`; elsewhere leave logging alone (powertools stops the package's
    propagation, which would hide its records from the root logger). Whether it did."""
    source = os.environ if environ is None else environ
    if not source.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_"):
        return False
    # powertools configures registered top-level loggers only: register the package's.
    logging.getLogger(PACKAGE)
    copy_config_to_registered_loggers(source_logger=logger, include={PACKAGE})
    return True

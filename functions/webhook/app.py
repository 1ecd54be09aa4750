"""Web requests on Lambda: `/api/webrequest/{urlId}` (any method, no credentials) starts the
endpoint's scenario and answers with its `$response`, or 202 at once with `?async=true`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from automations.adapters.aws.lambda_logs import share_logger
from automations.adapters.aws.runtime import aws_runtime

logger = Logger()
share_logger(logger)  # the package's loggers write JSON through it
metrics = Metrics()
tracer = Tracer(patch_modules=["botocore"])  # see functions/api/app.py


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)  # answers are the scenario's data
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return aws_runtime().webhook().resolve(event, context)

"""The records and management API on Lambda: API Gateway (REST, proxy) events are answered by
the same resolver `automations dev` serves (`automations.api.app.build_app`)."""

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
# Only botocore is patched: boto3 is loaded here anyway, so one subsegment per DynamoDB / Step
# Functions call costs ~30 ms of cold start, where patch_all would cost ~100 ms more.
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)  # answers hold users' data
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return aws_runtime().api().resolve(event, context)

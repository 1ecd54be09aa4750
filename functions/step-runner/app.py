"""One component as a Lambda function: `template.yaml` deploys this handler once per component,
with `COMPONENT` naming it. The Payload is the compiler's `{inputs, context}`; the answer is the
component's result. A call that acts (a record write, a mail sent, a POST, ...) runs once per
attempt however often Lambda is invoked for it (`automations.adapters.aws.idempotency`). A
failure raises an exception whose class name is the error code
(`http.timeout`, `Component.InvalidInput`, ...): Lambda reports it as errorType, which Step
Functions uses as the error name that Retry and Catch match.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from automations.adapters.aws.idempotency import TABLE_VARIABLE, CallsOnce
from automations.adapters.aws.lambda_logs import share_logger
from automations.adapters.aws.runtime import aws_runtime, process_id_of
from automations.components import invoke, registry

logger = Logger()
share_logger(logger)  # the components' loggers write through it, process id included
metrics = Metrics()
# No patching: http.request and parse never load boto3, and patching would load it (~150 ms).
tracer = Tracer(auto_patch=False)
SPEC = registry.get(os.environ["COMPONENT"])  # a wrong name fails the cold start, loudly
ONCE = CallsOnce(SPEC.name, os.environ.get(TABLE_VARIABLE))


@logger.inject_lambda_context(clear_state=True)  # keys of the last call do not linger
@tracer.capture_lambda_handler(capture_response=False)  # results are process data
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    call = invoke.context_of(event)
    execution = str(call.get("executionId", ""))
    process_id = process_id_of(execution)
    logger.append_keys(process=process_id, execution=execution, element=call.get("elementId"))
    runtime = aws_runtime()
    component_context = registry.ComponentContext(
        process_id=process_id,
        element_id=str(call.get("elementId", "")),
        services=runtime.component_services(execution),
        max_json_depth=runtime.settings.max_json_depth,
    )
    return ONCE.run(
        event,
        lambda: invoke.invoke(SPEC, event, component_context),
        context,
        session=lambda: runtime.session,
    )
